"""The one exception tree of islo_jupyter; callers never see raw requests or urllib3 errors.

::

    IsloError
     +-- IsloConfigError          bad or missing settings (never shows the key)
     +-- IsloAuthError            the API-key exchange failed
     +-- IsloConnectionError      the server could not be reached
     +-- IsloTimeoutError         a local deadline passed (the remote side may still run)
     +-- IsloStreamError          a streamed response broke off; keeps what was received
     +-- IsloExecError            a remote command exited non-zero
     +-- IsloAPIError             the server answered 4xx/5xx (status, code, message, request_id)
          +-- BadRequestError (400), UnauthorizedError (401), PaymentRequiredError (402),
              ForbiddenError (403), NotFoundError (404), ConflictError (409),
              UnprocessableEntityError (422), RateLimitedError (429), ServerError (5xx)

Every error renders short in a notebook through ``_render_traceback_``: IPython shows the
lines it returns instead of a full traceback, and the cell still fails.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import ExecResult


class IsloError(Exception):
    """Root of every error raised by islo_jupyter."""

    def short_message(self) -> str:
        return str(self)

    def _render_traceback_(self) -> list[str]:
        # Red name, then the message: what IPython would print for a one-line traceback.
        return [f"\x1b[0;31m{type(self).__name__}\x1b[0m: {self.short_message()}"]


class IsloConfigError(IsloError):
    """Settings are missing or invalid."""


class IsloAuthError(IsloError):
    """Exchanging the API key for a session token failed. Never carries the key."""

    def __init__(self, message: str, *, control_url: str, status_code: int | None = None):
        super().__init__(message)
        self.control_url = control_url
        self.status_code = status_code


class IsloConnectionError(IsloError):
    """The server could not be reached (refused, reset, DNS, TLS)."""


class IsloTimeoutError(IsloError):
    """A local deadline passed; unless said otherwise the remote work may still be running."""


class IsloStreamError(IsloError):
    """A streamed response ended early or carried an ``error`` event."""

    def __init__(self, message: str, *, stdout: str = "", stderr: str = ""):
        super().__init__(message)
        self.stdout = stdout
        self.stderr = stderr


class IsloExecError(IsloError):
    """A remote command finished with a non-zero exit code (or none at all)."""

    #: How many lines of stderr the short form shows.
    TAIL_LINES = 10

    def __init__(self, result: ExecResult):
        self.result = result
        super().__init__(self._headline())

    @property
    def sandbox(self) -> str:
        return self.result.sandbox

    @property
    def exit_code(self) -> int | None:
        return self.result.exit_code

    def _headline(self) -> str:
        code = "no exit code" if self.exit_code is None else f"exit code {self.exit_code}"
        return f"command in sandbox {self.sandbox!r} failed ({self.result.status}, {code})"

    def stderr_tail(self) -> str:
        lines = self.result.stderr.rstrip("\n").splitlines()
        return "\n".join(lines[-self.TAIL_LINES :])

    def short_message(self) -> str:
        tail = self.stderr_tail()
        return f"{self._headline()}\n{tail}" if tail else self._headline()

    def __str__(self) -> str:
        return self.short_message()


class IsloAPIError(IsloError):
    """The server answered with an error status."""

    def __init__(
        self,
        status_code: int,
        message: str,
        *,
        code: str | None = None,
        request_id: str | None = None,
        body: Any = None,
        method: str | None = None,
        url: str | None = None,
    ):
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        self.message = message
        self.request_id = request_id
        self.body = body
        self.method = method
        self.url = url

    def short_message(self) -> str:
        code = f" {self.code}" if self.code else ""
        rid = f" (request {self.request_id})" if self.request_id else ""
        return f"HTTP {self.status_code}{code}: {self.message}{rid}"

    def __str__(self) -> str:
        return self.short_message()

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status_code={self.status_code}, code={self.code!r}, "
            f"message={self.message!r}, request_id={self.request_id!r})"
        )


class BadRequestError(IsloAPIError):
    """400."""


class UnauthorizedError(IsloAPIError):
    """401, after the one re-exchange the client always tries."""


class PaymentRequiredError(IsloAPIError):
    """402."""


class ForbiddenError(IsloAPIError):
    """403."""


class NotFoundError(IsloAPIError):
    """404."""


class ConflictError(IsloAPIError):
    """409: already exists, or the sandbox is in the wrong state."""


class UnprocessableEntityError(IsloAPIError):
    """422: the request did not validate."""


class RateLimitedError(IsloAPIError):
    """429, after the retries the policy allows."""


class ServerError(IsloAPIError):
    """5xx, after the retries the policy allows."""


_ERROR_BY_STATUS: dict[int, type[IsloAPIError]] = {
    400: BadRequestError,
    401: UnauthorizedError,
    402: PaymentRequiredError,
    403: ForbiddenError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitedError,
}


def error_class_for_status(status_code: int) -> type[IsloAPIError]:
    """The most specific ``IsloAPIError`` subclass for an HTTP status."""
    if status_code >= 500:
        return ServerError
    return _ERROR_BY_STATUS.get(status_code, IsloAPIError)
