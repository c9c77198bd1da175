"""File API: upload/download single files and tar.gz directories, confined to the workspace."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from tests.conftest import LocalServer
from tests.local.helpers import sh


def _upload(server: LocalServer, name: str, path: str, data: bytes, archive: bool = False):  # type: ignore[no-untyped-def]
    endpoint = "files-archive" if archive else "files"
    return server.request(
        "POST",
        f"/sandboxes/{name}/{endpoint}",
        params={"path": path},
        files={"file": ("upload.bin", data)},
    )


def _download(server: LocalServer, name: str, path: str, archive: bool = False):  # type: ignore[no-untyped-def]
    endpoint = "files-archive" if archive else "files"
    return server.request("GET", f"/sandboxes/{name}/{endpoint}", params={"path": path})


def _tar_gz(members: list[tuple[tarfile.TarInfo, bytes | None]]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for info, data in members:
            if data is not None:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
            else:
                tar.addfile(info)
    return buffer.getvalue()


def _file(name: str) -> tarfile.TarInfo:
    return tarfile.TarInfo(name)


def _link(name: str, target: str, kind: bytes = tarfile.SYMTYPE) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info


def test_upload_creates_parents_and_exec_sees_it(local_server: LocalServer, sandbox: dict) -> None:
    response = _upload(local_server, sandbox["name"], "deep/er/data.bin", b"\x00\x01payload")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    result = sh(local_server, sandbox["name"], "od -c deep/er/data.bin | head -1")
    assert "p   a   y" in result["stdout"]


def test_download_round_trip_binary(local_server: LocalServer, sandbox: dict) -> None:
    blob = bytes(range(256)) * 4000
    _upload(local_server, sandbox["name"], "blob", blob)
    response = _download(local_server, sandbox["name"], "blob")
    assert response.status_code == 200
    assert response.content == blob


def test_absolute_workspace_path_maps_in(local_server: LocalServer, sandbox: dict) -> None:
    _upload(local_server, sandbox["name"], "/workspace/abs.txt", b"abs")
    assert _download(local_server, sandbox["name"], "abs.txt").content == b"abs"


def test_missing_file_is_404(local_server: LocalServer, sandbox: dict) -> None:
    response = _download(local_server, sandbox["name"], "nope.txt")
    assert response.status_code == 404
    assert response.json()["code"] == "FILE_NOT_FOUND"


def test_directory_via_files_is_400_pointing_at_archive(
    local_server: LocalServer, sandbox: dict
) -> None:
    sh(local_server, sandbox["name"], "mkdir -p d")
    response = _download(local_server, sandbox["name"], "d")
    assert response.status_code == 400
    assert "files-archive" in response.json()["message"]


def test_archive_round_trip(local_server: LocalServer, sandbox: dict, tmp_path: Path) -> None:
    name = sandbox["name"]
    sh(local_server, name, "mkdir -p proj/src && echo a > proj/a.txt && echo b > proj/src/b.py")
    response = _download(local_server, name, "proj", archive=True)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/gzip"
    with tarfile.open(fileobj=io.BytesIO(response.content), mode="r:gz") as tar:
        assert sorted(tar.getnames()) == ["a.txt", "src", "src/b.py"]
    upload = _upload(local_server, name, "copy", response.content, archive=True)
    assert upload.status_code == 200 and upload.json() == {"status": "ok"}
    assert sh(local_server, name, "cat copy/src/b.py")["stdout"] == "b\n"


def test_archive_of_missing_dir_is_404(local_server: LocalServer, sandbox: dict) -> None:
    response = _download(local_server, sandbox["name"], "none", archive=True)
    assert response.status_code == 404
    assert response.json()["code"] == "FILE_NOT_FOUND"


ESCAPES = ["../outside.txt", "a/../../outside.txt", "/etc/passwd", "/workspace/../etc/x", "/tmp/x"]


@pytest.mark.parametrize("path", ESCAPES)
def test_upload_escape_is_refused(local_server: LocalServer, sandbox: dict, path: str) -> None:
    response = _upload(local_server, sandbox["name"], path, b"evil")
    assert response.status_code == 400
    assert response.json()["code"] == "FILE_OPERATION_ERROR"
    assert response.json()["message"]
    assert not list(local_server.home.rglob("outside.txt"))


@pytest.mark.parametrize("path", ESCAPES)
def test_download_escape_is_refused(local_server: LocalServer, sandbox: dict, path: str) -> None:
    for archive in (False, True):
        response = _download(local_server, sandbox["name"], path, archive=archive)
        assert response.status_code == 400
        assert response.json()["code"] == "FILE_OPERATION_ERROR"


def test_symlink_out_is_refused_both_ways(local_server: LocalServer, sandbox: dict) -> None:
    name = sandbox["name"]
    sh(local_server, name, "ln -s /etc etc-link; ln -s .. up")
    for path in ("etc-link/passwd", "up/x"):
        assert _download(local_server, name, path).status_code in (400, 404)
    # Resolving on the host side: a link to the host's /etc must not leak the host's files.
    host_target = str(Path("/etc").resolve())
    sh(local_server, name, f"ln -s {host_target}/hostname hostlink")
    response = _download(local_server, name, "hostlink")
    assert response.status_code in (400, 404)
    upload = _upload(local_server, name, "up/escaped.txt", b"x")
    assert upload.status_code == 400
    assert not list(local_server.home.rglob("escaped.txt"))


UNSAFE_ARCHIVES = {
    "dotdot": [(_file("../evil.txt"), b"x")],
    "absolute": [(_file("/tmp/evil.txt"), b"x")],
    "symlink-out": [(_link("link", "/etc/passwd"), None)],
    "symlink-up": [(_link("link", "../../../../etc"), None)],
    "hardlink-out": [(_link("hard", "/etc/passwd", tarfile.LNKTYPE), None)],
    "device": [(_link("dev", "", tarfile.CHRTYPE), None)],
    "through-link": [(_link("l", ".."), None), (_file("l/evil.txt"), b"x")],
}


@pytest.mark.parametrize("kind", sorted(UNSAFE_ARCHIVES))
def test_unsafe_archive_is_refused_whole(
    local_server: LocalServer, sandbox: dict, kind: str
) -> None:
    name = sandbox["name"]
    members = [(_file("fine.txt"), b"fine"), *UNSAFE_ARCHIVES[kind]]
    response = _upload(local_server, name, "dest", _tar_gz(members), archive=True)
    assert response.status_code == 400
    assert response.json()["code"] == "FILE_OPERATION_ERROR"
    # Nothing was written: not even the harmless member, and no destination directory.
    assert sh(local_server, name, "ls")["stdout"] == ""
    assert not list(local_server.home.rglob("evil.txt"))


def test_garbage_archive_is_400(local_server: LocalServer, sandbox: dict) -> None:
    response = _upload(local_server, sandbox["name"], "dest", b"not a tarball", archive=True)
    assert response.status_code == 400
    assert "tar" in response.json()["message"]


def test_upload_without_file_part_is_400(local_server: LocalServer, sandbox: dict) -> None:
    response = local_server.request(
        "POST",
        f"/sandboxes/{sandbox['name']}/files",
        params={"path": "x"},
        files={"wrong": ("x", b"x")},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"


def test_large_file_streams_both_ways(local_server: LocalServer, sandbox: dict) -> None:
    blob = b"0123456789abcdef" * (2 * 1024 * 1024)  # 32 MiB
    assert _upload(local_server, sandbox["name"], "big.bin", blob).status_code == 200
    response = local_server.request(
        "GET", f"/sandboxes/{sandbox['name']}/files", params={"path": "big.bin"}, stream=True
    )
    received = sum(len(chunk) for chunk in response.iter_content(1024 * 1024))
    assert received == len(blob)


def test_fifo_download_is_refused_without_hanging(local_server: LocalServer, sandbox: dict) -> None:
    sh(local_server, sandbox["name"], "mkfifo pipe")
    response = _download(local_server, sandbox["name"], "pipe")
    assert response.status_code == 400
    assert "regular file" in response.json()["message"]


def test_upload_below_a_file_is_400(local_server: LocalServer, sandbox: dict) -> None:
    _upload(local_server, sandbox["name"], "plain", b"x")
    response = _upload(local_server, sandbox["name"], "plain/child", b"y")
    assert response.status_code == 400
    assert "not a directory" in response.json()["message"]


def test_upload_over_an_inner_link_replaces_the_link(
    local_server: LocalServer, sandbox: dict
) -> None:
    name = sandbox["name"]
    sh(local_server, name, "echo original > real; ln -s real alias")
    # `alias` resolves to `real` inside the workspace: the write lands on the resolved path.
    assert _upload(local_server, name, "alias", b"new").status_code == 200
    assert sh(local_server, name, "cat real")["stdout"] == "new"


def test_upload_to_workspace_root_is_400(local_server: LocalServer, sandbox: dict) -> None:
    response = _upload(local_server, sandbox["name"], "/workspace", b"x")
    assert response.status_code == 400


def test_archive_keeps_links_as_links(local_server: LocalServer, sandbox: dict) -> None:
    name = sandbox["name"]
    sh(local_server, name, "mkdir d && ln -s /etc/hostname d/host && echo x > d/.hidden")
    response = _download(local_server, name, "d", archive=True)
    with tarfile.open(fileobj=io.BytesIO(response.content), mode="r:gz") as tar:
        members = {m.name: m for m in tar.getmembers()}
    assert set(members) == {"host", ".hidden"}
    assert members["host"].issym() and members["host"].linkname == "/etc/hostname"


def test_archive_of_a_single_file(local_server: LocalServer, sandbox: dict) -> None:
    _upload(local_server, sandbox["name"], "one/file.txt", b"solo")
    response = _download(local_server, sandbox["name"], "one/file.txt", archive=True)
    with tarfile.open(fileobj=io.BytesIO(response.content), mode="r:gz") as tar:
        assert tar.getnames() == ["file.txt"]


def test_extract_through_an_existing_link_out_is_refused(
    local_server: LocalServer, sandbox: dict
) -> None:
    name = sandbox["name"]
    sh(local_server, name, "ln -s /etc out")
    archive = _tar_gz([(_file("out/evil.txt"), b"x")])
    response = _upload(local_server, name, ".", archive, archive=True)
    assert response.status_code == 400
    assert not list(local_server.home.rglob("evil.txt"))


def test_setuid_member_is_refused(local_server: LocalServer, sandbox: dict) -> None:
    info = _file("tool")
    info.mode = 0o4755
    response = _upload(local_server, sandbox["name"], "d", _tar_gz([(info, b"#!")]), archive=True)
    assert response.status_code == 400
    assert "setuid" in response.json()["message"]
