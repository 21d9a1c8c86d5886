"""Intake: one way in for every source; idempotent, classified, routed, dispatched."""

from datetime import timedelta

import pytest
from django.utils import timezone

from command import intake
from command.errors import InvalidReport, ReplayConflict
from command.intake import coords
from command.models import (
    Assignment,
    Incident,
    IncidentStatus,
    OutboxEvent,
    Report,
    TimelineEntry,
)
from tests.conftest import BEIJING, CENTRAL_STREET, HARBIN_STATION

pytestmark = pytest.mark.django_db


def test_a_report_opens_an_incident_routed_and_dispatched_with_a_deadline(city, report):
    now = timezone.now()
    result = report("中央大街与西十二道街交口自来水管爆裂，水流满街", now=now)

    incident = result.incident
    assert result.created
    assert not result.merged
    assert incident.category.code == "water_supply"
    assert incident.district.code == "230102"
    assert incident.unit.name == "哈尔滨市水务局"
    assert incident.status == IncidentStatus.DISPATCHED
    # Water is a 24 h matter for urgent; routine water supply has its own tier: the deadline
    # comes from the category's SLA and starts at dispatch.
    spec = incident.category.sla_for(incident.priority)
    assert incident.deadline > now
    assert incident.dispatched_at == now
    assert Assignment.objects.get(incident=incident).deadline == incident.deadline
    actions = list(incident.timeline.values_list("action", flat=True))
    assert actions == ["created", "dispatch"]
    assert incident.timeline.get(action="dispatch").data["sla"] == spec


def test_the_tracking_number_is_the_local_day_and_a_counter(city, report):
    first = report("中央大街路灯不亮", external_id="a").incident
    second = report("哈尔滨站门前垃圾没人清运", at=HARBIN_STATION, external_id="b").incident
    day = timezone.localdate().strftime("%Y%m%d")
    assert first.tracking_no == f"{day}-0001"
    assert second.tracking_no == f"{day}-0002"


def test_replaying_the_same_source_and_external_id_creates_nothing(city, report):
    first = report(source="110", external_id="JJ-1")
    counts = (Report.objects.count(), Incident.objects.count(), TimelineEntry.objects.count())
    outbox = OutboxEvent.objects.count()

    again = report(source="110", external_id="JJ-1")

    assert not again.created
    assert again.report.id == first.report.id
    assert again.incident.tracking_no == first.incident.tracking_no
    assert (Report.objects.count(), Incident.objects.count(), TimelineEntry.objects.count()) == (
        counts
    )
    assert OutboxEvent.objects.count() == outbox


def test_a_replay_with_other_content_is_refused_and_changes_nothing(city, report):
    first = report(source="110", external_id="JJ-1")
    rows = (Report.objects.count(), Incident.objects.count(), OutboxEvent.objects.count())

    with pytest.raises(ReplayConflict) as refused:
        report(text="another text entirely", source="110", external_id="JJ-1")

    assert refused.value.status == 409
    assert list(refused.value.fields) == ["text"]
    assert (Report.objects.count(), Incident.objects.count(), OutboxEvent.objects.count()) == rows
    assert Report.objects.get(pk=first.report.id).text == first.report.text


def test_a_repeat_within_a_batch_with_other_content_is_refused_alone(city):
    same = {"source": "web", "external_id": "W-7", "location": intake.Location(*CENTRAL_STREET)}
    first = intake.ReportIn(text="中央大街路灯不亮", **same)
    amended = intake.ReportIn(text="中央大街路灯不亮，已经三天了", **same)

    taken, refused = intake.submit_many([first, amended])

    assert taken.created
    assert isinstance(refused, ReplayConflict)
    assert Report.objects.get().text == "中央大街路灯不亮"


def test_the_same_external_id_from_another_source_is_another_report(city, report):
    report(source="110", external_id="X-1", text="中央大街有人打架斗殴")
    other = report(
        source="12319", external_id="X-1", text="哈尔滨站附近违章建筑", at=HARBIN_STATION
    )
    assert other.created
    assert Report.objects.count() == 2


def test_a_point_outside_every_district_waits_in_the_dispatch_queue(city, report):
    result = report("路灯不亮", at=BEIJING)
    incident = result.incident
    assert incident.status == IncidentStatus.NEW
    assert incident.district is None
    assert incident.unit is None
    assert incident.deadline is None
    assert incident.timeline.get(action="created").data["route"] == "outside every district"
    assert OutboxEvent.objects.filter(incident=incident, type="incident.created").exists()


def test_a_report_without_location_is_kept_and_queued(city, report):
    incident = report("我家暖气不热，室温只有十二度", at=None, address="某小区").incident
    assert incident.status == IncidentStatus.NEW
    assert incident.category.code == "heating"


def test_gcj02_coordinates_are_converted_to_wgs84_and_the_original_kept(city, report):
    gcj = coords.wgs84_to_gcj02(*CENTRAL_STREET)
    result = report("中央大街井盖丢失", at=gcj, datum="gcj02", source="12319")
    stored = result.report
    assert stored.original_datum == "gcj02"
    assert (stored.original_lat, stored.original_lon) == gcj
    assert stored.lat == pytest.approx(CENTRAL_STREET[0], abs=1e-6)
    assert stored.lon == pytest.approx(CENTRAL_STREET[1], abs=1e-6)
    assert result.incident.district.code == "230102"


def test_a_source_category_code_wins_over_the_text(city, report):
    result = report("中央大街有异味", category="pollution")
    assert result.incident.category.code == "pollution"
    assert result.incident.timeline.get(action="created").data["classified_by"] == "source_code"


def test_unclassifiable_text_falls_back_to_other_and_still_routes(city, report):
    result = report("咨询一下办事流程")
    assert result.incident.category.code == "other"
    # No department handles "other": the district government does (属地管理).
    assert result.incident.unit.name == "道里区人民政府"


def test_territorial_matters_go_to_the_district_government(city, report):
    result = report("哈尔滨站附近工地夜间施工噪音扰民", at=HARBIN_STATION)
    assert result.incident.category.code == "noise"
    assert result.incident.unit.name == "南岗区人民政府"


@pytest.mark.parametrize(
    ("fields", "bad_field"),
    [
        ({"source": "fax"}, "source"),
        ({"text": "   "}, "text"),
        ({"external_id": ""}, "external_id"),
        ({"priority": "whenever"}, "priority"),
        ({"reporter_phone": "call me"}, "reporter.phone"),
        ({"received_at": timezone.now() + timedelta(days=1)}, "received_at"),
        # Longer than their columns: PostgreSQL would refuse the whole batch (a feed's 500).
        ({"category": "类" * 65}, "category"),
        ({"address": "址" * 256}, "address"),
        ({"reporter_name": "名" * 65}, "reporter.name"),
    ],
)
def test_bad_reports_are_refused_naming_the_field(city, report, fields, bad_field):
    fields.setdefault("external_id", "bad-1")
    with pytest.raises(InvalidReport) as refused:
        report(**fields)
    assert bad_field in refused.value.fields
    assert Report.objects.count() == 0


def test_bad_coordinates_are_refused(city, report):
    with pytest.raises(InvalidReport) as refused:
        report(at=(95.0, 200.0))
    assert set(refused.value.fields) == {"location.lat", "location.lon"}


def test_a_feed_without_a_datum_uses_its_sources_own_datum(city, report):
    gcj = coords.wgs84_to_gcj02(*CENTRAL_STREET)
    stored = report("中央大街井盖丢失", at=gcj, datum="", source="12319").report
    assert stored.original_datum == "gcj02"
    assert stored.lat == pytest.approx(CENTRAL_STREET[0], abs=1e-6)
    web = report("中央大街井盖丢失", at=CENTRAL_STREET, datum="", source="web").report
    assert web.original_datum == "wgs84"
    assert web.lat == CENTRAL_STREET[0]


def test_routing_follows_a_change_of_units_at_once(city, report, unit):
    first = report("中央大街自来水管爆裂，水流满街", external_id="w-1").incident
    assert first.unit.name == "哈尔滨市水务局"
    water = unit("哈尔滨市水务局")
    water.categories.clear()  # the water bureau no longer takes water reports
    moved = report("哈尔滨站门前自来水管爆裂", at=HARBIN_STATION, external_id="w-2").incident
    assert moved.unit.name == "南岗区人民政府"


def test_a_report_without_a_point_goes_to_the_district_its_address_names(city, report):
    named = report("路灯不亮", at=None, address="哈尔滨市南岗区学府路").incident
    assert named.district.code == "230103"
    assert named.timeline.get(action="created").data["route"] == "district named in the address"
    unnamed = report("路灯不亮", at=None, address="学府路文化街口").incident
    assert unnamed.district is None
    assert unnamed.timeline.get(action="created").data["route"] == "no location"
