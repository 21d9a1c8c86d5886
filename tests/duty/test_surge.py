"""Surge detection: the Poisson test itself, generated streams (a true surge is found within its
window; a simulated week of Poisson noise at the usual rates raises no alarm), and the duty
scan on the database turning a surge of real intake into an emerging event, then into one major
incident with every report attached, through the lifecycle."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from bench import duty_surge
from command.models import Incident, IncidentStatus, Priority, TimelineEntry
from duty import emerging, scan, surge
from duty.errors import EmergingClosed
from duty.models import AlertSource, DutyAlert, EmergingEvent, EmergingStatus


@pytest.mark.parametrize(("count", "mean"), [(1, 0.5), (3, 2.0), (5, 0.1), (12, 3.0), (40, 10.0)])
def test_the_poisson_tail_is_the_sum_of_the_probabilities(count, mean):
    direct = 1 - sum(math.exp(-mean) * mean**k / math.factorial(k) for k in range(count))
    assert surge.poisson_tail(count, mean) == pytest.approx(direct, rel=1e-9, abs=1e-15)


def test_a_small_tail_is_not_lost_to_cancellation():
    # 1 - CDF would give 0.0 here; the summed tail is ~ e^-0.01 * 0.01^10 / 10!.
    expected = math.exp(-0.01) * 0.01**10 / math.factorial(10)
    assert surge.poisson_tail(10, 0.01) == pytest.approx(expected, rel=1e-3)


def test_a_few_incidents_where_there_are_usually_many_are_no_surge():
    busy = surge.judge(
        "district:1", 8, baseline_count=28 * 24 * 2, window_h=3, params=surge.Params()
    )
    quiet = surge.judge("district:1", 8, baseline_count=10, window_h=1, params=surge.Params())

    assert not busy.surge
    assert busy.expected > 4
    assert quiet.surge
    assert quiet.p_value < 1e-7


def test_a_single_report_or_two_never_make_a_surge_however_quiet_the_area():
    assert not surge.judge("cell:1:1", 3, 0, 1, surge.Params()).surge
    assert not surge.judge("district:1", 4, 0, 1, surge.Params()).surge


@pytest.mark.parametrize("kind", ["district", "cell"])
def test_true_surges_are_found_within_their_window(kind):
    found = duty_surge.detection(kind, trials=60, seed=3)

    assert found.rate >= 0.95
    # 8 incidents over 90 min in a district, 5 over 60 min in a cell: found before the 3-hour
    # window has passed, typically before the surge has ended.
    assert max(found.delays_min) <= 180
    assert found.quantile(0.5) <= (90 if kind == "district" else 60)


def test_poisson_noise_at_the_usual_rates_raises_no_alarm_over_a_simulated_week():
    week = duty_surge.noise_week(seed=100)

    assert week.incidents > 5_000
    assert week.tests > 20_000
    assert week.alarms == 0


def test_the_detector_does_alarm_on_the_same_week_with_a_careless_threshold():
    """The week above is quiet because of the test, not because nothing could alarm."""
    careless = surge.Params(alpha=0.01, ratio=1.0)
    assert duty_surge.noise_week(seed=100, params=careless).alarms > 10


# --- on the database -------------------------------------------------------------------------


def lights_out(report, n: int, now):
    """`n` street-light reports in 道里区, ~620 m apart (intake keeps them apart), in the hour
    before `now`."""
    return [
        report(
            f"群力第{k + 1}大道路灯不亮",
            at=(45.7600, 126.6200 - k * 0.008),
            now=now - timedelta(minutes=50 - k * 8),
        ).incident
        for k in range(n)
    ]


def test_the_scan_finds_a_surge_of_real_intake_and_alerts_the_leader(city, report):
    now = timezone.now()
    incidents = lights_out(report, 6, now)
    assert len({i.pk for i in incidents}) == 6
    assert {i.district.name for i in incidents} == {"道里区"}

    done = scan.run(now)

    assert done.emerging >= 1
    event = EmergingEvent.objects.get(area__startswith="district:")
    assert (event.area_name, event.category.code, event.count) == ("道里区", "street_lights", 6)
    assert sorted(event.incident_ids) == sorted(i.pk for i in incidents)
    assert event.expected < 0.05
    assert event.lat is not None
    alert = DutyAlert.objects.get(emerging=event)
    assert alert.source == AlertSource.EMERGING
    # A second pass finds the same event, not a new one.
    scan.run(now + timedelta(minutes=1))
    assert EmergingEvent.objects.filter(area__startswith="district:").count() == 1


def test_an_emerging_event_becomes_one_major_incident_with_every_report(city, report, user):
    now = timezone.now()
    incidents = lights_out(report, 6, now)
    emerging.scan(now)
    event = EmergingEvent.objects.get(area__startswith="district:")

    major = emerging.convert(event.pk, user("duty"), "群力片区大面积路灯故障")

    assert major.pk == incidents[0].pk
    assert major.priority == Priority.MAJOR
    assert major.reports.count() == 6
    others = Incident.objects.filter(pk__in=[i.pk for i in incidents[1:]])
    assert {i.status for i in others} == {IncidentStatus.MERGED}
    assert {i.merged_into_id for i in others} == {major.pk}
    actions = list(TimelineEntry.objects.filter(incident=major).values_list("action", flat=True))
    assert actions.count("made_major") == 1
    assert actions.count("merged_from") == 5
    event.refresh_from_db()
    assert (event.status, event.incident) == (EmergingStatus.CONVERTED, major)
    with pytest.raises(EmergingClosed):
        emerging.convert(event.pk, user("duty"))
    # The new major incident reaches the leader on duty in the next pass.
    scan.run(now)
    assert DutyAlert.objects.filter(source=AlertSource.MAJOR_INCIDENT, incident=major).exists()


def test_conversion_is_all_or_nothing(city, report, user):
    now = timezone.now()
    lights_out(report, 6, now)
    emerging.scan(now)
    event = EmergingEvent.objects.get(area__startswith="district:")

    client = Client()
    client.force_login(user("operator"))
    assert client.post(f"/duty/emerging/{event.pk}").status_code == 403
    with pytest.raises(emerging.lifecycle.NotAllowed):
        emerging.convert(event.pk, user("daoli"))

    event.refresh_from_db()
    assert event.status == EmergingStatus.OPEN
    assert not Incident.objects.filter(priority=Priority.MAJOR).exists()
    assert not Incident.objects.filter(status=IncidentStatus.MERGED).exists()


@pytest.mark.parametrize(
    ("form", "message", "status"),
    [
        ({}, "已转为重大事件", EmergingStatus.CONVERTED),
        ({"action": "dismiss", "note": "同一线路故障"}, "已排除", EmergingStatus.DISMISSED),
    ],
)
def test_the_live_view_converts_or_dismisses_with_a_message(
    city, report, user, form, message, status
):
    now = timezone.now()
    lights_out(report, 6, now)
    emerging.scan(now)
    event = EmergingEvent.objects.get(area__startswith="district:")
    client = Client()
    client.force_login(user("leader"))

    page = client.post(f"/duty/emerging/{event.pk}", form, follow=True).content.decode()

    assert message in page
    event.refresh_from_db()
    assert event.status == status
    assert event.pk not in [e["id"] for e in client.get("/duty/queue.json").json()["emerging"]]
    again = client.post(f"/duty/emerging/{event.pk}", form, follow=True).content.decode()
    assert "该突发聚集已处理" in again
    assert client.post("/duty/emerging/999999").status_code == 404
