"""Passwords, bearer tokens, signed buyer sessions and login throttling."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from relay.clock import Clock

logger = logging.getLogger(__name__)

_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
BUYER_TOKEN_PREFIX = "b1."


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_password(password: str) -> str:
    """scrypt with a random salt, self-describing: `scrypt$n$r$p$salt$hash`. Takes ~50 ms: call off the loop."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P)
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """True if `password` matches `stored` (constant-time compare). Call off the loop."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        actual = hashlib.scrypt(
            password.encode(), salt=_unb64(salt), n=int(n), r=int(r), p=int(p)
        )
    except (ValueError, TypeError):
        logger.warning("unreadable password hash in store")
        return False
    return hmac.compare_digest(actual, _unb64(digest))


def new_token() -> tuple[str, str]:
    """A fresh opaque bearer token and the hash under which it is stored."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    """The stored form of a token: a lost database does not leak usable tokens."""
    return hashlib.sha256(token.encode()).hexdigest()


def load_or_create_secret(path: Path) -> bytes:
    """The relay's signing key for buyer sessions, created once (mode 0600) in the data dir."""
    if path.exists():
        return path.read_bytes()
    key = secrets.token_bytes(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_bytes(key)
    return key


@dataclass(frozen=True, slots=True)
class BuyerSession:
    """A verified buyer session."""

    buyer_id: str
    expires_at: int


class BuyerSigner:
    """Signs and verifies buyer sessions: `b1.<buyer id>.<expiry ms>.<hmac>`, all base64url."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def _mac(self, payload: str) -> str:
        return _b64(hmac.new(self._key, payload.encode(), hashlib.sha256).digest())

    def sign(self, buyer_id: str, expires_at: int) -> str:
        payload = f"{BUYER_TOKEN_PREFIX}{_b64(buyer_id.encode())}.{expires_at}"
        return f"{payload}.{self._mac(payload)}"

    def verify(self, token: str, now_ms: int) -> BuyerSession | None:
        """The session if the signature is good and it has not expired, else None."""
        if not token.startswith(BUYER_TOKEN_PREFIX):
            return None
        payload, _, mac = token.rpartition(".")
        if not hmac.compare_digest(mac, self._mac(payload)):
            return None
        try:
            _, buyer_b64, expiry = payload.split(".")
            buyer_id = _unb64(buyer_b64).decode()
            expires_at = int(expiry)
        except (ValueError, UnicodeDecodeError):
            return None
        if expires_at <= now_ms:
            return None
        return BuyerSession(buyer_id, expires_at)


class LoginThrottle:
    """At most `limit` failed logins per key (account and address) in a sliding window."""

    def __init__(self, clock: Clock, limit: int, window_s: float) -> None:
        self._clock = clock
        self._limit = limit
        self._window = window_s
        self._failures: dict[tuple[str, ...], deque[float]] = {}

    def _recent(self, key: tuple[str, ...]) -> deque[float]:
        now = self._clock.monotonic()
        stamps = self._failures.get(key)
        if stamps is None:
            return deque()
        while stamps and stamps[0] <= now - self._window:
            stamps.popleft()
        if not stamps:
            del self._failures[key]
        return stamps

    def retry_after(self, key: tuple[str, ...]) -> float | None:
        """Seconds until another try is allowed, or None if allowed now."""
        stamps = self._recent(key)
        if len(stamps) < self._limit:
            return None
        return max(0.0, stamps[0] + self._window - self._clock.monotonic())

    def failed(self, key: tuple[str, ...]) -> None:
        if len(self._failures) > 100_000:  # bound memory under a spray of usernames
            for k in list(self._failures)[:50_000]:
                self._recent(k)
        self._failures.setdefault(key, deque()).append(self._clock.monotonic())

    def succeeded(self, key: tuple[str, ...]) -> None:
        self._failures.pop(key, None)
