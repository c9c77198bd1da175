"""Isolation and limits: what bubblewrap shows a sandbox, rlimits, the plain-process fallback."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable

import pytest

from tests.conftest import LocalServer
from tests.local.helpers import create_ready, run, sh

needs_bwrap = pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap not installed")


@needs_bwrap
def test_system_is_read_only(local_server: LocalServer, sandbox: dict) -> None:
    result = sh(local_server, sandbox["name"], "touch /usr/evil 2>&1; echo rc=$?")
    assert "rc=1" in result["stdout"]
    assert not os.path.exists("/usr/evil")


@needs_bwrap
def test_own_pid_namespace(local_server: LocalServer, sandbox: dict) -> None:
    result = sh(local_server, sandbox["name"], "ls /proc | grep -c '^[0-9]'")
    assert int(result["stdout"]) < 10  # only the sandbox's own few processes


@needs_bwrap
def test_internet_enabled_shares_the_network(local_server: LocalServer) -> None:
    box = create_ready(local_server, internet_enabled=True)
    port = int(local_server.base_url.rsplit(":", 1)[1])
    script = (
        "import socket\n"
        f"socket.create_connection(('127.0.0.1', {port}), timeout=5); print('reached')"
    )
    result = run(local_server, box["name"], ["/usr/bin/python3", "-c", script])
    assert result["stdout"] == "reached\n"
    local_server.request("DELETE", f"/sandboxes/{box['name']}")


@pytest.mark.skipif(shutil.which("prlimit") is None, reason="prlimit not installed")
def test_memory_mb_limits_address_space(local_server: LocalServer) -> None:
    box = create_ready(local_server, memory_mb=256)  # address space cap: 1 GiB
    script = "b = bytearray(3 * 1024**3)"
    result = run(local_server, box["name"], ["/usr/bin/python3", "-c", script])
    assert result["exit_code"] != 0
    assert "MemoryError" in result["stderr"]
    local_server.request("DELETE", f"/sandboxes/{box['name']}")


@pytest.mark.skipif(
    (os.cpu_count() or 1) < 2 or shutil.which("taskset") is None, reason="needs 2+ CPUs"
)
def test_vcpus_pins_cpus(local_server: LocalServer) -> None:
    box = create_ready(local_server, vcpus=1)
    assert sh(local_server, box["name"], "nproc")["stdout"] == "1\n"
    local_server.request("DELETE", f"/sandboxes/{box['name']}")


def test_fallback_without_bubblewrap(
    server_factory: Callable[..., LocalServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ISLO_LOCAL_ISOLATION", "none")
    server = server_factory()
    assert server.stats()["isolation"] == "none"
    box = create_ready(server)
    workspace = next(server.home.glob(f"sandboxes/*/{box['id']}/workspace"))
    result = sh(server, box["name"], 'pwd; echo "$HOME"; echo hi > f; echo t > "$TMPDIR/t"')
    assert result["stdout"] == f"{workspace.resolve()}\n{workspace}\n"
    assert (workspace / "f").read_text() == "hi\n"
    assert sh(server, box["name"], 'cat "$TMPDIR/t"')["stdout"] == "t\n"
    assert "warning" in (server.home / "server.log").read_text().lower()
    assert "bubblewrap" in (server.home / "server.log").read_text()


def test_fallback_archives_round_trip_and_refuse_escapes(
    server_factory: Callable[..., LocalServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ISLO_LOCAL_ISOLATION", "none")
    server = server_factory()
    box = create_ready(server)
    name = box["name"]
    sh(server, name, "mkdir -p p/q && echo z > p/q/z && ln -s q/z p/zlink && ln -s /etc out")
    archive = server.request("GET", f"/sandboxes/{name}/files-archive", params={"path": "p"})
    assert archive.status_code == 200
    upload = server.request(
        "POST", f"/sandboxes/{name}/files-archive", params={"path": "copy"},
        files={"file": ("a.tar.gz", archive.content)},
    )  # fmt: skip
    assert upload.status_code == 200
    assert sh(server, name, "cat copy/q/z; readlink copy/zlink")["stdout"] == "z\nq/z\n"
    escape = server.request(
        "POST", f"/sandboxes/{name}/files-archive", params={"path": "."},
        files={"file": ("a.tar.gz", _tar_gz_with("out/evil.txt"))},
    )  # fmt: skip
    assert escape.status_code == 400
    assert not list(server.home.rglob("evil.txt"))


def _tar_gz_with(member: str) -> bytes:
    import io
    import tarfile

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo(member)
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    return buffer.getvalue()
