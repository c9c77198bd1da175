"""The cancellable-exec wrapper under the local /bin/sh: exit codes pass through, cancel kills."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from islo_jupyter.exec_wrapper import cancel_command, cancel_file, new_cancel_id, wrap_cancellable


def test_exit_code_and_output_pass_through() -> None:
    argv = wrap_cancellable(["/bin/sh", "-c", "echo out; echo err >&2; exit 7"], new_cancel_id())
    done = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    assert (done.returncode, done.stdout, done.stderr) == (7, "out\n", "err\n")


def test_cancel_file_kills_the_whole_process_group(tmp_path: Path) -> None:
    cancel_id = new_cancel_id()
    marker = tmp_path / "child.pid"
    # The command starts a grandchild; cancelling must take both down.
    script = f"sleep 60 & echo $! > {marker}; wait"
    proc = subprocess.Popen(wrap_cancellable(["/bin/sh", "-c", script], cancel_id))
    try:
        for _ in range(200):
            if marker.exists() and marker.read_text().strip():
                break
            time.sleep(0.05)
        grandchild = int(marker.read_text())
        subprocess.run(cancel_command(cancel_id), check=True, timeout=30)
        assert proc.wait(timeout=30) != 0
        for _ in range(100):
            if not _alive(grandchild):
                break
            time.sleep(0.05)
        assert not _alive(grandchild)
        assert not os.path.exists(cancel_file(cancel_id))
    finally:
        proc.kill()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead for our purpose.
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"
