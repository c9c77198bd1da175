"""Unit tests of completion: the name cache and what completes where."""

from __future__ import annotations

import threading
import time

from islo_jupyter.magics.commands import COMMANDS
from islo_jupyter.magics.completion import (
    NameCache,
    complete_exec_line,
    complete_islo_line,
    split_for_completion,
)

SPECS = {verb: command.verb_spec() for verb, command in COMMANDS.items()}


def names() -> list[str]:
    return ["alpha", "beta", "bravo"]


def test_split_for_completion() -> None:
    assert split_for_completion("%islo cr") == (["%islo"], "cr")
    assert split_for_completion("%islo use ") == (["%islo", "use"], "")


def test_subcommands_complete_after_islo() -> None:
    assert complete_islo_line("%islo ", SPECS, names) == sorted(COMMANDS)
    assert complete_islo_line("%islo re", SPECS, names) == ["resume"]


def test_sandbox_names_complete_in_name_slots() -> None:
    assert complete_islo_line("%islo use b", SPECS, names) == ["beta", "bravo"]
    assert complete_islo_line("%islo rm alpha b", SPECS, names) == ["beta", "bravo"]
    assert complete_islo_line("%islo exec ", SPECS, names) == names()


def test_no_names_after_the_name_slot_or_after_double_dash() -> None:
    assert complete_islo_line("%islo upload alpha ", SPECS, names) == []
    assert complete_islo_line("%islo exec alpha -- b", SPECS, names) == []
    assert complete_islo_line("%islo status ", SPECS, names) == []


def test_options_complete_per_verb() -> None:
    assert "--image" in complete_islo_line("%islo create box --im", SPECS, names)
    assert complete_islo_line("%islo nosuch ", SPECS, names) == []


def test_exec_line_completes_names_and_options() -> None:
    assert complete_exec_line("%%islo_exec al", ["--quiet"], names) == ["alpha"]
    assert complete_exec_line("%%islo_exec alpha --q", ["--quiet"], names) == ["--quiet"]


def test_name_cache_serves_fresh_names_without_refetching() -> None:
    calls = []

    def fetch() -> list[str]:
        calls.append(1)
        return ["b", "a", "a"]

    cache = NameCache(fetch, ttl=60)
    assert cache.get() == ["a", "b"]
    assert cache.get() == ["a", "b"]
    assert len(calls) == 1
    cache.invalidate()
    cache.get()
    assert len(calls) == 2


def test_name_cache_answers_quickly_when_the_fetch_is_slow() -> None:
    release = threading.Event()

    def slow_fetch() -> list[str]:
        release.wait(30)
        return ["late"]

    cache = NameCache(slow_fetch, wait=0.05)
    started = time.monotonic()
    assert cache.get() == []
    assert time.monotonic() - started < 5  # bounded by `wait`, not by the fetch
    release.set()
    deadline = time.monotonic() + 10
    while cache.get() != ["late"] and time.monotonic() < deadline:
        time.sleep(0.01)
    assert cache.get() == ["late"]


def test_name_cache_survives_a_failing_fetch() -> None:
    def broken() -> list[str]:
        raise RuntimeError("network down")

    cache = NameCache(broken, wait=1)
    cache.add("kept")
    assert cache.get() == ["kept"]
