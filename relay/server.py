"""The relay's aiohttp application: HTTP API, WebSocket handshake, frame loop, shutdown."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Coroutine, Mapping
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import WSMsgType, web
from prometheus_client import CollectorRegistry

from relay import accounts_api
from relay.auth import BuyerSigner, LoginThrottle, load_or_create_secret, token_hash
from relay.calls import Calls
from relay.cards import Cards
from relay.chat import Hub
from relay.clock import Clock, SystemClock, TimerHandle
from relay.cluster import Cluster
from relay.config import RelayConfig
from relay.desk import Desk
from relay.health import routes as health_routes
from relay.http_util import bearer as _bearer
from relay.http_util import error_response as _error
from relay.http_util import json_response as _json
from relay.http_util import session_info as _session_info
from relay.metrics import api as supervisor_api
from relay.metrics import prometheus
from relay.metrics.book import MetricsBook
from relay.platform.demo import DemoPlatform
from relay.replies import Replies
from relay.seeding import seed_demo
from relay.sessions import Connection, Principal
from relay.staff import Staff
from relay.store import Store, StoreUnavailable
from relay.store.engines import make_store
from relay.tls import HSTS
from relay.tunnel import NO_LEADER, RemoteConnection
from wire import MAX_FRAME_BYTES, MAX_TEXT_CHARS, PROTOCOL_VERSION
from wire import frames as f
from wire.codec import FrameError, decode_body, decode_client, encode, request_id_of
from wire.errors import ErrorCode, WebSocketClose
from wire.pacing import TokenBucket

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
BUYER_COOKIE = "kefu_buyer"
EXPIRY_SWEEP_S = 30.0
"""How often connections are checked for an expired token or buyer session."""
LEADER_WAIT_S = 5.0
"""How long a shop account's handshake waits for a routing leader to be known (several relays)."""
API_WAIT_S = 20.0
"""How long a follower waits for the leader's answer to a supervisor's API request (a long range's figures)."""
HARD_FRAME_LIMIT = 1024 * 1024
"""Frames above MAX_FRAME_BYTES get an error and are dropped; above this the socket is closed."""


class Relay:
    """The relay's state for one process: store, hub, auth helpers, open connections."""

    def __init__(self, config: RelayConfig, store: Store, clock: Clock) -> None:
        self.config = config
        self.store = store
        self.clock = clock
        self.platform = DemoPlatform(store)
        self.book = MetricsBook(store, clock, keep_days_after_s=config.keep_days_after_s)
        self.desk = Desk(store, clock, self.platform, self.book)
        self.hub = Hub(store, clock, self.desk)
        self.book.attach(self.desk, self.hub.send_to_supervisors)
        self.hub.synced_listeners.append(self._figures_on_sync)
        self.cards = Cards(store, self.platform, self.hub, self.desk)
        self.replies = Replies(store, self.platform, self.hub, clock)
        self.calls = Calls(store, self.hub, self.desk, clock, config)
        self.staff = Staff(store, self.hub, self.desk, self.calls, clock)
        self.replies.audit_listeners.append(self.staff.settings_changed)
        self.throttle = LoginThrottle(clock, config.login_failures, config.login_window_s)
        self.signer = BuyerSigner(load_or_create_secret(config.data_dir / "buyer-session.key"))
        self.connections: set[Connection] = set()
        self.cluster = Cluster(self.hub, config.redis_url, config.database or "", self.on_frame, self.lead,
                               answer=partial(supervisor_api.answer, self),
                               sync_timeout_s=config.sync_timeout_s) if config.redis_url else None
        """The other relays on the same database (`--redis`), or None."""
        self.desk.leading = self.cluster is None  # with several relays, once this one holds the lease
        self._sweep: TimerHandle | None = None
        self.stopping = False
        self.ready = False
        """Set once the store is open and every shop's desk is loaded (`/readyz`)."""

    async def lead(self) -> None:
        """Take over routing (alone: at start-up; with several relays: when this one takes the lease).

        Every shop's desk and the open calls come from the database; then the buyer messages that no
        routing decision has seen (stored while nobody led, or as the old leader died) are heard now."""
        await self.desk.load()
        self.desk.leading = True
        for conversation_id, seq, ts in await self.store.unheard_buyer_messages():
            await self.desk.on_buyer_message(conversation_id, seq, ts)
        await self.calls.load()
        self.desk.refresh_all()

    async def answer_api(self, principal: Principal, path: str, query: Mapping[str, str]) -> tuple[int, bytes]:
        """A supervisor's figures API request: answered here, or by the routing leader through the bus."""
        if self.cluster is None or self.desk.leading:
            return await supervisor_api.answer(self, principal, path, query)
        leader = await self.cluster.wait_for_leader(LEADER_WAIT_S)
        if leader is None:
            return supervisor_api.unavailable(NO_LEADER)
        try:
            return await self.cluster.tunnels.ask(leader, principal, path, query, API_WAIT_S)
        except TimeoutError:
            return supervisor_api.unavailable("the relay that leads routing did not answer in time; retry")

    def _figures_on_sync(self, conn: Connection) -> None:
        """A supervisor's connection gets today's figures as soon as it has synced."""
        p = conn.principal
        if p.role == "supervisor" and p.shop_id is not None and p.shop_id in self.desk.shop_ids():
            conn.send(encode(self.book.update_frame(p.shop_id)))

    def origin_allowed(self, origin: str) -> bool:
        if origin in self.config.allowed_origins:
            return True
        if not self.config.allow_loopback_origins:
            return False
        parts = urlsplit(origin)
        return parts.scheme in ("http", "https") and parts.hostname in ("127.0.0.1", "localhost", "::1")

    async def principal_for(self, token: str) -> Principal | None:
        """Who a bearer token or buyer session belongs to, or None."""
        now = self.clock.now_ms()
        buyer = self.signer.verify(token, now)
        if buyer is not None:
            row = await self.store.get_buyer(buyer.buyer_id)
            if row is None:
                return None
            return Principal(role="buyer", user_id=row.id, display_name=row.nickname, expires_at=buyer.expires_at)
        hashed = token_hash(token)
        account = await self.store.account_for_token(hashed, now)
        if account is None:
            return None
        return Principal(
            role=account.role, user_id=str(account.id), display_name=account.display_name,
            shop_id=account.shop_id, shop_slug=account.shop_slug, token_hash=hashed,
            expires_at=await self.store.token_expires_at(hashed),
        )

    def sweep_expired(self) -> None:
        """Close the connections whose token or buyer session has run out (checked at the handshake only
        otherwise) or whose token was revoked (by a logout or a password change on another relay), then
        look again in a while: one timer for the relay, not one per connection."""
        now = self.clock.now_ms()
        by_token: dict[str, list[Connection]] = {}
        for conn in list(self.connections):
            expires_at = conn.principal.expires_at
            if expires_at is not None and expires_at <= now:
                conn.close(WebSocketClose.UNAUTHORIZED, "session expired; log in again")
            elif conn.principal.token_hash is not None:
                by_token.setdefault(conn.principal.token_hash, []).append(conn)
        if by_token:
            self.desk.spawn(self._close_revoked(by_token))
        if not self.stopping:
            self._sweep = self.clock.call_later(EXPIRY_SWEEP_S, self.sweep_expired)

    async def _close_revoked(self, by_token: dict[str, list[Connection]]) -> None:
        hashes = list(by_token)
        live: set[str] = set()
        try:
            for i in range(0, len(hashes), 500):
                live |= await self.store.live_tokens(hashes[i:i + 500], self.clock.now_ms())
        except StoreUnavailable:
            return  # asked again at the next sweep
        for hashed in set(hashes) - live:
            for conn in by_token[hashed]:
                conn.close(WebSocketClose.REVOKED, "credentials revoked; log in again")

    def close_sockets(self, code: int, reason: str, *, token_hash: str | None = None,
                      account_id: str | None = None) -> int:
        """Close this relay's sockets (its own and those tunnelled to it) of a token or of an account."""
        served = list(self.cluster.tunnels.inbound.values()) if self.cluster is not None else []
        doomed = [c for c in (*self.connections, *served) if not c.principal.is_buyer and (
            (token_hash is not None and c.principal.token_hash == token_hash)
            or (account_id is not None and c.principal.user_id == account_id))]
        for conn in doomed:
            conn.close(code, reason)
        return len(doomed)

    def admit(self, conn: Connection, data: bytes) -> bool:
        """Whether an incoming frame is within the size and rate limits; if not, the client is told why."""
        if len(data) > MAX_FRAME_BYTES:
            self._refuse(conn, FrameError(ErrorCode.TOO_LARGE, f"frame of {len(data)} bytes exceeds"
                                                               f" {MAX_FRAME_BYTES}"), request_id_of(data))
            return False
        wait = conn.bucket.take()
        if wait is not None:
            conn.send(encode(f.Error(
                code=ErrorCode.RATE_LIMITED, message="too many frames; slow down",
                retry_after=round(wait, 3), id=request_id_of(data),
            )))
            return False
        return True

    def on_frame(self, conn: Connection, data: bytes) -> Coroutine[Any, Any, None] | None:
        """Validate, rate-limit and dispatch one incoming frame; every refusal is an error frame.

        Chat sends are handled right here, without a coroutine (the hot path); frames that need to
        wait for something come back as a coroutine for the caller to await. With several relays, a
        buyer's requests other than chat go to the routing leader (`relay.tunnel`).
        """
        try:
            if not self.admit(conn, data):
                return None
            frame = decode_client(data)
            if type(frame) is f.Send and self.hub.send_now(conn, frame):
                return None
            if (self.cluster is not None and not self.desk.leading and type(frame) not in Hub.OWN_FRAMES
                    and not isinstance(conn, RemoteConnection)):
                self._to_leader(conn, frame.id, data)
                return None
            return self._dispatch(conn, frame)
        except Exception as exc:
            self._refuse(conn, exc, None)
            return None

    def _to_leader(self, conn: Connection, rid: str | None, data: bytes) -> None:
        assert self.cluster is not None
        leader = self.cluster.leader
        if leader is None:
            raise FrameError(ErrorCode.UNAVAILABLE, NO_LEADER, rid,
                             retry_after=LEADER_WAIT_S)
        self.cluster.tunnels.forward_request(conn, data, leader)

    async def _dispatch(self, conn: Connection, frame: f.ClientFrame) -> None:
        try:
            await self.hub.handle(conn, frame)
        except Exception as exc:
            self._refuse(conn, exc, frame.id)

    def _refuse(self, conn: Connection, exc: Exception, rid: str | None) -> None:
        """Answer a refused or failed request; the error names the request whenever it is known."""
        if isinstance(exc, FrameError):
            conn.send(encode(f.Error(code=exc.code, message=exc.message, id=exc.request_id or rid,
                                     retry_after=exc.retry_after, reason=exc.reason)))
        elif isinstance(exc, StoreUnavailable):
            logger.error("store unavailable: %s", exc)
            conn.send(encode(f.Error(code=ErrorCode.UNAVAILABLE, message="storage unavailable, retry later", id=rid)))
        else:
            logger.error("frame handling failed", exc_info=exc)
            conn.send(encode(f.Error(code=ErrorCode.INTERNAL, message="internal error", id=rid)))


RELAY = web.AppKey("relay", Relay)
METRICS = web.AppKey("metrics", CollectorRegistry)


# --- HTTP API ------------------------------------------------------------------------------


async def buyer_session(request: web.Request) -> web.Response:
    """The platform stand-in: sign a session for a demo buyer and set it as a cookie."""
    relay = request.app[RELAY]
    raw = await request.read()
    try:
        body = decode_body(raw or b"{}", f.BuyerSessionRequest)
    except FrameError as exc:
        return _error(400, exc.code, exc.message)
    buyer_id = body.buyer_id
    if buyer_id is None:
        ids = await relay.store.buyer_ids()
        if not ids:
            return _error(404, ErrorCode.NOT_FOUND, "no demo buyers; start the relay with --demo")
        buyer_id = random.choice(ids)
    buyer = await relay.store.get_buyer(buyer_id)
    if buyer is None:
        return _error(404, ErrorCode.NOT_FOUND, f"no buyer {buyer_id!r}")
    expires_at = relay.clock.now_ms() + relay.config.buyer_session_ttl_s * 1000
    token = relay.signer.sign(buyer.id, expires_at)
    principal = Principal(role="buyer", user_id=buyer.id, display_name=buyer.nickname)
    response = _json(f.TokenResponse(token=token, expires_at=expires_at, session=_session_info(principal)))
    response.set_cookie(
        BUYER_COOKIE, token, max_age=relay.config.buyer_session_ttl_s, httponly=True, samesite="Strict", path="/",
        secure=relay.config.tls,  # over TLS, never sent in the clear
    )
    return response


async def shops(request: web.Request) -> web.Response:
    relay = request.app[RELAY]
    return _json([f.ShopInfo(slug=s.slug, name=s.name) for s in await relay.store.list_shops()])


async def index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC_DIR / "index.html")


PERMISSIONS_POLICY = ", ".join(
    [f"{feature}=(self)" for feature in ("camera", "microphone", "autoplay", "fullscreen")]
    + [f"{feature}=()" for feature in ("geolocation", "payment", "usb", "serial", "hid", "bluetooth", "midi",
                                      "display-capture", "accelerometer", "gyroscope", "magnetometer",
                                      "screen-wake-lock", "publickey-credentials-get")])
"""What the buyer page may use: the camera and microphone of a call on its own origin, autoplay of
the agent's stream and its video full screen; every other powerful feature is off (page and frames)."""


@web.middleware
async def security_headers(request: web.Request, handler):  # type: ignore[no-untyped-def]
    response = await handler(request)
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; connect-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:;"
        " object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    if request.app[RELAY].config.tls:  # browsers keep to HTTPS for this host from now on
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


# --- WebSocket -----------------------------------------------------------------------------


async def websocket(request: web.Request) -> web.StreamResponse:
    relay = request.app[RELAY]
    if relay.stopping:
        return _error(503, ErrorCode.GOING_AWAY, "relay is shutting down")
    origin = request.headers.get("Origin")
    if origin is not None and not relay.origin_allowed(origin):
        logger.info("refused handshake from origin %s", origin)
        return _error(403, ErrorCode.BAD_ORIGIN, "origin not allowed")
    version = request.query.get("v", str(PROTOCOL_VERSION))
    if version != str(PROTOCOL_VERSION):
        return _error(400, ErrorCode.UNSUPPORTED_VERSION, f"this relay speaks protocol {PROTOCOL_VERSION}")
    token = _bearer(request) or request.cookies.get(BUYER_COOKIE)
    principal = await relay.principal_for(token) if token else None
    if principal is None:
        return _error(401, ErrorCode.UNAUTHORIZED, "missing, expired or revoked credentials")
    leader = None  # with several relays, the relay that serves a shop account's socket, when not this one
    if relay.cluster is not None and not principal.is_buyer and not relay.desk.leading:
        leader = await relay.cluster.wait_for_leader(LEADER_WAIT_S)
        if relay.desk.leading:
            leader = None
        elif leader is None:
            return _error(503, ErrorCode.UNAVAILABLE, NO_LEADER, LEADER_WAIT_S)

    ws = web.WebSocketResponse(  # aiohttp closes on a frame of max_msg_size bytes or more: + 1 lets 1 MiB through
        heartbeat=relay.config.heartbeat_s, max_msg_size=HARD_FRAME_LIMIT + 1, compress=False, decode_text=False
    )
    writer = await ws.prepare(request)
    limit = relay.config.buyer_rate if principal.is_buyer else relay.config.agent_rate
    bucket = TokenBucket(limit.rate, limit.burst, relay.clock.monotonic)
    conn = Connection(ws, principal, bucket, relay.config.send_queue_frames, writer=writer,
                      protocol=request.protocol)
    relay.connections.add(conn)
    conn.send(encode(f.Welcome(
        version=PROTOCOL_VERSION, session=_session_info(principal), server_time=relay.clock.now_ms(),
        limits=f.Limits(max_frame_bytes=MAX_FRAME_BYTES, max_text_chars=MAX_TEXT_CHARS,
                        rate_per_second=limit.rate, burst=limit.burst),
    )))
    loop = asyncio.get_running_loop()
    deadline: asyncio.TimerHandle | None = None
    tunnels = relay.cluster.tunnels if relay.cluster is not None else None
    if leader is not None and tunnels is not None:
        tunnels.open(conn, leader)  # the leader keeps the sync deadline
    else:
        deadline = loop.call_later(relay.config.sync_timeout_s, conn.close_unless_synced)
    try:
        async for msg in ws:
            if msg.type is WSMsgType.TEXT and leader is not None and tunnels is not None:
                if relay.admit(conn, msg.data):
                    tunnels.forward(conn, msg.data)
            elif msg.type is WSMsgType.TEXT:
                pending = relay.on_frame(conn, msg.data)
                if pending is not None:
                    await pending
                    pending = None  # an idle connection keeps nothing of its last request
                if deadline is not None and conn.synced:  # no timer (nor closure) per idle connection
                    deadline.cancel()
                    deadline = None
                if conn.backlogged():  # stop reading until its writes are committed and the socket drains
                    await conn.relieved()
            elif msg.type is WSMsgType.BINARY:
                conn.send(encode(f.Error(code=ErrorCode.BAD_FRAME, message="binary frames are not supported")))
            elif msg.type is WSMsgType.ERROR:
                logger.info("websocket error: %s", ws.exception())
                break
    finally:
        if deadline is not None:
            deadline.cancel()
        conn.closed = True
        relay.hub.unregister(conn)
        relay.connections.discard(conn)
        if tunnels is not None:
            tunnels.closed(conn)
    return ws


# --- application ---------------------------------------------------------------------------


def create_app(
    config: RelayConfig, *, clock: Clock | None = None, store: Store | None = None
) -> web.Application:
    """Build the relay's aiohttp application. The store opens on start-up and closes on cleanup."""
    clock = clock or SystemClock()
    store = store or make_store(config.database, config.db_path, config.synchronous)
    relay = Relay(config, store, clock)
    app = web.Application(middlewares=[security_headers], client_max_size=MAX_FRAME_BYTES)
    app[RELAY] = relay
    app[METRICS] = prometheus.registry_for(relay)
    app.router.add_get("/", index)
    app.router.add_get("/ws", websocket)
    app.router.add_routes(accounts_api.routes(RELAY))
    app.router.add_post("/api/buyer/session", buyer_session)
    app.router.add_get("/api/shops", shops)
    app.router.add_routes(health_routes(RELAY, METRICS))
    app.router.add_routes(supervisor_api.routes(RELAY))
    if STATIC_DIR.is_dir():
        app.router.add_static("/static/", STATIC_DIR)

    async def on_startup(app: web.Application) -> None:
        await store.open()
        if config.demo:
            await seed_demo(store, clock.now_ms())
        if relay.cluster is None:
            await relay.lead()
        else:
            await relay.cluster.start()  # leads now if no relay does; else follows, and takes over when it can
        relay.sweep_expired()
        relay.ready = True

    async def on_shutdown(app: web.Application) -> None:
        await relay.calls.shutdown()  # ended with `relay_restarted` while the parties' sockets are still open
        relay.stopping = True
        conns = list(relay.connections)
        await asyncio.gather(*(c.flush() for c in conns), return_exceptions=True)
        await asyncio.gather(
            *(c.ws.close(code=WebSocketClose.GOING_AWAY, message=b"going away") for c in conns),
            return_exceptions=True,
        )

    async def on_cleanup(app: web.Application) -> None:
        if relay._sweep is not None:
            relay._sweep.cancel()
        if relay.cluster is not None:
            await relay.cluster.close()
        await relay.calls.close()
        await relay.desk.close()
        await store.close()

    app.on_startup.append(on_startup)
    app.on_shutdown.append(on_shutdown)
    app.on_cleanup.append(on_cleanup)
    return app
