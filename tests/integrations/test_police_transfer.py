"""Transfer to 110 (移交110): duty staff transfer a police-business incident in one action (the
lifecycle, and the dispatch desk's button); the transfer goes out as a signed delivery to 110's
transfer address; 110's answers are recorded on the timeline, 不属于公安职责 putting it back in
the dispatch queue."""

from __future__ import annotations

import pytest
from django.test import Client

from command import lifecycle
from command.consoles import queue
from command.errors import NotAllowed, NoteRequired, NotPoliceBusiness, NoTransferTarget
from command.models import AssignmentStatus, Incident, IncidentStatus, TimelineEntry
from command.outbox import relay
from integrations.feeds import delivery, transfer
from integrations.models import DeliveryKind, DeliveryState, FeedDelivery, FeedSystem
from tests.feed_receiver import Receiver, receiving

pytestmark = pytest.mark.django_db

SECRET = "transfer-test-secret-not-a-real-one"
FIGHT = "中央大街有人打架斗殴，报警人电话13812341234"
NOISE = "中央大街附近工地夜间施工噪音扰民"
REASON = "现场斗殴有人受伤，属公安职责"


@pytest.fixture
def receiver() -> Receiver:
    with receiving(SECRET) as running:
        yield running


@pytest.fixture
def police(city, receiver) -> FeedSystem:
    return FeedSystem.objects.create(
        code="hrb-110",
        name="哈尔滨市110接处警平台",
        kind="110",
        source_code="110",
        secret=SECRET,
        transfer_url=f"{receiver.url}/110/transfer",
    )


@pytest.fixture
def fight(police, report) -> Incident:
    incident = report(FIGHT).incident
    assert incident.category.code == "public_security"
    assert incident.status == IncidentStatus.DISPATCHED  # to the city's police bureau unit
    return incident


def transfer_it(incident: Incident, actor, note: str = REASON) -> Incident:
    request = lifecycle.Request("transfer_to_police", actor=actor, note=note)
    return lifecycle.apply(incident.id, request)


@pytest.mark.parametrize("username", ["duty", "leader"])
def test_duty_staff_transfer_police_business_closed_as_transferred(fight, user, username):
    before = fight.version

    done = transfer_it(fight, user(username))

    assert done.status == IncidentStatus.CLOSED
    assert done.unit is None
    assert done.deadline is None
    assert done.closed_at is not None
    assert done.version == before + 1
    entry = TimelineEntry.objects.filter(incident=fight).order_by("-id").first()
    assert (entry.action, entry.from_status, entry.to_status) == (
        "transfer_to_police",
        "dispatched",
        "closed",
    )
    assert entry.note == REASON
    assert entry.actor.username == username
    assert entry.data["to"] == "哈尔滨市110接处警平台"
    assert entry.data["previous_unit"]["name"] == "哈尔滨市公安局"
    assignment = fight.assignments.get()
    assert assignment.status == AssignmentStatus.CANCELLED
    assert assignment.ended_at is not None


@pytest.mark.parametrize("username", ["operator", "daoli", "intake"])
def test_other_roles_may_not_transfer(fight, user, username):
    with pytest.raises(NotAllowed):
        transfer_it(fight, user(username))
    assert Incident.objects.get(pk=fight.pk).status == IncidentStatus.DISPATCHED


def test_an_incident_that_is_not_police_business_is_refused(police, report, user):
    noise = report(NOISE).incident
    with pytest.raises(NotPoliceBusiness):
        transfer_it(noise, user("duty"))
    assert not TimelineEntry.objects.filter(incident=noise, action="transfer_to_police").exists()


def test_the_police_categories_are_a_setting(police, report, user, settings):
    settings.CITYDESK = {**settings.CITYDESK, "POLICE_CATEGORIES": ["noise"]}
    noise = report(NOISE).incident
    assert transfer_it(noise, user("duty")).status == IncidentStatus.CLOSED


def test_a_transfer_needs_a_reason_and_a_110_system(fight, user):
    with pytest.raises(NoteRequired):
        transfer_it(fight, user("duty"), note=" ")
    FeedSystem.objects.update(transfer_url="")
    with pytest.raises(NoTransferTarget):
        transfer_it(fight, user("duty"))
    assert Incident.objects.get(pk=fight.pk).status == IncidentStatus.DISPATCHED


def test_a_closed_incident_cannot_be_transferred_again(fight, user):
    transfer_it(fight, user("duty"))
    with pytest.raises(lifecycle.IllegalTransition):
        transfer_it(fight, user("leader"))


def test_the_transfer_is_posted_to_110_signed_once(fight, user, receiver, eager_tasks):
    transfer_it(fight, user("duty"))
    relay.relay_waiting()  # the listener's scan queues the delivery

    row = FeedDelivery.objects.get(kind=DeliveryKind.TRANSFER)
    assert row.system.code == "hrb-110"
    assert delivery.send_due() == 1
    assert delivery.send_due() == 0

    assert receiver.refused == []
    [body] = receiver.bodies("/110/transfer")
    assert body["type"] == "transfer"
    assert body["tracking_no"] == fight.tracking_no
    assert body["category"] == "社会治安"
    assert body["reason"] == REASON
    assert body["seq"] == row.seq
    assert body["lat"] == pytest.approx(fight.lat)
    assert "13812341234" not in str(body)  # the summary is the masked one
    row.refresh_from_db()
    assert row.state == DeliveryState.SENT


def test_a_transfer_that_110_does_not_take_is_retried(fight, user, receiver, eager_tasks):
    from datetime import timedelta

    from django.utils import timezone

    receiver.fail_first = 1
    transfer_it(fight, user("duty"))
    relay.relay_waiting()
    now = timezone.now()

    assert delivery.send_due(now) == 0
    assert delivery.send_due(now + timedelta(seconds=delivery.backoff(1))) == 1
    assert len(receiver.bodies("/110/transfer")) == 1
    assert FeedDelivery.objects.get().attempts == 2


# --- the dispatch desk -------------------------------------------------------------------------


def desk_as(user, username: str) -> Client:
    client = Client()
    client.force_login(user(username))
    return client


def test_the_desk_offers_the_button_for_police_business_only(fight, report, user):
    noise = report(NOISE).incident
    client = desk_as(user, "duty")

    police_page = client.get("/dispatch/", {"ticket": fight.tracking_no}).content.decode()
    noise_page = client.get("/dispatch/", {"ticket": noise.tracking_no}).content.decode()

    assert 'id="transfer-form"' in police_page
    assert "移交110" in police_page
    assert 'id="transfer-form"' not in noise_page


def test_the_desk_transfers_with_a_reason(fight, user):
    client = desk_as(user, "duty")
    answer = client.post(
        f"/dispatch/{fight.tracking_no}/transfer_to_police",
        {"version": fight.version, "note": REASON, "from": "ticket"},
    )

    assert answer.status_code == 302
    assert Incident.objects.get(pk=fight.pk).status == IncidentStatus.CLOSED
    page = client.get(answer.url).content.decode()
    assert f"工单 {fight.tracking_no}：移交110 已完成。" in page


def test_the_ticket_shows_its_transfer_and_110s_answers_masked(fight, user, police):
    transfer_it(fight, user("duty"), note="伤者家属电话13912345678，请尽快出警")
    answer(police, fight.tracking_no, "已出警", fknr="民警已到场")

    page = desk_as(user, "duty").get("/dispatch/", {"ticket": fight.tracking_no})

    shown = page.content.decode()
    assert 'id="ticket-transfers"' in shown
    assert "移交哈尔滨市110接处警平台：伤者家属电话139****5678，请尽快出警" in shown
    assert "110反馈：已出警。民警已到场" in shown
    assert "13912345678" not in shown
    assert 'id="transfer-form"' not in shown  # closed as transferred


def test_the_desk_refuses_a_transfer_of_other_business_with_a_message(police, report, user):
    noise = report(NOISE).incident
    client = desk_as(user, "leader")

    answer = client.post(
        f"/dispatch/{noise.tracking_no}/transfer_to_police",
        {"version": noise.version, "note": REASON, "from": "ticket"},
    )

    assert answer.status_code == 409
    assert "不属于公安业务类别，不能移交110" in answer.content.decode()
    assert Incident.objects.get(pk=noise.pk).status == IncidentStatus.DISPATCHED


def test_an_operator_cannot_use_the_desk_to_transfer(fight, user):
    answer = desk_as(user, "operator").post(
        f"/dispatch/{fight.tracking_no}/transfer_to_police",
        {"version": fight.version, "note": REASON},
    )
    assert answer.status_code == 403
    assert Incident.objects.get(pk=fight.pk).status == IncidentStatus.DISPATCHED


# --- 110's answer ----------------------------------------------------------------------------


def answer(police: FeedSystem, tracking_no: str, fkzt: str, record: str = "HRB110-1", **more):
    return transfer.receive_answer(
        police, {"jjdbh": record, "yjdh": tracking_no, "fkzt": fkzt, **more}
    )


@pytest.mark.parametrize("fkzt", ["已受理", "已出警", "已处置"])
def test_an_answer_goes_on_the_timeline_and_the_incident_stays_closed(fight, user, police, fkzt):
    transfer_it(fight, user("duty"))

    result = answer(police, fight.tracking_no, fkzt, fknr="民警已到场，联系13812341234")

    assert result == {"id": "HRB110-1", "ok": True, "tracking_no": fight.tracking_no,
                      "answer": fkzt}  # fmt: skip
    incident = Incident.objects.get(pk=fight.pk)
    assert incident.status == IncidentStatus.CLOSED
    entry = TimelineEntry.objects.filter(incident=fight).order_by("-id").first()
    assert entry.action == "police_answer"
    assert entry.actor is None
    assert entry.actor_label == "feed:hrb-110"
    assert entry.note.startswith(f"110反馈：{fkzt}。民警已到场")
    assert "13812341234" not in entry.note
    assert entry.data["fkzt"] == fkzt


def test_not_police_business_puts_it_back_in_the_dispatch_queue(fight, user, police):
    from django.utils import timezone

    transfer_it(fight, user("duty"))

    result = answer(police, fight.tracking_no, "不属于公安职责")

    assert result["ok"] is True
    incident = Incident.objects.get(pk=fight.pk)
    assert incident.status == IncidentStatus.REOPENED
    assert incident.closed_at is None
    waiting = {item.incident.id: item for item in queue.queue(timezone.now())}
    assert waiting[fight.id].reason == "110退回：110反馈：不属于公安职责"
    # Back at the desk, it can be dispatched again like any reopened ticket.
    unit = fight.assignments.get().unit
    request = lifecycle.Request("dispatch", actor=user("duty"), unit_id=unit.id)
    assert lifecycle.apply(fight.id, request).status == IncidentStatus.DISPATCHED


def test_the_same_answer_twice_is_recorded_once(fight, user, police):
    transfer_it(fight, user("duty"))
    answer(police, fight.tracking_no, "已受理")

    again = answer(police, fight.tracking_no, "已受理")

    assert again["ok"] is True
    assert again["duplicate"] is True
    assert TimelineEntry.objects.filter(incident=fight, action="police_answer").count() == 1


def test_a_refusal_after_the_incident_was_reopened_otherwise_is_only_a_note(fight, user, police):
    transfer_it(fight, user("duty"))
    lifecycle.apply(
        fight.id, lifecycle.Request("reopen", actor=user("leader"), note="市民再次来电")
    )
    unit = fight.assignments.get().unit
    lifecycle.apply(fight.id, lifecycle.Request("dispatch", actor=user("duty"), unit_id=unit.id))

    result = answer(police, fight.tracking_no, "不属于公安职责")

    assert result["ok"] is True
    assert Incident.objects.get(pk=fight.pk).status == IncidentStatus.DISPATCHED


@pytest.mark.parametrize(
    ("record", "why"),
    [
        ({"yjdh": "20990101-9999", "fkzt": "已受理"}, "No incident 20990101-9999"),
        ({"yjdh": "", "fkzt": "已受理"}, "yjdh"),
        ({"fkzt": "已受理"}, "yjdh"),
        ({"yjdh": "TRACKING", "fkzt": "处理中"}, "unknown fkzt"),
        ({"yjdh": "TRACKING", "fkzt": ""}, "unknown fkzt"),
    ],
)
def test_an_answer_that_names_nothing_of_ours_is_refused(fight, user, police, record, why):
    transfer_it(fight, user("duty"))
    record = {k: v.replace("TRACKING", fight.tracking_no) for k, v in record.items()}

    result = transfer.receive_answer(police, {"jjdbh": "HRB110-9", **record})

    assert result["ok"] is False
    assert result["id"] == "HRB110-9"
    assert why in result["error"]
    assert not TimelineEntry.objects.filter(incident=fight, action="police_answer").exists()


def test_an_answer_about_an_incident_never_transferred_is_refused(fight, police):
    result = answer(police, fight.tracking_no, "已受理")

    assert result["ok"] is False
    assert "never transferred" in result["error"]
    assert Incident.objects.get(pk=fight.pk).status == IncidentStatus.DISPATCHED


def test_110s_answers_are_told_to_contributing_systems_too(fight, user, police, eager_tasks):
    """A transfer and the answers are state changes like any other (the status-back scan)."""
    from command import state_changes

    transfer_it(fight, user("duty"))
    answer(police, fight.tracking_no, "不属于公安职责")
    relay.relay_waiting()

    actions = [c.action for c in state_changes.after(0, relay.head())]
    assert actions[-2:] == ["transfer_to_police", "police_answer"]
