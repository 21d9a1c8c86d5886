"""Duplicate detection: one burst pipe reported five ways is one incident; look-alikes are not."""

from datetime import timedelta

import pytest
from django.utils import timezone

from command.intake import coords, grid
from command.models import Incident, IncidentStatus, Report
from tests.conftest import CENTRAL_STREET, HARBIN_STATION

pytestmark = pytest.mark.django_db


def offset(point: tuple[float, float], north_m: float, east_m: float) -> tuple[float, float]:
    lat, lon = point
    return lat + north_m / 111_195, lon + east_m / (111_195 * 0.6972)  # cos(45.77°)


def test_five_reports_of_one_burst_pipe_from_mixed_sources_become_one_incident(city, report):
    start = timezone.now() - timedelta(hours=2)
    first = report(
        "市民来电反映：道里区中央大街与西十二道街交口处自来水管爆裂，水流满街，请尽快处理。",
        source="hotline",
        now=start,
        received_at=start,
    )
    others = [
        ("sms", "中央大街西十二道街水管爆了 到处是水", offset(CENTRAL_STREET, 40, 30), 20),
        ("12319", "供水管线破裂 道里区中央大街西十二道街", offset(CENTRAL_STREET, -60, 80), 35),
        (
            "web",
            "中央大街西十二道街路口地下水管破裂，路面积水严重",
            offset(CENTRAL_STREET, 90, -50),
            50,
        ),
        (
            "110",
            "报警人称中央大街西十二道街自来水管爆裂，水漫路面",
            offset(CENTRAL_STREET, -120, -40),
            65,
        ),
    ]
    results = []
    for source, text, point, minutes in others:
        at = start + timedelta(minutes=minutes)
        datum_point = coords.wgs84_to_gcj02(*point) if source in ("110", "12319") else point
        datum = "gcj02" if source in ("110", "12319") else "wgs84"
        results.append(
            report(text, at=datum_point, datum=datum, source=source, now=at, received_at=at)
        )

    assert all(r.merged for r in results)
    assert {r.incident.tracking_no for r in results} == {first.incident.tracking_no}
    assert Incident.objects.count() == 1
    assert first.incident.reports.count() == 5
    merges = first.incident.timeline.filter(action="report_merged")
    assert merges.count() == 4
    # A person can see why: score, distance and minutes are on the timeline.
    for entry in merges:
        assert set(entry.data) >= {"score", "text_similarity", "distance_m", "minutes", "source"}
        assert 0 < entry.data["distance_m"] <= 300
        assert entry.data["score"] >= 0.6


def test_a_similar_text_far_away_opens_its_own_incident(city, report):
    report("中央大街自来水管爆裂，水流满街")
    far = report("哈尔滨站门前自来水管爆裂，水流满街", at=HARBIN_STATION)
    assert not far.merged
    assert Incident.objects.count() == 2


def test_just_outside_the_radius_does_not_merge(city, report):
    report("中央大街自来水管爆裂，水流满街")
    outside = report("中央大街自来水管爆裂，水流满街", at=offset(CENTRAL_STREET, 320, 0))
    assert grid.distance_m(*CENTRAL_STREET, *offset(CENTRAL_STREET, 320, 0)) > 300
    assert not outside.merged


def test_another_category_at_the_same_corner_does_not_merge(city, report):
    report("中央大街西十二道街自来水管爆裂，水流满街")
    noise = report("中央大街西十二道街工地夜间施工噪音扰民")
    assert noise.incident.category.code == "noise"
    assert not noise.merged


def test_a_different_problem_in_a_compatible_category_does_not_merge(city, report):
    report("中央大街西十二道街自来水管爆裂，水流满街")
    other = report("中央大街西十二道街下水道堵塞，污水外溢", at=offset(CENTRAL_STREET, 30, 0))
    assert other.incident.category.merge_group == "water"
    assert not other.merged


def test_reports_outside_the_time_window_do_not_merge(city, report):
    then = timezone.now() - timedelta(hours=30)
    report("中央大街自来水管爆裂，水流满街", now=then, received_at=then)
    later = report("中央大街自来水管爆裂，水流满街")
    assert not later.merged


def test_closed_incidents_take_no_more_reports(city, report):
    first = report("中央大街自来水管爆裂，水流满街")
    Incident.objects.filter(pk=first.incident.pk).update(status=IncidentStatus.CLOSED)
    again = report("中央大街自来水管爆裂，水流满街")
    assert not again.merged
    assert again.incident.pk != first.incident.pk


def test_a_merged_report_keeps_its_own_location_and_source(city, report):
    first = report("中央大街自来水管爆裂，水流满街")
    point = offset(CENTRAL_STREET, 50, 50)
    second = report("中央大街水管爆了到处是水", at=point, source="sms")
    stored = Report.objects.get(pk=second.report.pk)
    assert second.merged
    assert stored.incident_id == first.incident.pk
    assert (stored.lat, stored.lon) == pytest.approx(point)
    assert stored.source.code == "sms"
