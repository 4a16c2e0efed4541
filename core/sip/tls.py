"""The appliance's TLS certificates: self-signed, generated into the data folder on first start and
kept from then on. SIP over TLS uses ``tls/sip.crt``, the web server's HTTPS (web UI, API and
provisioning) ``tls/web.crt``; both come from ``ensure_certificate``. Clients that cannot be given
the certificate (most desk phones) cannot verify it: it proves nothing but that the key is unchanged.
"""

from __future__ import annotations

import datetime
import ipaddress
import socket
import ssl
from collections.abc import Iterable
from pathlib import Path
from typing import Final

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from cordboard.core.storage.atomic import atomic_write

SIP: Final = "sip"
WEB: Final = "web"
VALID_DAYS: Final = 3650
ALWAYS_NAMED: Final = ("localhost", "cordboard.local", "127.0.0.1", "::1")
"""Names every certificate carries besides the host name and the addresses it is made for."""


def certificate_files(service: str) -> tuple[str, str]:
    """The certificate's and key's paths relative to the data folder: ``tls/<service>.crt``, ``.key``."""
    return f"tls/{service}.crt", f"tls/{service}.key"


def _subject_names(names: Iterable[str]) -> list[x509.GeneralName]:
    result: list[x509.GeneralName] = []
    for name in dict.fromkeys(n.strip() for n in names):
        if not name or name in ("0.0.0.0", "::"):
            continue
        try:
            result.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            result.append(x509.DNSName(name))
    return result


def ensure_certificate(data_dir: Path, names: Iterable[str], *, service: str = SIP) -> tuple[Path, Path]:
    """Return the (certificate, key) paths of ``service``, creating a self-signed pair if none exists
    (blocking). ``names``: the addresses and host names the certificate is for (wildcard bind
    addresses are skipped); the machine's host name and ``ALWAYS_NAMED`` are added."""
    cert_name, key_name = certificate_files(service)
    cert_path, key_path = data_dir / cert_name, data_dir / key_name
    if cert_path.exists() and key_path.exists():
        return cert_path, key_path
    key = ec.generate_private_key(ec.SECP256R1())
    hostname = socket.gethostname() or "cordboard"
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostname)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
        .add_extension(
            x509.SubjectAlternativeName(_subject_names([hostname, *names, *ALWAYS_NAMED])), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    atomic_write(
        key_path,
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
        mode=0o600,
    )
    atomic_write(cert_path, cert.public_bytes(serialization.Encoding.PEM))
    return cert_path, key_path


def server_context(cert_path: Path, key_path: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert_path, key_path)
    return context
