"""IsloClient: the one object that speaks HTTP to Islo (sandboxes here; exec and files mixed in).

::

    with IsloClient() as client:            # argument > environment > the local server
        box = client.create_sandbox("demo")
        client.wait_until_running("demo")
        print(client.exec("demo", "echo hi").stdout)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from . import errors
from .client_core import drop_none, encode_path
from .client_exec import STREAM_TRANSPORT_ERRORS, ExecAPI, poll_delays
from .client_files import FilesAPI
from .exec_stream import iter_body
from .models import TERMINAL_SANDBOX_STATUSES, LifecyclePolicy, Sandbox, SandboxPage
from .sse import SSEEvent, iter_events

__all__ = ["IsloClient"]

#: How long wait_until_running polls by default, and its slowest poll.
WAIT_RUNNING_TIMEOUT = 120.0
WAIT_RUNNING_POLL_MAX = 2.0


class IsloClient(ExecAPI, FilesAPI):
    """Sandboxes, exec and files on one Islo deployment; thread-safe, shares the token cache."""

    def __enter__(self) -> IsloClient:
        return self

    # --- listing ----------------------------------------------------------------------

    def list_sandboxes(
        self,
        *,
        q: str | None = None,
        status: str | Sequence[str] | None = None,
        name_prefix: str | None = None,
        created_by: str | None = None,
        limit: int | None = None,
        offset: int | None = None,
        cursor: str | None = None,
        timeout: float | None = None,
        max_attempts: int | None = None,
    ) -> SandboxPage:
        """One page of sandboxes; ``status`` may be a list (sent as a repeated key)."""
        statuses = [status] if isinstance(status, str) else list(status) if status else None
        params = drop_none(
            {
                "q": q,
                "status": statuses,
                "name_prefix": name_prefix,
                "created_by": created_by,
                "limit": limit,
                "offset": offset,
                "cursor": cursor,
            }
        )
        data = self._json(
            "GET",
            "/sandboxes",
            idempotent=True,
            params=params,
            timeout=timeout,
            max_attempts=max_attempts,
        )
        return SandboxPage.model_validate(data)

    def iter_sandboxes(self, *, page_size: int = 100, **filters: Any) -> Iterator[Sandbox]:
        """Every matching sandbox, one page in memory at a time (cursor if offered, else offset)."""
        filters.pop("cursor", None)
        offset = int(filters.pop("offset", None) or 0)
        cursor: str | None = None
        while True:
            if cursor is not None:
                page = self.list_sandboxes(limit=page_size, cursor=cursor, **filters)
            else:
                page = self.list_sandboxes(limit=page_size, offset=offset, **filters)
            yield from page.items
            if page.next_cursor:
                cursor = page.next_cursor
                continue
            if cursor is not None or not page.items:
                return  # a cursor walk ends when no next cursor comes back
            offset += len(page.items)
            if offset >= page.total:
                return

    # --- single sandboxes ---------------------------------------------------------------

    def get_sandbox(
        self, name: str, *, timeout: float | None = None, max_attempts: int | None = None
    ) -> Sandbox:
        data = self._json(
            "GET",
            encode_path("sandboxes", name),
            idempotent=True,
            timeout=timeout,
            max_attempts=max_attempts,
        )
        return Sandbox.model_validate(data)

    def get_sandbox_by_id(
        self, sandbox_id: str, *, timeout: float | None = None, max_attempts: int | None = None
    ) -> Sandbox:
        path = encode_path("sandboxes", "-", "by-id", sandbox_id)
        return Sandbox.model_validate(
            self._json("GET", path, idempotent=True, timeout=timeout, max_attempts=max_attempts)
        )

    def create_sandbox(
        self,
        name: str | None = None,
        *,
        image: str | None = None,
        vcpus: int | None = None,
        memory_mb: int | None = None,
        disk_gb: int | None = None,
        env: Mapping[str, str | None] | None = None,
        workdir: str | None = None,
        lifecycle: LifecyclePolicy | dict[str, Any] | None = None,
        internet_enabled: bool | None = None,
        timeout: float | None = None,
        max_attempts: int | None = None,
        **more_wire_fields: Any,
    ) -> Sandbox:
        """Create a sandbox; any other ``SandboxCreate`` field (init, sources...) goes in kwargs."""
        if isinstance(lifecycle, LifecyclePolicy):
            lifecycle = lifecycle.model_dump(exclude_none=True)
        body = drop_none(
            {
                "name": name,
                "image": image,
                "vcpus": vcpus,
                "memory_mb": memory_mb,
                "disk_gb": disk_gb,
                "workdir": workdir,
                "lifecycle": lifecycle,
                "internet_enabled": internet_enabled,
                **{key: _to_wire(value) for key, value in more_wire_fields.items()},
            }
        )
        if env is not None:
            body["env"] = dict(env)  # null values mean "unset": keep them
        data = self._json(
            "POST",
            "/sandboxes",
            idempotent=False,
            json=body,
            timeout=timeout,
            max_attempts=max_attempts,
        )
        return Sandbox.model_validate(data)

    def wait_until_running(
        self,
        name: str,
        *,
        timeout: float = WAIT_RUNNING_TIMEOUT,
        on_progress: Callable[[Sandbox], None] | None = None,
    ) -> Sandbox:
        """Poll until ``running``; IsloError if terminal, IsloTimeoutError at the deadline."""
        deadline = time.monotonic() + timeout
        for delay in poll_delays(first=0.1, cap=WAIT_RUNNING_POLL_MAX):
            sandbox = self.get_sandbox(name)
            if on_progress is not None:
                on_progress(sandbox)
            if sandbox.status == "running":
                return sandbox
            if sandbox.status in TERMINAL_SANDBOX_STATUSES:
                phase = f" ({sandbox.creation_phase})" if sandbox.creation_phase else ""
                raise errors.IsloError(
                    f"sandbox {name!r} is {sandbox.status}{phase} and will not become running"
                )
            if time.monotonic() + delay > deadline:
                raise errors.IsloTimeoutError(
                    f"sandbox {name!r} was still {sandbox.status} after {timeout:g} s"
                )
            time.sleep(delay)
        raise AssertionError("unreachable")  # poll_delays() never ends

    def iter_creation_events(
        self, name: str, *, timeout: float | None = None
    ) -> Iterator[SSEEvent]:
        """``GET /sandboxes/{name}/events`` as parsed server-sent events, as they arrive.

        Islo publishes no schema for this stream, so events are not turned into models (the
        local server sends ``status`` events whose data is the sandbox as JSON). ``timeout``
        bounds the silence between two reads; None waits as long as the server keeps it open.
        """
        response = self._request(
            "GET",
            encode_path("sandboxes", name, "events"),
            idempotent=True,
            headers={"Accept": "text/event-stream"},
            stream=True,
            timeout=(self.timeout, timeout),
        )
        with response:
            try:
                yield from iter_events(iter_body(response))
            except STREAM_TRANSPORT_ERRORS as exc:
                raise errors.IsloStreamError(
                    f"the event stream of sandbox {name!r} broke off ({type(exc).__name__})"
                ) from None

    def delete_sandbox(
        self, name: str, *, timeout: float | None = None, max_attempts: int | None = None
    ) -> None:
        self._request(
            "DELETE",
            encode_path("sandboxes", name),
            idempotent=True,
            timeout=timeout,
            max_attempts=max_attempts,
        ).close()

    def stop_sandbox(
        self, name: str, *, timeout: float | None = None, max_attempts: int | None = None
    ) -> None:
        # stop/pause/resume name a target state, so repeating them is harmless: idempotent.
        path = encode_path("sandboxes", name, "stop")
        self._request(
            "POST", path, idempotent=True, timeout=timeout, max_attempts=max_attempts
        ).close()

    def pause_sandbox(
        self, name: str, *, timeout: float | None = None, max_attempts: int | None = None
    ) -> Sandbox:
        path = encode_path("sandboxes", name, "pause")
        return Sandbox.model_validate(
            self._json("POST", path, idempotent=True, timeout=timeout, max_attempts=max_attempts)
        )

    def resume_sandbox(
        self, name: str, *, timeout: float | None = None, max_attempts: int | None = None
    ) -> Sandbox:
        path = encode_path("sandboxes", name, "resume")
        return Sandbox.model_validate(
            self._json("POST", path, idempotent=True, timeout=timeout, max_attempts=max_attempts)
        )


def _to_wire(value: Any) -> Any:
    """Pydantic models given for nested fields (init, sources...) become plain JSON."""
    if hasattr(value, "model_dump"):
        return value.model_dump(exclude_none=True)
    if isinstance(value, list):
        return [_to_wire(item) for item in value]
    return value
