"""Running execs in-process (real child processes, no HTTP): streaming order and outcomes."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

from islo_jupyter.local.launcher import LaunchSpec
from islo_jupyter.local.processes import ExecOutcome, ExecRegistry, RunningExec
from islo_jupyter.local.routers.exec import sse_events
from tests.local.helpers import parse_sse


def _spec(tmp_path: Path, script: str) -> LaunchSpec:
    return LaunchSpec(["/bin/sh", "-c", script], {"PATH": "/usr/bin:/bin"}, tmp_path)


async def _run_stream_late(tmp_path: Path, script: str) -> str:
    """Start, let the command finish before anyone reads the stream, then read it."""
    running = RunningExec("e1", "sb", "t", cap=1024, stream=True)
    await running.spawn(_spec(tmp_path, script))
    finished: list[ExecOutcome] = []
    ExecRegistry().track(running, None, lambda _, outcome: finished.append(outcome))
    await asyncio.sleep(0.5)  # the process is long gone; its output waits in the queue
    body = b"".join([chunk async for chunk in sse_events(running, keepalive=5.0)])
    assert finished and finished[0].status == "completed"
    return body.decode()


def test_stream_read_after_the_exit_still_has_all_output(tmp_path: Path) -> None:
    body = asyncio.run(_run_stream_late(tmp_path, "echo one; echo two >&2"))
    events = parse_sse(body)
    assert ("stdout", "one\n") in events and ("stderr", "two\n") in events
    assert events[-1] == ("exit", "0")


async def _timeout_outcome(tmp_path: Path) -> ExecOutcome:
    running = RunningExec("e2", "sb", "t", cap=1024)
    await running.spawn(_spec(tmp_path, "echo begun; sleep 30"))
    return await running.supervise(timeout=0.5)


def test_timeout_kills_and_keeps_output(tmp_path: Path) -> None:
    outcome = asyncio.run(_timeout_outcome(tmp_path))
    assert (outcome.status, outcome.exit_code, outcome.stdout) == ("timeout", 124, "begun\n")
    assert outcome.error is not None and "timed out" in outcome.error


async def _background_child_outcome(tmp_path: Path) -> tuple[ExecOutcome, int]:
    running = RunningExec("e3", "sb", "t", cap=1024)
    # The shell exits at once, but its background child keeps the pipes open.
    await running.spawn(_spec(tmp_path, "sleep 60 & echo parent-done"))
    outcome = await running.supervise(timeout=None)
    assert running.pid is not None
    return outcome, running.pid


def test_background_child_holding_pipes_does_not_hang(tmp_path: Path) -> None:
    outcome, group = asyncio.run(_background_child_outcome(tmp_path))
    assert (outcome.status, outcome.exit_code) == ("completed", 0)
    assert outcome.stdout == "parent-done\n"
    deadline = time.monotonic() + 10
    while _live_members(group) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _live_members(group) == []  # the orphan was killed with its group


def _live_members(group: int) -> list[int]:
    """Processes of a process group that are not zombies (init reaps those when it likes)."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[2]) == group and fields[0] != "Z":
            members.append(int(entry))
    return members
