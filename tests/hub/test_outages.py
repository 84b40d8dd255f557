"""A lost database or Redis gives a clean 503, and the hub recovers by itself."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import make_url

from tests.conftest import bearer


class Cuttable:
    """A TCP proxy on loopback to a real server, whose connections the test can cut."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.open = True
        self.pairs: list[tuple[socket.socket, socket.socket]] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.open:
                client.close()
                continue
            upstream = socket.create_connection(self.target, timeout=5)
            self.pairs.append((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()

    def cut(self) -> None:
        """Drop every connection and refuse new ones, as a database restart would."""
        self.open = False
        for pair in self.pairs:
            for s in pair:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()
        self.pairs.clear()

    def restore(self) -> None:
        self.open = True

    def close(self) -> None:
        self.cut()
        self.listener.close()


@pytest.fixture
def database_proxy(database_url: str) -> Iterator[tuple[Cuttable, str]]:
    url = make_url(database_url)
    proxy = Cuttable((url.host or "127.0.0.1", url.port or 5432))
    yield proxy, url.set(port=proxy.port).render_as_string(hide_password=False)
    proxy.close()


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_a_dropped_database_gives_503_and_recovers(make_app, database_proxy, issue_token):
    proxy, proxied_url = database_proxy
    token = issue_token("E09000001")
    http = make_app(database_url=proxied_url).test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert http.get("/api/v1/regions", headers=headers).status_code == 200
    proxy.cut()
    down = http.get("/api/v1/regions", headers=headers)
    assert down.status_code == 503
    assert down.json["message"] == "The database is unavailable; retry shortly."
    assert down.headers["Retry-After"] == "5"
    assert http.get("/readyz").status_code == 503
    proxy.restore()
    assert http.get("/api/v1/regions", headers=headers).status_code == 200
    assert http.get("/readyz").status_code == 200


def test_a_lost_redis_gives_503_and_recovers(make_app, redis_url, register_client):
    proxy = Cuttable(("127.0.0.1", 6379))
    app = make_app(redis_url=f"redis://127.0.0.1:{proxy.port}/15")
    registered = register_client("E09000001")
    http = app.test_client()

    def token_status() -> int:
        return http.post("/oauth/token", data={"grant_type": "client_credentials"},
                         auth=(registered.client_id, registered.client_secret)).status_code

    assert token_status() == 200
    token = http.post("/oauth/token", data={"grant_type": "client_credentials"},
                      auth=(registered.client_id, registered.client_secret)).json["access_token"]
    for _ in range(3):  # the token's revocation state is now kept in this process's mirror
        assert http.get("/api/v1/regions", headers=bearer(token)).status_code == 200
    proxy.cut()
    assert token_status() == 503
    # Without Redis nobody could announce a revocation: the mirror is not trusted either.
    assert http.get("/api/v1/regions", headers=bearer(token)).status_code == 503
    proxy.restore()
    assert token_status() == 200
    assert http.get("/api/v1/regions", headers=bearer(token)).status_code == 200
    proxy.close()

