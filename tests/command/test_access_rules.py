"""The role matrix (command.access_rules) is what the admin, the API and the lifecycle enforce:
each role, and an administrator, against each admin model and each API action."""

from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from command import access_rules, demo, lifecycle, staff_permissions
from command.access_rules import ACTIONS, ADMIN, ADMIN_GROUP, ADMINISTRATOR, NO
from command.admin import MatrixAdmin
from command.api_keys import issue_key
from command.models import (
    ApiKey,
    ApiRequest,
    Category,
    CategoryAlias,
    District,
    Holiday,
    Incident,
    KeyScopes,
    OutboxEvent,
    Role,
    Source,
    StaffProfile,
    Unit,
)
from command.realtime.access import Reader
from duty.models import DutyContact, EscalationLevel, ShiftKind
from hotline import screen_pop
from hotline.models import BlockedNumber, Hold, InboundMessage, MessageKind
from integrations.messages import IncomingCall
from integrations.models import FeedDeadLetter, FeedDelivery, FeedRequest, FeedSystem
from tests.conftest import BEIJING, HARBIN_STATION

pytestmark = pytest.mark.django_db

# Demo users, one per matrix column; `admin` is a member of the administrators group only.
USERS = {
    "operator": Role.OPERATOR,
    "duty": Role.DUTY_OFFICER,
    "leader": Role.DUTY_LEADER,
    "daoli": Role.UNIT_STAFF,
    "intake": Role.INTEGRATOR,
    "admin": ADMINISTRATOR,
}
NOISE = "中央大街附近工地夜间施工噪音扰民"
INCIDENTS = "/api/v1/incidents"


@pytest.fixture
def people(city, user):
    """The demo users plus an administrator who has no staff role at all."""
    admin_user = get_user_model().objects.create_user("admin", password="x", is_staff=True)
    admin_user.groups.add(Group.objects.get(name=ADMIN_GROUP))
    return user


def column(username: str) -> int:
    return access_rules.ACTORS.index(USERS[username])


# --- the admin site -------------------------------------------------------------------------------


def some_object(model: str, people):
    """One row of `model` to open the change page of."""
    return {
        "command.source": lambda: Source.objects.first(),
        "command.category": lambda: Category.objects.first(),
        "command.categoryalias": lambda: CategoryAlias.objects.first(),
        "command.unit": lambda: Unit.objects.first(),
        "command.holiday": lambda: Holiday.objects.create(date="2026-10-01", name="国庆节"),
        "command.district": lambda: District.objects.first(),
        "command.incident": lambda: Incident.objects.first(),
        "command.outboxevent": lambda: OutboxEvent.objects.first(),
        # The duty officer's own profile: the escalation path issue 17 reproduced.
        "command.staffprofile": lambda: StaffProfile.objects.get(user__username="duty"),
        "command.apikey": lambda: ApiKey.objects.first(),
        "command.apirequest": lambda: ApiRequest.objects.create(
            key=ApiKey.objects.first(),
            at=timezone.now(),
            method="POST",
            path="/api/v1/reports",
            status=201,
            duration_ms=3.5,
            client_ip="192.0.2.7",
        ),
        "auth.user": lambda: people("duty"),
        "auth.group": lambda: Group.objects.get(name=ADMIN_GROUP),
        "axes.accessattempt": lambda: AccessAttempt.objects.create(**FAILED_SIGN_IN),
        "axes.accesslog": lambda: AccessLog.objects.create(**SIGN_IN),
        "axes.accessfailurelog": lambda: AccessFailureLog.objects.create(**SIGN_IN),
        "integrations.feedsystem": lambda: FeedSystem.objects.create(
            code="hrb-110", name="110", kind="110", source_code="110", secret="x" * 32
        ),
        "integrations.feeddeadletter": lambda: FeedDeadLetter.objects.create(
            system=FeedSystem.objects.create(
                code="hrb-12319", name="12319", kind="12319", source_code="12319", secret="y" * 32
            ),
            record='{"ajbh": "X"}',
            digest="0" * 64,
            error="slsj: required",
            received_at=timezone.now(),
        ),
        "integrations.feedrequest": lambda: FeedRequest.objects.create(
            system=FeedSystem.objects.create(
                code="hrb-110", name="110", kind="110", source_code="110", secret="x" * 32
            ),
            at=timezone.now(),
            method="POST",
            path="/integrations/feeds/110/",
            status=200,
            duration_ms=12.5,
            client_ip="192.0.2.9",
            records=3,
            taken=2,
            refused=1,
        ),
        "integrations.feeddelivery": lambda: FeedDelivery.objects.create(
            system=FeedSystem.objects.create(
                code="hrb-12319", name="12319", kind="12319", source_code="12319", secret="y" * 32
            ),
            kind="status",
            tracking_no="20261205-0001",
            record_id="230102-2026-000123",
            seq=1,
            body={"type": "status"},
            state="failed",
        ),
        "hotline.blockednumber": lambda: BlockedNumber.objects.create(
            phone="+8613900000000", reason="测试"
        ),
        "hotline.inboundmessage": lambda: InboundMessage.objects.create(
            message_sid="SM-admin-test",
            sender="+8613900000001",
            body="楼下烧烤太吵",
            received_at=timezone.now(),
            kind=MessageKind.COMPLAINT,
            hold=Hold.RATE_LIMITED,
        ),
        "duty.shiftkind": lambda: ShiftKind.objects.get(code="night"),
        "duty.escalationlevel": lambda: EscalationLevel.objects.get(position=0),
        "duty.dutycontact": lambda: DutyContact.objects.create(
            user=people("leader"), phone="13900139000"
        ),
    }[model]()


SIGN_IN = {"username": "operator", "ip_address": "192.0.2.1", "user_agent": "test"}
FAILED_SIGN_IN = {**SIGN_IN, "failures_since_start": 5, "get_data": "", "post_data": ""}


def admin_url(model: str, page: str, *args) -> str:
    app_label, name = model.split(".")
    return reverse(f"admin:{app_label}_{name}_{page}", args=args)


@pytest.mark.parametrize("model", sorted(ADMIN))
@pytest.mark.parametrize("username", list(USERS))
def test_the_admin_allows_each_role_what_the_matrix_says(people, report, username, model):
    report(NOISE)  # an incident and its events to open
    allowed = ADMIN[model][column(username)]
    client = Client()
    client.force_login(people(username))
    obj = some_object(model, people)
    change_url = admin_url(model, "change", obj.pk)

    changelist = client.get(admin_url(model, "changelist"))
    add = client.get(admin_url(model, "add"))
    change_page = client.get(change_url)
    obj.refresh_from_db()
    before = {f.name: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
    change_post = client.post(change_url, {})

    if not people(username).is_staff:  # the admin site turns them to its login page
        assert allowed == NO
        assert {r.status_code for r in (changelist, add, change_page, change_post)} == {302}
        return
    assert changelist.status_code == (200 if "v" in allowed else 403)
    assert add.status_code == (200 if "a" in allowed else 403)
    assert change_page.status_code == (200 if "v" in allowed else 403)
    # A refused change answers 403 and leaves the row as it was; an allowed empty form is
    # re-shown with its errors (200).
    assert change_post.status_code == (200 if "c" in allowed else 403)
    obj.refresh_from_db()
    assert {f.name: getattr(obj, f.attname) for f in obj._meta.concrete_fields} == before


def test_a_duty_officer_cannot_make_themselves_an_operator(people, report):
    """Issue 17: setup_demo gave duty staff change rights on staff profiles."""
    incident = report(NOISE, reporter_phone="13912345678").incident
    duty = people("duty")
    client = Client()
    client.force_login(duty)
    profile = StaffProfile.objects.get(user=duty)

    response = client.post(
        admin_url("command.staffprofile", "change", profile.pk),
        {"user": duty.pk, "role": Role.OPERATOR, "unit": ""},
    )

    assert response.status_code == 403
    assert StaffProfile.objects.get(user=duty).role == Role.DUTY_OFFICER
    assert not duty.user_permissions.filter(codename__endswith="_staffprofile").exists()
    api = APIClient()
    api.force_authenticate(duty)
    detail = api.get(f"{INCIDENTS}/{incident.tracking_no}").json()
    assert [r["phone"] for r in detail["reports"]] == ["139****5678"]


def test_every_model_in_the_admin_has_a_matrix_row_and_asks_it():
    registered = admin.site._registry
    assert {model._meta.label_lower for model in registered} == set(ADMIN)
    assert all(isinstance(model_admin, MatrixAdmin) for model_admin in registered.values())


def test_a_django_permission_granted_by_mistake_opens_nothing(people):
    duty = people("duty")
    duty.user_permissions.add(*staff_permissions.admin_permissions(ADMINISTRATOR))
    client = Client()
    client.force_login(get_user_model().objects.get(pk=duty.pk))

    assert client.get(admin_url("command.apikey", "changelist")).status_code == 403
    assert client.get(admin_url("auth.user", "add")).status_code == 403


def test_migrate_keeps_the_administrators_group_as_the_matrix_says():
    granted = set(Group.objects.get(name=ADMIN_GROUP).permissions.all())
    assert granted == set(staff_permissions.admin_permissions(ADMINISTRATOR))
    codenames = {p.codename for p in granted}
    assert {"change_staffprofile", "add_apikey", "change_apikey", "add_user"} <= codenames
    assert "view_apirequest" in codenames
    # Keys are revoked, never deleted; the request log is read-only.
    assert not codenames & {"change_incident", "delete_apikey", "change_apirequest"}


@pytest.mark.parametrize("username", ["operator", "duty", "leader", "daoli", "intake"])
def test_the_demo_grants_each_role_exactly_the_matrix_admin_permissions(people, username):
    granted = {p.codename for p in people(username).user_permissions.all()}
    expected = {p.codename for p in staff_permissions.admin_permissions(USERS[username])}
    assert granted == expected
    assert not {c for c in granted if c.endswith(("_staffprofile", "_apikey", "_user"))}


# --- the API --------------------------------------------------------------------------------------


def dispatched(report) -> Incident:
    incident = report(NOISE).incident
    assert incident.unit.name == "道里区人民政府"
    return incident


def advanced(incident: Incident, people, *actions: tuple[str, dict]) -> Incident:
    """`incident` taken through `actions` by the actor each needs (daoli, else the duty leader)."""
    for action, fields in actions:
        actor = people("daoli") if Role.UNIT_STAFF in lifecycle.TRANSITIONS[action].roles else None
        request = lifecycle.Request(action, actor=actor or people("leader"), note="备注", **fields)
        incident = lifecycle.apply(incident.id, request)
    return incident


def later(incident: Incident) -> str:
    return (incident.deadline + timedelta(days=3)).isoformat()


def transition_case(action: str, report, people) -> tuple[Incident, dict]:
    """An incident in a state `action` applies to, and the body that asks for it."""
    body = {"action": action, "note": "备注"}
    if action == "dispatch":
        body["unit_id"] = Unit.objects.get(name="道里区人民政府").id
        return report(NOISE, at=BEIJING).incident, body  # outside Harbin: waits, status new
    if action in ("redispatch", "assist"):
        body["unit_id"] = Unit.objects.get(name="哈尔滨市水务局").id
    if action == "transfer_to_police":
        FeedSystem.objects.create(
            code="hrb-110",
            name="哈尔滨110",
            kind="110",
            source_code="110",
            secret="x" * 32,
            transfer_url="http://127.0.0.1:9/transfer",
        )
        incident = report("中央大街有人打架斗殴").incident
        assert incident.category.code == "public_security"
        daoli_unit = Unit.objects.get(name="道里区人民政府").id
        return advanced(incident, people, ("redispatch", {"unit_id": daoli_unit})), body
    if action in ("sign_assist", "finish_assist"):
        # Water's ticket, on which daoli's unit assists.
        incident = report("中央大街自来水管爆裂，水流满街").incident
        daoli_unit = Unit.objects.get(name="道里区人民政府").id
        incident = advanced(incident, people, ("assist", {"unit_id": daoli_unit}))
        if action == "finish_assist":
            incident = advanced(incident, people, ("sign_assist", {}))
        return incident, body
    incident = dispatched(report)
    if action == "pass_down":
        body["unit_id"] = Unit.objects.get(name="道里区兆麟街道办事处").id
    if action == "issue_notice":
        body["until"] = later(incident)
    before = {
        "sign": [],
        "return": [],
        "redispatch": [],
        "overrule_return": [("return", {})],
        "pass_down": [],
        "assist": [],
        "issue_notice": [],
        "reply_notice": [("issue_notice", {"until": None})],
        "mark_warning": [],
        "mark_overdue": [],
        "mark_not_signed": [],
        "mark_notice_unanswered": [],
        "start": [("sign", {})],
        "resolve": [("sign", {})],
        "request_extension": [("sign", {})],
        "note": [("sign", {})],
        "approve_extension": [("sign", {}), ("request_extension", {"until": None})],
        "reject_extension": [("sign", {}), ("request_extension", {"until": None})],
        "close": [("sign", {}), ("resolve", {})],
        "reopen": [("sign", {}), ("resolve", {})],
        "make_major": [],
        "police_answer": [],
    }[action]
    for step, fields in before:
        if "until" in fields:
            fields = {"until": incident.deadline + timedelta(days=3)}
        incident = advanced(incident, people, (step, fields))
    if action == "request_extension":
        body["until"] = later(incident)
    return incident, body


def api_case(action: str, report, people) -> tuple[str, str, dict | None]:
    """(method, url, body) for one API action."""
    if action == "incidents.read":
        return "get", INCIDENTS, None
    if action == "incident.detail":
        return "get", f"{INCIDENTS}/{dispatched(report).tracking_no}", None
    if action == "streams.read":
        unit = Unit.objects.get(name="道里区人民政府")
        return "get", f"/api/v1/events?stream=unit:{unit.id}", None
    if action == "hotline.read":
        call = screen_pop.incoming(
            IncomingCall("CA" + "1" * 32, "+8613800138000", "12345", "ringing", timezone.now())
        )
        return "get", f"/hotline/calls/{call.id}/", None
    if action == "reports.submit":
        body = {"source": "hotline", "external_id": "matrix-1", "text": NOISE}
        return "post", "/api/v1/reports", body
    if action == "merge":
        a, b = report("哈尔滨站前路灯不亮", at=HARBIN_STATION).incident, dispatched(report)
        return "post", f"{INCIDENTS}/{a.tracking_no}/merge", {"into": b.tracking_no}
    if action == "unmerge":
        a, b = report("哈尔滨站前路灯不亮", at=HARBIN_STATION).incident, dispatched(report)
        lifecycle.merge(
            a.tracking_no, b.tracking_no, lifecycle.Request("merge", actor=people("operator"))
        )
        return "post", f"{INCIDENTS}/{a.tracking_no}/unmerge", {}
    if action == "split":
        report("中央大街自来水管爆裂，水流满街")
        second = report("中央大街水管爆了到处是水", source="sms")
        assert second.merged
        return "post", f"/api/v1/reports/{second.report.id}/split", {}
    incident, body = transition_case(action, report, people)
    return "post", f"{INCIDENTS}/{incident.tracking_no}/transitions", body


# Alerts and their acknowledgements are duty.escalation's, not API calls: tests/duty has them.
NOT_API = {"personal_data.read", "acknowledge", "alert_leader"}
API_ACTIONS = ["incident.detail", *(a for a in ACTIONS if a not in NOT_API)]
# A new incident is assigned to no unit, so unit staff do not even see it: 404, not 403.
HIDDEN = {("daoli", "dispatch"), ("daoli", "overrule_return")}


@pytest.mark.parametrize("action", API_ACTIONS)
@pytest.mark.parametrize("username", list(USERS))
def test_the_api_allows_each_role_what_the_matrix_says(people, report, api, username, action):
    method, url, body = api_case(action, report, people)
    row = "incidents.read" if action == "incident.detail" else action
    allowed = ACTIONS[row][column(username)] != NO

    response = getattr(api(username), method)(url, body, format="json")

    if (username, action) in HIDDEN:
        assert response.status_code == 404, response.content
        return
    if not allowed:
        assert response.status_code == 403, response.content
        assert response.json()["error"] == "forbidden"
        return
    expected = 201 if action in ("reports.submit", "split") else 200
    assert response.status_code == expected, response.content


def test_security_md_shows_the_matrix_as_the_module_has_it():
    security = (Path(__file__).parents[2] / "SECURITY.md").read_text(encoding="utf-8")
    assert access_rules.as_markdown() in security, "regenerate with access_rules.as_markdown()"


def test_every_lifecycle_transition_takes_its_roles_from_the_matrix():
    for name, transition in lifecycle.TRANSITIONS.items():
        assert name in ACTIONS, f"{name} needs a row in access_rules.ACTIONS"
        assert transition.roles == access_rules.roles_for(name), name


def test_the_socket_streams_follow_the_matrix(people):
    for username in USERS:
        reader = Reader.of(people(username))
        reach = ACTIONS["streams.read"][column(username)]
        assert reader.citywide == (reach == access_rules.ALL), username
        assert (reader.role == Role.UNIT_STAFF) == (reach == access_rules.UNIT), username


# --- API key scopes -------------------------------------------------------------------------------


def test_an_intake_only_key_submits_but_reads_nothing(people, report, api):
    incident = dispatched(report)
    client = api("intake", scopes=KeyScopes.INTAKE)
    body = {"source": "hotline", "external_id": "scope-1", "text": NOISE}

    assert client.post("/api/v1/reports", body, format="json").status_code == 201
    for url in (INCIDENTS, f"{INCIDENTS}/{incident.tracking_no}", "/api/v1/events?stream=all"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "read scope" in response.json()["message"]


def test_a_read_only_key_reads_but_cannot_submit(people, report, api):
    report(NOISE)
    client = api("operator", scopes=KeyScopes.READ)
    body = {"source": "hotline", "external_id": "scope-2", "text": NOISE}

    response = client.post("/api/v1/reports", body, format="json")
    assert response.status_code == 403
    assert "intake scope" in response.json()["message"]
    assert client.get(INCIDENTS).json()["count"] == 1


def test_the_demo_intake_key_cannot_read_the_city(people, report):
    """Issue 17: the intake integrator's key read every incident in the city."""
    report(NOISE)
    raw = demo.load_api_key()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert client.get(INCIDENTS).status_code == 403
    assert ApiKey.objects.get(name="demo-intake").scopes == KeyScopes.INTAKE


def test_a_key_is_intake_only_unless_issued_otherwise(people):
    key, _ = issue_key("feed", people("intake"))
    assert key.allows(ApiKey.INTAKE)
    assert not key.allows(ApiKey.READ)
    both, _ = issue_key("dashboard", people("intake"), scopes=KeyScopes.BOTH)
    assert both.allows(ApiKey.INTAKE)
    assert both.allows(ApiKey.READ)
