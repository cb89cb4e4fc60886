"""A throw-away self-signed certificate for ``mockecs server --https`` (needs the ``server-https`` extra).

``cryptography`` is used rather than an ``openssl`` subprocess: it is a wheel on every platform
(and already pulled in by both Alibaba Cloud Python SDKs), while the CLI may be missing or differ
(LibreSSL on macOS, none on Windows).
"""
from __future__ import annotations

import datetime
import ipaddress
import os
import tempfile
from typing import Iterable


def self_signed(hosts: Iterable[str] = ("localhost", "127.0.0.1", "::1"),
                directory: str | None = None) -> tuple[str, str]:
    """Write a fresh key and certificate (valid for ``hosts``, 30 days) and return their paths."""
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RuntimeError("--https needs the 'cryptography' package: pip install 'mockecs[server-https]'") from exc

    key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = []
    for host in dict.fromkeys(list(hosts) + ["localhost", "127.0.0.1"]):
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mockecs")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder()
            .subject_name(subject).issuer_name(subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    directory = directory or tempfile.mkdtemp(prefix="mockecs-tls-")
    cert_path, key_path = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    with open(cert_path, "wb") as fh:
        fh.write(cert.public_bytes(serialization.Encoding.PEM))
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                   serialization.NoEncryption()))
    return cert_path, key_path
