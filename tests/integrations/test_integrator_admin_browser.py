"""The administrator's side of integrations in a real browser (Debian's Chromium) against a real
daphne, in Chinese: issue an API key (shown once) that then works, revoke it and it stops; find
a feed record that could not be taken, correct its JSON and replay it into an incident.
Screenshots go to /tmp for a person to look at."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import APIRequestContext, Browser, BrowserContext, Page, Playwright

from integrations.feeds import signing
from tests.command import test_events_client as events_client
from tests.servers import run_python

pytestmark = pytest.mark.browser

WAIT_MS = 15_000
SCREENSHOTS = Path("/tmp")
ADMIN, PASSWORD = "cityadmin", "admin-pass-for-the-browser-test"
# A 12319 case whose time is not a time: refused record by record, kept as a dead letter.
BAD_CASE = {
    "ajbh": "230102-2026-009001",
    "slsj": "昨天上午",
    "ajlx": "部件",
    "dl": "公用设施",
    "xl": "井盖",
    "x": 126.6166,
    "y": 45.7732,
    "wtms": "井盖缺失，行人易跌落",
    "wz": "道里区经纬街12号门前",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[events_client.Server]:
    var_dir = tmp_path_factory.mktemp("integrator-admin")
    with events_client.demo_server(var_dir) as running:
        code = (
            "from django.contrib.auth import get_user_model; "
            f"get_user_model().objects.create_superuser({ADMIN!r}, '', {PASSWORD!r})"
        )
        run_python("manage.py", "shell", "-c", code, env=running.env)
        running.env["FEED_SECRETS"] = (var_dir / "demo_feed_secrets.json").read_text()
        yield running


@pytest.fixture(scope="module")
def api(playwright: Playwright, server) -> Iterator[APIRequestContext]:
    context = playwright.request.new_context(base_url=server.url)
    try:
        yield context
    finally:
        context.dispose()


@pytest.fixture
def page(browser: Browser, server) -> Iterator[Page]:
    context: BrowserContext = browser.new_context(
        base_url=server.url, locale="zh-CN", viewport={"width": 1280, "height": 900}
    )
    errors: list[str] = []
    opened = context.new_page()
    opened.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        yield opened
        assert errors == []
    finally:
        context.close()


def sign_in(page: Page) -> None:
    page.goto("/accounts/login/?next=/admin/")
    page.fill("#id_username", ADMIN)
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url("**/admin/", timeout=WAIT_MS)
    assert page.get_attribute("html", "lang") == "zh-hans"
    assert page.text_content("#site-name").strip() == "城市运行指挥平台 · 管理后台"


def post_report(api: APIRequestContext, key: str, external_id: str):
    return api.post(
        "/api/v1/reports",
        headers={"Authorization": f"Bearer {key}"},
        data={"source": "web", "external_id": external_id, "text": "中央大街路灯不亮"},
    )


def test_an_administrator_issues_a_key_that_works_once_shown_and_revokes_it(page, api):
    sign_in(page)

    page.goto("/admin/command/apikey/add/")
    page.fill("#id_name", "区数字城管平台")
    page.fill("#id_new_holder", "district-12319")
    page.click("input[name=_save]")
    raw = page.text_content("#raw-key", timeout=WAIT_MS).strip()
    page.screenshot(path=str(SCREENSHOTS / "admin-key-issued.png"), full_page=True)

    assert "请立即复制" in page.content() or "只显示这一次" in page.content()
    assert post_report(api, raw, "admin-browser-1").status == 201
    page.goto("/admin/command/apikey/")
    assert raw not in page.content()  # only its prefix is listed, never the key

    page.click("tr:has-text('区数字城管平台') input[name=_selected_action]")
    page.select_option("select[name=action]", "revoke")
    page.click("button[name=index]")
    page.wait_for_selector("ul.messagelist li", timeout=WAIT_MS)

    assert post_report(api, raw, "admin-browser-2").status == 401


def push_bad_case(api: APIRequestContext, server) -> dict:
    secret = json.loads(server.env["FEED_SECRETS"])["hrb-12319"]
    body = json.dumps({"cases": [BAD_CASE]}, ensure_ascii=False).encode()
    answer = api.post(
        "/integrations/feeds/12319/",
        headers=signing.signed_headers("hrb-12319", secret, body),
        data=body,
    )
    assert answer.status == 200, answer.text()
    return answer.json()["results"][0]


def test_an_administrator_corrects_a_dead_letter_and_replays_it(page, api, server):
    refused = push_bad_case(api, server)
    assert refused["ok"] is False
    assert "slsj" in refused["error"]
    sign_in(page)

    page.goto(f"/admin/integrations/feeddeadletter/{refused['dead_letter']}/change/")
    assert "slsj" in page.text_content("#content-main")
    fixed = {**BAD_CASE, "slsj": "2026-12-05T08:31:12+08:00"}
    page.fill("#id_record", json.dumps(fixed, ensure_ascii=False))
    page.click("input[name=_save]")
    page.wait_for_selector("ul.messagelist li", timeout=WAIT_MS)

    page.click(
        f"tr:has-text('#{refused['dead_letter']}') input[name=_selected_action], "
        f"tr:has(a[href*='/{refused['dead_letter']}/']) input[name=_selected_action]"
    )
    page.select_option("select[name=action]", "replay_selected")
    page.click("button[name=index]")
    message = page.text_content("ul.messagelist li", timeout=WAIT_MS)
    page.screenshot(path=str(SCREENSHOTS / "admin-dead-letter-replayed.png"), full_page=True)

    assert "已受理 1 条" in message
    again = push_bad_case(api, server)  # the sender retries the old bad record: still refused
    assert again["ok"] is False
