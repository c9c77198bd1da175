"""The same operations through our client and the official SDK (islo 0.3.20) agree."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from islo import Islo
from islo.custom.exec import exec_and_wait_sync
from islo.errors import ConflictError as SdkConflictError
from islo.errors import NotFoundError as SdkNotFoundError

from islo_jupyter import errors
from islo_jupyter.client import IsloClient
from tests.client.conftest import unique_name

#: Fields both sides must report identically for one sandbox.
FIELDS = ("id", "name", "image", "status", "created_at", "workdir")


@pytest.fixture
def sdk(local_server: Any) -> Iterator[Islo]:
    yield Islo(
        api_key=local_server.api_key,
        base_url=local_server.base_url,
        compute_url=local_server.base_url,
        timeout=30,
    )


def _same_sandbox(ours: Any, theirs: Any) -> None:
    for field in FIELDS:
        assert getattr(ours, field) == getattr(theirs, field), field
    assert ours.spec.model_dump() == theirs.spec.model_dump()


def test_created_by_one_read_by_the_other(client: IsloClient, sdk: Islo) -> None:
    by_sdk, by_us = unique_name("sdk"), unique_name("ours")
    sdk.sandboxes.create_sandbox(name=by_sdk, vcpus=1, memory_mb=512, env={"A": "1"})
    client.create_sandbox(by_us, vcpus=1, memory_mb=512, env={"A": "1"})
    for name in (by_sdk, by_us):
        client.wait_until_running(name, timeout=60)
        ours, theirs = client.get_sandbox(name), sdk.sandboxes.get_sandbox(name)
        _same_sandbox(ours, theirs)
        _same_sandbox(client.get_sandbox_by_id(ours.id), sdk.sandboxes.get_sandbox_by_id(ours.id))
    sdk.sandboxes.delete_sandbox(by_us)
    client.delete_sandbox(by_sdk)
    for name in (by_sdk, by_us):
        with pytest.raises(errors.NotFoundError):
            client.get_sandbox(name)
        with pytest.raises(SdkNotFoundError):
            sdk.sandboxes.get_sandbox(name)


def test_listing_agrees(client: IsloClient, sdk: Islo) -> None:
    prefix = unique_name("plist")
    names = [f"{prefix}-{i}" for i in range(4)]
    for name in names:
        client.create_sandbox(name)
    client.wait_until_running(names[1], timeout=60)
    client.pause_sandbox(names[1])
    for kwargs in (
        {"name_prefix": prefix, "limit": 2, "offset": 1},
        {"name_prefix": prefix, "status": ["paused"]},
        {"q": prefix, "limit": 10},
    ):
        ours = client.list_sandboxes(**kwargs)  # type: ignore[arg-type]
        theirs = sdk.sandboxes.list_sandboxes(**kwargs)
        assert [s.name for s in ours.items] == [s.name for s in theirs.items], kwargs
        assert (ours.total, ours.limit, ours.offset) == (theirs.total, theirs.limit, theirs.offset)
    for name in names:
        client.delete_sandbox(name)


def test_exec_agrees(client: IsloClient, sdk: Islo, sandbox: str) -> None:
    for command in ("echo hi; echo err >&2; exit 3", "printf 'é€😀'", "true"):
        argv = ["/bin/sh", "-c", command]
        theirs = exec_and_wait_sync(sdk, sandbox, argv, timeout=60, poll_interval=0.05)
        ours = client.exec(sandbox, argv)
        assert (ours.stdout, ours.stderr, ours.exit_code) == (
            theirs.stdout,
            theirs.stderr,
            theirs.exit_code,
        )


def test_files_agree(client: IsloClient, sdk: Islo, sandbox: str) -> None:
    sdk.sandboxes.upload_file(sandbox, path="from-sdk.bin", file=b"\x00sdk bytes\xff")
    assert client.read_file(sandbox, "from-sdk.bin") == b"\x00sdk bytes\xff"
    client.upload_bytes(sandbox, b"\x01our bytes\xfe", "from-us.bin")
    assert b"".join(sdk.sandboxes.download_file(sandbox, path="from-us.bin")) == (
        b"\x01our bytes\xfe"
    )


def test_errors_agree(client: IsloClient, sdk: Islo, sandbox: str) -> None:
    with pytest.raises(errors.ConflictError) as ours:
        client.create_sandbox(sandbox)
    with pytest.raises(SdkConflictError) as theirs:
        sdk.sandboxes.create_sandbox(name=sandbox, request_options={"max_retries": 0})
    assert ours.value.status_code == theirs.value.status_code == 409
    assert ours.value.code == theirs.value.body.code
