"""``python -m bench.profile WHAT``: cProfile of the code behind a missed target, top functions.

WHAT is one of ``magic`` (``%%islo_exec`` vs ``IsloClient.exec``), ``panel`` (first page),
``stream`` (50 MB through ``IsloClient.exec``) or ``server`` (the local server answering
100 execs, profiled in its own process).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import json
import os
import pstats
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from . import ours
from .server import BenchServer, create_sandboxes, run_server
from .stream_child import stream_command

TOP = 25


def _profile(label: str, call: Callable[[], object], times: int, sort: str = "tottime") -> None:
    call()  # warm: imports, token, connection
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(times):
        call()
    profiler.disable()
    print(f"===== {label}: {times} calls, sorted by {sort}")
    pstats.Stats(profiler).sort_stats(sort).print_stats(TOP)


def profile_magic(server: BenchServer, stack: contextlib.ExitStack) -> None:
    client = stack.enter_context(ours.make_client(server))
    shell = ours.make_shell(stack, server)
    _profile("IsloClient.exec('echo hi')", lambda: client.exec("bench-0", "echo hi"), 30)
    cell = ours.magic_cell("bench-0", "echo hi")
    _profile("%%islo_exec echo hi", lambda: ours.run_cell_captured(shell, cell), 30)


def profile_panel(server: BenchServer, stack: contextlib.ExitStack) -> None:
    from islo_jupyter.panel import SandboxBrowser

    client = stack.enter_context(ours.make_client(server))

    def first_page() -> None:
        browser = SandboxBrowser(client=client, page_size=50)
        browser.wait_idle(60)
        browser.close()

    _profile("SandboxBrowser first page", first_page, 10, sort="cumulative")


def _discard(_text: str) -> None:
    """An output callback that keeps nothing."""


def profile_stream(server: BenchServer, stack: contextlib.ExitStack) -> None:
    client = stack.enter_context(ours.make_client(server))
    argv = stream_command(50 * 1024 * 1024)
    _profile(
        "IsloClient.exec, 50 MB",
        lambda: client.exec("bench-0", argv, on_stdout=_discard, keep_output=False),
        2,
    )


@contextlib.contextmanager
def _profiled_server(out: Path) -> Iterator[BenchServer]:
    """The server under ``python -m cProfile``; SIGINT stops uvicorn so the profile gets written."""
    with tempfile.TemporaryDirectory(prefix="islo-bench-prof-") as tmp:
        home = Path(tmp)
        argv = [sys.executable, "-m", "cProfile", "-o", str(out), "-m", "islo_jupyter.local"]
        argv += ["serve", "--port", "0", "--home", str(home)]
        process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while not (home / "server.json").exists():
                if process.poll() is not None:
                    raise RuntimeError("profiled server exited")
                time.sleep(0.05)
            info = json.loads((home / "server.json").read_text())
            key = (home / "api_keys").read_text().split()[0]
            yield BenchServer(info["base_url"], key, home, process, 3600)
        finally:
            os.kill(process.pid, signal.SIGINT)
            process.wait(timeout=30)


def profile_server() -> None:
    out = Path(tempfile.mkdtemp(prefix="islo-bench-prof-")) / "server.prof"
    with _profiled_server(out) as server, ours.make_client(server) as client:
        create_sandboxes(server, ["bench-0"])
        for _ in range(100):
            client.exec("bench-0", "echo hi")
    print("===== local server, 100 execs of echo hi (includes its start-up)")
    pstats.Stats(str(out)).sort_stats("tottime").print_stats(TOP)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("what", choices=["magic", "panel", "stream", "server"])
    args = parser.parse_args(argv)
    if args.what == "server":
        profile_server()
        return 0
    with run_server(3600) as server, contextlib.ExitStack() as stack:
        create_sandboxes(server, ["bench-0"] + [f"row-{i}" for i in range(60)], wait=False)
        {"magic": profile_magic, "panel": profile_panel, "stream": profile_stream}[args.what](
            server, stack
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
