"""HTTPS on port 443 of the host engine's own loopback address (the contract: harness.shared.engine_https): a
self-signed certificate for that address, the CA bundle the engine's functions trust, and the engine settings."""

from __future__ import annotations

import datetime
import ipaddress
import socket
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from harness.shared.engine_https import CA_BUNDLE_ENV, HTTPS_PORT, RESPONSE_ENDPOINT_ENV, response_address

SYSTEM_CA_FILE = Path("/etc/ssl/certs/ca-certificates.crt")
_VALIDITY = datetime.timedelta(days=2)


def write_certificate(directory: Path, address: str) -> tuple[Path, Path]:
    """The engine's key+certificate (LocalStack's CUSTOM_SSL_CERT_PATH form) and the functions' CA bundle."""
    directory.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, address)])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + _VALIDITY)
        .add_extension(x509.SubjectAlternativeName([
            x509.IPAddress(ipaddress.ip_address(address)), x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
            x509.DNSName("localhost"), x509.DNSName("localhost.localstack.cloud")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    certificate_pem = certificate.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                serialization.NoEncryption())
    server = directory / "server.pem"
    server.write_bytes(key_pem + certificate_pem)
    bundle = directory / "ca-bundle.pem"
    system = SYSTEM_CA_FILE.read_bytes() if SYSTEM_CA_FILE.is_file() else b""
    bundle.write_bytes(system + b"\n" + certificate_pem)
    return server, bundle


def can_listen(address: str) -> bool:
    """Port 443 needs root (or CAP_NET_BIND_SERVICE); without it the engine runs without this endpoint."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((address, HTTPS_PORT))
        except OSError:
            return False
    return True


def engine_https_environment(state_dir: Path, port: int) -> dict[str, str]:
    """What the engine's environment adds (GATEWAY_LISTEN: the main listener and this one), or {} when port 443 cannot
    be bound: custom resources then get an http:// ResponseURL on the main port, which CDK's Node providers cannot use."""
    address = response_address(port)
    if not can_listen(address):
        return {}
    server, bundle = write_certificate(state_dir / "tls", address)
    return {
        "GATEWAY_LISTEN": f"127.0.0.1:{port},{address}:{HTTPS_PORT}",
        "CUSTOM_SSL_CERT_PATH": str(server),
        RESPONSE_ENDPOINT_ENV: f"https://{address}",
        CA_BUNDLE_ENV: str(bundle),
    }
