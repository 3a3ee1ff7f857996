"""The workstation's side of TLS: how an `https://` relay's certificate is checked.

Every HTTP session the core opens to the relay comes from here (`http_session`, `open_session`). The
certificate is always verified: against the system's trusted authorities, plus, for a self-hosted
relay, a custom CA file (the shop's own authority, a PEM file). There is no switch to skip the check
and no fallback to an unverified connection: a certificate that fails is `CertificateRejected`, raised
during the TLS handshake, before anything (a password, a token) is sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import ssl
from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp

from app.errors import CaFileUnusable, CertificateRejected

logger = logging.getLogger(__name__)

_REASONS = {
    9: "not_yet_valid",  # X509_V_ERR_CERT_NOT_YET_VALID
    10: "expired",  # X509_V_ERR_CERT_HAS_EXPIRED
    2: "unknown_issuer",  # X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT
    18: "unknown_issuer",  # X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT
    19: "unknown_issuer",  # X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN
    20: "unknown_issuer",  # X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY
    21: "unknown_issuer",  # X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE
    62: "hostname_mismatch",  # X509_V_ERR_HOSTNAME_MISMATCH
    64: "hostname_mismatch",  # X509_V_ERR_IP_ADDRESS_MISMATCH
}
"""OpenSSL's verification codes, as the reasons `CertificateRejected` names."""
_CACHE_SIZE = 8
_contexts: dict[tuple[Any, ...], ssl.SSLContext] = {}


def _build(ca_file: str) -> ssl.SSLContext:
    context = ssl.create_default_context()  # the system store, hostname checked, certificate required
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    # The CA file may hold the shop's root or an intermediate it trusts (Python 3.13's default too).
    context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
    if ca_file:
        try:
            context.load_verify_locations(cafile=ca_file)
        except FileNotFoundError:
            raise CaFileUnusable(ca_file, "no such file") from None
        except IsADirectoryError:
            raise CaFileUnusable(ca_file, "it is a directory, not a file") from None
        except ssl.SSLError:
            raise CaFileUnusable(ca_file, "it holds no PEM certificate (-----BEGIN CERTIFICATE-----)") from None
        except OSError as exc:
            raise CaFileUnusable(ca_file, f"cannot read it ({exc.strerror or exc})") from None
    return context


def _cache_key(ca_file: str) -> tuple[Any, ...]:
    """A changed CA file (replaced, rewritten) gets a new context; an unchanged one is not read again."""
    if not ca_file:
        return ("",)
    try:
        st = os.stat(ca_file)
    except OSError:
        return (ca_file, None)
    return (ca_file, st.st_ino, st.st_mtime_ns, st.st_size)


async def client_context(ca_file: str = "") -> ssl.SSLContext:
    """The verifying SSL context for the relay, with `ca_file` (a PEM path, "" for none) trusted besides
    the system's authorities; CaFileUnusable if that file cannot be read. Built off the event loop
    (loading the system store takes tens of milliseconds) and kept for the next connections."""
    key = _cache_key(ca_file)
    context = _contexts.get(key)
    if context is None:
        context = await asyncio.to_thread(_build, ca_file)
        if key[-1] is not None:  # a missing file raised above; never cache what cannot be checked again
            while len(_contexts) >= _CACHE_SIZE:
                _contexts.pop(next(iter(_contexts)))
            _contexts[key] = context
    return context


async def open_session(ca_file: str = "", **kwargs: Any) -> aiohttp.ClientSession:
    """An `aiohttp.ClientSession` whose https and wss connections verify as `client_context` says. The
    caller closes it; wrap its requests in `verified` to get `CertificateRejected`."""
    context = await client_context(ca_file)
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=context), **kwargs)


@contextlib.asynccontextmanager
async def http_session(url: str, ca_file: str = "", **kwargs: Any) -> AsyncIterator[aiohttp.ClientSession]:
    """`open_session` for a few requests to the relay at `url`, closed at the end; a certificate that
    fails verification in the block raises CertificateRejected."""
    session = await open_session(ca_file, **kwargs)
    async with session:
        with verified(url):
            yield session


def rejection(url: str, error: BaseException | None) -> CertificateRejected:
    """`CertificateRejected` for the relay at `url`, with the reason OpenSSL gave in `error`."""
    code = getattr(error, "verify_code", None)
    detail = getattr(error, "verify_message", None) or str(error or "certificate verify failed")
    reason = _REASONS.get(code, "other") if isinstance(code, int) else "other"
    logger.warning("refused the relay at %s: its certificate failed verification (%s, %s)", url, reason, detail)
    return CertificateRejected(url, reason, detail)


@contextlib.contextmanager
def verified(url: str) -> Iterator[None]:
    """Turn a certificate that failed verification, inside the block, into CertificateRejected."""
    try:
        yield
    except aiohttp.ClientConnectorCertificateError as exc:
        raise rejection(url, exc.certificate_error) from exc
    except ssl.SSLCertVerificationError as exc:
        raise rejection(url, exc) from exc
