"""Tab completion for ``%islo`` and ``%%islo_exec``, with sandbox names from a short-lived cache."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

#: Names older than this are refetched (seconds).
CACHE_TTL = 10.0
#: Completion waits at most this long for a fetch before answering with what it has.
FETCH_WAIT = 0.5


class NameCache:
    """Sandbox names, refreshed in a background thread so completion never blocks for long."""

    def __init__(
        self,
        fetch: Callable[[], Iterable[str]],
        *,
        ttl: float = CACHE_TTL,
        wait: float = FETCH_WAIT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._ttl = ttl
        self._wait = wait
        self._clock = clock
        self._names: list[str] = []
        self._fetched_at: float | None = None
        self._lock = threading.Lock()
        self._inflight: threading.Thread | None = None

    def _refresh(self) -> None:
        try:
            names = sorted(set(self._fetch()))
        except Exception:  # completion must never raise; an empty answer is fine
            names = None
        with self._lock:
            if names is not None:
                self._names = names
                self._fetched_at = self._clock()
            self._inflight = None

    def _is_fresh(self) -> bool:
        return self._fetched_at is not None and self._clock() - self._fetched_at < self._ttl

    def get(self) -> list[str]:
        """The cached names, refreshed first if stale (waiting at most ``wait`` seconds)."""
        with self._lock:
            if self._is_fresh():
                return list(self._names)
            thread = self._inflight
            if thread is None:
                thread = threading.Thread(target=self._refresh, name="islo-complete", daemon=True)
                self._inflight = thread
                thread.start()
        thread.join(self._wait)
        with self._lock:
            return list(self._names)

    def invalidate(self) -> None:
        """Forget the names (after create or rm), so the next completion refetches."""
        with self._lock:
            self._fetched_at = None

    def add(self, name: str) -> None:
        with self._lock:
            if name not in self._names:
                self._names = sorted([*self._names, name])


@dataclass(frozen=True)
class VerbSpec:
    """What completes after a verb: its options, and which positional slots take sandbox names."""

    options: tuple[str, ...] = ()
    name_slots: frozenset[int] = field(default_factory=frozenset)
    names_everywhere: bool = False

    def is_name_slot(self, index: int) -> bool:
        return self.names_everywhere or index in self.name_slots


def split_for_completion(text_until_cursor: str) -> tuple[list[str], str]:
    """The whole tokens before the cursor and the partial token under it."""
    tokens = text_until_cursor.split()
    if not text_until_cursor or text_until_cursor[-1].isspace():
        return tokens, ""
    return tokens[:-1], tokens[-1] if tokens else ""


def _positional_count(tokens: list[str]) -> int:
    # Options that take a value are rare in name positions; counting non-dash tokens is enough.
    return sum(1 for token in tokens if not token.startswith("-"))


def complete_islo_line(
    text_until_cursor: str, verbs: Mapping[str, VerbSpec], names: Callable[[], list[str]]
) -> list[str]:
    """Completions for the token under the cursor in ``%islo ...``."""
    before, current = split_for_completion(text_until_cursor)
    if len(before) <= 1:
        return sorted(v for v in verbs if v.startswith(current))
    spec = verbs.get(before[1])
    if spec is None:
        return []
    if current.startswith("-"):
        return sorted(o for o in spec.options if o.startswith(current))
    if "--" in before[2:]:
        return []  # the command of `%islo exec NAME -- CMD` is the sandbox's business
    if spec.is_name_slot(_positional_count(before[2:])):
        return [n for n in names() if n.startswith(current)]
    return []


def complete_exec_line(
    text_until_cursor: str, options: Iterable[str], names: Callable[[], list[str]]
) -> list[str]:
    """Completions on the ``%%islo_exec`` line: options, or sandbox names."""
    _, current = split_for_completion(text_until_cursor)
    if current.startswith("-"):
        return sorted(o for o in options if o.startswith(current))
    return [n for n in names() if n.startswith(current)]


def install_completer(
    ipython: object, key: str, complete: Callable[[str], list[str]]
) -> Callable[..., list[str]]:
    """Register ``complete(text_until_cursor)`` as IPython's custom completer for ``key``."""

    def hook(_shell: object, event: object) -> list[str]:
        return complete(getattr(event, "text_until_cursor", "") or getattr(event, "line", ""))

    ipython.set_hook("complete_command", hook, str_key=key)  # type: ignore[attr-defined]
    return hook


def remove_completer(ipython: object, key: str) -> None:
    """Undo :func:`install_completer` (IPython has no public API for it)."""
    dispatcher = getattr(ipython, "strdispatchers", {}).get("complete_command")
    if dispatcher is not None:
        with contextlib.suppress(KeyError):
            del dispatcher.strs[key]
