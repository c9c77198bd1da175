"""Open files beneath a root without following symlinks, so a sandbox racing to swap a directory
for a link cannot steer the server's own reads and writes outside its workspace."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from .paths import PathEscapeError

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_LINK_ERRORS = (errno.ELOOP, errno.ENOTDIR)


def _refuse_link(exc: OSError, dir_fd: int, name: str, relative: Path) -> None:
    """Turn "that component is a symlink" into PathEscapeError; other errors stay as they are."""
    if exc.errno not in _LINK_ERRORS:
        return
    with contextlib.suppress(OSError):
        if stat.S_ISLNK(os.lstat(name, dir_fd=dir_fd).st_mode):
            raise PathEscapeError(f"path {str(relative)!r} crosses a symlink; refused") from None


@contextlib.contextmanager
def open_dir_beneath(root: Path, relative: Path, *, create: bool = False) -> Iterator[int]:
    """A directory fd for ``root/relative``, walked one component at a time with O_NOFOLLOW
    (``relative`` comes from a resolved, symlink-free path); missing parts made if ``create``."""
    fd = os.open(root, _DIR_FLAGS)
    try:
        for part in relative.parts:
            try:
                child = os.open(part, _DIR_FLAGS, dir_fd=fd)
            except FileNotFoundError:
                if not create:
                    raise
                with contextlib.suppress(FileExistsError):
                    os.mkdir(part, 0o755, dir_fd=fd)
                child = os.open(part, _DIR_FLAGS, dir_fd=fd)
            except OSError as exc:
                _refuse_link(exc, fd, part, relative)
                raise
            os.close(fd)
            fd = child
        yield fd
    finally:
        os.close(fd)


def open_file_beneath(root: Path, relative: Path, flags: int, mode: int = 0o644) -> int:
    """An fd for the file ``root/relative``; never follows a symlink on the way."""
    with open_dir_beneath(root, relative.parent) as dir_fd:
        try:
            return os.open(relative.name, flags | os.O_NOFOLLOW | os.O_CLOEXEC, mode, dir_fd=dir_fd)
        except OSError as exc:
            _refuse_link(exc, dir_fd, relative.name, relative)
            raise
