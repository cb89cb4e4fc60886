"""Certificates for ``mockecs server``: the mockecs CA, and server certificates it signs.

The CA is made once per user and kept in mockecs' data directory (:func:`data_dir`; ``mockecs ca``
prints its path): trusting its certificate (``REQUESTS_CA_BUNDLE``, ``SSL_CERT_FILE``,
``NODE_EXTRA_CA_CERTS``, the system store) lets unchanged code reach the fake over HTTPS, both through
the proxy's ``CONNECT`` (:mod:`mockecs.modes.server.proxy`) and on an ``--https`` port. Server keys never
touch the disk for longer than loading them into an ``ssl.SSLContext`` takes.

``cryptography`` is used rather than an ``openssl`` subprocess: it is a wheel on every platform
(and already pulled in by both Alibaba Cloud Python SDKs), while the CLI may be missing or differ
(LibreSSL on macOS, none on Windows).
"""
from __future__ import annotations

import contextlib
import datetime
import ipaddress
import os
import shutil
import ssl
import sys
import tempfile
import threading
from collections import OrderedDict
from typing import Any, Iterable, Iterator, Optional

DATA_DIR_ENV = "MOCKECS_DATA_DIR"
CA_CERT_NAME = "mockecs-ca.pem"
_CA_KEY_NAME = "mockecs-ca-key.pem"  # the CA's key and certificate, readable by the user only


def data_dir() -> str:
    """Where mockecs keeps per-user files: ``$MOCKECS_DATA_DIR``, else the platform's user data directory
    (``$XDG_DATA_HOME/mockecs`` or ``~/.local/share/mockecs``; ``~/Library/Application Support/mockecs``;
    ``%LOCALAPPDATA%\\mockecs``), the places ``platformdirs`` would pick, without the dependency."""
    if os.environ.get(DATA_DIR_ENV):
        return os.path.abspath(os.path.expanduser(os.environ[DATA_DIR_ENV]))
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or os.path.expanduser(r"~\AppData\Local")
    elif sys.platform == "darwin":
        base = os.path.expanduser("~/Library/Application Support")
    else:
        base = os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share")
    return os.path.join(base, "mockecs")


def ca_cert_path(directory: Optional[str] = None) -> str:
    """The CA certificate to trust (it may not exist yet: :func:`authority` makes it)."""
    return os.path.join(directory or data_dir(), CA_CERT_NAME)


def _crypto() -> Any:
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RuntimeError("HTTPS needs the 'cryptography' package: pip install 'mockecs[server-https]'") from exc
    return x509, hashes, serialization, ec, NameOID, ExtendedKeyUsageOID


def _names(hosts: Iterable[str]) -> list:
    x509 = _crypto()[0]
    names = []
    for host in dict.fromkeys(hosts):
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    return names


class CertificateAuthority:
    """The mockecs CA: signs a server certificate per host name and hands out ``ssl`` contexts for them."""

    def __init__(self, key: Any, cert: Any, cert_path: str) -> None:
        self.key, self.cert, self.cert_path = key, cert, cert_path
        self._leaf_key: Any = None
        self._contexts: OrderedDict[tuple, ssl.SSLContext] = OrderedDict()
        self._lock = threading.Lock()

    @classmethod
    def load_or_create(cls, directory: Optional[str] = None) -> CertificateAuthority:
        """The CA of ``directory`` (default :func:`data_dir`), made on first use.

        Concurrent first uses (test workers, two servers) agree on one CA: the key file is linked into
        place only if absent, and whoever loses the race loads the winner's.
        """
        x509, hashes, serialization, ec, NameOID, _ = _crypto()
        directory = directory or data_dir()
        os.makedirs(directory, mode=0o700, exist_ok=True)
        key_path = os.path.join(directory, _CA_KEY_NAME)
        if not os.path.exists(key_path):
            key = ec.generate_private_key(ec.SECP256R1())
            name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mockecs local CA"),
                              x509.NameAttribute(NameOID.ORGANIZATION_NAME, "mockecs")])
            now = datetime.datetime.now(datetime.timezone.utc)
            ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
            cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                    .serial_number(x509.random_serial_number())
                    .not_valid_before(now - datetime.timedelta(days=1))
                    .not_valid_after(now + datetime.timedelta(days=3650))
                    .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                    .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                                 content_commitment=False, key_encipherment=False,
                                                 data_encipherment=False, key_agreement=False,
                                                 encipher_only=False, decipher_only=False), critical=True)
                    .add_extension(ski, critical=False)
                    .sign(key, hashes.SHA256()))
            pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()) + cert.public_bytes(serialization.Encoding.PEM)
            fd, tmp = tempfile.mkstemp(dir=directory, prefix=".ca-")  # 0600
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(pem)
                with contextlib.suppress(FileExistsError):
                    os.link(tmp, key_path)
            finally:
                os.unlink(tmp)
        with open(key_path, "rb") as fh:
            pem = fh.read()
        key = serialization.load_pem_private_key(pem, password=None)
        cert = x509.load_pem_x509_certificate(pem[pem.index(b"-----BEGIN CERTIFICATE-----"):])
        cert_path = ca_cert_path(directory)
        cert_pem = cert.public_bytes(serialization.Encoding.PEM)
        if not os.path.exists(cert_path) or open(cert_path, "rb").read() != cert_pem:
            fd, tmp = tempfile.mkstemp(dir=directory, prefix=".cert-")
            with os.fdopen(fd, "wb") as fh:
                fh.write(cert_pem)
            os.chmod(tmp, 0o644)
            os.replace(tmp, cert_path)
        return cls(key, cert, cert_path)

    def issue(self, hosts: Iterable[str]) -> tuple[bytes, bytes]:
        """A server certificate for ``hosts`` signed by this CA: ``(certificate chain PEM, key PEM)``."""
        x509, hashes, serialization, ec, NameOID, ExtendedKeyUsageOID = _crypto()
        hosts = list(hosts)
        with self._lock:  # one key for every server certificate of this process: cheap issuing
            if self._leaf_key is None:
                self._leaf_key = ec.generate_private_key(ec.SECP256R1())
            key = self._leaf_key
        now = datetime.datetime.now(datetime.timezone.utc)
        ca_ski = self.cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
        cert = (x509.CertificateBuilder()
                .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0][:64])]))
                .issuer_name(self.cert.subject).public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(hours=1))
                .not_valid_after(now + datetime.timedelta(days=397))  # clients refuse longer-lived ones
                .add_extension(x509.SubjectAlternativeName(_names(hosts)), critical=False)
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(x509.KeyUsage(digital_signature=True, key_encipherment=False, key_cert_sign=False,
                                             crl_sign=False, content_commitment=False, data_encipherment=False,
                                             key_agreement=False, encipher_only=False, decipher_only=False),
                               critical=True)
                .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
                .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski),
                               critical=False)
                .sign(self.key, hashes.SHA256()))
        chain = cert.public_bytes(serialization.Encoding.PEM) + self.cert.public_bytes(serialization.Encoding.PEM)
        return chain, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption())

    def context(self, *hosts: str) -> ssl.SSLContext:
        """A server-side TLS context presenting a certificate for ``hosts`` (cached, newest 256)."""
        with self._lock:
            ctx = self._contexts.get(hosts)
            if ctx is not None:
                self._contexts.move_to_end(hosts)
                return ctx
        chain, key = self.issue(hosts)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        with pem_files(chain, key) as (cert_path, key_path):
            ctx.load_cert_chain(cert_path, key_path)
        with self._lock:
            self._contexts[hosts] = ctx
            while len(self._contexts) > 256:
                self._contexts.popitem(last=False)
        return ctx


@contextlib.contextmanager
def pem_files(chain: bytes, key: bytes) -> Iterator[tuple[str, str]]:
    """``(cert path, key path)`` in a private temporary directory that is removed on exit.

    ``ssl`` loads certificates only from files; the key lives on disk only while it is being loaded.
    """
    directory = tempfile.mkdtemp(prefix="mockecs-tls-")  # 0700
    try:
        yield _write_pair(directory, chain, key)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _write_pair(directory: str, chain: bytes, key: bytes) -> tuple[str, str]:
    cert_path, key_path = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    with open(cert_path, "wb") as fh:
        fh.write(chain)
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key)
    return cert_path, key_path


def authority(directory: Optional[str] = None) -> CertificateAuthority:
    """The process-wide CA of ``directory`` (default: the data directory), loaded once."""
    path = os.path.abspath(directory or data_dir())
    with _AUTHORITIES_LOCK:
        ca = _AUTHORITIES.get(path)
        if ca is None:
            ca = _AUTHORITIES[path] = CertificateAuthority.load_or_create(path)
        return ca


_AUTHORITIES: dict[str, CertificateAuthority] = {}
_AUTHORITIES_LOCK = threading.Lock()


def server_certificate(hosts: Iterable[str], directory: str) -> tuple[str, str]:
    """Write a key and a certificate for ``hosts`` signed by the mockecs CA into ``directory`` (the
    caller's, for ``--certfile/--keyfile``) and return their paths."""
    return _write_pair(directory, *authority().issue(list(hosts)))


_BUNDLE_MARK = b"\n# mockecs local CA (mockecs ca --trust-certifi)\n"


def add_to_bundle(bundle: str, ca_path: str) -> bool:
    """Append the CA certificate at ``ca_path`` to the PEM bundle ``bundle`` unless it is there already.

    The current Python SDK verifies HTTPS against ``certifi``'s bundle only (it passes ``verify=True`` to
    ``requests``, which then ignores ``REQUESTS_CA_BUNDLE`` and ``SSL_CERT_FILE``); this is how its
    unchanged code comes to trust the mockecs CA. True if the bundle changed.
    """
    with open(ca_path, "rb") as fh:
        cert = fh.read().strip() + b"\n"
    with open(bundle, "rb") as fh:
        if cert in fh.read():
            return False
    with open(bundle, "ab") as fh:
        fh.write(_BUNDLE_MARK + cert)
    return True


def remove_from_bundle(bundle: str) -> bool:
    """Undo :func:`add_to_bundle`; True if the bundle changed."""
    with open(bundle, "rb") as fh:
        data = fh.read()
    start = data.find(_BUNDLE_MARK)
    if start < 0:
        return False
    end = data.find(b"-----END CERTIFICATE-----", start) + len(b"-----END CERTIFICATE-----\n")
    with open(bundle, "wb") as fh:
        fh.write(data[:start] + data[end:])
    return True


def combined_bundle(ca_path: str, directory: Optional[str] = None) -> str:
    """A PEM bundle of the usual public CAs (certifi's, else the system's default file) plus the mockecs CA,
    written next to the CA: for ``SSL_CERT_FILE``/``REQUESTS_CA_BUNDLE`` in a process that also talks to real
    HTTPS hosts. Returns its path."""
    try:
        import certifi

        public = certifi.where()
    except ImportError:
        public = ssl.get_default_verify_paths().cafile or ""
    data = b""
    if public and os.path.exists(public):
        with open(public, "rb") as fh:
            data = fh.read().rstrip(b"\n") + b"\n"
    with open(ca_path, "rb") as fh:
        data += _BUNDLE_MARK + fh.read()
    path = os.path.join(directory or os.path.dirname(ca_path), "ca-bundle.pem")
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".bundle-")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)
    return path
