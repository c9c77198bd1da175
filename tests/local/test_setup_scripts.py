"""Setup scripts run while a sandbox is ``starting``; each step is recorded on the sandbox."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from tests.conftest import LocalServer
from tests.local.helpers import sh, unique_name


def _create_and_settle(server: LocalServer, **body: Any) -> dict[str, Any]:
    name = unique_name("setup")
    response = server.request("POST", "/sandboxes", json={"name": name, **body})
    assert response.status_code == 200, response.text
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        sandbox: dict[str, Any] = server.request("GET", f"/sandboxes/{name}").json()
        if sandbox["status"] != "starting":
            return sandbox
        time.sleep(0.05)
    raise AssertionError("sandbox stayed starting")


def test_scripts_run_in_order_before_running(local_server: LocalServer) -> None:
    scripts = [
        {"name": "build", "script": "echo built > out.txt; echo building"},
        {"script": "cat out.txt; echo warn >&2"},
    ]
    sandbox = _create_and_settle(local_server, setup_scripts=scripts, env={"V": "1"})
    assert sandbox["status"] == "running"
    assert sandbox["creation_phase"] == "ready"
    assert sandbox["setup_steps"] == [
        {"name": "build", "status": "completed", "stdout": "building\n", "stderr": ""},
        {"name": "setup-2", "status": "completed", "stdout": "built\n", "stderr": "warn\n"},
    ]
    assert sh(local_server, sandbox["name"], "cat out.txt")["stdout"] == "built\n"


def test_failing_script_fails_the_sandbox(local_server: LocalServer) -> None:
    scripts = [{"script": "echo oops >&2; exit 3"}, {"script": "touch never"}]
    sandbox = _create_and_settle(local_server, setup_scripts=scripts)
    assert sandbox["status"] == "failed"
    assert sandbox["creation_phase"] == "setup_failed"
    assert [step["status"] for step in sandbox["setup_steps"]] == ["failed"]
    assert sandbox["setup_steps"][0]["stderr"] == "oops\n"
    response = local_server.request(
        "POST", f"/sandboxes/{sandbox['name']}/exec", json={"command": ["true"]}
    )
    assert response.status_code == 409


def test_sandbox_is_starting_while_scripts_run(local_server: LocalServer) -> None:
    name = unique_name("setup")
    body = {"name": name, "setup_scripts": [{"script": "sleep 2"}]}
    assert local_server.request("POST", "/sandboxes", json=body).status_code == 200
    time.sleep(0.3)
    sandbox = local_server.request("GET", f"/sandboxes/{name}").json()
    assert sandbox["status"] == "starting"
    assert sandbox["creation_phase"] == "running_setup_scripts"
    local_server.request("DELETE", f"/sandboxes/{name}")  # kills the running step


def test_empty_script_is_refused(local_server: LocalServer) -> None:
    body = {"setup_scripts": [{"script": ""}]}
    response = local_server.request("POST", "/sandboxes", json=body)
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"


def test_stop_ends_a_hanging_setup(local_server: LocalServer) -> None:
    name = unique_name("setup")
    body = {"name": name, "setup_scripts": [{"script": "sleep 300"}]}
    assert local_server.request("POST", "/sandboxes", json=body).status_code == 200
    stopped = local_server.request("POST", f"/sandboxes/{name}/stop")
    assert stopped.status_code == 200 and stopped.json()["status"] == "stopped"
    time.sleep(0.3)  # the cut-short step must not flip it back
    after = local_server.request("GET", f"/sandboxes/{name}").json()
    assert after["status"] == "stopped"
    assert after.get("creation_phase") in (None, "setup_cancelled")
    resumed = local_server.request("POST", f"/sandboxes/{name}/resume")
    assert resumed.json()["status"] == "running"
    assert sh(local_server, name, "echo ok")["stdout"] == "ok\n"


def _processes_with(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def test_racing_stops_leave_no_process_behind(local_server: LocalServer) -> None:
    marker = f"sleep 300 # {unique_name('marker')}"
    for attempt in range(12):
        name = unique_name("race")
        body = {"name": name, "setup_scripts": [{"script": marker}]}
        assert local_server.request("POST", "/sandboxes", json=body).status_code == 200
        time.sleep(0.003 * (attempt % 4))  # stop at different points of the start
        assert local_server.request("POST", f"/sandboxes/{name}/stop").status_code == 200
    deadline = time.monotonic() + 10
    while _processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _processes_with(marker) == []
