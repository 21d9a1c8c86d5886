"""The dispatch desk (/dispatch/): who may use it, the queue's order and contents, and every
action and refusal its forms can produce, through the real views and the real lifecycle."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from command import lifecycle
from command.access_rules import ADMIN_GROUP
from command.models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    ExtensionStatus,
    Incident,
    IncidentStatus,
    Role,
    StaffProfile,
    SupervisionAlert,
    SupervisionNotice,
    Unit,
)
from command.routing import sla
from command.supervision import notices, scanner
from tests.conftest import BEIJING

pytestmark = pytest.mark.django_db
NOISE = "中央大街附近工地夜间施工噪音扰民"
DESK = "/dispatch/"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def duty(user) -> Client:
    return signed_in(user("duty"))


@pytest.fixture
def queued(city, report) -> Incident:
    """A noise complaint from outside every district: it waits in the dispatch queue."""
    incident = report(NOISE, at=BEIJING).incident
    assert incident.status == IncidentStatus.NEW
    return incident


def local_minute(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def post(client: Client, incident: Incident, action: str, **fields):
    incident.refresh_from_db()
    fields.setdefault("version", incident.version)
    return client.post(f"{DESK}{incident.tracking_no}/{action}", fields)


def unit_id(name: str) -> int:
    return Unit.objects.get(name=name).id


# --- who may use it ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", [DESK, f"{DESK}lists/"])
def test_anonymous_visitors_are_sent_to_sign_in(city, path):
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("username", ["operator", "daoli", "water", "intake"])
@pytest.mark.parametrize("path", [DESK, f"{DESK}lists/"])
def test_other_roles_are_refused(user, username, path):
    assert signed_in(user(username)).get(path).status_code == 403


@pytest.mark.parametrize("username", ["duty", "leader"])
def test_duty_staff_and_the_leader_use_it(user, username):
    response = signed_in(user(username)).get(DESK)
    assert response.status_code == 200
    assert "派单台" in response.content.decode()


def test_administrators_use_it(city):
    admin = get_user_model().objects.create_user("admin", is_staff=True)
    admin.groups.add(Group.objects.get(name=ADMIN_GROUP))
    root = get_user_model().objects.create_superuser("root")
    assert signed_in(admin).get(DESK).status_code == 200
    assert signed_in(root).get(DESK).status_code == 200


@pytest.mark.parametrize("username", ["operator", "daoli"])
def test_other_roles_cannot_act_from_it(user, queued, username):
    response = post(
        signed_in(user(username)), queued, "dispatch", unit_id=unit_id("哈尔滨市水务局")
    )
    assert response.status_code == 403
    queued.refresh_from_db()
    assert queued.status == IncidentStatus.NEW


def test_anonymous_cannot_act(queued):
    response = post(Client(), queued, "dispatch", unit_id=unit_id("哈尔滨市水务局"))
    assert response.status_code == 302
    queued.refresh_from_db()
    assert queued.status == IncidentStatus.NEW


# --- the queue --------------------------------------------------------------------------------


def test_the_queue_is_most_urgent_first_then_oldest_first(city, report, duty):
    now = timezone.now()
    old_routine = report("北京某处噪音扰民一", at=BEIJING, now=now - timedelta(hours=3)).incident
    new_routine = report("北京某处路灯不亮二", at=BEIJING, now=now - timedelta(hours=1)).incident
    urgent = report("北京某处井盖丢失三", at=BEIJING, priority="urgent", now=now).incident
    dispatched = report(NOISE).incident  # routed: not in the queue

    page = duty.get(DESK).content.decode()

    order = [page.index(f'id="q-{i.tracking_no}"') for i in (urgent, old_routine, new_routine)]
    assert order == sorted(order)
    assert f'id="q-{dispatched.tracking_no}"' not in page
    assert "位置不在本市任何辖区内" in page  # why it waits


def test_a_queued_ticket_offers_its_sla_deadline_and_routings_suggestion(city, report, duty):
    # No point, and an address that names no district: routing has nothing to go on.
    queued = report(NOISE, at=None, address="某小区").incident
    page = duty.get(DESK).content.decode()
    row = page[page.index(f'id="q-{queued.tracking_no}"') :]
    assert "没有位置" in row[:2000]
    assert 'name="proposed_until"' in row[:3000]


def test_a_returned_ticket_waits_with_the_units_reason_and_another_suggestion(
    city, report, duty, user
):
    incident = report(NOISE).incident
    lifecycle.apply(
        incident.id, lifecycle.Request("return", actor=user("daoli"), note="不属于本区")
    )

    page = duty.get(DESK).content.decode()
    row = page[page.index(f'id="q-{incident.tracking_no}"') :]
    row = row[: row.index("</li>")]
    assert "道里区人民政府退回：不属于本区" in row
    assert "驳回退回" in row
    assert "（建议）" not in row  # routing would choose the unit that just handed it back


# --- dispatch, re-dispatch, overrule ----------------------------------------------------------


def test_duty_staff_dispatch_a_queued_ticket_with_the_sla_deadline(queued, duty, user):
    proposed = local_minute(timezone.now() + timedelta(days=30))
    response = post(
        duty,
        queued,
        "dispatch",
        unit_id=unit_id("哈尔滨市水务局"),
        until=proposed,
        proposed_until=proposed,
    )

    assert response.status_code == 302
    queued.refresh_from_db()
    assert queued.status == IncidentStatus.DISPATCHED
    assert queued.unit.name == "哈尔滨市水务局"
    entry = queued.timeline.get(action="dispatch")
    assert entry.actor == user("duty")
    # The form's proposal untouched: the SLA's deadline from the moment of dispatch.
    assert entry.data["sla"] == queued.category.sla_for(queued.priority)
    assignment = Assignment.objects.get(incident=queued)
    spec = queued.category.sla_for(queued.priority)
    assert assignment.deadline == sla.deadline_for(spec, entry.at, lifecycle.work_calendar())


def test_a_deadline_set_by_hand_needs_a_reason(queued, duty):
    chosen = timezone.now() + timedelta(days=2)
    fields = {
        "unit_id": unit_id("哈尔滨市水务局"),
        "until": local_minute(chosen),
        "proposed_until": local_minute(chosen + timedelta(days=5)),
    }

    refused = post(duty, queued, "dispatch", **fields)
    done = post(duty, queued, "dispatch", note="市民反映情况紧急", **fields)

    assert refused.status_code == 400
    assert "请填写理由" in refused.content.decode()
    assert done.status_code == 302
    assignment = Assignment.objects.get(incident=queued)
    assert local_minute(assignment.deadline) == local_minute(chosen)
    assert queued.timeline.get(action="dispatch").note == "市民反映情况紧急"


@pytest.mark.parametrize(
    ("fields", "status", "words"),
    [
        ({"unit_id": "999999"}, 400, "请选择有效的承办单位"),
        ({"unit_id": ""}, 400, "请选择有效的承办单位"),
        ({"unit_id": "abc"}, 400, "承办单位不正确"),
        ({"version": ""}, 400, "缺少版本"),
        ({"version": "7x"}, 400, "版本不正确"),
        ({"until": "next tuesday", "proposed_until": ""}, 400, "时间格式不正确"),
        (
            {"until": "2001-01-01T08:00", "note": "补录", "proposed_until": ""},
            400,
            "时限必须晚于现在",
        ),
        ({"note": "x" * 2001}, 400, "说明过长"),
    ],
)
def test_bad_input_is_a_clear_400_and_changes_nothing(queued, duty, fields, status, words):
    fields = {"unit_id": str(unit_id("哈尔滨市水务局")), **fields}
    response = post(duty, queued, "dispatch", **fields)
    assert response.status_code == status
    assert words in response.content.decode()
    queued.refresh_from_db()
    assert queued.status == IncidentStatus.NEW


def test_a_stale_version_is_a_conflict_showing_the_new_state(queued, duty, user):
    seen = queued.version
    lifecycle.apply(
        queued.id,
        lifecycle.Request("dispatch", actor=user("leader"), unit_id=unit_id("哈尔滨市水务局")),
    )

    response = duty.post(
        f"{DESK}{queued.tracking_no}/dispatch",
        {"unit_id": unit_id("道里区人民政府"), "version": seen},
    )

    assert response.status_code == 409
    page = response.content.decode()
    assert "已被他人更新" in page
    assert f'id="q-{queued.tracking_no}"' not in page  # the queue as it is now
    queued.refresh_from_db()
    assert queued.unit.name == "哈尔滨市水务局"


def test_an_action_the_state_does_not_allow_is_a_409(city, report, duty):
    dispatched = report(NOISE).incident
    response = post(duty, dispatched, "dispatch", unit_id=unit_id("哈尔滨市水务局"))
    assert response.status_code == 409
    assert "不允许此操作" in response.content.decode()


def test_unknown_actions_and_tickets_are_404(queued, duty):
    assert post(duty, queued, "sign").status_code == 404
    assert duty.post(f"{DESK}20990101-0001/dispatch", {"version": 1}).status_code == 404
    assert duty.get(f"{DESK}?ticket=%00bad").status_code == 200
    assert duty.get(f"{DESK}?ticket=20990101-0001").status_code == 200


def test_overruling_a_return_sends_it_back_and_counts_against_the_unit(city, report, duty, user):
    incident = report(NOISE).incident
    returned = Assignment.objects.get(incident=incident)
    lifecycle.apply(
        incident.id, lifecycle.Request("return", actor=user("daoli"), note="不归我们管")
    )

    without_note = post(duty, incident, "overrule_return")
    done = post(duty, incident, "overrule_return", note="属于道里区辖区，请办理")

    assert without_note.status_code == 400
    assert done.status_code == 302
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.DISPATCHED
    assert incident.unit.name == "道里区人民政府"
    returned.refresh_from_db()
    assert returned.return_overruled_at is not None
    assert returned.return_overruled_note == "属于道里区辖区，请办理"
    again = Assignment.objects.filter(incident=incident).latest("id")
    assert again.deadline == returned.deadline  # the unit keeps the deadline it had


def test_a_return_redispatched_elsewhere_is_not_overruled(city, report, duty, user):
    incident = report(NOISE).incident
    lifecycle.apply(incident.id, lifecycle.Request("return", actor=user("daoli"), note="非本区"))

    post(duty, incident, "dispatch", unit_id=unit_id("哈尔滨市水务局"))

    assert not Assignment.objects.filter(return_overruled_at__isnull=False).exists()


def test_redispatching_a_ticket_a_unit_holds(city, report, duty):
    incident = report(NOISE).incident

    refused = post(
        duty, incident, "redispatch", unit_id=unit_id("哈尔滨市水务局"), **{"from": "ticket"}
    )
    done = post(
        duty,
        incident,
        "redispatch",
        unit_id=unit_id("哈尔滨市水务局"),
        note="实为供水问题",
        **{"from": "ticket"},
    )

    assert refused.status_code == 400
    assert done.status_code == 302
    assert done["Location"] == f"{DESK}?ticket={incident.tracking_no}"
    states = list(Assignment.objects.filter(incident=incident).values_list("unit__name", "status"))
    assert states == [
        ("道里区人民政府", AssignmentStatus.CANCELLED),
        ("哈尔滨市水务局", AssignmentStatus.DISPATCHED),
    ]


# --- extensions --------------------------------------------------------------------------------


@pytest.fixture
def extension_asked(city, report, user):
    incident = report(NOISE).incident
    daoli = user("daoli")
    lifecycle.apply(incident.id, lifecycle.Request("sign", actor=daoli))
    assignment = Assignment.objects.get(incident=incident)
    until = assignment.deadline + timedelta(days=5)
    lifecycle.apply(
        incident.id,
        lifecycle.Request("request_extension", actor=daoli, note="需协调施工方", until=until),
    )
    return incident, assignment, until


def test_the_desk_lists_extension_requests_and_approving_moves_the_deadline(extension_asked, duty):
    incident, assignment, until = extension_asked
    assert f'id="x-{incident.tracking_no}"' in duty.get(DESK).content.decode()

    assert post(duty, incident, "approve_extension").status_code == 302

    assignment.refresh_from_db()
    assert assignment.deadline == until
    assert assignment.extension_status == ExtensionStatus.APPROVED
    assert f'id="x-{incident.tracking_no}"' not in duty.get(DESK).content.decode()


def test_refusing_an_extension_needs_a_reason_and_keeps_the_deadline(extension_asked, duty):
    incident, assignment, _ = extension_asked
    before = assignment.deadline

    assert post(duty, incident, "reject_extension").status_code == 400
    assert post(duty, incident, "reject_extension", note="时限内可完成").status_code == 302

    assignment.refresh_from_db()
    assert assignment.deadline == before
    assert assignment.extension_status == ExtensionStatus.REJECTED


# --- joint handling and multi-level dispatch -----------------------------------------------


def test_joint_handling_each_unit_has_its_own_assignment_state(city, report, duty, user):
    incident = report(NOISE).incident
    assert post(duty, incident, "assist", unit_id=unit_id("哈尔滨市水务局")).status_code == 302
    twice = post(duty, incident, "assist", unit_id=unit_id("哈尔滨市水务局"))
    assert twice.status_code == 409

    water, daoli = user("water"), user("daoli")
    lifecycle.apply(incident.id, lifecycle.Request("sign_assist", actor=water))
    lifecycle.apply(incident.id, lifecycle.Request("finish_assist", actor=water, note="已排查管线"))
    with pytest.raises(lifecycle.NotAllowed):  # the lead cannot act on the assist's part
        lifecycle.apply(incident.id, lifecycle.Request("sign_assist", actor=daoli))

    incident.refresh_from_db()
    assert incident.status == IncidentStatus.DISPATCHED  # the lead's state, unsigned
    rows = dict(Assignment.objects.filter(incident=incident).values_list("role", "status"))
    assert rows == {AssignmentRole.LEAD: "dispatched", AssignmentRole.ASSIST: "resolved"}


def test_an_assisting_units_sign_limit_is_watched_too(city, report, duty):
    incident = report(NOISE).incident
    post(duty, incident, "assist", unit_id=unit_id("哈尔滨市水务局"))
    assist = Assignment.objects.get(incident=incident, role=AssignmentRole.ASSIST)

    scanner.scan(assist.sign_due_at)

    assert SupervisionAlert.objects.filter(assignment=assist, kind="not_signed").count() == 1


def test_a_district_passes_a_ticket_down_to_its_street_office(city, report, user, api):
    incident = report(NOISE).incident
    district_assignment = Assignment.objects.get(incident=incident)
    office = Unit.objects.get(name="道里区兆麟街道办事处")

    body = {"action": "pass_down", "unit_id": office.id, "version": incident.version}
    response = api("daoli").post(
        f"/api/v1/incidents/{incident.tracking_no}/transitions", body, format="json"
    )

    assert response.status_code == 200, response.content
    incident.refresh_from_db()
    assert incident.unit == office
    assert incident.status == IncidentStatus.DISPATCHED
    child = Assignment.objects.get(incident=incident, unit=office)
    district_assignment.refresh_from_db()
    assert district_assignment.status == AssignmentStatus.PASSED_DOWN
    assert child.parent == district_assignment
    assert child.deadline == district_assignment.deadline  # the deadline travels with it
    # The district still sees it, through the API and on its stream.
    seen = api("daoli").get(f"/api/v1/incidents/{incident.tracking_no}")
    assert seen.status_code == 200


def test_only_to_its_own_street_offices(city, report, api):
    incident = report(NOISE).incident
    water = Unit.objects.get(name="哈尔滨市水务局")
    body = {"action": "pass_down", "unit_id": water.id, "version": incident.version}
    response = api("daoli").post(
        f"/api/v1/incidents/{incident.tracking_no}/transitions", body, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"] == "unknown_unit"


# --- notices and alerts ----------------------------------------------------------------------


def test_duty_staff_issue_a_notice_and_the_unit_replies_on_its_page(city, report, duty, user):
    incident = report(NOISE).incident
    reply_by = local_minute(timezone.now() + timedelta(hours=3))

    issued = post(
        duty, incident, "issue_notice", note="请说明进展", until=reply_by, **{"from": "ticket"}
    )
    assert issued.status_code == 302
    notice = SupervisionNotice.objects.get(incident=incident)
    assert notice.assignment.unit.name == "道里区人民政府"

    daoli = signed_in(user("daoli"))
    page = daoli.get(f"/notices/{incident.tracking_no}/")
    assert page.status_code == 200
    assert "请说明进展" in page.content.decode()
    incident.refresh_from_db()
    empty = daoli.post(
        f"/notices/{incident.tracking_no}/", {"reply": "", "version": incident.version}
    )
    assert empty.status_code == 400
    done = daoli.post(
        f"/notices/{incident.tracking_no}/", {"reply": "已责令停工", "version": incident.version}
    )
    assert done.status_code == 302
    notice.refresh_from_db()
    assert notice.reply == "已责令停工"


def test_the_notice_page_is_for_the_unit_it_went_to(city, report, user):
    incident = report(NOISE).incident
    notices.issue(incident.id, user("duty"), "请说明", timezone.now() + timedelta(hours=2), None)
    assert signed_in(user("water")).get(f"/notices/{incident.tracking_no}/").status_code == 404
    assert signed_in(user("duty")).get(f"/notices/{incident.tracking_no}/").status_code == 403
    assert Client().get(f"/notices/{incident.tracking_no}/").status_code == 302


def test_a_notice_needs_a_reply_time(city, report, duty):
    incident = report(NOISE).incident
    response = post(duty, incident, "issue_notice", note="请说明", **{"from": "ticket"})
    assert response.status_code == 400
    assert not SupervisionNotice.objects.exists()


def test_alerts_are_listed_and_acknowledged_on_the_desk(city, report, duty, user):
    incident = report(NOISE).incident
    assignment = Assignment.objects.get(incident=incident)
    scanner.scan(assignment.sign_due_at)
    alert = SupervisionAlert.objects.get(incident=incident)
    assert f'id="a-{alert.id}"' in duty.get(DESK).content.decode()

    assert duty.post(f"{DESK}alerts/{alert.id}/acknowledge").status_code == 302

    alert.refresh_from_db()
    assert alert.acknowledged_by == user("duty")
    assert f'id="a-{alert.id}"' not in duty.get(DESK).content.decode()


def test_the_ticket_panel_shows_assignments_and_notices(city, report, duty, user):
    incident = report(NOISE).incident
    notices.issue(
        incident.id, user("duty"), "请说明进展", timezone.now() + timedelta(hours=2), None
    )
    page = duty.get(f"{DESK}?ticket={incident.tracking_no}").content.decode()
    assert 'id="redispatch-form"' in page
    assert "请说明进展" in page
    assert "道里区人民政府" in page


@pytest.mark.parametrize(("username", "status"), [("operator", 403), ("daoli", 403), (None, 302)])
def test_only_the_desk_acknowledges_alerts(city, report, user, username, status):
    incident = report(NOISE).incident
    scanner.scan(Assignment.objects.get(incident=incident).sign_due_at)
    alert = SupervisionAlert.objects.get(incident=incident)
    client = signed_in(user(username)) if username else Client()

    assert client.post(f"{DESK}alerts/{alert.id}/acknowledge").status_code == status

    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_the_desk_speaks_english_when_asked(queued, duty):
    page = duty.get(DESK, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Dispatch desk" in page
    assert "The location is outside every district of the city" in page
    assert "派单台" not in page


def test_a_redispatch_offers_the_sla_deadline_and_takes_one_set_by_hand(city, report, duty):
    incident = report(NOISE).incident
    page = duty.get(f"{DESK}?ticket={incident.tracking_no}").content.decode()
    form = page[page.index('id="redispatch-form"') :]
    assert 'name="proposed_until"' in form[: form.index("</form>")]
    chosen = timezone.now() + timedelta(days=3)

    response = post(
        duty,
        incident,
        "redispatch",
        unit_id=unit_id("哈尔滨市水务局"),
        note="实为供水问题，三日内办结",
        until=local_minute(chosen),
        proposed_until=local_minute(chosen + timedelta(days=4)),
        **{"from": "ticket"},
    )

    assert response.status_code == 302
    lead = Assignment.objects.filter(incident=incident).latest("id")
    assert lead.unit.name == "哈尔滨市水务局"
    assert local_minute(lead.deadline) == local_minute(chosen)


def test_only_a_district_government_passes_down_and_the_street_office_then_signs(
    city, report, user, api
):
    water_ticket = report("中央大街自来水管爆裂，水流满街").incident
    office = Unit.objects.get(name="道里区兆麟街道办事处")
    refused = api("water").post(
        f"/api/v1/incidents/{water_ticket.tracking_no}/transitions",
        {"action": "pass_down", "unit_id": office.id, "version": water_ticket.version},
        format="json",
    )
    assert refused.status_code == 409  # a department has no street offices

    incident = report(NOISE).incident
    lifecycle.apply(
        incident.id, lifecycle.Request("pass_down", actor=user("daoli"), unit_id=office.id)
    )
    clerk = get_user_model().objects.create_user("street-clerk")
    StaffProfile.objects.create(user=clerk, role=Role.UNIT_STAFF, unit=office)
    signed = lifecycle.apply(incident.id, lifecycle.Request("sign", actor=clerk))
    assert signed.status == IncidentStatus.ACCEPTED
    with pytest.raises(lifecycle.NotAllowed):  # the district has passed it on
        lifecycle.apply(incident.id, lifecycle.Request("start", actor=user("daoli")))


def test_an_assisting_unit_sees_the_ticket(city, report, duty, api):
    incident = report(NOISE).incident
    assert api("water").get(f"/api/v1/incidents/{incident.tracking_no}").status_code == 404
    post(duty, incident, "assist", unit_id=unit_id("哈尔滨市水务局"))
    assert api("water").get(f"/api/v1/incidents/{incident.tracking_no}").status_code == 200
