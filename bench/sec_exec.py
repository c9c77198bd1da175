"""Issue section 1: ``echo hi`` and a 50 ms command through every way of running it."""

from __future__ import annotations

import contextlib
from typing import Any

import requests

from . import floors, ours, sdk
from .context import ECHO, SLEEP, BenchContext
from .harness import Contender, run_interleaved
from .lazy import Lazy
from .report import Section
from .sandbox_floor import build_sandboxed_runner

REQUESTS_FLOOR = "requests.Session stream + SSE parse (floor)"
HTTP_CLIENT_FLOOR = "http.client stream round trip (floor)"
PROCESS_FLOOR = "local subprocess.run (process floor)"
SANDBOX_FLOOR = "local spawn via the server's launch chain (prlimit + bwrap, no HTTP)"
OURS_CLIENT = "islo_jupyter IsloClient.exec"
OURS_MAGIC = "islo_jupyter %%islo_exec (IPython shell)"
OURS_CANCELLABLE = "islo_jupyter IsloClient.exec(cancellable=True)"
OURS_AS_MAGIC = "islo_jupyter IsloClient.exec(the magic's argv, cancellable=True)"
SDK_POLL = "official SDK exec_and_wait_sync (default poll)"
SDK_STREAM = "official SDK exec_in_sandbox_stream (raw response)"


def _expect_hi(value: Any) -> None:
    """Every contender must really have run the command: its stdout is ``hi``."""
    if isinstance(value, floors.StreamOutcome):
        ok = value.stdout == b"hi\n" and value.exit_code == 0
    elif isinstance(value, bytes | str):
        ok = "hi" in (value.decode() if isinstance(value, bytes) else value)
    else:  # our ExecResult or the SDK's ExecResult
        ok = getattr(value, "stdout", None) == "hi\n" and getattr(value, "exit_code", None) == 0
    if not ok:
        raise AssertionError(f"unexpected result: {value!r:.200}")


class ExecRig:
    """The clients of this section, each built once and shared by both commands."""

    def __init__(self, ctx: BenchContext, stack: contextlib.ExitStack) -> None:
        server = ctx.server
        self.ctx = ctx
        self.stream_url = f"{server.base_url}/sandboxes/{ctx.sandbox}/exec/stream"
        self.token = Lazy(server.exchange)
        self.session = Lazy(lambda: stack.enter_context(requests.Session()))
        self.http = Lazy(
            lambda: _closing(stack, floors.HttpClientFloor(server.base_url, self.token()))
        )
        self.client = Lazy(lambda: stack.enter_context(ours.make_client(server)))
        self.shell = Lazy(lambda: ours.make_shell(stack, server))
        self.sdk = Lazy(lambda: sdk.make_sdk(server))
        self.sandboxed = Lazy(lambda: build_sandboxed_runner(stack))

    def contenders(self, command: str) -> list[Contender]:
        argv = ["/bin/sh", "-c", command]
        box = self.ctx.sandbox
        poll_samples = self.ctx.config.sdk_poll_samples
        return [
            Contender(OURS_CLIENT, lambda _s: _bind(self.client, lambda c: c.exec(box, command))),
            # The next two split the magic's overhead: the cancel wrapper, then its shell pick.
            Contender(
                OURS_CANCELLABLE,
                lambda _s: _bind(self.client, lambda c: c.exec(box, command, cancellable=True)),
            ),
            Contender(
                OURS_AS_MAGIC,
                lambda _s: _bind(
                    self.client,
                    lambda c: c.exec(box, ours.magic_argv(command), cancellable=True),
                ),
            ),
            Contender(
                OURS_MAGIC,
                lambda _s: _bind(
                    self.shell, lambda sh: ours.run_cell_captured(sh, ours.magic_cell(box, command))
                ),
            ),
            Contender(
                SDK_POLL,
                lambda _s: _bind(self.sdk, lambda c: sdk.exec_and_wait(c, box, argv)),
                max_samples=poll_samples,
                note=f"{poll_samples} samples: it sleeps 2 s between polls",
            ),
            Contender(
                SDK_STREAM, lambda _s: _bind(self.sdk, lambda c: sdk.exec_stream(c, box, argv))
            ),
            Contender(
                REQUESTS_FLOOR,
                lambda _s: _bind(
                    self.session,
                    lambda s: floors.requests_stream_exec(s, self.stream_url, self.token(), argv),
                ),
            ),
            Contender(
                HTTP_CLIENT_FLOOR, lambda _s: _bind(self.http, lambda h: h.exec_stream(box, argv))
            ),
            Contender(PROCESS_FLOOR, lambda _s: lambda: floors.process_floor(argv)),
            Contender(SANDBOX_FLOOR, lambda _s: _bind(self.sandboxed, lambda run: run(argv))),
        ]


def _closing(stack: contextlib.ExitStack, floor: floors.HttpClientFloor) -> floors.HttpClientFloor:
    stack.callback(floor.close)
    return floor


def _bind(resource: Lazy[Any], use: Any) -> Any:
    """Build the shared resource now (so a missing piece shows as n/a), then time ``use``."""
    value = resource()
    return lambda: use(value)


def run(ctx: BenchContext) -> list[Section]:
    sections = []
    with contextlib.ExitStack() as stack:
        rig = ExecRig(ctx, stack)
        for section_id, title, command, baseline in (
            ("exec_echo", "`echo hi` end to end", ECHO, REQUESTS_FLOOR),
            ("exec_sleep", '`sh -c "sleep 0.05; echo hi"` end to end', SLEEP, PROCESS_FLOOR),
        ):
            ctx.log(f"[exec] {title}")
            contenders = rig.contenders(command)
            for contender in contenders:
                contender.check = _expect_hi
            outcomes = run_interleaved(
                contenders, rounds=ctx.config.rounds, warmup=ctx.config.warmup, log=ctx.log
            )
            sections.append(Section(section_id, title, outcomes, baseline=baseline))
    return sections
