"""Running execs: spawn in their own session, capture or stream output, stop/freeze/kill them."""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import logging
import os
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from .launcher import LaunchSpec
from .output import CappedText

log = logging.getLogger("islo_jupyter.local")

READ_CHUNK = 64 * 1024
#: After the main process exits, how long its pipes may stay open (held by a background child).
PIPE_GRACE_SECS = 2.0
#: Exit code reported with status ``timeout`` (coreutils ``timeout`` uses the same).
TIMEOUT_EXIT_CODE = 124
STREAM_QUEUE_CHUNKS = 8
#: Scans of a process tree while freezing it (each pass stops what the previous one missed).
FREEZE_PASSES = 8

StreamItem = tuple[str, str] | None


@dataclass
class ExecOutcome:
    status: str
    exit_code: int | None
    stdout: str
    stderr: str
    truncated: bool
    error: str | None = None  # why it did not complete normally, for the SSE ``error`` event


def descendant_pids(root: int) -> list[int]:
    """``root`` and every process below it, parents first (bwrap's child is in another
    session, so a process-group signal alone would miss it)."""
    children: dict[int, list[int]] = {}
    with contextlib.suppress(OSError):
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as handle:
                    stat = handle.read()
            except OSError:
                continue
            # The command name may contain spaces and parentheses: parse after the last ')'.
            ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
    order, queue = [], [root]
    while queue:
        pid = queue.pop(0)
        order.append(pid)
        queue.extend(children.get(pid, []))
    return order


class _ExitAwareProtocol(asyncio.subprocess.SubprocessStreamProtocol):
    """Says when the process itself has exited, whatever happens to its pipes."""

    def __init__(self, limit: int, loop: asyncio.AbstractEventLoop):
        super().__init__(limit=limit, loop=loop)
        self.exited = asyncio.Event()

    def process_exited(self) -> None:
        super().process_exited()
        self.exited.set()


@dataclass
class RunningExec:
    """One spawned command. Output always goes to capped buffers; with ``stream`` also to a
    bounded queue whose consumer sets the pace (backpressure down to the child's pipe)."""

    exec_id: str
    sandbox_id: str
    tenant: str
    cap: int
    stream: bool = False
    stdout: CappedText = field(init=False)
    stderr: CappedText = field(init=False)
    queue: asyncio.Queue[StreamItem] = field(init=False)
    done: asyncio.Event = field(init=False, default_factory=asyncio.Event)
    outcome: ExecOutcome | None = None
    _proc: asyncio.subprocess.Process | None = None
    _exited: asyncio.Event = field(init=False, default_factory=asyncio.Event)
    _kill_reason: str | None = None
    _timed_out: bool = False
    _detached: bool = False

    def __post_init__(self) -> None:
        self.stdout = CappedText(self.cap)
        self.stderr = CappedText(self.cap)
        self.queue = asyncio.Queue(maxsize=STREAM_QUEUE_CHUNKS)

    @property
    def spawned(self) -> bool:
        """False for an exec that never started (its outcome is already settled)."""
        return self._proc is not None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    async def spawn(self, spec: LaunchSpec) -> None:
        """Start the command. If cancelled meanwhile, the start completes and then the whole
        tree is killed: asyncio alone would kill only bwrap, and a bwrap killed that early
        can leave its sandboxed child running (and holding our pipes) as an orphan."""
        starting = asyncio.ensure_future(self._start(spec))
        try:
            await asyncio.shield(starting)
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                await starting
            self.kill("cancelled while starting")
            raise

    async def _start(self, spec: LaunchSpec) -> None:
        loop = asyncio.get_running_loop()
        transport, protocol = await loop.subprocess_exec(
            lambda: _ExitAwareProtocol(limit=READ_CHUNK, loop=loop),
            *spec.argv,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            cwd=spec.cwd,
            env=spec.env,
            start_new_session=True,  # own process group: signals reach the whole tree
        )
        self._exited = protocol.exited
        self._proc = asyncio.subprocess.Process(transport, protocol, loop)

    def _freeze_tree(self) -> list[int]:
        """SIGSTOP the whole tree, scanning again until nothing new appears: a stopped process
        cannot fork, so this converges, and nothing escapes between the scan and a kill."""
        assert self._proc is not None
        frozen: list[int] = []
        for _ in range(FREEZE_PASSES):
            fresh = [pid for pid in descendant_pids(self._proc.pid) if pid not in frozen]
            if not fresh:
                break
            for pid in fresh:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGSTOP)
            frozen += fresh
        return frozen

    def _signal_group(self, sig: int) -> None:
        # Once the main process is gone, its orphans are reachable through the group only.
        assert self._proc is not None
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._proc.pid, sig)

    def signal(self, sig: int) -> None:
        """Pause (SIGSTOP) or resume (SIGCONT) every process of this exec."""
        if self._proc is None:
            return
        if self._proc.returncode is None:
            if sig == signal.SIGSTOP:
                self._freeze_tree()
            else:
                for pid in descendant_pids(self._proc.pid):
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.kill(pid, sig)
        self._signal_group(sig)

    def kill(self, reason: str) -> None:
        """Freeze, then SIGKILL the whole tree. Killing a live bwrap outright can orphan a
        child it is still setting up (before --die-with-parent applies)."""
        if self._kill_reason is None:
            self._kill_reason = reason
        if self._proc is None:
            return
        if self._proc.returncode is None:
            for pid in self._freeze_tree():
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
        self._signal_group(signal.SIGKILL)

    def detach_stream(self) -> None:
        """The stream's reader is gone: stop feeding the queue and unblock the pumps."""
        self._detached = True
        while not self.queue.empty():
            self.queue.get_nowait()

    async def emit(self, item: StreamItem) -> None:
        """Queue an item for the stream reader, if there is one (waits while the queue is full)."""
        if self.stream and not self._detached:
            await self.queue.put(item)

    async def _pump(self, reader: asyncio.StreamReader, kind: str, capture: CappedText) -> None:
        # Incremental decoding never splits a multi-byte character across two chunks.
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        while True:
            chunk = await reader.read(READ_CHUNK)
            text = decoder.decode(chunk, final=not chunk)
            if text:
                capture.add(text)
                await self.emit((kind, text))
            if not chunk:
                return

    async def supervise(self, timeout: float | None) -> ExecOutcome:
        """Wait for the exit (killing at ``timeout``), drain the pipes, settle the outcome."""
        proc = self._proc
        assert proc is not None and proc.stdout is not None and proc.stderr is not None
        pumps = [
            asyncio.ensure_future(self._pump(proc.stdout, "stdout", self.stdout)),
            asyncio.ensure_future(self._pump(proc.stderr, "stderr", self.stderr)),
        ]
        # Not proc.wait(): it also waits for the pipes, which an orphaned background child
        # may hold open for as long as it likes.
        try:
            await asyncio.wait_for(self._exited.wait(), timeout)
        except asyncio.TimeoutError:
            self._timed_out = True
            self.kill("timeout")
            await self._exited.wait()
        _, pending = await asyncio.wait(pumps, timeout=PIPE_GRACE_SECS)
        if pending:
            self.kill("exited")  # a background child holds the pipes: the exec is over
            _, pending = await asyncio.wait(pending, timeout=PIPE_GRACE_SECS)
            for pump in pending:
                pump.cancel()
        self.outcome = self._settle(proc.returncode, timeout)
        return self.outcome

    def _settle(self, returncode: int | None, timeout: float | None) -> ExecOutcome:
        truncated = self.stdout.truncated or self.stderr.truncated
        out, err = self.stdout.text, self.stderr.text
        if self._timed_out:
            message = f"command timed out after {timeout:g} s and was killed"
            return ExecOutcome("timeout", TIMEOUT_EXIT_CODE, out, err, truncated, message)
        if returncode is None:
            return ExecOutcome("failed", None, out, err, truncated, "no exit status")
        if returncode < 0 or self._kill_reason not in (None, "exited"):
            code = 128 - returncode if returncode < 0 else returncode
            why = self._kill_reason or f"signal {-returncode}"
            return ExecOutcome("failed", code, out, err, truncated, f"command killed ({why})")
        return ExecOutcome("completed", returncode, out, err, truncated)

    def fail_to_start(self, exit_code: int, message: str) -> ExecOutcome:
        self.outcome = ExecOutcome("failed", exit_code, "", message + "\n", False, message)
        return self.outcome


class ExecRegistry:
    """The execs of this server process that have not finished, by id and by sandbox."""

    def __init__(self) -> None:
        self._by_id: dict[str, RunningExec] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def get(self, exec_id: str) -> RunningExec | None:
        return self._by_id.get(exec_id)

    def of_sandbox(self, sandbox_id: str) -> list[RunningExec]:
        return [r for r in self._by_id.values() if r.sandbox_id == sandbox_id]

    def track(
        self,
        running: RunningExec,
        timeout: float | None,
        on_finish: Callable[[RunningExec, ExecOutcome], Awaitable[None] | None],
    ) -> None:
        self._by_id[running.exec_id] = running

        async def _run() -> None:
            try:
                outcome = await running.supervise(timeout)
                result = on_finish(running, outcome)
                if result is not None:
                    await result
            except Exception:
                log.exception("exec %s: supervision failed", running.exec_id)
            finally:
                self._by_id.pop(running.exec_id, None)
                running.done.set()
                await running.emit(None)

        task = asyncio.ensure_future(_run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def of_tenant(self, tenant: str) -> list[RunningExec]:
        return [r for r in self._by_id.values() if r.tenant == tenant]

    def signal_sandbox(self, sandbox_id: str, sig: int) -> None:
        for running in self.of_sandbox(sandbox_id):
            running.signal(sig)

    async def kill_sandbox(self, sandbox_id: str, reason: str) -> None:
        execs = self.of_sandbox(sandbox_id)
        for running in execs:
            running.kill(reason)
        for running in execs:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(running.done.wait(), 10)

    async def kill_all(self) -> None:
        for sandbox_id in {r.sandbox_id for r in self._by_id.values()}:
            await self.kill_sandbox(sandbox_id, "server shutdown")
