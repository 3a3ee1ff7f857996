"""The supervisors' HTTP API: a shop's figures over any date range, the facts behind a figure, the
complaints. Every route needs a supervisor's bearer token and answers for that supervisor's shop
only (docs/metrics.md, "HTTP API").
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import date, timedelta
from typing import TypeVar

from aiohttp import web

from relay.calls import complaint_info
from relay.metrics import rules
from relay.metrics.days import days_of
from relay.metrics.report import BREAKDOWNS, compose
from relay.metrics.source import RelayView
from relay.sessions import Principal
from relay.tunnel import NO_LEADER
from wire import figures as w
from wire import frames as f
from wire.codec import encode
from wire.errors import ErrorCode

logger = logging.getLogger(__name__)
R = TypeVar("R", bound=RelayView)

MAX_DAYS = 400
"""The longest date range one request may ask for."""
DRILL_LIMIT = 200


class ApiError(Exception):
    def __init__(self, status: int, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


async def supervisor(relay: RelayView, request: web.Request) -> Principal:
    """The supervisor the request's bearer token belongs to; ApiError otherwise (401, or 403 for
    another role or another shop named in `shop`)."""
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header.startswith("Bearer ") else ""
    principal = await relay.principal_for(token) if token else None
    if principal is None:
        raise ApiError(401, ErrorCode.UNAUTHORIZED, "missing, expired or revoked credentials")
    if principal.role != "supervisor" or principal.shop_id is None:
        raise ApiError(403, ErrorCode.FORBIDDEN, "only a shop's supervisors may read its figures")
    shop = request.query.get("shop")
    if shop is not None and shop != principal.shop_slug:
        raise ApiError(403, ErrorCode.FORBIDDEN, "this is another shop's data")
    return principal


def date_range(q: Mapping[str, str], today: date) -> tuple[date, date]:
    """`start` and `end` (YYYY-MM-DD, inclusive, shop time; both default to today), or `days=N` ending today."""
    try:
        if "days" in q:
            days = int(q["days"])
            if not 1 <= days <= MAX_DAYS:
                raise ValueError
            return today - timedelta(days=days - 1), today
        first = date.fromisoformat(q["start"]) if "start" in q else today
        last = date.fromisoformat(q["end"]) if "end" in q else (first if "start" in q else today)
    except ValueError:
        raise ApiError(400, ErrorCode.INVALID_FIELD,
                       f"start and end are dates (YYYY-MM-DD); days is 1 to {MAX_DAYS}") from None
    if last < first:
        raise ApiError(400, ErrorCode.INVALID_FIELD, "end comes before start")
    if (last - first).days >= MAX_DAYS:
        raise ApiError(400, ErrorCode.INVALID_FIELD, f"at most {MAX_DAYS} days at once")
    return first, last


async def figures_report(relay: RelayView, shop_id: int, first: date, last: date,
                         by: frozenset[str]) -> w.FiguresReport:
    """A shop's figures over the days first..last, from the stored facts."""
    desk = relay.desk
    tz = desk.timezone(shop_id)
    now = relay.clock.now_ms()
    days = await days_of(relay.store, shop_id, tz, first, last, now, with_cells="agent_hour" in by,
                         live=desk.book.live_day(shop_id), kept=desk.book.kept_days)
    return compose(days, shop=desk.shop_slug(shop_id), tz=tz, first=first, last=last,
                   generated_at=now, members=desk.members(shop_id), by=by)


def _error(exc: ApiError) -> tuple[int, bytes]:
    return exc.status, encode(f.HttpError(code=exc.code, message=exc.message))


def unavailable(message: str) -> tuple[int, bytes]:
    return _error(ApiError(503, ErrorCode.UNAVAILABLE, message))


Query = Mapping[str, str]
Answer = tuple[int, bytes]
"""An API answer: its HTTP status and its JSON body."""


async def answer(relay: RelayView, principal: Principal, path: str, query: Query) -> Answer:
    """A supervisor's request (already authenticated), answered by the relay that leads routing:
    the live figures are its own (with several relays a follower asks it: `Relay.answer_api`)."""
    handler = _HANDLERS.get(path)
    if handler is None:
        return _error(ApiError(404, ErrorCode.NOT_FOUND, f"no API at {path}"))
    if not relay.desk.leading:
        return unavailable(NO_LEADER)
    assert principal.shop_id is not None
    try:
        await relay.desk.shop_desk(principal.shop_id)
        tz = relay.desk.timezone(principal.shop_id)
        first, last = date_range(query, rules.local_date(relay.clock.now_ms(), tz))
        return 200, encode(await handler(relay, principal.shop_id, first, last, query))
    except ApiError as exc:
        return _error(exc)


async def _figures(relay: RelayView, shop_id: int, first: date, last: date, query: Query) -> object:
    by = frozenset(p for p in query.get("by", "agent,hour,day").split(",") if p)
    if not by <= BREAKDOWNS:
        raise ApiError(400, ErrorCode.INVALID_FIELD, f"by is a list of {', '.join(sorted(BREAKDOWNS))}")
    return await figures_report(relay, shop_id, first, last, by)


async def _drill(relay: RelayView, shop_id: int, first: date, last: date, query: Query) -> object:
    figure = query.get("figure", "")
    if figure not in w.DRILL_FIGURES:
        raise ApiError(400, ErrorCode.INVALID_FIELD, f"figure is one of {', '.join(w.DRILL_FIGURES)}")
    try:
        agent = int(query["agent"]) if "agent" in query else None
        limit = int(query.get("limit", DRILL_LIMIT))
        if not 1 <= limit <= 1000:
            raise ValueError
    except ValueError:
        raise ApiError(400, ErrorCode.INVALID_FIELD, "agent is an account id; limit is 1 to 1000") from None
    since, until = rules.window(first, last, relay.desk.timezone(shop_id))
    rows = await relay.store.drill(shop_id, figure, since, until, agent, limit + 1)
    return w.DrillRows(figure=figure, more=len(rows) > limit, rows=[
        w.DrillRow(conversation_id=r[0], buyer_name=r[1], at=r[2], kind=str(r[3]),
                   agent_id=str(r[4]) if r[4] is not None else None, agent_name=r[5],
                   seconds=float(r[6]) if r[6] is not None else None, call_id=r[7], stars=r[8])
        for r in rows[:limit]])


async def _complaints(relay: RelayView, shop_id: int, first: date, last: date, query: Query) -> object:
    since, until = rules.window(first, last, relay.desk.timezone(shop_id))
    rows = await relay.store.complaints(shop_id, since, until)
    return w.ComplaintList(complaints=[complaint_info(r) for r in rows])


_HANDLERS: dict[str, Callable[[RelayView, int, date, date, Query], Awaitable[object]]] = {
    "/api/supervisor/figures": _figures,
    "/api/supervisor/drill": _drill,
    "/api/supervisor/complaints": _complaints,
}


def routes(relay_key: web.AppKey[R]) -> list[web.RouteDef]:
    """The API's routes, reading the relay from the application under `relay_key`."""

    async def handle(request: web.Request) -> web.Response:
        relay = request.app[relay_key]
        try:
            principal = await supervisor(relay, request)
        except ApiError as exc:
            status, body = _error(exc)
        else:
            status, body = await relay.answer_api(principal, request.path, dict(request.query))
        return web.Response(status=status, body=body, content_type="application/json")

    return [web.get(path, handle) for path in _HANDLERS]
