"""Operators correct the merge: merge two incidents, undo it, split a report out."""

import pytest

from command import overrides
from command.errors import IllegalTransition, NotAllowed
from command.models import Assignment, AssignmentStatus, Incident, IncidentStatus
from tests.conftest import HARBIN_STATION

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(city, report):
    """Two incidents about one problem that automatic merging kept apart (1.7 km apart)."""
    a = report("哈尔滨站前路灯不亮", at=HARBIN_STATION).incident
    b = report("中央大街路灯不亮").incident
    return a, b


def test_an_operator_merges_two_incidents_and_can_undo_it(two, user):
    a, b = two
    operator = user("operator")
    target = overrides.merge_incidents(a.tracking_no, b.tracking_no, operator, "同一条线路故障")

    source = Incident.objects.get(pk=a.pk)
    assert source.status == IncidentStatus.MERGED
    assert source.merged_into == target
    assert target.reports.count() == 2
    assert Assignment.objects.get(incident=source).status == AssignmentStatus.CANCELLED
    assert source.timeline.last().action == "merged_into"
    assert target.timeline.last().action == "merged_from"

    restored = overrides.unmerge(a.tracking_no, operator, "不是同一故障")
    assert restored.status == IncidentStatus.DISPATCHED
    assert restored.merged_into is None
    assert restored.reports.count() == 1
    assert Incident.objects.get(pk=b.pk).reports.count() == 1
    assignment = Assignment.objects.get(incident=restored)
    assert assignment.status == AssignmentStatus.DISPATCHED
    assert assignment.ended_at is None
    assert restored.timeline.last().action == "unmerged"


def test_a_report_split_out_gets_its_own_routed_incident_and_can_be_merged_back(city, report, user):
    first = report("中央大街自来水管爆裂，水流满街")
    second = report("中央大街水管爆了到处是水", source="sms")
    assert second.merged
    operator = user("operator")

    split = overrides.split_report(second.report.id, operator, "来电人说的是另一处")

    assert split.tracking_no != first.incident.tracking_no
    assert split.status == IncidentStatus.DISPATCHED
    assert split.district.code == "230102"
    assert list(split.reports.values_list("id", flat=True)) == [second.report.id]
    origin = Incident.objects.get(pk=first.incident.pk)
    assert origin.reports.count() == 1
    assert origin.timeline.last().action == "report_split"
    assert split.timeline.first().action == "split_from"

    back = overrides.merge_incidents(split.tracking_no, origin.tracking_no, operator)
    assert back.reports.count() == 2


def test_the_only_report_cannot_be_split_out(city, report, user):
    only = report("中央大街路灯不亮")
    with pytest.raises(IllegalTransition):
        overrides.split_report(only.report.id, user("operator"))


def test_unit_staff_cannot_merge(two, user):
    a, b = two
    with pytest.raises(NotAllowed):
        overrides.merge_incidents(a.tracking_no, b.tracking_no, user("daoli"))


def test_an_incident_cannot_be_merged_into_itself_or_into_a_closed_one(two, user):
    a, b = two
    operator = user("operator")
    with pytest.raises(IllegalTransition):
        overrides.merge_incidents(a.tracking_no, a.tracking_no, operator)
    Incident.objects.filter(pk=b.pk).update(status=IncidentStatus.CLOSED)
    with pytest.raises(IllegalTransition):
        overrides.merge_incidents(a.tracking_no, b.tracking_no, operator)


def test_unmerging_an_incident_that_is_not_merged_is_refused(two, user):
    with pytest.raises(IllegalTransition):
        overrides.unmerge(two[0].tracking_no, user("operator"))
