"""Keeping the workstation connected: reconnect with backoff, resume by sequence, report the state.

`Link` owns one `KefuClient`. It connects, resumes every conversation from the cursors the local
history gives it, hands the relay's pushed frames to the core in batches (so a burst costs one
history transaction, not one per message), and when the connection drops it reports "offline"
and tries again with exponential backoff and jitter. A refused token ends the link for good: the
agent must log in again. A relay certificate that fails verification is not a network blip: quick
retries would not help and must not hide it, so the link says why (`certificate_rejected`, the state's
`error` for the UI to word, its detail and the log) and tries again only at the longest pause, or when
the agent asks.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable

from app.client import KefuClient
from app.errors import CaFileUnusable, CertificateRejected, ConnectionLost, RelayError
from app.events import ConnectionChanged, ConnectionStatus
from wire import frames as f
from wire.errors import ErrorCode, WebSocketClose

logger = logging.getLogger(__name__)

BATCH_MAX = 500
"""Most frames handed to the core at once."""


class Link:
    """One supervised connection to the relay."""

    def __init__(
        self,
        client: KefuClient,
        *,
        cursors: Callable[[], Awaitable[dict[int, int]]],
        on_frames: Callable[[list[f.ServerFrame]], Awaitable[None]],
        on_synced: Callable[[f.Synced], Awaitable[None]],
        on_state: Callable[[ConnectionChanged], None],
        on_session_ended: Callable[[str], None],
        max_backoff: float = 10.0,
    ) -> None:
        self.client = client
        self._cursors = cursors
        self._on_frames = on_frames
        self._on_synced = on_synced
        self._on_state = on_state
        self._on_session_ended = on_session_ended
        self._max_backoff = max_backoff
        self.online = asyncio.Event()
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False
        self.certificate_rejected: CertificateRejected | CaFileUnusable | None = None
        """Why the last attempt could not even start (the relay's certificate failed verification, or
        the CA file cannot be read); None once connected again."""

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._run(), name="kefu-link"),
            asyncio.create_task(self._pump(), name="kefu-link-pump"),
        ]

    async def stop(self) -> None:
        """Close the connection and stop reconnecting; waits for the tasks to end."""
        self._stopping = True
        self._wake.set()
        self.online.clear()
        await self.client.close()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []

    def retry_now(self) -> None:
        """Skip the rest of the current backoff pause (the agent pressed "reconnect")."""
        self._wake.set()

    async def _run(self) -> None:
        attempt = 0
        while not self._stopping:
            self._state("connecting")
            rejected = None
            try:
                self.client.cursors = dict(await self._cursors())
                synced = await self.client.connect()
            except (CertificateRejected, CaFileUnusable) as exc:
                rejected, detail = exc, str(exc)  # logged where it was found (app/tls.py)
            except RelayError as exc:
                if exc.code == ErrorCode.UNAUTHORIZED:
                    self._end(exc.message)
                    return
                detail = exc.message
            except ConnectionLost as exc:
                detail = str(exc)
            except TimeoutError:
                await self.client.close()
                detail = "the relay did not answer in time"
            except Exception as exc:  # a bug on our side must not end the link: log it and try again
                logger.exception("connecting failed")
                await self.client.close()
                detail = f"internal error: {exc}"
            else:
                attempt = 0
                self.certificate_rejected = None
                await self._on_synced(synced)
                self.online.set()
                self._state("online")
                await self.client.closed.wait()
                self.online.clear()
                if self._stopping:
                    return
                if self.client.close_code in (WebSocketClose.REVOKED, WebSocketClose.UNAUTHORIZED):
                    self._end("logged out" if self.client.close_code == WebSocketClose.REVOKED else "session expired")
                    return
                detail = f"connection closed ({self.client.close_code})"
            self.certificate_rejected = rejected
            attempt += 1
            pause = self._max_backoff if rejected else min(self._max_backoff, 0.25 * 2 ** min(attempt, 8))
            delay = pause * random.uniform(0.8, 1.2)
            self._state("offline", detail, delay)
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), delay)
            except TimeoutError:
                pass

    def _state(self, status: ConnectionStatus, detail: str = "", retry_in: float | None = None) -> None:
        """Report the state, with the certificate (or CA file) problem that still stands, if any."""
        self._on_state(ConnectionChanged(status, detail, retry_in, self.certificate_rejected))

    def _end(self, reason: str) -> None:
        self._stopping = True
        self.online.clear()
        self.certificate_rejected = None  # the relay answered (refusing the token): its certificate passed
        self._state("offline", reason)
        self._on_session_ended(reason)

    async def _pump(self) -> None:
        events = self.client.events
        while True:
            batch = [await events.get()]
            while len(batch) < BATCH_MAX and not events.empty():
                batch.append(events.get_nowait())
            try:
                await self._on_frames(batch)
            except Exception:  # one bad batch must not stop the workstation from receiving
                logger.exception("handling %d relay frames failed", len(batch))
