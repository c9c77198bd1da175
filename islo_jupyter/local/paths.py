"""Map paths as a sandbox sees them (``/workspace/...``) to host paths, refusing every escape."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

WORKSPACE = PurePosixPath("/workspace")


class PathEscapeError(ValueError):
    """The path is outside what the sandbox may touch; the message says why, for the user."""


def inner_path(path: str, base: PurePosixPath = WORKSPACE) -> PurePosixPath:
    """The absolute in-sandbox path: relative paths are taken from ``base``; ``..`` is refused."""
    if not path or "\x00" in path:
        raise PathEscapeError("path must be a non-empty string without NUL bytes")
    candidate = PurePosixPath(path)
    if not candidate.is_absolute():
        candidate = base / candidate
    if ".." in candidate.parts:
        raise PathEscapeError(f"path {path!r} must not contain '..'")
    return candidate


def host_path(path: str, mounts: dict[PurePosixPath, Path]) -> Path:
    """The host path of an in-sandbox path under one of ``mounts``, symlinks resolved and checked.

    Raises PathEscapeError for paths outside every mount, or that resolve (through symlinks)
    to somewhere outside the mount they start in.
    """
    inner = inner_path(path)
    for mount, root in mounts.items():
        if inner != mount and mount not in inner.parents:
            continue
        root = root.resolve()
        resolved = (root / inner.relative_to(mount)).resolve()
        if resolved != root and root not in resolved.parents:
            raise PathEscapeError(f"path {path!r} resolves outside {mount}")
        return resolved
    allowed = ", ".join(str(m) for m in mounts)
    raise PathEscapeError(f"path {path!r} is outside the sandbox ({allowed})")
