"""In a real ipykernel: output streams live into the running cell, and the stop button kills."""

from __future__ import annotations

import queue
import secrets
import time
from collections.abc import Iterator
from typing import Any

import pytest
from jupyter_client.manager import KernelManager

from islo_jupyter.client import IsloClient
from islo_jupyter.demo import build_kernel_env

WAIT = 90.0


class Kernel:
    """A started kernel and helpers to run a cell and read its iopub messages."""

    def __init__(self, manager: KernelManager) -> None:
        self.manager = manager
        self.client = manager.client()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=WAIT)

    def run(self, code: str) -> list[dict[str, Any]]:
        """Run to completion; return the iopub messages of this execution."""
        msg_id = self.client.execute(code)
        return list(self.messages(msg_id))

    def messages(self, msg_id: str) -> Iterator[dict[str, Any]]:
        """This execution's iopub messages as they arrive, until it is idle."""
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            try:
                msg = self.client.get_iopub_msg(timeout=1)
            except queue.Empty:
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            yield msg
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                return
        raise AssertionError("the cell did not finish in time")


def stream_text(messages: list[dict[str, Any]], name: str = "stdout") -> str:
    return "".join(
        m["content"]["text"]
        for m in messages
        if m["msg_type"] == "stream" and m["content"]["name"] == name
    )


@pytest.fixture
def kernel(islo_env: Any, tmp_path: Any) -> Iterator[Kernel]:
    manager = KernelManager(kernel_name="python3")
    manager.start_kernel(env=build_kernel_env(), cwd=str(tmp_path))
    try:
        started = Kernel(manager)
        started.run("%load_ext islo_jupyter")
        yield started
    finally:
        manager.shutdown_kernel(now=True)


@pytest.fixture
def box(islo_env: Any) -> Iterator[tuple[IsloClient, str]]:
    name = f"k-{secrets.token_hex(4)}"
    with IsloClient() as client:
        client.create_sandbox(name)
        client.wait_until_running(name)
        yield client, name
        client.delete_sandbox(name)


def test_output_reaches_the_notebook_while_the_cell_runs(
    kernel: Kernel, box: tuple[IsloClient, str]
) -> None:
    client, name = box
    gate = f"gate-{secrets.token_hex(4)}"
    msg_id = kernel.client.execute(
        f"%%islo_exec {name}\necho first\nwhile [ ! -e {gate} ]; do sleep 0.05; done\necho second"
    )
    seen: list[dict[str, Any]] = []
    for msg in kernel.messages(msg_id):
        seen.append(msg)
        if "first" in stream_text(seen):
            # The cell is still blocked on the gate: the line arrived live, under this cell.
            client.exec(name, f"touch {gate}", stream=False)
    assert stream_text(seen) == "first\nsecond\n"


def test_interrupting_the_kernel_kills_the_remote_command(
    kernel: Kernel, box: tuple[IsloClient, str]
) -> None:
    client, name = box
    beat = f"beat-{secrets.token_hex(4)}"
    msg_id = kernel.client.execute(
        f"%%islo_exec {name}\necho started\nwhile true; do echo x >> {beat}; sleep 0.1; done"
    )
    seen: list[dict[str, Any]] = []
    interrupted = False
    for msg in kernel.messages(msg_id):
        seen.append(msg)
        if not interrupted and "started" in stream_text(seen):
            time.sleep(0.3)
            kernel.manager.interrupt_kernel()  # the notebook's stop button
            interrupted = True
    errors = [m["content"] for m in seen if m["msg_type"] == "error"]
    assert [e["ename"] for e in errors] == ["KeyboardInterrupt"]
    assert f"Interrupted: the command in sandbox {name!r} was killed." in stream_text(
        seen, "stderr"
    )
    check = f'[ -s {beat} ] && a=$(wc -l < {beat}) && sleep 0.6 && [ "$a" = $(wc -l < {beat}) ]'
    deadline = time.monotonic() + WAIT
    while client.exec(name, check, stream=False).exit_code != 0:
        assert time.monotonic() < deadline, "the remote loop is still running"
    # The kernel is still usable afterwards.
    after = kernel.run(f"%%islo_exec {name}\necho alive")
    assert stream_text(after) == "alive\n"


@pytest.mark.parametrize("cleanup", [True, False])
def test_cleanup_on_exit_deletes_this_kernels_sandboxes_at_shutdown(
    islo_env: Any, tmp_path: Any, cleanup: bool
) -> None:
    name = f"exit-{secrets.token_hex(4)}"
    manager = KernelManager(kernel_name="python3")
    manager.start_kernel(env=build_kernel_env(), cwd=str(tmp_path))
    kernel = Kernel(manager)
    try:
        kernel.run("%load_ext islo_jupyter")
        kernel.run(f"%config IsloMagics.cleanup_on_exit = {cleanup}")
        kernel.run(f"%islo create {name} --no-wait")
    finally:
        kernel.client.stop_channels()
        manager.shutdown_kernel(now=False)  # a graceful shutdown, as Jupyter does
    with IsloClient() as client:
        names = {sandbox.name for sandbox in client.iter_sandboxes(name_prefix=name)}
        if not cleanup:
            client.delete_sandbox(name)
    assert names == (set() if cleanup else {name})
