"""A whole-exchange deadline for connector I/O: when time is up, the sockets in use are shut down.

Socket timeouts bound each wait, not their sum: a server that sends its headers at once and then
one byte every few seconds never trips them, and holds the caller for as long as it likes. A
``deadline`` is entered around a whole exchange (connecting, TLS, headers, body, and any further
requests inside it); every socket the guarded transport uses meanwhile is watched, and a timer
shuts them down at the deadline, so the blocked read returns at once and the caller fails.
Deadlines nest: an inner one never outlasts the one around it.

One watchdog thread per process keeps every deadline's time: a timer thread for each exchange
cost more to start, on a busy machine, than the exchange it guarded.
"""

from __future__ import annotations

import heapq
import itertools
import os
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
        self._finished = False

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
        """Mark the deadline passed and shut every watched socket down (unless the exchange
        has finished: its sockets may be serving another by now)."""
        with self._lock:
            if self._finished:
                return
            self._expired.set()
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            _shut_down(sock)

    def finish(self) -> None:
        """The exchange is over: from now on the deadline touches none of its sockets."""
        with self._lock:
            self._finished = True
            self._sockets = []


class _Watchdog:
    """One thread expiring each deadline at its time; finished ones are skipped."""

    def __init__(self) -> None:
        self._ready = threading.Condition()
        self._due: list[tuple[float, int, Deadline]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None

    def add(self, current: Deadline) -> None:
        with self._ready:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="connector-deadlines",
                                                daemon=True)
                self._thread.start()
            heapq.heappush(self._due, (current.expires_at, next(self._order), current))
            self._ready.notify()

    def _run(self) -> None:
        while True:
            with self._ready:
                while not self._due or self._due[0][0] > time.monotonic():
                    self._ready.wait(self._due[0][0] - time.monotonic() if self._due else None)
                _, _, current = heapq.heappop(self._due)
            current.expire()


_watchdog = _Watchdog()


def _new_watchdog() -> None:
    # A forked child has no watchdog thread, and may hold its lock as a parent's thread did.
    global _watchdog
    _watchdog = _Watchdog()


os.register_at_fork(after_in_child=_new_watchdog)


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
    stack.append(current)
    _watchdog.add(current)
    try:
        yield current
    finally:
        current.finish()
        stack.pop()


def passed() -> Deadline | None:
    """The deadline this thread is inside that has passed, if any: a failure under it was
    the deadline cutting the exchange short."""
    return next((current for current in _stack() if current.expired), None)


def watch(sock: socket.socket) -> None:
    """Put ``sock`` under every deadline this thread is inside (none: nothing happens)."""
    for current in _stack():
        current.watch(sock)
