"""Build a shared resource once, on first use, and remember a failure as well as a success."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Lazy(Generic[T]):
    """``Lazy(factory)()`` returns the same object every time, or re-raises the first error."""

    def __init__(self, factory: Callable[[], T]) -> None:
        self._factory = factory
        self._value: T | None = None
        self._error: BaseException | None = None
        self._done = False

    def __call__(self) -> T:
        if not self._done:
            self._done = True
            try:
                self._value = self._factory()
            except Exception as exc:
                self._error = exc
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]
