"""The screen pop over the socket: a ringing call reaches consoles following `hotline` as a
frame that names the call by id; a console following only `all` never gets it."""

from __future__ import annotations

import pytest
import pytest_asyncio
from channels.db import database_sync_to_async
from django.utils import timezone

from command.realtime import fanout
from hotline import screen_pop
from hotline.models import Call
from integrations.messages import IncomingCall
from tests.command.test_realtime import connect, events_from, subscribe
from tests.sms_fixtures import CITIZEN

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


@pytest_asyncio.fixture(autouse=True)
async def _own_hub():
    yield
    await fanout.stop_hub()


@database_sync_to_async
def ring() -> Call:
    call = IncomingCall("CA" + "6" * 32, CITIZEN, "+8645112345", "ringing", timezone.now())
    return screen_pop.incoming(call)


async def test_operators_get_the_call_by_id_and_all_followers_do_not(city, user, report):
    operator = await connect(await database_sync_to_async(user)("operator"))
    duty = await connect(await database_sync_to_async(user)("duty"))
    assert (await subscribe(operator, "hotline"))[-1]["streams"] == ["hotline"]
    assert (await subscribe(duty, "all"))[-1]["streams"] == ["all"]

    call = await ring()
    (frame,) = await events_from(operator, 1)
    incident = (await database_sync_to_async(report)("中央大街自来水管爆裂")).incident
    duty_events = await events_from(duty, 2)

    assert (frame["type"], frame["call"], frame["incident"]) == (
        "call.incoming",
        {"id": call.id},
        None,
    )
    assert "8000" not in str(frame)
    # The call came first, yet the `all` follower's first event is the incident's.
    assert [e["type"] for e in duty_events] == ["incident.created", "assignment.dispatched"]
    assert duty_events[0]["incident"]["tracking_no"] == incident.tracking_no
    await operator.disconnect()
    await duty.disconnect()


async def test_unit_staff_cannot_follow_calls(city, user):
    daoli = await connect(await database_sync_to_async(user)("daoli"))

    answers = await subscribe(daoli, "hotline")

    assert answers[0]["type"] == "error"
    assert answers[0]["stream"] == "hotline"
    assert answers[-1]["streams"] == []
    await daoli.disconnect()
