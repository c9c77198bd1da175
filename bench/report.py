"""Sections of results, targets met or not, the printed table and ``results.json``."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .harness import TIME_METRIC, Outcome


@dataclass
class Section:
    """One comparison: contenders measured side by side on one primary metric."""

    id: str
    title: str
    outcomes: list[Outcome]
    metric: str = TIME_METRIC
    baseline: str | None = None  # name of the contender the ratios divide by
    higher_is_better: bool = False
    notes: list[str] = field(default_factory=list)

    def outcome(self, name: str) -> Outcome | None:
        return next((o for o in self.outcomes if o.name == name), None)

    def median(self, name: str, metric: str | None = None) -> float | None:
        outcome = self.outcome(name)
        summary = outcome.summary(metric or self.metric) if outcome else None
        return summary.median if summary else None

    def to_dict(self) -> dict[str, Any]:
        base = self.outcome(self.baseline) if self.baseline else None
        return {
            "id": self.id,
            "title": self.title,
            "metric": self.metric,
            "baseline": self.baseline,
            "higher_is_better": self.higher_is_better,
            "notes": self.notes,
            "contenders": [o.to_dict(base, self.metric) for o in self.outcomes],
        }


@dataclass(frozen=True)
class Target:
    """One goal of the issue, evaluated on this run's numbers; never fails the suite."""

    id: str
    description: str
    value: float | None
    limit: float
    unit: str
    higher_is_better: bool = False
    detail: str = ""

    @property
    def met(self) -> bool | None:
        if self.value is None:
            return None
        return self.value >= self.limit if self.higher_is_better else self.value <= self.limit

    @property
    def verdict(self) -> str:
        return {True: "met", False: "NOT met", None: "n/a"}[self.met]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "description": self.description,
            "value": self.value,
            "limit": self.limit,
            "unit": self.unit,
            "higher_is_better": self.higher_is_better,
            "met": self.met,
            "detail": self.detail,
        }


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}" if abs(value) >= 0.1 else f"{value:.4f}"


def _row(outcome: Outcome, section: Section) -> list[str]:
    summary = outcome.summary(section.metric)
    base = section.outcome(section.baseline) if section.baseline else None
    base_summary = base.summary(section.metric) if base else None
    ratio = (
        f"{summary.median / base_summary.median:.2f}x"
        if summary and base_summary and base_summary.median
        else "-"
    )
    extras = [
        f"{key} {_fmt(outcome.summary(key).median)}"  # type: ignore[union-attr]
        for key in outcome.samples
        if key != section.metric and outcome.samples[key]
    ]
    status = "ok" if outcome.status == "ok" else f"{outcome.status}: {outcome.reason}"
    if outcome.status == "ok" and not summary:
        status = "no samples"
    return [
        outcome.name,
        _fmt(summary.median if summary else None),
        _fmt(summary.p90 if summary else None),
        ratio,
        str(summary.n if summary else 0),
        "; ".join([*extras, *([outcome.note] if outcome.note else [])]) or "",
        status,
    ]


def render_header(meta: dict[str, Any]) -> str:
    """One line on when, where and how loaded the machine was: context for every number."""
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(meta["started_unix"]))
    load = "/".join(
        f"{x:.1f}" for x in meta["load_average_start"][:1] + meta["load_average_end"][:1]
    )
    kind = "smoke run" if meta["smoke"] else "full run"
    return (
        f"_{kind} {started}, {meta['duration_s']:.0f} s, Python {meta['python']}, "
        f"{meta['cpus']} CPUs, load average {load} (start/end), commit {meta['git_commit']}_\n"
    )


def render_markdown(sections: list[Section], targets: list[Target]) -> str:
    """Markdown tables: one per section, then the targets."""
    lines: list[str] = []
    for section in sections:
        better = "higher is better" if section.higher_is_better else "lower is better"
        base = f", ratio vs {section.baseline}" if section.baseline else ""
        lines += [f"### {section.title}", "", f"_{section.metric}, {better}{base}_", ""]
        lines += [
            "| contender | median | p90 | ratio | n | also | status |",
            "|---|---:|---:|---:|---:|---|---|",
        ]
        lines += ["| " + " | ".join(_row(o, section)) + " |" for o in section.outcomes]
        lines += [f"- {note}" for note in section.notes]
        lines.append("")
    lines += ["### Targets", "", "| target | value | limit | verdict |", "|---|---:|---:|---|"]
    for target in targets:
        op = ">=" if target.higher_is_better else "<="
        value = f"{_fmt(target.value)} {target.unit}" if target.value is not None else "-"
        detail = f" ({target.detail})" if target.detail else ""
        lines.append(
            f"| {target.description} | {value} | {op} {_fmt(target.limit)} {target.unit} "
            f"| {target.verdict}{detail} |"
        )
    return "\n".join(lines) + "\n"


def write_json(
    path: Path, meta: dict[str, Any], sections: list[Section], targets: list[Target]
) -> None:
    document = {
        "schema": 1,
        "meta": meta,
        "sections": [s.to_dict() for s in sections],
        "targets": [t.to_dict() for t in targets],
    }
    path.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")


README_START = "<!-- bench:results:start -->"
README_END = "<!-- bench:results:end -->"


def update_readme(path: Path, text: str) -> None:
    """Replace what stands between the README's result markers with ``text``."""
    readme = path.read_text(encoding="utf-8")
    head, found, rest = readme.partition(README_START)
    _old, found_end, tail = rest.partition(README_END)
    if not (found and found_end):
        raise ValueError(f"{path} has no {README_START} ... {README_END} block")
    path.write_text(f"{head}{README_START}\n{text}{README_END}{tail}", encoding="utf-8")
