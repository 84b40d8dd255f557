"""The hub's client for any connector speaking the extract contract: token, fetch, verify, parse.

Failures are ``TransientPullError`` (worth retrying later) or ``PermanentPullError`` (retrying
will not help until someone acts); both carry a short ``code`` and a ``reason`` fit for an admin.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote

import requests

from connectors.contract import (
    ContractError,
    DatasetsDocument,
    Extract,
    parse_datasets,
    parse_extract,
)
from connectors.deadline import deadline, passed
from connectors.oauth import SCOPE
from connectors.signing import SIGNATURE_HEADER, SignatureError, verify_detached
from connectors.strictjson import StrictJsonError, loads_strict
from connectors.urlguard import (
    HostUnresolved,
    UrlPolicy,
    UrlRefused,
    check_url,
    guarded_session,
)
from policies.measures import DATASETS, is_period

_MAX_TOKEN_BYTES = 16 * 1024
_MAX_REASON = 200


class PullError(Exception):
    """A pull that failed; ``code`` is stable for programs, ``reason`` readable by admins."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(f"{code}: {reason[:_MAX_REASON]}")
        self.code = code
        self.reason = reason[:_MAX_REASON]


class TransientPullError(PullError):
    """Timeouts, refused connections, 5xx, 429: try again later."""

    def __init__(self, code: str, reason: str, retry_after: float | None = None) -> None:
        super().__init__(code, reason)
        self.retry_after = retry_after


class PermanentPullError(PullError):
    """Bad signature, wrong LA or period, contract violation, redirect, forbidden address,
    refused credentials, oversized body: retrying will not help."""


@dataclass(frozen=True)
class CachedToken:
    """A connector's bearer token and when to stop using it (epoch seconds)."""

    access_token: str
    expires_at: float


class TokenCache(Protocol):
    """Where tokens are kept between pulls; the hub may share one among its clients."""

    def get(self, key: str) -> CachedToken | None: ...

    def put(self, key: str, token: CachedToken) -> None: ...

    def drop(self, key: str) -> None: ...


class MemoryTokenCache:
    """A thread-safe in-process TokenCache."""

    def __init__(self) -> None:
        self._tokens: dict[str, CachedToken] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> CachedToken | None:
        with self._lock:
            return self._tokens.get(key)

    def put(self, key: str, token: CachedToken) -> None:
        with self._lock:
            self._tokens[key] = token

    def drop(self, key: str) -> None:
        with self._lock:
            self._tokens.pop(key, None)


class ConnectorClient:
    """Pulls signed extracts from one LA's connector under ``policy``."""

    def __init__(self, base_url: str, token_url: str, jwks: dict[str, Any], client_id: str,
                 client_secret: str, policy: UrlPolicy, *, la_code: str,
                 token_cache: TokenCache | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        for url in (base_url, token_url):
            try:
                check_url(url, policy)
            except UrlRefused as exc:
                raise PermanentPullError(exc.code, exc.reason) from None
        self.base_url = base_url.rstrip("/")
        self.token_url = token_url
        self.jwks = jwks
        self.la_code = la_code
        self.policy = policy
        self._credentials = (client_id, client_secret)
        self._cache: TokenCache = token_cache if token_cache is not None else MemoryTokenCache()
        # The key names the client, never the secret.
        self._cache_key = hashlib.sha256(f"{token_url}\n{client_id}".encode()).hexdigest()
        self._clock = clock
        self._session = guarded_session(policy)

    def close(self) -> None:
        """Release the connections this client holds."""
        self._session.close()

    def __enter__(self) -> ConnectorClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def fetch_datasets(self) -> DatasetsDocument:
        """The connector's verified ``/datasets`` document."""
        body, _ = self._fetch_signed("/datasets")
        try:
            document = parse_datasets(body)
        except ContractError as exc:
            raise PermanentPullError("contract_violation", str(exc)) from None
        if document.la_code != self.la_code:
            raise PermanentPullError("wrong_la", "datasets document is for another LA")
        return document

    def fetch_newest(self, dataset: str, guess: str | None = None
                     ) -> tuple[Extract, bytes, str] | None:
        """The verified extract of the newest period ``/datasets`` lists for ``dataset``; None
        when it lists none.

        With ``guess`` (the newest period the caller already holds), that period's extract is
        fetched beside the listing: one round trip instead of two while it is still the newest.
        """
        if guess is None:
            listed = self.fetch_datasets().datasets.get(dataset, ())
            return self.fetch_extract(dataset, max(listed)) if listed else None
        self._token()  # one token for both requests
        guessed: list[tuple[Extract, bytes, str] | BaseException] = []

        def fetch_guess() -> None:
            try:
                guessed.append(self.fetch_extract(dataset, guess))
            except BaseException as exc:  # noqa: BLE001 - given to the caller if it matters
                guessed.append(exc)

        helper = threading.Thread(target=fetch_guess, name="connector-guess", daemon=True)
        helper.start()
        try:
            listed = self.fetch_datasets().datasets.get(dataset, ())
        finally:
            helper.join()
        if not listed:
            return None
        if max(listed) != guess:
            return self.fetch_extract(dataset, max(listed))
        if isinstance(guessed[0], BaseException):
            raise guessed[0]
        return guessed[0]

    def fetch_extract(self, dataset: str, period: str) -> tuple[Extract, bytes, str]:
        """The verified extract of ``dataset`` for ``period``, its exact bytes and signature."""
        if dataset not in DATASETS or not is_period(period):
            raise ValueError(f"not a dataset and period: {dataset!r}, {period!r}")
        body, signature = self._fetch_signed(f"/extracts/{dataset}/{period}")
        try:
            extract = parse_extract(body)
        except ContractError as exc:
            raise PermanentPullError("contract_violation", str(exc)) from None
        if extract.la_code != self.la_code:
            raise PermanentPullError("wrong_la", f"extract is for {extract.la_code}, "
                                                 f"not {self.la_code}")
        if extract.period != period or extract.dataset != dataset:
            raise PermanentPullError("wrong_period", f"extract is for {extract.dataset} "
                                                     f"{extract.period}, not {dataset} {period}")
        return extract, body, signature

    def _fetch_signed(self, path: str) -> tuple[bytes, str]:
        """The body at ``path`` and its signature, verified against the registered JWKS."""
        with within_deadline(self.policy.total_timeout, "connector"):
            response = self._authorised_get(self.base_url + path)
            with response:
                _expect_ok(response)
                body = self._read(response)
        signature = response.headers.get(SIGNATURE_HEADER)
        if not signature:
            raise PermanentPullError("unsigned", f"response has no {SIGNATURE_HEADER} header")
        try:
            verify_detached(body, signature, self.jwks)
        except SignatureError as exc:
            raise PermanentPullError("bad_signature", f"signature rejected: {exc.reason}") \
                from None
        return body, signature

    def _authorised_get(self, url: str) -> requests.Response:
        response = self._send("GET", url, headers=self._bearer())
        if response.status_code == 401:
            # The connector may have restarted and forgotten its tokens: one fresh try.
            response.close()
            self._cache.drop(self._cache_key)
            response = self._send("GET", url, headers=self._bearer())
        return response

    def _bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token()}", "Accept": "application/json"}

    def _token(self) -> str:
        cached = self._cache.get(self._cache_key)
        if cached is not None and cached.expires_at > self._clock():
            return cached.access_token
        client_id, secret = self._credentials
        # RFC 6749 §2.3.1: form-encode id and secret before Basic authentication.
        auth = (quote(client_id, safe=""), quote(secret, safe=""))
        with within_deadline(self.policy.total_timeout, "token endpoint"):
            response = self._send("POST", self.token_url, auth=auth,
                                  data={"grant_type": "client_credentials", "scope": SCOPE},
                                  headers={"Accept": "application/json"})
            with response:
                if response.status_code in (400, 401, 403):
                    raise PermanentPullError("credentials_refused",
                                             f"token endpoint refused the credentials "
                                             f"(HTTP {response.status_code})")
                _expect_ok(response)
                payload = _json_object(self._read(response, _MAX_TOKEN_BYTES))
        token, lifetime = payload.get("access_token"), payload.get("expires_in", 60)
        if not isinstance(token, str) or not token or \
                str(payload.get("token_type", "")).lower() != "bearer" or \
                isinstance(lifetime, bool) or not isinstance(lifetime, int) or lifetime <= 0:
            raise PermanentPullError("bad_token_response", "token endpoint answered without "
                                                           "a usable bearer token")
        # Stop using a token a little before it expires, so it cannot lapse mid-pull.
        margin = min(30.0, lifetime / 5)
        self._cache.put(self._cache_key, CachedToken(token, self._clock() + lifetime - margin))
        return token

    def _send(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        try:
            return self._session.request(method, url, allow_redirects=False, stream=True,
                                         **kwargs)
        except UrlRefused as exc:
            raise PermanentPullError(exc.code, exc.reason) from None
        except HostUnresolved:
            raise TransientPullError("dns", "connector host did not resolve") from None
        except requests.exceptions.SSLError:
            raise PermanentPullError("tls_error", "TLS handshake or certificate check "
                                                  "failed") from None
        except requests.Timeout:
            raise TransientPullError("timeout", "connector did not answer in time") from None
        except requests.ConnectionError:
            if passed() is not None:  # the deadline shut the socket before the answer came
                raise TransientPullError("timeout", "connector did not answer in time") \
                    from None
            raise TransientPullError("connection_failed", "could not connect to the "
                                                          "connector") from None
        except requests.RequestException as exc:
            raise PermanentPullError("bad_request", type(exc).__name__) from None

    def _read(self, response: requests.Response, limit: int | None = None) -> bytes:
        limit = limit or self.policy.max_bytes
        if not _is_json(response):
            raise PermanentPullError("not_json", "response is not application/json")
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise PermanentPullError("oversized", f"response larger than {limit} bytes")
        return read_bounded(response, limit, self.policy.total_timeout, "connector",
                            self._clock)


def _expect_ok(response: requests.Response) -> None:
    status = response.status_code
    if status == 200:
        return
    if 300 <= status < 400:
        raise PermanentPullError("redirect", f"connector redirected (HTTP {status}); "
                                             "redirects are not followed")
    if status in (401, 403):
        raise PermanentPullError("credentials_refused", f"connector refused the token "
                                                        f"(HTTP {status})")
    if status == 404:
        raise PermanentPullError("not_found", "connector has no such dataset or period")
    if status == 429 or status >= 500:
        retry = response.headers.get("Retry-After", "")
        raise TransientPullError("rate_limited" if status == 429 else "server_error",
                                 f"connector answered HTTP {status}",
                                 float(retry) if retry.isdigit() else None)
    raise PermanentPullError("unexpected_status", f"connector answered HTTP {status}")


def _is_json(response: requests.Response) -> bool:
    content_type = response.headers.get("Content-Type", "")
    return content_type.split(";")[0].strip().lower() == "application/json"


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        value = loads_strict(body, _MAX_TOKEN_BYTES, max_depth=3)
    except StrictJsonError:
        raise PermanentPullError("bad_token_response", "token response is not JSON") from None
    if not isinstance(value, dict):
        raise PermanentPullError("bad_token_response", "token response is not a JSON object")
    return value


@contextmanager
def within_deadline(seconds: float, what: str) -> Iterator[None]:
    """Run the block's connector I/O under one whole deadline of ``seconds`` (nested deadlines
    keep the sooner); any failure once it has passed is a ``timeout``."""
    with deadline(seconds) as current:
        try:
            yield
        except (PullError, requests.RequestException, OSError) as exc:
            if not current.expired or isinstance(exc, PullError) and exc.code == "timeout":
                raise
            # The socket was shut down under the request: whatever broke, time was up.
            raise TransientPullError("timeout", f"{what} sent its response too slowly (not "
                                                f"whole within {current.seconds:g} s)") from exc


def read_bounded(response: requests.Response, limit: int, total_timeout: float, what: str,
                 clock: Callable[[], float] = time.monotonic) -> bytes:
    """The streamed body, refused past ``limit`` bytes or ``total_timeout`` seconds."""
    deadline = clock() + total_timeout
    chunks, size = [], 0
    try:
        for chunk in response.iter_content(64 * 1024):
            size += len(chunk)
            if size > limit:
                raise PermanentPullError("oversized", f"{what} response larger than {limit} "
                                         "bytes")
            if clock() > deadline:
                raise TransientPullError("timeout", f"{what} sent its response too slowly")
            chunks.append(chunk)
    except requests.RequestException:
        cut_short = passed()
        if cut_short is not None:
            raise TransientPullError("timeout", f"{what} sent its response too slowly (not whole "
                                                f"within {cut_short.seconds:g} s)") from None
        raise TransientPullError("timeout", f"{what} stopped sending its response") from None
    return b"".join(chunks)
