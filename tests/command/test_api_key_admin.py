"""Issue 23: an administrator issues, scopes and revokes integrators' API keys in the admin; the
key is shown once, on the page answering the form, and only its hash is stored."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from command.access_rules import ADMIN_GROUP
from command.api_keys import hash_key
from command.models import ApiKey, KeyScopes, Role

pytestmark = pytest.mark.django_db
ADD = reverse("admin:command_apikey_add")
CHANGELIST = reverse("admin:command_apikey_changelist")
NOISE = "中央大街附近工地夜间施工噪音扰民"


@pytest.fixture
def administrator(city) -> Client:
    admin_user = get_user_model().objects.create_user("keyadmin", password="x", is_staff=True)
    admin_user.groups.add(Group.objects.get(name=ADMIN_GROUP))
    client = Client()
    client.force_login(admin_user)
    return client


def issue(client: Client, **fields) -> tuple[ApiKey, str, object]:
    form = {"name": "12345网站", "holder": "", "new_holder": "", "scopes": "intake", **fields}
    response = client.post(ADD, form)
    assert response.status_code == 200, response.content
    raw = re.search(r'<code id="raw-key">([^<]+)</code>', response.content.decode())
    assert raw is not None, "the page answering the form shows the key"
    return ApiKey.objects.get(name=form["name"]), raw.group(1), response


def bearer(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def post_report(raw: str, external_id: str) -> int:
    body = {"source": "web", "external_id": external_id, "text": NOISE}
    return bearer(raw).post("/api/v1/reports", body, format="json").status_code


def test_issuing_in_the_admin_shows_the_key_once_and_stores_its_hash(administrator, user):
    key, raw, response = issue(administrator, holder=user("intake").pk, rate_limit="120")

    assert raw.startswith("cd_")
    assert key.key_hash == hash_key(raw)
    assert key.prefix == raw[:8]
    stored = [str(getattr(key, f.attname)) for f in ApiKey._meta.concrete_fields]
    assert not any(raw in value for value in stored)
    assert (key.user.username, key.scopes, key.rate_limit) == ("intake", "intake", 120)
    assert "no-store" in response["Cache-Control"]
    # Not in a message (session or cookie) either: later pages never show it.
    change = administrator.get(reverse("admin:command_apikey_change", args=[key.pk]))
    listing = administrator.get(CHANGELIST)
    assert change.status_code == listing.status_code == 200
    assert raw not in change.content.decode() + listing.content.decode()
    assert key.prefix in listing.content.decode()


def test_the_issued_key_works_with_its_scopes(administrator, user, report):
    report(NOISE)
    _, intake_raw, _ = issue(administrator, holder=user("intake").pk)
    _, both_raw, _ = issue(
        administrator, name="大屏", holder=user("intake").pk, scopes="intake read"
    )

    assert post_report(intake_raw, "adm-1") == 201
    assert bearer(intake_raw).get("/api/v1/incidents").status_code == 403
    assert bearer(both_raw).get("/api/v1/incidents").json()["count"] >= 1


def test_issuing_can_make_the_integrator_account(administrator):
    key, raw, _ = issue(administrator, new_holder="web12345")

    holder = key.user
    assert holder.username == "web12345"
    assert holder.staffprofile.role == Role.INTEGRATOR
    assert not holder.has_usable_password()
    assert not holder.is_staff
    assert post_report(raw, "adm-new") == 201


@pytest.mark.parametrize(
    "fields",
    [{}, {"new_holder": "intake"}, {"new_holder": "two", "holder": "HOLDER"}],
    ids=["no holder", "name taken", "both"],
)
def test_a_key_needs_exactly_one_holder(administrator, user, fields):
    fields = {k: user("intake").pk if v == "HOLDER" else v for k, v in fields.items()}
    form = {"name": "bad", "holder": "", "new_holder": "", "scopes": "intake", **fields}

    response = administrator.post(ADD, form)

    assert response.status_code == 200
    assert "raw-key" not in response.content.decode()
    assert not ApiKey.objects.filter(name="bad").exists()
    assert not get_user_model().objects.filter(username="two").exists()


def test_only_integrators_are_offered_as_holders(administrator, user):
    page = administrator.get(ADD).content.decode()

    assert f'value="{user("intake").pk}"' in page
    assert f'value="{user("operator").pk}"' not in page


def test_revoking_in_the_admin_stops_the_key_at_once(administrator, user):
    key, raw, _ = issue(administrator, holder=user("intake").pk)
    assert post_report(raw, "rev-1") == 201  # now remembered by this process

    response = administrator.post(
        CHANGELIST, {"action": "revoke", "_selected_action": [key.pk]}, follow=True
    )

    assert response.status_code == 200
    key.refresh_from_db()
    assert not key.active
    assert key.revoked_at is not None
    assert key.revoked_by.username == "keyadmin"
    assert post_report(raw, "rev-2") == 401
    assert "已吊销" in administrator.get(CHANGELIST).content.decode()  # its state: revoked


def test_changing_a_keys_scopes_in_the_admin_applies_at_once(administrator, user, report):
    report(NOISE)
    key, raw, _ = issue(administrator, holder=user("intake").pk)
    assert bearer(raw).get("/api/v1/incidents").status_code == 403  # remembered as intake only

    response = administrator.post(
        reverse("admin:command_apikey_change", args=[key.pk]),
        {"name": key.name, "scopes": KeyScopes.BOTH, "rate_limit": ""},
    )

    assert response.status_code == 302, response.content
    assert bearer(raw).get("/api/v1/incidents").status_code == 200


def test_a_key_cannot_be_deleted_only_revoked(administrator, user):
    key, _, _ = issue(administrator, holder=user("intake").pk)

    response = administrator.post(
        reverse("admin:command_apikey_delete", args=[key.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert ApiKey.objects.filter(pk=key.pk).exists()
