"""The official ``islo`` SDK (0.3.20) side of every comparison, used exactly as documented."""

from __future__ import annotations

from typing import Any

from .floors import StreamOutcome, parse_sse_lines
from .server import BenchServer


def make_sdk(server: BenchServer) -> Any:
    import islo

    return islo.Islo(api_key=server.api_key, base_url=server.base_url, compute_url=server.base_url)


def forget_sdk_tokens() -> None:
    """Empty the SDK's process-wide token dict, so each measured run starts cold like ours.

    The SDK offers no public way; its class-level ``_shared`` dict is the cache.
    """
    from islo.custom.auth import SyncTokenProvider

    SyncTokenProvider._shared.clear()


def exec_and_wait(client: Any, sandbox: str, argv: list[str]) -> Any:
    from islo.custom.exec import exec_and_wait_sync

    return exec_and_wait_sync(client, sandbox, argv)


def exec_stream(client: Any, sandbox: str, argv: list[str]) -> StreamOutcome:
    """``exec_in_sandbox_stream`` returns no data; the raw response holds the buffered body.

    ``HttpResponse`` exposes only headers and status; the httpx response (with the body
    the SDK already read in full) is its ``_response``: the only way to get the output.
    """
    raw = client.sandboxes.with_raw_response.exec_in_sandbox_stream(sandbox, command=argv)
    body = raw._response.content
    outcome = parse_sse_lines(body.splitlines())
    outcome.body_bytes = len(body)
    return outcome


def exchange_once(server: BenchServer) -> str:
    from islo.custom.auth import exchange_access_key

    return str(exchange_access_key(server.base_url, server.api_key)["session_token"])


def list_one(client: Any) -> Any:
    return client.sandboxes.list_sandboxes(limit=1)
