"""Pinned connections over TLS: the address is pinned, the name is still what TLS verifies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from connectors.client import ConnectorClient, PermanentPullError
from connectors.signing import SigningKey
from connectors.urlguard import UrlPolicy
from tests.connectors.conftest import serving_tls
from tests.connectors.test_client import SECRET, FakeConnector

NAME = "la.example.test"


def _certificate(subject: str, issuer: x509.Name, signer: ec.EllipticCurvePrivateKey,
                 public: ec.EllipticCurvePublicKey, ca: bool) -> x509.Certificate:
    now = datetime.now(UTC)
    builder = (x509.CertificateBuilder()
               .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
               .issuer_name(issuer).public_key(public).serial_number(x509.random_serial_number())
               .not_valid_before(now - timedelta(minutes=5))
               .not_valid_after(now + timedelta(hours=1))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if not ca:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(subject)]),
                                        critical=False)
    return builder.sign(signer, hashes.SHA256())


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A private CA, and server certificates it issued for NAME and for another name."""
    directory = tmp_path_factory.mktemp("pki")
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test CA")])
    ca = _certificate("test CA", ca_name, ca_key, ca_key.public_key(), ca=True)
    paths = {"ca": str(directory / "ca.pem")}
    Path(paths["ca"]).write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    for label, subject in (("right", NAME), ("wrong", "other.example.test")):
        key = ec.generate_private_key(ec.SECP256R1())
        cert = _certificate(subject, ca_name, ca_key, key.public_key(), ca=False)
        paths[f"{label}_cert"] = str(directory / f"{label}.pem")
        paths[f"{label}_key"] = str(directory / f"{label}.key")
        Path(paths[f"{label}_cert"]).write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        Path(paths[f"{label}_key"]).write_bytes(key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))
    return paths


def _client(port: int, ca: str, key: SigningKey) -> ConnectorClient:
    policy = UrlPolicy(allowed_hosts=frozenset({NAME}), ca_bundle=ca, read_timeout=2,
                       resolver=lambda host, _: ["127.0.0.1"] if host == NAME else [])
    base = f"https://{NAME}:{port}"
    return ConnectorClient(base, f"{base}/oauth/token", key.public_jwks(), "hub", SECRET,
                           policy, la_code="E09000001")


def test_https_to_a_pinned_address_verifies_the_hosts_certificate(
        pki: dict[str, str], signing_key: SigningKey, other_key: SigningKey) -> None:
    fake = FakeConnector(signing_key, other_key)
    with serving_tls(fake.app, pki["right_cert"], pki["right_key"]) as port:
        extract, _, _ = _client(port, pki["ca"], signing_key).fetch_extract("workforce",
                                                                            "2024-Q1")
    assert extract.period == "2024-Q1"
    assert fake.hosts == [f"{NAME}:{port}"]


def test_a_certificate_for_another_name_is_refused(pki: dict[str, str],
                                                   signing_key: SigningKey,
                                                   other_key: SigningKey) -> None:
    fake = FakeConnector(signing_key, other_key)
    with serving_tls(fake.app, pki["wrong_cert"], pki["wrong_key"]) as port, \
            pytest.raises(PermanentPullError) as info:
        _client(port, pki["ca"], signing_key).fetch_extract("workforce", "2024-Q1")
    assert info.value.code == "tls_error"
    assert fake.token_requests == 0
