"""command.intake.attach under real concurrency (PostgreSQL): one call sent twice at once, and an
attach racing an operator's merge of the chosen incident."""

from __future__ import annotations

import pytest

from command import intake, lifecycle
from command.errors import IllegalTransition
from command.models import Incident, Report, TimelineEntry
from tests.conftest import race

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def call(external_id: str = "console-race") -> intake.ReportIn:
    return intake.ReportIn(
        source="hotline",
        external_id=external_id,
        text="站前路灯也不亮",
        reporter_phone="13800001234",
    )


def test_the_same_attach_sent_three_times_at_once_is_stored_once(city, report):
    chosen = report("哈尔滨站前路灯不亮").incident

    outcomes = race([lambda: intake.attach(call(), chosen.tracking_no)] * 3)

    assert all(isinstance(o, intake.IntakeResult) for o in outcomes), outcomes
    assert len({o.report.id for o in outcomes}) == 1
    assert sorted(o.created for o in outcomes) == [False, False, True]
    assert Report.objects.filter(external_id="console-race").count() == 1
    assert TimelineEntry.objects.filter(incident=chosen, action="report_merged").count() == 1


def test_an_attach_racing_a_merge_of_its_incident_lands_in_an_open_incident(city, report, user):
    chosen = report("哈尔滨站前路灯不亮").incident
    other = report("中央大街井盖丢失", at=(45.7780, 126.5950)).incident
    merge = lifecycle.Request("merge", actor=user("duty"))

    outcomes = race(
        [
            lambda: intake.attach(call(), chosen.tracking_no),
            lambda: lifecycle.merge(chosen.tracking_no, other.tracking_no, merge),
        ]
    )

    attached, merged = outcomes
    assert isinstance(merged, Incident), merged
    stored = Report.objects.filter(external_id="console-race").first()
    if isinstance(attached, IllegalTransition):  # the merge went first: nothing stored
        assert stored is None
    else:  # the attach went first: the merge carried the report along
        assert isinstance(attached, intake.IntakeResult), attached
        assert stored.incident_id == other.id
