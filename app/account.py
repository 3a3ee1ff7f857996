"""Logging in, remembering the login, and restoring it at start.

The last account (relay URL, shop, username) is a preference; its token is in the keyring (see
`app.credentials`). At start the remembered token is checked with the relay: still valid, the
workstation opens without asking; expired or revoked, it is forgotten and the login dialog shows.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import aiohttp

from app.client import fetch_session
from app.client import login as relay_login
from app.config import DeskConfig, Preferences, PreferenceStore
from app.credentials import TokenVault, account_key
from app.errors import CaFileUnusable, CertificateRejected, ConnectionLost, KefuError, RelayError
from wire import frames as f
from wire.errors import ErrorCode

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LoggedIn:
    """A valid login: where, the bearer token, and who it is."""

    relay_url: str
    token: str
    session: f.SessionInfo
    remembered: bool
    """True when the token is kept across restarts (a keyring exists and "remember me" was ticked)."""
    ca_file: str = ""
    """The custom CA file this relay's certificate was verified with ("": the system's authorities only)."""


class Accounts:
    """The login flow over the relay's HTTP API, the vault and the preferences."""

    def __init__(self, config: DeskConfig, vault: TokenVault, prefs: PreferenceStore) -> None:
        self.config = config
        self.vault = vault
        self.prefs_store = prefs
        self.prefs = Preferences()
        self.restore_problem: KefuError | None = None
        """Why the remembered login could not be checked at start (the relay's certificate failed
        verification, say), for the login dialog to say; None when there was nothing wrong to tell."""

    async def load(self) -> Preferences:
        self.prefs = await self.prefs_store.load()
        return self.prefs

    async def save_prefs(self, prefs: Preferences) -> None:
        self.prefs = prefs
        await self.prefs_store.save(prefs)

    @property
    def ca_file(self) -> str:
        """The CA file to verify the relay with: the one chosen at the last login, else $KEFU_CA_FILE."""
        return self.prefs.ca_file or self.config.ca_file

    async def restore(self) -> LoggedIn | None:
        """The remembered login if its token is still valid; None otherwise (it is then forgotten, unless
        the relay could not be asked: then `restore_problem` may say why)."""
        self.restore_problem = None
        p = self.prefs
        if not (p.remember_me and p.relay_url and p.shop and p.username):
            return None
        key = account_key(p.relay_url, p.shop, p.username)
        token = await self.vault.get(key)
        if not token:
            return None
        ca_file = self.ca_file
        try:
            session = await fetch_session(p.relay_url, token, ca_file=ca_file)
        except RelayError as exc:
            if exc.code == ErrorCode.UNAUTHORIZED:
                await self.vault.forget(key)
            return None
        except (CertificateRejected, CaFileUnusable) as exc:  # the token was not sent: it is kept
            self.restore_problem = exc
            return None
        except (aiohttp.ClientError, OSError) as exc:
            logger.info("relay unreachable while restoring the session: %s", exc)
            return None
        return LoggedIn(p.relay_url, token, session, True, ca_file)

    async def login(self, relay_url: str, shop: str, username: str, password: str, remember: bool,
                    ca_file: str | None = None) -> LoggedIn:
        """Log in; raises RelayError (wrong password: unauthorized; too many: throttled), ConnectionLost,
        CertificateRejected or CaFileUnusable. `ca_file` ("" for none) is remembered with the account;
        None keeps the remembered one (else $KEFU_CA_FILE)."""
        relay_url = relay_url.strip().rstrip("/")
        ca_file = self.ca_file if ca_file is None else ca_file.strip()
        try:
            reply = await relay_login(relay_url, shop.strip(), username.strip(), password, ca_file=ca_file)
        except (aiohttp.ClientError, OSError) as exc:
            raise ConnectionLost(f"cannot reach the relay at {relay_url}: {exc}") from None
        key = account_key(relay_url, shop.strip(), username.strip())
        kept = False
        if remember:
            kept = await self.vault.put(key, reply.token)
        else:
            await self.vault.forget(key)
        await self.save_prefs(self.prefs.with_changes(relay_url=relay_url, shop=shop.strip(),
                                                      username=username.strip(), remember_me=remember,
                                                      ca_file=ca_file))
        return LoggedIn(relay_url, reply.token, reply.session, kept, ca_file)

    async def forget(self) -> None:
        """Forget the remembered token (logout)."""
        p = self.prefs
        if p.relay_url and p.shop and p.username:
            await self.vault.forget(account_key(p.relay_url, p.shop, p.username))
