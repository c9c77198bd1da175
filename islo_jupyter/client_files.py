"""IsloClient's file calls: single files streamed both ways, directories as tar.gz."""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

import requests

from . import errors
from .archive import build_tar_gz, safe_extract
from .client_core import ClientCore, encode_path
from .multipart import MultipartFileBody

#: Default cap of read_file: whole files in memory are for small things.
READ_FILE_MAX = 16 * 1024 * 1024
DOWNLOAD_CHUNK = 256 * 1024
#: Archives up to this size are built in memory; larger ones spill to a temporary file.
SPOOL_LIMIT = 8 * 1024 * 1024
#: Files and directories take longer than other calls: minimum per-read timeout for them.
FILE_TIMEOUT = 120.0


class FilesAPI(ClientCore):
    """Uploads and downloads (``/files`` and ``/files-archive``)."""

    def _file_timeout(self, timeout: float | None) -> float:
        return timeout if timeout is not None else max(self.timeout, FILE_TIMEOUT)

    def _upload(
        self,
        name: str,
        endpoint: str,
        remote_path: str,
        fileobj: BinaryIO,
        filename: str,
        content_type: str,
        timeout: float | None,
        max_attempts: int | None,
    ) -> None:
        body = MultipartFileBody(fileobj, filename=filename, content_type=content_type)
        self._request(
            "POST",
            encode_path("sandboxes", name, endpoint),
            idempotent=False,
            params={"path": remote_path},
            data=body,
            headers={"Content-Type": body.content_type},
            timeout=self._file_timeout(timeout),
            max_attempts=max_attempts,
        ).close()

    def upload_bytes(
        self,
        name: str,
        data: bytes,
        remote_path: str,
        *,
        timeout: float | None = None,
        max_attempts: int | None = None,
    ) -> None:
        """Write ``data`` to ``remote_path`` in the sandbox."""
        filename = os.path.basename(remote_path) or "file"
        self._upload(
            name,
            "files",
            remote_path,
            io.BytesIO(data),
            filename,
            "application/octet-stream",
            timeout,
            max_attempts,
        )

    def upload_file(
        self,
        name: str,
        local_path: str | os.PathLike[str],
        remote_path: str,
        *,
        timeout: float | None = None,
        max_attempts: int | None = None,
    ) -> None:
        """Stream a local file to ``remote_path`` (never loaded whole into memory)."""
        with open(local_path, "rb") as fileobj:
            self._upload(
                name,
                "files",
                remote_path,
                fileobj,
                os.path.basename(local_path),
                "application/octet-stream",
                timeout,
                max_attempts,
            )

    @contextlib.contextmanager
    def _download(
        self, name: str, endpoint: str, remote_path: str, timeout: float | None
    ) -> Iterator[requests.Response]:
        response = self._request(
            "GET",
            encode_path("sandboxes", name, endpoint),
            idempotent=True,
            params={"path": remote_path},
            stream=True,
            timeout=self._file_timeout(timeout),
        )
        with response:
            try:
                yield response
            except requests.RequestException as exc:
                # The body broke off after a 200: say what was being read, not urllib3's words.
                raise errors.IsloStreamError(
                    f"download of {remote_path!r} from sandbox {name!r} broke off "
                    f"({type(exc).__name__})"
                ) from None

    def read_file(
        self,
        name: str,
        remote_path: str,
        *,
        max_bytes: int = READ_FILE_MAX,
        timeout: float | None = None,
    ) -> bytes:
        """A remote file's bytes; raises IsloError if it is larger than ``max_bytes``."""
        parts: list[bytes] = []
        size = 0
        with self._download(name, "files", remote_path, timeout) as response:
            for chunk in response.iter_content(DOWNLOAD_CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise errors.IsloError(
                        f"{remote_path!r} in sandbox {name!r} is larger than {max_bytes} bytes; "
                        "use download_file()"
                    )
                parts.append(chunk)
        return b"".join(parts)

    def download_file(
        self,
        name: str,
        remote_path: str,
        local_path: str | os.PathLike[str],
        *,
        timeout: float | None = None,
    ) -> Path:
        """Stream a remote file to ``local_path``: written to a temporary file, then renamed."""
        target = Path(local_path)
        if target.is_dir():
            target = target / os.path.basename(remote_path.rstrip("/"))
        with self._download(name, "files", remote_path, timeout) as response:
            _write_atomically(target, response.iter_content(DOWNLOAD_CHUNK))
        return target

    def upload_dir(
        self,
        name: str,
        local_dir: str | os.PathLike[str],
        remote_dir: str,
        *,
        exclude: Iterable[str] = (),
        timeout: float | None = None,
        max_attempts: int | None = None,
    ) -> None:
        """Send a directory's contents as tar.gz; the server extracts it into ``remote_dir``."""
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_LIMIT) as spool:
            build_tar_gz(local_dir, spool, exclude=exclude)  # type: ignore[arg-type]
            spool.seek(0)
            self._upload(
                name,
                "files-archive",
                remote_dir,
                spool,  # type: ignore[arg-type]
                "archive.tar.gz",
                "application/gzip",
                timeout,
                max_attempts,
            )

    def download_dir(
        self,
        name: str,
        remote_dir: str,
        local_dir: str | os.PathLike[str],
        *,
        timeout: float | None = None,
    ) -> Path:
        """Fetch a remote directory as tar.gz and extract it safely into ``local_dir``."""
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_LIMIT) as spool:
            with self._download(name, "files-archive", remote_dir, timeout) as response:
                for chunk in response.iter_content(DOWNLOAD_CHUNK):
                    spool.write(chunk)
            spool.seek(0)
            safe_extract(spool, local_dir)  # type: ignore[arg-type]
        return Path(local_dir)


def _write_atomically(target: Path, chunks: Iterable[bytes]) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
