"""The benchmark's pure logic: percentiles, interleaving, n/a and error handling, targets."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from bench.harness import Contender, Metrics, Unavailable, run_interleaved
from bench.report import README_END, README_START, Section, Target, render_markdown, update_readme
from bench.stats import percentile, ratio, summarize


def test_percentile_interpolates_between_ranks() -> None:
    samples = [1.0, 2.0, 3.0, 4.0, 5.0]
    assert percentile(samples, 50) == 3.0
    assert percentile(samples, 90) == pytest.approx(4.6)
    assert percentile([7.0], 99) == 7.0


def test_summarize_and_ratio() -> None:
    summary = summarize([4.0, 1.0, 3.0, 2.0])
    assert (summary.n, summary.median, summary.min, summary.max) == (4, 2.5, 1.0, 4.0)
    assert ratio(3.0, 2.0) == 1.5
    assert ratio(3.0, 0.0) is None


def test_rounds_rotate_the_order_of_contenders() -> None:
    order: list[str] = []

    def make(name: str) -> Contender:
        return Contender(name, lambda _s: lambda: order.append(name))

    run_interleaved([make("a"), make("b"), make("c")], rounds=3, warmup=0)
    assert order == ["a", "b", "c", "b", "c", "a", "c", "a", "b"]


def test_missing_piece_is_na_and_the_others_still_run() -> None:
    def missing(_stack: contextlib.ExitStack) -> object:
        raise Unavailable("not landed")

    outcomes = run_interleaved(
        [Contender("gone", missing), Contender("here", lambda _s: lambda: None)], rounds=2
    )
    gone, here = outcomes
    assert gone.status == "n/a" and "not landed" in (gone.reason or "")
    assert here.status == "ok" and len(here.samples["ms"]) == 2


def test_a_failing_call_or_check_is_an_error_with_the_samples_so_far() -> None:
    calls = iter([1, 2, 3, 4])

    def check(value: object) -> None:
        if value == 4:
            raise AssertionError("wrong output")

    (outcome,) = run_interleaved(
        [Contender("x", lambda _s: lambda: next(calls), check=check)], rounds=5, warmup=1
    )
    assert outcome.status == "error" and "wrong output" in (outcome.reason or "")
    assert len(outcome.samples["ms"]) == 2  # calls 2 and 3; 1 was the warm-up


def test_max_samples_spreads_a_slow_contender_over_the_rounds() -> None:
    (outcome,) = run_interleaved(
        [Contender("slow", lambda _s: lambda: Metrics({"v": 1.0}), max_samples=2)],
        rounds=6,
        warmup=0,
    )
    assert outcome.samples["v"] == [1.0, 1.0]


def test_targets_and_table() -> None:
    (outcome,) = run_interleaved(
        [Contender("a", lambda _s: lambda: Metrics({"ms": 2.0}))], rounds=1
    )
    section = Section("s", "title", [outcome], baseline="a")
    low, high = Target("t1", "lower", 1.0, 2.0, "x"), Target("t2", "higher", 1.0, 2.0, "x", True)
    missing = Target("t3", "none", None, 1.0, "x")
    assert (low.met, high.met, missing.met) == (True, False, None)
    table = render_markdown([section], [low, high, missing])
    assert "| a | 2.00 | 2.00 | 1.00x | 1 |" in table
    assert "NOT met" in table and "| n/a" in table


def test_update_readme_replaces_only_the_results_block(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{README_START}\nold\n{README_END}\noutro\n")
    update_readme(readme, "new table\n")
    assert readme.read_text() == f"intro\n{README_START}\nnew table\n{README_END}\noutro\n"
    (tmp_path / "bare.md").write_text("no markers\n")
    with pytest.raises(ValueError):
        update_readme(tmp_path / "bare.md", "x")
