"""A real TCP server on loopback that answers slowly on purpose: one byte at a time."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class DrippingServer:
    """Answers every request with ``head`` sent at once, then ``tail`` one byte every
    ``interval`` seconds: socket timeouts never trip, only a whole-response deadline does."""

    def __init__(self, head: bytes, tail: bytes, interval: float) -> None:
        self.head, self.tail, self.interval = head, tail, interval
        self.requests = 0
        self.finished = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def _serve(self) -> None:
        self._listener.settimeout(0.05)
        while not self._stop.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._answer, args=(connection,), daemon=True).start()

    def _answer(self, connection: socket.socket) -> None:
        with connection:
            request = b""
            while b"\r\n\r\n" not in request:
                data = connection.recv(4096)
                if not data:
                    return
                request += data
            self.requests += 1
            try:
                connection.sendall(self.head)
                for byte in self.tail:
                    if self._stop.wait(self.interval):
                        return
                    connection.sendall(bytes([byte]))
                self.finished.set()
            except OSError:
                return  # the client gave up and closed: what a deadline should make it do

    @contextmanager
    def running(self) -> Iterator[DrippingServer]:
        self._thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            self._thread.join(timeout=5)
            self._listener.close()


def json_response(body: bytes, content_type: str = "application/json") -> bytes:
    """The status line and headers of a 200 answer with ``body`` (by Content-Length)."""
    return (f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode()


@contextmanager
def dripping_body(body: bytes, interval: float = 0.2,
                  content_type: str = "application/json") -> Iterator[DrippingServer]:
    """A server sending its headers at once, then ``body`` one byte per ``interval``."""
    with DrippingServer(json_response(body, content_type), body, interval).running() as server:
        yield server


@contextmanager
def dripping_headers(body: bytes, interval: float = 0.2) -> Iterator[DrippingServer]:
    """A server sending its status line at once, then its headers and body one byte at a time."""
    whole = json_response(body) + body
    status_line = whole.index(b"\r\n") + 2
    with DrippingServer(whole[:status_line], whole[status_line:], interval).running() as server:
        yield server

