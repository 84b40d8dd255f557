"""X-Forwarded-* believed only from the proxies in HUB_TRUSTED_PROXIES, in the gunicorn app."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator

import pytest
from cryptography.fernet import Fernet
from flask import Flask

from hub.config import ConfigError, load_settings

PROXY, CLIENT, OTHER = "192.0.2.1", "198.51.100.7", "192.0.2.99"


@pytest.fixture
def wsgi_app(monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path
             ) -> Iterator[Callable[..., Flask]]:
    """The app gunicorn serves (hub.wsgi:app), built from an environment of ``env``."""
    built: list[Flask] = []

    def build(**env: str) -> Flask:
        monkeypatch.chdir(tmp_path)
        for name, value in {"HUB_ENV": "test", "HUB_DATABASE_URL": database_url,
                            "HUB_SECRET_KEY": "test-secret-key",
                            "HUB_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
                            "HUB_TOKEN_RATE_PER_ADDRESS": "2/minute", **env}.items():
            monkeypatch.setenv(name, value)
        import hub.wsgi

        built.append(importlib.reload(hub.wsgi).app)
        return built[-1]

    yield build
    for app in built:
        app.extensions["hub.db"].dispose()


def _token_requests(app: Flask, peer: str, forwarded_for: list[str]) -> list[int]:
    http = app.test_client()
    return [http.post("/oauth/token", data={"grant_type": "x"},
                      environ_base={"REMOTE_ADDR": peer},
                      headers={"X-Forwarded-For": address}).status_code
            for address in forwarded_for]


def test_forwarded_for_from_any_peer_is_ignored_by_default(wsgi_app):
    app = wsgi_app()
    # A new header per request does not make a new address: the third is over the limit.
    assert _token_requests(app, CLIENT, ["203.0.113.1", "203.0.113.2", "203.0.113.3"]) \
        == [400, 400, 429]


def test_forwarded_for_from_a_trusted_proxy_names_the_client(wsgi_app):
    app = wsgi_app(HUB_TRUSTED_PROXIES=f"{PROXY},2001:db8::/32")
    assert _token_requests(app, PROXY, ["203.0.113.1", "203.0.113.2", "203.0.113.3"]) \
        == [400, 400, 400]
    assert _token_requests(app, PROXY, ["203.0.113.9"] * 3) == [400, 400, 429]
    # Another peer's header is still ignored.
    assert _token_requests(app, OTHER, ["203.0.113.4", "203.0.113.5", "203.0.113.6"]) \
        == [400, 400, 429]


def test_the_trusted_proxy_also_gives_the_scheme(wsgi_app):
    app = wsgi_app(HUB_TRUSTED_PROXIES=PROXY)
    seen: list[tuple[str, str]] = []

    @app.get("/_seen")
    def _seen():  # type: ignore[no-untyped-def]
        from flask import request

        seen.append((request.remote_addr or "", request.scheme))
        return "", 204

    http = app.test_client()
    headers = {"X-Forwarded-For": "203.0.113.1", "X-Forwarded-Proto": "https"}
    http.get("/_seen", environ_base={"REMOTE_ADDR": PROXY}, headers=headers)
    http.get("/_seen", environ_base={"REMOTE_ADDR": OTHER}, headers=headers)
    assert seen == [("203.0.113.1", "https"), (OTHER, "http")]


@pytest.mark.parametrize("value", ["*", "nginx.internal", "10.0.0.0/33", "127.0.0.1, bogus"])
def test_trusted_proxies_must_be_addresses_or_networks(value):
    with pytest.raises(ConfigError, match="HUB_TRUSTED_PROXIES must be IP addresses"):
        load_settings({"HUB_TRUSTED_PROXIES": value})


def test_no_proxy_is_trusted_unless_configured():
    assert load_settings({}).trusted_proxies == ()
    assert load_settings({"HUB_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8"}).trusted_proxies \
        == ("127.0.0.1", "10.0.0.0/8")
