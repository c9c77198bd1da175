"""Build tar.gz archives of a directory and extract untrusted ones safely (pure, no HTTP).

Extraction refuses absolute names, ``..`` escapes, links that point outside the target,
hard links to outside, and device or FIFO members, and then extracts with the stdlib's
``data`` filter as a second line of defence.
"""

from __future__ import annotations

import fnmatch
import os
import tarfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from .errors import IsloError


class UnsafeArchiveError(IsloError):
    """An archive member would land outside the target directory, or is not a plain file/dir."""


def is_excluded(relpath: str, patterns: Iterable[str]) -> bool:
    """True if a path (relative, ``/``-separated) or any of its parts matches a pattern."""
    parts = relpath.split("/")
    for pattern in patterns:
        pattern = pattern.rstrip("/")
        if fnmatch.fnmatch(relpath, pattern):
            return True
        if "/" not in pattern and any(fnmatch.fnmatch(part, pattern) for part in parts):
            return True
    return False


def build_tar_gz(
    src_dir: str | os.PathLike[str], out: BinaryIO, *, exclude: Iterable[str] = ()
) -> int:
    """Write the contents of ``src_dir`` as tar.gz to ``out``; return how many files.

    Symlinks are kept as links when they point inside ``src_dir`` and skipped otherwise,
    so an upload never carries a link the receiving side would refuse.
    """
    root = Path(src_dir).resolve()
    if not root.is_dir():
        raise NotADirectoryError(str(src_dir))
    patterns = tuple(exclude)
    count = 0
    with tarfile.open(fileobj=out, mode="w:gz", compresslevel=6) as tar:
        for dirpath, dirnames, filenames in os.walk(root):
            rel_dir = Path(dirpath).relative_to(root).as_posix()
            rel_dir = "" if rel_dir == "." else rel_dir
            dirnames[:] = sorted(
                d for d in dirnames if not is_excluded(_join(rel_dir, d), patterns)
            )
            for name in [*dirnames, *sorted(filenames)]:
                rel = _join(rel_dir, name)
                full = Path(dirpath, name)
                if is_excluded(rel, patterns) or not _is_safe_source(full, root):
                    continue
                tar.add(full, arcname=rel, recursive=False)
                count += full.is_file() and not full.is_symlink()
    return count


def _join(rel_dir: str, name: str) -> str:
    return f"{rel_dir}/{name}" if rel_dir else name


def _is_safe_source(path: Path, root: Path) -> bool:
    if not path.is_symlink():
        return path.is_file() or path.is_dir()
    target = (path.parent / os.readlink(path)).resolve()
    return target == root or root in target.parents


def check_member(member: tarfile.TarInfo, dest: Path) -> None:
    """Raise UnsafeArchiveError unless ``member`` stays inside ``dest`` (a resolved path)."""
    name = PurePosixPath(member.name)
    if name.is_absolute() or ".." in name.parts:
        raise UnsafeArchiveError(f"archive member {member.name!r} escapes the target directory")
    target = (dest / name).resolve()
    if target != dest and dest not in target.parents:
        raise UnsafeArchiveError(f"archive member {member.name!r} escapes the target directory")
    if member.issym():
        link = (target.parent / member.linkname).resolve()
        if PurePosixPath(member.linkname).is_absolute() or (
            link != dest and dest not in link.parents
        ):
            raise UnsafeArchiveError(f"symlink {member.name!r} points outside the target")
    elif member.islnk():
        link_name = PurePosixPath(member.linkname)
        linked = (dest / link_name).resolve()
        if link_name.is_absolute() or ".." in link_name.parts or dest not in linked.parents:
            raise UnsafeArchiveError(f"hard link {member.name!r} points outside the target")
    elif not (member.isfile() or member.isdir()):
        raise UnsafeArchiveError(f"archive member {member.name!r} is not a file or directory")


def safe_extract(archive: BinaryIO, dest_dir: str | os.PathLike[str]) -> int:
    """Extract a tar (any compression) into ``dest_dir`` after checking every member."""
    dest = Path(dest_dir)
    dest.mkdir(parents=True, exist_ok=True)
    dest = dest.resolve()
    count = 0
    # Streaming mode ("r|*") reads the archive once, in order, with bounded memory.
    with tarfile.open(fileobj=archive, mode="r|*") as tar:
        for member in tar:
            check_member(member, dest)
            tar.extract(member, dest, filter="data")
            count += member.isfile()
    return count
