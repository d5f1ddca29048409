"""The harness's certificate authority and the certificates it issues for AWS hostnames.

Made once per machine in the harness cache (`<cache>/aws-endpoints/`), with `cryptography`: a CA key and
certificate, one leaf key shared by every leaf certificate (so Chromium can trust it by its SPKI hash), and a
trust bundle (the system's CAs + the harness CA) for the runtimes that take one file (SSL_CERT_FILE and the like).
Nothing is added to the host's trust store. A leaf certificate, valid for 30 days, is kept in `leaves/` and used by
every engine for a week after it was issued (issue 13: issuing one and importing cryptography's x509 modules for it
took ~18 ms of CPU and 5 MB in every engine's boot); cryptography is imported only where a key or certificate is made
or read.

The names a leaf certificate covers follow AWS's own certificates: S3 presents a wildcard one label below its
endpoint (`*.s3.amazonaws.com`, `*.s3.us-east-1.amazonaws.com`), so a dotted bucket name in the host
(`assets.cruddur.com.s3.amazonaws.com`) fails the client's hostname check here as it does on AWS (which is why the
SDKs address such buckets path-style over https); every other name gets a certificate for itself.
"""

from __future__ import annotations

import base64
import datetime
import fcntl
import hashlib
import os
import re
import ssl
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from harness.shared.cache import cache_dir

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import ec

CA_NAME = "cruddur-harness local AWS endpoints CA"
AWS_DOMAIN = "amazonaws.com"
_S3_ENDPOINT = re.compile(r"^(?P<bucket>.+?)\.(?P<endpoint>s3[.-](?:[a-z0-9-]+\.)*amazonaws\.com)$")
_CA_LIFETIME = datetime.timedelta(days=3650)
_LEAF_LIFETIME = datetime.timedelta(days=30)
_LEAF_REUSE_SECONDS = 7 * 24 * 3600  # a kept leaf outlives any engine that takes it by weeks
_SYSTEM_BUNDLES = ("/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem")


def endpoints_dir() -> Path:
    return cache_dir() / "aws-endpoints"


@dataclass(frozen=True)
class HarnessCa:
    """The files of the CA: `certificate` (PEM) is what clients trust; `trust_bundle` = system CAs + it."""

    directory: Path

    @property
    def certificate(self) -> Path:
        return self.directory / "ca.pem"

    @property
    def key(self) -> Path:
        return self.directory / "ca-key.pem"

    @property
    def leaf_key(self) -> Path:
        return self.directory / "leaf-key.pem"

    @property
    def trust_bundle(self) -> Path:
        return self.directory / "trust-bundle.pem"

    def leaf_spki_sha256(self) -> str:
        """base64(sha256(SubjectPublicKeyInfo)) of the shared leaf key: Chromium's `--ignore-certificate-errors-spki-list`."""
        from cryptography.hazmat.primitives import serialization

        key = serialization.load_pem_private_key(self.leaf_key.read_bytes(), password=None)
        spki = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        return base64.b64encode(hashlib.sha256(spki).digest()).decode()

    def leaf_chain(self, hostname: str) -> Path:
        """A PEM file: a leaf certificate for `hostname` (then the CA's), kept from an earlier call for a week unless
        the CA was made again since; its key is `leaf_key`. Safe when several processes ask at once; a CA folder
        that cannot be written to gets the new certificate in a temporary file of this process instead."""
        chain = self.directory / "leaves" / f"{certificate_names(hostname)[0].replace('*', '_')}.pem"
        try:
            issued = chain.stat().st_mtime
            if self.certificate.stat().st_mtime <= issued and 0 <= time.time() - issued < _LEAF_REUSE_SECONDS:
                return chain
        except OSError:  # none kept (or no folder to keep one in)
            pass
        pem = self.issue(hostname)
        try:
            chain.parent.mkdir(exist_ok=True)
            _new_pem_file(pem, chain.parent).replace(chain)  # whole or not at all: other engines read it meanwhile
            return chain
        except OSError:
            return _new_pem_file(pem, None)

    def issue(self, hostname: str) -> bytes:
        """A PEM leaf certificate (then the CA's) for `hostname`, with the shared leaf key."""
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

        ca_cert = x509.load_pem_x509_certificate(self.certificate.read_bytes())
        ca_key = serialization.load_pem_private_key(self.key.read_bytes(), password=None)
        leaf_key = serialization.load_pem_private_key(self.leaf_key.read_bytes(), password=None)
        now = datetime.datetime.now(datetime.timezone.utc)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, certificate_names(hostname)[0])]))
            .issuer_name(ca_cert.subject)
            .public_key(leaf_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + _LEAF_LIFETIME)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in certificate_names(hostname)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        return certificate.public_bytes(serialization.Encoding.PEM) + self.certificate.read_bytes()

    def client_context(self) -> ssl.SSLContext:
        """An SSL context that trusts the system's CAs and the harness CA (what the test process uses)."""
        context = ssl.create_default_context()
        context.load_verify_locations(cafile=str(self.certificate))
        return context


def is_aws_hostname(name: str | None) -> bool:
    """`amazonaws.com` or a name under it, any case, one trailing dot allowed (the LD_PRELOAD library's rule too)."""
    name = (name or "").rstrip(".").lower()
    return name == AWS_DOMAIN or name.endswith("." + AWS_DOMAIN)


def certificate_names(hostname: str) -> list[str]:
    """The DNS names AWS's certificate for `hostname` covers (see the module docstring)."""
    name = hostname.rstrip(".").lower()
    match = _S3_ENDPOINT.match(name)
    return [f"*.{match['endpoint']}"] if match else [name]


def ensure_ca(directory: Path | None = None) -> HarnessCa:
    """The CA in `directory` (default: the cache), made on first use; safe when several processes race."""
    ca = HarnessCa(directory or endpoints_dir())
    if ca.trust_bundle.is_file():
        return ca
    ca.directory.mkdir(parents=True, exist_ok=True)
    with open(ca.directory / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not ca.trust_bundle.is_file():
            _make_ca(ca)
    return ca


def _make_ca(ca: HarnessCa) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, CA_NAME)])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + _CA_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                                     key_encipherment=False, data_encipherment=False, key_agreement=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_private(ca.key, key)
    _write_private(ca.leaf_key, ec.generate_private_key(ec.SECP256R1()))
    pem = certificate.public_bytes(serialization.Encoding.PEM)
    ca.certificate.write_bytes(pem)
    ca.trust_bundle.with_suffix(".tmp").write_bytes(_system_bundle() + pem)
    ca.trust_bundle.with_suffix(".tmp").replace(ca.trust_bundle)  # last: its presence means the CA is complete


def _new_pem_file(pem: bytes, directory: Path | None) -> Path:
    """A new file of this process holding `pem`, in `directory` (None: the temporary directory); none if it fails."""
    descriptor, name = tempfile.mkstemp(dir=directory, prefix="harness-leaf-", suffix=".pem")
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(pem)
    except BaseException:
        os.unlink(name)
        raise
    return Path(name)


def _write_private(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    from cryptography.hazmat.primitives import serialization

    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(pem)


def _system_bundle() -> bytes:
    """The host's CA bundle (OpenSSL's default file, else a distribution's usual place, else certifi's)."""
    candidates = [ssl.get_default_verify_paths().cafile, *_SYSTEM_BUNDLES]
    for candidate in candidates:
        if candidate and os.path.isfile(candidate):
            data = Path(candidate).read_bytes()
            return data if data.endswith(b"\n") else data + b"\n"
    import certifi

    return Path(certifi.where()).read_bytes()
