"""Transfer to 110 in a real browser (Debian's Chromium) against a real daphne (embedded mode):
the duty officer signs in, finds a public-order ticket on the dispatch desk, gives a reason and
transfers it; the server's sender thread POSTs the transfer, signed, to a 110 receiver on
loopback. A screenshot goes to /tmp for a person to see."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import APIRequestContext, Browser, BrowserContext, Playwright

from tests.command import test_events_client as events_client
from tests.feed_receiver import Receiver, receiving
from tests.servers import run_python

pytestmark = pytest.mark.browser

WAIT_MS = 15_000
BOUND_S = 30
SECRET = "browser-transfer-secret-not-a-real-one"
SCREENSHOT = Path("/tmp/dispatch_transfer_to_110.png")
FIGHT = "中央大街与西十二道街交口有人打架斗殴"


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    with receiving(SECRET) as running:
        yield running


@pytest.fixture(scope="module")
def server(tmp_path_factory, receiver) -> Iterator[events_client.Server]:
    var_dir = tmp_path_factory.mktemp("transfer-browser")
    # The sender thread's pass comes at least this often (it is also woken by each transfer).
    with events_client.demo_server(var_dir, CITYDESK_FEED_SWEEP_SECONDS="1") as running:
        code = (
            # The demo's 110 system, pointed at this test's receiver with its secret.
            "from integrations.models import FeedSystem; FeedSystem.objects.update_or_create("
            "code='hrb-110', defaults=dict(name='哈尔滨市110接处警平台', kind='110', "
            f"source_code='110', secret={SECRET!r}, "
            f"transfer_url={receiver.url + '/110/transfer'!r}))"
        )
        run_python("manage.py", "shell", "-c", code, env=running.env)
        yield running


@pytest.fixture(scope="module")
def intake(playwright: Playwright, server) -> Iterator[APIRequestContext]:
    api = playwright.request.new_context(
        base_url=server.url, extra_http_headers={"Authorization": f"Bearer {server.api_key}"}
    )
    try:
        yield api
    finally:
        api.dispose()


@pytest.fixture
def context(browser: Browser, server) -> Iterator[BrowserContext]:
    opened = browser.new_context(
        base_url=server.url, locale="zh-CN", viewport={"width": 1280, "height": 900}
    )
    try:
        yield opened
    finally:
        opened.close()


def wait_for_transfer(receiver: Receiver, tracking_no: str) -> dict:
    deadline = time.monotonic() + BOUND_S
    while time.monotonic() < deadline:
        for body in receiver.bodies("/110/transfer"):
            if body["tracking_no"] == tracking_no:
                return body
        time.sleep(0.1)  # the server's sender has not posted yet; bounded by the deadline
    pytest.fail(f"110 got no transfer of {tracking_no} within {BOUND_S} s: {receiver}")


def test_the_duty_officer_transfers_a_fight_to_110(context, intake, receiver):
    arrived = intake.post(
        "/api/v1/reports",
        data={
            "source": "hotline",
            "external_id": "transfer-browser-1",
            "text": FIGHT,
            "location": {"lat": 45.7740, "lon": 126.6177, "datum": "wgs84"},
        },
    )
    assert arrived.status == 201, arrived.text()
    tracking_no = arrived.json()["incident"]["tracking_no"]

    page = context.new_page()
    page.goto(f"/dispatch/?ticket={tracking_no}")
    page.wait_for_url("**/accounts/login/**", timeout=WAIT_MS)
    page.fill("#id_username", "duty")
    page.fill("#id_password", "demo")
    page.press("#id_password", "Enter")
    page.wait_for_selector("#transfer-form", timeout=WAIT_MS)
    assert page.get_attribute("#transfer-form .transfer-reason", "required") is not None
    assert page.text_content("#transfer-form button").strip() == "移交110"
    page.screenshot(path=str(SCREENSHOT.with_name("dispatch_transfer_form.png")), full_page=True)

    page.fill("#transfer-form .transfer-reason", "有人受伤，需民警到场处置")
    with page.expect_navigation(timeout=WAIT_MS):
        page.click("#transfer-form button")

    assert f"工单 {tracking_no}：移交110 已完成。" in page.text_content("#desk-messages")
    assert page.text_content("#ticket-status").strip() == "已关闭"
    assert page.locator("#transfer-form").count() == 0  # closed: nothing more to transfer
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    body = wait_for_transfer(receiver, tracking_no)
    assert receiver.refused == []  # signed with 110's own secret
    assert body["reason"] == "有人受伤，需民警到场处置"
    assert body["category"] == "社会治安"
    detail = page.request.get(f"/api/v1/incidents/{tracking_no}").json()
    assert detail["status"] == "closed"
    last = detail["timeline"][-1]
    assert (last["action"], last["actor"]) == ("transfer_to_police", "duty")
