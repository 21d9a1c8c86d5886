"""Issue 23: each API key's rate limit (command.api_keys.admit): 429 JSON with Retry-After
over it, and the count starts again with the next minute."""

import logging

import pytest
from rest_framework.test import APIClient

from command import api_keys, rate_limits
from command.api_keys import issue_key
from command.models import ApiRequest, KeyScopes

pytestmark = pytest.mark.django_db
WINDOW_START = 1_800_000_000.0  # a minute's first second (divisible by 60)


@pytest.fixture
def clock(monkeypatch):
    """The rate counter's wall clock, 10 s into a minute; tests move it."""
    now = [WINDOW_START + 10]
    monkeypatch.setattr(rate_limits.time, "time", lambda: now[0])
    return now


def client_with(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_a_key_over_its_limit_gets_429_with_retry_after_until_the_minute_ends(user, clock):
    key, raw = issue_key("tight", user("intake"), scopes=KeyScopes.BOTH, rate_limit=3)
    client = client_with(raw)

    answers = [client.get("/api/v1/incidents") for _ in range(4)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert refused.json()["error"] == "throttled"
    assert "3 requests a minute" in refused.json()["message"]
    assert refused["Retry-After"] == "50"
    assert ApiRequest.objects.filter(key=key, status=429).count() == 1  # logged, too

    clock[0] = WINDOW_START + 60  # the next minute
    assert client.get("/api/v1/incidents").status_code == 200


def test_keys_are_limited_each_on_its_own(user, clock):
    _, first = issue_key("first", user("intake"), scopes=KeyScopes.BOTH, rate_limit=1)
    _, second = issue_key("second", user("intake"), scopes=KeyScopes.BOTH, rate_limit=1)

    assert client_with(first).get("/api/v1/incidents").status_code == 200
    assert client_with(first).get("/api/v1/incidents").status_code == 429
    assert client_with(second).get("/api/v1/incidents").status_code == 200


def test_a_key_without_a_limit_of_its_own_has_the_default(user, clock, settings):
    settings.CITYDESK = {**settings.CITYDESK, "API_KEY_RATE_LIMIT": 2}
    key, _ = issue_key("default", user("intake"))

    assert [api_keys.admit(key) for _ in range(3)] == [None, None, 50.0]


def test_signed_in_staff_are_not_limited_by_key(user, clock, settings):
    settings.CITYDESK = {**settings.CITYDESK, "API_KEY_RATE_LIMIT": 1}
    client = APIClient()
    client.force_login(user("operator"))

    assert {client.get("/api/v1/incidents").status_code for _ in range(3)} == {200}


def test_retry_after_is_at_least_a_second(user):
    key, _ = issue_key("edge", user("intake"), rate_limit=1)
    last_moment = WINDOW_START + 59.9

    assert api_keys.admit(key, now=last_moment) is None
    assert api_keys.admit(key, now=last_moment) == 1.0


def test_the_local_counter_counts_per_window():
    counter = rate_limits.LocalCounter()

    assert [counter.hit("k", 5, 120) for _ in range(3)] == [1, 2, 3]
    assert counter.hit("k", 6, 120) == 1
    assert counter.hit("other", 6, 120) == 1


def test_a_counter_store_that_fails_admits_and_says_so(user, monkeypatch, caplog, settings):
    """Redis away: the city's reports are taken unlimited rather than refused."""
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    monkeypatch.setattr(rate_limits, "_counter", rate_limits.RedisCounter())
    monkeypatch.setattr(rate_limits, "_last_outage_log", 0.0)
    key, _ = issue_key("outage", user("intake"), rate_limit=1)

    with caplog.at_level(logging.WARNING, logger="command.rate_limits"):
        answers = [api_keys.admit(key) for _ in range(3)]

    assert answers == [None, None, None]
    outage_lines = [r for r in caplog.records if "rate limits not counted" in r.getMessage()]
    assert len(outage_lines) == 1


@pytest.mark.parametrize(
    ("text", "per_minute"), [("600/min", 600), ("600", 600), (" 5 / m ", 5), ("1/minute", 1)]
)
def test_rates_read_as_requests_a_minute(text, per_minute):
    assert api_keys.parse_rate(text) == per_minute


@pytest.mark.parametrize("text", ["", "0", "10/s", "10/hour", "-3", "ten"])
def test_other_rates_are_refused(text):
    with pytest.raises(api_keys.InvalidKeyRequest):
        api_keys.parse_rate(text)
