"""Asyncio client of the relay protocol, for agents and buyers alike.

It logs in over HTTP, connects with the token, resumes every conversation from the last seq it
saw, and keeps every sent message until the relay acks it, so `resend_unacked` after a
reconnect delivers each exactly once (the relay dedups by `client_msg_id`). Frames the relay
pushes (`message`, `conversation`, `receipt`) land in `events`, never twice for the same seq.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

import aiohttp

from app.errors import CertificateRejected, ConnectionLost, RelayError
from app.tls import http_session, open_session, verified
from wire import PROTOCOL_VERSION
from wire import frames as f
from wire.codec import FrameError, decode_body, decode_server, encode
from wire.errors import ErrorCode
from wire.pacing import TokenBucket

logger = logging.getLogger(__name__)

R = TypeVar("R")
RATE_LIMIT_RETRIES = 5
_HANDSHAKE_CODES = {
    400: ErrorCode.UNSUPPORTED_VERSION, 401: ErrorCode.UNAUTHORIZED, 403: ErrorCode.BAD_ORIGIN,
    503: ErrorCode.GOING_AWAY,
}
"""What the relay's handshake statuses mean (docs/protocol.md); anything else: try again later."""


async def _post(base_url: str, path: str, body: Any, kind: type[R], token: str | None = None, ca_file: str = "") -> R:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with http_session(base_url, ca_file) as http, http.post(
        base_url.rstrip("/") + path, data=encode(body), headers=headers
    ) as resp:
        raw = await resp.read()
        if resp.status >= 400:
            raise_http(resp.status, raw)
        return decode_body(raw, kind)


def raise_http(status: int, raw: bytes) -> None:
    try:
        err = decode_body(raw, f.HttpError)
    except FrameError:
        raise RelayError(ErrorCode.INTERNAL, f"HTTP {status}") from None
    raise RelayError(err.code, err.message, err.retry_after)


async def login(base_url: str, shop: str, username: str, password: str, *, ca_file: str = "") -> f.TokenResponse:
    """Log an agent or supervisor in; raises RelayError (unauthorized, throttled...), or CertificateRejected
    (https: the relay's certificate failed verification, so the password was not sent)."""
    return await _post(base_url, "/api/login", f.LoginRequest(shop=shop, username=username, password=password),
                       f.TokenResponse, ca_file=ca_file)


async def logout(base_url: str, token: str, *, ca_file: str = "") -> None:
    """Revoke a token (and close its connections)."""
    async with http_session(base_url, ca_file) as http, http.post(
        base_url.rstrip("/") + "/api/logout", headers={"Authorization": f"Bearer {token}"}
    ) as resp:
        if resp.status >= 400:
            raise_http(resp.status, await resp.read())


async def change_password(base_url: str, token: str, current: str, new: str, *, ca_file: str = "") -> f.TokenResponse:
    """Change the account's password: every token of the account is revoked (its other workstations
    are logged out) and the new token returned; raises RelayError (forbidden: wrong current password,
    invalid_field, throttled...)."""
    return await _post(base_url, "/api/password", f.PasswordChange(current_password=current, new_password=new),
                       f.TokenResponse, token=token, ca_file=ca_file)


async def fetch_session(base_url: str, token: str, *, ca_file: str = "") -> f.SessionInfo:
    """Who a token belongs to; raises RelayError(unauthorized) when it is expired or revoked."""
    async with http_session(base_url, ca_file) as http, http.get(
        base_url.rstrip("/") + "/api/session", headers={"Authorization": f"Bearer {token}"}
    ) as resp:
        raw = await resp.read()
        if resp.status >= 400:
            raise_http(resp.status, raw)
        return decode_body(raw, f.SessionInfo)


async def buyer_session(base_url: str, buyer_id: str | None = None, *, ca_file: str = "") -> f.TokenResponse:
    """Ask the platform stand-in for a signed session of a demo buyer."""
    return await _post(base_url, "/api/buyer/session", f.BuyerSessionRequest(buyer_id=buyer_id),
                       f.TokenResponse, ca_file=ca_file)


class KefuClient:
    """One connection to the relay at a time; `connect` again to resume after a drop.

    An `https://` relay's certificate is verified against the system store and `ca_file` (app/tls.py)."""

    def __init__(self, base_url: str, token: str, *, request_timeout: float = 10.0, ca_file: str = "") -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.request_timeout = request_timeout
        self.ca_file = ca_file
        """A PEM file of authorities trusted besides the system's ("" for none): a self-hosted relay's CA."""
        self.session: f.SessionInfo | None = None
        self.limits: f.Limits | None = None
        self.conversations: dict[int, f.ConversationInfo] = {}
        self.cursors: dict[int, int] = {}
        self.unacked: dict[str, f.Send] = {}
        self.events: asyncio.Queue[f.ServerFrame] = asyncio.Queue()
        self._ids = itertools.count(1)
        self._waiters: dict[str, asyncio.Future[f.ServerFrame]] = {}
        self._http: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._reader: asyncio.Task[None] | None = None
        self._bucket: TokenBucket | None = None
        self.closed = asyncio.Event()
        self.close_code: int | None = None
        """The WebSocket close code of the last connection, once it closed (4003: token revoked)."""
        self.server_offset_ms = 0
        """The relay's clock minus ours, from `welcome`: add it to local time to get the relay's."""

    @property
    def connected(self) -> bool:
        return self._ws is not None and not self._ws.closed

    async def connect(self) -> f.Synced:
        """Open the WebSocket, resume from `cursors`, and return the relay's `synced` answer.

        Raises ConnectionLost (try again later), RelayError (refused), or CertificateRejected."""
        await self._drop()
        self._http = await open_session(self.ca_file)
        url = self.base_url.replace("http", "ws", 1) + f"/ws?v={PROTOCOL_VERSION}"
        try:
            # A handshake nobody answers (a stalled network) must fail like any lost connection, not
            # hang for aiohttp's 5-minute default while the caller's reconnect loop waits.
            with verified(self.base_url):
                async with asyncio.timeout(self.request_timeout):
                    self._ws = await self._http.ws_connect(
                        url, headers={"Authorization": f"Bearer {self.token}"}, compress=0, autoping=True,
                        heartbeat=30.0, max_msg_size=16 * 1024 * 1024,
                    )
        except CertificateRejected:
            await self._drop()
            raise
        except aiohttp.WSServerHandshakeError as exc:
            await self._drop()
            code = _HANDSHAKE_CODES.get(exc.status, ErrorCode.UNAVAILABLE)
            raise RelayError(code, f"handshake refused (HTTP {exc.status})") from None
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            await self._drop()
            reason = str(exc) or "no answer in time"
            raise ConnectionLost(f"cannot reach the relay at {self.base_url}: {reason}") from None
        try:
            msg = await self._ws.receive(timeout=self.request_timeout)
            first = decode_server(msg.data) if msg.type is aiohttp.WSMsgType.TEXT else None
        except (FrameError, TimeoutError):
            first = None
        if not isinstance(first, f.Welcome):
            await self._drop()
            raise ConnectionLost("the relay did not greet the connection")
        self.session, self.limits = first.session, first.limits
        self.server_offset_ms = first.server_time - int(time.time() * 1000)
        self.close_code = None
        # Pace by the relay's own bucket, a little below its rate, so we are never refused.
        self._bucket = TokenBucket(first.limits.rate_per_second * 0.95, max(1, first.limits.burst - 1),
                                   asyncio.get_running_loop().time)
        self.closed.clear()
        self._reader = asyncio.create_task(self._read_loop(self._ws), name="kefu-client-reader")
        synced = await self.request(f.Sync(id=self._next_id(), cursors=dict(self.cursors)))
        assert isinstance(synced, f.Synced)
        for conv in synced.conversations:
            self.conversations[conv.conversation_id] = conv
        return synced

    async def close(self) -> None:
        """Close the connection; unacked messages are kept for the next `connect`."""
        await self._drop()

    async def _drop(self) -> None:
        ws, http, reader = self._ws, self._http, self._reader
        self._ws = self._http = self._reader = None
        try:
            if ws is not None:
                await ws.close()
            if reader is not None:
                reader.cancel()
                await asyncio.wait([reader])  # its end, without swallowing a cancellation of our own
        finally:  # the HTTP session is closed even when closing is itself cancelled (Ctrl-C twice)
            if http is not None:
                await http.close()
            self._fail_waiters()

    def _fail_waiters(self) -> None:
        for fut in self._waiters.values():
            if not fut.done():
                fut.set_exception(ConnectionLost("connection to the relay lost"))
        self._waiters.clear()

    def _next_id(self) -> str:
        return f"r{next(self._ids)}"

    async def _read_loop(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        try:
            async for msg in ws:
                if msg.type not in (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY):
                    break
                try:
                    frame = decode_server(msg.data)
                except FrameError as exc:
                    logger.warning("relay sent an unreadable frame: %s", exc.message)
                    continue
                self._dispatch(frame)
        finally:
            self.close_code = ws.close_code
            self._fail_waiters()
            self.closed.set()

    def _dispatch(self, frame: f.ServerFrame) -> None:
        rid = getattr(frame, "id", None)
        if isinstance(frame, f.Ack):
            # The cursor does not move with an ack: a lower seq the relay still holds for this
            # connection (during a sync or a hand-over) may come after it (protocol.md, section 8).
            self.unacked.pop(frame.client_msg_id, None)
        if rid is not None and rid in self._waiters:
            fut = self._waiters.pop(rid)
            if not fut.done():
                fut.set_result(frame)
            return
        if isinstance(frame, f.Message):
            if frame.seq <= self.cursors.get(frame.conversation_id, 0):
                return  # already seen
            self._advance(frame.conversation_id, frame.seq)
        elif isinstance(frame, f.Assignment):
            self.conversations[frame.conversation.conversation_id] = frame.conversation
        self.events.put_nowait(frame)

    def _advance(self, conversation_id: int, seq: int) -> None:
        if seq > self.cursors.get(conversation_id, 0):
            self.cursors[conversation_id] = seq

    async def request(self, frame: Any) -> f.ServerFrame:
        """Send a request frame and wait for its answer; an `error` answer raises RelayError."""
        ws = self._ws
        if ws is None or ws.closed:
            raise ConnectionLost("not connected to the relay")
        await self._pace()
        fut: asyncio.Future[f.ServerFrame] = asyncio.get_running_loop().create_future()
        self._waiters[frame.id] = fut
        try:
            await ws.send_frame(encode(frame), aiohttp.WSMsgType.TEXT)
            reply = await asyncio.wait_for(fut, self.request_timeout)
        except (ConnectionResetError, aiohttp.ClientError) as exc:
            raise ConnectionLost(str(exc)) from None
        finally:
            self._waiters.pop(frame.id, None)
        if isinstance(reply, f.Error):
            raise RelayError(reply.code, reply.message, reply.retry_after, reply.reason)
        return reply

    async def _pace(self) -> None:
        # Sleeps exactly until the next token, then takes it: pacing, not polling.
        while self._bucket is not None and (wait := self._bucket.take()) is not None:  # noqa: ASYNC110
            await asyncio.sleep(wait)

    async def call(self, frame_type: type[Any], **fields: Any) -> f.ServerFrame:
        """Build a request of `frame_type` with a fresh id and send it: `call(f.Claim, conversation_id=3)`."""
        return await self.request(frame_type(id=self._next_id(), **fields))

    # conveniences ---------------------------------------------------------------------------

    async def open_conversation(self, shop: str) -> f.ConversationInfo:
        """Buyer: open the conversation with a shop."""
        reply = await self.request(f.Open(id=self._next_id(), shop=shop))
        assert isinstance(reply, f.Opened)
        self.conversations[reply.conversation.conversation_id] = reply.conversation
        return reply.conversation

    async def send_text(self, conversation_id: int, text: str, client_msg_id: str | None = None) -> f.Ack:
        """Send a text; returns the relay's ack once it is stored. Kept for resend until acked.

        A rate-limited send waits as long as the relay asks and tries again (same client id).
        """
        cmid = client_msg_id or uuid.uuid4().hex
        self.unacked[cmid] = f.Send(id="-", conversation_id=conversation_id, client_msg_id=cmid, text=text)
        for attempt in range(RATE_LIMIT_RETRIES + 1):
            frame = f.Send(id=self._next_id(), conversation_id=conversation_id, client_msg_id=cmid, text=text)
            try:
                reply = await self.request(frame)
            except RelayError as exc:
                if exc.code == ErrorCode.RATE_LIMITED and attempt < RATE_LIMIT_RETRIES:
                    await asyncio.sleep(exc.retry_after or 0.2)
                    continue
                if exc.code not in (ErrorCode.UNAVAILABLE, ErrorCode.INTERNAL, ErrorCode.RATE_LIMITED):
                    self.unacked.pop(cmid, None)  # refused for good: resending would not help
                raise
            assert isinstance(reply, f.Ack)
            return reply
        raise AssertionError("unreachable")

    async def resend_unacked(self, on_ack: Callable[[f.Ack], None] | None = None) -> list[f.Ack]:
        """Resend, in order, everything sent but not acked (after a reconnect). `on_ack` is handed each
        ack as it comes: when the connection drops halfway, the acks got before the drop are not lost
        with the list this would have returned."""
        acks = []
        for frame in list(self.unacked.values()):
            ack = await self.send_text(frame.conversation_id, frame.text, frame.client_msg_id)
            if on_ack is not None:
                on_ack(ack)
            acks.append(ack)
        return acks

    async def history(self, conversation_id: int, before_seq: int | None = None, limit: int = 50) -> f.HistoryPage:
        reply = await self.request(f.History(id=self._next_id(), conversation_id=conversation_id,
                                             before_seq=before_seq, limit=limit))
        assert isinstance(reply, f.HistoryPage)
        return reply

    async def mark_read(self, conversation_id: int, seq: int) -> None:
        await self.request(f.Read(id=self._next_id(), conversation_id=conversation_id, seq=seq))

    async def next_event(self, kind: type[R] | None = None, timeout: float = 5.0) -> R:
        """The next pushed frame (of `kind`, skipping others); raises TimeoutError."""
        async with asyncio.timeout(timeout):
            while True:
                frame = await self.events.get()
                if kind is None or isinstance(frame, kind):
                    return frame  # type: ignore[return-value]
