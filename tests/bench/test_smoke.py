"""A smoke-sized run of the whole benchmark: every contender runs and the JSON has its shape.

Real servers, real processes, real HTTP on loopback; a few iterations each. Timings are
never asserted (the machine is shared and noisy); only that numbers came out.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SECTIONS = {
    "wire",
    "exec_echo",
    "exec_sleep",
    "token_threads",
    "token_lifetime",
    "token_exchange",
    "token_hook",
    "stream",
    "import",
    "load_ext",
    "panel",
    "concurrency",
    "create",
}
TARGETS = {
    "exec_echo_ratio",
    "exec_sleep_ratio",
    "exchanges_max_age_3600",
    "exchanges_max_age_30",
    "exchanges_per_lifetime_30",
    "stream_throughput",
    "stream_memory",
    "import_cost",
    "magic_overhead",
    "magic_ipython_overhead",
    "panel_first_page",
}


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("bench")
    out = tmp / "results.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ISLO_")}
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--out", str(out), "--cache-dir", str(tmp)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "### Targets" in done.stdout
    return dict(json.loads(out.read_text()))


@pytest.mark.slow
def test_every_section_ran(results: dict[str, Any]) -> None:
    assert results["schema"] == 1
    assert results["meta"]["smoke"] is True
    assert {section["id"] for section in results["sections"]} == SECTIONS


@pytest.mark.slow
def test_every_contender_produced_numbers(results: dict[str, Any]) -> None:
    for section in results["sections"]:
        assert section["contenders"], section["id"]
        for contender in section["contenders"]:
            where = f"{section['id']} / {contender['name']}: {contender['reason']}"
            assert contender["status"] == "ok", where
            summary = contender["summary"][section["metric"]]
            assert summary["n"] >= 1, where
            assert summary["median"] > 0, where
            values = contender["samples"][section["metric"]]
            assert all(isinstance(v, float) for v in values), where


@pytest.mark.slow
def test_ratios_are_against_the_named_baseline(results: dict[str, Any]) -> None:
    for section in results["sections"]:
        if section["baseline"] is None:
            continue
        names = {c["name"]: c for c in section["contenders"]}
        assert names[section["baseline"]]["ratio"] == pytest.approx(1.0), section["id"]
        assert all(c["ratio"] is not None for c in section["contenders"]), section["id"]


@pytest.mark.slow
def test_every_target_is_evaluated(results: dict[str, Any]) -> None:
    targets = {target["id"]: target for target in results["targets"]}
    assert set(targets) == TARGETS
    for target in targets.values():
        assert isinstance(target["value"], float | int), target
        assert target["met"] in (True, False), target
