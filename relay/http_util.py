"""Small pieces of the relay's HTTP API shared by its handler modules."""

from __future__ import annotations

import math

from aiohttp import web

from relay.sessions import Principal
from wire import frames as f
from wire.codec import encode
from wire.errors import ErrorCode


def error_response(status: int, code: ErrorCode, message: str, retry_after: float | None = None) -> web.Response:
    """An `HttpError` body with its status (and Retry-After when the client should retry)."""
    headers = {}
    if retry_after is not None:
        headers["Retry-After"] = str(max(1, math.ceil(retry_after)))
    body = encode(f.HttpError(code=code, message=message, retry_after=retry_after))
    return web.Response(status=status, body=body, content_type="application/json", headers=headers)


def bearer(request: web.Request) -> str | None:
    """The request's `Authorization: Bearer` token, if any."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer ") and len(header) > 7:
        return header[7:].strip()
    return None


def json_response(obj: object, status: int = 200) -> web.Response:
    """`obj` encoded by the wire codec as a JSON response."""
    return web.Response(status=status, body=encode(obj), content_type="application/json")


def session_info(p: Principal) -> f.SessionInfo:
    """Who a token or buyer session belongs to, as the wire says it."""
    return f.SessionInfo(role=p.role, user_id=p.user_id, display_name=p.display_name, shop=p.shop_slug)  # type: ignore[arg-type]
