"""Source codes as integrators say them: "12345" is the hotline wherever a source code comes in
(intake's submit and submit_many, the API's `source`), and a replay under either name is the
same report."""

from __future__ import annotations

import pytest

from command import intake
from command.errors import InvalidReport
from command.models import Report
from tests.command.test_api import REPORTS, payload
from tests.conftest import CENTRAL_STREET

pytestmark = pytest.mark.django_db

BURST = "中央大街与西十二道街交口自来水管爆裂，水流满街"


def hotline_report(source: str, external_id: str = "HL-12345-1") -> intake.ReportIn:
    return intake.ReportIn(
        source=source,
        external_id=external_id,
        text=BURST,
        location=intake.Location(*CENTRAL_STREET, "wgs84"),
    )


def test_12345_is_taken_as_the_hotline(city):
    result = intake.submit(hotline_report("12345"))

    assert result.created
    assert Report.objects.get().source.code == "hotline"
    assert result.incident.timeline.get(action="created").data["source"] == "hotline"


def test_a_replay_under_the_other_name_is_the_same_report(city):
    first = intake.submit(hotline_report("12345"))
    again = intake.submit(hotline_report("hotline"))
    batch = intake.submit_many([hotline_report("12345"), hotline_report("12345", "HL-12345-2")])

    assert not again.created
    assert again.report.id == first.report.id
    assert [r.created for r in batch] == [False, True]
    assert set(Report.objects.values_list("source__code", flat=True)) == {"hotline"}
    assert Report.objects.count() == 2


def test_an_unknown_source_names_the_alias_among_those_known(city):
    with pytest.raises(InvalidReport) as refused:
        intake.submit(hotline_report("fax"))

    assert "12345" in refused.value.fields["source"][0]
    assert "hotline" in refused.value.fields["source"][0]


def test_the_api_takes_12345_as_the_hotline(api):
    response = api("intake").post(REPORTS, payload(source="12345"), format="json")

    assert response.status_code == 201, response.content
    assert Report.objects.get(pk=response.json()["report_id"]).source.code == "hotline"
    replay = api("intake").post(REPORTS, payload(source="hotline"), format="json")
    assert (replay.status_code, replay.json()["report_id"]) == (200, response.json()["report_id"])
