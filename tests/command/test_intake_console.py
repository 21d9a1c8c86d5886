"""command.intake's two functions for the operator console: `suggest` (likely duplicates of a
draft, stored nowhere) and `attach` (a report stored into the open incident the operator chose)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from command import intake, lifecycle
from command.errors import IllegalTransition, InvalidReport, NotFound, ReplayConflict
from command.models import Incident, OutboxEvent, Report, TimelineEntry
from tests.conftest import CENTRAL_STREET, HARBIN_STATION

M_PER_DEG_LAT = 111_195.0
BURST = "中央大街与西十二道街交口自来水管爆裂，水流满街"


def north(point: tuple[float, float], metres: float) -> tuple[float, float]:
    return point[0] + metres / M_PER_DEG_LAT, point[1]


# --- suggest ---------------------------------------------------------------------------------


def test_suggestions_rank_alike_incidents_nearby_by_score_with_distance_and_age(city, report):
    now = timezone.now()
    near = report(BURST, at=CENTRAL_STREET, now=now - timedelta(hours=2)).incident
    farther = report(BURST, at=north(CENTRAL_STREET, 450), now=now - timedelta(hours=1)).incident
    assert near.id != farther.id  # 450 m apart: intake kept them apart

    found = intake.suggest(
        intake.DraftIn("西十二道街口水管爆了，满街是水", *north(CENTRAL_STREET, 200)), now=now
    )

    assert found.category.category.code == "water_supply"
    assert [s.incident.tracking_no for s in found.duplicates] == [
        near.tracking_no,
        farther.tracking_no,
    ]
    first, second = found.duplicates
    assert first.score > second.score
    assert first.distance_m == pytest.approx(200, abs=2)
    assert second.distance_m == pytest.approx(250, abs=2)
    assert first.age_minutes == pytest.approx(120, abs=0.5)
    assert second.age_minutes == pytest.approx(60, abs=0.5)
    assert first.would_merge
    assert 0 < first.text_similarity <= 1


def test_other_problems_old_and_far_incidents_are_not_suggested(city, report):
    now = timezone.now()
    report("中央大街路灯不亮", at=north(CENTRAL_STREET, 30), now=now)  # another merge group
    report(BURST, at=CENTRAL_STREET, now=now - timedelta(hours=30))  # outside the 24 h window
    report(BURST, at=north(CENTRAL_STREET, 900), now=now)  # outside the 300 m radius

    found = intake.suggest(intake.DraftIn(BURST, *CENTRAL_STREET), now=now)

    assert found.duplicates == []


def test_a_suggestion_stores_nothing(city, report):
    report(BURST)
    before = (Incident.objects.count(), Report.objects.count(), OutboxEvent.objects.count())

    found = intake.suggest(intake.DraftIn(BURST, *CENTRAL_STREET))

    assert len(found.duplicates) == 1
    assert (Incident.objects.count(), Report.objects.count(), OutboxEvent.objects.count()) == before


def test_without_a_point_only_the_category_is_suggested(city, report):
    report("哈尔滨站附近小区暖气不热，家里只有十几度", at=HARBIN_STATION)

    found = intake.suggest(intake.DraftIn("南岗区某小区暖气不热", None, None))

    assert found.category.category.code == "heating"
    assert found.duplicates == []


def test_the_operators_category_is_what_intake_would_keep(city):
    """As intake classifies on save: the operator's code stands, unless the text names a more
    precise category of the same merge group."""
    kept = intake.suggest(intake.DraftIn("门口有个大坑", category="noise"))
    refined = intake.suggest(intake.DraftIn("门口有个大坑", category="manhole_cover"))

    assert kept.category.category.code == "noise"
    assert refined.category.category.code == "road_damage"


def test_an_incident_that_left_the_open_states_is_no_longer_suggested(city, report, user):
    a = report(BURST).incident
    b = report("中央大街路灯不亮").incident
    lifecycle.merge(a.tracking_no, b.tracking_no, lifecycle.Request("merge", actor=user("duty")))

    found = intake.suggest(intake.DraftIn(BURST, *CENTRAL_STREET))

    assert found.duplicates == []


# --- attach ----------------------------------------------------------------------------------


def call(text: str = "市民来电称站前街口路灯也不亮了", **fields) -> intake.ReportIn:
    fields.setdefault("external_id", "console-1")
    fields.setdefault("reporter_phone", "13800001234")
    return intake.ReportIn(source="hotline", text=text, **fields)


def test_attach_stores_the_report_into_the_chosen_incident_with_a_merge_entry(city, report, user):
    chosen = report("哈尔滨站前路灯不亮", at=HARBIN_STATION).incident
    operator = user("operator")
    # 1.7 km away and other words: intake alone would open a new incident.
    far = intake.Location(*CENTRAL_STREET)

    result = intake.attach(call(location=far), chosen.tracking_no, actor=operator)

    assert result.created
    assert result.merged
    assert result.incident.id == chosen.id
    assert result.report.incident_id == chosen.id
    assert result.report.reporter_phone == "13800001234"
    assert Incident.objects.count() == 1
    entry = TimelineEntry.objects.get(incident=chosen, action="report_merged")
    assert entry.actor == operator
    assert entry.data["chosen_by"] == "operator"
    assert entry.data["report_id"] == result.report.id
    assert entry.data["distance_m"] == pytest.approx(1750, rel=0.05)
    assert 0 <= entry.data["score"] < 0.6
    assert OutboxEvent.objects.filter(incident=chosen, type="incident.merged").count() == 1
    assert Incident.objects.get(pk=chosen.pk).version == chosen.version + 1


def test_attach_without_a_point_still_records_the_text_similarity(city, report):
    chosen = report("哈尔滨站前路灯不亮", at=HARBIN_STATION).incident

    intake.attach(call(), chosen.tracking_no)

    entry = TimelineEntry.objects.get(incident=chosen, action="report_merged")
    assert entry.data["score"] is None
    assert entry.data["distance_m"] is None
    assert entry.data["text_similarity"] > 0


def test_attach_is_idempotent_on_source_and_external_id(city, report):
    chosen = report("哈尔滨站前路灯不亮", at=HARBIN_STATION).incident
    first = intake.attach(call(), chosen.tracking_no)

    again = intake.attach(call(), chosen.tracking_no)

    assert not again.created
    assert again.report.id == first.report.id
    assert Report.objects.filter(incident=chosen).count() == 2
    assert TimelineEntry.objects.filter(incident=chosen, action="report_merged").count() == 1
    with pytest.raises(ReplayConflict):
        intake.attach(call("别的内容"), chosen.tracking_no)


def test_attach_refuses_an_unknown_or_closed_incident_and_bad_fields(city, report, user):
    a = report(BURST).incident
    b = report("中央大街路灯不亮").incident
    lifecycle.merge(a.tracking_no, b.tracking_no, lifecycle.Request("merge", actor=user("duty")))

    with pytest.raises(NotFound):
        intake.attach(call(), "20000101-9999")
    with pytest.raises(IllegalTransition):
        intake.attach(call(), a.tracking_no)  # merged into b: no longer open
    with pytest.raises(InvalidReport) as bad:
        intake.attach(call(text=" ", reporter_phone="not a phone"), b.tracking_no)
    assert set(bad.value.fields) == {"text", "reporter.phone"}
    assert Report.objects.filter(source__code="hotline", external_id="console-1").count() == 0
