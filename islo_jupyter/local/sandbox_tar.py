"""Archives made and unpacked by GNU tar inside the sandbox itself (under bubblewrap), so links
in a workspace can only ever point into the sandbox's own view, never at the host."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from .launcher import Launcher, LaunchSpec, Limits, SandboxDirs, build_env
from .paths import WORKSPACE

CHUNK = 256 * 1024
# Top-level entries by name (no "./" prefix, hidden files included); tar recurses into each.
PACK_DIR = "find . -mindepth 1 -maxdepth 1 -printf '%P\\0' | tar -czf - --null -T -"
UNPACK = ["tar", "-xzf", "-", "--no-same-owner", "--no-same-permissions"]


class SandboxTarError(Exception):
    """tar inside the sandbox failed; the message is its stderr."""


def _spec(launcher: Launcher, dirs: SandboxDirs, argv: list[str], workdir: Path) -> LaunchSpec:
    inner = WORKSPACE / workdir.relative_to(dirs.workspace.resolve())
    env = build_env({}, {}, home=str(WORKSPACE))
    return launcher.build(dirs, argv, env, str(inner), Limits(memory_mb=1024, vcpus=0), False)


async def pack(launcher: Launcher, dirs: SandboxDirs, source: Path) -> AsyncIterator[bytes]:
    """The tar.gz of ``source`` (a directory's entries, or one file) as it is produced.
    Raises SandboxTarError before the first chunk if tar fails at once."""
    if source.is_dir():
        spec = _spec(launcher, dirs, ["/bin/sh", "-c", PACK_DIR], source)
    else:
        spec = _spec(launcher, dirs, ["tar", "-czf", "-", "--", source.name], source.parent)
    proc = await asyncio.create_subprocess_exec(
        *spec.argv,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=spec.cwd,
        env=spec.env,
        start_new_session=True,
    )
    assert proc.stdout is not None and proc.stderr is not None
    first = await proc.stdout.read(CHUNK)
    if not first:
        await proc.wait()
        raise SandboxTarError((await proc.stderr.read()).decode(errors="replace").strip())
    return _rest(proc, first)


async def _rest(proc: asyncio.subprocess.Process, first: bytes) -> AsyncIterator[bytes]:
    assert proc.stdout is not None
    try:
        chunk = first
        while chunk:
            yield chunk
            chunk = await proc.stdout.read(CHUNK)
        await proc.wait()
    finally:
        if proc.returncode is None:  # the client went away: stop tar
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()


async def unpack(launcher: Launcher, dirs: SandboxDirs, archive: Path, dest: Path) -> None:
    """Extract ``archive`` (already checked member by member) into the existing ``dest``."""
    spec = _spec(launcher, dirs, UNPACK, dest)
    with open(archive, "rb") as stdin:
        proc = await asyncio.create_subprocess_exec(
            *spec.argv,
            stdin=stdin,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
            cwd=spec.cwd,
            env=spec.env,
            start_new_session=True,
        )
        _, stderr = await proc.communicate()
    if proc.returncode != 0:
        raise SandboxTarError(stderr.decode(errors="replace").strip() or "tar failed")
