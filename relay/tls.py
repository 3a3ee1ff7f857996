"""TLS for the relay: the server's SSL context from `--tls-cert` and `--tls-key`, and which binds need it.

The files are checked one by one before the relay starts, so a mistake is one line naming the file
and what is wrong with it (docs/deploy.md, "TLS"), not an OpenSSL error at the first connection.
"""

from __future__ import annotations

import ipaddress
import logging
import ssl
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization

logger = logging.getLogger(__name__)

MIN_VERSION = ssl.TLSVersion.TLSv1_2
HSTS = "max-age=31536000"
"""`Strict-Transport-Security` while TLS is on: a year, this host only (a shop's other hosts are its own)."""


class TlsSetupError(Exception):
    """The certificate or key cannot be served: one line naming the file and what is wrong."""


def is_loopback(host: str) -> bool:
    """True for a bind only this machine can reach: `localhost`, 127.0.0.0/8, `::1`.

    Anything else counts as reachable from the network: `0.0.0.0`, `::` and "" (every interface), a
    LAN address, or any other host name (it is not resolved: what it names may change)."""
    name = host.strip().removeprefix("[").removesuffix("]").lower()
    if name in ("localhost", "localhost."):
        return True
    try:
        address = ipaddress.ip_address(name.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def _read(path: Path, option: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise TlsSetupError(f"{option} {path}: no such file") from None
    except IsADirectoryError:
        raise TlsSetupError(f"{option} {path}: is a directory, not a file") from None
    except OSError as exc:
        raise TlsSetupError(f"{option} {path}: cannot read it ({exc.strerror or exc})") from None


def _no_passphrase() -> str:
    # OpenSSL would otherwise ask for the passphrase on the terminal of a service.
    raise TlsSetupError("the key asks for a passphrase")


def server_context(cert: Path, key: Path, now: datetime | None = None) -> ssl.SSLContext:
    """The relay's SSL context (TLS 1.2 or later) serving `cert` (PEM, the leaf first, then any
    intermediates) with `key` (PEM, unencrypted); TlsSetupError saying which file is unusable and why."""
    chain_pem = _read(cert, "--tls-cert")
    key_pem = _read(key, "--tls-key")
    try:
        chain = x509.load_pem_x509_certificates(chain_pem)
    except ValueError:
        raise TlsSetupError(f"--tls-cert {cert}: not a PEM certificate"
                            " (expected -----BEGIN CERTIFICATE-----)") from None
    leaf = chain[0]
    moment = now or datetime.now(UTC)
    if leaf.not_valid_after_utc < moment:
        raise TlsSetupError(f"--tls-cert {cert}: the certificate expired on "
                            f"{leaf.not_valid_after_utc:%Y-%m-%d %H:%M} UTC; renew it")
    if leaf.not_valid_before_utc > moment:
        raise TlsSetupError(f"--tls-cert {cert}: the certificate is not valid before "
                            f"{leaf.not_valid_before_utc:%Y-%m-%d %H:%M} UTC; check this machine's clock")
    try:
        private = serialization.load_pem_private_key(key_pem, password=None)
    except TypeError:
        raise TlsSetupError(f"--tls-key {key}: the key is encrypted with a passphrase; the relay needs it"
                            " unencrypted (readable by the relay's user only)") from None
    except (ValueError, UnsupportedAlgorithm):
        raise TlsSetupError(f"--tls-key {key}: not a PEM private key"
                            " (expected -----BEGIN ... PRIVATE KEY-----)") from None
    spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    if private.public_key().public_bytes(*spki) != leaf.public_key().public_bytes(*spki):
        raise TlsSetupError(f"--tls-key {key}: does not match the certificate in --tls-cert {cert}"
                            " (the certificate must come first in its file)")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = MIN_VERSION
    try:
        context.load_cert_chain(cert, key, password=_no_passphrase)
    except (ssl.SSLError, TlsSetupError, OSError) as exc:  # what the checks above did not foresee
        raise TlsSetupError(f"--tls-cert {cert}, --tls-key {key}: OpenSSL refused them ({exc})") from None
    logger.info("TLS: serving %s (%s), valid until %s", cert, leaf.subject.rfc4514_string(),
                leaf.not_valid_after_utc.isoformat())
    return context
