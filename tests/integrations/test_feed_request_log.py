"""The feed systems as integrators: each push logged (integrations.feeds.push_log) without its
body, a rate limit per system (429 with Retry-After), and their cache cleared on save."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from command import periodic, request_log
from command.access_rules import ADMIN_GROUP
from command.intake import coords
from integrations.feeds import push_log, signing, status_back
from integrations.models import FeedRequest, FeedSystem
from tests.conftest import CENTRAL_STREET

pytestmark = pytest.mark.django_db

CENTRAL_GCJ = coords.wgs84_to_gcj02(*CENTRAL_STREET)  # (lat, lon)
PHONE = "13812341234"
TEXT = "楼上KTV深夜噪声扰民"


def police(jjdbh: str, **fields) -> dict:
    record = {
        "jjdbh": jjdbh,
        "bjsj": timezone.localtime().strftime("%Y-%m-%d %H:%M:%S"),
        "bjrdh": PHONE,
        "sfdz": "道里区中央大街与西十二道街交口",
        "zbx": CENTRAL_GCJ[1],
        "zby": CENTRAL_GCJ[0],
        "jqlb": "治安类",
        "jqlx": "噪声扰民",
        "bjnr": TEXT,
    }
    return {**record, **fields}


def logged(**filters) -> FeedRequest:
    rows = list(FeedRequest.objects.filter(**filters))
    assert len(rows) == 1, rows
    return rows[0]


def row_text(row: FeedRequest) -> str:
    return " ".join(str(getattr(row, f.attname)) for f in FeedRequest._meta.concrete_fields)


# --- the request log ----------------------------------------------------------------------------


def test_an_accepted_push_is_logged_with_its_counts_and_without_its_body(feed_system, push):
    system = feed_system("110")
    body = {"records": [police("R-1"), police("R-2"), police("R-3", bjsj="昨天")]}

    response = push(system, body)

    assert response.status_code == 200
    row = logged(system=system)
    assert (row.method, row.path, row.status) == ("POST", "/integrations/feeds/110/", 200)
    assert (row.records, row.taken, row.refused) == (3, 2, 1)
    assert row.client_ip == "127.0.0.1"
    assert row.duration_ms > 0
    assert row.claimed == ""
    for said in (PHONE, TEXT, "R-1"):  # the caller's number, what they said, the record's id
        assert said not in row_text(row)


def test_a_push_with_a_bad_signature_is_logged_under_the_system_it_named(feed_system, push):
    system = feed_system("110")
    other = feed_system("110", code="other-110")
    body = json.dumps({"records": [police("R-1")]}).encode()
    forged = signing.signed_headers(system.code, other.secret, body)

    response = push(system, body, headers={signing.SIGNATURE: forged[signing.SIGNATURE]})

    assert response.status_code == 401
    row = logged(system=system)
    assert (row.status, row.records, row.taken, row.refused) == (401, None, 0, 0)
    assert not FeedRequest.objects.filter(system=other).exists()


def test_a_push_naming_no_known_system_is_logged_without_one(feed_system, push):
    stranger = FeedSystem(code="probe-110", kind="110", secret="z" * 43)  # never saved

    response = push(stranger, {"records": [police("R-1")]})

    assert response.status_code == 403
    row = logged(system=None)
    assert (row.claimed, row.status, row.path) == ("probe-110", 403, "/integrations/feeds/110/")


def test_a_push_without_a_system_header_is_logged_too(feed_system, push):
    response = push(feed_system("110"), {"records": []}, headers={signing.SYSTEM: None})

    assert response.status_code == 401
    assert (logged(system=None).claimed, logged(system=None).status) == ("", 401)


def test_a_push_to_the_other_format_is_logged_under_its_system(feed_system, push):
    system = feed_system("12319")
    response = push(system, {"records": []}, kind="110")

    assert response.status_code == 403
    assert logged(system=system).path == "/integrations/feeds/110/"


def test_a_body_that_is_no_batch_is_logged_as_a_400(feed_system, push):
    system = feed_system("110")
    response = push(system, {"cases": [police("R-1")]})

    assert response.status_code == 400
    row = logged(system=system)
    assert (row.status, row.records) == (400, None)


def test_a_body_over_the_limit_is_logged_as_a_413_under_its_system(feed_system, push, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_000
    system = feed_system("110")
    response = push(system, {"records": [police(f"R-{i}") for i in range(20)]})

    assert response.status_code == 413
    assert logged(system=system).status == 413


def test_a_server_buffers_push_rows_and_writes_them_with_the_api_rows(
    feed_system, push, monkeypatch
):
    started = []
    monkeypatch.setattr(request_log, "buffered", lambda: True)
    monkeypatch.setattr(periodic, "start", lambda *args: started.append(args[0]))
    monkeypatch.setattr(request_log, "_flushing", request_log.threading.Event())
    system = feed_system("12319")
    try:
        for _ in range(4):
            assert push(system, {"cases": []}).status_code == 200
        assert not FeedRequest.objects.exists()
        assert started == ["api-request-log"]  # the one flushing thread, asked for once

        with CaptureQueriesContext(connection) as queries:
            assert request_log.flush() == 4
    finally:
        push_log.TABLE.buffer.clear()

    assert len([q for q in queries.captured_queries if "INSERT" in q["sql"]]) == 1
    assert FeedRequest.objects.filter(system=system, status=200, records=0).count() == 4


def test_push_rows_are_pruned_with_the_api_log(feed_system, settings):
    settings.CITYDESK = {**settings.CITYDESK, "API_LOG_RETENTION_DAYS": 30}
    system, now = feed_system("110"), timezone.now()
    for days in (31, 29):
        FeedRequest.objects.create(
            system=system,
            at=now - timedelta(days=days),
            method="POST",
            path="/integrations/feeds/110/",
            status=200,
            duration_ms=1.0,
        )

    assert request_log.prune(now) == 1
    assert list(FeedRequest.objects.values_list("at", flat=True)) == [now - timedelta(days=29)]


def test_an_administrator_reads_the_push_log_in_the_admin(feed_system, push):
    system = feed_system("110")
    push(system, {"records": [police("R-1")]})
    admin_user = get_user_model().objects.create_user("admin", password="x", is_staff=True)
    admin_user.groups.add(Group.objects.get(name=ADMIN_GROUP))
    client = Client()
    client.force_login(admin_user)

    listing = client.get("/admin/integrations/feedrequest/?status_class=2xx")
    row = logged(system=system)
    page = client.get(f"/admin/integrations/feedrequest/{row.pk}/change/")

    assert listing.status_code == 200
    assert system.code in listing.content.decode()
    assert page.status_code == 200
    assert b'name="_save"' not in page.content  # read-only


# --- the rate limit -----------------------------------------------------------------------------


def test_a_system_over_its_rate_limit_is_answered_429_with_retry_after(feed_system, push):
    system = feed_system("12319", rate_limit=2)
    assert [push(system, {"cases": []}).status_code for _ in range(2)] == [200, 200]

    response = push(system, {"cases": []})

    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert "rate limit" in response.json()["error"]
    assert 1 <= int(response["Retry-After"]) <= 60
    assert FeedRequest.objects.filter(system=system, status=429).count() == 1


def test_the_rate_limit_defaults_to_the_setting(feed_system, push, settings):
    settings.CITYDESK = {**settings.CITYDESK, "FEED_RATE_LIMIT": 1}
    system, other = feed_system("110"), feed_system("110", code="other-110")

    assert push(system, {"records": []}).status_code == 200
    assert push(system, {"records": []}).status_code == 429
    assert push(other, {"records": []}).status_code == 200  # counted per system


def test_a_throttled_push_keeps_its_nonce_and_may_be_sent_again(feed_system, push, monkeypatch):
    system = feed_system("110", rate_limit=1)
    push(system, {"records": []})
    nonce = "n" * 24
    assert push(system, {"records": []}, nonce=nonce).status_code == 429

    monkeypatch.setattr("integrations.feeds.inbound.admit", lambda system, now=None: None)
    assert push(system, {"records": []}, nonce=nonce).status_code == 200


def test_a_forger_does_not_spend_a_systems_minute(feed_system, push):
    system = feed_system("110", rate_limit=1)
    body = b'{"records": []}'
    for _ in range(3):
        forged = push(system, body, headers={signing.SIGNATURE: "0" * 64})
        assert forged.status_code == 401

    assert push(system, {"records": []}).status_code == 200


# --- the feeds' cache ---------------------------------------------------------------------------


def test_saving_a_system_clears_the_status_back_cache_at_once(feed_system):
    system = feed_system("12319")
    assert status_back.anyone_listening() is False  # cached for a minute from here

    system.callback_url = "http://127.0.0.1:9/status"
    system.save()
    assert status_back.anyone_listening() is True

    FeedSystem.objects.get(pk=system.pk).delete()
    assert status_back.anyone_listening() is False
