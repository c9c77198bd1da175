"""The part of IsloClient every API area shares: connection, session, auth, one request path."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import requests

from . import errors
from .auth import TOKEN_CACHE, IsloAuth, TokenCache
from .settings import Connection, resolve_connection
from .transport import (
    IsloRetry,
    build_session,
    call_policy,
    error_from_response,
    translate_exception,
)

logger = logging.getLogger("islo_jupyter")

Plane = str  # "compute" or "control"


def encode_path(*segments: str) -> str:
    """``/a/b`` from raw segments, each percent-encoded whole (``/`` included)."""
    return "".join("/" + quote(str(segment), safe="") for segment in segments)


def drop_none(values: Mapping[str, Any]) -> dict[str, Any]:
    """The wire rule: fields that are not set are omitted, not sent as null."""
    return {key: value for key, value in values.items() if value is not None}


class ClientCore:
    """Holds the connection and the session; sends every request through :meth:`_request`."""

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        compute_url: str | None = None,
        *,
        session: requests.Session | None = None,
        timeout: float = 30.0,
        max_attempts: int = 3,
        connection: Connection | None = None,
        token_cache: TokenCache = TOKEN_CACHE,
    ) -> None:
        self.connection = connection or resolve_connection(api_key, base_url, compute_url)
        self._owns_session = session is None
        self._session = build_session(
            session, urls=(self.connection.base_url, self.connection.compute_url)
        )
        self.timeout = timeout
        self.max_attempts = max(int(max_attempts), 1)
        key = self.connection.api_key
        if not key:
            raise errors.IsloConfigError(
                f"no API key for {self.connection.base_url}: pass api_key= or set ISLO_API_KEY"
            )
        self._auth = IsloAuth(self._session, self.connection.base_url, key, cache=token_cache)
        self._bases = {"compute": self.connection.compute_url, "control": self.connection.base_url}
        self._policies: dict[tuple[bool, int], IsloRetry] = {}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.connection.describe()}>"

    def __enter__(self) -> ClientCore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the session's connections (only if this client created the session)."""
        if self._owns_session:
            self._session.close()

    @property
    def session(self) -> requests.Session:
        return self._session

    def _policy(self, idempotent: bool, attempts: int | None) -> IsloRetry:
        # Retry objects are never mutated by urllib3 (it derives new ones), so share them.
        key = (idempotent, max(attempts or self.max_attempts, 1))
        policy = self._policies.get(key)
        if policy is None:
            policy = self._policies[key] = IsloRetry.for_call(idempotent=key[0], attempts=key[1])
        return policy

    def _request(
        self,
        method: str,
        path: str,
        *,
        idempotent: bool,
        plane: Plane = "compute",
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Any = None,
        headers: Mapping[str, str] | None = None,
        stream: bool = False,
        timeout: float | tuple[float, float | None] | None = None,
        max_attempts: int | None = None,
    ) -> requests.Response:
        """Send one call (with its retry policy) and return a 2xx response, or raise IsloError."""
        url = self._bases[plane] + path
        wait = self.timeout if timeout is None else timeout
        try:
            with call_policy(self._policy(idempotent, max_attempts)):
                response = self._session.request(
                    method,
                    url,
                    params=params,
                    json=json,
                    data=data,
                    headers=headers,
                    stream=stream,
                    timeout=wait,
                    auth=self._auth,
                )
        except requests.RequestException as exc:
            raise translate_exception(exc, method, url) from None
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("%s %s -> %s", method, url, response.status_code)
        if response.status_code >= 400:
            try:
                error = error_from_response(response)
            finally:
                response.close()
            raise error
        return response

    def _json(self, method: str, path: str, *, idempotent: bool, **kwargs: Any) -> Any:
        response = self._request(method, path, idempotent=idempotent, **kwargs)
        try:
            return response.json() if response.content else None
        except ValueError as exc:
            raise errors.IsloAPIError(
                response.status_code, f"the server sent invalid JSON for {method} {path}"
            ) from exc
