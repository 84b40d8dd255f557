"""The request id of the work in hand, carried from a request into the jobs it starts."""

from __future__ import annotations

import re
import secrets
from contextvars import ContextVar

_request_id: ContextVar[str | None] = ContextVar("hub_request_id", default=None)

#: What a caller may send as X-Request-ID; anything else is replaced, never logged as sent.
ACCEPTED = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def new_request_id() -> str:
    return secrets.token_hex(8)


def accepted_or_new(sent: str | None) -> str:
    """The caller's request id when it is safe to log, otherwise a fresh one."""
    return sent if sent and ACCEPTED.match(sent) else new_request_id()


def current_request_id() -> str | None:
    return _request_id.get()


def set_request_id(value: str | None) -> object:
    """Bind ``value`` for the current context; returns a token for ``reset_request_id``."""
    return _request_id.set(value)


def reset_request_id(token: object) -> None:
    _request_id.reset(token)  # type: ignore[arg-type]
