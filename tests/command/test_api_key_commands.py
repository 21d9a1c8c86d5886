"""Issue 23: `manage.py issue_api_key`, `revoke_api_key` and `list_api_keys`."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from command import api_keys
from command.api_keys import hash_key
from command.models import ApiKey, Role

pytestmark = pytest.mark.django_db
NOISE = "中央大街附近工地夜间施工噪音扰民"


def run(*args: str) -> list[str]:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue().splitlines()


def status_of(raw: str, external_id: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    body = {"source": "web", "external_id": external_id, "text": NOISE}
    return client.post("/api/v1/reports", body, format="json").status_code


def test_issue_api_key_prints_the_key_once_and_stores_its_hash(city):
    lines = run(
        "issue_api_key",
        "--name",
        "12319-bridge",
        "--user",
        "bridge",
        "--create-user",
        "--scopes",
        "read intake",
        "--rate-limit",
        "120/min",
    )

    raw = lines[-1]
    key = ApiKey.objects.get(name="12319-bridge")
    assert key.key_hash == hash_key(raw)
    assert (key.scopes, key.rate_limit) == ("intake read", 120)
    assert key.user.staffprofile.role == Role.INTEGRATOR
    assert not key.user.has_usable_password()
    assert "120 requests a minute" in lines[0]
    assert status_of(raw, "cmd-1") == 201


def test_issue_api_key_takes_an_existing_user_and_the_defaults(city, settings):
    settings.CITYDESK = {**settings.CITYDESK, "API_KEY_RATE_LIMIT": 77}
    raw = run("issue_api_key", "--name", "feed", "--user", "intake")[-1]

    key = ApiKey.objects.get(key_hash=hash_key(raw))
    assert (key.user.username, key.scopes, key.rate_limit) == ("intake", "intake", None)
    assert api_keys.rate_limit_of(key) == 77


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--user", "nobody"], "--create-user"),
        (["--user", "intake", "--create-user"], "exists already"),
        (["--user", "intake", "--scopes", "write"], "not one of"),
        (["--user", "intake", "--rate-limit", "10/hour"], "N/min"),
        (["--user", "intake", "--rate-limit", "0"], "N/min"),
    ],
)
def test_issue_api_key_refuses_what_it_cannot_do(city, args, message):
    with pytest.raises(CommandError, match=message):
        run("issue_api_key", "--name", "bad", *args)

    assert not ApiKey.objects.filter(name="bad").exists()
    assert not get_user_model().objects.filter(username="nobody").exists()


def test_revoke_api_key_by_prefix_stops_the_key(city):
    raw = run("issue_api_key", "--name", "old-feed", "--user", "intake")[-1]
    assert status_of(raw, "cmd-rev-1") == 201

    revoked = run("revoke_api_key", raw[:8])
    again = run("revoke_api_key", raw)  # the whole key works too

    key = ApiKey.objects.get(name="old-feed")
    assert key.revoked_at is not None
    assert not key.active
    assert "Revoked 'old-feed'" in revoked[0]
    assert "revoked already" in again[0]
    assert status_of(raw, "cmd-rev-2") == 401


def test_revoke_api_key_names_no_key_it_does_not_find(city):
    with pytest.raises(CommandError, match="No API key"):
        run("revoke_api_key", "cd_nope")


def test_list_api_keys_shows_prefixes_states_and_never_keys(city):
    raw = run("issue_api_key", "--name", "listed", "--user", "intake", "--rate-limit", "30")[-1]
    gone = run("issue_api_key", "--name", "gone", "--user", "intake")[-1]
    run("revoke_api_key", gone[:8])

    lines = run("list_api_keys")

    assert lines[0].split()[:2] == ["prefix", "name"]
    listed = next(line for line in lines if raw[:8] in line)
    assert listed.split()[1:6] == ["listed", "intake", "intake", "30", "active"]
    assert "revoked" in next(line for line in lines if gone[:8] in line)
    assert not any(raw in line or gone in line for line in lines)
