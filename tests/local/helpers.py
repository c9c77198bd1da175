"""Small helpers for the server tests: create a ready sandbox, run a command to its end."""

from __future__ import annotations

import secrets
import time
from typing import Any

from tests.conftest import LocalServer

WAIT_SECS = 30.0


def unique_name(prefix: str = "t") -> str:
    return f"{prefix}-{secrets.token_hex(5)}"


def create_ready(server: LocalServer, api_key: str | None = None, **body: Any) -> dict[str, Any]:
    """Create a sandbox and poll until it is ``running``."""
    body.setdefault("name", unique_name())
    response = server.request("POST", "/sandboxes", json=body, api_key=api_key)
    assert response.status_code == 200, response.text
    name = response.json()["name"]
    deadline = time.monotonic() + WAIT_SECS
    while time.monotonic() < deadline:
        sandbox: dict[str, Any] = server.request(
            "GET", f"/sandboxes/{name}", api_key=api_key
        ).json()
        if sandbox["status"] == "running":
            return sandbox
        time.sleep(0.02)
    raise AssertionError(f"sandbox {name} never became running")


def start_exec(server: LocalServer, name: str, command: list[str], **body: Any) -> str:
    response = server.request("POST", f"/sandboxes/{name}/exec", json={"command": command, **body})
    assert response.status_code == 200, response.text
    exec_id: str = response.json()["exec_id"]
    return exec_id


def wait_exec(server: LocalServer, name: str, exec_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + WAIT_SECS
    while time.monotonic() < deadline:
        result: dict[str, Any] = server.request("GET", f"/sandboxes/{name}/exec/{exec_id}").json()
        if result["status"] != "running":
            return result
        time.sleep(0.02)
    raise AssertionError(f"exec {exec_id} still running after {WAIT_SECS} s")


def run(server: LocalServer, name: str, command: list[str], **body: Any) -> dict[str, Any]:
    return wait_exec(server, name, start_exec(server, name, command, **body))


def sh(server: LocalServer, name: str, script: str, **body: Any) -> dict[str, Any]:
    return run(server, name, ["/bin/sh", "-c", script], **body)


def parse_sse(text: str) -> list[tuple[str, str]]:
    """(event, data) pairs per the SSE spec: data lines joined by newline, comments skipped."""
    events, name, data = [], "message", []
    for line in text.split("\n"):
        if line == "":
            if data:
                events.append((name, "\n".join(data)))
            name, data = "message", []
        elif line.startswith(":"):
            continue
        else:
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "event":
                name = value
            elif field == "data":
                data.append(value)
    return events
