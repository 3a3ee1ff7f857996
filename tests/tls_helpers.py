"""TLS in tests: a certificate authority made in the test (trustme), its files, and a relay serving it.

Nothing here trusts anything by itself: a client trusts the test's CA only when given `ca_file`.
"""

from __future__ import annotations

import base64
import hashlib
import ssl
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import trustme
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from relay.clock import Clock
from relay.config import RelayConfig
from relay.server import RELAY, create_app
from relay.tls import server_context
from tests.conftest import RunningRelay


@dataclass
class TlsFiles:
    """A test CA and a certificate it issued, written as PEM files."""

    ca: trustme.CA
    ca_file: Path
    """The CA's certificate: what a self-hosted shop hands its workstations."""
    cert: Path
    """The relay's certificate chain (leaf first): `--tls-cert`."""
    key: Path
    """Its private key: `--tls-key`."""
    leaf: trustme.LeafCert

    def context(self) -> ssl.SSLContext:
        """A server context serving the certificate as it is, without the relay's own checks (to serve
        an expired certificate, say)."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.leaf.configure_cert(context)
        return context

    def spki_sha256(self) -> str:
        """Base64 SHA-256 of the leaf's SubjectPublicKeyInfo (Chromium's --ignore-certificate-errors-spki-list)."""
        leaf = x509.load_pem_x509_certificate(self.leaf.cert_chain_pems[0].bytes())
        spki = leaf.public_key().public_bytes(serialization.Encoding.DER,
                                              serialization.PublicFormat.SubjectPublicKeyInfo)
        return base64.b64encode(hashlib.sha256(spki).digest()).decode()


def make_tls(directory: Path, *identities: str, ca: trustme.CA | None = None, **issue: Any) -> TlsFiles:
    """A CA (a new one unless given) and a certificate for `identities` (default 127.0.0.1 and
    localhost), written into `directory`; `issue` goes to trustme (not_before, not_after...)."""
    directory.mkdir(parents=True, exist_ok=True)
    ca = ca or trustme.CA(organization_name="Kefu test shop")
    leaf = ca.issue_cert(*(identities or ("127.0.0.1", "localhost")), **issue)
    files = TlsFiles(ca, directory / "ca.pem", directory / "relay.crt", directory / "relay.key", leaf)
    ca.cert_pem.write_to_path(str(files.ca_file))
    files.cert.write_bytes(b"".join(pem.bytes() for pem in leaf.cert_chain_pems))
    leaf.private_key_pem.write_to_path(str(files.key))
    return files


async def start_tls_relay(config: RelayConfig, tls: TlsFiles, clock: Clock | None = None,
                          context: ssl.SSLContext | None = None, port: int = 0) -> tuple[web.AppRunner, RunningRelay]:
    """Like tests/conftest.py's `start_relay`, over HTTPS and WSS on 127.0.0.1: the relay's own server
    context from `tls` (or `context`, to serve what the relay itself would refuse); `port` 0 picks one
    (another, to start it again where the workstations look for it)."""
    config = replace(config, tls_cert=tls.cert, tls_key=tls.key)
    app = create_app(config, clock=clock)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port, ssl_context=context or server_context(tls.cert, tls.key))
    await site.start()
    port = runner.addresses[0][1]
    relay = app[RELAY]
    return runner, RunningRelay(f"https://127.0.0.1:{port}", relay, config, relay.clock)
