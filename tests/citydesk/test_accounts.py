"""Sign-in for every role: the login form, each role's home page, sign-out, password change,
throttled failures (django-axes), and the pages in Chinese first, English when asked."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import AsyncClient, Client
from django.utils import translation

from command.realtime.socket_auth import user_of

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
NEW_PASSWORD = "Songhua-river-ice-2026"
ANOTHER_ADDRESS = "10.20.30.40"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _language_restored() -> Iterator[None]:
    """A request's LocaleMiddleware leaves its language active in the test's thread: an English
    page here would turn later tests' lazy labels English."""
    before = translation.get_language()
    yield
    translation.activate(before)


def password() -> str:
    return settings.CITYDESK["DEMO_PASSWORD"]


def sign_in(client: Client, username: str, secret: str | None = None, **extra: str):
    """Post the login form as a browser would, following the redirect."""
    form = {"username": username, "password": secret or password(), "next": ""}
    return client.post("/accounts/login/", form, follow=True, **extra)


def signed_in_as(client: Client) -> str | None:
    user_id = client.session.get("_auth_user_id")
    return get_user_model().objects.get(pk=user_id).get_username() if user_id else None


def section(page: str, list_id: str) -> str:
    found = re.search(rf'<ul class="parts" id="{list_id}">(.*?)</ul>', page, re.S)
    return found[1] if found else ""


def live_links(page: str) -> list[str]:
    return re.findall(r'<a class="name" href="([^"]+)"', section(page, "live-parts"))


def coming_paths(page: str) -> list[str]:
    return re.findall(r"<code>([^<]+)</code>", section(page, "coming-parts"))


def without_language_switch(page: str) -> str:
    """The switch names each language in itself (简体中文): not a translation to check."""
    return re.sub(r'<form[^>]*id="language".*?</form>', "", page, flags=re.S)


# --- each role's home -----------------------------------------------------------------------

CITYWIDE_COMING: list[str] = []
# The dashboards (issue #21): the whole city's, or the user's unit's.
CITY, UNIT = "/dashboards/city/", "/dashboards/unit/"
DUTY_LIVE = ["/hotline/", "/dispatch/", "/duty/", CITY, "/performance/", "/api/docs/", "/admin/"]
UNIT_LIVE = ["/units/", UNIT, "/performance/", "/api/docs/"]


@pytest.mark.parametrize(
    ("username", "role", "unit", "live", "coming"),
    [
        ("operator", "话务员", None, ["/hotline/", "/duty/now/", CITY, "/api/docs/"], []),
        ("duty", "值班员", None, DUTY_LIVE, CITYWIDE_COMING),
        ("leader", "带班领导", None, DUTY_LIVE, CITYWIDE_COMING),
        ("daoli", "承办单位人员", "道里区人民政府", UNIT_LIVE, []),
        ("nangang", "承办单位人员", "南岗区人民政府", UNIT_LIVE, []),
        ("water", "承办单位人员", "哈尔滨市水务局", UNIT_LIVE, []),
    ],
)
def test_each_demo_user_signs_in_with_the_form_and_lands_on_their_home(
    client, city, username, role, unit, live, coming
):
    answer = sign_in(client, username)

    assert answer.redirect_chain == [("/", 302)]
    assert signed_in_as(client) == username
    page = answer.content.decode()
    assert '<html lang="zh-hans">' in page
    header = re.search(r'<span class="who" id="signed-in">(.*?)</span>', page, re.S)[1]
    assert username in header
    assert role in header
    assert live_links(page) == live
    assert [client.get(link).status_code for link in live] == [200] * len(live)
    assert coming_paths(page) == coming
    assert page.count("尚未开放") == len(coming)
    if unit:
        assert f'<strong id="unit">{unit}</strong>' in page
        assert unit in header
    else:
        assert 'id="unit"' not in page
    assert 'id="no-role"' not in page


def test_the_home_page_says_what_the_role_does(client, city):
    page = sign_in(client, "daoli").content.decode()

    assert "签收、办理、反馈结果" in page
    assert "单位工作台" in page


def test_a_user_without_a_role_is_told_so(client, city):
    get_user_model().objects.create_user("newcomer", password=NEW_PASSWORD)

    page = sign_in(client, "newcomer", NEW_PASSWORD).content.decode()

    assert signed_in_as(client) == "newcomer"
    assert "您的账号还没有分配角色" in page
    assert "未分配角色" in page
    assert live_links(page) == []
    assert coming_paths(page) == []


def test_a_superuser_is_shown_as_administrator_with_the_admin(client, city):
    get_user_model().objects.create_superuser("root", password=NEW_PASSWORD)

    page = sign_in(client, "root", NEW_PASSWORD).content.decode()

    assert "系统管理员" in page
    assert "/admin/" in live_links(page)
    assert coming_paths(page) == CITYWIDE_COMING


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, city):
    answer = client.get("/")

    assert answer.status_code == 302
    assert answer["Location"] == "/accounts/login/?next=/"


def test_signing_in_returns_to_the_page_asked_for(client, city):
    form = {"username": "duty", "password": password(), "next": "/admin/"}

    answer = client.post("/accounts/login/", form)

    assert answer.status_code == 302
    assert answer["Location"] == "/admin/"


# --- failures and throttling ------------------------------------------------------------------


def test_a_wrong_password_is_refused_with_a_message(client, city):
    answer = sign_in(client, "operator", "not-the-password")

    assert answer.status_code == 200
    assert signed_in_as(client) is None
    assert "请输入一个正确的用户名和密码" in answer.content.decode()


def test_the_fifth_failure_locks_that_name_from_that_address(client, city):
    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 5
    statuses = [sign_in(client, "operator", "guess").status_code for _ in range(limit)]

    assert statuses == [200] * (limit - 1) + [429]
    locked = sign_in(client, "operator")
    assert locked.status_code == 429
    assert signed_in_as(client) is None
    page = locked.content.decode()
    assert "登录已暂时锁定" in page
    assert "请 15 分钟后再试" in page


def test_the_lockout_page_is_served_under_asgi_too(city):
    """Under Django's own ASGI handler axes' middleware takes its async path, which hands the
    lockout page its arguments in another order (citydesk's handler, like the test client,
    takes the sync one)."""
    post = async_to_sync(AsyncClient().post)
    form = {"username": "operator", "password": "guess"}

    answers = [post("/accounts/login/", form) for _ in range(settings.AXES_FAILURE_LIMIT)]

    assert [answer.status_code for answer in answers[-2:]] == [200, 429]
    assert "登录已暂时锁定" in answers[-1].content.decode()


def test_a_lockout_leaves_other_names_and_other_addresses_alone(client, city):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "operator", "guess")

    assert sign_in(Client(), "nangang").status_code == 200
    elsewhere = Client(REMOTE_ADDR=ANOTHER_ADDRESS)
    assert sign_in(elsewhere, "operator").status_code == 200
    assert signed_in_as(elsewhere) == "operator"


def test_behind_the_proxy_failures_count_by_the_address_it_recorded(client, city, settings):
    settings.CITYDESK = {**settings.CITYDESK, "TRUSTED_PROXIES": 1}
    # The proxy is every request's REMOTE_ADDR; what a client writes itself comes first.
    guesser = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.7")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(guesser, "operator", "guess")

    colleague = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.9")
    assert sign_in(colleague, "operator").status_code == 200
    spoofing = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.7")
    assert sign_in(spoofing, "operator").status_code == 429


def test_a_locked_out_users_api_key_and_open_session_still_work(client, city, api, user):
    open_session = Client()
    open_session.force_login(user("operator"))

    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "operator", "guess")

    assert api("operator").get("/api/v1/incidents").status_code == 200
    assert open_session.get("/").status_code == 200


def test_a_success_before_the_limit_starts_the_count_again(client, city):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "operator", "guess")
    sign_in(client, "operator")
    client.post("/accounts/logout/")

    after = [sign_in(client, "operator", "guess").status_code for _ in range(2)]

    assert after == [200, 200]


# --- sign-out and password change ---------------------------------------------------------------


def test_signing_out_takes_a_post(client, city):
    sign_in(client, "water")

    assert client.get("/accounts/logout/").status_code == 405
    assert signed_in_as(client) == "water"

    answer = client.post("/accounts/logout/")
    assert answer.status_code == 200
    assert "已退出登录" in answer.content.decode()
    assert signed_in_as(client) is None
    assert client.get("/")["Location"] == "/accounts/login/?next=/"


def test_the_header_offers_sign_out_and_password_change(client, city):
    page = sign_in(client, "operator").content.decode()

    assert re.search(r'<form method="post" action="/accounts/logout/"', page)
    assert 'id="sign-out"' in page
    assert 'href="/accounts/password_change/"' in page


def test_a_password_change_takes_effect(client, city):
    sign_in(client, "daoli")
    form = {"old_password": password(), "new_password1": NEW_PASSWORD}

    answer = client.post("/accounts/password_change/", {**form, "new_password2": NEW_PASSWORD})

    assert answer.status_code == 302
    assert answer["Location"] == "/accounts/password_change/done/"
    assert "密码已修改" in client.get(answer["Location"]).content.decode()
    assert client.get("/").status_code == 200  # still signed in
    client.post("/accounts/logout/")
    assert signed_in_as(client) is None
    sign_in(client, "daoli")
    assert signed_in_as(client) is None
    sign_in(client, "daoli", NEW_PASSWORD)
    assert signed_in_as(client) == "daoli"


def test_a_password_change_needs_the_old_password(client, city):
    sign_in(client, "daoli")
    form = {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}

    answer = client.post("/accounts/password_change/", form)

    assert answer.status_code == 200
    assert "旧密码不正确" in answer.content.decode()
    client.post("/accounts/logout/")
    assert sign_in(client, "daoli").redirect_chain == [("/", 302)]


def test_the_password_change_page_needs_a_sign_in(client, city):
    answer = client.get("/accounts/password_change/")

    assert answer["Location"] == "/accounts/login/?next=/accounts/password_change/"


# --- languages ----------------------------------------------------------------------------------


def test_pages_are_in_chinese_by_default(client, city):
    page = client.get("/accounts/login/").content.decode()

    assert '<html lang="zh-hans">' in page
    assert "城市运行指挥平台" in page
    assert "<h1>登录</h1>" in page
    # The switch names the other language in that language.
    assert 'value="en" lang="en">English</button>' in page


def test_the_home_page_speaks_english_when_the_browser_asks(client, city):
    answer = sign_in(client, "duty", HTTP_ACCEPT_LANGUAGE="en")
    page = answer.content.decode()

    assert '<html lang="en">' in page
    assert "Hello, duty" in page
    assert "Hotline desk" in page
    assert "Duty room" in page  # every part is live now: none "not yet available"
    assert not CJK.search(without_language_switch(page))


def test_the_language_cookie_switches_the_pages_to_english(client, city):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    page = client.get("/accounts/login/").content.decode()

    assert '<html lang="en">' in page
    assert "<h1>Sign in</h1>" in page
    assert 'value="zh-hans" lang="zh-hans">简体中文</button>' in page
    assert not CJK.search(without_language_switch(page))


def test_the_language_switch_sets_the_cookie(client, city):
    sign_in(client, "water")

    answer = client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    assert answer["Location"] == "/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get("/").content.decode()
    assert "Role: " in page
    assert "哈尔滨市水务局" in page  # the unit's name is data, not translated


def test_the_lockout_page_speaks_english_when_asked(client, city):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        answer = sign_in(client, "operator", "guess", HTTP_ACCEPT_LANGUAGE="en")

    page = answer.content.decode()
    assert answer.status_code == 429
    assert "Try again in 15 minutes" in page
    assert not CJK.search(without_language_switch(page))


# --- the other ways in still work ---------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_a_session_from_the_login_form_opens_a_websocket(city):
    def sign_in_through_the_form() -> str:
        client = Client()
        sign_in(client, "nangang")
        return client.cookies[settings.SESSION_COOKIE_NAME].value

    key = await database_sync_to_async(sign_in_through_the_form)()

    found = await user_of(key)
    assert found.get_username() == "nangang"


def test_a_page_refused_to_a_role_says_why_in_the_site_s_own_page(client, city):
    """A view's PermissionDenied (the dispatch desk to an operator) answers Django's 403 view:
    with templates/403.html it is a page of the site, in Chinese, with the reason."""
    sign_in(client, "operator")

    answer = client.get("/dispatch/")

    page = answer.content.decode()
    assert answer.status_code == 403
    assert '<html lang="zh-hans">' in page
    assert "派单台仅供值班员、带班领导和系统管理员使用。" in page
    assert 'id="signed-in"' in page  # the site's header, not a bare error page
