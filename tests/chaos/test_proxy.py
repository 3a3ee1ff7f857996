"""The chaos proxy itself: it forwards, cuts a WebSocket frame in half, delays, refuses, drops, blackholes,
heals, and its schedule is reproducible from its seed."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from tests.chaos.proxy import ChaosProxy
from tests.relay.helpers import until

FRAME_CHARS = 10_000


@pytest.fixture
async def echo_port() -> AsyncIterator[int]:
    """A TCP echo server on loopback."""
    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.close()

    server = await asyncio.start_server(echo, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1]
    server.close()


@pytest.fixture
async def proxy_to_echo(echo_port: int) -> AsyncIterator[ChaosProxy]:
    proxy = ChaosProxy(echo_port, seed=7)
    await proxy.start()
    yield proxy
    await proxy.close()


async def roundtrip(proxy: ChaosProxy, data: bytes = b"ping") -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)
    try:
        writer.write(data)
        await writer.drain()
        return await asyncio.wait_for(reader.readexactly(len(data)), 5)
    finally:
        writer.close()


class WsServer:
    """An aiohttp WebSocket server: answers "big" with one text frame of FRAME_CHARS characters and records
    every message it receives and how each connection ended."""

    def __init__(self) -> None:
        self.received: list[str] = []
        self.ended: list[int] = []
        self.runner: web.AppRunner | None = None
        self.port = 0

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for msg in ws:
            if msg.type is aiohttp.WSMsgType.TEXT:
                self.received.append(msg.data)
                if msg.data == "big":
                    await ws.send_str("x" * FRAME_CHARS)
        self.ended.append(ws.close_code or 0)
        return ws

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/ws", self.handle)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = self.runner.addresses[0][1]


@pytest.fixture
async def ws_proxy() -> AsyncIterator[tuple[WsServer, ChaosProxy]]:
    server = WsServer()
    await server.start()
    proxy = ChaosProxy(server.port, seed=11)
    await proxy.start()
    yield server, proxy
    await proxy.close()
    assert server.runner is not None
    await server.runner.cleanup()


async def test_a_websocket_frame_to_the_client_is_cut_in_half(ws_proxy: tuple[WsServer, ChaosProxy]) -> None:
    server, proxy = ws_proxy
    async with aiohttp.ClientSession() as http, http.ws_connect(proxy.url + "/ws") as ws:
        await ws.send_str("hello")
        await until(lambda: server.received == ["hello"])
        (pipe,) = proxy.pipes
        before = pipe.forwarded["down"]
        proxy.cut_after(FRAME_CHARS // 2, "down")
        await ws.send_str("big")
        msg = await ws.receive(timeout=5)
    assert msg.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR, aiohttp.WSMsgType.CLOSE), msg
    forwarded = pipe.forwarded["down"] - before
    assert forwarded == FRAME_CHARS // 2 < FRAME_CHARS + 4  # the frame is 4 bytes of header + its text
    assert pipe.cut_mid_chunk and pipe.closed
    assert proxy.stats["cuts"] == 1


async def test_a_websocket_frame_to_the_server_is_cut_in_half(ws_proxy: tuple[WsServer, ChaosProxy]) -> None:
    server, proxy = ws_proxy
    async with aiohttp.ClientSession() as http, http.ws_connect(proxy.url + "/ws") as ws:
        await ws.send_str("hello")
        await until(lambda: server.received == ["hello"])
        (pipe,) = proxy.pipes
        before = pipe.forwarded["up"]
        proxy.cut_after(3000, "up")
        await ws.send_str("y" * FRAME_CHARS)
        msg = await ws.receive(timeout=5)
        assert msg.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR, aiohttp.WSMsgType.CLOSE), msg
    await until(lambda: len(server.ended) == 1)
    assert server.received == ["hello"]  # the cut frame never arrived whole
    assert pipe.forwarded["up"] - before == 3000 and pipe.cut_mid_chunk


async def test_bytes_pass_unchanged_and_delay_slows_them(proxy_to_echo: ChaosProxy) -> None:
    data = bytes(range(256)) * 400
    assert await roundtrip(proxy_to_echo, data) == data
    proxy_to_echo.set_delay(0.1, 0.15)
    loop = asyncio.get_running_loop()
    start = loop.time()
    assert await roundtrip(proxy_to_echo) == b"ping"
    assert loop.time() - start >= 0.2  # at least one delayed chunk each way
    assert proxy_to_echo.stats["connections"] == 2


async def test_refused_connections_are_closed_at_once_then_accepted_again(proxy_to_echo: ChaosProxy) -> None:
    proxy_to_echo.refuse(0.3)
    with pytest.raises((asyncio.IncompleteReadError, ConnectionError)):
        await roundtrip(proxy_to_echo)
    assert proxy_to_echo.stats["refused"] == 1
    answered: list[bytes] = []

    async def accepted() -> None:
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            answered.append(await roundtrip(proxy_to_echo))

    while not answered:  # retried until the refusal is over, as a client would
        await accepted()
        await asyncio.sleep(0.05)
    assert answered == [b"ping"]


async def test_dropped_connections_are_accepted_and_never_answered(proxy_to_echo: ChaosProxy) -> None:
    proxy_to_echo.drop(5)
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.3):
            await roundtrip(proxy_to_echo)
    assert proxy_to_echo.stats["dropped"] == 1
    proxy_to_echo.heal()
    assert await roundtrip(proxy_to_echo) == b"ping"


async def test_a_blackholed_connection_forwards_nothing_not_even_its_close_until_healed(
        proxy_to_echo: ChaosProxy) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", proxy_to_echo.port)
    writer.write(b"one")
    assert await asyncio.wait_for(reader.readexactly(3), 5) == b"one"
    pipe = proxy_to_echo.blackhole()
    assert pipe is not None
    writer.write(b"two")
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(reader.read(3), 0.3)
    assert not reader.at_eof()
    writer.close()
    await until(lambda: "up" in pipe.ended)
    assert not pipe.closed and pipe in proxy_to_echo.pipes  # the echo server was not told
    proxy_to_echo.heal()
    await until(lambda: not proxy_to_echo.pipes)
    assert pipe.closed


async def test_the_schedule_is_the_same_for_the_same_seed(echo_port: int) -> None:
    logs = []
    for _ in range(2):
        proxy = ChaosProxy(echo_port, seed=1234)
        await proxy.start()
        try:
            logs.append(await proxy.run_schedule(0.4, pause=(0.01, 0.02)))
        finally:
            await proxy.close()
    common = min(len(logs[0]), len(logs[1])) - 1  # the last entry is "heal"; the count depends on timing
    assert common > 5 and logs[0][:common] == logs[1][:common]
    assert logs[0][-1] == "heal"
