"""How good merge and classification are against gold labels (bench.merge_quality): pairwise and
B-cubed scores, hard-negative merges, split incidents, accuracy and confusion. Plain functions
on plain values, so each can be checked by hand.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

OTHER = "other"


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


@dataclass(frozen=True)
class Gold:
    """A report's gold labels, as the evaluation set gives them."""

    cluster: str
    category: str
    family: str
    district: str
    source: str = ""
    hard_negative: str | None = None  # "a", "b", "c", "d"
    negative_of: str | None = None  # the cluster it must not merge into


@dataclass(frozen=True)
class NegativeMerges:
    """Hard negatives of one kind: cross pairs (negative report, partner report) and clusters."""

    pairs: int
    pairs_merged: int
    clusters: int
    clusters_merged: int


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def _ratio(part: int, whole: int) -> float:
    # Nothing to get wrong counts as all right: no predicted pair is no false pair.
    return part / whole if whole else 1.0


def pairwise(gold: Sequence[Hashable], predicted: Sequence[Hashable]) -> Scores:
    """Over all pairs of reports: precision = right pairs / pairs put together, recall = right
    pairs / pairs that belong together."""
    both = sum(_pairs(n) for n in Counter(zip(gold, predicted, strict=True)).values())
    put_together = sum(_pairs(n) for n in Counter(predicted).values())
    belong_together = sum(_pairs(n) for n in Counter(gold).values())
    return Scores(_ratio(both, put_together), _ratio(both, belong_together))


def bcubed(gold: Sequence[Hashable], predicted: Sequence[Hashable]) -> Scores:
    """B-cubed: per report, the share of its predicted cluster that is its gold cluster
    (precision) and of its gold cluster that is its predicted one (recall), averaged."""
    if not gold:
        return Scores(1.0, 1.0)
    cell = Counter(zip(gold, predicted, strict=True))
    gold_size, predicted_size = Counter(gold), Counter(predicted)
    precision = sum(cell[g, p] / predicted_size[p] for g, p in zip(gold, predicted, strict=True))
    recall = sum(cell[g, p] / gold_size[g] for g, p in zip(gold, predicted, strict=True))
    return Scores(precision / len(gold), recall / len(gold))


def split_clusters(gold: Sequence[Hashable], predicted: Sequence[Hashable]) -> list[Hashable]:
    """The gold clusters whose reports ended in more than one predicted cluster."""
    spread: dict[Hashable, set] = defaultdict(set)
    for g, p in zip(gold, predicted, strict=True):
        spread[g].add(p)
    return [g for g, found in spread.items() if len(found) > 1]


def negative_merges(
    golds: Sequence[Gold], predicted: Sequence[Hashable]
) -> dict[str, NegativeMerges]:
    """Per hard-negative kind: how many of its cross pairs and clusters merge with the incident
    they were built beside."""
    members: dict[str, list[Hashable]] = defaultdict(list)
    for gold, p in zip(golds, predicted, strict=True):
        members[gold.cluster].append(p)
    kinds: dict[str, dict[str, list[Hashable]]] = defaultdict(dict)
    for gold in golds:
        if gold.hard_negative:
            kinds[gold.hard_negative][gold.cluster] = gold.negative_of
    result = {}
    for kind, partners in sorted(kinds.items()):
        pairs = merged = clusters_merged = 0
        for cluster, partner in partners.items():
            cross = [(a, b) for a in members[cluster] for b in members[partner]]
            hits = sum(a == b for a, b in cross)
            pairs, merged, clusters_merged = (
                pairs + len(cross),
                merged + hits,
                clusters_merged + bool(hits),
            )
        result[kind] = NegativeMerges(pairs, merged, len(partners), clusters_merged)
    return result


def recall_by_source_pair(
    golds: Sequence[Gold], predicted: Sequence[Hashable]
) -> dict[tuple[str, str], tuple[int, int]]:
    """For pairs of reports of one gold cluster, by their two sources (sorted): (merged, all)."""
    found: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    items = list(zip(golds, predicted, strict=True))
    for i, (a, pa) in enumerate(items):
        for b, pb in items[i + 1 :]:
            if a.cluster == b.cluster:
                counts = found[tuple(sorted((a.source, b.source)))]
                counts[0] += pa == pb
                counts[1] += 1
    return {pair: (merged, total) for pair, (merged, total) in sorted(found.items())}


@dataclass(frozen=True)
class Accuracy:
    right: int
    total: int

    @property
    def share(self) -> float:
        return _ratio(self.right, self.total)


def accuracy_by(truth: Sequence[str], guess: Sequence[str]) -> dict[str, Accuracy]:
    """Per true label: how many reports got it."""
    right: Counter = Counter()
    total: Counter = Counter()
    for t, g in zip(truth, guess, strict=True):
        total[t] += 1
        right[t] += t == g
    return {label: Accuracy(right[label], total[label]) for label in sorted(total)}


def overall(truth: Sequence[str], guess: Sequence[str]) -> Accuracy:
    return Accuracy(sum(t == g for t, g in zip(truth, guess, strict=True)), len(truth))


def other_rate(truth: Sequence[str], guess: Sequence[str]) -> Accuracy:
    """Of the reports whose true category is a real one, how many were put in `other`
    (`right` here counts those put in `other`)."""
    real = [g for t, g in zip(truth, guess, strict=True) if t != OTHER]
    return Accuracy(sum(g == OTHER for g in real), len(real))


def confusion(truth: Sequence[str], guess: Sequence[str]) -> dict[str, Counter]:
    """Per true label, the labels given, counted."""
    table: dict[str, Counter] = defaultdict(Counter)
    for t, g in zip(truth, guess, strict=True):
        table[t][g] += 1
    return dict(sorted(table.items()))
