"""Exec against the real server: argv, status mapping, env, workdir, isolation, caps, timeouts."""

from __future__ import annotations

import time
from typing import Any

import requests

from tests.conftest import LocalServer
from tests.local.helpers import parse_sse, run, sh, start_exec, wait_exec


def test_exit_zero_is_completed_with_output(local_server: LocalServer, sandbox: dict) -> None:
    result = sh(local_server, sandbox["name"], "echo out; echo err >&2")
    assert result["status"] == "completed"
    assert result["exit_code"] == 0
    assert result["stdout"] == "out\n"
    assert result["stderr"] == "err\n"
    assert result["truncated"] is False


def test_nonzero_exit_is_completed_with_that_code(local_server: LocalServer, sandbox: dict) -> None:
    result = sh(local_server, sandbox["name"], "exit 3")
    assert (result["status"], result["exit_code"]) == ("completed", 3)


def test_argv_is_not_a_shell(local_server: LocalServer, sandbox: dict) -> None:
    result = run(local_server, sandbox["name"], ["echo", "$HOME", "a;b"])
    assert result["stdout"] == "$HOME a;b\n"


def test_missing_program_fails_with_127(local_server: LocalServer, sandbox: dict) -> None:
    result = run(local_server, sandbox["name"], ["no-such-program-xyz"])
    assert (result["status"], result["exit_code"]) == ("failed", 127)
    assert "no-such-program-xyz" in result["stderr"]


def test_default_cwd_is_workspace_and_home(local_server: LocalServer, sandbox: dict) -> None:
    result = sh(local_server, sandbox["name"], 'pwd; echo "$HOME"')
    assert result["stdout"] == "/workspace\n/workspace\n"


def test_workdir_is_relative_to_workspace(local_server: LocalServer, sandbox: dict) -> None:
    sh(local_server, sandbox["name"], "mkdir -p sub/dir")
    result = sh(local_server, sandbox["name"], "pwd", workdir="sub/dir")
    assert result["stdout"] == "/workspace/sub/dir\n"


def test_env_of_sandbox_and_exec_merge(local_server: LocalServer) -> None:
    from tests.local.helpers import create_ready

    box = create_ready(local_server, env={"A": "sandbox", "B": "kept"})
    result = sh(local_server, box["name"], 'echo "$A $B $C"', env={"A": "exec", "C": "new"})
    assert result["stdout"] == "exec kept new\n"
    local_server.request("DELETE", f"/sandboxes/{box['name']}")


def test_server_environment_does_not_leak(local_server: LocalServer, sandbox: dict) -> None:
    result = run(local_server, sandbox["name"], ["env"])
    names = {line.split("=", 1)[0] for line in result["stdout"].splitlines()}
    assert "ISLO_API_KEY" not in names
    assert names <= {"PATH", "HOME", "LANG", "LC_ALL", "PWD", "SHLVL", "_", "TMPDIR"}


def test_tmp_persists_across_execs_of_one_sandbox(local_server: LocalServer, sandbox: dict) -> None:
    sh(local_server, sandbox["name"], "echo marker > /tmp/flag")
    assert sh(local_server, sandbox["name"], "cat /tmp/flag")["stdout"] == "marker\n"


def test_running_exec_reports_partial_output(local_server: LocalServer, sandbox: dict) -> None:
    exec_id = start_exec(local_server, sandbox["name"], ["/bin/sh", "-c", "echo early; sleep 30"])
    deadline = time.monotonic() + 20
    result: dict[str, Any] = {}
    while time.monotonic() < deadline:
        result = local_server.request("GET", f"/sandboxes/{sandbox['name']}/exec/{exec_id}").json()
        if result["stdout"]:
            break
        time.sleep(0.05)
    assert result["status"] == "running"
    assert result["exit_code"] is None
    assert result["stdout"] == "early\n"


def test_timeout_secs_kills_the_command(local_server: LocalServer, sandbox: dict) -> None:
    started = time.monotonic()
    result = sh(local_server, sandbox["name"], "echo begun; sleep 60", timeout_secs=1)
    assert result["status"] == "timeout"
    assert result["stdout"] == "begun\n"
    assert time.monotonic() - started < 30


def test_killed_by_signal_is_failed_128_plus_n(local_server: LocalServer, sandbox: dict) -> None:
    result = run(local_server, sandbox["name"], ["/usr/bin/python3", "-c",
                 "import os, signal; os.kill(os.getpid(), signal.SIGTERM)"])  # fmt: skip
    assert result["exit_code"] == 128 + 15


def test_output_beyond_cap_is_truncated(local_server: LocalServer, sandbox: dict) -> None:
    # 3 MiB of output against the 1 MiB cap per stream: the head is kept, the flag is set.
    result = sh(local_server, sandbox["name"], "head -c 3145728 /dev/zero | tr '\\0' a")
    assert result["status"] == "completed"
    assert result["truncated"] is True
    assert len(result["stdout"]) == 1024 * 1024
    assert set(result["stdout"]) == {"a"}


def test_exec_result_of_unknown_id_is_404(local_server: LocalServer, sandbox: dict) -> None:
    response = local_server.request("GET", f"/sandboxes/{sandbox['name']}/exec/exec_nope")
    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"


def test_exec_is_counted_in_stats(local_server: LocalServer, sandbox: dict) -> None:
    before = local_server.stats()["execs_started"]
    sh(local_server, sandbox["name"], "true")
    assert local_server.stats()["execs_started"] == before + 1


def _stream(server: LocalServer, name: str, command: list[str]) -> list[tuple[str, str]]:
    response = server.request(
        "POST", f"/sandboxes/{name}/exec/stream", json={"command": command}, stream=True
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    return parse_sse(response.content.decode())


def test_stream_carries_output_and_exit(local_server: LocalServer, sandbox: dict) -> None:
    events = _stream(local_server, sandbox["name"],
                     ["/bin/sh", "-c", "printf 'one\\ntwo\\n'; echo bad >&2; exit 4"])  # fmt: skip
    stdout = "".join(data for name, data in events if name == "stdout")
    stderr = "".join(data for name, data in events if name == "stderr")
    assert stdout == "one\ntwo\n"
    assert stderr == "bad\n"
    assert events[-1] == ("exit", "4")


def test_stream_keeps_multibyte_characters_whole(local_server: LocalServer, sandbox: dict) -> None:
    script = "import sys\nfor _ in range(2000):\n    sys.stdout.write('é€😀'); sys.stdout.flush()"
    events = _stream(local_server, sandbox["name"], ["/usr/bin/python3", "-c", script])
    stdout = "".join(data for name, data in events if name == "stdout")
    assert stdout == "é€😀" * 2000


def test_stream_of_missing_program_reports_exit_127(
    local_server: LocalServer, sandbox: dict
) -> None:
    events = _stream(local_server, sandbox["name"], ["no-such-program-xyz"])
    assert events[-1] == ("exit", "127")


def test_stream_disconnect_kills_the_process(local_server: LocalServer, sandbox: dict) -> None:
    name = sandbox["name"]
    response = local_server.request(
        "POST",
        f"/sandboxes/{name}/exec/stream",
        json={"command": ["/bin/sh", "-c", "echo started; sleep 120; echo never > /tmp/late"]},
        stream=True,
    )
    exec_id = response.headers["X-Exec-Id"]
    next(response.iter_content(chunk_size=None))  # the first event: it runs
    response.close()
    result = wait_exec(local_server, name, exec_id)
    assert result["status"] == "failed"
    assert result["stdout"] == "started\n"
    assert sh(local_server, name, "ls /tmp")["stdout"] == ""


def test_sandbox_cannot_reach_host_files(local_server: LocalServer, sandbox: dict) -> None:
    result = sh(local_server, sandbox["name"], f"ls {local_server.home} 2>&1; cat /etc/shadow")
    assert result["exit_code"] != 0
    stats = local_server.stats()
    if stats["isolation"] == "bubblewrap":
        assert "No such file" in result["stdout"] + result["stderr"]


def test_sandboxes_do_not_see_each_other(local_server: LocalServer, sandbox: dict) -> None:
    from tests.local.helpers import create_ready

    other = create_ready(local_server)
    sh(local_server, other["name"], "echo secret > mine.txt")
    result = sh(local_server, sandbox["name"], "ls /workspace")
    assert "mine.txt" not in result["stdout"]
    local_server.request("DELETE", f"/sandboxes/{other['name']}")


def test_no_network_without_internet_enabled(local_server: LocalServer, sandbox: dict) -> None:
    port = int(local_server.base_url.rsplit(":", 1)[1])
    script = (
        "import socket\n"
        "try:\n"
        f"    socket.create_connection(('127.0.0.1', {port}), timeout=3); print('reached')\n"
        "except OSError: print('blocked')"
    )
    result = run(local_server, sandbox["name"], ["/usr/bin/python3", "-c", script])
    if local_server.stats()["isolation"] == "bubblewrap":
        assert result["stdout"] == "blocked\n"


def test_poll_endpoint_needs_no_body(local_server: LocalServer, sandbox: dict) -> None:
    exec_id = start_exec(local_server, sandbox["name"], ["true"])
    raw = requests.get(
        f"{local_server.base_url}/sandboxes/{sandbox['name']}/exec/{exec_id}",
        headers=local_server.headers(),
        timeout=30,
    )
    assert raw.status_code == 200
