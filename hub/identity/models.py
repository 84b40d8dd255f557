"""API clients, the hub's signing keys, revoked tokens, used assertions, and people."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.db import Base
from hub.organisations.models import Organisation

AUTH_SECRET = "client_secret_basic"
AUTH_PRIVATE_KEY_JWT = "private_key_jwt"


class ApiClient(Base):
    """A machine client of the hub's API, bound to one organisation.

    Implements authlib's ClientMixin so the authorization server can use it directly.
    """

    __tablename__ = "api_clients"

    client_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    org_code: Mapped[str] = mapped_column(ForeignKey("organisations.code"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    scopes: Mapped[str] = mapped_column(Text)  # space-separated, as OAuth2 writes them
    auth_method: Mapped[str] = mapped_column(String(32))
    secret_hash: Mapped[str | None] = mapped_column(String(255))
    jwks: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column()
    disabled_at: Mapped[datetime | None] = mapped_column()
    #: Bumped when the client is disabled or its secret rotated: tokens of older generations
    #: are refused from then on.
    generation: Mapped[int] = mapped_column(Integer, default=1)

    organisation: Mapped[Organisation] = relationship(lazy="joined")

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()

    @property
    def org_kind(self) -> str:
        return self.organisation.kind

    # authlib ClientMixin
    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> None:
        return None

    def get_allowed_scope(self, scope: str | None) -> str:
        if not scope:
            return self.scopes
        allowed = set(self.scope_list)
        return " ".join(s for s in scope.split() if s in allowed)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return False

    def check_client_secret(self, client_secret: str) -> bool:
        from hub.identity.passwords import verify_secret

        return verify_secret(self.secret_hash, client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return self.disabled_at is None and method == self.auth_method

    def check_response_type(self, response_type: str) -> bool:
        return False

    def check_grant_type(self, grant_type: str) -> bool:
        return self.disabled_at is None and grant_type == "client_credentials"


class SigningKey(Base):
    """One of the hub's token-signing keys; the private half encrypted at rest."""

    __tablename__ = "signing_keys"

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    alg: Mapped[str] = mapped_column(String(16))
    private_key: Mapped[bytes] = mapped_column(LargeBinary)
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(index=True)
    retired_at: Mapped[datetime | None] = mapped_column()


class SpentToken(Base):
    """A revoked token, a client's cut-off time or a used assertion, until it would expire.

    The embedded-mode store of what Redis keeps in production.
    """

    __tablename__ = "spent_tokens"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[int | None] = mapped_column(Integer)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class User(Base):
    """A person who signs in to the dashboard, bound to one organisation."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    org_code: Mapped[str] = mapped_column(ForeignKey("organisations.code"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column()
    disabled_at: Mapped[datetime | None] = mapped_column()
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column()

    organisation: Mapped[Organisation] = relationship(lazy="joined")
