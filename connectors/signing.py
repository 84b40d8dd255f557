"""Detached JWS signatures (RFC 7515 Appendix F) over the exact bytes of a connector's response.

The connector signs with Ed25519 (``alg`` "Ed25519", RFC 9864; "EdDSA" of RFC 8037 is accepted
too); the hub also accepts ES256. The signature travels in
the ``X-JWS-Signature`` response header as ``header..signature``; the payload is the body itself.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet, OKPKey

SIGNATURE_HEADER = "X-JWS-Signature"
#: Asymmetric algorithms only: ``none`` and HMAC (HS*) would let anyone holding the JWKS sign.
ALLOWED_ALGORITHMS: frozenset[str] = frozenset({"EdDSA", "Ed25519", "ES256"})
_KEY_TYPES = {"EdDSA": ("OKP", "Ed25519"), "Ed25519": ("OKP", "Ed25519"), "ES256": ("EC", "P-256")}
#: "EdDSA" names the same Ed25519 signature (the key type is checked first); joserfc deprecates
#: the name, so verify it with the fully specified algorithm.
_VERIFY_AS = {"EdDSA": "Ed25519", "Ed25519": "Ed25519", "ES256": "ES256"}
_SIGNING_ALGORITHMS = ("Ed25519", "ES256")
_REGISTRY = jws.construct_registry(_SIGNING_ALGORITHMS)
_MAX_SIGNATURE_CHARS = 2048


class SignatureError(Exception):
    """A signature that does not prove the body came from the registered key; says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SigningKey:
    """A connector's private signing key as a JWK, with the ``kid`` and ``alg`` it signs with."""

    jwk: dict[str, Any]

    @property
    def kid(self) -> str:
        return str(self.jwk["kid"])

    @property
    def alg(self) -> str:
        return str(self.jwk["alg"])

    def public_jwks(self) -> dict[str, Any]:
        """The JWKS publishing this key's public half."""
        public = _import(self.jwk).as_dict(private=False)
        return {"keys": [{**public, "kid": self.kid, "alg": self.alg, "use": "sig"}]}


def generate_signing_key(alg: str = "Ed25519") -> SigningKey:
    """A new private key for ``alg`` (Ed25519 or ES256), its ``kid`` the RFC 7638 thumbprint."""
    key: OKPKey | ECKey
    if alg == "ES256":
        key = ECKey.generate_key("P-256", auto_kid=True)
    elif alg == "Ed25519":
        key = OKPKey.generate_key("Ed25519", auto_kid=True)
    else:
        raise ValueError(f"cannot sign with {alg!r}: use Ed25519 or ES256")
    return SigningKey({**key.as_dict(private=True), "alg": alg})


def derived_signing_key(seed: bytes) -> SigningKey:
    """The Ed25519 key whose private half is ``seed`` (32 bytes): the same seed, the same key."""
    if len(seed) != 32:
        raise ValueError("an Ed25519 seed is 32 bytes")
    private = Ed25519PrivateKey.from_private_bytes(seed)
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    key = OKPKey.import_key({"kty": "OKP", "crv": "Ed25519", "d": _b64(seed),
                             "x": _b64(public)})
    return SigningKey({**key.as_dict(private=True), "kid": key.thumbprint(),
                       "alg": "Ed25519"})


def save_signing_key(key: SigningKey, path: Path) -> None:
    """Write ``key`` as a JWK to ``path``, readable by its owner only; refuses to overwrite."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(key.jwk, fh, indent=2)


def load_signing_key(path: Path) -> SigningKey:
    """The private key stored as a JWK in ``path``; ValueError if it cannot sign."""
    jwk = json.loads(path.read_text())
    if not isinstance(jwk, dict) or "d" not in jwk or "kid" not in jwk:
        raise ValueError(f"{path} is not a private JWK with a kid")
    jwk["alg"] = _VERIFY_AS.get(jwk.get("alg") or ("ES256" if jwk.get("kty") == "EC" else "EdDSA"))
    if jwk["alg"] not in _SIGNING_ALGORITHMS:
        raise ValueError(f"{path}: cannot sign with {jwk['alg']!r}")
    _import(jwk)
    return SigningKey(jwk)


def sign_detached(body: bytes, key: SigningKey) -> str:
    """A compact JWS over ``body`` with the payload left out: ``header..signature``."""
    compact = jws.serialize_compact({"alg": key.alg, "kid": key.kid}, body, _import(key.jwk),
                                    registry=_REGISTRY)
    header, _, signature = compact.split(".")
    return f"{header}..{signature}"


def verify_detached(body: bytes, signature: str, jwks: dict[str, Any]) -> None:
    """Return if ``signature`` is a valid detached JWS over ``body`` by a key in ``jwks``."""
    if len(signature) > _MAX_SIGNATURE_CHARS or signature.count(".") != 2:
        raise SignatureError("malformed signature")
    encoded_header, payload, encoded_signature = signature.split(".")
    if payload:
        raise SignatureError("signature is not detached")
    header = _header(encoded_header)
    alg = header.get("alg")
    if alg not in ALLOWED_ALGORITHMS:
        raise SignatureError(f"algorithm {str(alg)[:16]!r} not allowed")
    if set(header) - {"alg", "kid", "typ"}:
        # "crit", "b64", "jku", "x5u"… would change what is signed or where the key comes from.
        raise SignatureError("unexpected protected header parameters")
    jwk = _find_key(jwks, header.get("kid"))
    if (jwk.get("kty"), jwk.get("crv")) != _KEY_TYPES[alg]:
        raise SignatureError("key type does not match the algorithm")
    if jwk.get("alg") not in (None, alg):
        raise SignatureError("key is registered for another algorithm")
    try:
        public = _import(jwk)
    except (JoseError, ValueError, KeyError, TypeError):
        raise SignatureError("registered key is malformed") from None
    signing_input = f"{encoded_header}.{_b64(body)}".encode()
    model = _REGISTRY.get_alg(_VERIFY_AS[alg])
    try:
        valid = model.verify(signing_input, _unb64(encoded_signature), public)
    except (JoseError, ValueError, binascii.Error) as exc:
        raise SignatureError("signature does not match the body") from exc
    if not valid:
        raise SignatureError("signature does not match the body")


def _header(encoded: str) -> dict[str, Any]:
    try:
        header = json.loads(_unb64(encoded))
    except (ValueError, binascii.Error):
        raise SignatureError("malformed protected header") from None
    if not isinstance(header, dict):
        raise SignatureError("malformed protected header")
    return header


def _find_key(jwks: dict[str, Any], kid: Any) -> dict[str, Any]:
    if not isinstance(kid, str):
        raise SignatureError("signature has no kid")
    for jwk in jwks.get("keys", []):
        if isinstance(jwk, dict) and jwk.get("kid") == kid:
            return jwk
    raise SignatureError("unknown kid")


def _import(jwk: dict[str, Any]) -> OKPKey | ECKey:
    fields = {k: v for k, v in jwk.items() if k not in ("alg", "use", "key_ops")}
    key = KeySet.import_key_set({"keys": [fields]}).keys[0]
    if not isinstance(key, OKPKey | ECKey):
        raise SignatureError("key type not allowed")
    return key


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
