"""Files: single files through ``/files``, directories as tar.gz through ``/files-archive``."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import stat
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import APIRouter, Depends, UploadFile
from fastapi.responses import FileResponse, StreamingResponse
from starlette.background import BackgroundTask

from ...models import ErrorCode, FileUploadResponse
from .. import safe_fs, sandbox_tar
from ..archives import UnsafeArchiveError, check_archive, extract_archive, write_archive
from ..deps import CallerSandbox, Runtime, require_tenant
from ..paths import WORKSPACE, PathEscapeError, host_path
from ..problems import ApiProblem, bad_request
from ..runtime import LocalRuntime
from ..store import SandboxRecord

router = APIRouter(prefix="/sandboxes", tags=["files"], dependencies=[Depends(require_tenant)])

UPLOAD_CHUNK = 1024 * 1024


def _resolve(runtime: LocalRuntime, sandbox: SandboxRecord, path: str) -> tuple[Path, Path]:
    """(workspace, path relative to it) with symlinks resolved; 400 for anything outside."""
    workspace = runtime.dirs(sandbox).workspace
    workspace.mkdir(parents=True, exist_ok=True)
    try:
        target = host_path(path, {WORKSPACE: workspace})
    except PathEscapeError as exc:
        raise bad_request(str(exc), ErrorCode.FILE_OPERATION_ERROR) from None
    return workspace.resolve(), target.relative_to(workspace.resolve())


def _missing(path: str) -> ApiProblem:
    return ApiProblem(404, ErrorCode.FILE_NOT_FOUND, f"no such file in the sandbox: {path!r}")


def _file_error(path: str, exc: OSError | PathEscapeError) -> ApiProblem:
    if isinstance(exc, FileNotFoundError):
        return _missing(path)
    if isinstance(exc, PathEscapeError):
        message = str(exc)
    elif isinstance(exc, IsADirectoryError):
        message = f"{path!r} is a directory"
    elif isinstance(exc, NotADirectoryError):
        message = f"a parent of {path!r} is not a directory"
    else:
        message = f"{path!r}: {exc.strerror or exc}"
    return bad_request(message, ErrorCode.FILE_OPERATION_ERROR)


def _scratch_dir(runtime: LocalRuntime) -> Path:
    scratch = runtime.settings.home / "scratch"
    scratch.mkdir(exist_ok=True)
    return scratch


async def _save_upload(upload: UploadFile, fd: int) -> None:
    """Copy the upload in chunks into ``fd`` (never the whole file in memory)."""
    while chunk := await upload.read(UPLOAD_CHUNK):
        view = memoryview(chunk)
        while view:
            written = await asyncio.to_thread(os.write, fd, view)
            view = view[written:]


async def _read_fd(fd: int, size: int) -> AsyncIterator[bytes]:
    """The first ``size`` bytes of ``fd`` in chunks (the Content-Length we promised)."""
    try:
        while size > 0:
            chunk = await asyncio.to_thread(os.read, fd, min(UPLOAD_CHUNK, size))
            if not chunk:
                return
            size -= len(chunk)
            yield chunk
    finally:
        os.close(fd)


@router.get("/{name}/files")
async def download_file(path: str, sandbox: CallerSandbox, runtime: Runtime) -> StreamingResponse:
    workspace, relative = _resolve(runtime, sandbox, path)
    try:
        # O_NONBLOCK: opening a FIFO planted in the workspace must not hang the server.
        fd = safe_fs.open_file_beneath(workspace, relative, os.O_RDONLY | os.O_NONBLOCK)
    except (OSError, PathEscapeError) as exc:
        raise _file_error(path, exc) from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        if stat.S_ISDIR(info.st_mode):
            raise bad_request(
                f"{path!r} is a directory: download it with GET /sandboxes/{{name}}/files-archive",
                ErrorCode.FILE_OPERATION_ERROR,
            )
        raise bad_request(f"{path!r} is not a regular file", ErrorCode.FILE_OPERATION_ERROR)
    headers = {
        "Content-Length": str(info.st_size),
        "Content-Disposition": f'attachment; filename="{relative.name or "file"}"',
    }
    return StreamingResponse(
        _read_fd(fd, info.st_size), media_type="application/octet-stream", headers=headers
    )


@router.post("/{name}/files", response_model=FileUploadResponse)
async def upload_file(
    path: str, file: UploadFile, sandbox: CallerSandbox, runtime: Runtime
) -> FileUploadResponse:
    workspace, relative = _resolve(runtime, sandbox, path)
    if not relative.name:
        raise bad_request("the workspace itself is a directory", ErrorCode.FILE_OPERATION_ERROR)
    partial = f".upload-{secrets.token_hex(8)}"
    try:
        with safe_fs.open_dir_beneath(workspace, relative.parent, create=True) as dir_fd:
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
            fd = os.open(partial, flags, 0o644, dir_fd=dir_fd)
            try:
                try:
                    await _save_upload(file, fd)
                finally:
                    os.close(fd)
                # Rename into place: readers never see half a file; a symlink there is
                # replaced, never followed.
                os.replace(partial, relative.name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(partial, dir_fd=dir_fd)
    except (OSError, PathEscapeError) as exc:
        raise _file_error(path, exc) from None
    return FileUploadResponse(status="ok")


def _archive_name(source: Path) -> str:
    return f'attachment; filename="{source.name or "workspace"}.tar.gz"'


@router.get("/{name}/files-archive", response_model=None)
async def download_archive(
    path: str, sandbox: CallerSandbox, runtime: Runtime
) -> StreamingResponse | FileResponse:
    workspace, relative = _resolve(runtime, sandbox, path)
    source = workspace / relative
    if not source.exists():
        raise _missing(path)
    headers = {"Content-Disposition": _archive_name(source)}
    if runtime.launcher.isolation == "bubblewrap":
        try:
            stream = await sandbox_tar.pack(runtime.launcher, runtime.dirs(sandbox), source)
        except sandbox_tar.SandboxTarError as exc:
            message = f"cannot archive {path!r}: {exc}"
            raise bad_request(message, ErrorCode.FILE_OPERATION_ERROR) from None
        return StreamingResponse(stream, media_type="application/gzip", headers=headers)
    # No sandbox to run tar in: build it here, into a scratch file streamed from disk.
    fd, archive = tempfile.mkstemp(dir=_scratch_dir(runtime), suffix=".tar.gz")
    os.close(fd)
    try:
        await asyncio.to_thread(write_archive, source, Path(archive))
    except BaseException:
        os.unlink(archive)
        raise
    return FileResponse(
        archive,
        media_type="application/gzip",
        headers=headers,
        background=BackgroundTask(os.unlink, archive),
    )


async def _extract(runtime: LocalRuntime, sandbox: SandboxRecord, archive: Path, path: str) -> None:
    workspace, relative = _resolve(runtime, sandbox, path)
    dest = workspace / relative
    if dest.exists() and not dest.is_dir():
        raise bad_request(f"{path!r} exists and is not a directory", ErrorCode.FILE_OPERATION_ERROR)
    if runtime.launcher.isolation != "bubblewrap":
        await asyncio.to_thread(extract_archive, archive, dest)
        return
    await asyncio.to_thread(check_archive, archive, dest)
    try:
        with safe_fs.open_dir_beneath(workspace, relative, create=True):
            pass
    except (OSError, PathEscapeError) as exc:
        raise _file_error(path, exc) from None
    await sandbox_tar.unpack(runtime.launcher, runtime.dirs(sandbox), archive, dest)


@router.post("/{name}/files-archive", response_model=FileUploadResponse)
async def upload_archive(
    path: str, file: UploadFile, sandbox: CallerSandbox, runtime: Runtime
) -> FileUploadResponse:
    _resolve(runtime, sandbox, path)  # refuse a bad path before taking the upload
    fd, archive = tempfile.mkstemp(dir=_scratch_dir(runtime), suffix=".tar.gz")
    try:
        try:
            await _save_upload(file, fd)
        finally:
            os.close(fd)
        await _extract(runtime, sandbox, Path(archive), path)
    except (UnsafeArchiveError, sandbox_tar.SandboxTarError) as exc:
        raise bad_request(str(exc), ErrorCode.FILE_OPERATION_ERROR) from None
    finally:
        os.unlink(archive)
    return FileUploadResponse(status="ok")
