"""tar.gz building and safe extraction (pure, on the local filesystem)."""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

import pytest

from islo_jupyter.archive import UnsafeArchiveError, build_tar_gz, is_excluded, safe_extract


def _tar(*members: tuple[tarfile.TarInfo, bytes | None]) -> io.BytesIO:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for info, data in members:
            if data is not None:
                info.size = len(data)
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    buf.seek(0)
    return buf


def _member(name: str, kind: bytes = tarfile.REGTYPE, link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = link
    return info


def test_round_trip_with_excludes(tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src / "pkg" / "__pycache__").mkdir(parents=True)
    (src / "pkg" / "mod.py").write_text("x = 1\n")
    (src / "pkg" / "__pycache__" / "mod.pyc").write_bytes(b"\0")
    (src / "big.bin").write_bytes(os.urandom(1000))
    (src / "secret.env").write_text("K=V")
    (src / "pkg" / "link").symlink_to("mod.py")
    (src / "escape").symlink_to("/etc/passwd")
    buf = io.BytesIO()
    count = build_tar_gz(src, buf, exclude=["__pycache__", "secret.env"])
    buf.seek(0)
    dest = tmp_path / "dest"
    assert safe_extract(buf, dest) == count == 2
    assert (dest / "pkg" / "mod.py").read_text() == "x = 1\n"
    assert (dest / "big.bin").read_bytes() == (src / "big.bin").read_bytes()
    assert os.readlink(dest / "pkg" / "link") == "mod.py"
    assert not (dest / "pkg" / "__pycache__").exists()
    assert not (dest / "secret.env").exists() and not (dest / "escape").exists()


def test_exclude_rules() -> None:
    assert is_excluded("a/node_modules/x.js", ["node_modules"])
    assert is_excluded("data/raw.csv", ["data/*.csv"])
    assert is_excluded("x.pyc", ["*.pyc"])
    assert not is_excluded("data/raw.csv", ["raw"])


@pytest.mark.parametrize(
    "member",
    [
        (_member("../evil"), b"x"),
        (_member("/abs/evil"), b"x"),
        (_member("ok/../../evil"), b"x"),
        (_member("link", tarfile.SYMTYPE, "/etc/passwd"), None),
        (_member("link", tarfile.SYMTYPE, "../../outside"), None),
        (_member("hard", tarfile.LNKTYPE, "../outside"), None),
        (_member("dev", tarfile.CHRTYPE), None),
        (_member("fifo", tarfile.FIFOTYPE), None),
    ],
)
def test_unsafe_members_are_refused(
    tmp_path: Path, member: tuple[tarfile.TarInfo, bytes | None]
) -> None:
    with pytest.raises(UnsafeArchiveError):
        safe_extract(_tar(member), tmp_path / "dest")
    assert not (tmp_path / "evil").exists() and not (tmp_path / "outside").exists()


def test_write_through_a_symlinked_dir_is_refused(tmp_path: Path) -> None:
    (tmp_path / "dest").mkdir()
    (tmp_path / "outside").mkdir()
    (tmp_path / "dest" / "sneaky").symlink_to(tmp_path / "outside")
    with pytest.raises(UnsafeArchiveError):
        safe_extract(_tar((_member("sneaky/file"), b"x")), tmp_path / "dest")
    assert not (tmp_path / "outside" / "file").exists()


def test_links_inside_are_fine(tmp_path: Path) -> None:
    archive = _tar(
        (_member("d", tarfile.DIRTYPE), None),
        (_member("d/f"), b"data"),
        (_member("d/s", tarfile.SYMTYPE, "f"), None),
        (_member("h", tarfile.LNKTYPE, "d/f"), None),
    )
    safe_extract(archive, tmp_path / "dest")
    assert (tmp_path / "dest" / "d" / "s").read_bytes() == b"data"
    assert (tmp_path / "dest" / "h").read_bytes() == b"data"
