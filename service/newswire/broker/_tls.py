"""A throwaway certificate authority for the embedded broker's TLS listener (tests, trying it out).

One CA signs a server certificate for ``localhost`` and ``127.0.0.1`` and a client certificate
(for mutual TLS). Everything is written as PEM next to the broker's data; nothing here is fit
for a broker other people connect to: the CA key sits unencrypted beside the certificates.
"""

from __future__ import annotations

import dataclasses
import datetime
import ipaddress
from pathlib import Path

from newswire.errors import BrokerError


@dataclasses.dataclass(frozen=True, slots=True)
class TlsFiles:
    """Where the PEM files are: what the broker loads and what clients point at."""

    folder: Path

    @property
    def ca(self) -> Path:
        """The CA certificate: clients' ``kafka.ssl_cafile``, and the broker's truststore."""
        return self.folder / "ca.pem"

    @property
    def server(self) -> Path:
        """The broker's key and certificate chain in one file (Kafka's PEM keystore)."""
        return self.folder / "server.pem"

    @property
    def client_cert(self) -> Path:
        """A client certificate the broker trusts: ``kafka.ssl_certfile`` for mutual TLS."""
        return self.folder / "client.pem"

    @property
    def client_key(self) -> Path:
        """The client certificate's key: ``kafka.ssl_keyfile``."""
        return self.folder / "client-key.pem"


def ensure_tls_files(folder: Path, days: int = 30) -> TlsFiles:
    """Create the CA, server and client certificates in ``folder`` unless they are there already."""
    files = TlsFiles(folder)
    if all(p.is_file() for p in (files.ca, files.server, files.client_cert, files.client_key)):
        return files
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
    except ImportError:
        raise BrokerError(
            "the embedded broker's TLS needs the 'cryptography' package: pip install cryptography"
        ) from None

    now = datetime.datetime.now(datetime.UTC)
    pem = serialization.Encoding.PEM
    # Kafka's PEM keystore reads PKCS#8 keys only.
    pkcs8 = serialization.PrivateFormat.PKCS8

    def name(common: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])

    def certificate(
        subject: str, key: ec.EllipticCurvePrivateKey, issuer: x509.Name, signer: ec.EllipticCurvePrivateKey
    ) -> x509.CertificateBuilder:
        return (
            x509.CertificateBuilder()
            .subject_name(name(subject))
            .issuer_name(issuer)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=days))
        )

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = (
        certificate("newswire embedded broker CA", ca_key, name("newswire embedded broker CA"), ca_key)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
        .sign(ca_key, hashes.SHA256())
    )
    server_key = ec.generate_private_key(ec.SECP256R1())
    server_cert = (
        certificate("localhost", server_key, ca_cert.subject, ca_key)
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    client_key = ec.generate_private_key(ec.SECP256R1())
    client_cert = (
        certificate("newswire", client_key, ca_cert.subject, ca_key)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    plain = serialization.NoEncryption()
    files.ca.write_bytes(ca_cert.public_bytes(pem))
    files.server.write_bytes(
        server_key.private_bytes(pem, pkcs8, plain)
        + server_cert.public_bytes(pem)
        + ca_cert.public_bytes(pem)
    )
    files.client_cert.write_bytes(client_cert.public_bytes(pem))
    files.client_key.write_bytes(client_key.private_bytes(pem, pkcs8, plain))
    for private in (files.server, files.client_key):
        private.chmod(0o600)
    return files
