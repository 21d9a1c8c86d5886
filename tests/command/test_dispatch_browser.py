"""The dispatch desk in a real browser (Debian's Chromium) against a real daphne: the duty
officer signs in, sees the queue update live over /ws/events/ as reports arrive through intake,
and dispatches a queued ticket with the keyboard. Screenshots go to /tmp for a person to see."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import APIRequestContext, Browser, BrowserContext, Page, Playwright

from tests.command import test_events_client as events_client

server = events_client.server
pytestmark = pytest.mark.browser

WAIT_MS = 15_000
SCREENSHOTS = Path("/tmp")
# Outside every Harbin district, far apart: each report waits in the queue as its own ticket.
ELSEWHERE = [
    ("北京某小区门前井盖丢失", 39.9042, 116.4074),
    ("上海某路口路灯不亮", 31.2304, 121.4737),
    ("广州某街道夜间施工噪音扰民", 23.1291, 113.2644),
    ("深圳某公园大树倒伏挡路", 22.5431, 114.0579),
]
_numbers = itertools.count(1)


@pytest.fixture(scope="module")
def intake(playwright: Playwright, server: events_client.Server) -> Iterator[APIRequestContext]:
    api = playwright.request.new_context(
        base_url=server.url, extra_http_headers={"Authorization": f"Bearer {server.api_key}"}
    )
    try:
        yield api
    finally:
        api.dispose()


@pytest.fixture
def context(browser: Browser, server: events_client.Server) -> Iterator[BrowserContext]:
    opened = browser.new_context(
        base_url=server.url, locale="zh-CN", viewport={"width": 1280, "height": 900}
    )
    try:
        yield opened
    finally:
        opened.close()


def arrive(intake: APIRequestContext, place: int) -> str:
    """A report through the intake API, as a feed would send it; its tracking number."""
    text, lat, lon = ELSEWHERE[place]
    answer = intake.post(
        "/api/v1/reports",
        data={
            "source": "hotline",
            "external_id": f"dispatch-browser-{next(_numbers)}",
            "text": text,
            "location": {"lat": lat, "lon": lon, "datum": "wgs84"},
        },
    )
    assert answer.status == 201, answer.text()
    incident = answer.json()["incident"]
    assert incident["status"] == "new"
    return incident["tracking_no"]


def sign_in_to_the_desk(page: Page) -> None:
    page.goto("/dispatch/")
    page.wait_for_url("**/accounts/login/?next=/dispatch/", timeout=WAIT_MS)
    page.fill("#id_username", "duty")
    page.fill("#id_password", "demo")
    page.press("#id_password", "Enter")
    page.wait_for_url("**/dispatch/", timeout=WAIT_MS)
    page.wait_for_selector('#live[data-status="live"]', timeout=WAIT_MS)


def test_duty_staff_see_the_queue_live_and_dispatch_with_the_keyboard(context, intake):
    first = arrive(intake, 0)
    page = context.new_page()
    sign_in_to_the_desk(page)
    assert page.locator(f"#q-{first}").count() == 1

    # Another report arrives through intake: the queue shows it without a reload.
    second = arrive(intake, 1)
    page.wait_for_selector(f"#q-{second}", timeout=WAIT_MS)
    # A reason typed into the first ticket's form survives the next live update.
    note = page.locator(f"#q-{first} .note-input")
    note.fill("按属地原则派给道里区")
    third = arrive(intake, 2)
    page.wait_for_selector(f"#q-{third}", timeout=WAIT_MS)
    assert note.input_value() == "按属地原则派给道里区"
    page.screenshot(path=str(SCREENSHOTS / "dispatch_queue_live.png"), full_page=True)

    # Dispatch the first: choose the unit, leave the deadline the SLA proposes, then from the
    # reason Tab to the button and press Enter.
    page.locator(f"#q-{first} select.unit").select_option(label="道里区人民政府")
    note.focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "派单"
    with page.expect_navigation(timeout=WAIT_MS):
        page.keyboard.press("Enter")

    assert "已完成" in page.text_content("#desk-messages")
    assert page.locator(f"#q-{first}").count() == 0
    assert page.locator(f"#q-{second}").count() == 1
    detail = page.request.get(f"/api/v1/incidents/{first}")
    assert detail.ok, detail.text()
    assert detail.json()["status"] == "dispatched"
    assert detail.json()["unit"]["name"] == "道里区人民政府"
    page.screenshot(path=str(SCREENSHOTS / "dispatch_after_dispatch.png"), full_page=True)


def csrf_token(page: Page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")


def test_a_stale_form_gets_the_conflict_message_and_the_new_state(context, intake, browser):
    ticket = arrive(intake, 3)
    page = context.new_page()
    sign_in_to_the_desk(page)
    page.wait_for_selector(f"#q-{ticket}", timeout=WAIT_MS)
    # Stop live updates: the form keeps the version it was shown with.
    page.evaluate("window.__dispatchDesk.close()")
    # Meanwhile a colleague dispatches it, through the API with the same session.
    version = int(page.get_attribute(f"#q-{ticket}", "data-version"))
    water = page.locator(f"#q-{ticket} select.unit option", has_text="哈尔滨市水务局")
    water_id = int(water.get_attribute("value"))
    done = page.request.post(
        f"/api/v1/incidents/{ticket}/transitions",
        data={"action": "dispatch", "unit_id": water_id, "version": version},
        headers={"X-CSRFToken": csrf_token(page), "Referer": page.url},
    )
    assert done.ok, done.text()

    page.locator(f"#q-{ticket} select.unit").select_option(label="道里区人民政府")
    with page.expect_navigation(timeout=WAIT_MS):
        page.click(f"#q-{ticket} .dispatch-form button")

    assert "已被他人更新" in page.text_content("#desk-error")
    assert page.locator(f"#q-{ticket}").count() == 0  # it is no longer waiting
    page.screenshot(path=str(SCREENSHOTS / "dispatch_conflict.png"), full_page=True)
