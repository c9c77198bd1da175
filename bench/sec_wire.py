"""Diagnostic: one tiny request on a kept-alive connection vs on a new connection each time.

On loopback both should cost about the same. When the kept-alive one costs ~40 ms more,
the server writes a response in several segments with Nagle's algorithm on (no
TCP_NODELAY) and the client's delayed ACK holds the last segment back: every repeated
call of a client that reuses its connection pays that stall.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import requests

from .context import BenchContext
from .harness import Contender, run_interleaved
from .report import Section

KEPT = "GET /healthz, kept-alive requests.Session"
FRESH = "GET /healthz, new connection per call"
#: More than this between the two medians means the stall is there.
STALL_MS = 20.0


def run(ctx: BenchContext) -> list[Section]:
    ctx.log("[wire] kept-alive vs new connection")
    url = f"{ctx.server.base_url}/healthz"

    def kept(stack: contextlib.ExitStack) -> Callable[[], Any]:
        session = stack.enter_context(requests.Session())
        return lambda: session.get(url, timeout=30).raise_for_status()

    def fresh(_stack: contextlib.ExitStack) -> Callable[[], Any]:
        def call() -> None:
            with requests.Session() as session:
                session.get(url, timeout=30).raise_for_status()

        return call

    outcomes = run_interleaved(
        [Contender(KEPT, kept), Contender(FRESH, fresh)],
        rounds=ctx.config.rounds,
        warmup=ctx.config.warmup,
        log=ctx.log,
    )
    section = Section("wire", "Loopback round trip: kept-alive vs new connection", outcomes)
    kept_ms, fresh_ms = section.median(KEPT), section.median(FRESH)
    if kept_ms is not None and fresh_ms is not None and kept_ms - fresh_ms > STALL_MS:
        section.notes.append(
            f"kept-alive calls stall {kept_ms - fresh_ms:.0f} ms: the server's accepted sockets "
            "lack TCP_NODELAY (Nagle + delayed ACK); every reused connection pays it"
        )
    return [section]
