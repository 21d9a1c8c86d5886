"""Issue 23: every request made with an API key is logged for its integrator (never a body, a
query string or a phone number), cheaply (buffered in a server), and kept for the retention."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import DatabaseError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from command import periodic, request_log, tasks
from command.access_rules import ADMIN_GROUP
from command.api_keys import issue_key
from command.models import ApiKey, ApiRequest, KeyScopes

pytestmark = pytest.mark.django_db
TEXT = "中央大街附近工地夜间施工噪音扰民，电话13912345678"
PHONE = "13912345678"


def keyed(user, **kwargs) -> tuple[ApiKey, APIClient]:
    key, raw = issue_key("logged", user("intake"), scopes=KeyScopes.BOTH, **kwargs)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return key, client


def test_a_request_made_with_a_key_is_logged_without_its_body(user):
    key, client = keyed(user)
    body = {
        "source": "web",
        "external_id": "log-1",
        "text": TEXT,
        "reporter": {"phone": PHONE},
    }
    before = timezone.now()

    assert client.post("/api/v1/reports", body, format="json").status_code == 201
    assert client.get(f"/api/v1/incidents?q={PHONE}&page=1").status_code == 200

    posted, listed = ApiRequest.objects.filter(key=key).order_by("id")
    assert (posted.method, posted.path, posted.status) == ("POST", "/api/v1/reports", 201)
    assert (listed.method, listed.path, listed.status) == ("GET", "/api/v1/incidents", 200)
    assert posted.client_ip == "127.0.0.1"
    assert posted.duration_ms > 0
    assert before <= posted.at <= timezone.now()
    for row in (posted, listed):
        stored = " ".join(str(getattr(row, f.attname)) for f in ApiRequest._meta.concrete_fields)
        assert PHONE not in stored
        assert "噪音" not in stored


def test_refused_requests_are_logged_with_their_status(user):
    key, client = keyed(user)
    assert client.post("/api/v1/reports", {"text": 5}, format="json").status_code == 400
    assert client.get("/api/v1/incidents/20990101-0001").status_code == 404

    assert sorted(ApiRequest.objects.filter(key=key).values_list("status", flat=True)) == [
        400,
        404,
    ]


def test_requests_without_a_key_are_not_logged(user):
    client = APIClient()
    client.force_login(user("operator"))
    client.get("/api/v1/incidents")
    anonymous = APIClient().get("/api/v1/incidents")
    bad_key = APIClient(HTTP_AUTHORIZATION="Bearer cd_not-a-key").get("/api/v1/incidents")

    assert (anonymous.status_code, bad_key.status_code) == (401, 401)
    assert not ApiRequest.objects.exists()


@pytest.fixture
def serving(monkeypatch):
    """As in a server process: rows wait for the flushing thread, which is not started here."""
    started = []
    monkeypatch.setattr(request_log, "buffered", lambda: True)
    monkeypatch.setattr(periodic, "start", lambda *args: started.append(args[0]))
    monkeypatch.setattr(request_log, "_flushing", request_log.threading.Event())
    monkeypatch.setattr(request_log, "_marked", {})
    yield started
    request_log._buffer.clear()


def test_a_server_buffers_rows_and_writes_them_in_one_insert(user, serving):
    key, client = keyed(user)
    for _ in range(5):
        assert client.get("/api/v1/incidents").status_code == 200
    assert not ApiRequest.objects.exists()
    assert serving == ["api-request-log"]  # the flushing thread, asked for once

    with CaptureQueriesContext(connection) as queries:
        assert request_log.flush() == 5

    inserts = [q for q in queries.captured_queries if "INSERT" in q["sql"]]
    assert len(inserts) == 1
    assert ApiRequest.objects.filter(key=key).count() == 5


def test_last_used_is_written_at_most_once_a_minute(user, serving, monkeypatch):
    key, client = keyed(user)
    clock = [1000.0]
    monkeypatch.setattr(request_log.time, "monotonic", lambda: clock[0])

    client.get("/api/v1/incidents")
    request_log.flush()
    key.refresh_from_db()
    first = key.last_used_at
    assert first is not None

    with CaptureQueriesContext(connection) as queries:
        client.get("/api/v1/incidents")
        request_log.flush()
    assert not [q for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    key.refresh_from_db()
    assert key.last_used_at == first

    clock[0] += 61
    client.get("/api/v1/incidents")
    request_log.flush()
    key.refresh_from_db()
    assert key.last_used_at > first


def test_rows_wait_in_the_buffer_while_the_database_fails(user, serving, monkeypatch):
    key, client = keyed(user)
    client.get("/api/v1/incidents")
    insert, away = request_log._insert, [True]

    def insert_unless_away(rows):
        if away[0]:
            raise DatabaseError("the database is away")
        insert(rows)

    monkeypatch.setattr(request_log, "_insert", insert_unless_away)
    with pytest.raises(DatabaseError):
        request_log.flush()
    away[0] = False

    assert request_log.flush() == 1
    assert ApiRequest.objects.filter(key=key).count() == 1


def test_other_entry_points_log_through_record(user):
    key, _ = issue_key("open311", user("intake"))

    request_log.record(key, "POST", "/open311/v2/requests.json", 201, 12.34, "203.0.113.9")
    request_log.record(key, "GET", "/open311/v2/services.json", 200, 1.0, "unix:socket")

    rows = list(ApiRequest.objects.filter(key=key).order_by("id"))
    assert [(r.path, r.duration_ms, r.client_ip) for r in rows] == [
        ("/open311/v2/requests.json", 12.3, "203.0.113.9"),
        ("/open311/v2/services.json", 1.0, None),
    ]


def test_the_prune_keeps_the_retention_and_beat_runs_it(user, settings):
    settings.CITYDESK = {**settings.CITYDESK, "API_LOG_RETENTION_DAYS": 30}
    key, _ = issue_key("pruned", user("intake"))
    now = timezone.now()
    for days in (40, 31, 29, 1):
        ApiRequest.objects.create(
            key=key,
            at=now - timedelta(days=days),
            method="GET",
            path="/x",
            status=200,
            duration_ms=1.0,
        )

    assert tasks.prune_api_log() == 2  # what beat runs, in this process
    assert settings.CELERY_BEAT_SCHEDULE["prune-api-log"]["task"] == tasks.prune_api_log.name

    kept = sorted((now - r.at).days for r in ApiRequest.objects.filter(key=key))
    assert kept == [1, 29]


def test_administrators_read_the_log_in_the_admin_filtered(user):
    key, client = keyed(user)
    _other, other_client = keyed(user)
    client.get("/api/v1/incidents")
    client.get("/api/v1/incidents/20990101-0001")
    other_client.get("/api/v1/incidents")
    admin_user = get_user_model().objects.create_user("logreader", password="x", is_staff=True)
    admin_user.groups.add(Group.objects.get(name=ADMIN_GROUP))
    reader = Client()
    reader.force_login(admin_user)
    url = reverse("admin:command_apirequest_changelist")

    by_key = reader.get(url, {"key__id__exact": key.pk})
    by_status = reader.get(url, {"key__id__exact": key.pk, "status_class": "4xx"})
    add = reader.get(reverse("admin:command_apirequest_add"))

    assert by_key.status_code == by_status.status_code == 200
    assert len(by_key.context["cl"].result_list) == 2
    assert [r.status for r in by_status.context["cl"].result_list] == [404]
    assert add.status_code == 403  # read-only


@pytest.mark.django_db(transaction=True)
def test_rows_of_a_key_deleted_meanwhile_do_not_hold_up_the_others(user, serving):
    """Its holder deleted between the request and the flush: the key's rows have nowhere to go
    (the foreign key refuses them at commit), the others are written."""
    gone, gone_client = keyed(user)
    kept, kept_client = keyed(user)
    gone_client.get("/api/v1/incidents")
    kept_client.get("/api/v1/incidents")
    ApiKey.objects.filter(pk=gone.pk).delete()

    request_log.flush()

    assert list(ApiRequest.objects.values_list("key_id", flat=True)) == [kept.pk]
