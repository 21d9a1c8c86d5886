"""Who may read which stream, and how long the answer is reused."""

import pytest

from command import lifecycle
from command.models import Role, StaffProfile
from command.outbox import streams
from command.realtime import access

pytestmark = pytest.mark.django_db


def test_a_role_change_takes_effect_at_once_in_this_process(city, user, unit):
    daoli = user("daoli")
    assert not access.Reader.of(daoli).citywide
    profile = StaffProfile.objects.get(user=daoli)
    profile.role, profile.unit = Role.DUTY_OFFICER, None
    profile.save()
    reconnected = user("daoli")  # a new connection loads its user afresh
    assert access.Reader.of(reconnected).authorise("all") == "all"


def test_parent_units_follow_their_sub_units_events(city, report, unit):
    district = unit("道里区人民政府")
    water = unit("哈尔滨市水务局")
    water.parent = district
    water.save()
    incident = report("中央大街自来水管爆裂，水流满街").incident
    keys = streams.keys_for(incident)
    assert f"unit.{water.id}" in keys
    assert f"unit.{district.id}" in keys
    assert "district.230102" in keys


def test_malformed_stream_names_are_refused_before_any_lookup(city, user):
    reader = access.Reader.of(user("duty"))
    for bad in ["", "all ", "unit:", "unit:1;DROP", "district:23", "incident:" + "x" * 30, 7]:
        with pytest.raises(access.StreamRefused):
            reader.authorise(bad)


def test_a_unit_may_not_follow_an_incident_it_handed_back_once_dispatched_elsewhere(
    city, user, unit, report
):
    daoli = user("daoli")
    incident = report("中央大街附近工地夜间施工噪音扰民").incident  # -> 道里区人民政府
    stream = f"incident:{incident.tracking_no}"
    assert access.Reader.of(daoli).authorise(stream) == f"incident.{incident.tracking_no}"

    lifecycle.apply(incident.id, lifecycle.Request("return", actor=daoli, note="该工地位于南岗区"))
    elsewhere = unit("南岗区人民政府")
    lifecycle.apply(
        incident.id, lifecycle.Request("dispatch", actor=user("duty"), unit_id=elsewhere.id)
    )

    with pytest.raises(access.StreamRefused):
        access.Reader.of(daoli).authorise(stream)
    assert access.Reader.of(user("nangang")).authorise(stream)
