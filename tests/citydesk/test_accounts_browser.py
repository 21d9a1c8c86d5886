"""Signing in and out in a real browser (Debian's Chromium) against a real daphne: an operator
and a unit's staff type their name and password, see their home page in Chinese, sign out.
Screenshots go to /tmp for a person to look at (the Chinese must render, not as boxes).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.command import test_events_client as events_client

# The demo server of the real-time browser test (daphne, embedded mode, DEBUG on, the demo city
# with password "demo"); the browser comes from tests/conftest.py.
server = events_client.server
pytestmark = pytest.mark.browser

WAIT_MS = 15_000
SCREENSHOTS = Path("/tmp")


@pytest.fixture
def context(browser: Browser, server: events_client.Server) -> Iterator[BrowserContext]:
    """A fresh browser of someone in China: no session, Chinese preferred."""
    opened = browser.new_context(
        base_url=server.url, locale="zh-CN", viewport={"width": 1000, "height": 760}
    )
    try:
        yield opened
    finally:
        opened.close()


def sign_in_with_the_keyboard(page: Page, username: str, password: str) -> None:
    """From the start page: the login form has the focus on the name; type, Tab, type, Enter."""
    page.goto("/")
    page.wait_for_url("**/accounts/login/?next=/", timeout=WAIT_MS)
    assert page.evaluate("document.activeElement.id") == "id_username"
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    page.wait_for_selector("#signed-in", timeout=WAIT_MS)


def sign_out(page: Page) -> None:
    page.click("#sign-out")
    page.wait_for_url("**/accounts/logout/", timeout=WAIT_MS)
    assert page.text_content("h1") == "已退出登录"
    page.goto("/")
    page.wait_for_url("**/accounts/login/?next=/", timeout=WAIT_MS)


LIVE = ["实时事件探针", "接口文档（OpenAPI）"]


@pytest.mark.parametrize(
    ("username", "expected_header", "coming", "live"),
    [
        ("operator", "operator · 话务员", [], ["话务台", "当前值班", "大屏", *LIVE]),
        (
            "daoli",
            "daoli · 承办单位人员 · 道里区人民政府",
            [],
            ["单位工作台", "本单位大屏", "办理绩效", *LIVE],
        ),
    ],
)
def test_a_user_signs_in_sees_their_home_in_chinese_and_signs_out(
    context: BrowserContext, username: str, expected_header: str, coming: list, live: list
):
    page = context.new_page()

    sign_in_with_the_keyboard(page, username, "demo")

    assert page.url.endswith("/")
    assert page.get_attribute("html", "lang") == "zh-hans"
    assert " ".join(page.text_content("#signed-in").split()) == expected_header
    assert page.eval_on_selector_all("#live-parts a", "a => a.map(e => e.textContent)") == live
    assert [
        name.strip() for name in page.locator("#coming-parts .name").all_text_contents()
    ] == coming
    # The stylesheet is served (a static file, no CDN): the header has its dark background.
    background = page.eval_on_selector(".site-header", "e => getComputedStyle(e).backgroundColor")
    assert background == "rgb(29, 39, 51)"
    page.screenshot(path=str(SCREENSHOTS / f"accounts_home_{username}.png"), full_page=True)

    # The real-time probe follows the streams this role may read.
    page.click('#live-parts a[href^="/realtime/probe/"]')
    page.wait_for_selector('#status[data-status="live"]', timeout=WAIT_MS)
    page.go_back()
    page.wait_for_selector("#sign-out", timeout=WAIT_MS)

    sign_out(page)
    page.screenshot(path=str(SCREENSHOTS / f"accounts_signed_out_{username}.png"))


def test_a_wrong_password_shows_the_message_in_chinese(context: BrowserContext):
    page = context.new_page()
    page.goto("/accounts/login/")

    page.fill("#id_username", "water")
    page.fill("#id_password", "not-the-password")
    page.click("#login-form button[type=submit]")

    page.wait_for_selector(".errorlist", timeout=WAIT_MS)
    assert "请输入一个正确的用户名和密码" in page.text_content(".errorlist")
    assert page.locator("#signed-in").count() == 0
    page.screenshot(path=str(SCREENSHOTS / "accounts_wrong_password.png"))
