"""Where the workstation keeps its login token: the system keyring, or memory when there is none.

A token is a bearer credential, so it never touches a plain file. Keyring calls may block (a
D-Bus round trip, an unlock prompt), so they run on a worker thread. On a machine without a
keyring backend (keyring's "fail" backend raises NoKeyringError) the vault says so plainly and
keeps the token in memory only: "remember me" then lasts until the program exits.
"""

from __future__ import annotations

import asyncio
import logging

import keyring
import keyring.errors

logger = logging.getLogger(__name__)

SERVICE = "kefu-desk"


def account_key(relay_url: str, shop: str, username: str) -> str:
    """The keyring user name of one account on one relay."""
    return f"{relay_url.rstrip('/')}|{shop}|{username}"


class TokenVault:
    """Tokens by account key, in the keyring when one exists, else in memory."""

    def __init__(self) -> None:
        self._memory: dict[str, str] = {}
        self.persistent = True
        """False once we know there is no usable keyring (then tokens live in memory only)."""
        self.problem = ""
        """Why tokens are not kept across restarts, in words for the agent (empty when they are)."""

    def _fall_back(self, exc: Exception) -> None:
        if self.persistent:
            logger.warning("no usable keyring (%s); login tokens are kept in memory only", type(exc).__name__)
        self.persistent = False
        self.problem = str(exc) or type(exc).__name__

    async def get(self, key: str) -> str | None:
        if key in self._memory or not self.persistent:
            return self._memory.get(key)
        try:
            return await asyncio.to_thread(keyring.get_password, SERVICE, key)
        except keyring.errors.KeyringError as exc:
            self._fall_back(exc)
            return None

    async def put(self, key: str, token: str) -> bool:
        """Keep a token; True if it will survive a restart (stored in the keyring)."""
        if self.persistent:
            try:
                await asyncio.to_thread(keyring.set_password, SERVICE, key, token)
                self._memory.pop(key, None)
                return True
            except keyring.errors.KeyringError as exc:
                self._fall_back(exc)
        self._memory[key] = token
        return False

    async def forget(self, key: str) -> None:
        self._memory.pop(key, None)
        if not self.persistent:
            return
        try:
            await asyncio.to_thread(keyring.delete_password, SERVICE, key)
        except keyring.errors.PasswordDeleteError:
            pass  # nothing stored: nothing to forget
        except keyring.errors.KeyringError as exc:
            self._fall_back(exc)
