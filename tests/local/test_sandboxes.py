"""Sandbox CRUD, listing and the state machine (starting, running, paused, stopped, deleted)."""

from __future__ import annotations

import time
from typing import Any

from tests.conftest import LocalServer
from tests.local.helpers import create_ready, sh, start_exec, unique_name, wait_exec


def _create(server: LocalServer, api_key: str | None = None, **body: Any) -> dict[str, Any]:
    response = server.request("POST", "/sandboxes", json=body, api_key=api_key)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def test_create_returns_the_sandbox_then_it_runs(local_server: LocalServer) -> None:
    name = unique_name()
    body = {"name": name, "image": "python:3.12-slim", "vcpus": 1, "memory_mb": 512}
    created = _create(local_server, **body)
    assert created["name"] == name
    assert created["image"] == "python:3.12-slim"
    assert created["status"] in ("starting", "running")
    assert created["spec"] == {"vcpus": 1, "memory_mb": 512, "disk_gb": 10}
    assert created["created_at"].endswith("Z")
    assert create_ready(local_server, name=unique_name())["status"] == "running"


def test_name_is_generated_when_omitted(local_server: LocalServer) -> None:
    created = _create(local_server)
    assert created["name"].startswith("sbx-")


def test_duplicate_name_is_409(local_server: LocalServer) -> None:
    name = unique_name()
    _create(local_server, name=name)
    response = local_server.request("POST", "/sandboxes", json={"name": name})
    assert response.status_code == 409
    assert response.json()["code"] == "SANDBOX_ALREADY_EXISTS"


def test_get_by_name_and_by_id(local_server: LocalServer) -> None:
    created = _create(local_server, name=unique_name(), workdir="src")
    by_name = local_server.request("GET", f"/sandboxes/{created['name']}").json()
    by_id = local_server.request("GET", f"/sandboxes/-/by-id/{created['id']}").json()
    assert by_name["id"] == by_id["id"] == created["id"]
    assert by_id["workdir"] == "src"


def test_unknown_sandbox_is_404(local_server: LocalServer) -> None:
    for path in ("/sandboxes/nope-404", "/sandboxes/-/by-id/0000"):
        response = local_server.request("GET", path)
        assert response.status_code == 404
        assert response.json()["code"] == "SANDBOX_NOT_FOUND"


def test_other_tenant_cannot_see_or_touch(local_server: LocalServer) -> None:
    mine = create_ready(local_server)
    other = local_server.new_api_key()
    name = mine["name"]
    for method, path in [
        ("GET", f"/sandboxes/{name}"),
        ("GET", f"/sandboxes/-/by-id/{mine['id']}"),
        ("DELETE", f"/sandboxes/{name}"),
        ("POST", f"/sandboxes/{name}/pause"),
        ("POST", f"/sandboxes/{name}/stop"),
        ("GET", f"/sandboxes/{name}/files?path=x"),
    ]:
        response = local_server.request(method, path, api_key=other)
        assert response.status_code == 404, (method, path)
    exec_response = local_server.request(
        "POST", f"/sandboxes/{name}/exec", json={"command": ["true"]}, api_key=other
    )
    assert exec_response.status_code == 404
    listing = local_server.request("GET", "/sandboxes", api_key=other).json()
    assert listing["total"] == 0
    # The same name is free for the other tenant: names are per tenant.
    assert _create(local_server, api_key=other, name=name)["name"] == name
    assert local_server.request("GET", f"/sandboxes/{name}").json()["id"] == mine["id"]


def test_list_filters_and_pages(local_server: LocalServer) -> None:
    key = local_server.new_api_key()
    names = [f"alpha-{i:02d}" for i in range(7)] + ["beta-1", "beta-2"]
    for name in names:
        _create(local_server, api_key=key, name=name)

    def page(**params: Any) -> dict[str, Any]:
        response = local_server.request("GET", "/sandboxes", params=params, api_key=key)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    everything = page(limit=100)
    assert [s["name"] for s in everything["items"]] == names  # creation order
    assert everything["total"] == 9 and everything.get("next_cursor") is None
    assert page(q="beta")["total"] == 2
    assert page(search="pha-0", q="beta")["total"] == 2  # q wins over search
    assert page(search="pha-0")["total"] == 7
    assert page(name_prefix="alpha-0")["total"] == 7
    assert page(name_prefix="pha")["total"] == 0
    assert page(q="%")["total"] == 0  # LIKE wildcards are literal
    first = page(limit=4, offset=0)
    assert [s["name"] for s in first["items"]] == names[:4]
    assert (first["limit"], first["offset"], first["total"]) == (4, 0, 9)
    assert [s["name"] for s in page(limit=4, offset=4)["items"]] == names[4:8]
    walked, cursor = [], None
    while True:
        params: dict[str, Any] = {"limit": 4}
        if cursor:
            params["cursor"] = cursor
        result = page(**params)
        walked += [s["name"] for s in result["items"]]
        cursor = result.get("next_cursor")
        if not cursor:
            break
    assert walked == names


def test_list_by_status_repeated(local_server: LocalServer) -> None:
    key = local_server.new_api_key()
    running = create_ready(local_server, api_key=key)
    paused = create_ready(local_server, api_key=key)
    stopped = create_ready(local_server, api_key=key)
    local_server.request("POST", f"/sandboxes/{paused['name']}/pause", api_key=key)
    local_server.request("POST", f"/sandboxes/{stopped['name']}/stop", api_key=key)
    response = local_server.request(
        "GET", "/sandboxes", params=[("status", "running"), ("status", "paused")], api_key=key
    )
    got = {s["name"] for s in response.json()["items"]}
    assert got == {running["name"], paused["name"]}


def test_list_limit_bounds(local_server: LocalServer) -> None:
    for bad in ("0", "1001", "-1", "x"):
        response = local_server.request("GET", "/sandboxes", params={"limit": bad})
        assert response.status_code == 400
        assert response.json()["code"] == "VALIDATION_ERROR"


def test_bad_cursor_is_400(local_server: LocalServer) -> None:
    response = local_server.request("GET", "/sandboxes", params={"cursor": "garbage!!"})
    assert response.status_code == 400
    assert response.json()["code"] == "INVALID_REQUEST"


def _counter(server: LocalServer, name: str) -> int:
    response = server.request("GET", f"/sandboxes/{name}/files", params={"path": "count"})
    return int(response.text.strip() or 0)


def test_pause_freezes_and_resume_continues(local_server: LocalServer, sandbox: dict) -> None:
    name = sandbox["name"]
    script = (
        "i=0; while true; do i=$((i+1)); echo $i > count.tmp; mv count.tmp count; sleep 0.05; done"
    )
    exec_id = start_exec(local_server, name, ["/bin/sh", "-c", script], timeout_secs=120)
    deadline = time.monotonic() + 20
    while _counter_or_zero(local_server, name) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    paused = local_server.request("POST", f"/sandboxes/{name}/pause")
    assert paused.status_code == 200 and paused.json()["status"] == "paused"
    time.sleep(0.3)  # let any write in flight land
    frozen = _counter(local_server, name)
    time.sleep(0.6)
    assert _counter(local_server, name) == frozen
    again = local_server.request("POST", f"/sandboxes/{name}/pause")
    assert again.status_code == 409 and again.json()["code"] == "SANDBOX_INVALID_STATE"
    blocked = local_server.request("POST", f"/sandboxes/{name}/exec", json={"command": ["true"]})
    assert blocked.status_code == 409 and blocked.json()["code"] == "SANDBOX_INVALID_STATE"
    resumed = local_server.request("POST", f"/sandboxes/{name}/resume")
    assert resumed.json()["status"] == "running"
    deadline = time.monotonic() + 20
    while _counter(local_server, name) <= frozen and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _counter(local_server, name) > frozen
    local_server.request("POST", f"/sandboxes/{name}/stop")
    assert wait_exec(local_server, name, exec_id)["status"] == "failed"


def _counter_or_zero(server: LocalServer, name: str) -> int:
    response = server.request("GET", f"/sandboxes/{name}/files", params={"path": "count"})
    return int(response.text.strip() or 0) if response.status_code == 200 else 0


def test_stop_kills_execs_and_resume_restarts(local_server: LocalServer, sandbox: dict) -> None:
    name = sandbox["name"]
    exec_id = start_exec(local_server, name, ["sleep", "60"])
    stopped = local_server.request("POST", f"/sandboxes/{name}/stop")
    assert stopped.status_code == 200 and stopped.json()["status"] == "stopped"
    result = wait_exec(local_server, name, exec_id)
    assert result["status"] == "failed" and result["exit_code"] == 128 + 9
    blocked = local_server.request("POST", f"/sandboxes/{name}/exec", json={"command": ["true"]})
    assert blocked.status_code == 409
    assert local_server.request("POST", f"/sandboxes/{name}/pause").status_code == 409
    assert local_server.request("POST", f"/sandboxes/{name}/resume").json()["status"] == "running"
    assert sh(local_server, name, "echo back")["stdout"] == "back\n"


def test_resume_of_running_is_409(local_server: LocalServer, sandbox: dict) -> None:
    response = local_server.request("POST", f"/sandboxes/{sandbox['name']}/resume")
    assert response.status_code == 409
    assert response.json()["code"] == "SANDBOX_INVALID_STATE"


def test_delete_kills_and_removes_everything(local_server: LocalServer) -> None:
    box = create_ready(local_server)
    name = box["name"]
    sh(local_server, name, "echo data > file.txt")
    start_exec(local_server, name, ["sleep", "60"])
    workspace_root = next(local_server.home.glob(f"sandboxes/*/{box['id']}"))
    assert workspace_root.exists()
    response = local_server.request("DELETE", f"/sandboxes/{name}")
    assert response.status_code == 204 and response.content == b""
    assert local_server.request("GET", f"/sandboxes/{name}").status_code == 404
    assert not workspace_root.exists()
    assert local_server.request("DELETE", f"/sandboxes/{name}").status_code == 404


def test_creation_events_stream_until_running(local_server: LocalServer) -> None:
    from tests.local.helpers import parse_sse

    name = unique_name()
    _create(local_server, name=name)
    response = local_server.request("GET", f"/sandboxes/{name}/events")
    assert response.headers["content-type"].startswith("text/event-stream")
    events = parse_sse(response.text)
    assert events and all(event == "status" for event, _ in events)
    assert '"status":"running"' in events[-1][1]
