"""Redaction of secrets in log records: bearer tokens, API keys and Authorization values.

The client never logs a secret on purpose; this filter on the ``islo_jupyter`` logger is
the second line of defence for anything that slips into a message or its arguments
(a header dict, an exception text, a URL).
"""

from __future__ import annotations

import logging
import re

_PATTERNS = (
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"), r"\1[redacted]"),
    (re.compile(r"(?i)('?authorization'?\s*[:=]\s*'?)[^',}\s]+(\s+[^',}\s]+)?"), r"\1[redacted]"),
    (re.compile(r"\bak_[A-Za-z0-9_-]{4,}"), "ak_[redacted]"),
    (re.compile(r"(?i)(\"?access_key\"?\s*[:=]\s*\"?)[^\",}\s]+"), r"\1[redacted]"),
)


def redact(text: str) -> str:
    """``text`` with every bearer token, Authorization value and API key replaced."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites a record's message (with its arguments merged in) through :func:`redact`."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def install(logger: logging.Logger) -> None:
    """Attach one RedactingFilter to ``logger`` (idempotent)."""
    if not any(isinstance(f, RedactingFilter) for f in logger.filters):
        logger.addFilter(RedactingFilter())
