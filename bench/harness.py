"""Run contenders interleaved round by round, so machine noise hits every contender alike.

A contender is a name plus a ``prepare`` function that builds the callable to time; when
``prepare`` raises, the contender shows as "n/a (not available)" instead of stopping the
run. A call either returns anything (the harness times it, in milliseconds) or a
:class:`Metrics` (it measured itself, e.g. MB/s and memory in a child process).
"""

from __future__ import annotations

import contextlib
import math
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .stats import Summary, ratio, summarize

TIME_METRIC = "ms"


class Unavailable(Exception):
    """A piece a contender needs is missing (not installed, not landed yet)."""


@dataclass(frozen=True)
class Metrics:
    """A self-measured sample: metric name to value (e.g. ``{"MB/s": 310.0, "extra MB": 1.2}``)."""

    values: dict[str, float]


Call = Callable[[], Any]
Check = Callable[[Any], None]


@dataclass
class Contender:
    name: str
    #: Builds the timed callable; resources to release go on the stack. Raising = n/a.
    prepare: Callable[[contextlib.ExitStack], Call]
    #: Validates what a call returned (raise on wrong output), outside the timed region.
    check: Check | None = None
    #: At most this many samples, spread evenly over the rounds (for very slow contenders).
    max_samples: int | None = None
    note: str = ""


@dataclass
class Outcome:
    name: str
    status: str = "ok"  # ok | n/a | error
    reason: str | None = None
    note: str = ""
    samples: dict[str, list[float]] = field(default_factory=dict)

    @property
    def available(self) -> bool:
        return self.status != "n/a"

    def summary(self, metric: str) -> Summary | None:
        values = self.samples.get(metric)
        return summarize(values) if values else None

    def record(self, values: dict[str, float]) -> None:
        for key, value in values.items():
            self.samples.setdefault(key, []).append(float(value))

    def to_dict(self, baseline: Outcome | None, metric: str) -> dict[str, Any]:
        summaries = {k: summarize(v).to_dict() for k, v in self.samples.items() if v}
        main, base = self.summary(metric), baseline.summary(metric) if baseline else None
        return {
            "name": self.name,
            "status": self.status,
            "reason": self.reason,
            "note": self.note,
            "summary": summaries,
            "ratio": ratio(main.median, base.median) if main and base else None,
            "samples": {k: [round(x, 6) for x in v] for k, v in self.samples.items()},
        }


def _describe(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".strip()
    return text if len(text) <= 300 else text[:297] + "..."


def _one_sample(call: Call, check: Check | None) -> dict[str, float]:
    started = time.perf_counter()
    value = call()
    elapsed = time.perf_counter() - started
    if check is not None:
        check(value)
    if isinstance(value, Metrics):
        return value.values
    return {TIME_METRIC: elapsed * 1000.0}


def _is_due(contender: Contender, round_index: int, rounds: int) -> bool:
    if not contender.max_samples or contender.max_samples >= rounds:
        return True
    stride = math.ceil(rounds / contender.max_samples)
    return round_index % stride == 0


def run_interleaved(
    contenders: list[Contender],
    *,
    rounds: int,
    warmup: int = 1,
    log: Callable[[str], None] = lambda _line: None,
) -> list[Outcome]:
    """Prepare every contender, warm each up, then time them round by round in rotating order."""
    outcomes = {c.name: Outcome(c.name, note=c.note) for c in contenders}
    calls: dict[str, Call] = {}
    with contextlib.ExitStack() as stack:
        for contender in contenders:
            outcome = outcomes[contender.name]
            try:
                calls[contender.name] = contender.prepare(stack)
            except Exception as exc:  # any missing piece: report, keep the run going
                outcome.status, outcome.reason = "n/a", f"not available: {_describe(exc)}"
                log(f"  {contender.name}: n/a ({outcome.reason})")
                continue
            try:
                for _ in range(warmup if not contender.max_samples else min(warmup, 1)):
                    _one_sample(calls[contender.name], contender.check)
            except Exception as exc:
                _fail(outcome, exc, calls, log)
        live = [c for c in contenders if c.name in calls]
        for index in range(rounds):
            shift = index % len(live) if live else 0
            for contender in live[shift:] + live[:shift]:
                if contender.name not in calls or not _is_due(contender, index, rounds):
                    continue
                try:
                    outcomes[contender.name].record(
                        _one_sample(calls[contender.name], contender.check)
                    )
                except Exception as exc:
                    _fail(outcomes[contender.name], exc, calls, log)
    return [outcomes[c.name] for c in contenders]


def _fail(
    outcome: Outcome, exc: BaseException, calls: dict[str, Call], log: Callable[[str], None]
) -> None:
    outcome.status, outcome.reason = "error", _describe(exc)
    calls.pop(outcome.name, None)
    log(f"  {outcome.name}: error ({outcome.reason})")
    log("".join(traceback.format_exception(exc, limit=-3)).rstrip())
