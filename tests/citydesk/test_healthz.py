"""/healthz: what the proxy and the containers' health checks ask, without signing in."""

import pytest
from django.db import OperationalError, connections

pytestmark = pytest.mark.django_db


def test_healthz_answers_ok_without_signing_in(client):
    answer = client.get("/healthz")

    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_is_unreachable(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(type(connections["default"]), "cursor", refuse)

    answer = client.get("/healthz")

    assert answer.status_code == 503
    assert answer.json()["database"] == "unreachable"


def test_healthz_refuses_writes(client):
    assert client.post("/healthz").status_code == 405
