"""Registering, updating, disabling and finding connectors, with every change audited."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.client import PullError
from connectors.urlguard import UrlPolicy, allow_list_entry, split_host_port
from hub.audit.service import record
from hub.crypto import SecretBox
from hub.errors import Conflict, Forbidden, HubError, InvalidInput, NotFound
from hub.identity.tokens import Principal
from hub.organisations.models import Organisation, OrgKind
from hub.registry.checks import ConnectorDetails, check_connector, describe
from hub.registry.models import AllowedHost, Connector

#: Builds the URL policy from the allow-list; the settings are bound by the caller.
PolicyFor = Callable[[Sequence[str]], UrlPolicy]
_DETAILS = ("base_url", "token_url", "jwks_url", "client_id", "client_secret")
#: Where the stored secret (token_url) or the tokens it obtains (base_url) are sent.
_CREDENTIALS_GO_TO = ("token_url", "base_url")


@dataclass(frozen=True)
class Actor:
    """Who makes a change, as the audit log names them."""

    name: str
    org_code: str | None = None

    @classmethod
    def of(cls, principal: Principal) -> Actor:
        return cls(principal.client_id, principal.org_code)


def allowed_hosts(session: Session) -> list[str]:
    """The ``host:port`` entries admins allow despite a loopback or private address."""
    rows = session.execute(select(AllowedHost.host, AllowedHost.port)
                           .order_by(AllowedHost.host, AllowedHost.port))
    return [allow_list_entry(host, port) for host, port in rows]


def _checked(session: Session, details: ConnectorDetails, policy_for: PolicyFor
             ) -> dict[str, Any]:
    try:
        return check_connector(details, policy_for(allowed_hosts(session)))
    except PullError as exc:
        raise InvalidInput(describe(exc), {"json": {"connector": [exc.code]}}) from None


def register(session: Session, box: SecretBox, policy_for: PolicyFor, actor: Actor,
             details: ConnectorDetails) -> Connector:
    """Check the LA's connector and store it; Conflict if the LA already has one."""
    org = session.get(Organisation, details.la_code)
    if org is None or org.kind != OrgKind.LOCAL_AUTHORITY.value:
        raise NotFound(f"No local authority has the code {details.la_code!r}.")
    if session.scalar(select(Connector.id).where(Connector.la_code == details.la_code)):
        raise Conflict(f"{details.la_code} already has a connector; update it instead.")
    jwks = _checked(session, details, policy_for)
    now = datetime.now(UTC)
    connector = Connector(la_code=details.la_code, base_url=details.base_url,
                          token_url=details.token_url, jwks_url=details.jwks_url, jwks=jwks,
                          client_id=details.client_id,
                          client_secret=box.encrypt(details.client_secret.encode()),
                          enabled=True, created_at=now, updated_at=now)
    session.add(connector)
    session.flush()
    _audit(session, actor, "connector.registered", connector, {"base_url": details.base_url})
    return connector


def update(session: Session, box: SecretBox, policy_for: PolicyFor, actor: Actor,
           connector: Connector, changes: dict[str, Any]) -> Connector:
    """Apply ``changes``; new details, or enabling, are checked as a registration is."""
    new = {k: v for k, v in changes.items() if k in _DETAILS}
    _needs_secret_again(connector, new)
    enable = changes.get("enabled")
    if new or (enable and not connector.enabled):
        details = replace(details_of(connector, box), **new)
        connector.jwks = _checked(session, details, policy_for)
        for key, value in new.items():
            setattr(connector, key, box.encrypt(value.encode()) if key == "client_secret"
                    else value)
    if enable is not None:
        connector.enabled = enable
    connector.updated_at = datetime.now(UTC)
    action = "connector.disabled" if enable is False else "connector.updated"
    _audit(session, actor, action, connector, {"changed": sorted(changes)})
    return connector


def _needs_secret_again(connector: Connector, new: dict[str, Any]) -> None:
    # The secret goes to token_url and the tokens it buys to base_url: a stolen LA client
    # must not redirect the stored credentials to a server of its choosing. The JWKS URL
    # receives neither, and new keys must still sign the connector's /datasets.
    for field in _CREDENTIALS_GO_TO:
        if field in new and new[field] != getattr(connector, field) \
                and "client_secret" not in new:
            raise HubError(f"Changing {field} sends the connector's credentials to a new place: "
                           "send client_secret again in the same request.",
                           {"json": {"client_secret": [f"Required when {field} changes."]}})


def details_of(connector: Connector, box: SecretBox) -> ConnectorDetails:
    """The connector's details with its secret decrypted, for the pull client."""
    return ConnectorDetails(connector.la_code, connector.base_url, connector.token_url,
                            connector.jwks_url, connector.client_id,
                            box.decrypt(connector.client_secret).decode())


def visible_to(session: Session, principal: Principal, connector_id: int) -> Connector:
    """The connector if the caller may see it: its own LA's, or any for admins; else 404."""
    connector = session.get(Connector, connector_id)
    if connector is None or not _may_see(principal, connector):
        raise NotFound(f"No connector {connector_id} is visible to you.")
    return connector


def writable_by(session: Session, principal: Principal, connector_id: int) -> Connector:
    """The connector if the caller's LA owns it; 404 when it may not see it, 403 otherwise."""
    connector = visible_to(session, principal, connector_id)
    if connector.la_code != principal.org_code:
        raise Forbidden("Only the LA that owns a connector may change it.")
    return connector


def listed_for(session: Session, principal: Principal) -> Sequence[Connector]:
    """The connectors the caller may see: all for admins, its own otherwise."""
    query = select(Connector).order_by(Connector.la_code)
    if principal.org_kind != OrgKind.ADMIN.value:
        query = query.where(Connector.la_code == principal.org_code)
    return session.scalars(query).all()


def _may_see(principal: Principal, connector: Connector) -> bool:
    return principal.org_kind == OrgKind.ADMIN.value or connector.la_code == principal.org_code


def _host_and_port(text: str) -> tuple[str, int | None]:
    try:
        host, port = split_host_port(text)
    except ValueError as exc:
        raise InvalidInput(f"{text!r} is not HOST:PORT ({exc}).") from None
    return host.lower(), port


def allow_host(session: Session, actor: Actor, host: str, reason: str) -> AllowedHost:
    """Let connectors use ``host`` (``HOST:PORT``) on that port only, although the host
    resolves to a loopback or private address."""
    name, port = _host_and_port(host)
    if port is None:
        raise InvalidInput(f"Give the port too: {name}:PORT (for example {name}:443). An "
                           "allowed host is allowed on that port only.")
    row = session.get(AllowedHost, (name, port))
    if row is None:
        row = AllowedHost(host=name, port=port, reason=reason, created_at=datetime.now(UTC))
        session.add(row)
        record(session, actor=actor.name, org_code=actor.org_code,
               action="connector_host.allowed", target=allow_list_entry(name, port),
               details={"reason": reason})
    return row


def disallow_host(session: Session, actor: Actor, host: str) -> list[str]:
    """Remove ``HOST:PORT`` (or every port of a bare ``HOST``) from the allow-list; the
    entries removed. NotFound if none was on it."""
    name, port = _host_and_port(host)
    query = select(AllowedHost).where(AllowedHost.host == name)
    if port is not None:
        query = query.where(AllowedHost.port == port)
    rows = session.scalars(query).all()
    if not rows:
        raise NotFound(f"{host!r} is not an allowed host.")
    removed = []
    for row in rows:
        session.delete(row)
        removed.append(allow_list_entry(row.host, row.port))
        record(session, actor=actor.name, org_code=actor.org_code,
               action="connector_host.removed", target=removed[-1])
    return removed


def _audit(session: Session, actor: Actor, action: str, connector: Connector,
           details: dict[str, Any]) -> None:
    record(session, actor=actor.name, org_code=actor.org_code, action=action,
           target=f"connector:{connector.id}", details={"la_code": connector.la_code, **details})
