"""Opening beneath a root without following symlinks: a swapped-in link is refused."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from islo_jupyter.local.paths import PathEscapeError
from islo_jupyter.local.safe_fs import open_dir_beneath, open_file_beneath


def test_reads_a_plain_file(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "f").write_text("ok")
    fd = open_file_beneath(tmp_path, Path("d/f"), os.O_RDONLY)
    try:
        assert os.read(fd, 10) == b"ok"
    finally:
        os.close(fd)


def test_directory_swapped_for_a_link_is_refused(tmp_path: Path) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (outside / "secret").write_text("host data")
    # The path was checked while `d` was a real directory; now it is a link out.
    (root / "d").symlink_to(outside)
    with pytest.raises(PathEscapeError):
        open_file_beneath(root, Path("d/secret"), os.O_RDONLY)


def test_final_link_is_refused(tmp_path: Path) -> None:
    (tmp_path / "target").write_text("x")
    (tmp_path / "link").symlink_to(tmp_path / "target")
    with pytest.raises(PathEscapeError):
        open_file_beneath(tmp_path, Path("link"), os.O_RDONLY)


def test_create_makes_missing_directories(tmp_path: Path) -> None:
    with open_dir_beneath(tmp_path, Path("a/b/c"), create=True) as fd:
        assert os.fstat(fd).st_ino == (tmp_path / "a" / "b" / "c").stat().st_ino


def test_create_through_a_file_is_not_a_directory(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with (
        pytest.raises(NotADirectoryError),
        open_dir_beneath(tmp_path, Path("file/sub"), create=True),
    ):
        pass
