"""Status-back sweepers racing on real PostgreSQL: three passes at once (scan and send, as the
embedded sender or beat's workers run them) queue each delivery once and send each once, in
order per incident, to a receiver on loopback."""

from __future__ import annotations

from collections import defaultdict

import pytest

from command import intake, lifecycle
from command.outbox import relay
from integrations.feeds import sender
from integrations.models import DeliveryState, FeedCursor, FeedDelivery, FeedSystem
from tests.conftest import CENTRAL_STREET, race
from tests.feed_receiver import receiving

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

SECRET = "race-test-secret-not-a-real-one"
TEXTS = [
    "中央大街附近工地夜间施工噪音扰民",
    "中央大街与西十二道街交口自来水管爆裂，水流满街",
    "中央大街有人打架斗殴",
]


def test_three_sweepers_at_once_send_each_status_once_and_in_order(city, user, monkeypatch):
    # No listener: the racers' own scans find the changes.
    monkeypatch.setattr(relay, "_published_listeners", [])
    # The cursor as the migration leaves it, before these changes: an earlier transactional
    # test's flush may have removed it, and a scan that finds none starts at the head.
    FeedCursor.objects.all().delete()
    FeedCursor.objects.create(last_seq=relay.head())
    with receiving(SECRET) as receiver:
        FeedSystem.objects.create(
            code="hrb-110",
            name="110",
            kind="110",
            source_code="110",
            secret=SECRET,
            callback_url=f"{receiver.url}/status",
        )
        for number, text in enumerate(TEXTS):
            incident = intake.submit(
                intake.ReportIn(
                    source="110",
                    external_id=f"race-{number}",
                    text=text,
                    location=intake.Location(*CENTRAL_STREET, "wgs84"),
                    payload={"feed_system": "hrb-110"},
                )
            ).incident
            unit_staff = {"道里区人民政府": "daoli", "哈尔滨市水务局": "water"}.get(
                incident.unit.name
            )
            actor = user(unit_staff) if unit_staff else None
            if actor is not None:
                lifecycle.apply(incident.id, lifecycle.Request("sign", actor=actor))
                lifecycle.apply(incident.id, lifecycle.Request("start", actor=actor))
        relay.relay_waiting()

        outcomes = race([sender.send_pass] * 3)

        assert all(isinstance(sent, int) for sent in outcomes), outcomes
        rows = FeedDelivery.objects.all()
        assert sum(outcomes) == rows.count() >= 7
        assert set(rows.values_list("state", flat=True)) == {DeliveryState.SENT}
        bodies = receiver.bodies()
        assert len(bodies) == rows.count()
        assert len({(b["seq"], b["source_id"]) for b in bodies}) == len(bodies)
        seqs = defaultdict(list)
        for body in bodies:
            seqs[body["tracking_no"]].append(body["seq"])
        assert all(s == sorted(s) for s in seqs.values()), seqs
