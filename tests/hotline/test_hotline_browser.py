"""The operator console in a real browser (Debian's Chromium) against a real daphne: an operator
signs in, logs a call with the keyboard near an incident already open, sees it offered as a
duplicate and attaches the call to it with one key; a duty officer's page, open in another
browser context, receives the change over the WebSocket without reloading. A ringing call, a
Twilio voice webhook signed as Twilio signs it, pops up on the open consoles: the number (in full
for an operator, never the masked one for duty staff) and the caller's earlier reports.

Screenshots go to tests/artifacts/hotline/ (ignored by git) for a person to look at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import count
from pathlib import Path

import pytest
from playwright.sync_api import APIRequestContext, Browser, BrowserContext, Page, Playwright

from tests.command import test_events_client as events_client
from tests.conftest import CENTRAL_STREET
from tests.sms_fixtures import HOTLINE_NUMBER, PUBLIC, TOKEN, sign

# The demo server of the real-time browser test (daphne, embedded mode, DEBUG on, the demo city
# with password "demo"), with Twilio's token and the public base URL its webhooks are signed
# over; the browser comes from tests/conftest.py.
intake = events_client.intake
pytestmark = pytest.mark.browser

WAIT_MS = 15_000
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "hotline"
CALLER = "13800001111"


VOICE = "/integrations/twilio/voice/"
_call_sids = count(1)


@pytest.fixture(scope="module", autouse=True)
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[events_client.Server]:
    """The demo server, its environment carrying what the voice webhook checks signatures with
    (settings are read at start-up, in daphne's process)."""
    with events_client.demo_server(
        tmp_path_factory.mktemp("hotline-browser"),
        TWILIO_AUTH_TOKEN=TOKEN,
        CITYDESK_PUBLIC_BASE_URL=PUBLIC,
    ) as running:
        yield running


@pytest.fixture(scope="module")
def twilio_client(
    playwright: Playwright, server: events_client.Server
) -> Iterator[APIRequestContext]:
    """Twilio as the server sees it: no session, no API key, only the signature. The requests
    go to the loopback server; they are signed over the public URL a proxy would forward."""
    api = playwright.request.new_context(base_url=server.url)
    try:
        yield api
    finally:
        api.dispose()


def ring(twilio_client: APIRequestContext, caller: str) -> None:
    """A call from `caller` ringing at the hotline: Twilio's voice webhook, correctly signed."""
    params = {
        "CallSid": f"CA{next(_call_sids):032d}",
        "AccountSid": "AC" + "0" * 32,
        "From": caller,
        "To": HOTLINE_NUMBER,
        "CallStatus": "ringing",
        "Direction": "inbound",
    }
    answer = twilio_client.post(
        VOICE, form=params, headers={"X-Twilio-Signature": sign(PUBLIC + VOICE, params)}
    )
    assert answer.status == 200, answer.status  # TwiML; a bad signature would be 403
    assert "<Response>" in answer.text()


def signed_in(browser: Browser, server: events_client.Server, username: str) -> BrowserContext:
    """A browser of someone in China, signed in on the sign-in page."""
    context = browser.new_context(
        base_url=server.url, locale="zh-CN", viewport={"width": 1400, "height": 1000}
    )
    page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "demo")
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#signed-in", timeout=WAIT_MS)
    page.close()
    return context


@pytest.fixture
def operator(browser: Browser, server: events_client.Server) -> Iterator[BrowserContext]:
    context = signed_in(browser, server, "operator")
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def duty(browser: Browser, server: events_client.Server) -> Iterator[BrowserContext]:
    context = signed_in(browser, server, "duty")
    try:
        yield context
    finally:
        context.close()


def reported(intake: APIRequestContext, external_id: str, text: str, phone: str = "") -> str:
    """An incident opened through the API (as a feed would), at 中央大街; its tracking number."""
    answer = intake.post(
        "/api/v1/reports",
        data={
            "source": "web",
            "external_id": external_id,
            "text": text,
            "location": {"lat": CENTRAL_STREET[0], "lon": CENTRAL_STREET[1], "datum": "wgs84"},
            "reporter": {"phone": phone},
        },
    )
    assert answer.status == 201, answer.text()
    return answer.json()["incident"]["tracking_no"]


def open_console(context: BrowserContext) -> Page:
    page = context.new_page()
    page.goto("/hotline/")
    page.wait_for_selector('#live[data-status="live"]', timeout=WAIT_MS)
    page.wait_for_function(
        "document.querySelectorAll('#map .districts path').length === 18", timeout=WAIT_MS
    )
    return page


def pick_on_the_map(page: Page, lat: float, lon: float) -> None:
    """Click the place, zoom in around it with the keyboard, click it again, closer."""
    for zoom_ins in (0, 5):
        for _ in range(zoom_ins):
            page.keyboard.press("+")
        spot = page.evaluate(f"window.__hotline.map.toScreen({lat}, {lon})")
        page.mouse.click(spot["x"], spot["y"])


def test_an_operator_attaches_a_call_to_the_duplicate_offered_and_duty_sees_it_live(
    operator: BrowserContext, duty: BrowserContext, intake: APIRequestContext
):
    existing = reported(intake, "hotline-browser-1", "中央大街与西十二道街交口自来水管爆裂", CALLER)
    probe = duty.new_page()
    probe.goto(events_client.PROBE)
    events_client.wait_for_status(probe, "live")
    probe.evaluate("window.__notReloaded = true")
    page = open_console(operator)

    # The form has the focus on the number; the caller's history follows it.
    assert page.evaluate("document.activeElement.id") == "phone"
    page.keyboard.type(CALLER)
    page.wait_for_selector(f'#history a:text-is("{existing}")', timeout=WAIT_MS)
    page.keyboard.press("Tab")  # the name: left empty
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "text"
    page.keyboard.press("Alt+1")  # a common phrase, one key away
    page.keyboard.type("西十二道街口水管爆了，满街是水")
    assert page.input_value("#text") == "市民来电反映：西十二道街口水管爆了，满街是水"
    page.keyboard.press("Tab")
    page.keyboard.type("中央大街与西十二道街交口")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "map"
    pick_on_the_map(page, *CENTRAL_STREET)
    picked = page.text_content("#point")
    page.keyboard.press("Shift+ArrowRight")  # the point moves with the keys, too
    assert page.text_content("#point") != picked
    page.keyboard.press("Shift+ArrowLeft")
    assert page.text_content("#point") == picked

    # The duplicate is offered with its score, distance and age; the category follows the text.
    offered = page.wait_for_selector(
        f'#duplicates li[data-tracking-no="{existing}"]', timeout=WAIT_MS
    )
    assert re.search(r"相似度 0\.\d\d · \d+米 · \d+分钟前", offered.text_content())
    assert page.input_value("#category") == "water_supply"
    page.screenshot(path=str(ARTIFACTS / "console_duplicate_offered.png"), full_page=True)
    seq_before = probe.evaluate("window.__citydeskEvents.lastSeq")

    page.keyboard.press("Alt+Shift+1")  # attach to the first duplicate, and save

    page.wait_for_selector("#receipt:not([hidden])", timeout=WAIT_MS)
    assert page.text_content("#receipt-no") == existing
    assert page.get_attribute("#receipt", "data-outcome") == "attached"
    assert page.text_content("#form-error") == ""
    assert page.evaluate("document.activeElement.id") == "next-call"
    page.screenshot(path=str(ARTIFACTS / "console_attached.png"), full_page=True)
    # The duty officer's page hears of it over its socket, without reloading.
    probe.wait_for_function(
        f"""[...document.querySelectorAll('#events li')].some(li =>
            Number(li.dataset.seq) > {seq_before}
            && li.textContent === 'incident.merged {existing}')""",
        timeout=WAIT_MS,
    )
    assert probe.evaluate("window.__notReloaded") is True
    probe.screenshot(path=str(ARTIFACTS / "duty_probe_sees_the_attach.png"), full_page=True)
    incident = page.request.get(f"/api/v1/incidents/{existing}").json()
    assert [r["source"] for r in incident["reports"]] == ["web", "hotline"]
    # The saved call is in the operator's recent calls, and Esc starts the next call.
    page.wait_for_selector(f'#recent a:text-is("{existing}")', timeout=WAIT_MS)
    page.keyboard.press("Escape")
    page.wait_for_selector("#receipt", state="hidden", timeout=WAIT_MS)
    assert page.evaluate("document.activeElement.id") == "phone"
    assert page.input_value("#text") == ""


def test_a_new_call_saved_with_ctrl_enter_shows_its_tracking_number_large(
    operator: BrowserContext,
):
    page = open_console(operator)
    page.keyboard.type("13900002222")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.type("松花江街与果戈里大街交口路灯不亮，晚上黑灯瞎火")

    page.keyboard.press("Control+Enter")

    page.wait_for_selector("#receipt:not([hidden])", timeout=WAIT_MS)
    number = page.text_content("#receipt-no")
    assert re.fullmatch(r"\d{8}-\d{4}", number)
    assert page.get_attribute("#receipt", "data-outcome") == "created"
    assert page.text_content("#form-error") == ""
    size = page.eval_on_selector("#receipt-no", "e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 40
    page.screenshot(path=str(ARTIFACTS / "console_new_call.png"), full_page=True)


def test_bad_input_shows_a_message_on_the_page_and_nothing_is_saved(operator: BrowserContext):
    page = open_console(operator)
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.type("没有号码的来电")

    page.keyboard.press("Control+Enter")

    page.wait_for_selector(
        '.field-error[data-for="phone"]:has-text("请填写来电号码")', timeout=WAIT_MS
    )
    assert page.text_content("#form-error") == "来电登记有误，请检查标出的项目。"
    assert page.is_hidden("#receipt")
    page.screenshot(path=str(ARTIFACTS / "console_bad_input.png"), full_page=True)


def test_unit_staff_are_refused_the_console(browser: Browser, server: events_client.Server):
    context = signed_in(browser, server, "daoli")
    try:
        page = context.new_page()
        answer = page.goto("/hotline/")
        assert answer.status == 403
        assert "话务台只对话务员、值班人员和管理员开放" in page.text_content("#refused")
    finally:
        context.close()


def test_an_incoming_call_fills_the_number_in(
    operator: BrowserContext, intake: APIRequestContext, twilio_client: APIRequestContext
):
    """The screen pop end to end: Twilio's signed webhook records the call, the relay announces
    its id on `hotline`, the open console reads GET /hotline/calls/<id>/ and fills the form."""
    number = "13700003333"
    earlier = reported(intake, "hotline-screen-pop-1", "中央大街路灯不亮，晚上很黑", number)
    page = open_console(operator)
    page.evaluate("window.__notReloaded = true")
    assert page.input_value("#phone") == ""

    ring(twilio_client, f"+86{number}")

    page.wait_for_function("document.getElementById('phone').value !== ''", timeout=WAIT_MS)
    assert page.input_value("#phone") == f"+86{number}"  # as the call JSON gives it, in full
    page.wait_for_selector(f'#history a:text-is("{earlier}")', timeout=WAIT_MS)
    assert page.evaluate("document.activeElement.id") == "text"
    call_id = page.input_value("#call_id")
    assert call_id.isdigit()
    call = page.request.get(f"/hotline/calls/{call_id}/").json()
    assert call["caller"] == f"+86{number}"
    assert [h["tracking_no"] for h in call["history"]] == [earlier]
    assert page.is_hidden("#incoming")
    assert page.evaluate("window.__notReloaded") is True
    page.screenshot(path=str(ARTIFACTS / "console_screen_pop.png"), full_page=True)

    # The call is taken: what the operator types is saved against it, with the number filled in.
    page.keyboard.type("西十二道街路灯又不亮了")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#receipt:not([hidden])", timeout=WAIT_MS)
    assert page.text_content("#form-error") == ""


def test_a_duty_officers_console_gets_the_history_but_not_the_masked_number(
    duty: BrowserContext, intake: APIRequestContext, twilio_client: APIRequestContext
):
    """Duty staff may not read citizens' numbers: the call JSON masks it, and the console shows
    the masked number in the notice, never in the phone field (it would be saved as the number)."""
    number = "13600006666"
    earlier = reported(intake, "hotline-screen-pop-2", "中央大街井盖松动，车过有响声", number)
    page = open_console(duty)
    page.evaluate("window.__notReloaded = true")

    ring(twilio_client, f"+86{number}")

    # The call is taken (its id and the caller's reports, shown together with the number's
    # decision); the masked number is not in the field, only in the notice.
    page.wait_for_selector(f'#history a:text-is("{earlier}")', timeout=WAIT_MS)
    call_id = page.input_value("#call_id")
    assert call_id.isdigit()
    assert page.input_value("#phone") == ""
    notice = page.wait_for_selector("#incoming:not([hidden])", timeout=WAIT_MS)
    assert "136****6666" in notice.text_content()
    assert number not in notice.text_content()
    assert notice.get_attribute("data-call-id") == call_id
    assert notice.get_attribute("data-number") == "masked"
    assert page.request.get(f"/hotline/calls/{call_id}/").json()["caller"] == "136****6666"
    assert page.evaluate("document.activeElement.id") == "phone"  # to type what the caller says
    assert page.evaluate("window.__notReloaded") is True
    page.screenshot(path=str(ARTIFACTS / "duty_screen_pop_masked.png"), full_page=True)


def test_a_call_ringing_mid_call_is_offered_and_the_draft_kept(
    operator: BrowserContext, intake: APIRequestContext, twilio_client: APIRequestContext
):
    number = "13400004444"
    earlier = reported(intake, "hotline-screen-pop-busy", "中央大街垃圾无人清运", number)
    page = open_console(operator)
    page.keyboard.type("13900007777")  # the call the operator is on
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.type("松花江街路灯不亮")

    ring(twilio_client, f"+86{number}")

    notice = page.wait_for_selector("#incoming:not([hidden])", timeout=WAIT_MS)
    assert f"+86{number}" in notice.text_content()
    assert notice.get_attribute("data-number") == "full"
    assert page.input_value("#phone") == "13900007777"  # the draft is left alone
    assert page.input_value("#text") == "松花江街路灯不亮"
    assert page.input_value("#call_id") == ""
    page.screenshot(path=str(ARTIFACTS / "console_call_offered_mid_call.png"), full_page=True)

    page.click("#incoming button")

    page.wait_for_selector(f'#history a:text-is("{earlier}")', timeout=WAIT_MS)
    assert page.input_value("#phone") == f"+86{number}"
    assert page.input_value("#text") == ""
    assert page.input_value("#call_id") == notice.get_attribute("data-call-id")
    assert page.evaluate("document.activeElement.id") == "text"
    assert page.is_hidden("#incoming")


def call_seq(page: Page, after: int) -> int:
    """The seq of the first `call.incoming` after `after`, once the relay has numbered it, as the
    events API gives it to the signed-in page."""
    found: list[int] = []

    def numbered() -> bool:
        answer = page.request.get("/api/v1/events", params={"after": after, "stream": "hotline"})
        assert answer.status == 200, answer.text()
        found.extend(e["seq"] for e in answer.json()["events"] if e["type"] == "call.incoming")
        return bool(found)

    events_client.wait_for(page, numbered, "the relay to number the call's event")
    return found[0]


def test_a_call_whose_frame_was_lost_pops_up_from_the_resync(
    operator: BrowserContext, intake: APIRequestContext, twilio_client: APIRequestContext
):
    """The console follows `all` and `hotline` on one socket with one seq order: a lost
    `call.incoming` frame is read back from the events API with the incidents' events."""
    number = "13500005555"
    gate = events_client.Gate()
    page = operator.new_page()
    page.route_web_socket("**/ws/events/", gate.route)
    page.goto("/hotline/")
    page.wait_for_selector('#live[data-status="live"]', timeout=WAIT_MS)
    assert page.evaluate("window.__citydeskEvents.granted") == ["all", "hotline"]

    start = events_client.first_seq(page)
    gate.losing = True
    ring(twilio_client, f"+86{number}")
    seq = call_seq(page, start)
    events_client.wait_for(page, lambda: seq in gate.lost, "the gate to lose the call's frame")
    gate.losing = False
    assert page.input_value("#phone") == ""
    reported(intake, "hotline-screen-pop-resync", "哈尔滨站门前路面塌陷")  # a frame after the gap

    page.wait_for_function("document.getElementById('phone').value !== ''", timeout=WAIT_MS)
    assert page.input_value("#phone") == f"+86{number}"
    assert page.evaluate("document.activeElement.id") == "text"


def test_an_incident_reported_nearby_meanwhile_is_offered_without_typing(
    operator: BrowserContext, intake: APIRequestContext
):
    harbin_station = (45.7607, 126.6316)
    page = open_console(operator)
    page.keyboard.type("13900004444")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.type("哈尔滨站门前井盖丢了，很危险")
    page.focus("#map")
    pick_on_the_map(page, *harbin_station)
    page.wait_for_selector(
        "#duplicates-empty:has-text('附近没有相似的未办结事件')", timeout=WAIT_MS
    )

    answer = intake.post(
        "/api/v1/reports",
        data={
            "source": "web",
            "external_id": "hotline-browser-meanwhile",
            "text": "哈尔滨站门前井盖丢失",
            "location": {"lat": harbin_station[0], "lon": harbin_station[1], "datum": "wgs84"},
        },
    )
    assert answer.status == 201, answer.text()
    meanwhile = answer.json()["incident"]["tracking_no"]

    page.wait_for_selector(f'#duplicates li[data-tracking-no="{meanwhile}"]', timeout=WAIT_MS)
