"""The feed simulator's stream (integrations.simulator.generate): one seed, one stream; every
point inside a real Harbin district; bursts the real intake merges, noise it keeps apart."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from datetime import timedelta

import pytest
from django.utils import timezone

from command import intake
from command.intake import coords
from command.models import Report
from integrations.simulator import generate
from integrations.simulator.generate import SimReport

SEED = 20261205


def report_in(report: SimReport, at) -> intake.ReportIn:
    """The intake's input for a simulated report, as the API makes it of the JSON (and as the
    feed adapters are to make it of a 110 record or 12319 case: text, class, point)."""
    return intake.ReportIn(
        source=report.source,
        external_id=f"sim-{report.ref}",
        text=report.text,
        received_at=at,
        category=report.category_given,
        location=intake.Location(*report.point, report.datum) if report.point else None,
        address=report.address,
        reporter_phone=report.phone,
    )


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    north = (a[0] - b[0]) * 111_195.0
    east = (a[1] - b[1]) * 111_195.0 * math.cos(math.radians(a[0]))
    return math.hypot(north, east)


def test_the_same_seed_gives_the_same_stream():
    first, again = generate.take(SEED, 300), generate.take(SEED, 300)
    other = generate.take(SEED + 1, 300)

    assert first == again
    assert [r.text for r in first] != [r.text for r in other]


def test_the_run_tag_changes_only_the_ids():
    one, two = generate.take(SEED, 100, run="aaa"), generate.take(SEED, 100, run="bbb")

    assert [r.ref for r in one] != [r.ref for r in two]
    assert [(r.text, r.lat, r.lon, r.phone) for r in one] == [
        (r.text, r.lat, r.lon, r.phone) for r in two
    ]
    assert len({r.ref for r in one}) == 100


def test_every_point_lies_in_the_harbin_district_of_its_place(harbin_index):
    reports = generate.take(SEED, 1000)

    for report in reports:
        assert harbin_index.locate(report.lat, report.lon) == report.district, report
        if report.point:  # what the source sends, back in WGS-84, is where it happened
            back = coords.to_wgs84(*report.point, report.datum)
            assert metres(back, (report.lat, report.lon)) < 1.0, report


def test_only_the_chosen_sources_send_and_an_unknown_one_is_refused():
    reports = generate.take(SEED, 200, sources=["sms", "12319"])

    assert {r.source for r in reports} == {"sms", "12319"}
    with pytest.raises(generate.UnknownSource, match="fax"):
        generate.take(SEED, 1, sources=["hotline", "fax"])


def test_citizens_numbers_are_of_the_fake_blocks_and_names_are_never_given():
    reports = generate.take(SEED, 500)
    phones = [r.phone for r in reports if r.phone]

    assert phones
    assert all(re.fullmatch(r"13[5-9]0000\d{4}", phone) for phone in phones)
    assert all(r.phone for r in reports if r.source in ("hotline", "sms", "110"))


def test_bursts_lie_within_tens_of_metres_and_a_few_reports_of_each_other():
    reports = generate.take(SEED, 1000)
    groups = defaultdict(list)
    for report in reports:
        if report.group:
            groups[report.group].append(report)

    assert len(groups) >= 20
    for members in groups.values():
        assert len(members) >= 2
        assert len({r.problem for r in members} | {r.place for r in members}) == 2
        assert all(r.point and r.source != "sms" for r in members)  # located: they can merge
        points = [(r.lat, r.lon) for r in members]
        assert max(metres(a, b) for a in points for b in points) <= 2 * generate.BURST_JITTER_M
        assert members[-1].seq - members[0].seq <= len(members) * generate.BURST_GAP[1]
        assert len({r.source for r in members}) > 1


def test_noise_is_far_away_in_the_same_words_or_at_the_spot_about_another_object():
    reports = generate.take(SEED, 3000)
    first = {}
    for report in reports:
        first.setdefault(report.group, report)
    noise = [r for r in reports if r.apart_from]
    kinds = {r.kind for r in noise}

    assert kinds == {"noise_far", "noise_other"}
    for report in noise:
        burst = first[report.apart_from]
        apart = metres((report.lat, report.lon), (burst.lat, burst.lon))
        if report.kind == "noise_far":
            assert report.problem == burst.problem
            assert apart >= 900
        else:
            assert report.problem != burst.problem
            assert apart <= 2 * generate.BURST_JITTER_M


@pytest.mark.django_db
def test_the_real_intake_merges_each_burst_and_keeps_the_noise_apart(city):
    reports = [r for r in generate.take(SEED, 700) if r.group or r.apart_from]
    start = timezone.now() - timedelta(hours=1)
    for report in reports:
        at = start + timedelta(seconds=20 * report.seq)  # minutes apart, as at a gentle rate
        intake.submit(report_in(report, at), now=at)

    ended = {}
    for stored in Report.objects.select_related("incident"):
        incident = stored.incident
        while incident.merged_into_id is not None:
            incident = incident.merged_into
        ended[stored.external_id] = incident.id
    incident_of = {r.ref: ended[f"sim-{r.ref}"] for r in reports}
    groups = defaultdict(set)
    for report in reports:
        if report.group:
            groups[report.group].add(incident_of[report.ref])
    noise = [r for r in reports if r.apart_from]

    assert len(groups) >= 15
    assert len(noise) >= 5
    # Intake's own misses stay possible (seed 20261205: 2 of 53, a stall outside a shop and a
    # mobile vendor, which its lexicon tells apart); a split the simulator causes is not.
    split = {group: found for group, found in groups.items() if len(found) > 1}
    assert len(split) <= len(groups) // 10, split
    for report in noise:
        assert incident_of[report.ref] not in groups[report.apart_from], report
