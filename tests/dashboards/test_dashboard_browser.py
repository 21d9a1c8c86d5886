"""The dashboards in a real browser (Debian's Chromium) against a real daphne: duty staff sign
in, open the city dashboard, a report comes in through the intake API, and the map and the
counters change without a reload; the wall layout at 1920×1080; a dropped socket catches up.

Full-page screenshots go to ARTIFACTS (CITYDESK_ARTIFACTS, default
/tmp/citydesk-artifacts/dashboards) for a person to look at.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.command import test_events_client as events_client

server = events_client.server
intake = events_client.intake
pytestmark = pytest.mark.browser

ARTIFACTS = Path(os.environ.get("CITYDESK_ARTIFACTS", "/tmp/citydesk-artifacts")) / "dashboards"
WAIT_MS = 15_000


@pytest.fixture(scope="module")
def duty_state(browser: Browser, server: events_client.Server) -> dict:
    """Duty staff signed in once, through the sign-in page every role uses."""
    context = browser.new_context(base_url=server.url)
    try:
        page = context.new_page()
        page.goto("/accounts/login/?next=/")
        page.fill("#id_username", "duty")
        page.fill("#id_password", "demo")
        page.click("#login-form button[type=submit]")
        page.wait_for_selector("#signed-in", timeout=WAIT_MS)
        return context.storage_state()
    finally:
        context.close()


@pytest.fixture
def context(browser: Browser, server, duty_state) -> Iterator[BrowserContext]:
    opened = browser.new_context(
        base_url=server.url,
        storage_state=duty_state,
        locale="zh-CN",
        viewport={"width": 1600, "height": 1000},
    )
    try:
        yield opened
    finally:
        opened.close()


class Console:
    """Errors the page reports (console.error, uncaught exceptions, failed requests)."""

    def __init__(self, page: Page) -> None:
        self.errors: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        page.on(
            "response",
            lambda r: r.status >= 400 and self.errors.append(f"{r.status} {r.url}"),
        )
        page.on("requestfailed", lambda r: self.errors.append(f"failed: {r.url}"))


def open_dashboard(page: Page, path: str) -> Console:
    console = Console(page)
    page.goto(path)
    page.wait_for_selector('#live-status[data-status="live"]', timeout=WAIT_MS)
    page.wait_for_function("() => window.__citydeskLive !== undefined", timeout=WAIT_MS)
    page.wait_for_function(
        "() => /^[0-9,]+$/.test(document.getElementById('n-open')?.textContent || '')",
        timeout=WAIT_MS,
    )
    page.wait_for_function(f"() => {MAP_DATA} !== null && {POINTS_DRAWN}", timeout=WAIT_MS)
    return console


# The map's district traces as plotly holds them in the page (null until drawn).
MAP_DATA = "(document.querySelector('#map .js-plotly-plot') || {}).data || null"
# The points layer (static/dashboards/map_points.js) has drawn what it holds.
POINTS_DRAWN = "(window.citydeskMap && window.citydeskMap.drawn() === window.citydeskMap.count())"


def open_count(page: Page) -> int:
    return int(page.text_content("#n-open").replace(",", ""))


def district_open(page: Page, code: str) -> int:
    return page.evaluate(
        f"""() => ({MAP_DATA} || []).filter(t => t.meta && t.meta.district === {code!r})
            .map(t => t.meta.open)[0]"""
    )


def wait_for_open_count(page: Page, count: int, tracking: list[str]) -> None:
    page.wait_for_function(
        f"""([count, tracking]) => {{
            const text = document.getElementById('n-open').textContent.replace(/,/g, '');
            return Number(text) === count && tracking.every(no => window.citydeskMap.has(no))
                && {POINTS_DRAWN};
        }}""",
        arg=[count, tracking],
        timeout=WAIT_MS,
    )


def click_point(page: Page, tracking_no: str) -> None:
    """Click the incident's point on the map where the points layer drew it."""
    x, y = page.evaluate("(no) => window.citydeskMap.position(no)", tracking_no)
    page.mouse.click(x, y)


def drawn_colour(page: Page, tracking_no: str) -> list[int]:
    """The pixel at the centre of the incident's point on the points layer (RGBA)."""
    return page.evaluate(
        """(no) => {
            const [x, y] = window.citydeskMap.position(no);
            const canvas = document.querySelector('#map canvas.points-layer');
            const box = canvas.getBoundingClientRect();
            const ratio = canvas.width / box.width;
            const pixel = canvas.getContext('2d').getImageData(
                Math.round((x - box.left) * ratio), Math.round((y - box.top) * ratio), 1, 1);
            return Array.from(pixel.data);
        }""",
        tracking_no,
    )


def test_a_report_appears_on_the_open_dashboard_without_a_reload(context, intake):
    page = context.new_page()
    console = open_dashboard(page, "/dashboards/city/")
    page.evaluate("window.__notReloaded = true")
    before = open_count(page)
    daoli_before = district_open(page, "230102")
    assert page.get_attribute("html", "lang") == "zh-hans"
    assert page.text_content("#dashboard-title") == "全市事件态势"

    tracking = events_client.submit(intake, 1, "dashboard")  # 中央大街, 道里区 230102

    wait_for_open_count(page, before + 1, tracking)
    page.wait_for_function(
        f"() => ({MAP_DATA}).find(t => t.meta && t.meta.district === '230102').meta.open"
        f" === {daoli_before + 1}",
        timeout=WAIT_MS,
    )
    assert page.evaluate("window.__notReloaded") is True
    # Drawn in the colour of its state: intake dispatched it to the water company (已派单).
    assert drawn_colour(page, tracking[0])[:3] == [0x2F, 0x7D, 0xE1]
    assert "已派单（" in page.text_content("#map-legend")
    flushes = page.evaluate("window.__citydeskLive.flushes")
    assert flushes >= 1  # the store was bumped by the live client, not by a reload

    click_point(page, tracking[0])
    page.wait_for_selector("#detail-tracking-no", timeout=WAIT_MS)
    assert page.text_content("#detail-tracking-no") == tracking[0]
    assert page.locator("#incident-detail .timeline li").count() >= 1

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "desktop.png"), full_page=True)
    assert console.errors == []


def test_the_wall_fills_a_1920_by_1080_screen_in_dark_with_large_numbers(
    browser, server, duty_state, intake
):
    context = browser.new_context(
        base_url=server.url,
        storage_state=duty_state,
        locale="zh-CN",
        viewport={"width": 1920, "height": 1080},
    )
    try:
        page = context.new_page()
        console = open_dashboard(page, "/dashboards/wall/")
        before = open_count(page)
        tracking = events_client.submit(intake, 1, "wall")
        wait_for_open_count(page, before + 1, tracking)

        background = page.eval_on_selector("body", "e => getComputedStyle(e).backgroundColor")
        assert background == "rgb(13, 21, 32)"
        size = page.eval_on_selector("#n-open", "e => parseFloat(getComputedStyle(e).fontSize)")
        assert size >= 64
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "wall.png"), full_page=True)
        # One screen: nothing to scroll to, across or down.
        assert page.evaluate("document.documentElement.scrollWidth") <= 1920
        assert page.evaluate("document.documentElement.scrollHeight") <= 1080
        assert console.errors == []
    finally:
        context.close()


# The wall's tiles: what must be seen whole from across the room.
WALL_TILES = [
    "#dashboard-title",
    *[f".counters .counter:nth-child({n})" for n in range(1, 7)],
    "#map",
    "#map canvas.points-layer",
    "#by-source",
    "#by-hour",
    "#top-categories",
    ".tables section:nth-child(1)",
    ".tables section:nth-child(2)",
]


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (1920, 1080)])
def test_the_wall_shows_every_tile_whole_on_a_smaller_or_full_hd_screen(
    browser, server, duty_state, width, height
):
    context = browser.new_context(
        base_url=server.url,
        storage_state=duty_state,
        locale="zh-CN",
        viewport={"width": width, "height": height},
    )
    try:
        page = context.new_page()
        console = open_dashboard(page, "/dashboards/wall/")
        page.wait_for_function(
            "() => document.querySelectorAll('#by-source .bar').length > 0", timeout=WAIT_MS
        )
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"wall-{width}x{height}.png"))
        boxes = page.evaluate(
            """(selectors) => selectors.map(s => {
                const e = document.querySelector(s);
                if (!e) return [s, null];
                const r = e.getBoundingClientRect();
                return [s, [r.left, r.top, r.right, r.bottom]];
            })""",
            WALL_TILES,
        )
        for selector, box in boxes:
            assert box is not None, selector
            left, top, right, bottom = box
            assert right - left > 0, selector
            assert bottom - top > 0, selector
            # Inside the viewport, half a pixel allowed for the scale's rounding.
            assert left >= -0.5, (selector, box)
            assert top >= -0.5, (selector, box)
            assert right <= width + 0.5, (selector, box)
            assert bottom <= height + 0.5, (selector, box)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert page.evaluate("document.documentElement.scrollHeight") <= height
        assert console.errors == []
    finally:
        context.close()


def test_after_a_dropped_connection_the_dashboard_catches_up(context, intake):
    gate = events_client.Gate()
    page = context.new_page()
    page.route_web_socket("**/ws/events/", gate.route)
    console = open_dashboard(page, "/dashboards/city/")
    before = open_count(page)

    gate.cut()
    page.wait_for_selector('#live-status[data-status="offline"]', timeout=WAIT_MS)
    missed = events_client.submit(intake, 2, "dashboard-away")
    events_client.wait_for(page, lambda: gate.refused >= 1, "a reconnect while the network is down")
    assert open_count(page) == before  # nothing reached the page meanwhile
    gate.down = False

    wait_for_open_count(page, before + 2, missed)
    assert page.get_attribute("#live-status", "data-status") == "live"
    # The socket's drop shows as a failed WebSocket in the console: not the page's error.
    assert [e for e in console.errors if "ws/events" not in e] == []


def test_a_burst_of_events_makes_one_refresh_per_coalesced_frame(context):
    page = context.new_page()
    open_dashboard(page, "/dashboards/city/")
    # No real events from here on (other tests' reports may still be relayed), and nothing of
    # the page's own in flight: the hundred below are all there is.
    page.evaluate("window.__citydeskLive.stream.close()")
    page.wait_for_function("window.__citydeskLive.idle()")
    before = page.evaluate("window.__citydeskLive.flushes")

    # 100 events handed to the live client in one task, as events.js hands on a batch frame.
    page.evaluate(
        """() => {
            const live = window.__citydeskLive;
            const seq = live.stream.lastSeq;
            for (let i = 1; i <= 100; i++) live.stream.onEvent({seq: seq + i, type: "test"});
        }"""
    )

    # Settled: the round of callbacks the bump started is over, every event counted.
    page.wait_for_function(
        "(before) => window.__citydeskLive.flushes > before && window.__citydeskLive.idle()",
        arg=before,
    )
    live = page.evaluate("[window.__citydeskLive.flushes, window.__citydeskLive.events]")
    assert live[0] == before + 1  # one store bump for the hundred
    assert live[1] >= 100
