"""The unit console (/units/): a unit's queue, a ticket's page and every action a unit takes from
it, through the pages as a browser sends them, with the refusals each must give: another unit's
ticket is not there (404), another role is refused (403), a stale page gets the conflict."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from command import lifecycle
from command.consoles import unit_work
from command.errors import StaleUpdate
from command.models import (
    Assignment,
    AssignmentStatus,
    ExtensionStatus,
    Incident,
    IncidentStatus,
    Role,
    StaffProfile,
    SupervisionNotice,
    Unit,
    UnitKind,
)
from command.supervision import notices
from tests.conftest import BEIJING, HARBIN_STATION

pytestmark = pytest.mark.django_db


def _user(username: str):
    return get_user_model().objects.get(username=username)


NOISE = "中央大街附近工地夜间施工噪音扰民"
PIPE = "中央大街与西十二道街交口自来水管爆裂，水流满街"
STATION_NOISE = "哈尔滨站附近工地夜间施工噪音扰民"


@pytest.fixture
def browser_of(user):
    """A signed-in browser (Django's test client) of one of the demo users."""

    def signed_in(username: str) -> Client:
        client = Client()
        client.force_login(user(username))
        return client

    return signed_in


@pytest.fixture
def daoli_ticket(city, report) -> Incident:
    """A noise complaint on 中央大街, dispatched to 道里区人民政府 (its staff: daoli)."""
    incident = report(NOISE).incident
    assert incident.unit.name == "道里区人民政府"
    return incident


def page(response) -> str:
    return response.content.decode()


def fresh(incident: Incident) -> Incident:
    return Incident.objects.get(pk=incident.pk)


def post(client: Client, incident: Incident, action: str, **fields):
    """What the ticket's form sends: the action, and the version the page showed."""
    body = {"action": action, "version": fields.pop("version", incident.version), **fields}
    return client.post(f"/units/{incident.tracking_no}/act", body)


def queue_order(html: str) -> list[str]:
    return re.findall(r'data-tracking-no="([^"]+)"', html)


# --- the queue ---------------------------------------------------------------------------------


def test_the_queue_lists_overdue_tickets_first_then_by_time_left(city, report, browser_of):
    now = timezone.now()
    later = report(NOISE).incident  # 7 working days left
    overdue = report(STATION_NOISE, at=HARBIN_STATION, now=now - timedelta(days=20)).incident
    sooner = report(
        "中央大街附近商铺高音喇叭噪音扰民", at=(45.7790, 126.6177), now=now - timedelta(days=3)
    ).incident
    assert {i.unit.name for i in (later, sooner)} == {"道里区人民政府"}
    # The station is in 南岗区: hand it to 道里区 (a misroute) so daoli's queue holds three.
    lifecycle.apply(
        overdue.id,
        lifecycle.Request("return", actor=_user("nangang"), note="不在本区"),
    )
    lifecycle.apply(
        overdue.id,
        lifecycle.Request("dispatch", actor=_user("duty"), unit_id=later.unit_id),
        now=now - timedelta(days=15),
    )

    response = browser_of("daoli").get("/units/")

    assert response.status_code == 200
    assert queue_order(page(response)) == [
        overdue.tracking_no,
        sooner.tracking_no,
        later.tracking_no,
    ]
    assert "超时" in page(response)


def test_the_queue_filters_and_searches(city, report, browser_of, daoli_ticket):
    other = report("中央大街附近商铺高音喇叭噪音扰民", at=(45.7790, 126.6177)).incident
    lifecycle.apply(other.id, lifecycle.Request("sign", actor=_user("daoli")))
    client = browser_of("daoli")

    to_sign = queue_order(page(client.get("/units/?status=to_sign")))
    in_hand = queue_order(page(client.get("/units/?status=in_hand")))
    found = queue_order(page(client.get("/units/", {"q": "高音喇叭"})))
    by_number = queue_order(page(client.get("/units/", {"q": daoli_ticket.tracking_no})))
    none = queue_order(page(client.get("/units/?category=heating")))

    assert to_sign == [daoli_ticket.tracking_no]
    assert in_hand == [other.tracking_no]
    assert found == [other.tracking_no]
    assert by_number == [daoli_ticket.tracking_no]
    assert none == []


def test_the_queue_rows_alone_are_what_the_live_page_reloads(browser_of, daoli_ticket):
    rows = browser_of("daoli").get("/units/?rows=1")

    assert rows.status_code == 200
    assert "<html" not in page(rows)
    assert queue_order(page(rows)) == [daoli_ticket.tracking_no]


def test_phone_numbers_are_masked_for_unit_staff(city, report, browser_of):
    incident = report(
        "中央大街附近工地夜间施工噪音扰民，联系电话13912345678", reporter_phone="13912345678"
    ).incident
    client = browser_of("daoli")

    listed = page(client.get("/units/"))
    shown = page(client.get(f"/units/{incident.tracking_no}/"))

    assert "13912345678" not in listed + shown
    assert "139****5678" in shown


# --- who sees what -----------------------------------------------------------------------------


def test_a_unit_never_sees_or_acts_on_another_units_ticket(city, report, browser_of):
    water = report(PIPE).incident
    assert water.unit.name == "哈尔滨市水务局"
    client = browser_of("daoli")
    before = fresh(water).version

    listed = queue_order(page(client.get("/units/?status=all")))
    detail = client.get(f"/units/{water.tracking_no}/")
    acted = post(client, water, "sign")
    photo = client.post(f"/units/{water.tracking_no}/photos", {"version": water.version})

    assert water.tracking_no not in listed
    assert detail.status_code == 404
    assert acted.status_code == 404
    assert photo.status_code == 404
    assert "不属于您的单位" in page(detail)
    assert fresh(water).version == before
    assert fresh(water).status == IncidentStatus.DISPATCHED


def test_a_ticket_handed_back_leaves_the_units_console(browser_of, daoli_ticket):
    client = browser_of("daoli")
    post(client, daoli_ticket, "return", note="不属于本单位职责")

    assert queue_order(page(client.get("/units/?status=all"))) == []
    assert client.get(f"/units/{daoli_ticket.tracking_no}/").status_code == 404


@pytest.fixture
def street_office(city) -> Unit:
    """A sub-unit of 道里区人民政府, with its own staff member."""
    parent = Unit.objects.get(name="道里区人民政府")
    office = Unit.objects.create(
        name="道里区测试街道办事处", kind=UnitKind.STREET_OFFICE, parent=parent
    )
    clerk = get_user_model().objects.create_user("street")
    StaffProfile.objects.create(user=clerk, role=Role.UNIT_STAFF, unit=office)
    return office


def test_a_parent_unit_sees_its_sub_units_tickets_but_does_not_act_for_them(
    report, browser_of, street_office
):
    incident = report(NOISE, at=BEIJING).incident  # no district: waits for dispatch
    incident = lifecycle.apply(
        incident.id,
        lifecycle.Request("dispatch", actor=_user("duty"), unit_id=street_office.id),
    )
    parent, office = browser_of("daoli"), browser_of("street")

    assert queue_order(page(parent.get("/units/"))) == [incident.tracking_no]
    shown = parent.get(f"/units/{incident.tracking_no}/")
    assert shown.status_code == 200
    assert 'id="no-actions"' in page(shown)
    refused = post(parent, incident, "sign")
    assert refused.status_code == 403
    assert fresh(incident).status == IncidentStatus.DISPATCHED

    assert 'id="form-sign"' in page(office.get(f"/units/{incident.tracking_no}/"))
    assert post(office, incident, "sign").status_code == 302
    assert fresh(incident).status == IncidentStatus.ACCEPTED


def test_a_sub_unit_does_not_see_its_parents_tickets(browser_of, daoli_ticket, street_office):
    office = browser_of("street")

    assert queue_order(page(office.get("/units/?status=all"))) == []
    assert office.get(f"/units/{daoli_ticket.tracking_no}/").status_code == 404
    assert post(office, daoli_ticket, "sign").status_code == 404


@pytest.mark.parametrize("username", ["operator", "duty", "leader", "intake"])
def test_other_roles_are_refused_on_every_page_and_action(username, browser_of, daoli_ticket):
    client = browser_of(username)
    ticket = f"/units/{daoli_ticket.tracking_no}/"

    answers = [
        client.get("/units/"),
        client.get(ticket),
        post(client, daoli_ticket, "sign"),
        client.post(f"{ticket[:-1]}/photos", {"version": 1}),
        client.get(f"{ticket[:-1]}/photos/1"),
    ]

    assert [a.status_code for a in answers] == [403] * 5
    assert "单位工作台只供承办单位人员" in page(answers[0])
    assert fresh(daoli_ticket).status == IncidentStatus.DISPATCHED


def test_signed_out_visitors_go_to_the_sign_in_page(daoli_ticket):
    client = Client()
    for url in ("/units/", f"/units/{daoli_ticket.tracking_no}/"):
        answer = client.get(url)
        assert answer.status_code == 302
        assert answer["Location"].startswith("/accounts/login/")
    assert post(client, daoli_ticket, "sign").status_code == 302
    assert fresh(daoli_ticket).status == IncidentStatus.DISPATCHED


# --- every action from the ticket's page -------------------------------------------------------


def test_the_page_offers_only_what_the_lifecycle_allows_now(browser_of, daoli_ticket):
    client = browser_of("daoli")
    url = f"/units/{daoli_ticket.tracking_no}/"

    dispatched = page(client.get(url))
    post(client, daoli_ticket, "sign")
    signed = page(client.get(url))

    # 道里区人民政府 is a district government with street offices: it may pass tickets down.
    assert re.findall(r'id="form-([a-z_]+)"', dispatched) == ["sign", "return", "pass_down"]
    assert re.findall(r'id="form-([a-z_]+)"', signed) == [
        "start",
        "note",
        "photo",
        "request_extension",
        "return",
        "resolve",
        "pass_down",
    ]


def test_sign_note_and_resolve_from_the_page(browser_of, daoli_ticket):
    client = browser_of("daoli")
    incident = daoli_ticket

    signed = post(client, incident, "sign")
    incident = fresh(incident)
    noted = post(client, incident, "note", note="已到现场，工地已停工")
    incident = fresh(incident)
    resolved = post(client, incident, "resolve", note="已责令工地夜间停止施工")

    assert [signed.status_code, noted.status_code, resolved.status_code] == [302, 302, 302]
    incident = fresh(incident)
    assert incident.status == IncidentStatus.RESOLVED
    assignment = Assignment.objects.get(incident=incident)
    assert assignment.accepted_at is not None
    assert assignment.note == "已责令工地夜间停止施工"
    steps = list(incident.timeline.values_list("action", "note"))
    assert steps[-3:] == [
        ("sign", ""),
        ("note", "已到现场，工地已停工"),
        ("resolve", "已责令工地夜间停止施工"),
    ]
    shown = page(client.get(f"/units/{incident.tracking_no}/"))
    assert "已到现场，工地已停工" in shown
    assert 'id="no-actions"' in shown


def test_a_note_keeps_the_status_and_moves_the_version(browser_of, daoli_ticket):
    client = browser_of("daoli")
    post(client, daoli_ticket, "sign")
    signed = fresh(daoli_ticket)

    post(client, signed, "note", note="联系施工方")

    noted = fresh(signed)
    assert noted.status == IncidentStatus.ACCEPTED
    assert noted.version == signed.version + 1


def test_start_moves_the_ticket_in_hand(browser_of, daoli_ticket):
    client = browser_of("daoli")
    post(client, daoli_ticket, "sign")

    post(client, fresh(daoli_ticket), "start")

    assert fresh(daoli_ticket).status == IncidentStatus.IN_PROGRESS


def test_a_misrouted_ticket_goes_back_to_the_dispatch_queue(browser_of, daoli_ticket):
    answer = post(browser_of("daoli"), daoli_ticket, "return", note="属于市水务局职责")

    assert answer.status_code == 302
    incident = fresh(daoli_ticket)
    assert incident.status == IncidentStatus.RETURNED
    assert incident.unit is None
    assert Assignment.objects.get(incident=incident).status == AssignmentStatus.RETURNED
    assert incident.timeline.last().note == "属于市水务局职责"


def test_the_deadline_moves_only_when_duty_staff_approve_the_extension(browser_of, daoli_ticket):
    client = browser_of("daoli")
    post(client, daoli_ticket, "sign")
    incident = fresh(daoli_ticket)
    deadline = incident.deadline
    until = timezone.localtime(deadline + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")

    asked = post(client, incident, "request_extension", until=until, note="需协调多个部门")

    assert asked.status_code == 302
    incident = fresh(incident)
    assert incident.deadline == deadline
    assignment = Assignment.objects.get(incident=incident)
    assert assignment.extension_status == ExtensionStatus.REQUESTED
    shown = page(client.get(f"/units/{incident.tracking_no}/"))
    assert 'id="extension-waiting"' in shown
    assert 'id="form-request_extension"' not in shown  # one request at a time

    lifecycle.apply(incident.id, lifecycle.Request("approve_extension", actor=_user("duty")))

    asked_for = timezone.make_aware(datetime.fromisoformat(until))
    assert fresh(incident).deadline == asked_for
    assert asked_for > deadline


def test_a_refused_extension_leaves_the_deadline(browser_of, daoli_ticket):
    client = browser_of("daoli")
    post(client, daoli_ticket, "sign")
    incident = fresh(daoli_ticket)
    until = timezone.localtime(incident.deadline + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    post(client, incident, "request_extension", until=until, note="材料未到")

    lifecycle.apply(
        incident.id, lifecycle.Request("reject_extension", actor=_user("duty"), note="可按期办结")
    )

    assert fresh(incident).deadline == incident.deadline
    assert Assignment.objects.get(incident=incident).extension_status == ExtensionStatus.REJECTED


# --- refusals: a clear message, never a 500 -----------------------------------------------------


@pytest.mark.parametrize(
    ("action", "fields", "status", "message"),
    [
        ("resolve", {"note": " "}, 400, "请填写说明或理由"),
        ("return", {"note": ""}, 400, "请填写说明或理由"),
        ("note", {"note": ""}, 400, "请填写说明或理由"),
        ("request_extension", {"note": "理由", "until": "2001-01-01T08:00"}, 400, "必须晚于"),
        ("request_extension", {"note": "理由", "until": "下周"}, 400, "until"),
        ("request_extension", {"note": "理由"}, 400, "until"),
        ("close", {}, 400, "action"),
        ("sign", {}, 409, "不允许这个操作"),  # signed already
        ("resolve", {"note": "x", "version": "abc"}, 400, "version"),
        ("resolve", {"note": "x", "version": ""}, 400, "version"),
        ("resolve", {"note": "x", "version": "99999999999999999999"}, 400, "version"),
    ],
)
def test_bad_input_gets_a_clear_message_and_changes_nothing(
    browser_of, daoli_ticket, action, fields, status, message
):
    client = browser_of("daoli")
    post(client, daoli_ticket, "sign")
    signed = fresh(daoli_ticket)

    answer = post(client, signed, action, **fields)

    assert answer.status_code == status
    assert message in page(answer)
    assert fresh(signed).version == signed.version


def test_a_get_on_an_action_is_not_allowed(browser_of, daoli_ticket):
    answer = browser_of("daoli").get(f"/units/{daoli_ticket.tracking_no}/act")
    assert answer.status_code == 405


def test_an_unknown_ticket_is_a_404_page(browser_of, city):
    client = browser_of("daoli")
    assert client.get("/units/20991231-9999/").status_code == 404
    assert client.get("/units/not%00a-number/").status_code == 404


# --- two people at once -------------------------------------------------------------------------


def test_two_people_on_one_page_version_one_wins_the_other_sees_the_conflict(
    browser_of, daoli_ticket, city
):
    colleague = get_user_model().objects.create_user("daoli2")
    StaffProfile.objects.create(user=colleague, role=Role.UNIT_STAFF, unit=daoli_ticket.unit)
    first, second = browser_of("daoli"), browser_of("daoli2")
    seen = fresh(daoli_ticket)  # both pages were opened at this version

    won = post(first, seen, "sign")
    lost = post(second, seen, "return", note="不属于本单位")

    assert won.status_code == 302
    assert lost.status_code == 409
    shown = page(lost)
    assert "刚被其他人更新过" in shown
    assert 'data-status="accepted"' in shown  # the new state, as it is now
    assert f'data-version="{seen.version + 1}"' in shown
    incident = fresh(seen)
    assert incident.status == IncidentStatus.ACCEPTED
    assert incident.timeline.filter(action="return").count() == 0


def test_unit_work_refuses_a_stale_version_without_http(user, daoli_ticket):
    desk = unit_work.desk_of(user("daoli"))
    unit_work.act(desk, daoli_ticket.tracking_no, "sign", {"version": daoli_ticket.version})

    with pytest.raises(StaleUpdate):
        unit_work.act(
            desk,
            daoli_ticket.tracking_no,
            "resolve",
            {"version": daoli_ticket.version, "note": "x"},
        )


def test_acting_on_a_ticket_a_colleague_handed_back_meanwhile_is_a_conflict(
    browser_of, daoli_ticket
):
    colleague = get_user_model().objects.create_user("daoli2")
    StaffProfile.objects.create(user=colleague, role=Role.UNIT_STAFF, unit=daoli_ticket.unit)
    seen = fresh(daoli_ticket)

    post(browser_of("daoli2"), seen, "return", note="不属于本单位")
    late = post(browser_of("daoli"), seen, "sign")

    assert late.status_code == 409
    assert "刚被本单位其他人退回" in page(late)
    assert fresh(seen).status == IncidentStatus.RETURNED


def test_a_hand_back_committed_while_the_action_waited_for_the_lock_is_a_conflict_too(
    browser_of, daoli_ticket, monkeypatch
):
    """The other order of the race PostgreSQL showed: the page's action passed the check that
    the unit still holds the ticket, then a colleague's hand-back committed before the action
    took the lock. Its stale version loses, and the ticket it would show is gone."""
    colleague = get_user_model().objects.create_user("daoli2")
    StaffProfile.objects.create(user=colleague, role=Role.UNIT_STAFF, unit=daoli_ticket.unit)
    seen = fresh(daoli_ticket)
    held = unit_work._still_held

    def then_the_colleague_hands_it_back(desk, tracking_no):
        incident = held(desk, tracking_no)
        monkeypatch.setattr(unit_work, "_still_held", held)  # the colleague's own way through
        post(browser_of("daoli2"), seen, "return", note="不属于本单位")
        return incident

    monkeypatch.setattr(unit_work, "_still_held", then_the_colleague_hands_it_back)
    late = post(browser_of("daoli"), seen, "sign")

    assert late.status_code == 409
    assert "刚被本单位其他人退回" in page(late)
    assert fresh(seen).status == IncidentStatus.RETURNED


def test_the_console_speaks_english_when_asked(browser_of, daoli_ticket):
    client = browser_of("daoli")
    post(client, daoli_ticket, "sign")

    queue = page(client.get("/units/", HTTP_ACCEPT_LANGUAGE="en"))
    ticket = page(client.get(f"/units/{daoli_ticket.tracking_no}/", HTTP_ACCEPT_LANGUAGE="en"))

    assert "Tracking number" in queue
    assert "Overdue only" in queue
    assert "What you can do now" in ticket
    assert "Progress note" in ticket
    assert "办理记录" not in ticket


def test_tickets_waiting_past_their_sign_limit_are_tagged(city, report, browser_of):
    late = report(NOISE, now=timezone.now() - timedelta(days=4)).incident  # 1 working day
    fresh_one = report(STATION_NOISE, at=HARBIN_STATION).incident  # 南岗区: not daoli's
    on_time = report("中央大街附近商铺高音喇叭噪音扰民", at=(45.7790, 126.6177)).incident
    assert fresh_one.unit.name == "南岗区人民政府"

    rows = page(browser_of("daoli").get("/units/?rows=1"))

    tagged = re.findall(r'data-tracking-no="([^"]+)"[^>]*>(?:(?!</tr>).)*签收超时', rows, re.S)
    assert tagged == [late.tracking_no]
    assert on_time.tracking_no in rows


# --- passing down, assisting, answering a notice -------------------------------------------------


def _office(name: str = "道里区兆麟街道办事处") -> Unit:
    return Unit.objects.get(name=name)


def test_a_district_passes_a_ticket_down_to_its_street_office_and_still_sees_it(
    browser_of, daoli_ticket
):
    district, office = browser_of("daoli"), browser_of("zhaolin")
    street = _office()
    before = page(district.get(f"/units/{daoli_ticket.tracking_no}/"))
    # The form offers the district's own active street offices, and nothing else.
    offered = re.findall(r'<option value="(\d+)">([^<]+)</option>', before)
    assert {name for _, name in offered} == {"道里区兆麟街道办事处", "道里区新阳路街道办事处"}
    assert queue_order(page(office.get("/units/"))) == []

    response = post(district, daoli_ticket, "pass_down", unit_id=street.id)

    assert response.status_code == 302
    incident = fresh(daoli_ticket)
    assert incident.unit == street
    assert incident.status == IncidentStatus.DISPATCHED
    assert incident.deadline == daoli_ticket.deadline  # the deadline travels with it
    child = Assignment.objects.get(incident=incident, unit=street, ended_at__isnull=True)
    assert child.deadline == daoli_ticket.deadline
    assert child.parent.status == AssignmentStatus.PASSED_DOWN
    # The street office has it to sign; the district still sees it but no longer acts on it.
    assert queue_order(page(office.get("/units/"))) == [incident.tracking_no]
    office_page = page(office.get(f"/units/{incident.tracking_no}/"))
    assert re.findall(r'id="form-([a-z_]+)"', office_page) == ["sign", "return"]
    assert queue_order(page(district.get("/units/"))) == [incident.tracking_no]
    district_page = district.get(f"/units/{incident.tracking_no}/")
    assert district_page.status_code == 200
    assert 'id="no-actions"' in page(district_page)


def test_passing_down_is_only_to_the_districts_own_active_street_offices(browser_of, daoli_ticket):
    district = browser_of("daoli")
    elsewhere = Unit.objects.create(
        name="南岗区测试街道办事处",
        kind=UnitKind.STREET_OFFICE,
        parent=Unit.objects.get(name="南岗区人民政府"),
    )
    closed = _office("道里区新阳路街道办事处")
    closed.active = False
    closed.save()

    shown = page(district.get(f"/units/{daoli_ticket.tracking_no}/"))
    assert "道里区新阳路街道办事处" not in shown
    for unit_id in (elsewhere.id, closed.id, "", "abc"):
        refused = post(district, daoli_ticket, "pass_down", unit_id=unit_id)
        assert refused.status_code == 400, unit_id
        assert 'id="error"' in page(refused)
    incident = fresh(daoli_ticket)
    assert incident.unit.name == "道里区人民政府"
    assert incident.version == daoli_ticket.version


def test_a_street_office_or_another_unit_cannot_pass_down(browser_of, daoli_ticket):
    street = _office()
    # Another unit: the ticket is not there.
    other = post(browser_of("nangang"), daoli_ticket, "pass_down", unit_id=street.id)
    assert other.status_code == 404
    # The street office, once it has the ticket, has no street offices of its own.
    post(browser_of("daoli"), daoli_ticket, "pass_down", unit_id=street.id)
    office = browser_of("zhaolin")
    incident = fresh(daoli_ticket)
    assert "form-pass_down" not in page(office.get(f"/units/{incident.tracking_no}/"))
    refused = post(office, incident, "pass_down", unit_id=street.id)
    assert refused.status_code == 409
    assert fresh(incident).version == incident.version


def test_passing_down_a_stale_page_is_a_conflict_showing_the_new_state(browser_of, daoli_ticket):
    district = browser_of("daoli")
    seen = fresh(daoli_ticket)
    post(district, seen, "sign")

    lost = post(district, seen, "pass_down", unit_id=_office().id)

    assert lost.status_code == 409
    assert "刚被其他人更新过" in page(lost)
    assert 'data-status="accepted"' in page(lost)
    assert fresh(seen).unit.name == "道里区人民政府"


@pytest.fixture
def assisted(user, daoli_ticket) -> Incident:
    """daoli's ticket, with 哈尔滨市水务局 (its staff: water) added by duty staff to assist."""
    water = Unit.objects.get(name="哈尔滨市水务局")
    return lifecycle.apply(
        daoli_ticket.id, lifecycle.Request("assist", actor=user("duty"), unit_id=water.id)
    )


def _assist(incident: Incident) -> Assignment:
    return Assignment.objects.get(incident=incident, role="assist")


def test_an_assisting_unit_sees_the_ticket_in_its_queue_signs_and_finishes_its_part(
    browser_of, assisted
):
    water = browser_of("water")
    url = f"/units/{assisted.tracking_no}/"

    assert queue_order(page(water.get("/units/"))) == [assisted.tracking_no]
    assert queue_order(page(water.get("/units/?status=to_sign"))) == [assisted.tracking_no]
    assert re.findall(r'id="form-([a-z_]+)"', page(water.get(url))) == ["sign_assist"]
    # The lead unit keeps its own steps: the assisting assignment is not the one it is with.
    lead_forms = re.findall(r'id="form-([a-z_]+)"', page(browser_of("daoli").get(url)))
    assert lead_forms == ["sign", "return", "pass_down"]

    assert post(water, assisted, "sign_assist").status_code == 302
    assert _assist(assisted).status == AssignmentStatus.ACCEPTED
    incident = fresh(assisted)
    assert incident.status == IncidentStatus.DISPATCHED  # the lead's status stays
    signed = page(water.get(url))
    assert re.findall(r'id="form-([a-z_]+)"', signed) == ["finish_assist"]
    assert 'id="assist-status"' in signed

    assert post(water, incident, "finish_assist").status_code == 400  # a result is required
    assert _assist(assisted).status == AssignmentStatus.ACCEPTED
    done = post(water, incident, "finish_assist", note="已关闭上游阀门，配合完成")
    assert done.status_code == 302
    assignment = _assist(assisted)
    assert assignment.status == AssignmentStatus.RESOLVED
    assert assignment.note == "已关闭上游阀门，配合完成"
    assert 'id="no-actions"' in page(water.get(url))
    assert queue_order(page(water.get("/units/"))) == []  # its part is done


def test_assist_actions_are_refused_for_other_units_and_stale_pages(browser_of, assisted):
    # Another unit: not there. The lead unit: not its assignment (the lifecycle refuses).
    assert post(browser_of("nangang"), assisted, "sign_assist").status_code == 404
    assert post(browser_of("daoli"), assisted, "sign_assist").status_code == 403
    assert _assist(assisted).status == AssignmentStatus.DISPATCHED

    water = browser_of("water")
    seen = fresh(assisted)
    lifecycle.apply(seen.id, lifecycle.Request("sign", actor=_user("daoli")))
    lost = post(water, seen, "sign_assist")

    assert lost.status_code == 409
    assert "刚被其他人更新过" in page(lost)
    assert 'data-status="accepted"' in page(lost)
    assert _assist(assisted).status == AssignmentStatus.DISPATCHED


@pytest.fixture
def noticed(user, daoli_ticket) -> Incident:
    """daoli's ticket, signed, with a supervision notice from duty staff waiting for a reply."""
    lifecycle.apply(daoli_ticket.id, lifecycle.Request("sign", actor=user("daoli")))
    return notices.issue(
        daoli_ticket.id, user("duty"), "请说明夜间施工噪音的处置进度", REPLY_BY, version=None
    )


# The console shows local time (Asia/Shanghai).
REPLY_BY = datetime(2099, 3, 4, 5, 6, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_a_notice_to_the_unit_is_shown_with_its_reply_by_time_and_answered_there(
    browser_of, noticed
):
    client = browser_of("daoli")
    url = f"/units/{noticed.tracking_no}/"

    shown = page(client.get(url))
    assert "请说明夜间施工噪音的处置进度" in shown
    assert '<span id="notice-reply-by">2099-03-04 05:06</span>' in shown
    assert f'href="/notices/{noticed.tracking_no}/"' in shown
    assert "form-reply_notice" in shown

    assert post(client, noticed, "reply_notice").status_code == 400  # a reply is required
    answered = post(client, noticed, "reply_notice", note="已责令停工，明日复查")
    assert answered.status_code == 302
    notice = SupervisionNotice.objects.get(incident=noticed)
    assert notice.reply == "已责令停工，明日复查"
    assert notice.replied_by == _user("daoli")
    after = page(client.get(url))
    assert "form-reply_notice" not in after
    assert 'id="notice"' not in after
    assert fresh(noticed).status == IncidentStatus.ACCEPTED


def test_a_notice_reply_is_refused_for_other_units_and_stale_pages(browser_of, noticed, user):
    water = Unit.objects.get(name="哈尔滨市水务局")
    lifecycle.apply(noticed.id, lifecycle.Request("assist", actor=user("duty"), unit_id=water.id))
    incident = fresh(noticed)
    # Another unit: not there. An assisting unit sees the ticket but not the lead's notice.
    assert post(browser_of("nangang"), incident, "reply_notice", note="x").status_code == 404
    helper = browser_of("water")
    assert "form-reply_notice" not in page(helper.get(f"/units/{incident.tracking_no}/"))
    assert post(helper, incident, "reply_notice", note="x").status_code == 403

    client = browser_of("daoli")
    post(client, incident, "note", note="已到现场")
    lost = post(client, incident, "reply_notice", note="已处理")

    assert lost.status_code == 409
    assert "刚被其他人更新过" in page(lost)
    assert f'data-version="{incident.version + 1}"' in page(lost)
    assert SupervisionNotice.objects.get(incident=incident).replied_at is None
