"""The handover page and the live view in a real browser (Debian's Chromium) against a real
daphne in the embedded mode, whose own duty thread scans every second: the outgoing officer
sees what is open and hot, writes the handover; the incoming officer confirms receipt; the
leader on duty sees a major incident's alert arrive live on the map's queue and acknowledges it.
Screenshots go to /tmp/duty_*.png for a person to look at.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.command.test_events_client import _manage
from tests.servers import daphne

pytestmark = pytest.mark.browser

WAIT_MS = 15_000
SCREENSHOTS = Path("/tmp")
# Two shifts of six hours around now (starting on the hour before), so no shift boundary falls
# inside the test: `duty` and `leader` on the first, `relief` and `leader` on the next.
ROSTER = """
from datetime import datetime, timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from command.models import Role, StaffProfile
from duty import roster
from duty.models import DutyContact, ShiftKind

users = get_user_model().objects
relief, _ = users.get_or_create(username="relief")
relief.set_password("demo")
relief.save()
StaffProfile.objects.update_or_create(user=relief, defaults={"role": Role.DUTY_OFFICER})
DutyContact.objects.update_or_create(user=users.get(username="leader"),
                                     defaults={"phone": "13900139000"})
start = timezone.localtime().replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
after = start + timedelta(hours=6)
first = ShiftKind.objects.create(code="a", name="甲班", start=start.time(), hours=6)
second = ShiftKind.objects.create(code="b", name="乙班", start=after.time(), hours=6)
leader = users.get(username="leader")
print("SHIFT", roster.set_shift(start.date(), first, leader, [users.get(username="duty")]).pk)
roster.set_shift(after.date(), second, leader, [relief])
"""


@dataclass
class Server:
    url: str
    api_key: str
    shift_id: int


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    var_dir = tmp_path_factory.mktemp("duty-browser")
    skip = ("DATABASE_URL", "REDIS_URL", "CITYDESK_DEMO_API_KEY", "DJANGO_SETTINGS_MODULE")
    env = {k: v for k, v in os.environ.items() if k not in skip}
    env.update(
        DJANGO_SETTINGS_MODULE="citydesk.settings",
        DJANGO_DEBUG="1",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        CITYDESK_VAR_DIR=str(var_dir),
        CITYDESK_SQLITE=str(var_dir / "citydesk.sqlite3"),
        CITYDESK_RELAY_SWEEP_SECONDS="0.5",
        CITYDESK_DUTY_SCAN_SECONDS="1",
        CITYDESK_DEMO_PASSWORD="demo",
        PYTHONUNBUFFERED="1",
    )
    _manage(env, "migrate", "--noinput", "-v0")
    _manage(env, "setup_demo")
    api_key = (var_dir / "demo_api_key.txt").read_text().strip()
    script = var_dir / "roster.py"
    script.write_text(ROSTER)
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script.read_text()],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    shift_id = int(done.stdout.split("SHIFT ")[1].split()[0])
    with daphne(env, var_dir / "daphne.log") as port:
        yield Server(f"http://127.0.0.1:{port}", api_key, shift_id)


@pytest.fixture
def browser_for(browser: Browser, server: Server) -> Iterator:
    opened: list[BrowserContext] = []

    def sign_in(username: str) -> Page:
        context = browser.new_context(
            base_url=server.url, locale="zh-CN", viewport={"width": 1200, "height": 900}
        )
        opened.append(context)
        page = context.new_page()
        page.goto("/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", "demo")
        page.click("#login-form button[type=submit]")
        page.wait_for_selector("#signed-in", timeout=WAIT_MS)
        return page

    yield sign_in
    for context in opened:
        context.close()


def report_gas_leak(
    page: Page, server: Server, external_id: str, text: str, lat: float, lon: float
) -> str:
    answer = page.request.post(
        "/api/v1/reports",
        headers={"Authorization": f"Bearer {server.api_key}"},
        data={
            "source": "hotline",
            "external_id": external_id,
            "text": text,
            "location": {"lat": lat, "lon": lon, "datum": "wgs84"},
        },
    )
    assert answer.status == 201, answer.text()
    incident = answer.json()["incident"]
    assert incident["priority"] == "major"
    return incident["tracking_no"]


def test_the_outgoing_officer_hands_over_and_the_next_one_confirms(browser_for, server):
    outgoing = browser_for("duty")
    tracking_no = report_gas_leak(
        outgoing,
        server,
        "duty-handover",
        "中央大街西十二道街燃气泄漏，居民已疏散",
        45.774,
        126.6177,
    )

    outgoing.goto("/duty/handover/")
    outgoing.wait_for_selector("#write-handover", timeout=WAIT_MS)
    assert "甲班" in outgoing.text_content("#shift")
    assert "乙班" in outgoing.text_content("#following")
    assert tracking_no in outgoing.text_content("#hot-major")
    outgoing.fill("#write-handover textarea[name=note]", "燃气泄漏现场仍在处置，请乙班跟进。")
    outgoing.screenshot(path=str(SCREENSHOTS / "duty_handover_written.png"), full_page=True)
    outgoing.click("#write-handover button[type=submit]")
    outgoing.wait_for_selector("#handover-note", timeout=WAIT_MS)
    assert "交班记录已提交" in outgoing.text_content("#messages")
    assert "请乙班跟进" in outgoing.text_content("#handover-note")
    assert outgoing.locator("#waiting").count() == 1

    incoming = browser_for("relief")
    incoming.goto(f"/duty/handover/?shift={server.shift_id}")
    incoming.click("#receive button[type=submit]")
    incoming.wait_for_selector("#handover-received", timeout=WAIT_MS)
    assert "relief" in incoming.text_content("#handover-received")
    assert "已确认接班" in incoming.text_content("#messages")
    incoming.screenshot(path=str(SCREENSHOTS / "duty_handover_received.png"), full_page=True)

    incoming.goto("/duty/log/")
    log = incoming.text_content("#log")
    assert "duty 交班" in log
    assert "relief 接班" in log


def test_the_leader_sees_the_alert_arrive_live_and_acknowledges_it(browser_for, server):
    leader = browser_for("leader")
    leader.goto("/duty/")
    leader.wait_for_selector('#status[data-status="live"]', timeout=WAIT_MS)
    assert leader.locator("#districts path").count() == 18
    before = leader.locator("#alerts li").count()

    tracking_no = report_gas_leak(
        leader, server, "duty-live", "哈尔滨站南广场地下燃气管道泄漏", 45.7607, 126.6316
    )

    alert = leader.locator("#alerts li", has_text=tracking_no)
    alert.wait_for(timeout=WAIT_MS)
    assert leader.locator("#alerts li").count() == before + 1
    assert leader.locator("#markers circle.alert").count() >= 1
    leader.screenshot(path=str(SCREENSHOTS / "duty_live_alarm.png"), full_page=True)

    alert.locator("button").click()
    leader.wait_for_selector("#messages", timeout=WAIT_MS)
    assert "告警已确认" in leader.text_content("#messages")
    leader.wait_for_selector('#status[data-status="live"]', timeout=WAIT_MS)
    assert leader.locator("#alerts li", has_text=tracking_no).count() == 0
    leader.screenshot(path=str(SCREENSHOTS / "duty_live_acknowledged.png"), full_page=True)

    timeline = leader.request.get(f"/api/v1/incidents/{tracking_no}").json()["timeline"]
    acknowledged = [e for e in timeline if e["action"] == "alert_acknowledged"]
    assert len(acknowledged) == 1
