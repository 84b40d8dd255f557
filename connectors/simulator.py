"""The demo: one process serving a simulated connector for every LA under ``/la/{ons_code}``.

Each LA has its own signing key and its own client credentials: fresh each start, or derived
from a secret kept between starts (so the hub finds its registrations unchanged); its records
are generated from the seed on the first request that needs them (``connectors.simrecords``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import threading
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from connectors.app import ConnectorSettings, create_app
from connectors.extract import RecordsSource
from connectors.oauth import RegisteredClient, hash_secret
from connectors.signing import SigningKey, derived_signing_key, generate_signing_key
from connectors.simrecords import PERIODS, profiles, simulated_la, simulated_records

__all__ = ["PERIODS", "ConnectorCredentials", "RunningSimulator", "Simulator",
           "simulated_records", "start_simulator"]

#: Every simulated extract says it was generated then, so the same seed gives the same bytes.
GENERATED_AT = datetime(2025, 1, 15, 9, 0, tzinfo=UTC)
_PREFIX = "/la/"

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


@dataclass(frozen=True)
class ConnectorCredentials:
    """What the hub needs to register one simulated connector."""

    la_code: str
    name: str
    region_code: str
    base_url: str
    token_url: str
    jwks_url: str
    client_id: str
    client_secret: str
    jwks: dict[str, Any]


class Simulator:
    """Simulated connectors for ``la_codes`` (default: all 153) behind one WSGI app."""

    def __init__(self, seed: int, base_url: str, la_codes: Iterable[str] | None = None,
                 token_ttl: int = 300, secret: bytes | None = None) -> None:
        self.seed = seed
        self.token_ttl = token_ttl
        self._keys: dict[str, SigningKey] = {}
        self.credentials: dict[str, ConnectorCredentials] = {}
        every = profiles()
        for code in la_codes if la_codes is not None else every:
            profile = every[code]
            if secret is None:
                key, client_secret = generate_signing_key(), secrets.token_urlsafe(32)
            else:
                key = derived_signing_key(_derive(secret, f"signing-key:{code}"))
                client_secret = base64.urlsafe_b64encode(
                    _derive(secret, f"client-secret:{code}")).rstrip(b"=").decode()
            root = f"{base_url.rstrip('/')}{_PREFIX}{code}"
            self._keys[code] = key
            self.credentials[code] = ConnectorCredentials(
                code, profile.name, profile.region_code, root, f"{root}/oauth/token",
                f"{root}/.well-known/jwks.json", f"hub-{code}", client_secret,
                key.public_jwks())
        self._apps: dict[str, Flask] = {}
        # One lock per LA: building one (records, secret hash) must not hold up the others.
        self._locks = {code: threading.Lock() for code in self.credentials}

    def app_for(self, la_code: str) -> Flask:
        """The connector app of one LA, built on first use."""
        with self._locks[la_code]:
            if la_code not in self._apps:
                self._apps[la_code] = self._build(la_code)
            return self._apps[la_code]

    def _build(self, la_code: str) -> Flask:
        sim = simulated_la(la_code, self.seed)
        creds = self.credentials[la_code]
        source = RecordsSource(la_code, sim.records, sim.caps, sim.vacancies,
                               clock=lambda: GENERATED_AT)
        client = RegisteredClient(creds.client_id, hash_secret(creds.client_secret))
        return create_app(ConnectorSettings(la_code, source, self._keys[la_code], (client,),
                                            self.token_ttl))

    def revoke_tokens(self, la_code: str) -> None:
        """Forget the tokens one LA's connector issued, as a restart of it would."""
        self.app_for(la_code).config["TOKEN_STORE"].revoke_all()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) \
            -> Iterable[bytes]:
        """Route ``/la/{code}/…`` to that LA's app; anything else is a JSON 404."""
        path = environ.get("PATH_INFO", "")
        code, _, rest = path.removeprefix(_PREFIX).partition("/")
        if not path.startswith(_PREFIX) or code not in self.credentials:
            body = b'{"code":404,"message":"no such connector","status":"Not Found"}'
            start_response("404 NOT FOUND", [("Content-Type", "application/json"),
                                             ("Content-Length", str(len(body)))])
            return [body]
        environ = {**environ, "SCRIPT_NAME": environ.get("SCRIPT_NAME", "") + _PREFIX + code,
                   "PATH_INFO": "/" + rest}
        app: WSGIApp = self.app_for(code).wsgi_app
        return app(environ, start_response)

    def credentials_document(self) -> dict[str, Any]:
        """The credentials file's content: the seed, the periods, one entry per connector."""
        return {"seed": self.seed, "periods": list(PERIODS),
                "connectors": [asdict(c) for c in self.credentials.values()]}

    def write_credentials(self, path: Path) -> None:
        """Write the credentials file, readable by its owner only (it holds client secrets)."""
        tmp = path.with_name(path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(self.credentials_document(), fh, indent=2)
        os.replace(tmp, path)  # the hub never reads a half-written file


@dataclass(frozen=True)
class RunningSimulator:
    """A simulator serving on a loopback port in a background thread."""

    simulator: Simulator
    server: BaseWSGIServer
    thread: threading.Thread
    base_url: str

    def stop(self) -> None:
        """Stop serving and wait for the thread to end."""
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def _derive(secret: bytes, purpose: str) -> bytes:
    return hmac.new(secret, purpose.encode(), hashlib.sha256).digest()


def start_simulator(seed: int, host: str = "127.0.0.1", port: int = 0,
                    la_codes: Iterable[str] | None = None, token_ttl: int = 300,
                    secret: bytes | None = None) -> RunningSimulator:
    """A simulator serving on ``host:port`` (0: any free port) in a daemon thread."""
    codes = list(la_codes) if la_codes is not None else None
    # Bind first: the credentials must name the port actually bound.
    server = make_server(host, port, _not_ready, threaded=True)
    base_url = f"http://{host}:{server.server_port}"
    simulator = Simulator(seed, base_url, codes, token_ttl, secret)
    server.app = simulator
    thread = threading.Thread(target=server.serve_forever, name="connector-simulator",
                              daemon=True)
    thread.start()
    return RunningSimulator(simulator, server, thread, base_url)


def _not_ready(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("503 SERVICE UNAVAILABLE", [("Content-Type", "application/json")])
    return [b'{"code":503,"message":"starting","status":"Service Unavailable"}']
