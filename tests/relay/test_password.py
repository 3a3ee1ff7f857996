"""Changing a password (`POST /api/password`) and revoking tokens: the old password and every token
of the account stop working at once, the account's sockets are closed, and a token revoked behind
this relay's back (another relay's logout) loses its socket at the next sweep."""

from __future__ import annotations

import asyncio

import pytest

from app.client import KefuClient, buyer_session, change_password, fetch_session, login
from app.errors import RelayError
from relay.auth import token_hash
from relay.clock import FakeClock
from relay.server import EXPIRY_SWEEP_S
from tests.conftest import DEMO_PASSWORD, MAIN_SHOP, RunningRelay
from tests.relay.helpers import db_value
from wire import MIN_PASSWORD_CHARS
from wire.errors import WebSocketClose

NEW = "a new pass phrase 2026"


async def _connected(relay: RunningRelay, token: str) -> KefuClient:
    client = KefuClient(relay.url, token)
    await client.connect()
    return client


async def _refused(coro: object) -> str:
    with pytest.raises(RelayError) as err:
        await coro  # type: ignore[misc]
    return str(err.value.code)


async def test_a_password_change_revokes_every_token_and_closes_the_accounts_sockets(relay: RunningRelay) -> None:
    desk = (await login(relay.url, MAIN_SHOP, "agent1", DEMO_PASSWORD)).token
    laptop = (await login(relay.url, MAIN_SHOP, "agent1", DEMO_PASSWORD)).token
    colleague = (await login(relay.url, MAIN_SHOP, "agent2", DEMO_PASSWORD)).token
    clients = [await _connected(relay, t) for t in (desk, laptop, colleague)]
    try:
        me = await fetch_session(relay.url, desk)
        fresh = await change_password(relay.url, desk, DEMO_PASSWORD, NEW)
        assert fresh.session == me and fresh.token not in (desk, laptop)
        await asyncio.wait_for(asyncio.gather(clients[0].closed.wait(), clients[1].closed.wait()), 10)
        assert [c.close_code for c in clients[:2]] == [WebSocketClose.REVOKED] * 2
        assert clients[2].connected, "another account's socket is untouched"
        for old in (desk, laptop):
            assert await _refused(fetch_session(relay.url, old)) == "unauthorized"
            assert await _refused(KefuClient(relay.url, old).connect()) == "unauthorized"
        assert (await fetch_session(relay.url, fresh.token)).display_name == fresh.session.display_name
        assert await _refused(login(relay.url, MAIN_SHOP, "agent1", DEMO_PASSWORD)) == "unauthorized"
        await login(relay.url, MAIN_SHOP, "agent1", NEW)
        again = await _connected(relay, fresh.token)  # the workstation that changed it goes on
        clients.append(again)
        assert again.connected
    finally:
        for c in clients:
            await c.close()


async def test_a_refused_change_changes_nothing(relay: RunningRelay) -> None:
    token = (await login(relay.url, MAIN_SHOP, "agent1", DEMO_PASSWORD)).token
    client = await _connected(relay, token)
    stored = db_value(relay, "SELECT password_hash FROM accounts WHERE username = 'agent1'")
    try:
        assert await _refused(change_password(relay.url, token, "not my password", NEW)) == "forbidden"
        assert await _refused(change_password(relay.url, token, DEMO_PASSWORD, "short")) == "invalid_field"
        assert len("short") < MIN_PASSWORD_CHARS
        assert await _refused(change_password(relay.url, token, DEMO_PASSWORD, DEMO_PASSWORD)) == "invalid_field"
        assert await _refused(change_password(relay.url, "not-a-token", DEMO_PASSWORD, NEW)) == "unauthorized"
        buyer = (await buyer_session(relay.url, "b-jiadian-0052")).token
        assert await _refused(change_password(relay.url, buyer, DEMO_PASSWORD, NEW)) == "forbidden"
        assert db_value(relay, "SELECT password_hash FROM accounts WHERE username = 'agent1'") == stored
        assert client.connected
        await fetch_session(relay.url, token)
    finally:
        await client.close()


async def test_guessing_the_current_password_is_throttled(relay: RunningRelay) -> None:
    token = (await login(relay.url, MAIN_SHOP, "agent1", DEMO_PASSWORD)).token
    for _ in range(relay.config.login_failures):
        assert await _refused(change_password(relay.url, token, "guess", NEW)) == "forbidden"
    with pytest.raises(RelayError) as err:
        await change_password(relay.url, token, DEMO_PASSWORD, NEW)  # even the right one, for a while
    assert err.value.code == "throttled" and err.value.retry_after is not None
    await login(relay.url, MAIN_SHOP, "agent1", DEMO_PASSWORD)


async def test_a_token_revoked_elsewhere_loses_its_socket_at_the_next_sweep(
        relay: RunningRelay, fake_clock: FakeClock) -> None:
    """Another relay on the same database logs a token out: this relay learns it from the store."""
    token = (await login(relay.url, MAIN_SHOP, "agent1", DEMO_PASSWORD)).token
    kept = (await login(relay.url, MAIN_SHOP, "agent2", DEMO_PASSWORD)).token
    client, other = await _connected(relay, token), await _connected(relay, kept)
    try:
        assert await relay.relay.store.revoke_token(token_hash(token))  # not through this relay's API
        assert client.connected
        fake_clock.advance(EXPIRY_SWEEP_S + 1)
        await asyncio.wait_for(client.closed.wait(), 10)
        assert client.close_code == WebSocketClose.REVOKED
        assert other.connected
    finally:
        await client.close()
        await other.close()
