"""Sandbox calls against the real local server: lifecycle, lookups, listing, errors."""

from __future__ import annotations

from typing import Any

import pytest

from islo_jupyter import errors
from islo_jupyter.client import IsloClient
from islo_jupyter.models import Sandbox
from tests.client.conftest import unique_name


def test_create_wait_get_delete(client: IsloClient) -> None:
    name = unique_name("life")
    created = client.create_sandbox(name, env={"A": "1"}, vcpus=1, memory_mb=512)
    assert created.name == name
    progress: list[Sandbox] = []
    running = client.wait_until_running(name, timeout=60, on_progress=progress.append)
    assert running.status == "running" and progress[-1].status == "running"
    assert client.get_sandbox(name).id == created.id
    assert client.get_sandbox_by_id(created.id).name == name
    assert client.exec(name, "echo $A").stdout == "1\n"
    client.delete_sandbox(name)
    with pytest.raises(errors.NotFoundError):
        client.get_sandbox(name)


def test_pause_resume_stop(client: IsloClient) -> None:
    name = unique_name("states")
    client.create_sandbox(name)
    client.wait_until_running(name, timeout=60)
    assert client.pause_sandbox(name).status == "paused"
    assert client.resume_sandbox(name).status in {"running", "starting"}
    client.wait_until_running(name, timeout=60)
    client.stop_sandbox(name)
    assert client.get_sandbox(name).status in {"stopped", "stopping"}
    with pytest.raises(errors.IsloError, match="will not become running"):
        client.wait_until_running(name, timeout=10)
    client.delete_sandbox(name)


def test_not_found_carries_the_error_response(client: IsloClient) -> None:
    with pytest.raises(errors.NotFoundError) as info:
        client.get_sandbox("does-not-exist-anywhere")
    error = info.value
    assert error.status_code == 404 and error.code and error.message
    assert "does-not-exist-anywhere" in (error.url or "")


def test_names_are_percent_encoded(client: IsloClient) -> None:
    # A name with a slash must reach the server as one segment, never as a path.
    with pytest.raises(errors.IsloAPIError) as info:
        client.get_sandbox("../auth/token")
    assert info.value.status_code in {404, 422, 400}
    assert "%2F" in (info.value.url or "")


def test_listing_filters_and_pages(client: IsloClient) -> None:
    prefix = unique_name("list")
    names = [f"{prefix}-{i}" for i in range(5)]
    for name in names:
        client.create_sandbox(name)
    page = client.list_sandboxes(name_prefix=prefix, limit=2)
    assert page.total == 5 and len(page.items) == 2
    assert sorted(s.name for s in client.iter_sandboxes(name_prefix=prefix, page_size=2)) == names
    client.wait_until_running(names[0], timeout=60)
    client.pause_sandbox(names[0])
    paused = client.list_sandboxes(name_prefix=prefix, status=["paused", "stopped"])
    assert [s.name for s in paused.items] == [names[0]]
    for name in names:
        client.delete_sandbox(name)


def test_wait_until_running_times_out(client: IsloClient) -> None:
    name = unique_name("slow")
    client.create_sandbox(name)
    client.wait_until_running(name, timeout=60)
    client.pause_sandbox(name)
    with pytest.raises(errors.IsloTimeoutError, match="still paused"):
        client.wait_until_running(name, timeout=0.3)
    client.delete_sandbox(name)


def test_no_key_for_a_remote_base_is_a_config_error(monkeypatch: Any) -> None:
    monkeypatch.delenv("ISLO_API_KEY", raising=False)
    with pytest.raises(errors.IsloConfigError):
        IsloClient(base_url="http://127.0.0.1:9")


def test_environment_resolution(islo_env: Any) -> None:
    with IsloClient() as client:
        assert client.connection.base_url == islo_env.base_url
        assert client.list_sandboxes(limit=1).limit == 1


def test_creation_events_stream(client: IsloClient) -> None:
    name = unique_name("events")
    client.create_sandbox(name)
    events = list(client.iter_creation_events(name, timeout=30))
    assert events and {e.event for e in events} <= {"status"}
    last = Sandbox.model_validate_json(events[-1].data)
    assert last.name == name and last.status == "running"
    client.delete_sandbox(name)


def test_creation_events_of_a_missing_sandbox(client: IsloClient) -> None:
    with pytest.raises(errors.NotFoundError):
        next(client.iter_creation_events("no-such-sandbox-events"))
