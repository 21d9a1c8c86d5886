"""The unit console in a real browser (Debian's Chromium) against a real daphne: a unit's staff
member signs in, sees a new ticket arrive in the queue live, signs it, adds a note and a photo,
resolves it; duty staff, in a second browser, see each change arrive over the WebSocket.
Screenshots go to /tmp (units_*.png) for a person to look at."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import APIRequestContext, Browser, BrowserContext, Page

from tests.command import test_events_client as events_client
from tests.command.test_photos import png

server = events_client.server
intake = events_client.intake
pytestmark = pytest.mark.browser

WAIT_MS = 15_000
SCREENSHOTS = Path("/tmp")
_numbers = itertools.count()


def sign_in(browser: Browser, server, username: str, **options) -> BrowserContext:
    context = browser.new_context(base_url=server.url, locale="zh-CN", **options)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "demo")
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#signed-in", timeout=WAIT_MS)
    page.close()
    return context


@pytest.fixture
def unit_staff(browser: Browser, server) -> Iterator[BrowserContext]:
    context = sign_in(browser, server, "daoli", viewport={"width": 1100, "height": 800})
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def duty_staff(browser: Browser, server) -> Iterator[BrowserContext]:
    context = sign_in(browser, server, "duty", viewport={"width": 900, "height": 700})
    try:
        yield context
    finally:
        context.close()


def new_ticket(intake: APIRequestContext) -> str:
    """A noise complaint on 中央大街 (道里区人民政府's), each a little further north."""
    n = next(_numbers)
    answer = intake.post(
        "/api/v1/reports",
        data={
            "source": "hotline",
            "external_id": f"units-browser-{n}",
            "text": "中央大街附近工地夜间施工噪音扰民",
            "location": {"lat": 45.7700 + n * 0.004, "lon": 126.6177, "datum": "wgs84"},
        },
    )
    assert answer.status == 201, answer.text()
    incident = answer.json()["incident"]
    assert incident["unit"]["name"] == "道里区人民政府"
    return incident["tracking_no"]


def wait_live(page: Page, selector: str) -> None:
    page.wait_for_selector(f'{selector}[data-status="live"]', timeout=WAIT_MS)


def probe_shows(probe: Page, text: str) -> None:
    probe.wait_for_function(
        "text => [...document.querySelectorAll('#events li')].some(li => li.textContent === text)",
        arg=text,
        timeout=WAIT_MS,
    )


def act(page: Page, form: str, note: str | None = None) -> None:
    if note is not None:
        page.fill(f"#form-{form} textarea", note)
    page.click(f"#form-{form} button[type=submit]")
    page.wait_for_selector("#flash", timeout=WAIT_MS)


def test_a_unit_signs_notes_and_resolves_and_duty_staff_see_it_live(unit_staff, duty_staff, intake):
    queue = unit_staff.new_page()
    queue.goto("/units/")
    wait_live(queue, "#live-status")
    probe = duty_staff.new_page()
    probe.goto("/realtime/probe/?streams=all")
    wait_live(probe, "#status")

    tracking_no = new_ticket(intake)

    # The queue reads itself again when its unit's stream says something changed.
    row = f'#queue-rows tr[data-tracking-no="{tracking_no}"]'
    queue.wait_for_selector(row, timeout=WAIT_MS)
    assert queue.get_attribute(row, "data-status") == "dispatched"
    queue.screenshot(path=str(SCREENSHOTS / "units_queue.png"), full_page=True)

    queue.click(f"{row} a")
    queue.wait_for_selector("#ticket", timeout=WAIT_MS)
    ticket = queue
    assert ticket.text_content("h1").startswith(f"工单 {tracking_no}")
    assert ticket.eval_on_selector_all("#actions form", "fs => fs.map(f => f.id)") == [
        "form-sign",
        "form-return",
        "form-pass_down",
    ]

    act(ticket, "sign")
    probe_shows(probe, f"assignment.accepted {tracking_no}")
    act(ticket, "note", "已到现场，工地已停止夜间施工")
    probe_shows(probe, f"assignment.noted {tracking_no}")
    ticket.set_input_files(
        "#form-photo input[type=file]",
        files=[{"name": "现场.png", "mimeType": "image/png", "buffer": png(40, 30)}],
    )
    ticket.click("#form-photo button[type=submit]")
    ticket.wait_for_selector("#photos img", timeout=WAIT_MS)
    assert ticket.eval_on_selector("#photos img", "img => img.naturalWidth") == 40
    ticket.screenshot(path=str(SCREENSHOTS / "units_ticket_signed.png"), full_page=True)

    act(ticket, "resolve", "已责令工地夜间停工，现场已恢复安静")
    probe_shows(probe, f"assignment.resolved {tracking_no}")
    assert ticket.get_attribute("#ticket", "data-status") == "resolved"
    assert ticket.locator("#no-actions").count() == 1
    steps = ticket.eval_on_selector_all("#timeline li", "lis => lis.map(li => li.dataset.action)")
    assert steps[-4:] == ["sign", "note", "note", "resolve"]
    ticket.screenshot(path=str(SCREENSHOTS / "units_ticket_resolved.png"), full_page=True)
    probe.screenshot(path=str(SCREENSHOTS / "units_duty_probe.png"), full_page=True)

    # Duty staff's performance page counts the ticket for its unit, resolved on time.
    figures = duty_staff.new_page()
    figures.goto("/performance/")
    row = figures.locator("#kpis tbody tr", has_text="道里区人民政府")
    assert row.locator("td").nth(3).text_content() == "100.0%"  # on-time resolution
    figures.screenshot(path=str(SCREENSHOTS / "units_performance.png"), full_page=True)


def test_a_page_left_open_learns_that_a_colleague_acted_and_gets_the_conflict(
    browser, server, unit_staff, intake
):
    tracking_no = new_ticket(intake)
    mine = unit_staff.new_page()
    mine.goto(f"/units/{tracking_no}/")
    mine.wait_for_selector("#form-sign", timeout=WAIT_MS)
    other_context = sign_in(browser, server, "daoli")
    try:
        other = other_context.new_page()
        other.goto(f"/units/{tracking_no}/")
        act(other, "sign")
    finally:
        other_context.close()

    # The open page hears of the change and says so; acting on it anyway is refused.
    mine.wait_for_selector("#stale-banner.shown", timeout=WAIT_MS)
    mine.fill("#form-return textarea", "不属于本单位")
    mine.click("#form-return button[type=submit]")
    mine.wait_for_selector("#error", timeout=WAIT_MS)
    assert "刚被其他人更新过" in mine.text_content("#error")
    assert mine.get_attribute("#ticket", "data-status") == "accepted"
    mine.screenshot(path=str(SCREENSHOTS / "units_conflict.png"), full_page=True)


def test_the_queue_fits_a_phone(browser, server, intake):
    new_ticket(intake)
    context = sign_in(
        browser, server, "daoli", viewport={"width": 390, "height": 844}, is_mobile=True
    )
    try:
        page = context.new_page()
        page.goto("/units/")
        page.wait_for_selector("#queue-rows tr[data-tracking-no]", timeout=WAIT_MS)
        width = page.evaluate("document.documentElement.scrollWidth")
        header = page.eval_on_selector("#queue thead", "e => getComputedStyle(e).display")
        page.screenshot(path=str(SCREENSHOTS / "units_queue_phone.png"), full_page=True)
    finally:
        context.close()

    assert width <= 390  # nothing to scroll sideways
    assert header == "none"  # rows are cards


def test_a_district_passes_a_ticket_down_and_the_street_office_finds_it_in_its_queue(
    browser, server, unit_staff, intake
):
    tracking_no = new_ticket(intake)
    ticket = unit_staff.new_page()
    ticket.goto(f"/units/{tracking_no}/")
    ticket.wait_for_selector("#form-pass_down", timeout=WAIT_MS)
    ticket.select_option("#street-office", label="道里区兆麟街道办事处")
    act(ticket, "pass_down")
    assert ticket.get_attribute("#ticket", "data-status") == "dispatched"
    assert "道里区兆麟街道办事处" in ticket.text_content(".facts")
    assert ticket.locator("#no-actions").count() == 1  # the district sees it, the office acts
    ticket.screenshot(path=str(SCREENSHOTS / "units_passed_down.png"), full_page=True)

    office = sign_in(browser, server, "zhaolin")
    try:
        queue = office.new_page()
        queue.goto("/units/")
        row = f'#queue-rows tr[data-tracking-no="{tracking_no}"]'
        queue.wait_for_selector(row, timeout=WAIT_MS)
        assert queue.get_attribute(row, "data-status") == "dispatched"
        queue.screenshot(path=str(SCREENSHOTS / "units_street_office_queue.png"), full_page=True)
        queue.click(f"{row} a")
        queue.wait_for_selector("#form-sign", timeout=WAIT_MS)
        forms = queue.eval_on_selector_all("#actions form", "fs => fs.map(f => f.id)")
    finally:
        office.close()

    assert forms == ["form-sign", "form-return"]
