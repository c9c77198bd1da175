"""Child process of the streaming section: one contender reads one big stream, measured alone.

A fresh process per sample keeps one contender's memory from hiding another's. The
parent sends the job (including the API key) as JSON on stdin, never on the command line,
and reads one JSON line of metrics from stdout.
"""

from __future__ import annotations

import json
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from . import floors, ours, sdk
from .server import BenchServer

MB = 1024 * 1024
LINE = "0123456789" * 9 + "abcdefghi"  # 99 characters + newline = 100-byte lines


def stream_command(size: int) -> list[str]:
    return ["/bin/sh", "-c", f"yes {LINE} | head -c {size}"]


def current_rss() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * resource.getpagesize()


def reset_peak_rss() -> None:
    """Start a fresh high-water mark: writing 5 to clear_refs resets VmHWM (Linux >= 4.0)."""
    with open("/proc/self/clear_refs", "w") as handle:
        handle.write("5")


def peak_rss() -> int:
    """VmHWM: the peak resident set since the last reset (ru_maxrss cannot be reset)."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kB on Linux


def build_reader(
    name: str, server: BenchServer, sandbox: str, argv: list[str]
) -> Callable[[], int]:
    """The contender's read of the whole stream; returns the stdout (or body) bytes it saw."""
    if name == "ours":
        client = ours.make_client(server)

        def read_ours() -> int:
            seen = [0]

            def count(text: str) -> None:
                seen[0] += len(text)

            # keep_output=False: the callback gets the text, the result keeps none of it.
            result = client.exec(sandbox, argv, on_stdout=count, keep_output=False)
            if result.exit_code != 0:
                raise RuntimeError(f"exit {result.exit_code}")
            return seen[0]

        return read_ours
    if name == "sdk":
        client = sdk.make_sdk(server)
        return lambda: len(sdk.exec_stream(client, sandbox, argv).stdout)
    token = server.exchange()
    if name == "socket":
        return lambda: floors.raw_socket_stream(server.base_url, token, sandbox, argv)
    if name == "requests":
        import requests

        session = requests.Session()
        url = f"{server.base_url}/sandboxes/{sandbox}/exec/stream"
        return lambda: len(floors.requests_stream_exec(session, url, token, argv).stdout)
    raise ValueError(f"unknown contender {name}")


def measure(job: dict[str, Any]) -> dict[str, float]:
    server = BenchServer(job["base_url"], job["api_key"], None, None, 0)  # type: ignore[arg-type]
    size = int(job["bytes"])
    read = build_reader(job["contender"], server, job["sandbox"], stream_command(size))
    warm = build_reader(job["contender"], server, job["sandbox"], stream_command(1000))
    warm()  # connection, token, lazy imports: paid before the measured read
    reset_peak_rss()
    before = current_rss()
    started, cpu_started = time.perf_counter(), time.process_time()
    seen = read()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    peak = peak_rss()
    if seen < size:
        raise RuntimeError(f"read {seen} bytes, expected at least {size}")
    tracemalloc.start()
    read()
    traced = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {
        "MB/s": size / MB / elapsed,
        "s": elapsed,
        "client CPU s": cpu,
        "extra RSS MB": max(peak - before, 0) / MB,
        "traced peak MB": traced / MB,
    }


def main() -> None:
    job = json.loads(sys.stdin.read())
    print(json.dumps(measure(job)))


if __name__ == "__main__":
    main()
