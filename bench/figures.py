"""How benchmarks print: one line per figure, `name[db]  value  (target …)`, and percentiles."""

from __future__ import annotations

import math
from collections.abc import Sequence

LABEL_WIDTH = 34


def line(name: str, flavour: str, figure: str, target: str = "", met: bool | None = None) -> None:
    """Print one figure; with a target, say whether the figure meets it."""
    verdict = "" if met is None else (": met" if met else ": MISSED")
    tail = f"  (target {target}{verdict})" if target else ""
    print(f"{f'{name}[{flavour}]':<{LABEL_WIDTH}} {figure}{tail}", flush=True)


def note(text: str) -> None:
    """Context for the figures (sizes, counts, profiles): not a figure itself."""
    print(f"  # {text}", flush=True)


def percentile(ordered: Sequence[int], p: float) -> int:
    """Nearest-rank percentile of an ascending sequence."""
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def duration(ns: float) -> str:
    if ns >= 1_000_000:
        return f"{ns / 1_000_000:.2f} ms"
    return f"{ns / 1_000:.0f} µs"
