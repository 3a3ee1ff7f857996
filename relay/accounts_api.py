"""The shop accounts' HTTP API: log in, log out, who am I, change the password.

Passwords are hashed with scrypt (`relay.auth`), off the event loop. Failed logins and failed
password changes are throttled per account and address. A token is revoked by logging out with
it; changing the password revokes every token of the account and returns a new one. The sockets
of a revoked token are closed at once on this relay, and within `EXPIRY_SWEEP_S` on the others
(`Relay.sweep_expired` asks the store which tokens still live).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Protocol

from aiohttp import web

from relay.auth import LoginThrottle, hash_password, new_token, token_hash, verify_password
from relay.clock import Clock
from relay.config import RelayConfig
from relay.http_util import bearer, error_response, json_response, session_info
from relay.sessions import Principal
from relay.store import Store
from wire import frames as f
from wire.codec import FrameError, decode_body
from wire.errors import ErrorCode, WebSocketClose

logger = logging.getLogger(__name__)

_DUMMY_HASH = hash_password("not a password")  # keeps failed logins as slow as real ones


class AccountsRelay(Protocol):
    """What these handlers need of the relay."""

    config: RelayConfig
    store: Store
    clock: Clock
    throttle: LoginThrottle

    async def principal_for(self, token: str) -> Principal | None: ...
    def close_sockets(self, code: int, reason: str, *, token_hash: str | None = None,
                      account_id: str | None = None) -> int: ...


def _issued(relay: AccountsRelay) -> tuple[str, str, int]:
    token, hashed = new_token()
    return token, hashed, relay.clock.now_ms() + relay.config.token_ttl_s * 1000


def routes(relay_key: web.AppKey[Any]) -> list[web.RouteDef]:
    """The routes, reading the relay from the application under `relay_key`."""

    async def login(request: web.Request) -> web.Response:
        relay: AccountsRelay = request.app[relay_key]
        try:
            body = decode_body(await request.read(), f.LoginRequest)
        except FrameError as exc:
            return error_response(400, exc.code, exc.message)
        key = (body.shop, body.username, request.remote or "")
        wait = relay.throttle.retry_after(key)
        if wait is not None:
            return error_response(429, ErrorCode.THROTTLED, "too many failed logins; try again later", wait)
        account = await relay.store.find_account(body.shop, body.username)
        stored = account.password_hash if account else _DUMMY_HASH
        ok = await asyncio.to_thread(verify_password, body.password, stored)
        if account is None or not ok:
            relay.throttle.failed(key)
            logger.info("failed login for %s/%s", body.shop, body.username)
            return error_response(401, ErrorCode.UNAUTHORIZED, "wrong shop, username or password")
        relay.throttle.succeeded(key)
        token, hashed, expires_at = _issued(relay)
        await relay.store.save_token(hashed, account.id, expires_at)
        principal = Principal(
            role=account.role, user_id=str(account.id), display_name=account.display_name,
            shop_id=account.shop_id, shop_slug=account.shop_slug,
        )
        logger.info("login %s/%s", body.shop, body.username)
        return json_response(f.TokenResponse(token=token, expires_at=expires_at, session=session_info(principal)))

    async def logout(request: web.Request) -> web.Response:
        relay: AccountsRelay = request.app[relay_key]
        token = bearer(request)
        if token is None or not await relay.store.revoke_token(token_hash(token)):
            return error_response(401, ErrorCode.UNAUTHORIZED, "no valid token")
        relay.close_sockets(WebSocketClose.REVOKED, "logged out", token_hash=token_hash(token))
        return web.Response(status=204)

    async def session(request: web.Request) -> web.Response:
        relay: AccountsRelay = request.app[relay_key]
        token = bearer(request)
        principal = await relay.principal_for(token) if token else None
        if principal is None:
            return error_response(401, ErrorCode.UNAUTHORIZED, "no valid token")
        return json_response(session_info(principal))

    async def password(request: web.Request) -> web.Response:
        relay: AccountsRelay = request.app[relay_key]
        token = bearer(request)
        principal = await relay.principal_for(token) if token else None
        if token is None or principal is None:
            return error_response(401, ErrorCode.UNAUTHORIZED, "no valid token")
        if principal.is_buyer or principal.shop_slug is None:
            return error_response(403, ErrorCode.FORBIDDEN, "only shop accounts have a password here")
        try:
            body = decode_body(await request.read(), f.PasswordChange)
        except FrameError as exc:
            return error_response(400, exc.code, exc.message)
        key = ("password", principal.user_id, request.remote or "")
        wait = relay.throttle.retry_after(key)
        if wait is not None:
            return error_response(429, ErrorCode.THROTTLED, "too many wrong passwords; try again later", wait)
        if body.new_password == body.current_password:
            return error_response(400, ErrorCode.INVALID_FIELD, "the new password is the current one")
        row = await relay.store.account_for_token(token_hash(token), relay.clock.now_ms())
        if row is None:
            return error_response(401, ErrorCode.UNAUTHORIZED, "no valid token")
        if not await asyncio.to_thread(verify_password, body.current_password, row.password_hash):
            relay.throttle.failed(key)
            logger.info("wrong current password in a password change for account %s", row.id)
            return error_response(403, ErrorCode.FORBIDDEN, "the current password is wrong")
        relay.throttle.succeeded(key)
        new_hash = await asyncio.to_thread(hash_password, body.new_password)
        token, hashed, expires_at = _issued(relay)
        if not await relay.store.change_password(row.id, row.password_hash, new_hash, hashed, expires_at):
            return error_response(409, ErrorCode.CONFLICT, "the password was changed meanwhile; log in again")
        closed = relay.close_sockets(WebSocketClose.REVOKED, "password changed; log in again",
                                     account_id=principal.user_id)
        logger.info("password changed for account %s; %d socket(s) closed", row.id, closed)
        return json_response(f.TokenResponse(token=token, expires_at=expires_at, session=session_info(principal)))

    return [web.post("/api/login", login), web.post("/api/logout", logout), web.get("/api/session", session),
            web.post("/api/password", password)]
