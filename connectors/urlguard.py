"""Rules for contacting an untrusted URL (a connector's), enforced in the HTTP transport itself.

Every request through a guarded session is checked: scheme, host, every address the host resolves
to; then the connection goes to the address that was checked (the URL is rewritten to it, with
the name kept for the Host header, TLS SNI and certificate check), so a second DNS answer cannot
point the connection somewhere else.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from connectors.deadline import watch

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]
_DEFAULT_PORTS = {"http": 80, "https": 443}
_FORBIDDEN = ("is_unspecified", "is_loopback", "is_link_local", "is_site_local", "is_multicast",
              "is_private", "is_reserved")
#: Ranges Python's is_global admits (or may, depending on its version) that are not ordinary
#: globally routable unicast: checked explicitly, whatever the interpreter's tables say.
_NOT_GLOBAL_UNICAST = tuple((ipaddress.ip_network(network), reason) for network, reason in (
    ("0.0.0.0/8", "this-network"),
    ("192.0.0.0/24", "ietf-protocol"),
    ("192.0.2.0/24", "documentation"),
    ("192.88.99.0/24", "6to4-relay"),
    ("198.18.0.0/15", "benchmarking"),
    ("198.51.100.0/24", "documentation"),
    ("203.0.113.0/24", "documentation"),
    ("2001::/23", "ietf-protocol"),
    ("2001:db8::/32", "documentation"),
    ("3fff::/20", "documentation"),
))
#: The only IPv6 block allocated as global unicast; anything outside it is not a connector.
_IPV6_GLOBAL_UNICAST = ipaddress.IPv6Network("2000::/3")


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for ``host``."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True)
class UrlPolicy:
    """What a pull may contact, and how long and how much it may take."""

    allow_http: bool = False
    #: ``host:port`` entries (``[::1]:8443`` for IPv6) exempt from the address checks on that
    #: port only; a bare host exempts all its ports (for code configuring its own policy; the
    #: hub's allow-list always names the port).
    allowed_hosts: frozenset[str] = frozenset()
    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    #: Whole-response deadline: a server trickling bytes cannot hold a pull past it.
    total_timeout: float = 30.0
    max_bytes: int = 1024 * 1024
    #: A CA bundle to trust instead of the public ones (connectors behind a private CA).
    ca_bundle: str | None = None
    resolver: Resolver = field(default=system_resolver, compare=False)

    def __post_init__(self) -> None:
        # Host names compare case-insensitively and without a trailing dot, as DNS does.
        object.__setattr__(self, "allowed_hosts",
                           frozenset(_normalised(h) for h in self.allowed_hosts))

    def allows(self, host: str, port: int) -> bool:
        """True when an admin exempted ``host`` on ``port`` from the address checks."""
        return allow_list_entry(host, port) in self.allowed_hosts \
            or host.lower().rstrip(".") in self.allowed_hosts


def allow_list_entry(host: str, port: int) -> str:
    """The allow-list's name for ``host`` on ``port``: ``connector.example:443``, ``[::1]:80``."""
    host = host.lower().rstrip(".").strip("[]")
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def split_host_port(text: str) -> tuple[str, int | None]:
    """``host:port`` (or a bare host) as the host and the port; ValueError if malformed."""
    parts = urlsplit(f"//{text.strip()}")
    port = parts.port  # raises ValueError for a port out of range or not a number
    host = (parts.hostname or "").rstrip(".")
    if not host or not host.isascii() or parts.path or parts.query or parts.username:
        raise ValueError(f"{text!r} is not HOST:PORT")
    if port is None and text.strip().endswith(":") or port == 0:
        raise ValueError(f"{text!r} has no port (1-65535) after the colon")
    return host, port


def _normalised(entry: str) -> str:
    host, port = split_host_port(entry)
    return allow_list_entry(host, port) if port is not None else host.lower()


class UrlRefused(Exception):
    """A URL or address the policy forbids; ``code`` and ``reason`` are safe to show."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class HostUnresolved(Exception):
    """The host name did not resolve (possibly a passing DNS failure)."""


@dataclass(frozen=True)
class Target:
    """A checked URL, split into what is connected to and what is asked for."""

    scheme: str
    host: str
    port: int
    path: str

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == _DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"

    def url_for(self, address: str) -> str:
        """This URL, with its host replaced by ``address``."""
        host = f"[{address}]" if ":" in address else address
        return f"{self.scheme}://{host}:{self.port}{self.path}"


def check_url(url: str, policy: UrlPolicy) -> Target:
    """The parts of ``url`` if its form is allowed (scheme, no credentials); UrlRefused if not."""
    if len(url) > 2048:
        raise UrlRefused("bad_url", "URL longer than 2048 characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UrlRefused("bad_url", "URL cannot be parsed") from None
    scheme = parts.scheme.lower()
    if scheme != "https" and not (scheme == "http" and policy.allow_http):
        raise UrlRefused("insecure_url", f"scheme {scheme[:10]!r} not allowed: https only")
    if parts.username is not None or parts.password is not None:
        raise UrlRefused("bad_url", "credentials in the URL are not allowed")
    host = (parts.hostname or "").rstrip(".")
    if not host or not host.isascii():
        raise UrlRefused("bad_url", "URL has no host, or a non-ASCII one (use punycode)")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(scheme, host, port or _DEFAULT_PORTS[scheme], path)


def forbidden_reason(address: IPAddress) -> str | None:
    """Why connecting to ``address`` is forbidden (e.g. "loopback"), or None if it is globally
    routable unicast."""
    if isinstance(address, ipaddress.IPv6Address):
        # Addresses that embed an IPv4 one reach that IPv4 host: judge it instead.
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is not None:
            return forbidden_reason(embedded)
    for attribute in _FORBIDDEN:
        if getattr(address, attribute, False):
            return attribute.removeprefix("is_").replace("_", "-")
    for network, reason in _NOT_GLOBAL_UNICAST:
        if address.version == network.version and address in network:
            return reason
    if isinstance(address, ipaddress.IPv6Address) and address not in _IPV6_GLOBAL_UNICAST:
        return "not-global-unicast"
    return None if address.is_global else "not-global"


def resolve_checked(target: Target, policy: UrlPolicy) -> str:
    """The address to connect to for ``target``, after checking every address it resolves to."""
    try:
        literal: IPAddress | None = ipaddress.ip_address(target.host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [str(literal)]
    else:
        try:
            addresses = policy.resolver(target.host, target.port)
        except (OSError, UnicodeError) as exc:
            raise HostUnresolved(target.host) from exc
    if not addresses:
        raise HostUnresolved(target.host)
    if policy.allows(target.host, target.port):
        return addresses[0]
    for text in addresses:
        reason = forbidden_reason(ipaddress.ip_address(text.split("%")[0]))
        if reason is not None:
            # Say which kind, not which address: the reason is shown to admins.
            raise UrlRefused("forbidden_address", f"host resolves to a {reason} address")
    return addresses[0]


class _WatchedHTTPConnection(HTTPConnection):
    """A connection whose socket the caller's deadline (connectors.deadline) can cut short."""

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        watch(sock)
        return sock

    def request(self, *args: Any, **kwargs: Any) -> None:
        if self.sock is not None:  # a kept-alive connection, used again under a new deadline
            watch(self.sock)
        super().request(*args, **kwargs)


class _WatchedHTTPSConnection(HTTPSConnection):
    """The TLS twin of _WatchedHTTPConnection: the raw socket is watched before the handshake."""

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        watch(sock)
        return sock

    def request(self, *args: Any, **kwargs: Any) -> None:
        if self.sock is not None:
            watch(self.sock)
        super().request(*args, **kwargs)


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class PinnedAdapter(HTTPAdapter):
    """A transport that applies ``policy`` to every request and connects to the checked address;
    its sockets are watched by the caller's deadline, if it set one."""

    def __init__(self, policy: UrlPolicy) -> None:
        super().__init__(max_retries=0)
        self.policy = policy

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _WatchedHTTPPool,
                                                   "https": _WatchedHTTPSPool}

    def send(self, request: requests.PreparedRequest, stream: bool = False,  # type: ignore[override]
             timeout: Any = None, verify: Any = True, cert: Any = None,
             proxies: Mapping[str, str] | None = None) -> requests.Response:
        target = check_url(request.url or "", self.policy)
        address = resolve_checked(target, self.policy)
        pinned = request.copy()
        pinned.url = target.url_for(address)
        pinned.headers["Host"] = target.host_header
        return super().send(pinned, stream=stream,
                            timeout=(self.policy.connect_timeout, self.policy.read_timeout),
                            verify=verify, cert=cert, proxies=None)

    def build_connection_pool_key_attributes(
        self, request: requests.PreparedRequest, verify: Any, cert: Any = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(
            request, verify, cert)
        if host_params["scheme"] == "https":
            # The URL names the address; TLS must still name and verify the host.
            host = request.headers["Host"]
            name = urlsplit("//" + (host.decode() if isinstance(host, bytes) else host)).hostname
            pool_kwargs["server_hostname"] = name
            pool_kwargs["assert_hostname"] = name
        return host_params, pool_kwargs


class _NoRedirects(requests.Session):
    def get_redirect_target(self, resp: requests.Response) -> None:
        # Even with allow_redirects=False, requests reads a 3xx body (unbounded) to prepare the
        # next hop; having no target skips that, and the caller sees the 3xx as it is.
        return None


def guarded_session(policy: UrlPolicy) -> requests.Session:
    """A requests session whose every request obeys ``policy`` (and ignores proxy settings)."""
    session = _NoRedirects()
    session.trust_env = False  # an environment proxy would connect on our behalf, unchecked
    session.verify = policy.ca_bundle or True
    adapter = PinnedAdapter(policy)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
