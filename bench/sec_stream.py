"""Issue section 3: 50 MB of stdout, throughput and peak memory, one child process per sample."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from .context import BenchContext
from .harness import Contender, Metrics, run_interleaved
from .report import Section

ROOT = Path(__file__).resolve().parent.parent
SOCKET_FLOOR = "raw socket read of the HTTP body (floor)"
CONTENDERS = {
    "islo_jupyter IsloClient.exec(on_stdout=...)": "ours",
    "official SDK exec_in_sandbox_stream raw response": "sdk",
    "requests.Session stream + SSE parse": "requests",
    SOCKET_FLOOR: "socket",
}


def _child_sample(ctx: BenchContext, contender: str) -> Callable[[], Metrics]:
    job = {
        "contender": contender,
        "base_url": ctx.server.base_url,
        "api_key": ctx.server.api_key,
        "sandbox": ctx.sandbox,
        "bytes": ctx.config.stream_mb * 1024 * 1024,
    }
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def sample() -> Metrics:
        done = subprocess.run(
            [sys.executable, "-m", "bench.stream_child"],
            input=json.dumps(job),
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            timeout=600,
        )
        if done.returncode != 0:
            raise RuntimeError(
                done.stderr.strip().splitlines()[-1] if done.stderr else "child failed"
            )
        return Metrics(json.loads(done.stdout.strip().splitlines()[-1]))

    return sample


def run(ctx: BenchContext) -> list[Section]:
    size = ctx.config.stream_mb
    ctx.log(f"[stream] {size} MB of stdout")

    def prepare(kind: str) -> Callable[[contextlib.ExitStack], Callable[[], Metrics]]:
        return lambda _stack: _child_sample(ctx, kind)

    contenders = [Contender(name, prepare(kind)) for name, kind in CONTENDERS.items()]
    outcomes = run_interleaved(contenders, rounds=ctx.config.stream_rounds, warmup=0, log=ctx.log)
    return [
        Section(
            "stream",
            f"Streaming {size} MB of stdout (fresh process per sample)",
            outcomes,
            metric="MB/s",
            higher_is_better=True,
            baseline=SOCKET_FLOOR,
            notes=[
                "extra RSS MB: peak RSS during the read minus RSS before it; "
                "traced peak MB: tracemalloc peak of a second read; client CPU s: CPU time "
                "the reading process spent (on 2 cores it competes with the server's)",
            ],
        )
    ]
