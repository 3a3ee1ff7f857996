"""The supervisors' HTTP API: a shop's figures over any date range, the facts behind a figure, the
complaints. Every route needs a supervisor's bearer token and answers for that supervisor's shop
only (docs/metrics.md, "HTTP API").
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import TypeVar

from aiohttp import web

from relay.calls import complaint_info
from relay.metrics import rules
from relay.metrics.days import days_of
from relay.metrics.report import BREAKDOWNS, compose
from relay.metrics.source import RelayView
from relay.sessions import Principal
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


def date_range(request: web.Request, today: date) -> tuple[date, date]:
    """`start` and `end` (YYYY-MM-DD, inclusive, shop time; both default to today), or `days=N` ending today."""
    q = request.query
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


def _json(obj: object) -> web.Response:
    return web.Response(body=encode(obj), content_type="application/json")


def _error(exc: ApiError) -> web.Response:
    body = encode(f.HttpError(code=exc.code, message=exc.message))
    return web.Response(status=exc.status, body=body, content_type="application/json")


def routes(relay_key: web.AppKey[R]) -> list[web.RouteDef]:
    """The API's routes, reading the relay from the application under `relay_key`."""

    async def prepare(request: web.Request) -> tuple[R, int, date, date]:
        relay = request.app[relay_key]
        principal = await supervisor(relay, request)
        assert principal.shop_id is not None
        if not relay.desk.leading:  # several relays: the live figures are the routing leader's
            raise ApiError(503, ErrorCode.UNAVAILABLE, "this relay does not keep the live figures; retry"
                                                       " (another relay leads routing)")
        await relay.desk.shop_desk(principal.shop_id)
        tz = relay.desk.timezone(principal.shop_id)
        first, last = date_range(request, rules.local_date(relay.clock.now_ms(), tz))
        return relay, principal.shop_id, first, last

    async def get_figures(request: web.Request) -> web.Response:
        try:
            relay, shop_id, first, last = await prepare(request)
            by = frozenset(p for p in request.query.get("by", "agent,hour,day").split(",") if p)
            if not by <= BREAKDOWNS:
                raise ApiError(400, ErrorCode.INVALID_FIELD, f"by is a list of {', '.join(sorted(BREAKDOWNS))}")
        except ApiError as exc:
            return _error(exc)
        return _json(await figures_report(relay, shop_id, first, last, by))

    async def get_drill(request: web.Request) -> web.Response:
        try:
            relay, shop_id, first, last = await prepare(request)
            figure = request.query.get("figure", "")
            if figure not in w.DRILL_FIGURES:
                raise ApiError(400, ErrorCode.INVALID_FIELD, f"figure is one of {', '.join(w.DRILL_FIGURES)}")
            try:
                agent = int(request.query["agent"]) if "agent" in request.query else None
                limit = int(request.query.get("limit", DRILL_LIMIT))
                if not 1 <= limit <= 1000:
                    raise ValueError
            except ValueError:
                raise ApiError(400, ErrorCode.INVALID_FIELD, "agent is an account id; limit is 1 to 1000") from None
        except ApiError as exc:
            return _error(exc)
        since, until = rules.window(first, last, relay.desk.timezone(shop_id))
        rows = await relay.store.drill(shop_id, figure, since, until, agent, limit + 1)
        return _json(w.DrillRows(figure=figure, more=len(rows) > limit, rows=[
            w.DrillRow(conversation_id=r[0], buyer_name=r[1], at=r[2], kind=str(r[3]),
                       agent_id=str(r[4]) if r[4] is not None else None, agent_name=r[5],
                       seconds=float(r[6]) if r[6] is not None else None, call_id=r[7], stars=r[8])
            for r in rows[:limit]]))

    async def get_complaints(request: web.Request) -> web.Response:
        try:
            relay, shop_id, first, last = await prepare(request)
        except ApiError as exc:
            return _error(exc)
        since, until = rules.window(first, last, relay.desk.timezone(shop_id))
        rows = await relay.store.complaints(shop_id, since, until)
        return _json(w.ComplaintList(complaints=[complaint_info(r) for r in rows]))

    return [
        web.get("/api/supervisor/figures", get_figures),
        web.get("/api/supervisor/drill", get_drill),
        web.get("/api/supervisor/complaints", get_complaints),
    ]
