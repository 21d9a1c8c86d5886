"""The browser's side of real time: command/static/citydesk/events.js on /realtime/probe/, in
Debian's Chromium, against a real daphne on a throwaway SQLite file: live frames, lost frames
and a lost connection, each ending with every event once, in seq order, as the database has them.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import (
    APIRequestContext,
    Browser,
    BrowserContext,
    Page,
    Playwright,
    WebSocketRoute,
)
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.servers import daphne

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
PROBE = "/realtime/probe/?streams=all"
SCREENSHOT = Path("/tmp/realtime_probe.png")
WAIT_MS = 15_000
# Reports far enough apart (and different enough) that none merges into another: each use of a
# place is shifted ~1 km north of the one before.
PLACES = [
    ("中央大街与西十二道街交口自来水管爆裂，水流满街", 45.7740, 126.6177),
    ("哈尔滨站门前路灯不亮", 45.7607, 126.6316),
    ("松花江铁路大桥下井盖丢失", 45.7780, 126.5950),
    ("哈尔滨工业大学正门前路面塌陷", 45.7470, 126.6300),
    ("太阳岛景区附近倒伏大树挡路", 45.7920, 126.5820),
    ("会展中心附近供暖不热", 45.7420, 126.6800),
    ("群力新区某小区燃气泄漏异味", 45.7240, 126.5500),
    ("哈西客站附近公交站牌损坏", 45.7090, 126.5950),
]


@dataclass
class Server:
    url: str
    api_key: str
    env: dict[str, str]  # the server's settings, for manage.py against its database


# --- the browser and the server ------------------------------------------------------------


def _manage(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"manage.py {' '.join(args)} failed:\n{done.stderr[-3000:]}"


@contextlib.contextmanager
def demo_server(var_dir: Path, **settings: str) -> Iterator[Server]:
    """A real daphne (embedded mode) on a free loopback port, with the demo city, its database
    and files in `var_dir`; `settings` are more environment variables for it (and for manage.py),
    e.g. the Twilio token a browser test signs its webhooks with."""
    skip = ("DATABASE_URL", "REDIS_URL", "CITYDESK_DEMO_API_KEY", "DJANGO_SETTINGS_MODULE")
    env = {k: v for k, v in os.environ.items() if k not in skip}
    env.update(
        DJANGO_SETTINGS_MODULE="citydesk.settings",
        DJANGO_DEBUG="1",  # the probe page and static files from the apps, as in `make demo`
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        CITYDESK_VAR_DIR=str(var_dir),
        CITYDESK_SQLITE=str(var_dir / "citydesk.sqlite3"),
        CITYDESK_RELAY_SWEEP_SECONDS="0.5",
        CITYDESK_DEMO_PASSWORD="demo",
        PYTHONUNBUFFERED="1",
    )
    env.update(settings)
    _manage(env, "migrate", "--noinput", "-v0")
    _manage(env, "setup_demo")
    api_key = (var_dir / "demo_api_key.txt").read_text().strip()

    with daphne(env, var_dir / "daphne.log") as port:
        yield Server(f"http://127.0.0.1:{port}", api_key, env)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A real daphne (embedded mode) on a free loopback port, with the demo city."""
    with demo_server(tmp_path_factory.mktemp("events-client")) as running:
        yield running


@pytest.fixture(scope="module")
def session_state(browser: Browser, server: Server) -> dict:
    """Log in once, as the duty officer, through the admin login page."""
    return logged_in(browser, server, "duty")


def logged_in(browser: Browser, server: Server, username: str) -> dict:
    context = browser.new_context(base_url=server.url)
    try:
        page = context.new_page()
        page.goto("/admin/login/?next=/admin/")
        page.fill("#id_username", username)
        page.fill("#id_password", "demo")
        page.click("input[type=submit]")
        page.wait_for_url("**/admin/", timeout=WAIT_MS)
        return context.storage_state()
    finally:
        context.close()


@pytest.fixture
def context(browser: Browser, server: Server, session_state: dict) -> Iterator[BrowserContext]:
    opened = browser.new_context(
        base_url=server.url,
        storage_state=session_state,
        locale="zh-CN",
        viewport={"width": 900, "height": 700},
    )
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture(scope="module")
def intake(playwright: Playwright, server: Server) -> Iterator[APIRequestContext]:
    """The API as an integrator sees it, with the demo intake key."""
    api = playwright.request.new_context(
        base_url=server.url, extra_http_headers={"Authorization": f"Bearer {server.api_key}"}
    )
    try:
        yield api
    finally:
        api.dispose()


# --- helpers ---------------------------------------------------------------------------------


@dataclass
class Gate:
    """Stands between the page and /ws/events/ (a Playwright WebSocket route): passes frames
    on, loses event frames while `losing`, and while `down` cuts and refuses connections."""

    losing: bool = False
    down: bool = False
    lost: list[int] = field(default_factory=list)
    refused: int = 0
    open: list[tuple[WebSocketRoute, WebSocketRoute]] = field(default_factory=list)

    def route(self, page_side: WebSocketRoute) -> None:
        if self.down:
            self.refused += 1
            page_side.close(code=4000, reason="test: network down")
            return
        server_side = page_side.connect_to_server()
        server_side.on_message(lambda message: self._pass(page_side, message))
        self.open.append((page_side, server_side))

    def _pass(self, page_side: WebSocketRoute, message: str | bytes) -> None:
        frame = json.loads(message)
        if self.losing and frame.get("type") not in ("subscribed", "error"):
            self.lost.extend(_seqs_in(frame))
            return
        page_side.send(message)

    def cut(self) -> None:
        self.down = True
        for page_side, server_side in self.open:
            page_side.close(code=4000, reason="test: network down")
            server_side.close()
        self.open.clear()


def _seqs_in(frame: dict) -> list[int]:
    if frame.get("type") == "batch":
        return [event["seq"] for event in frame["events"]]
    return [frame["seq"]]


def open_probe(context: BrowserContext, gate: Gate | None = None) -> Page:
    page = context.new_page()
    if gate is not None:
        page.route_web_socket("**/ws/events/", gate.route)
    page.goto(PROBE)
    wait_for_status(page, "live")
    return page


def wait_for_status(page: Page, status: str) -> None:
    page.wait_for_selector(f'#status[data-status="{status}"]', timeout=WAIT_MS)


def wait_for(page: Page, condition, what: str, timeout_s: float = WAIT_MS / 1000) -> None:
    """Wait for a condition the test process holds (the gate's counts), with a bound; the page's
    own clock passes meanwhile, and with it Playwright's routing."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        page.wait_for_timeout(20)


def first_seq(page: Page) -> int:
    """Where the page started: events after this seq are the page's to show."""
    return page.evaluate("window.__citydeskEvents.lastSeq")


_reports = itertools.count()


def submit(intake: APIRequestContext, count: int, label: str) -> list[str]:
    """Submit `count` reports through the API; returns their tracking numbers."""
    tracking = []
    for _ in range(count):
        n = next(_reports)
        text, lat, lon = PLACES[n % len(PLACES)]
        answer = intake.post(
            "/api/v1/reports",
            data={
                "source": "hotline",
                "external_id": f"browser-{label}-{n}",
                "text": text,
                "location": {"lat": lat + n // len(PLACES) * 0.01, "lon": lon, "datum": "wgs84"},
            },
        )
        assert answer.status == 201, answer.text()
        tracking.append(answer.json()["incident"]["tracking_no"])
    return tracking


def database_events(page: Page, after: int, tracking: list[str]) -> list[tuple[int, str]]:
    """Every event on `all` after `after`, from the API as the logged-in page may read it, once
    the relay has numbered the events of every incident in `tracking` (it may run after the
    report's answer; a report's events commit together, so one seen means all are there)."""
    deadline = time.monotonic() + WAIT_MS / 1000
    while True:
        events = _events_after(page, after)
        if set(tracking) <= {text.split()[1] for _, text in events}:
            return events
        if time.monotonic() > deadline:
            pytest.fail(f"the API never listed events of {tracking}: {events}")
        page.wait_for_timeout(20)


def _events_after(page: Page, after: int) -> list[tuple[int, str]]:
    events, more = [], True
    while more:
        answer = page.request.get("/api/v1/events", params={"after": after, "stream": "all"})
        assert answer.status == 200, answer.text()
        body = answer.json()
        events += [
            (e["seq"], f"{e['type']} {e['incident']['tracking_no']}") for e in body["events"]
        ]
        after, more = body["next_after"], body["more"]
    return events


def shown(page: Page) -> list[tuple[int, str]]:
    items = page.eval_on_selector_all(
        "#events li", "items => items.map(li => [Number(li.dataset.seq), li.textContent])"
    )
    return [(seq, text) for seq, text in items]


def wait_until_shown(page: Page, expected: list[tuple[int, str]]) -> None:
    """Wait until the page shows the last expected seq, then compare the whole list."""
    assert expected, "the reports made no events"
    # On a time-out the comparison below says what is missing or extra.
    with contextlib.suppress(PlaywrightTimeoutError):
        page.wait_for_function(
            "last => [...document.querySelectorAll('#events li')]"
            ".some(li => Number(li.dataset.seq) >= last)",
            arg=expected[-1][0],
            timeout=WAIT_MS,
        )
    assert shown(page) == expected


# --- the tests -------------------------------------------------------------------------------


def test_the_probe_shows_each_event_once_in_seq_order(context, intake):
    page = open_probe(context)
    start = first_seq(page)

    tracking = submit(intake, 3, "live")

    expected = database_events(page, start, tracking)
    wait_until_shown(page, expected)
    assert [seq for seq, _ in expected] == sorted({seq for seq, _ in expected})
    assert {text.split()[1] for _, text in expected} == set(tracking)
    assert page.text_content("#status") == "实时"
    assert page.evaluate("window.__citydeskEvents.lastSeq") == expected[-1][0]


def test_lost_frames_are_filled_from_the_database_without_duplicates(context, intake):
    gate = Gate()
    page = open_probe(context, gate)
    start = first_seq(page)

    gate.losing = True
    lost = submit(intake, 2, "lost")
    lost_seqs = [seq for seq, _ in database_events(page, start, lost)]
    wait_for(page, lambda: sorted(gate.lost) == lost_seqs, "the gate to lose every frame")
    assert shown(page) == []  # nothing reached the page
    gate.losing = False
    later = submit(intake, 1, "after")  # its frame's `prev` shows the page what it missed

    expected = database_events(page, start, lost + later)
    wait_until_shown(page, expected)
    assert {text.split()[1] for seq, text in expected if seq in lost_seqs} == set(lost)
    assert page.text_content("#status") == "实时"


def test_a_dropped_connection_reconnects_and_catches_up(context, intake):
    gate = Gate()
    page = open_probe(context, gate)
    start = first_seq(page)
    before = submit(intake, 1, "before")
    wait_until_shown(page, database_events(page, start, before))

    gate.cut()
    wait_for_status(page, "offline")
    missed = submit(intake, 2, "away")
    database_events(page, start, missed)  # relayed while the page was away
    wait_for(page, lambda: gate.refused >= 1, "a reconnect attempt while the network is down")
    assert page.get_attribute("#status", "data-status") in ("offline", "connecting")
    gate.down = False

    wait_for_status(page, "live")
    expected = database_events(page, start, before + missed)
    wait_until_shown(page, expected)
    assert {text.split()[1] for _, text in expected} == set(before + missed)
    page.screenshot(path=str(SCREENSHOT), full_page=True)


def test_a_page_whose_account_loses_its_role_stops_and_says_so(browser, server):
    # The duty leader, not the duty officer the other tests share a session of.
    context = browser.new_context(
        base_url=server.url, storage_state=logged_in(browser, server, "leader")
    )
    try:
        page = open_probe(context)
        _manage(
            server.env,
            "shell",
            "-c",
            "from command.models import StaffProfile; "
            "StaffProfile.objects.filter(user__username='leader').delete()",
        )
        # The server's periodic review closes the socket (4403); the page does not retry.
        wait_for_status(page, "forbidden")
        assert page.evaluate("window.__citydeskEvents._closed")
    finally:
        context.close()
