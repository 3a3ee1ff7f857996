"""Login, tokens, throttling, revocation, handshake checks."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from app.client import KefuClient, buyer_session, login, logout
from app.errors import RelayError
from relay.clock import FakeClock
from tests.conftest import DEMO_PASSWORD, MAIN_SHOP, OTHER_SHOP, RunningRelay, start_relay
from tests.relay.helpers import db_rows


async def test_login_returns_token_and_session(relay: RunningRelay) -> None:
    reply = await login(relay.url, MAIN_SHOP, "agent1", DEMO_PASSWORD)
    assert len(reply.token) >= 40
    assert reply.session.role == "agent"
    assert reply.session.shop == MAIN_SHOP
    assert reply.session.display_name == "小美"


async def test_token_is_stored_only_as_a_hash(relay: RunningRelay) -> None:
    reply = await login(relay.url, MAIN_SHOP, "agent1", DEMO_PASSWORD)
    if relay.config.database is None:  # SQLite: nowhere in the file's bytes, nor in its WAL
        raw = relay.config.db_path.read_bytes() + (relay.config.data_dir / "relay.sqlite3-wal").read_bytes()
    else:  # PostgreSQL: nowhere in the tokens table (its files are the server's)
        tokens = db_rows(relay, "SELECT * FROM tokens")
        assert tokens  # the login stored its token (as a hash)
        raw = repr(tokens).encode()
    assert reply.token.encode() not in raw


async def test_wrong_password_is_refused(relay: RunningRelay) -> None:
    with pytest.raises(RelayError) as err:
        await login(relay.url, MAIN_SHOP, "agent1", "wrong-password")
    assert err.value.code == "unauthorized"


async def test_unknown_account_and_wrong_shop_are_refused_alike(relay: RunningRelay) -> None:
    for shop, user in [(MAIN_SHOP, "nobody"), (OTHER_SHOP, "agent1"), ("no-such-shop", "agent1")]:
        with pytest.raises(RelayError) as err:
            await login(relay.url, shop, user, DEMO_PASSWORD)
        assert err.value.code == "unauthorized"


async def test_five_failures_a_minute_throttle_with_retry_after(
    relay_config, fake_clock: FakeClock
) -> None:
    runner, running = await start_relay(relay_config, fake_clock)
    try:
        for _ in range(5):
            with pytest.raises(RelayError):
                await login(running.url, MAIN_SHOP, "agent2", "bad")
        async with aiohttp.ClientSession() as http, http.post(
            running.url + "/api/login",
            json={"shop": MAIN_SHOP, "username": "agent2", "password": DEMO_PASSWORD},
        ) as resp:
            assert resp.status == 429
            assert 1 <= int(resp.headers["Retry-After"]) <= 60
            assert (await resp.json())["code"] == "throttled"
        # Another account from the same address is not affected.
        await login(running.url, MAIN_SHOP, "agent1", DEMO_PASSWORD)
        fake_clock.advance(61)
        assert (await login(running.url, MAIN_SHOP, "agent2", DEMO_PASSWORD)).session.role == "agent"
    finally:
        await runner.cleanup()


async def test_malformed_login_body_is_a_clear_400(relay: RunningRelay) -> None:
    async with aiohttp.ClientSession() as http:
        for body in [b"{", b"[]", b'{"shop": "jiadian"}', b'{"shop": 1, "username": "a", "password": "b"}']:
            async with http.post(relay.url + "/api/login", data=body) as resp:
                assert resp.status == 400
                assert (await resp.json())["code"] in ("bad_frame", "invalid_field")


async def test_expired_token_is_refused_at_handshake(relay_config, fake_clock: FakeClock) -> None:
    runner, running = await start_relay(relay_config, fake_clock)
    try:
        token = (await login(running.url, MAIN_SHOP, "agent1", DEMO_PASSWORD)).token
        client = KefuClient(running.url, token)
        await client.connect()
        await client.close()
        fake_clock.advance(running.config.token_ttl_s + 1)
        with pytest.raises(RelayError) as err:
            await client.connect()
        assert err.value.code == "unauthorized"
    finally:
        await runner.cleanup()


async def test_logout_revokes_token_and_closes_its_connections(relay: RunningRelay) -> None:
    token = (await login(relay.url, MAIN_SHOP, "agent1", DEMO_PASSWORD)).token
    client = KefuClient(relay.url, token)
    await client.connect()
    await logout(relay.url, token)
    await asyncio_wait(client.closed)
    with pytest.raises(RelayError) as err:
        await client.connect()
    assert err.value.code == "unauthorized"
    with pytest.raises(RelayError):
        await logout(relay.url, token)


async def test_handshake_without_or_with_garbage_token_is_401(relay: RunningRelay) -> None:
    async with aiohttp.ClientSession() as http:
        for headers in [{}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic x"},
                        {"Cookie": "kefu_buyer=b1.forged.1.sig"}]:
            with pytest.raises(aiohttp.WSServerHandshakeError) as err:
                await http.ws_connect(relay.ws_url, headers=headers)
            assert err.value.status == 401


async def test_tampered_buyer_session_is_refused(relay: RunningRelay) -> None:
    session = await buyer_session(relay.url, "b-jiadian-0001")
    prefix, buyer, expiry, mac = session.token.split(".")
    forged = ".".join([prefix, buyer, str(int(expiry) + 10**9), mac])
    with pytest.raises(RelayError):
        await KefuClient(relay.url, forged).connect()


async def test_wrong_origin_is_refused_and_loopback_allowed(relay: RunningRelay) -> None:
    token = (await buyer_session(relay.url, "b-jiadian-0001")).token
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession() as http:
        with pytest.raises(aiohttp.WSServerHandshakeError) as err:
            await http.ws_connect(relay.ws_url, headers=headers, origin="https://evil.example")
        assert err.value.status == 403
        ws = await http.ws_connect(relay.ws_url, headers=headers, origin=relay.url)
        assert (await ws.receive_json())["type"] == "welcome"
        await ws.close()


async def test_unsupported_protocol_version_is_refused(relay: RunningRelay) -> None:
    token = (await buyer_session(relay.url, "b-jiadian-0001")).token
    async with aiohttp.ClientSession() as http:
        with pytest.raises(aiohttp.WSServerHandshakeError) as err:
            await http.ws_connect(relay.ws_url + "?v=99", headers={"Authorization": f"Bearer {token}"})
        assert err.value.status == 400


async def test_unknown_demo_buyer_session_is_404(relay: RunningRelay) -> None:
    with pytest.raises(RelayError) as err:
        await buyer_session(relay.url, "b-nobody")
    assert err.value.code == "not_found"


async def asyncio_wait(event: asyncio.Event, timeout: float = 5.0) -> None:
    await asyncio.wait_for(event.wait(), timeout)


async def test_client_tells_a_relay_going_away_from_a_refused_token(relay, clients):
    client = await clients("agent1", connect=False)
    relay.relay.stopping = True
    with pytest.raises(RelayError) as err:
        await client.connect()
    assert err.value.code == "going_away"  # try again later; the login itself is still good
    relay.relay.stopping = False
    await client.connect()
    assert client.connected


async def test_a_token_that_runs_out_closes_its_open_connections(relay: RunningRelay, clients, fake_clock) -> None:
    agent = await clients("agent1")
    buyer = await clients(buyer="b-jiadian-0044")
    fake_clock.advance(relay.config.token_ttl_s - 60)
    await asyncio.sleep(0.05)
    assert agent.connected and buyer.connected
    fake_clock.advance(90)  # the agent's 12 h token is over; the buyer's 7-day session is not
    await asyncio.wait_for(agent.closed.wait(), 2)
    assert agent.close_code == 4001
    assert buyer.connected
    fake_clock.advance(relay.config.buyer_session_ttl_s)
    await asyncio.wait_for(buyer.closed.wait(), 2)
    assert buyer.close_code == 4001
