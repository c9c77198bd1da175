"""Bad input is refused with the right status and code, and changes nothing on the server."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.conftest import LocalServer
from tests.local.helpers import sh


@pytest.fixture
def tenant(local_server: LocalServer) -> str:
    """A fresh tenant, so 'nothing changed' is checked on an otherwise empty account."""
    return local_server.new_api_key()


def _total(server: LocalServer, key: str) -> int:
    total: int = server.request("GET", "/sandboxes", api_key=key).json()["total"]
    return total


def _assert_error(response: requests.Response, status: int, codes: set[str]) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["code"] in codes
    assert body["message"] and body["request_id"]
    return body


BAD_NAMES = ["", "x" * 64, "a/b", "a..b", "..", "-lead", ".hidden", "tab\there", "nl\nx", "sp ace",
             "nul\x00", "é"]  # fmt: skip


@pytest.mark.parametrize("name", BAD_NAMES, ids=repr)
def test_invalid_name_is_refused(local_server: LocalServer, tenant: str, name: str) -> None:
    response = local_server.request("POST", "/sandboxes", json={"name": name}, api_key=tenant)
    body = _assert_error(response, 400, {"VALIDATION_ERROR", "INVALID_REQUEST"})
    assert "name" in body["message"]
    assert _total(local_server, tenant) == 0


def test_longest_valid_name_is_accepted(local_server: LocalServer, tenant: str) -> None:
    name = "a" + "b-._" * 15 + "c9"
    assert len(name) == 63
    response = local_server.request("POST", "/sandboxes", json={"name": name}, api_key=tenant)
    assert response.status_code == 200


@pytest.mark.parametrize(
    "raw", [b"{bad json", b"[1, 2]", b"null", b'{"name": 5}', b"\xff\xfe"], ids=repr
)
def test_malformed_body_is_400(local_server: LocalServer, tenant: str, raw: bytes) -> None:
    response = requests.post(
        f"{local_server.base_url}/sandboxes",
        data=raw,
        headers={**local_server.headers(tenant), "Content-Type": "application/json"},
        timeout=30,
    )
    _assert_error(response, 400, {"VALIDATION_ERROR", "INVALID_REQUEST"})
    assert _total(local_server, tenant) == 0


def test_unknown_field_is_refused(local_server: LocalServer, tenant: str) -> None:
    body = {"name": "ok-name", "colour": "blue"}
    response = local_server.request("POST", "/sandboxes", json=body, api_key=tenant)
    message = _assert_error(response, 400, {"VALIDATION_ERROR"})["message"]
    assert "colour" in message
    assert _total(local_server, tenant) == 0


def test_unknown_nested_field_is_refused(local_server: LocalServer, tenant: str) -> None:
    body = {"name": "ok-name", "lifecycle": {"pause_after": 5, "explode": True}}
    response = local_server.request("POST", "/sandboxes", json=body, api_key=tenant)
    _assert_error(response, 400, {"VALIDATION_ERROR"})
    assert _total(local_server, tenant) == 0


@pytest.mark.parametrize(
    "body",
    [
        {"vcpus": 0},
        {"memory_mb": -1},
        {"disk_gb": "lots"},
        {"env": {"A=B": "x"}},
        {"env": "not-a-map"},
        {"lifecycle": {"auto_resume": "sometimes"}},
    ],
    ids=repr,
)
def test_bad_field_values_are_refused(
    local_server: LocalServer, tenant: str, body: dict[str, Any]
) -> None:
    response = local_server.request("POST", "/sandboxes", json=body, api_key=tenant)
    _assert_error(response, 400, {"VALIDATION_ERROR"})
    assert _total(local_server, tenant) == 0


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"command": []},
        {"command": ""},
        {"command": [""]},
        {"command": ["echo", "nul\x00"]},
        {"command": ["true"], "timeout_secs": 0},
        {"command": ["true"], "shell": True},
        {"command": ["true"], "workdir": "../.."},
        {"command": ["true"], "workdir": "/etc"},
        {"command": ["true"], "workdir": "no/such/dir"},
    ],
    ids=repr,
)
def test_bad_exec_requests_start_nothing(
    local_server: LocalServer, sandbox: dict, body: dict[str, Any]
) -> None:
    before = local_server.stats()["execs_started"]
    for endpoint in ("exec", "exec/stream"):
        response = local_server.request(
            "POST", f"/sandboxes/{sandbox['name']}/{endpoint}", json=body
        )
        _assert_error(response, 400, {"VALIDATION_ERROR", "INVALID_REQUEST"})
    assert local_server.stats()["execs_started"] == before


def test_exec_in_paused_sandbox_is_409_and_runs_nothing(
    local_server: LocalServer, sandbox: dict
) -> None:
    name = sandbox["name"]
    local_server.request("POST", f"/sandboxes/{name}/pause").raise_for_status()
    before = local_server.stats()["execs_started"]
    for endpoint in ("exec", "exec/stream"):
        response = local_server.request(
            "POST", f"/sandboxes/{name}/{endpoint}", json={"command": ["touch", "ran"]}
        )
        _assert_error(response, 409, {"SANDBOX_INVALID_STATE"})
    assert local_server.stats()["execs_started"] == before
    local_server.request("POST", f"/sandboxes/{name}/resume").raise_for_status()
    assert sh(local_server, name, "ls")["stdout"] == ""


def test_other_tenants_sandbox_looks_absent(local_server: LocalServer, sandbox: dict) -> None:
    other = local_server.new_api_key()
    name = sandbox["name"]
    response = local_server.request(
        "POST", f"/sandboxes/{name}/exec", json={"command": ["touch", "x"]}, api_key=other
    )
    mine = local_server.request("GET", f"/sandboxes/{name}").json()
    _assert_error(response, 404, {"SANDBOX_NOT_FOUND"})
    upload = local_server.request(
        "POST", f"/sandboxes/{name}/files", params={"path": "x"},
        files={"file": ("x", b"x")}, api_key=other,
    )  # fmt: skip
    _assert_error(upload, 404, {"SANDBOX_NOT_FOUND"})
    missing = local_server.request("GET", "/sandboxes/never-existed", api_key=other)
    # Same answer whether the name exists for someone else or not at all.
    assert upload.json()["message"].replace(name, "N") == missing.json()["message"].replace(
        "never-existed", "N"
    )
    assert mine["status"] == "running"
    assert sh(local_server, name, "ls")["stdout"] == ""


def test_unknown_route_and_method_use_the_error_shape(local_server: LocalServer) -> None:
    _assert_error(local_server.request("GET", "/nowhere"), 404, {"NOT_FOUND"})
    _assert_error(local_server.request("PUT", "/sandboxes"), 405, {"INVALID_REQUEST"})
