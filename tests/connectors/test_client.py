"""The hub's pull client against real misbehaving servers on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, Response, request

from connectors.client import (
    ConnectorClient,
    MemoryTokenCache,
    PermanentPullError,
    PullError,
    TransientPullError,
)
from connectors.contract import build_extract, extract_to_json
from connectors.signing import SIGNATURE_HEADER, SigningKey, sign_detached
from connectors.urlguard import UrlPolicy
from tests.connectors.conftest import GENERATED, LA, serving
from tests.connectors.test_contract import COMPONENTS

SECRET = "s3cret-that-must-never-show"


class FakeConnector:
    """A connector whose extract endpoint misbehaves as ``mode`` says."""

    def __init__(self, key: SigningKey, other_key: SigningKey) -> None:
        self.key, self.other_key = key, other_key
        self.mode = "ok"
        self.token_requests = 0
        self.extract_requests = 0
        self.hosts: list[str] = []
        self.app = Flask(__name__)
        self.app.post("/oauth/token")(self.token)
        self.app.get("/extracts/<dataset>/<period>")(self.extract)
        self.app.get("/datasets")(self.datasets)

    def token(self) -> Response:
        self.token_requests += 1
        if self.mode == "token_refused" or request.authorization is None \
                or request.authorization.password != SECRET:
            return Response('{"error":"invalid_client"}', 401, mimetype="application/json")
        if self.mode == "token_500":
            return Response('{"error":"oops"}', 500, mimetype="application/json")
        body = {"access_token": f"token-{self.token_requests}", "token_type": "Bearer",
                "expires_in": 60}
        return Response(json.dumps(body), mimetype="application/json")

    def signed(self, body: bytes, key: SigningKey | None = None) -> Response:
        response = Response(body, mimetype="application/json")
        response.headers[SIGNATURE_HEADER] = sign_detached(body, key or self.key)
        return response

    def body(self, la: str = LA, period: str = "2024-Q1") -> bytes:
        return extract_to_json(build_extract(la, period, COMPONENTS, {}, GENERATED))

    def datasets(self) -> Response:
        body = json.dumps({"contract": "workforce-extract/1", "la_code": LA,
                           "datasets": [{"dataset": "workforce", "periods": ["2024-Q1"]}]})
        return self.signed(body.encode())

    def extract(self, dataset: str, period: str) -> Response:
        self.extract_requests += 1
        self.hosts.append(request.host)
        mode = self.mode
        if mode == "revoked" or (mode == "restarted" and self.extract_requests == 1):
            return Response('{"error":"invalid_token"}', 401, mimetype="application/json")
        if request.headers.get("Authorization", "").split()[-1] == "":
            return Response("{}", 401, mimetype="application/json")
        if mode == "slow":
            time.sleep(1.5)
        if mode == "trickle":
            def drip() -> Iterator[bytes]:
                for _ in range(30):
                    time.sleep(0.1)
                    yield b" "
            return Response(drip(), mimetype="application/json")
        if mode == "error_500":
            return Response('{"message":"boom"}', 500, mimetype="application/json")
        if mode == "rate_limited":
            return Response("{}", 429, headers={"Retry-After": "7"},
                            mimetype="application/json")
        if mode == "redirect":
            return Response("", 302, headers={"Location": "http://127.0.0.1:6379/"})
        if mode == "redirect_endless_body":
            def endless() -> Iterator[bytes]:
                for _ in range(100):
                    time.sleep(0.05)
                    yield b"x" * 100_000
            return Response(endless(), 302, headers={"Location": "http://127.0.0.1:6379/"})
        if mode == "oversized":
            return self.signed(b'{"pad":"' + b"x" * 100_000 + b'"}')
        if mode == "oversized_stream":
            return Response((b"x" * 1024 for _ in range(100)), mimetype="application/json")
        if mode == "html":
            return Response("<html>hello</html>", mimetype="text/html")
        if mode == "invalid_json":
            return self.signed(b'{"contract": "workforce-extract/1", ')
        if mode == "unsigned":
            return Response(self.body(period=period), mimetype="application/json")
        if mode == "tampered":
            response = self.signed(self.body(period=period))
            response.set_data(response.get_data().replace(b'"vacancy_fte":4.2',
                                                          b'"vacancy_fte":0.2'))
            return response
        if mode == "other_key":
            return self.signed(self.body(period=period), self.other_key)
        if mode == "wrong_la":
            return self.signed(self.body(la="E09000002", period=period))
        if mode == "wrong_period":
            return self.signed(self.body(period="2023-Q4"))
        return self.signed(self.body(period=period))


@pytest.fixture
def fake(signing_key: SigningKey, other_key: SigningKey) -> FakeConnector:
    return FakeConnector(signing_key, other_key)


@pytest.fixture
def base(fake: FakeConnector) -> Iterator[str]:
    with serving(fake.app) as url:
        yield url


def client_for(base: str, policy: UrlPolicy, key: SigningKey, **kwargs: Any) -> ConnectorClient:
    return ConnectorClient(base, f"{base}/oauth/token", key.public_jwks(), "hub", SECRET,
                           policy, la_code=LA, **kwargs)


def pull_fails(client: ConnectorClient, kind: type[PullError], code: str) -> PullError:
    with pytest.raises(kind) as info:
        client.fetch_extract("workforce", "2024-Q1")
    assert info.value.code == code
    assert SECRET not in str(info.value) and "token-" not in str(info.value)
    return info.value


def test_a_good_connector_gives_a_verified_extract(fake: FakeConnector, base: str,
                                                   loopback_policy: UrlPolicy,
                                                   signing_key: SigningKey) -> None:
    client = client_for(base, loopback_policy, signing_key)
    extract, raw, signature = client.fetch_extract("workforce", "2024-Q1")
    assert extract.la_code == LA and raw == fake.body() and signature.count(".") == 2
    assert client.fetch_datasets().datasets == {"workforce": ("2024-Q1",)}
    assert fake.token_requests == 1  # the token was cached between the two calls


CASES = [
    ("slow", TransientPullError, "timeout", "did not answer in time"),
    ("trickle", TransientPullError, "timeout", "too slowly"),
    ("error_500", TransientPullError, "server_error", "HTTP 500"),
    ("rate_limited", TransientPullError, "rate_limited", "HTTP 429"),
    ("oversized", PermanentPullError, "oversized", "larger than 65536 bytes"),
    ("oversized_stream", PermanentPullError, "oversized", "larger than 65536 bytes"),
    ("html", PermanentPullError, "not_json", "not application/json"),
    ("invalid_json", PermanentPullError, "contract_violation", "not valid JSON"),
    ("unsigned", PermanentPullError, "unsigned", "no X-JWS-Signature"),
    ("tampered", PermanentPullError, "bad_signature", "does not match the body"),
    ("other_key", PermanentPullError, "bad_signature", "unknown kid"),
    ("wrong_la", PermanentPullError, "wrong_la", "E09000002, not E09000001"),
    ("wrong_period", PermanentPullError, "wrong_period", "2023-Q4, not workforce 2024-Q1"),
    ("redirect", PermanentPullError, "redirect", "HTTP 302"),
    ("redirect_endless_body", PermanentPullError, "redirect", "HTTP 302"),
    ("revoked", PermanentPullError, "credentials_refused", "HTTP 401"),
    ("token_refused", PermanentPullError, "credentials_refused", "refused the credentials"),
    ("token_500", TransientPullError, "server_error", "HTTP 500"),
]


@pytest.mark.parametrize(("mode", "kind", "code", "reason"), CASES, ids=[c[0] for c in CASES])
def test_misbehaviour_is_classified(mode: str, kind: type[PullError], code: str, reason: str,
                                    fake: FakeConnector, base: str, loopback_policy: UrlPolicy,
                                    signing_key: SigningKey) -> None:
    fake.mode = mode
    started = time.monotonic()
    error = pull_fails(client_for(base, loopback_policy, signing_key), kind, code)
    assert reason in error.reason
    assert time.monotonic() - started < 3


def test_retry_after_is_passed_on(fake: FakeConnector, base: str, loopback_policy: UrlPolicy,
                                  signing_key: SigningKey) -> None:
    fake.mode = "rate_limited"
    error = pull_fails(client_for(base, loopback_policy, signing_key), TransientPullError,
                       "rate_limited")
    assert isinstance(error, TransientPullError) and error.retry_after == 7


def test_a_revoked_token_is_renewed_once_then_refused(fake: FakeConnector, base: str,
                                                      loopback_policy: UrlPolicy,
                                                      signing_key: SigningKey) -> None:
    fake.mode = "revoked"
    pull_fails(client_for(base, loopback_policy, signing_key), PermanentPullError,
               "credentials_refused")
    assert (fake.token_requests, fake.extract_requests) == (2, 2)


def test_a_restarted_connector_is_pulled_with_a_fresh_token(fake: FakeConnector, base: str,
                                                            loopback_policy: UrlPolicy,
                                                            signing_key: SigningKey) -> None:
    fake.mode = "restarted"
    extract, _, _ = client_for(base, loopback_policy, signing_key).fetch_extract(
        "workforce", "2024-Q1")
    assert extract.period == "2024-Q1" and fake.token_requests == 2


def test_the_redirect_target_is_never_contacted(fake: FakeConnector, base: str,
                                                loopback_policy: UrlPolicy,
                                                signing_key: SigningKey) -> None:
    fake.mode = "redirect"
    pull_fails(client_for(base, loopback_policy, signing_key), PermanentPullError, "redirect")
    assert fake.extract_requests == 1


def test_tokens_are_cached_until_shortly_before_expiry(fake: FakeConnector, base: str,
                                                       loopback_policy: UrlPolicy,
                                                       signing_key: SigningKey) -> None:
    now = [1000.0]
    cache = MemoryTokenCache()
    first = client_for(base, loopback_policy, signing_key, token_cache=cache,
                       clock=lambda: now[0])
    second = client_for(base, loopback_policy, signing_key, token_cache=cache,
                        clock=lambda: now[0])
    first.fetch_extract("workforce", "2024-Q1")
    second.fetch_extract("workforce", "2024-Q1")
    assert fake.token_requests == 1  # shared cache
    now[0] += 47  # a 60 s token is dropped 12 s early
    first.fetch_extract("workforce", "2024-Q1")
    assert fake.token_requests == 1
    now[0] += 2
    first.fetch_extract("workforce", "2024-Q1")
    assert fake.token_requests == 2


def test_a_refused_connection_is_transient(loopback_policy: UrlPolicy,
                                           signing_key: SigningKey) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    pull_fails(client_for(f"http://127.0.0.1:{port}", loopback_policy, signing_key),
               TransientPullError, "connection_failed")


def test_the_connection_goes_to_the_checked_address_with_the_host_kept(
        fake: FakeConnector, base: str, signing_key: SigningKey) -> None:
    port = base.rsplit(":", 1)[1]
    # The name exists only in this resolver: reaching the server proves the pinned address
    # was used, and the Host header shows the name was kept.
    policy = UrlPolicy(allow_http=True, allowed_hosts=frozenset({"la.example.test"}),
                       resolver=lambda host, port: ["127.0.0.1"] if host == "la.example.test"
                       else [], read_timeout=1)
    client = client_for(f"http://la.example.test:{port}", policy, signing_key)
    client.fetch_extract("workforce", "2024-Q1")
    assert fake.hosts == [f"la.example.test:{port}"]


def test_https_only_unless_development(signing_key: SigningKey) -> None:
    with pytest.raises(PermanentPullError) as info:
        client_for("http://connector.example.org", UrlPolicy(), signing_key)
    assert info.value.code == "insecure_url" and "https only" in info.value.reason


@pytest.fixture
def no_connections(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Records (and refuses) any connection attempt urllib3 makes."""
    attempts: list[Any] = []

    def refuse(address: Any, *args: Any, **kwargs: Any) -> None:
        attempts.append(address)
        raise AssertionError(f"connected to {address}")

    monkeypatch.setattr("urllib3.util.connection.create_connection", refuse)
    return attempts


@pytest.mark.parametrize(("url", "reason"), [
    ("http://10.0.0.1/la", "private"),
    ("http://169.254.169.254/latest/meta-data", "link-local"),
    ("http://127.0.0.1:6379", "loopback"),
    ("http://[::1]:8080", "loopback"),
    ("http://[::ffff:10.1.2.3]", "private"),
    ("http://0.0.0.0", "unspecified"),
    ("http://224.0.0.1", "multicast"),
    ("http://100.64.0.1", "not-global"),
])
def test_private_addresses_are_refused_before_connecting(url: str, reason: str,
                                                         no_connections: list[Any],
                                                         signing_key: SigningKey) -> None:
    client = client_for(url, UrlPolicy(allow_http=True), signing_key)
    error = pull_fails(client, PermanentPullError, "forbidden_address")
    assert error.reason == f"host resolves to a {reason} address"
    assert no_connections == []


@pytest.mark.parametrize("addresses", [["127.0.0.1"], ["93.184.216.34", "10.0.0.7"]],
                         ids=["loopback", "one of several private"])
def test_a_name_resolving_to_a_private_address_is_refused(addresses: list[str],
                                                          no_connections: list[Any],
                                                          signing_key: SigningKey) -> None:
    policy = UrlPolicy(resolver=lambda host, port: addresses)
    client = client_for("https://connector.example.org", policy, signing_key)
    pull_fails(client, PermanentPullError, "forbidden_address")
    assert no_connections == []


def test_localhost_is_refused_unless_allowed(no_connections: list[Any],
                                             signing_key: SigningKey) -> None:
    client = client_for("http://localhost:9", UrlPolicy(allow_http=True), signing_key)
    pull_fails(client, PermanentPullError, "forbidden_address")


def test_an_unresolvable_host_is_transient(signing_key: SigningKey) -> None:
    def fail(host: str, port: int) -> list[str]:
        raise socket.gaierror("no such host")

    client = client_for("https://gone.example.org", UrlPolicy(resolver=fail), signing_key)
    pull_fails(client, TransientPullError, "dns")


@pytest.mark.parametrize(("url", "code"), [
    ("ftp://connector.example.org", "insecure_url"),
    ("https://user:pw@connector.example.org", "bad_url"),
    ("https://", "bad_url"),
    ("https://connector.example.org:99999", "bad_url"),
])
def test_malformed_urls_are_refused_at_registration(url: str, code: str,
                                                    signing_key: SigningKey) -> None:
    with pytest.raises(PermanentPullError) as info:
        client_for(url, UrlPolicy(), signing_key)
    assert info.value.code == code


def test_bad_dataset_or_period_is_a_programming_error(base: str, loopback_policy: UrlPolicy,
                                                      signing_key: SigningKey) -> None:
    with pytest.raises(ValueError):
        client_for(base, loopback_policy, signing_key).fetch_extract("workforce", "../admin")


def test_allowed_hosts_match_whatever_their_case(fake: FakeConnector, base: str,
                                                 signing_key: SigningKey) -> None:
    port = base.rsplit(":", 1)[1]
    policy = UrlPolicy(allow_http=True, allowed_hosts=frozenset({"LA.Example.Test."}),
                       resolver=lambda host, port: ["127.0.0.1"], read_timeout=1)
    client = client_for(f"http://la.example.test:{port}", policy, signing_key)
    assert client.fetch_extract("workforce", "2024-Q1")[0].la_code == LA
