"""The per-process session-token cache and the requests auth hook that uses it.

One :data:`TOKEN_CACHE` serves every client in the process (in a notebook: the kernel),
keyed on (normalised control URL, API key). A cache hit takes no lock. When a token
needs exchanging, one thread does it while the others wait for that exchange (or keep
using the old token while it is still valid); a 401 drops the token once and the
request is replayed once with a fresh one.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests
from requests.auth import AuthBase

from .errors import IsloAuthError, IsloError
from .settings import normalize_url
from .transport import IsloRetry, call_policy, translate_exception

logger = logging.getLogger("islo_jupyter")

#: Lifetime assumed when the exchange response says nothing about it.
DEFAULT_TOKEN_LIFETIME = 600.0
#: Refresh this long before expiry at most; short lifetimes use a tenth of their length.
MAX_REFRESH_MARGIN = 60.0
#: Exchange attempts on connection errors and 5xx.
EXCHANGE_ATTEMPTS = 3
EXCHANGE_TIMEOUT = 10.0
#: Most (control URL, key) pairs kept; the one added first is dropped first.
MAX_ENTRIES = 64


def refresh_margin(lifetime: float) -> float:
    """Refresh this long before expiry: ``min(60 s, lifetime / 10)`` (never one per call)."""
    return max(min(MAX_REFRESH_MARGIN, lifetime / 10.0), 0.0)


def jwt_expiry(token: str) -> float | None:
    """The ``exp`` claim (epoch seconds) of a JWT, unverified; None if it is not a JWT."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload))
    except (ValueError, binascii.Error):
        return None
    exp = claims.get("exp") if isinstance(claims, dict) else None
    return float(exp) if isinstance(exp, (int, float)) else None


def token_lifetime(body: dict[str, Any], token: str, *, now_wall: float | None = None) -> float:
    """Token lifetime: ``cookie_max_age``, else ``expires_in``, else JWT ``exp``, else 600 s."""
    for field in ("cookie_max_age", "expires_in"):
        value = body.get(field)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return max(float(value), 0.0)
    exp = jwt_expiry(token)
    if exp is not None:
        return max(exp - (time.time() if now_wall is None else now_wall), 0.0)
    return DEFAULT_TOKEN_LIFETIME


@dataclass(frozen=True)
class CacheStats:
    """What the cache did for one key (or all keys). Never carries a token."""

    exchanges: int
    hits: int
    failures: int
    invalidations: int
    entries: int
    expires_in: float | None
    lifetime: float | None


class _Entry:
    """One (control URL, key) slot. ``lock`` is held only by the thread exchanging."""

    __slots__ = (
        "exchanges",
        "expires_at",
        "failures",
        "hits",
        "invalidations",
        "lifetime",
        "lock",
        "refresh_at",
        "token",
    )

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.token: str | None = None
        self.expires_at = 0.0
        self.refresh_at = 0.0
        self.lifetime: float | None = None
        self.exchanges = 0
        self.hits = 0  # incremented without a lock on purpose: approximate under contention
        self.failures = 0
        self.invalidations = 0

    def __repr__(self) -> str:
        return f"<token entry exchanges={self.exchanges} valid={self.token is not None}>"


class TokenCache:
    """Session tokens per (normalised control URL, API key), shared by the whole process."""

    def __init__(
        self,
        max_entries: int = MAX_ENTRIES,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._entries: OrderedDict[tuple[str, str], _Entry] = OrderedDict()
        self._entries_lock = threading.Lock()
        self._max_entries = max_entries
        self._clock = clock  # monotonic seconds; tests pass their own to skip ahead

    def __repr__(self) -> str:
        return f"<TokenCache entries={len(self._entries)}>"

    def _entry(self, key: tuple[str, str]) -> _Entry:
        entry = self._entries.get(key)
        if entry is not None:
            return entry
        with self._entries_lock:
            entry = self._entries.get(key)
            if entry is None:
                entry = self._entries[key] = _Entry()
                while len(self._entries) > self._max_entries:
                    self._entries.popitem(last=False)
            return entry

    def get_token(
        self,
        session: requests.Session,
        control_url: str,
        api_key: str,
        *,
        timeout: float = EXCHANGE_TIMEOUT,
    ) -> str:
        """A valid session token, exchanging the key only when no valid token is cached."""
        return self.get_token_for(
            (normalize_url(control_url), api_key), session, control_url, timeout=timeout
        )

    def get_token_for(
        self,
        key: tuple[str, str],
        session: requests.Session,
        control_url: str,
        *,
        timeout: float = EXCHANGE_TIMEOUT,
    ) -> str:
        """:meth:`get_token` with the (normalised control URL, API key) key already built."""
        api_key = key[1]
        entry = self._entries.get(key) or self._entry(key)
        token, now = entry.token, self._clock()
        if token is not None and now < entry.refresh_at:
            entry.hits += 1
            return token
        if token is not None and now < entry.expires_at:
            # Due for refresh but still valid: one thread refreshes, the others keep going.
            if not entry.lock.acquire(blocking=False):
                entry.hits += 1
                return token
        else:
            entry.lock.acquire()
        try:
            if entry.token is not None and self._clock() < entry.refresh_at:
                entry.hits += 1
                return entry.token  # another thread exchanged while we waited
            try:
                return self._exchange(entry, session, control_url, api_key, timeout)
            except IsloAuthError:
                old = entry.token
                if old is not None and self._clock() < entry.expires_at:
                    # An early refresh failed but the token still works: keep using it.
                    logger.warning(
                        "token refresh at %s failed; using the current token", control_url
                    )
                    return old
                raise
        finally:
            entry.lock.release()

    def invalidate(self, control_url: str, api_key: str, token: str | None) -> None:
        """Drop ``token`` after a 401, unless another thread already replaced it."""
        entry = self._entries.get((normalize_url(control_url), api_key))
        if entry is None:
            return
        with entry.lock:
            if token is None or entry.token == token:
                entry.token = None
                entry.invalidations += 1

    def _exchange(
        self,
        entry: _Entry,
        session: requests.Session,
        control_url: str,
        api_key: str,
        timeout: float,
    ) -> str:
        url = f"{normalize_url(control_url)}/auth/token"
        started = self._clock()
        started_wall = time.time()
        policy = IsloRetry.for_call(
            idempotent=True,
            attempts=EXCHANGE_ATTEMPTS,
            statuses=frozenset({500, 502, 503, 504}),
        )
        try:
            with call_policy(policy):
                response = session.post(
                    url, json={"access_key": api_key}, timeout=timeout, auth=_NoAuth()
                )
        except requests.RequestException as exc:
            entry.failures += 1
            cause = translate_exception(exc, "POST", url)
            raise IsloAuthError(
                f"could not reach {control_url} to exchange the API key: {cause}",
                control_url=control_url,
            ) from None
        token, body = _read_exchange(response, control_url)
        if token is None:
            entry.failures += 1
            raise IsloAuthError(
                f"API key exchange at {control_url} failed: HTTP {response.status_code}"
                f"{_reason(body)}",
                control_url=control_url,
                status_code=response.status_code,
            )
        lifetime = token_lifetime(body, token, now_wall=started_wall)
        entry.token = token
        entry.lifetime = lifetime
        entry.expires_at = started + lifetime
        entry.refresh_at = entry.expires_at - refresh_margin(lifetime)
        entry.exchanges += 1
        logger.debug("exchanged API key at %s (token lifetime %.0f s)", control_url, lifetime)
        return token

    def clear(self) -> None:
        """Forget every token and counter (tests call this between cases)."""
        with self._entries_lock:
            self._entries.clear()

    def stats(self, control_url: str | None = None, api_key: str | None = None) -> CacheStats:
        """Counters for one (control URL, key), or summed over all entries matching the filters."""
        url = normalize_url(control_url) if control_url is not None else None
        with self._entries_lock:
            picked = [
                entry
                for (entry_url, entry_key), entry in self._entries.items()
                if (url is None or entry_url == url) and (api_key is None or entry_key == api_key)
            ]
        now = self._clock()
        expiries = [e.expires_at - now for e in picked if e.token is not None]
        lifetimes = [e.lifetime for e in picked if e.lifetime is not None]
        return CacheStats(
            exchanges=sum(e.exchanges for e in picked),
            hits=sum(e.hits for e in picked),
            failures=sum(e.failures for e in picked),
            invalidations=sum(e.invalidations for e in picked),
            entries=len(picked),
            expires_in=min(expiries) if expiries else None,
            lifetime=min(lifetimes) if lifetimes else None,
        )


def _read_exchange(response: requests.Response, control_url: str) -> tuple[str | None, Any]:
    try:
        body = response.json()
    except ValueError:
        body = response.text[:200]
    if response.status_code >= 400 or not isinstance(body, dict):
        return None, body
    token = body.get("session_token")
    if not isinstance(token, str) or not token:
        raise IsloAuthError(
            f"API key exchange at {control_url} returned no session_token",
            control_url=control_url,
            status_code=response.status_code,
        )
    return token, body


def _reason(body: Any) -> str:
    if isinstance(body, dict):
        message = body.get("message") or body.get("detail")
        return f" ({message})" if isinstance(message, str) else ""
    return f" ({body.strip()[:120]})" if isinstance(body, str) and body.strip() else ""


class _NoAuth(AuthBase):
    """Keeps a session-level ``auth`` off the exchange request, which must carry none."""

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        return r


#: The one token cache of this process (the kernel, in a notebook).
TOKEN_CACHE = TokenCache()


class IsloAuth(AuthBase):
    """Sets ``Authorization: Bearer`` from the cache; on a 401, re-exchanges and replays once."""

    def __init__(
        self,
        session: requests.Session,
        control_url: str,
        api_key: str,
        *,
        cache: TokenCache = TOKEN_CACHE,
    ) -> None:
        self._session = session
        self._control_url = normalize_url(control_url)
        self._api_key = api_key
        self._key = (self._control_url, api_key)
        self._cache = cache
        self._replay_hook = _ReplayOn401(self, None)  # shared by requests with in-memory bodies

    def __repr__(self) -> str:
        return f"<IsloAuth control_url={self._control_url!r}>"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, IsloAuth)
            and other._control_url == self._control_url
            and other._api_key == self._api_key
        )

    def __hash__(self) -> int:
        return hash((self._control_url, self._api_key))

    def _token(self) -> str:
        return self._cache.get_token_for(self._key, self._session, self._control_url)

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        # The hot path of every call: a dict lookup, a clock read, one header, one hook.
        r.headers["Authorization"] = "Bearer " + self._token()
        body: Any = r.body
        if body is None or isinstance(body, (bytes, str)):
            hook: Any = self._replay_hook
        else:
            # Remember where a file-like body starts, so the replay can rewind it.
            hook = _ReplayOn401(self, body.tell() if hasattr(body, "tell") else None)
        r.hooks.setdefault("response", []).append(hook)  # register_hook does a slow ABC check
        return r

    def replay_with_fresh_token(
        self, response: requests.Response, position: int | None, **kwargs: Any
    ) -> requests.Response:
        sent = response.request.headers.get("Authorization", "")
        self._cache.invalidate(self._control_url, self._api_key, sent.removeprefix("Bearer "))
        try:
            token = self._token()
        except IsloError:
            return response  # the caller sees the original 401
        response.content  # noqa: B018 - drain so the connection can be reused
        response.close()
        request = response.request.copy()
        body: Any = request.body
        if position is not None:
            body.seek(position)
        request.headers["Authorization"] = f"Bearer {token}"
        request.hooks = {"response": []}  # the replay is the last try: no second replay
        logger.debug(
            "401 from %s %s: replaying once with a fresh token", request.method, request.url
        )
        replayed = response.connection.send(request, **kwargs)
        replayed.history.append(response)
        replayed.request = request
        return replayed


class _ReplayOn401:
    """The response hook IsloAuth puts on each request (its own one when the body is a file)."""

    __slots__ = ("_auth", "_position")

    def __init__(self, auth: IsloAuth, position: int | None) -> None:
        self._auth = auth
        self._position = position

    def __call__(self, response: requests.Response, **kwargs: Any) -> requests.Response:
        if response.status_code != 401:
            return response
        return self._auth.replay_with_fresh_token(response, self._position, **kwargs)
