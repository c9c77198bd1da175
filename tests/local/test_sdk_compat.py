"""The official ``islo`` SDK (0.3.20, unchanged) against the local server: same protocol."""

from __future__ import annotations

import asyncio
import io
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from islo import Islo
from islo.custom import exec_and_wait_sync
from islo.custom.files import download_dir_to_path, upload_dir_from_path
from islo.errors import ConflictError, NotFoundError, UnauthorizedError

from tests.conftest import LocalServer
from tests.local.helpers import parse_sse, unique_name

NO_RETRY = {"max_retries": 0}


@pytest.fixture
def client(local_server: LocalServer) -> Islo:
    return Islo(
        api_key=local_server.api_key,
        base_url=local_server.base_url,
        compute_url=local_server.base_url,
    )


@pytest.fixture
def box(client: Islo) -> Iterator[str]:
    name = unique_name("sdk")
    client.sandboxes.create_sandbox(name=name, image="python:3.12-slim", env={"GREETING": "hi"})
    deadline = time.monotonic() + 30
    while client.sandboxes.get_sandbox(name).status != "running":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    yield name
    client.sandboxes.delete_sandbox(name)


def test_create_get_list_by_id(client: Islo) -> None:
    name = unique_name("sdk")
    created = client.sandboxes.create_sandbox(name=name, vcpus=1, memory_mb=512, disk_gb=1)
    assert created.name == name and created.status in ("starting", "running")
    assert client.sandboxes.get_sandbox(name).id == created.id
    assert client.sandboxes.get_sandbox_by_id(created.id).name == name
    page = client.sandboxes.list_sandboxes(name_prefix=name, status=["starting", "running"])
    assert [s.name for s in page.items] == [name] and page.total == 1
    client.sandboxes.delete_sandbox(name)


def test_exec_and_wait_sync(client: Islo, box: str) -> None:
    result = exec_and_wait_sync(
        client, box, ["/bin/sh", "-c", 'echo "$GREETING $X"; exit 2'], env={"X": "there"},
        poll_interval=0.05, timeout=60,
    )  # fmt: skip
    assert (result.stdout, result.exit_code, result.timed_out) == ("hi there\n", 2, False)


def test_exec_stream_raw_body(client: Islo, box: str) -> None:
    response = client.sandboxes.with_raw_response.exec_in_sandbox_stream(
        box, command=["/bin/sh", "-c", "echo out; echo err >&2"]
    )
    assert response.data is None  # the SDK buffers and does not parse the stream
    events = parse_sse(response._response.text)  # the only way to the body
    assert ("stdout", "out\n") in events and ("stderr", "err\n") in events
    assert events[-1] == ("exit", "0")


def test_upload_download_file(client: Islo, box: str) -> None:
    status = client.sandboxes.upload_file(box, path="dir/hello.txt", file=("hello.txt", b"hello"))
    assert status.status == "ok"
    assert b"".join(client.sandboxes.download_file(box, path="dir/hello.txt")) == b"hello"


def test_upload_download_archive(client: Islo, box: str) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo("inner/a.txt")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"a"))
    client.sandboxes.upload_archive(box, path="arch", file=("archive.tar.gz", buffer.getvalue()))
    raw = client.sandboxes.with_raw_response.download_archive(box, path="arch")
    with tarfile.open(fileobj=io.BytesIO(raw._response.content), mode="r:gz") as tar:
        assert "inner/a.txt" in tar.getnames()


def test_custom_dir_helpers(
    client: Islo, box: str, local_server: LocalServer, tmp_path: Path
) -> None:
    source = tmp_path / "src"
    (source / "sub").mkdir(parents=True)
    (source / "sub" / "f.txt").write_text("content")
    token = local_server.token()
    with httpx.Client() as http:
        upload_dir_from_path(http, local_server.base_url, box, source, "up", token=token)
        download_dir_to_path(http, local_server.base_url, box, "up", tmp_path / "back", token=token)
    assert (tmp_path / "back" / "sub" / "f.txt").read_text() == "content"


def test_pause_resume_stop_delete(client: Islo, box: str) -> None:
    assert client.sandboxes.pause_sandbox(box).status == "paused"
    assert client.sandboxes.resume_sandbox(box).status == "running"
    client.sandboxes.stop_sandbox(box)
    assert client.sandboxes.get_sandbox(box).status == "stopped"
    assert client.sandboxes.resume_sandbox(box).status == "running"


def test_unauthorized_error(local_server: LocalServer) -> None:
    bad = Islo(
        api_key="ak_wrong", base_url=local_server.base_url, compute_url=local_server.base_url
    )
    with pytest.raises(httpx.HTTPStatusError) as excinfo:  # the SDK's exchange raises raw httpx
        bad.sandboxes.list_sandboxes()
    assert excinfo.value.response.status_code == 401


def test_unauthorized_error_after_revocation(local_server: LocalServer) -> None:
    key = local_server.new_api_key()
    client = Islo(api_key=key, base_url=local_server.base_url, compute_url=local_server.base_url)
    client.sandboxes.list_sandboxes()  # exchanges and caches a token for this key
    local_server.request("POST", "/_local/revoke-tokens", api_key=key).raise_for_status()
    with pytest.raises(UnauthorizedError) as excinfo:  # 0.3.20 does not re-exchange on 401
        client.sandboxes.list_sandboxes(request_options=NO_RETRY)
    assert excinfo.value.body.code == "AUTH_REQUIRED"


def test_not_found_error(client: Islo) -> None:
    with pytest.raises(NotFoundError):
        client.sandboxes.get_sandbox("does-not-exist-sdk")


def test_conflict_error(client: Islo, box: str) -> None:
    with pytest.raises(ConflictError) as excinfo:
        client.sandboxes.create_sandbox(name=box, request_options=NO_RETRY)
    assert excinfo.value.body.code == "SANDBOX_ALREADY_EXISTS"


async def _async_round_trip(server: LocalServer, tmp_path: Path) -> tuple[str, str]:
    from islo import AsyncIslo
    from islo.custom import exec_and_wait
    from islo.custom.files import (
        async_download_dir,
        async_download_file,
        async_upload_dir,
        async_upload_file,
    )

    client = AsyncIslo(
        api_key=server.api_key, base_url=server.base_url, compute_url=server.base_url
    )
    name = unique_name("async")
    await client.sandboxes.create_sandbox(name=name)
    deadline = time.monotonic() + 30
    while (await client.sandboxes.get_sandbox(name)).status != "running":
        assert time.monotonic() < deadline
        await asyncio.sleep(0.05)
    (tmp_path / "in.txt").write_text("async file")
    (tmp_path / "tree" / "sub").mkdir(parents=True)
    (tmp_path / "tree" / "sub" / "leaf").write_text("leaf")
    await async_upload_file(client, name, tmp_path / "in.txt", "in.txt")
    await async_upload_dir(client, name, tmp_path / "tree", "tree")
    result = await exec_and_wait(
        client, name, ["/bin/sh", "-c", "cat in.txt tree/sub/leaf"], poll_interval=0.05
    )
    await async_download_file(client, name, "in.txt", tmp_path / "back.txt")
    await async_download_dir(client, name, "tree", tmp_path / "back-tree")
    await client.sandboxes.delete_sandbox(name)
    back = (tmp_path / "back.txt").read_text() + (tmp_path / "back-tree/sub/leaf").read_text()
    return result.stdout, back


def test_async_client_and_helpers(local_server: LocalServer, tmp_path: Path) -> None:
    stdout, back = asyncio.run(_async_round_trip(local_server, tmp_path))
    assert stdout == "async fileleaf"
    assert back == "async fileleaf"
