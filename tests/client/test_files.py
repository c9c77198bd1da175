"""File calls against the real local server: bytes, streamed files, directories as tar.gz."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from islo_jupyter import errors
from islo_jupyter.client import IsloClient


def test_bytes_round_trip(client: IsloClient, sandbox: str) -> None:
    data = os.urandom(50_000)
    client.upload_bytes(sandbox, data, "blob.bin")
    assert client.read_file(sandbox, "blob.bin") == data
    assert client.exec(sandbox, "wc -c < blob.bin").stdout.strip() == "50000"


def test_file_round_trip_streamed_and_atomic(
    client: IsloClient, sandbox: str, tmp_path: Path
) -> None:
    source = tmp_path / "big.bin"
    source.write_bytes(os.urandom(5 * 1024 * 1024))
    client.upload_file(sandbox, source, "sub dir/big.bin")
    target = client.download_file(sandbox, "sub dir/big.bin", tmp_path / "out")
    assert target == tmp_path / "out"
    assert target.read_bytes() == source.read_bytes()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_download_into_a_directory_keeps_the_name(
    client: IsloClient, sandbox: str, tmp_path: Path
) -> None:
    client.upload_bytes(sandbox, b"abc", "named.txt")
    assert client.download_file(sandbox, "named.txt", tmp_path) == tmp_path / "named.txt"


def test_missing_file_leaves_nothing_behind(
    client: IsloClient, sandbox: str, tmp_path: Path
) -> None:
    with pytest.raises(errors.NotFoundError):
        client.download_file(sandbox, "nope.txt", tmp_path / "nope.txt")
    assert list(tmp_path.iterdir()) == []


def test_read_file_cap(client: IsloClient, sandbox: str) -> None:
    client.upload_bytes(sandbox, b"x" * 1000, "capped.txt")
    with pytest.raises(errors.IsloError, match="larger than 100 bytes"):
        client.read_file(sandbox, "capped.txt", max_bytes=100)


def test_directory_round_trip_with_excludes(
    client: IsloClient, sandbox: str, tmp_path: Path
) -> None:
    src = tmp_path / "project"
    (src / "pkg" / "__pycache__").mkdir(parents=True)
    (src / "pkg" / "mod.py").write_text("print('hi')\n")
    (src / "pkg" / "__pycache__" / "x.pyc").write_bytes(b"\0")
    (src / "data.csv").write_text("a,b\n1,2\n")
    client.upload_dir(sandbox, src, "proj", exclude=["__pycache__"])
    assert client.exec(sandbox, "cd proj && python3 pkg/mod.py").stdout == "hi\n"
    dest = client.download_dir(sandbox, "proj", tmp_path / "back")
    assert (dest / "pkg" / "mod.py").read_text() == "print('hi')\n"
    assert (dest / "data.csv").read_text() == "a,b\n1,2\n"
    assert not (dest / "pkg" / "__pycache__").exists()
