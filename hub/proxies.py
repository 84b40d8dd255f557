"""Believing X-Forwarded-* headers only from the reverse proxies the operator configured."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

from werkzeug.middleware.proxy_fix import ProxyFix


class TrustedProxies:
    """WSGI middleware: behind a configured proxy, the client address, scheme and host are
    the ones its X-Forwarded-For/-Proto/-Host name; from any other peer those headers are
    ignored, so no client can choose the address its rate limits count against."""

    def __init__(self, app: Any, networks: Iterable[str]) -> None:
        self._networks = tuple(ipaddress.ip_network(n, strict=False) for n in networks)
        self._app = app
        # One proxy in front: the last X-Forwarded-For entry is the peer that proxy saw.
        self._forwarded = ProxyFix(app, x_for=1, x_proto=1, x_host=1)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if self.trusts(environ.get("REMOTE_ADDR")):
            return self._forwarded(environ, start_response)
        return self._app(environ, start_response)

    def trusts(self, peer: str | None) -> bool:
        """True when ``peer`` is one of the configured proxies."""
        try:
            address = ipaddress.ip_address((peer or "").split("%")[0])
        except ValueError:
            return False
        return any(address in network for network in self._networks)
