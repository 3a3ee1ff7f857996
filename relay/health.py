"""The relay's operational endpoints: `/healthz` (liveness), `/readyz` (readiness), `/metrics` (Prometheus)."""

from __future__ import annotations

import asyncio
import hmac
from typing import Any, Protocol, TypeVar

import msgspec
from aiohttp import web
from prometheus_client import CollectorRegistry

from relay import __version__
from relay.cluster import Cluster
from relay.config import RelayConfig
from relay.desk import Desk
from relay.http_util import bearer, error_response
from relay.metrics import prometheus
from relay.store import Store, StoreUnavailable
from wire import PROTOCOL_VERSION
from wire.errors import ErrorCode


class RelayState(Protocol):
    """What these endpoints read of the relay (`relay.server.Relay`)."""

    config: RelayConfig
    store: Store
    desk: Desk
    cluster: Cluster | None
    connections: set[Any]
    ready: bool
    stopping: bool


R = TypeVar("R", bound=RelayState)


def routes(relay_key: web.AppKey[R], metrics_key: web.AppKey[CollectorRegistry]) -> list[web.RouteDef]:
    """The routes, reading the relay and its Prometheus registry from the application under these keys."""

    async def healthz(request: web.Request) -> web.Response:
        relay = request.app[relay_key]
        db = relay.store.health()
        status = "ok" if db.get("ok") and not relay.stopping else ("stopping" if relay.stopping else "degraded")
        body = {"status": status, "version": __version__, "protocol": PROTOCOL_VERSION,
                "connections": len(relay.connections), "db": db}
        if relay.cluster is not None:
            body["bus"] = relay.cluster.health()
        return web.Response(status=200 if status == "ok" else 503, body=msgspec.json.encode(body),
                            content_type="application/json")

    async def readyz(request: web.Request) -> web.Response:
        """Whether to send this relay traffic: started, not stopping, and its database answering now.

        Unlike `/healthz` (the process and its writer are fine), this asks the database a question, so a
        load balancer takes a relay whose database is unreachable out of rotation; after a failed write it
        asks for a commit too, so a relay whose database refuses writes (disk full) is out as well."""
        relay = request.app[relay_key]
        checks: dict[str, object] = {"started": relay.ready, "stopping": relay.stopping}
        try:
            await asyncio.wait_for(relay.store.list_shops(), timeout=2.0)
            if not relay.store.health().get("ok"):
                # The last write failed (disk full, an I/O error, PostgreSQL gone): reads may answer while
                # writes are refused, so ask for a commit. Its success also clears the store's error: the
                # relay is back in rotation by itself once the database takes writes again.
                await asyncio.wait_for(relay.store.probe_write(), timeout=2.0)
            checks["database"] = "ok"
        except (StoreUnavailable, TimeoutError) as exc:
            checks["database"] = f"unavailable: {exc or 'no answer within 2 s'}"
        cluster = relay.cluster
        if cluster is not None:
            bus = cluster.bus
            checks["redis"] = "ok" if bus.connected else f"unavailable: {bus.last_error or 'not connected yet'}"
            checks["routing"] = ("leading" if relay.desk.leading else
                                 f"following {cluster.leader}" if cluster.leader else "no leader known")
        ready = relay.ready and not relay.stopping and checks["database"] == "ok"
        body = {"ready": ready, "engine": relay.store.health().get("engine"), "checks": checks}
        return web.Response(status=200 if ready else 503, body=msgspec.json.encode(body),
                            content_type="application/json")

    async def metrics(request: web.Request) -> web.Response:
        """Prometheus text format; with `--metrics-token-file`, only for that bearer token, else only for loopback."""
        relay = request.app[relay_key]
        token = relay.config.metrics_token
        if token is not None:
            given = bearer(request) or ""
            if not hmac.compare_digest(given.encode(), token.encode()):
                return error_response(401, ErrorCode.UNAUTHORIZED, "GET /metrics needs the relay's metrics token")
        elif request.remote not in ("127.0.0.1", "::1"):
            return error_response(403, ErrorCode.FORBIDDEN,
                                  "GET /metrics answers loopback only (see --metrics-token-file)")
        body = prometheus.render(request.app[metrics_key])
        return web.Response(body=body, headers={"Content-Type": "text/plain; version=0.0.4; charset=utf-8"})

    return [web.get("/healthz", healthz), web.get("/readyz", readyz), web.get("/metrics", metrics)]
