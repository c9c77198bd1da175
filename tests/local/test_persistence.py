"""State survives the server: a crash mid-exec, then a restart, keeps sandboxes and files."""

from __future__ import annotations

import time
from collections.abc import Callable

from tests.conftest import LocalServer
from tests.local.helpers import create_ready, sh, start_exec, wait_exec


def _wait_running_output(server: LocalServer, name: str, exec_id: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        result = server.request("GET", f"/sandboxes/{name}/exec/{exec_id}").json()
        if result["stdout"]:
            return
        time.sleep(0.05)
    raise AssertionError("exec produced no output")


def test_crash_mid_exec_then_restart(server_factory: Callable[..., LocalServer]) -> None:
    server = server_factory()
    box = create_ready(server, name="keeper", env={"KEEP": "1"})
    paused = create_ready(server, name="frozen")
    server.request("POST", "/sandboxes/frozen/pause").raise_for_status()
    sh(server, "keeper", "mkdir -p data && echo precious > data/file.txt")
    done_id = start_exec(server, "keeper", ["echo", "finished"])
    assert wait_exec(server, "keeper", done_id)["status"] == "completed"
    exec_id = start_exec(server, "keeper", ["/bin/sh", "-c", "echo working; sleep 300"])
    _wait_running_output(server, "keeper", exec_id)
    old_url = server.base_url

    server.kill()  # SIGKILL: no shutdown code runs
    server.start()

    assert server.base_url == old_url  # same port again
    listing = server.request("GET", "/sandboxes").json()
    assert {s["name"] for s in listing["items"]} == {"keeper", "frozen"}
    assert server.request("GET", "/sandboxes/keeper").json()["id"] == box["id"]
    assert server.request("GET", "/sandboxes/frozen").json()["id"] == paused["id"]
    assert server.request("GET", "/sandboxes/frozen").json()["status"] == "paused"
    lost = server.request("GET", f"/sandboxes/keeper/exec/{exec_id}").json()
    assert lost["status"] == "failed"
    assert "server stopped" in lost["stderr"]
    kept = server.request("GET", f"/sandboxes/keeper/exec/{done_id}").json()
    assert (kept["status"], kept["stdout"]) == ("completed", "finished\n")
    files = server.request("GET", "/sandboxes/keeper/files", params={"path": "data/file.txt"})
    assert files.content == b"precious\n"
    assert sh(server, "keeper", 'cat data/file.txt; echo "$KEEP"')["stdout"] == "precious\n1\n"


def test_graceful_stop_records_running_execs_as_failed(
    server_factory: Callable[..., LocalServer],
) -> None:
    server = server_factory()
    create_ready(server, name="box")
    exec_id = start_exec(server, "box", ["/bin/sh", "-c", "echo working; sleep 300"])
    _wait_running_output(server, "box", exec_id)
    server.stop()
    server.start()
    result = server.request("GET", f"/sandboxes/box/exec/{exec_id}").json()
    assert result["status"] == "failed"
    assert result["stdout"] == "working\n"


def test_api_key_and_tokens_survive_restart(server_factory: Callable[..., LocalServer]) -> None:
    server = server_factory()
    key, token = server.api_key, server.token()
    extra = server.new_api_key()
    server.stop()
    server.start()
    assert server.api_key == key
    import requests

    response = requests.get(
        f"{server.base_url}/sandboxes", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    assert response.status_code == 200  # the signing secret is persistent too
    assert server.request("GET", "/sandboxes", api_key=extra).status_code == 200


def test_stop_with_an_open_stream_shuts_down_gracefully(
    server_factory: Callable[..., LocalServer],
) -> None:
    server = server_factory()
    create_ready(server, name="box")
    response = server.request(
        "POST",
        "/sandboxes/box/exec/stream",
        json={"command": ["/bin/sh", "-c", "echo working; sleep 300"]},
        stream=True,
    )
    exec_id = response.headers["X-Exec-Id"]
    next(response.iter_content(chunk_size=None))
    server.stop()  # must not wait for the stream to end by itself
    response.close()
    server.start()
    result = server.request("GET", f"/sandboxes/box/exec/{exec_id}").json()
    # Killed by the server on the way out (not found orphaned by the next start).
    assert (result["status"], result["exit_code"]) == ("failed", 137)
    assert "server stopped" not in result["stderr"]


def test_setup_cut_short_by_a_crash_is_failed(server_factory: Callable[..., LocalServer]) -> None:
    server = server_factory()
    body = {"name": "slow", "setup_scripts": [{"script": "sleep 300"}]}
    assert server.request("POST", "/sandboxes", json=body).status_code == 200
    deadline = time.monotonic() + 20
    while server.request("GET", "/sandboxes/slow").json().get("creation_phase") is None:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    server.kill()
    server.start()
    sandbox = server.request("GET", "/sandboxes/slow").json()
    assert (sandbox["status"], sandbox["creation_phase"]) == ("failed", "setup_interrupted")
