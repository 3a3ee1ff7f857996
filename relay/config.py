"""Typed relay configuration, built once at start-up and passed in. Secrets are not kept here."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal


@dataclass(frozen=True, slots=True)
class RateLimit:
    """A token bucket: `rate` frames per second on average, bursts up to `burst`."""

    rate: float
    burst: int


@dataclass(frozen=True, slots=True)
class RelayConfig:
    """Everything the relay can be told; defaults are the production choices."""

    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 8765
    synchronous: Literal["FULL", "NORMAL"] = "FULL"
    """FULL: an acked message survives power loss. NORMAL: survives a process crash only."""
    token_ttl_s: int = 12 * 3600
    buyer_session_ttl_s: int = 7 * 24 * 3600
    allowed_origins: tuple[str, ...] = ()
    """Exact origins allowed at the WebSocket handshake, in addition to loopback ones."""
    allow_loopback_origins: bool = True
    buyer_rate: RateLimit = field(default_factory=lambda: RateLimit(rate=5.0, burst=20))
    agent_rate: RateLimit = field(default_factory=lambda: RateLimit(rate=30.0, burst=60))
    send_queue_frames: int = 2000
    """Frames queued to one connection before it counts as a slow consumer and is dropped."""
    heartbeat_s: float = 20.0
    """Ping interval; a peer that does not answer within half of it is disconnected."""
    sync_timeout_s: float = 15.0
    """A connection that has not sent `sync` this long after the handshake is closed."""
    login_failures: int = 5
    login_window_s: float = 60.0
    demo: bool = False
    ice_servers: tuple[str, ...] = ()
    """STUN/TURN URLs handed to call parties (`stun:host:3478`, `turn:host:3478?transport=udp`); none by default."""
    turn_secret: str | None = None
    """coturn's `static-auth-secret`, to mint short-lived TURN credentials; never logged."""
    turn_ttl_s: int = 3600
    metrics_token: str | None = None
    """A bearer token `GET /metrics` asks for; without one, /metrics answers loopback clients only."""
    keep_days_after_s: float | None = 5.0
    """This long after a shop is loaded, and after each of its days ends, the relay sums its last 30
    days in the background and keeps them (docs/metrics.md, "Kept day sums"), so no supervisor's
    report waits for them. None: only when a report asks."""
    tls_cert: Path | None = None
    """PEM certificate chain (leaf first) served with `tls_key`: the relay speaks HTTPS and WSS only."""
    tls_key: Path | None = None
    insecure: bool = False
    """Listen without TLS on an address other machines can reach: only behind a proxy that does TLS."""
    database: str | None = None
    """A postgresql:// URL (docs/deploy.md); None: SQLite in `data_dir` (the default)."""
    redis_url: str | None = None
    """redis:// URL of the bus between several relays on one PostgreSQL (docs/deploy.md); None: one relay."""

    @property
    def tls(self) -> bool:
        """True when the relay itself encrypts (HTTPS, WSS)."""
        return self.tls_cert is not None

    @property
    def db_path(self) -> Path:
        return self.data_dir / "relay.sqlite3"
