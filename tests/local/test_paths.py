"""Pure logic of path confinement: in-sandbox paths to host paths, every escape refused."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from islo_jupyter.local.paths import WORKSPACE, PathEscapeError, host_path, inner_path


def test_relative_and_absolute_workspace_paths_agree(tmp_path: Path) -> None:
    mounts = {WORKSPACE: tmp_path}
    assert host_path("a/b.txt", mounts) == tmp_path.resolve() / "a" / "b.txt"
    assert host_path("/workspace/a/b.txt", mounts) == tmp_path.resolve() / "a" / "b.txt"
    assert host_path("/workspace", mounts) == tmp_path.resolve()
    assert host_path("./a//b.txt", mounts) == tmp_path.resolve() / "a" / "b.txt"


@pytest.mark.parametrize(
    "path", ["..", "../x", "a/../../x", "/etc/passwd", "/workspacex/y", "", "a\x00b", "/"]
)
def test_escapes_are_refused(tmp_path: Path, path: str) -> None:
    with pytest.raises(PathEscapeError):
        host_path(path, {WORKSPACE: tmp_path})


def test_symlink_out_is_refused(tmp_path: Path) -> None:
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "out").symlink_to(tmp_path)
    with pytest.raises(PathEscapeError, match="resolves outside"):
        host_path("out/secret", {WORKSPACE: tmp_path / "ws"})


def test_symlink_inside_is_followed(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "alias").symlink_to("real")
    assert host_path("alias/f", {WORKSPACE: tmp_path}) == tmp_path.resolve() / "real" / "f"


def test_inner_path_of_relative_is_under_workspace() -> None:
    assert inner_path("src") == PurePosixPath("/workspace/src")
