"""Load-generating clients in child processes, shared by the relay benchmarks.

Each child process runs its own event loop (uvloop when available) with many WebSocket
connections, and reports back through a multiprocessing queue. Everything targets 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import resource
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import msgspec

TEXT = "亲，这款油烟机的安装高度是多少？我家灶台到吊柜只有七十公分，能装吗？" * 2  # ~200 bytes


class Reply(msgspec.Struct):
    """What the load clients read of any reply: its type and request id."""

    type: str
    id: str | None = None
    conversation_id: int | None = None


_reply = msgspec.json.Decoder(Reply)


def raise_file_limit() -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def new_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop

        return uvloop.new_event_loop()
    except ImportError:
        return asyncio.new_event_loop()


@dataclass
class Phase:
    """One measured phase: closed loop with `inflight` outstanding, or open loop at `rate` msgs/s in all."""

    name: str
    seconds: float
    inflight: int = 0
    rate: float = 0.0


@dataclass
class PhaseResult:
    acks: int = 0
    errors: int = 0
    latencies_ms: list[float] = field(default_factory=list)


async def open_buyer(http: aiohttp.ClientSession, url: str, token: str | None) -> tuple[Any, int]:
    """A buyer connection through the relay's handshake, sync and open; returns (ws, conversation_id)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    ws = await http.ws_connect(url.replace("http", "ws", 1) + "/ws?v=1", headers=headers, compress=0,
                               max_msg_size=0, autoping=True)
    if token is None:  # the bare echo server: no protocol
        return ws, 1
    await ws.receive()  # welcome
    await ws.send_str('{"type":"sync","id":"sync"}')
    while _reply.decode((await ws.receive()).data).id != "sync":
        pass
    await ws.send_str('{"type":"open","id":"open","shop":"jiadian"}')
    while True:
        data = (await ws.receive()).data
        if _reply.decode(data).id == "open":
            return ws, int(msgspec.json.decode(data)["conversation"]["conversation_id"])


class Sender:
    """One buyer connection sending `send` frames and timing their acks."""

    def __init__(self, ws: Any, conversation_id: int, tag: str) -> None:
        self.ws = ws
        self.conversation_id = conversation_id
        self.tag = tag
        self.n = 0
        self.sent_at: dict[str, float] = {}
        self.result = PhaseResult()
        self.refill_until = 0.0  # closed loop: each ack sends the next frame until then

    async def send_one(self) -> None:
        self.n += 1
        rid = f"{self.tag}-{self.n}"
        frame = (f'{{"type":"send","id":"{rid}","conversation_id":{self.conversation_id},'
                 f'"client_msg_id":"{rid}","text":"{TEXT}"}}')
        self.sent_at[rid] = time.perf_counter()
        await self.ws.send_str(frame)

    async def read(self) -> None:
        async for msg in self.ws:
            if msg.type is not aiohttp.WSMsgType.TEXT:
                break
            reply = _reply.decode(msg.data)
            started = self.sent_at.pop(reply.id, None) if reply.id else None
            if started is None:
                continue
            now = time.perf_counter()
            if reply.type == "error":
                self.result.errors += 1
            else:
                self.result.acks += 1
                self.result.latencies_ms.append((now - started) * 1000)
            if now < self.refill_until:
                await self.send_one()


async def run_phase(senders: list[Sender], phase: Phase, total_connections: int) -> PhaseResult:
    """Run one phase on these connections; acks that arrive within 0.5 s after it still count."""
    start = time.perf_counter()
    deadline = start + phase.seconds
    for s in senders:
        s.result = PhaseResult()
        s.sent_at.clear()

    async def opened(s: Sender) -> None:
        interval = total_connections / phase.rate
        next_at = start + interval * (int(s.tag.strip("abcdefghijklmnopqrstuvwxyz") or 0) % 97) / 97
        while next_at < deadline:
            delay = next_at - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            await s.send_one()
            next_at += interval

    if phase.inflight:
        for s in senders:
            s.refill_until = deadline
            for _ in range(phase.inflight):
                await s.send_one()
        await asyncio.sleep(phase.seconds)
    else:
        await asyncio.gather(*(opened(s) for s in senders))
    for s in senders:
        s.refill_until = 0.0
    await asyncio.sleep(0.5)
    merged = PhaseResult()
    for s in senders:
        merged.acks += s.result.acks
        merged.errors += s.result.errors
        merged.latencies_ms.extend(s.result.latencies_ms)
    return merged


def buyer_process(url: str, tokens: list[str | None], phases: list[Phase], total: int, tag: str,
                  barrier: Any, out: Any) -> None:
    """Child process: open the connections, then run each phase in step with the others."""
    raise_file_limit()
    loop = new_loop()

    async def main() -> None:
        async with aiohttp.ClientSession() as http:
            senders = []
            for i, token in enumerate(tokens):
                ws, conv = await open_buyer(http, url, token)
                senders.append(Sender(ws, conv, f"{tag}{i}"))
            readers = [asyncio.create_task(s.read()) for s in senders]
            for phase in phases:
                await loop.run_in_executor(None, barrier.wait)
                out.put((phase.name, await run_phase(senders, phase, total)))
            for s in senders:
                await s.ws.close()
            await asyncio.gather(*readers, return_exceptions=True)

    loop.run_until_complete(main())


def start(target: Any, *args: Any) -> mp.process.BaseProcess:
    proc = mp.get_context("spawn").Process(target=target, args=args, daemon=True)
    proc.start()
    return proc


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0
