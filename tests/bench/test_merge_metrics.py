"""The merge-quality metrics on small examples worked out by hand."""

from __future__ import annotations

from collections import Counter

import pytest

from bench import merge_metrics
from bench.merge_metrics import Gold

# Five reports: gold incidents A (three reports) and B (two); intake made incident 1 of the first
# two and put the third with both B reports in incident 2.
GOLD = ["A", "A", "A", "B", "B"]
PREDICTED = [1, 1, 2, 2, 2]


def test_bcubed_on_five_reports_worked_by_hand():
    # Precision per report: 2/2, 2/2, 1/3, 2/3, 2/3; recall: 2/3, 2/3, 1/3, 2/2, 2/2.
    scores = merge_metrics.bcubed(GOLD, PREDICTED)
    assert scores.precision == pytest.approx(11 / 15)
    assert scores.recall == pytest.approx(11 / 15)
    assert scores.f1 == pytest.approx(11 / 15)


def test_pairwise_on_five_reports_worked_by_hand():
    # Pairs that belong together: 3 in A + 1 in B; put together: 1 in 1 + 3 in 2; right: 2.
    scores = merge_metrics.pairwise(GOLD, PREDICTED)
    assert (scores.precision, scores.recall) == (0.5, 0.5)


def test_nothing_merged_is_precise_and_misses_every_pair():
    singletons = [1, 2, 3, 4, 5]
    assert merge_metrics.pairwise(GOLD, singletons) == merge_metrics.Scores(1.0, 0.0)
    # B-cubed recall: each report finds only itself of its gold incident.
    assert merge_metrics.bcubed(GOLD, singletons).recall == pytest.approx(
        (3 * 1 / 3 + 2 * 1 / 2) / 5
    )


def test_everything_merged_recalls_all_and_is_imprecise():
    scores = merge_metrics.bcubed(GOLD, [7] * 5)
    assert scores.recall == 1.0
    assert scores.precision == pytest.approx((3 * 3 / 5 + 2 * 2 / 5) / 5)


def test_a_perfect_prediction_scores_one_whatever_its_labels():
    assert merge_metrics.bcubed(GOLD, ["x", "x", "x", "y", "y"]).f1 == 1.0
    assert merge_metrics.pairwise(GOLD, ["x", "x", "x", "y", "y"]).f1 == 1.0


def test_split_clusters_are_those_spread_over_incidents():
    assert merge_metrics.split_clusters(GOLD, PREDICTED) == ["A"]


def _gold(cluster, negative=None, of=None, source="hotline"):
    return Gold(cluster, "road_damage", "road", "230102", source, negative, of)


def test_negative_merges_count_cross_pairs_and_clusters():
    # P has two reports; its hard negative N (kind c) two, one of them merged into P
    golds = [_gold("P"), _gold("P"), _gold("N", "c", "P"), _gold("N", "c", "P")]
    found = merge_metrics.negative_merges(golds, [1, 1, 1, 2])
    assert found == {
        "c": merge_metrics.NegativeMerges(pairs=4, pairs_merged=2, clusters=1, clusters_merged=1)
    }


def test_negatives_kept_apart_count_no_merge():
    golds = [_gold("P"), _gold("N", "a", "P"), _gold("Q"), _gold("M", "a", "Q")]
    found = merge_metrics.negative_merges(golds, [1, 2, 3, 4])
    assert found["a"] == merge_metrics.NegativeMerges(2, 0, 2, 0)


def test_recall_by_source_pair():
    golds = [_gold("A", source="sms"), _gold("A", source="hotline"), _gold("A", source="sms")]
    found = merge_metrics.recall_by_source_pair(golds, [1, 1, 2])
    assert found == {("hotline", "sms"): (1, 2), ("sms", "sms"): (0, 1)}


def test_accuracy_other_rate_and_confusion():
    truth = ["heating", "heating", "noise", "other"]
    guess = ["heating", "other", "other", "other"]
    assert merge_metrics.overall(truth, guess) == merge_metrics.Accuracy(2, 4)
    by = merge_metrics.accuracy_by(truth, guess)
    assert (by["heating"].share, by["noise"].share, by["other"].share) == (0.5, 0.0, 1.0)
    # Two of the three reports with a real category went to `other`.
    assert merge_metrics.other_rate(truth, guess) == merge_metrics.Accuracy(2, 3)
    assert merge_metrics.confusion(truth, guess)["heating"] == Counter(heating=1, other=1)
