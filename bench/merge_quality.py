"""Merge and classification quality on the project's evaluation set (bench/data/merge_eval.jsonl,
made by bench.evalset): every report through the real intake, in the order received, in a
throwaway database with the demo city; prints figures against the issue's targets, asserts nothing.

.venv/bin/python -m bench.merge_quality [--db sqlite|postgres]
    [--set dev|heldout|heldout2|heldout3|heldout4]

`--set heldout` runs the same pipeline on bench/data/merge_heldout.jsonl (bench.heldout_reports):
160 reports written by hand, independently of the lexicon and of the development set, and never
tuned on; its figures print as `name[flavour,heldout]`. `--set heldout2` does the same on a
second, independently written held-out set (bench/data/merge_heldout2.jsonl, bench.heldout2_reports:
183 reports of 58 incidents, 2027-01-11 to 17), printed as `name[flavour,heldout2]`;
`--set heldout3` on a third (bench/data/merge_heldout3.jsonl, bench.heldout3_reports: 206 reports
of 70 incidents in the March thaw, 2027-03-15 to 21, with source categories on web forms and
12319 cases), printed as `name[flavour,heldout3]`; `--set heldout4` on a fourth
(bench/data/merge_heldout4.jsonl, bench.heldout4_reports: 216 reports of 67 incidents in high
summer, 2027-07-19 to 25, some near district lines), printed as `name[flavour,heldout4]`.

A report's predicted incident is the one it ended in (followed through `merged_into`), its
predicted category and district that incident's: what the city sees of it.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bench import (
    evalset,
    heldout2_reports,
    heldout3_reports,
    heldout4_reports,
    heldout_reports,
    merge_metrics,
)
from bench.figures import duration, line, note, percentile
from bench.merge_metrics import Gold
from bench.throwaway import FLAVOURS, throwaway
from integrations.simulator.problems import FAMILIES

SETS = {
    "dev": evalset.load,
    "heldout": heldout_reports.load,
    "heldout2": heldout2_reports.load,
    "heldout3": heldout3_reports.load,
    "heldout4": heldout4_reports.load,
}


@dataclass(frozen=True)
class Outcome:
    """What intake made of one report."""

    incident: int
    category: str
    district: str | None
    ns: int  # the submit call's wall time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=FLAVOURS, default="sqlite")
    parser.add_argument("--set", choices=tuple(SETS), default="dev", dest="which")
    args = parser.parse_args()
    with throwaway(args.db) as db:
        records = SETS[args.which]()
        note(
            f"{args.which} set: {len(records)} reports of "
            f"{len({r['gold']['cluster'] for r in records})} incidents"
        )
        outcomes = submit_all(records)
        label = db.flavour if args.which == "dev" else f"{db.flavour},{args.which}"
        report(label, [gold_of(r) for r in records], outcomes, records)


def gold_of(record: dict) -> Gold:
    g = record["gold"]
    return Gold(
        g["cluster"],
        g["category"],
        g["family"],
        g["district"],
        record["source"],
        g["hard_negative"],
        g["negative_of"],
    )


def report_in(record: dict):
    from command import intake

    loc = record["location"]
    return intake.ReportIn(
        source=record["source"],
        external_id=record["external_id"],
        text=record["text"],
        received_at=datetime.fromisoformat(record["received_at"]),
        category=record["category_given"],
        location=intake.Location(loc["lat"], loc["lon"], loc["datum"]) if loc else None,
        address=record["address"],
        reporter_phone=record["reporter_phone"],
    )


def submit_all(records: Sequence[dict]) -> list[Outcome]:
    """Each report through `intake.submit` as it would arrive (the set is in time order), with
    the clock at its time of receipt; then where each one ended."""
    from command import intake

    timings = []
    for record in records:
        incoming = report_in(record)
        started = time.perf_counter_ns()
        intake.submit(incoming, now=incoming.received_at)
        timings.append(time.perf_counter_ns() - started)
    return [
        Outcome(*found, ns)
        for found, ns in zip(where_ended([r["external_id"] for r in records]), timings, strict=True)
    ]


def where_ended(external_ids: list[str]) -> list[tuple[int, str, str | None]]:
    """(incident id, category code, district code) each report ended in, in the given order."""
    from command.models import Report

    stored = {
        r.external_id: r
        for r in Report.objects.filter(external_id__in=external_ids).select_related(
            "incident__category", "incident__district", "incident__merged_into"
        )
    }
    found = []
    for external_id in external_ids:
        incident = stored[external_id].incident
        while incident.merged_into_id is not None:  # an operator's merge, if any
            incident = incident.merged_into
        district = incident.district.code if incident.district_id else None
        found.append((incident.id, incident.category.code, district))
    return found


# --- the figures -----------------------------------------------------------------------------


def report(flavour: str, golds: list[Gold], outcomes: list[Outcome], records: list[dict]) -> None:
    merging(flavour, golds, [o.incident for o in outcomes])
    classification(flavour, golds, [o.category for o in outcomes])
    districts(flavour, golds, [o.district for o in outcomes], records)
    ordered = sorted(o.ns for o in outcomes)
    line(
        "merge.quality.time",
        flavour,
        f"p50 {duration(statistics.median(ordered))}, p99 {duration(percentile(ordered, 99))} "
        "a report (intake.submit whole: validation, classification, merge decision, writes)",
    )


def _prf(scores: merge_metrics.Scores) -> str:
    return f"P {scores.precision:.3f}  R {scores.recall:.3f}  F1 {scores.f1:.3f}"


def merging(flavour: str, golds: list[Gold], predicted: list[int]) -> None:
    clusters = [g.cluster for g in golds]
    b3, pairs = (
        merge_metrics.bcubed(clusters, predicted),
        merge_metrics.pairwise(clusters, predicted),
    )
    line("merge.quality.bcubed", flavour, _prf(b3), "F1 ≥ 0.95", b3.f1 >= 0.95)
    line("merge.quality.pairwise", flavour, _prf(pairs), "R ≥ 0.90", pairs.recall >= 0.90)
    split = merge_metrics.split_clusters(clusters, predicted)
    several = len({c for c, n in _sizes(clusters).items() if n > 1})
    line("merge.quality.split", flavour, f"{len(split)} of {several} incidents of 2+ reports split")
    note(f"{len(golds)} reports became {len(set(predicted))} incidents ({len(set(clusters))} true)")
    for kind, found in merge_metrics.negative_merges(golds, predicted).items():
        limit = 0.0 if kind in "bc" else 0.01
        share = found.pairs_merged / found.pairs if found.pairs else 0.0
        line(
            f"merge.quality.negative_{kind}",
            flavour,
            f"{found.pairs_merged}/{found.pairs} pairs ({share:.1%}), "
            f"{found.clusters_merged}/{found.clusters} clusters merged",
            "0 pairs" if kind in "bc" else "≤ 1 % of pairs",
            share <= limit,
        )
    for (a, b), (merged, total) in merge_metrics.recall_by_source_pair(golds, predicted).items():
        note(f"pairs {a}-{b}: {merged}/{total} merged ({merged / total:.0%})")


def _sizes(labels: list[str]) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for label in labels:
        sizes[label] = sizes.get(label, 0) + 1
    return sizes


def classification(flavour: str, golds: list[Gold], predicted: list[str]) -> None:
    truth = [g.category for g in golds]
    families = [FAMILIES.get(code, code) for code in predicted]
    by_family = merge_metrics.overall([g.family for g in golds], families)
    category = merge_metrics.overall(truth, predicted)
    other = merge_metrics.other_rate(truth, predicted)
    line(
        "merge.quality.category",
        flavour,
        f"{category.share:.1%} ({category.right}/{category.total})",
    )
    line(
        "merge.quality.family",
        flavour,
        f"{by_family.share:.1%} ({by_family.right}/{by_family.total})",
        "≥ 95 %",
        by_family.share >= 0.95,
    )
    line(
        "merge.quality.other",
        flavour,
        f"{other.share:.1%} ({other.right}/{other.total}) of reports with a real category",
        "≤ 3 %",
        other.share <= 0.03,
    )
    per_family = merge_metrics.accuracy_by([g.family for g in golds], families)
    note("by family: " + ", ".join(f"{f} {a.share:.0%}" for f, a in per_family.items()))
    table = merge_metrics.confusion(truth, predicted)
    for code, found in merge_metrics.accuracy_by(truth, predicted).items():
        given = ", ".join(f"{label} {n}" for label, n in table[code].most_common())
        note(f"{code:<16} {found.share:>4.0%} of {found.total:>3}: {given}")


def districts(
    flavour: str, golds: list[Gold], predicted: list[str | None], records: list[dict]
) -> None:
    right = merge_metrics.overall([g.district for g in golds], [p or "" for p in predicted])
    located = [i for i, r in enumerate(records) if r["location"]]
    among = merge_metrics.overall(
        [golds[i].district for i in located], [predicted[i] or "" for i in located]
    )
    line(
        "merge.quality.district",
        flavour,
        f"{right.share:.1%} ({right.right}/{right.total}); with coordinates "
        f"{among.share:.1%} ({among.right}/{among.total})",
        "100 %",
        right.share == 1.0,
    )


if __name__ == "__main__":
    main()
