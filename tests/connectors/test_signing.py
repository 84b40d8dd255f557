"""Detached JWS: what verifies, and each way a signature is refused."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path

import pytest

from connectors.signing import (
    SignatureError,
    SigningKey,
    generate_signing_key,
    load_signing_key,
    save_signing_key,
    sign_detached,
    verify_detached,
)

BODY = b'{"la_code":"E09000001","period":"2024-Q1"}'


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_a_signature_verifies_over_the_exact_body(signing_key: SigningKey) -> None:
    signature = sign_detached(BODY, signing_key)
    header, payload, _ = signature.split(".")
    assert payload == ""  # detached: RFC 7515 Appendix F
    assert json.loads(base64.urlsafe_b64decode(header + "==")) == {
        "alg": "Ed25519", "kid": signing_key.kid}
    verify_detached(BODY, signature, signing_key.public_jwks())


def test_es256_is_accepted_too() -> None:
    key = generate_signing_key("ES256")
    verify_detached(BODY, sign_detached(BODY, key), key.public_jwks())


def test_the_published_jwks_holds_no_private_part(signing_key: SigningKey) -> None:
    (jwk,) = signing_key.public_jwks()["keys"]
    assert "d" not in jwk and jwk["kid"] == signing_key.kid and jwk["use"] == "sig"


def refused(body: bytes, signature: str, jwks: dict[str, object]) -> str:
    with pytest.raises(SignatureError) as info:
        verify_detached(body, signature, jwks)
    return info.value.reason


def test_a_tampered_body_is_refused(signing_key: SigningKey) -> None:
    signature = sign_detached(BODY, signing_key)
    tampered = BODY.replace(b"2024-Q1", b"2024-Q2")
    assert refused(tampered, signature, signing_key.public_jwks()) == \
        "signature does not match the body"


def test_a_body_with_one_extra_byte_is_refused(signing_key: SigningKey) -> None:
    signature = sign_detached(BODY, signing_key)
    assert refused(BODY + b" ", signature, signing_key.public_jwks()) == \
        "signature does not match the body"


def test_another_las_key_is_an_unknown_kid(signing_key: SigningKey,
                                           other_key: SigningKey) -> None:
    signature = sign_detached(BODY, other_key)
    assert refused(BODY, signature, signing_key.public_jwks()) == "unknown kid"


def test_another_key_claiming_the_registered_kid_is_refused(signing_key: SigningKey,
                                                            other_key: SigningKey) -> None:
    forged = SigningKey({**other_key.jwk, "kid": signing_key.kid})
    signature = sign_detached(BODY, forged)
    assert refused(BODY, signature, signing_key.public_jwks()) == \
        "signature does not match the body"


@pytest.mark.parametrize("alg", ["none", "HS256", "RS256", "ES384"])
def test_algorithms_outside_the_allowed_set_are_refused(alg: str,
                                                        signing_key: SigningKey) -> None:
    header = b64(json.dumps({"alg": alg, "kid": signing_key.kid}).encode())
    assert refused(BODY, f"{header}..", signing_key.public_jwks()) == \
        f"algorithm {alg!r} not allowed"


def test_hs256_with_the_public_key_as_secret_is_refused(signing_key: SigningKey) -> None:
    # The classic confusion attack: an HMAC keyed with the public key everyone can read.
    header = b64(json.dumps({"alg": "HS256", "kid": signing_key.kid}).encode())
    public = signing_key.public_jwks()["keys"][0]["x"].encode()
    mac = hmac.new(public, f"{header}.{b64(BODY)}".encode(), hashlib.sha256).digest()
    assert refused(BODY, f"{header}..{b64(mac)}", signing_key.public_jwks()) == \
        "algorithm 'HS256' not allowed"


def test_an_es256_header_over_an_ed25519_key_is_refused(signing_key: SigningKey) -> None:
    signature = sign_detached(BODY, signing_key)
    _, _, sig = signature.split(".")
    header = b64(json.dumps({"alg": "ES256", "kid": signing_key.kid}).encode())
    assert refused(BODY, f"{header}..{sig}", signing_key.public_jwks()) == \
        "key type does not match the algorithm"


@pytest.mark.parametrize(("signature", "reason"), [
    ("", "malformed signature"),
    ("abc", "malformed signature"),
    ("a.b.c.d", "malformed signature"),
    ("!!!..sig", "malformed protected header"),
    (f"{b64(b'[1]')}..sig", "malformed protected header"),
    (f"{b64(json.dumps({'alg': 'Ed25519'}).encode())}..sig", "signature has no kid"),
])
def test_malformed_signatures_are_refused(signature: str, reason: str,
                                          signing_key: SigningKey) -> None:
    assert refused(BODY, signature, signing_key.public_jwks()) == reason


def test_an_attached_payload_is_refused(signing_key: SigningKey) -> None:
    header, _, sig = sign_detached(BODY, signing_key).split(".")
    assert refused(BODY, f"{header}.{b64(BODY)}.{sig}", signing_key.public_jwks()) == \
        "signature is not detached"


def test_extra_header_parameters_are_refused(signing_key: SigningKey) -> None:
    header = b64(json.dumps({"alg": "Ed25519", "kid": signing_key.kid, "b64": False,
                             "crit": ["b64"]}).encode())
    assert refused(BODY, f"{header}..x", signing_key.public_jwks()) == \
        "unexpected protected header parameters"


def test_keys_are_saved_privately_and_load_back(tmp_path: Path,
                                                signing_key: SigningKey) -> None:
    path = tmp_path / "key.jwk"
    save_signing_key(signing_key, path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert load_signing_key(path) == signing_key
    with pytest.raises(FileExistsError):
        save_signing_key(signing_key, path)


def test_a_public_key_cannot_be_loaded_to_sign(tmp_path: Path, signing_key: SigningKey) -> None:
    path = tmp_path / "public.jwk"
    path.write_text(json.dumps(signing_key.public_jwks()["keys"][0]))
    with pytest.raises(ValueError, match="not a private JWK"):
        load_signing_key(path)


def test_a_malformed_registered_key_is_a_signature_error(signing_key: SigningKey) -> None:
    signature = sign_detached(BODY, signing_key)
    broken = {"keys": [{"kty": "OKP", "crv": "Ed25519", "kid": signing_key.kid}]}
    assert refused(BODY, signature, broken) == "registered key is malformed"
