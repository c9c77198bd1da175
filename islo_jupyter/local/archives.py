"""tar.gz in and out of a sandbox workspace: write a directory to a file, check and extract one."""

from __future__ import annotations

import os
import tarfile
from pathlib import Path


class UnsafeArchiveError(ValueError):
    """The archive has a member that would land or point outside the target (or is a device)."""


def write_archive(source: Path, target: Path) -> None:
    """A tar.gz of ``source`` (a directory's contents, or one file) at ``target``.
    Symlinks are stored as links, never followed."""
    with tarfile.open(target, "w:gz", compresslevel=6) as tar:
        if source.is_dir():
            for child in sorted(source.iterdir()):
                tar.add(child, arcname=child.name)
        else:
            tar.add(source, arcname=source.name)


def _inside(root: str, candidate: str) -> bool:
    return candidate == root or candidate.startswith(root + os.sep)


def check_members(tar: tarfile.TarFile, dest: Path) -> None:
    """Refuse the whole archive before anything is written if any member is unsafe."""
    root = os.path.realpath(dest)
    for member in tar.getmembers():
        name = member.name
        if os.path.isabs(name) or ".." in Path(name).parts:
            raise UnsafeArchiveError(f"archive member {name!r} escapes the target directory")
        if not (member.isfile() or member.isdir() or member.issym() or member.islnk()):
            raise UnsafeArchiveError(f"archive member {name!r} is a device or special file")
        if member.mode & 0o6000:
            raise UnsafeArchiveError(f"archive member {name!r} is setuid or setgid")
        # realpath follows links already in the workspace, so `link-to-etc/passwd` is caught.
        target = os.path.realpath(os.path.join(root, name))
        if not _inside(root, target):
            raise UnsafeArchiveError(f"archive member {name!r} escapes the target directory")
        if member.issym():
            if os.path.isabs(member.linkname):
                raise UnsafeArchiveError(f"symlink {name!r} points to an absolute path")
            pointed = os.path.normpath(os.path.join(root, os.path.dirname(name), member.linkname))
            if not _inside(root, pointed):
                raise UnsafeArchiveError(f"symlink {name!r} points outside the target directory")
        if member.islnk():
            pointed = os.path.normpath(os.path.join(root, member.linkname))
            if os.path.isabs(member.linkname) or not _inside(root, pointed):
                raise UnsafeArchiveError(f"hard link {name!r} points outside the target directory")


def check_archive(archive: Path, dest: Path) -> None:
    """Raise UnsafeArchiveError unless ``archive`` is a tar.gz with every member inside ``dest``."""
    try:
        with tarfile.open(archive, "r:*") as tar:
            check_members(tar, dest)
    except tarfile.TarError as exc:
        raise UnsafeArchiveError(f"not a valid tar.gz archive: {exc}") from None


def extract_archive(archive: Path, dest: Path) -> None:
    """Check every member, then extract with tarfile's ``data`` filter as a second guard.
    Used where no sandbox can run tar (no bubblewrap)."""
    check_archive(archive, dest)
    try:
        with tarfile.open(archive, "r:*") as tar:
            dest.mkdir(parents=True, exist_ok=True)
            tar.extractall(dest, filter="data")
    except tarfile.TarError as exc:
        raise UnsafeArchiveError(f"not a valid tar.gz archive: {exc}") from None
