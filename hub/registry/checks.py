"""What a connector must pass before the hub accepts it: its URLs, its JWKS, a token, /datasets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests

from connectors.client import (
    ConnectorClient,
    MemoryTokenCache,
    PermanentPullError,
    PullError,
    TransientPullError,
    read_bounded,
    within_deadline,
)
from connectors.deadline import passed
from connectors.strictjson import StrictJsonError, loads_strict
from connectors.urlguard import HostUnresolved, UrlPolicy, UrlRefused, check_url, guarded_session

MAX_JWKS_BYTES = 64 * 1024
_KEY_TYPES = {("OKP", "Ed25519"), ("EC", "P-256")}
_PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "k"}


@dataclass(frozen=True)
class ConnectorDetails:
    """Where a connector is and how the hub signs in to it, as an LA submitted them."""

    la_code: str
    base_url: str
    token_url: str
    jwks_url: str
    client_id: str
    client_secret: str


def check_connector(details: ConnectorDetails, policy: UrlPolicy) -> dict[str, Any]:
    """The connector's JWKS, once a token was obtained and a signed /datasets verified with it."""
    for url in (details.base_url, details.token_url, details.jwks_url):
        try:
            check_url(url, policy)
        except UrlRefused as exc:
            raise PermanentPullError(exc.code, exc.reason) from None
    # One deadline for the whole check, so a slow connector holds the LA's request no longer
    # than a pull may take.
    with within_deadline(policy.total_timeout, "connector"):
        jwks = fetch_jwks(details.jwks_url, policy)
        # A fresh cache: the check must prove these credentials, not reuse a token of older ones.
        with ConnectorClient(details.base_url, details.token_url, jwks, details.client_id,
                             details.client_secret, policy, la_code=details.la_code,
                             token_cache=MemoryTokenCache()) as client:
            client.fetch_datasets()
    return jwks


def fetch_jwks(url: str, policy: UrlPolicy) -> dict[str, Any]:
    """The public signing keys at ``url``, fetched under ``policy``; PullError otherwise."""
    with guarded_session(policy) as session, within_deadline(policy.total_timeout, "JWKS URL"):
        try:
            response = session.get(url, allow_redirects=False, stream=True,
                                   headers={"Accept": "application/json"})
        except UrlRefused as exc:
            raise PermanentPullError(exc.code, exc.reason) from None
        except HostUnresolved:
            raise TransientPullError("dns", "JWKS host did not resolve") from None
        except requests.Timeout:
            raise TransientPullError("timeout", "JWKS URL did not answer in time") from None
        except requests.RequestException:
            if passed() is not None:
                raise TransientPullError("timeout", "JWKS URL did not answer in time") from None
            raise TransientPullError("connection_failed", "could not fetch the JWKS") from None
        with response:
            body = _read_json(response, min(policy.max_bytes, MAX_JWKS_BYTES),
                              policy.total_timeout)
    try:
        jwks = loads_strict(body, MAX_JWKS_BYTES, max_depth=4)
    except StrictJsonError:
        raise PermanentPullError("bad_jwks", "JWKS is not valid JSON") from None
    _check_jwks(jwks)
    return jwks  # type: ignore[no-any-return]


def _read_json(response: requests.Response, limit: int, total_timeout: float) -> bytes:
    if response.status_code != 200:
        code = "redirect" if 300 <= response.status_code < 400 else "unexpected_status"
        raise PermanentPullError(code, f"JWKS URL answered HTTP {response.status_code}")
    if response.headers.get("Content-Type", "").split(";")[0].strip().lower() not in (
            "application/json", "application/jwk-set+json"):
        raise PermanentPullError("not_json", "JWKS response is not JSON")
    return read_bounded(response, limit, total_timeout, "JWKS URL")


def _check_jwks(jwks: Any) -> None:
    keys = jwks.get("keys") if isinstance(jwks, dict) else None
    if not isinstance(keys, list) or not 0 < len(keys) <= 10:
        raise PermanentPullError("bad_jwks", "JWKS must hold a list of 1 to 10 keys")
    for key in keys:
        if not isinstance(key, dict) or (key.get("kty"), key.get("crv")) not in _KEY_TYPES:
            raise PermanentPullError("bad_jwks", "JWKS keys must be Ed25519 or P-256 public keys")
        if _PRIVATE_MEMBERS & key.keys():
            raise PermanentPullError("bad_jwks", "JWKS holds private key material")


def describe(error: PullError) -> str:
    """One sentence for the LA saying why its connector was not accepted."""
    return f"The connector failed the registration check ({error.code}): {error.reason}."
