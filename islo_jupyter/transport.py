"""HTTP plumbing: the session, the retry policy that knows idempotency, and error translation.

Retries are urllib3's, configured per call: the client states whether a call is idempotent
and how many attempts it may take (:func:`call_policy`), and the adapter mounted on the
session picks that policy up. Non-idempotent POSTs are retried only when the request
cannot have reached the server (connect errors) or on 429/503 that carry a Retry-After.
Every requests/urllib3 exception and every 4xx/5xx leaves here as an ``IsloError``.
"""

from __future__ import annotations

import contextlib
import contextvars
import email.utils
import json
import logging
import os
import random
import re
import time
from collections.abc import Iterator, Sequence
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError, ReadTimeoutError
from urllib3.response import BaseHTTPResponse
from urllib3.util.retry import Retry

from . import errors, redact
from ._version import __version__

logger = logging.getLogger("islo_jupyter")
redact.install(logger)

USER_AGENT = f"islo-jupyter/{__version__}"
#: Statuses an idempotent call is retried on.
IDEMPOTENT_RETRY_STATUSES = frozenset({408, 429, 502, 503, 504})
#: Statuses a non-idempotent call is retried on, and only with a Retry-After header.
RETRY_AFTER_STATUSES = frozenset({429, 503})
#: Connections kept per host by the sessions the client creates itself.
OWN_POOL_MAXSIZE = 32
#: Longest wait a Retry-After header may impose on one retry.
RETRY_AFTER_CAP = 30.0
_DIGITS = re.compile(r"^\s*\d+(\.\d+)?\s*$")


def parse_retry_after(headers: Any, *, cap: float = RETRY_AFTER_CAP) -> float | None:
    """Seconds to wait from ``retry-after-ms`` or ``Retry-After`` (seconds or HTTP-date)."""
    millis = headers.get("retry-after-ms")
    if millis is not None and _DIGITS.match(millis):
        return min(max(float(millis) / 1000.0, 0.0), cap)
    value = headers.get("Retry-After")
    if value is None:
        return None
    if _DIGITS.match(value):
        return min(float(value), cap)
    parsed = email.utils.parsedate_tz(value)
    if parsed is None:
        return None  # unparseable: fall back to our own backoff
    return min(max(email.utils.mktime_tz(parsed) - time.time(), 0.0), cap)


class IsloRetry(Retry):
    """urllib3 ``Retry`` with Islo's idempotency rule and ``retry-after-ms`` support."""

    def __init__(self, *args: Any, idempotent: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.idempotent = idempotent

    @classmethod
    def for_call(
        cls,
        *,
        idempotent: bool,
        attempts: int,
        statuses: frozenset[int] = IDEMPOTENT_RETRY_STATUSES,
        backoff_factor: float = 0.25,
    ) -> IsloRetry:
        return cls(
            total=max(attempts - 1, 0),
            # Read errors (reset after sending) are retried only for idempotent calls:
            # urllib3 retries them only for methods in allowed_methods.
            allowed_methods=None if idempotent else Retry.DEFAULT_ALLOWED_METHODS,
            # A non-idempotent call may be repeated only if it provably never arrived.
            other=None if idempotent else 0,
            status_forcelist=statuses,
            backoff_factor=backoff_factor,
            backoff_max=8.0,
            backoff_jitter=0.2,
            raise_on_status=False,  # the last response goes back to the client, which raises
            raise_on_redirect=False,
            respect_retry_after_header=True,
            idempotent=idempotent,
        )

    def new(self, **kw: Any) -> IsloRetry:
        kw.setdefault("idempotent", self.idempotent)
        return super().new(**kw)

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if self.total is not None and not self.total:
            return False
        if status_code == 409:
            return False  # a conflict is an answer, never a transient failure
        if self.idempotent:
            return status_code in self.status_forcelist
        # Header presence is checked in increment(), which sees retry-after-ms too.
        return status_code in RETRY_AFTER_STATUSES

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: BaseHTTPResponse | None = None,
        error: Exception | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> IsloRetry:
        no_wait_given = response is not None and parse_retry_after(response.headers) is None
        if error is None and not self.idempotent and no_wait_given:
            # urlopen answers MaxRetryError with the response itself (raise_on_status=False).
            pool: Any = kwargs.get("_pool")
            raise MaxRetryError(pool, url or "", None)
        new = super().increment(method, url, response, error, *args, **kwargs)
        logger.debug("retrying %s %s (%s)", method, url, error or (response and response.status))
        return new

    def get_retry_after(self, response: BaseHTTPResponse) -> float | None:
        return parse_retry_after(response.headers)

    def get_backoff_time(self) -> float:
        base = super().get_backoff_time()
        if base == 0 and self.history:
            # urllib3 repeats the first failure at once; a server that just failed deserves
            # a short, jittered pause (then the usual doubling).
            return self.backoff_factor * (0.5 + random.random() / 2)
        return base


#: The retry policy of the call in progress in this thread/context (set by call_policy).
_CALL_RETRY: contextvars.ContextVar[Retry | None] = contextvars.ContextVar(
    "islo_call_retry", default=None
)


@contextlib.contextmanager
def call_policy(retry: Retry) -> Iterator[None]:
    """Make ``retry`` the policy of every request sent through an IsloAdapter in this block."""
    token = _CALL_RETRY.set(retry)
    try:
        yield
    finally:
        _CALL_RETRY.reset(token)


class IsloAdapter(HTTPAdapter):
    """An ``HTTPAdapter`` whose ``max_retries`` is the current call's policy, if any."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._default_retry: Retry = IsloRetry.for_call(idempotent=False, attempts=1)
        super().__init__(*args, **kwargs)

    @property
    def max_retries(self) -> Retry:
        return _CALL_RETRY.get() or self._default_retry

    @max_retries.setter
    def max_retries(self, value: Retry) -> None:
        # HTTPAdapter.__init__ assigns Retry(0, read=False); keep ours unless given one.
        if isinstance(value, IsloRetry):
            self._default_retry = value


def build_session(
    session: requests.Session | None = None, *, urls: Sequence[str] = ()
) -> requests.Session:
    """A session with IsloAdapters mounted; a caller's session keeps any custom adapter.

    A session built here reads proxy and CA-bundle variables once, for ``urls``, instead
    of on every request (``trust_env`` costs ~0.3 ms per call).
    """
    ours = session is None
    if session is None:
        session = requests.Session()
        session.headers["User-Agent"] = USER_AGENT
        _freeze_environment(session, urls)
    for prefix in ("https://", "http://"):
        current = session.adapters.get(prefix)
        # Only a plain HTTPAdapter without retries of its own is swapped (pool sizes kept).
        if current is None or (type(current) is HTTPAdapter and not current.max_retries.total):
            pool = getattr(current, "_pool_connections", 10)
            # Panels and fan-out execs use many threads per client: keep their connections.
            maxsize = OWN_POOL_MAXSIZE if ours else getattr(current, "_pool_maxsize", 10)
            session.mount(prefix, IsloAdapter(pool_connections=pool, pool_maxsize=maxsize))
    return session


def _freeze_environment(session: requests.Session, urls: Sequence[str]) -> None:
    proxies = [requests.utils.get_environ_proxies(url) for url in urls]
    if any(p != proxies[0] for p in proxies[1:]):
        return  # NO_PROXY treats the planes differently: keep per-request resolution
    session.proxies.update(proxies[0] if proxies else {})
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle:
        session.verify = bundle
    session.trust_env = False  # no .netrc either: every call carries its own auth


# --- error translation -------------------------------------------------------------


def error_from_response(response: requests.Response) -> errors.IsloAPIError:
    """The typed ``IsloAPIError`` for a 4xx/5xx response (ErrorResponse, 422 detail, or text)."""
    status = response.status_code
    text = response.text
    body: Any = text
    code = request_id = None
    message = text.strip() or response.reason or f"HTTP {status}"
    with contextlib.suppress(ValueError):
        body = json.loads(text)
    if isinstance(body, dict):
        code, message, request_id = _fields_of_error_body(body, message)
    request_id = request_id or response.headers.get("x-request-id")
    cls = errors.error_class_for_status(status)
    req = response.request
    return cls(
        status,
        message,
        code=code,
        request_id=request_id,
        body=body,
        method=req.method if req is not None else None,
        url=req.url if req is not None else None,
    )


def _fields_of_error_body(body: dict[str, Any], fallback: str) -> tuple[Any, str, Any]:
    """(code, message, request_id) from an ErrorResponse, a FastAPI ``detail``, or anything."""
    detail = body.get("detail")
    if isinstance(detail, dict) and "message" in detail:
        body = detail  # ErrorResponse nested in an HTTPException's detail
    message = body.get("message")
    if isinstance(detail, list):
        message = "; ".join(_describe_validation_issue(item) for item in detail) or fallback
    elif message is None and isinstance(detail, str):
        message = detail
    code = body.get("code") if isinstance(body.get("code"), str) else None
    if code is None and isinstance(detail, list):
        code = "VALIDATION_ERROR"
    return code, str(message) if message is not None else fallback, body.get("request_id")


def _describe_validation_issue(item: Any) -> str:
    if not isinstance(item, dict):
        return str(item)
    loc = ".".join(str(part) for part in item.get("loc", []) if part != "body")
    return f"{loc}: {item.get('msg', '')}" if loc else str(item.get("msg", ""))


def translate_exception(exc: Exception, method: str, url: str) -> errors.IsloError:
    """An ``IsloError`` for a requests/urllib3 failure; the URL never carries a secret."""
    where = f"{method} {_strip_query(url)}"
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return errors.IsloConnectionError(f"timed out connecting for {where}")
    if isinstance(exc, requests.exceptions.Timeout) or _is_read_timeout(exc):
        return errors.IsloTimeoutError(f"no answer in time for {where}")
    if isinstance(exc, requests.exceptions.RequestException):
        return errors.IsloConnectionError(f"{where} failed: {_short_reason(exc)}")
    return errors.IsloConnectionError(f"{where} failed: {type(exc).__name__}")


def _is_read_timeout(exc: Exception) -> bool:
    # After the last retry requests raises ConnectionError(MaxRetryError(ReadTimeoutError)).
    reason = getattr(exc.args[0] if exc.args else None, "reason", None)
    return isinstance(reason, ReadTimeoutError)


def _strip_query(url: str) -> str:
    return url.split("?", 1)[0]


def _short_reason(exc: Exception) -> str:
    # requests wraps MaxRetryError(reason=NewConnectionError(...)); show the innermost reason.
    reason: Any = exc.args[0] if exc.args else exc
    reason = getattr(reason, "reason", reason)
    text = str(reason)
    if "Connection refused" in text:
        return "connection refused"
    if "reset" in text.lower():
        return "connection reset"
    return text[:200]
