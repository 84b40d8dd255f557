"""A whole-exchange deadline for connector I/O: when time is up, the sockets in use are shut down.

Socket timeouts bound each wait, not their sum: a server that sends its headers at once and then
one byte every few seconds never trips them, and holds the caller for as long as it likes. A
``deadline`` is entered around a whole exchange (connecting, TLS, headers, body, and any further
requests inside it); every socket the guarded transport uses meanwhile is watched, and a timer
shuts them down at the deadline, so the blocked read returns at once and the caller fails.
Deadlines nest: an inner one never outlasts the one around it.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress


class Deadline:
    """A moment after which the sockets watched under it are shut down."""

    def __init__(self, seconds: float, expires_at: float) -> None:
        #: The time allowed, as configured; ``expires_at`` may be sooner, set by an outer deadline.
        self.seconds = seconds
        self.expires_at = expires_at
        self._expired = threading.Event()
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []

    @property
    def expired(self) -> bool:
        """True once the deadline has passed and its sockets were shut down."""
        return self._expired.is_set()

    def remaining(self) -> float:
        return max(0.0, self.expires_at - time.monotonic())

    def watch(self, sock: socket.socket) -> None:
        """Shut ``sock`` down at the deadline (at once if it has passed)."""
        with self._lock:
            if not self._expired.is_set():
                self._sockets.append(sock)
                return
        _shut_down(sock)

    def expire(self) -> None:
        """Mark the deadline passed and shut every watched socket down."""
        with self._lock:
            self._expired.set()
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            _shut_down(sock)


def _shut_down(sock: socket.socket) -> None:
    # The plain socket's shutdown, also for a TLS socket: it wakes a read blocked in another
    # thread without touching the TLS state that thread is using.
    # Already closed or never connected: nothing left to wake.
    with suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


_active = threading.local()


def _stack() -> list[Deadline]:
    stack: list[Deadline] | None = getattr(_active, "stack", None)
    if stack is None:
        stack = _active.stack = []
    return stack


@contextmanager
def deadline(seconds: float) -> Iterator[Deadline]:
    """A deadline ``seconds`` from now (or the enclosing one's, if sooner) for this thread."""
    stack = _stack()
    expires_at = time.monotonic() + seconds
    if stack:
        expires_at = min(expires_at, stack[-1].expires_at)
    current = Deadline(seconds, expires_at)
    timer = threading.Timer(current.remaining(), current.expire)
    timer.daemon = True
    stack.append(current)
    timer.start()
    try:
        yield current
    finally:
        timer.cancel()
        stack.pop()


def passed() -> Deadline | None:
    """The deadline this thread is inside that has passed, if any: a failure under it was
    the deadline cutting the exchange short."""
    return next((current for current in _stack() if current.expired), None)


def watch(sock: socket.socket) -> None:
    """Put ``sock`` under every deadline this thread is inside (none: nothing happens)."""
    for current in _stack():
        current.watch(sock)
