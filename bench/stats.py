"""Order statistics of one contender's samples: median, p90, p99 and the ratio to a baseline."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any


def percentile(samples: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0..100) by linear interpolation between closest ranks."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * q / 100.0
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class Summary:
    """What the table shows for one contender."""

    n: int
    median: float
    p90: float
    p99: float
    min: float
    max: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def summarize(samples: Sequence[float]) -> Summary:
    return Summary(
        n=len(samples),
        median=statistics.median(samples),
        p90=percentile(samples, 90),
        p99=percentile(samples, 99),
        min=min(samples),
        max=max(samples),
    )


def ratio(value: float, baseline: float) -> float | None:
    """``value / baseline``, or None when the baseline is zero (nothing to compare against)."""
    return value / baseline if baseline else None
