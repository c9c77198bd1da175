"""Issue section 6: the local server under 32 concurrent execs, and create -> running latency."""

from __future__ import annotations

import contextlib
import itertools
import statistics
import subprocess
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests

from . import floors, ours
from .context import ECHO, BenchContext
from .harness import Contender, Metrics, run_interleaved
from .report import Section
from .server import wait_running
from .stats import percentile

PROCESS_FLOOR = "local subprocess.run x N threads (process floor)"
CREATE_PROCESS_FLOOR = "local mkdir + subprocess.run(true) (process floor)"


def _burst(count: int, one: Callable[[int], Any]) -> Metrics:
    """``count`` calls released together from ``count`` threads; throughput and tail latency."""
    gate = threading.Barrier(count)

    def timed(index: int) -> float:
        gate.wait()
        started = time.perf_counter()
        one(index)
        return (time.perf_counter() - started) * 1000.0

    started = time.perf_counter()
    with ThreadPoolExecutor(count) as pool:
        latencies = list(pool.map(timed, range(count)))
    wall = time.perf_counter() - started
    return Metrics(
        {
            "execs/s": count / wall,
            "p99 ms": percentile(latencies, 99),
            "median ms": statistics.median(latencies),
        }
    )


def _concurrency_section(ctx: BenchContext) -> Section:
    count, boxes = ctx.config.concurrent_execs, ctx.sandboxes[: ctx.config.concurrent_sandboxes]
    server = ctx.server
    argv = ["/bin/sh", "-c", ECHO]

    def ours_burst(stack: contextlib.ExitStack) -> Callable[[], Metrics]:
        clients = [stack.enter_context(ours.make_client(server)) for _ in range(count)]

        def one(i: int) -> None:
            result = clients[i].exec(boxes[i % len(boxes)], ECHO)
            if result.stdout != "hi\n":
                raise AssertionError(f"unexpected output {result.stdout!r}")

        return lambda: _burst(count, one)

    def floor_burst(stack: contextlib.ExitStack) -> Callable[[], Metrics]:
        token = server.exchange()
        sessions = [stack.enter_context(requests.Session()) for _ in range(count)]

        def one(i: int) -> None:
            url = f"{server.base_url}/sandboxes/{boxes[i % len(boxes)]}/exec/stream"
            if floors.requests_stream_exec(sessions[i], url, token, argv).stdout != b"hi\n":
                raise AssertionError("unexpected output")

        return lambda: _burst(count, one)

    contenders = [
        Contender("islo_jupyter IsloClient.exec x N threads", ours_burst),
        Contender("requests.Session stream + SSE x N threads (floor)", floor_burst),
        Contender(
            PROCESS_FLOOR, lambda _s: lambda: _burst(count, lambda _i: floors.process_floor(argv))
        ),
    ]
    outcomes = run_interleaved(
        contenders,
        rounds=ctx.config.concurrent_rounds,
        warmup=min(ctx.config.warmup, 1),
        log=ctx.log,
    )
    return Section(
        "concurrency",
        f"{count} concurrent `echo hi` execs over {len(boxes)} sandboxes",
        outcomes,
        metric="execs/s",
        higher_is_better=True,
        baseline=PROCESS_FLOOR,
    )


def _create_section(ctx: BenchContext) -> Section:
    server = ctx.server
    serial = itertools.count()
    made: list[str] = []

    def ours_create(stack: contextlib.ExitStack) -> Callable[[], Any]:
        client = stack.enter_context(ours.make_client(server))
        stack.callback(_delete_all, client, made)

        def create() -> Any:
            name = f"bench-create-{next(serial)}"
            made.append(name)
            client.create_sandbox(name)
            return client.wait_until_running(name)

        return create

    def floor_create(stack: contextlib.ExitStack) -> Callable[[], Any]:
        session = stack.enter_context(requests.Session())
        session.headers["Authorization"] = f"Bearer {server.exchange()}"

        def create() -> None:
            name = f"bench-create-{next(serial)}"
            made.append(name)
            session.post(f"{server.base_url}/sandboxes", json={"name": name}).raise_for_status()
            wait_running(session, server.base_url, name, poll=0.005)

        return create

    def process_create(stack: contextlib.ExitStack) -> Callable[[], Any]:
        import tempfile

        root = stack.enter_context(tempfile.TemporaryDirectory(prefix="islo-bench-floor-"))

        def create() -> None:
            path = f"{root}/{next(serial)}"
            subprocess.run(["/bin/mkdir", "-p", f"{path}/workspace", f"{path}/tmp"], check=True)

        return create

    contenders = [
        Contender("islo_jupyter create_sandbox + wait_until_running", ours_create),
        Contender("bare requests POST + poll GET (floor)", floor_create),
        Contender(CREATE_PROCESS_FLOOR, process_create),
    ]
    outcomes = run_interleaved(
        contenders, rounds=ctx.config.create_rounds, warmup=min(ctx.config.warmup, 1), log=ctx.log
    )
    return Section(
        "create",
        "Create a sandbox -> running",
        outcomes,
        baseline=CREATE_PROCESS_FLOOR,
    )


def _delete_all(client: Any, names: list[str]) -> None:
    for name in names:
        with contextlib.suppress(Exception):
            client.delete_sandbox(name)


def run(ctx: BenchContext) -> list[Section]:
    ctx.log("[server] concurrency and create latency")
    return [_concurrency_section(ctx), _create_section(ctx)]
