"""The scopes of the hub's API and which kinds of organisation may hold each."""

from __future__ import annotations

from dataclasses import dataclass

from hub.organisations.models import OrgKind

LA, REGION, NARE, ADMIN = (OrgKind.LOCAL_AUTHORITY, OrgKind.REGION, OrgKind.NARE,
                           OrgKind.ADMIN)


@dataclass(frozen=True)
class Scope:
    name: str
    description: str
    holders: frozenset[OrgKind]


#: The one table of scopes; the README's table says the same.
SCOPES: dict[str, Scope] = {s.name: s for s in (
    Scope("connectors:write", "Register, update and disable the LA's own connector.",
          frozenset({LA})),
    Scope("connectors:read", "See connectors' health and pulls (own LA's, or all for admins).",
          frozenset({LA, ADMIN})),
    Scope("benchmarks:read", "Read benchmarks as the agreements allow.",
          frozenset({LA, REGION})),
    Scope("national:read", "Read national and per-region aggregates.", frozenset({NARE, ADMIN})),
    Scope("consents:write", "Withhold own data (LAs), suspend parties (regions, admins).",
          frozenset({LA, REGION, ADMIN})),
    Scope("policies:read", "Read agreements and explain one's own policy decisions.",
          frozenset({LA, REGION, NARE, ADMIN})),
    Scope("policies:admin", "Load agreements and explain any decision.", frozenset({ADMIN})),
    Scope("clients:admin", "Manage API clients and introspect tokens.", frozenset({ADMIN})),
    Scope("audit:read", "Read the audit log.", frozenset({ADMIN})),
    Scope("metrics:read", "Scrape the Prometheus metrics at /metrics.", frozenset({ADMIN})),
)}


def default_scopes(kind: OrgKind) -> tuple[str, ...]:
    """Every scope an organisation of ``kind`` may hold."""
    return tuple(name for name, scope in SCOPES.items() if kind in scope.holders)


def invalid_scopes(kind: OrgKind, requested: list[str]) -> list[str]:
    """The requested scopes that do not exist or that ``kind`` may not hold."""
    return [name for name in requested
            if name not in SCOPES or kind not in SCOPES[name].holders]
