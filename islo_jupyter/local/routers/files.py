"""Files: single files through ``/files``, directories as tar.gz through ``/files-archive``."""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from pathlib import Path

from fastapi import APIRouter, Depends, UploadFile
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from ...models import ErrorCode, FileUploadResponse
from ..archives import UnsafeArchiveError, extract_archive, write_archive
from ..deps import CallerSandbox, Runtime, require_tenant
from ..paths import WORKSPACE, PathEscapeError, host_path
from ..problems import ApiProblem, bad_request
from ..runtime import LocalRuntime
from ..store import SandboxRecord

router = APIRouter(prefix="/sandboxes", tags=["files"], dependencies=[Depends(require_tenant)])

UPLOAD_CHUNK = 1024 * 1024


def _resolve(runtime: LocalRuntime, sandbox: SandboxRecord, path: str) -> Path:
    """The host path of a workspace path; 400 FILE_OPERATION_ERROR for anything outside."""
    workspace = runtime.dirs(sandbox).workspace
    workspace.mkdir(parents=True, exist_ok=True)
    try:
        return host_path(path, {WORKSPACE: workspace})
    except PathEscapeError as exc:
        raise bad_request(str(exc), ErrorCode.FILE_OPERATION_ERROR) from None


def _missing(path: str) -> ApiProblem:
    return ApiProblem(404, ErrorCode.FILE_NOT_FOUND, f"no such file in the sandbox: {path!r}")


def _scratch_dir(runtime: LocalRuntime) -> Path:
    scratch = runtime.settings.home / "scratch"
    scratch.mkdir(exist_ok=True)
    return scratch


async def _save_upload(upload: UploadFile, target: Path) -> None:
    """Copy the upload in chunks to ``target`` (never the whole file in memory)."""
    with open(target, "wb") as handle:
        while chunk := await upload.read(UPLOAD_CHUNK):
            await asyncio.to_thread(handle.write, chunk)


@router.get("/{name}/files")
async def download_file(path: str, sandbox: CallerSandbox, runtime: Runtime) -> FileResponse:
    target = _resolve(runtime, sandbox, path)
    if target.is_dir():
        raise bad_request(
            f"{path!r} is a directory: download it with GET /sandboxes/{{name}}/files-archive",
            ErrorCode.FILE_OPERATION_ERROR,
        )
    if not target.is_file():
        raise _missing(path)
    return FileResponse(target, media_type="application/octet-stream", filename=target.name)


@router.post("/{name}/files", response_model=FileUploadResponse)
async def upload_file(
    path: str, file: UploadFile, sandbox: CallerSandbox, runtime: Runtime
) -> FileUploadResponse:
    target = _resolve(runtime, sandbox, path)
    if target.is_dir():
        raise bad_request(f"{path!r} is a directory, not a file", ErrorCode.FILE_OPERATION_ERROR)
    target.parent.mkdir(parents=True, exist_ok=True)
    # Write beside the target, then rename: readers never see half a file.
    fd, partial = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    os.close(fd)
    try:
        await _save_upload(file, Path(partial))
        os.replace(partial, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(partial)
    return FileUploadResponse(status="ok")


@router.get("/{name}/files-archive")
async def download_archive(path: str, sandbox: CallerSandbox, runtime: Runtime) -> FileResponse:
    source = _resolve(runtime, sandbox, path)
    if not source.exists():
        raise _missing(path)
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
        filename=f"{source.name or 'workspace'}.tar.gz",
        background=BackgroundTask(os.unlink, archive),
    )


@router.post("/{name}/files-archive", response_model=FileUploadResponse)
async def upload_archive(
    path: str, file: UploadFile, sandbox: CallerSandbox, runtime: Runtime
) -> FileUploadResponse:
    dest = _resolve(runtime, sandbox, path)
    if dest.exists() and not dest.is_dir():
        raise bad_request(f"{path!r} exists and is not a directory", ErrorCode.FILE_OPERATION_ERROR)
    fd, archive = tempfile.mkstemp(dir=_scratch_dir(runtime), suffix=".tar.gz")
    os.close(fd)
    try:
        await _save_upload(file, Path(archive))
        await asyncio.to_thread(extract_archive, Path(archive), dest)
    except UnsafeArchiveError as exc:
        raise bad_request(str(exc), ErrorCode.FILE_OPERATION_ERROR) from None
    finally:
        os.unlink(archive)
    return FileUploadResponse(status="ok")
