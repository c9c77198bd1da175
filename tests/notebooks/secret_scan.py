"""Find API keys and session tokens in text: the exact known ones, and anything shaped like one."""

from __future__ import annotations

import re

# An Islo key (masked "ak_...1234" excepted) or a JWT session token.
SECRET_SHAPES = [re.compile(r"ak_[A-Za-z0-9_\-]{12,}"), re.compile(r"eyJ[\w-]{8,}\.[\w-]{8,}\.")]


def find_secrets(text: str, known: list[str]) -> list[str]:
    """Every known secret in ``text``, plus every substring shaped like a key or token."""
    found = [secret for secret in known if secret and secret in text]
    found += [m.group(0) for shape in SECRET_SHAPES for m in shape.finditer(text)]
    return found
