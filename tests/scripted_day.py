"""A scripted day in the demo shop on the relay's fake clock, and the figures it must give, worked out by hand.

The same day drives the relay's API and /metrics (tests/relay/test_metrics_day.py), and the
supervisor's wallboard and CSV export (tests/ui/). Times are Asia/Shanghai on 2026-11-02; the
clock starts at 07:30. Agents: 小美 (agent1, account 1) and 阿杰 (agent2, account 2), both
connected from the start, 阿杰 busy unless a step says otherwise (so routing is deterministic).

| buyer | wrote | what happens | round | session |
|---|---|---|---|---|
| 0001 | 07:50 | 小美 replies after 60 s, resolves 07:52 | outside hours | resolved, 120 s, outside hours |
| 0002 | 09:00 | 小美 replies after 179 s, resolves 09:04 | on time | resolved 240 s, FRT 179 |
| 0003 | 09:10 | 小美 replies after exactly 180 s, resolves 09:14 | on time (the bar is inclusive) | 240 s, FRT 180 |
| 0004 | 09:20 | 小美 replies after 181 s, resolves 09:24 | late, 小美's | 240 s, FRT 181 |
| 0005 | 10:00 | 小美 transfers to 阿杰 at 60 s, he replies at 150 s, resolves 10:04 | on time, 阿杰's | 240 s |
| 0006 | 10:10 | 小美 transfers at 170 s, 阿杰 replies at 200 s, resolves 10:14 | late, 阿杰's | 240 s |
| 0007 | 11:00 | automatic messages only; auto-closed at 11:30 | missed, 小美's | abandoned (小美 held it) |
| 0008 | 12:00 | nobody online; the buyer leaves at 12:01; closed 12:11 | missed, nobody's | abandoned, queued |
| 0002 | 13:00 | back (reopened, 专属 小美), reply after 30 s, resolved 13:02 | on time | reopened, 120 s, FRT 30 |
| 0009 | 14:00 | reply 20 s; video invitation declined; resolved 14:05, rated 5★ | on time | 300 s, FRT 20 |
| 0010 | 14:10 | 阿杰: reply 20 s; invitation expires; resolved 14:15, no rating | on time, 阿杰's | 300 s, FRT 20 |
| 0011 | 14:20 | reply 20 s; call accepted 14:20:30, media +5 s, 100 s, complaint; resolved 14:27, 2★ | on time | 420 s|
| 0012 | 23:10 | 小美 replies after 100 s, resolves 23:15 | outside hours | 300 s, outside hours |
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from app.client import KefuClient
from relay.clock import FakeClock
from tests.conftest import MAIN_SHOP, RunningRelay
from wire import frames as f

TZ = ZoneInfo("Asia/Shanghai")
DAY = "2026-11-02"
START_MS = int(datetime(2026, 11, 2, 7, 30, tzinfo=TZ).timestamp() * 1000)
XIAOMEI, AJIE = "1", "2"

Clients = Callable[..., Awaitable[KefuClient]]


async def settle() -> None:
    """Let the relay finish the work a frame or a timer started."""
    for _ in range(25):
        await asyncio.sleep(0.01)


def buyer(n: int) -> str:
    return f"b-jiadian-{n:04d}"


class Day:
    """Drives the scripted day: `await Day(...).run()`; the clock must start at START_MS."""

    def __init__(self, relay: RunningRelay, clients: Clients, clock: FakeClock, *,
                 rate: bool = True) -> None:
        self.relay = relay
        self.clients = clients
        self.clock = clock
        self.rate = rate
        self.buyers: dict[int, KefuClient] = {}
        self.conversations: dict[int, int] = {}
        self.sessions: dict[int, int] = {}

    async def at(self, hhmmss: str) -> None:
        """Move the fake clock forward to this shop time of the day (firing the timers on the way)."""
        h, m, s = (int(x) for x in hhmmss.split(":"))
        target = int(datetime(2026, 11, 2, h, m, s, tzinfo=TZ).timestamp() * 1000)
        now = self.clock.now_ms()
        assert target >= now, f"{hhmmss} is in the past"
        self.clock.advance((target - now) / 1000)
        await settle()

    def holder(self, n: int) -> int | None:
        return self.relay.relay.desk.assigned_agent(self.conversations[n])

    async def ask(self, n: int, text: str = "你好，请问在吗？", expect: str | None = XIAOMEI) -> int:
        client = self.buyers.get(n)
        if client is None:
            client = self.buyers[n] = await self.clients(buyer=buyer(n))
            conv = await client.open_conversation(MAIN_SHOP)
            self.conversations[n] = conv.conversation_id
        cid = self.conversations[n]
        await client.send_text(cid, text)
        await settle()
        holder = self.holder(n)
        assert holder == (int(expect) if expect else None), f"buyer {n}'s chat is with {holder}, not {expect}"
        return cid

    async def reply(self, agent: KefuClient, n: int, text: str = "亲，您好～") -> None:
        await agent.send_text(self.conversations[n], text)
        await settle()

    async def resolve(self, agent: KefuClient, n: int) -> None:
        await agent.call(f.Resolve, conversation_id=self.conversations[n])
        await settle()

    async def run(self) -> dict[str, Any]:
        """The day of the module docstring; returns the clients for further checks."""
        c = self.clients
        xiaomei = await c("agent1")
        ajie = await c("agent2")
        supervisor = await c("super1")
        await ajie.call(f.SetStatus, status="busy")
        await settle()

        await self.at("07:50:00")
        await self.ask(1)
        await self.at("07:51:00")
        await self.reply(xiaomei, 1)
        await self.at("07:52:00")
        await self.resolve(xiaomei, 1)

        for n, start, delay in ((2, "09:00", 179), (3, "09:10", 180), (4, "09:20", 181)):
            await self.at(f"{start}:00")
            await self.ask(n)
            self.clock.advance(delay)
            await settle()
            await self.reply(xiaomei, n)
            await self.at(f"{start[:3]}{int(start[3:]) + 4:02d}:00")
            await self.resolve(xiaomei, n)

        for n, start, moved, replied in ((5, "10:00", 60, 150), (6, "10:10", 170, 200)):
            await self.at(f"{start}:00")
            await self.ask(n)
            self.clock.advance(moved)
            await settle()
            await xiaomei.call(f.Transfer, conversation_id=self.conversations[n], to_agent=AJIE, note="")
            await settle()
            assert self.holder(n) == int(AJIE)
            self.clock.advance(replied - moved)
            await settle()
            await self.reply(ajie, n)
            await self.at(f"{start[:3]}{int(start[3:]) + 4:02d}:00")
            await self.resolve(ajie, n)

        await self.at("11:00:00")
        await self.ask(7)  # nobody answers: only the automatic messages
        await self.at("11:30:00")
        assert self.holder(7) is None, "auto-closed after 30 minutes of silence"

        await xiaomei.call(f.SetStatus, status="busy")
        await self.at("12:00:00")
        await self.ask(8, expect=None)
        await self.at("12:01:00")
        await self.buyers.pop(8).close()  # the buyer leaves the queue
        await self.at("12:11:00")
        assert self.relay.relay.desk.state(self.conversations[8]).status == "closed"  # type: ignore[union-attr]
        await xiaomei.call(f.SetStatus, status="online")

        await self.at("13:00:00")
        await self.ask(2, "我又来了，还有个问题")  # reopened, and 小美 is 0002's exclusive agent
        await self.at("13:00:30")
        await self.reply(xiaomei, 2)
        await self.at("13:02:00")
        await self.resolve(xiaomei, 2)

        await self.at("14:00:00")
        await self.ask(9)
        await self.at("14:00:20")
        await self.reply(xiaomei, 9)
        call = await xiaomei.call(f.InviteCall, conversation_id=self.conversations[9], reason="演示安装步骤")
        assert isinstance(call, f.CallUpdate)
        await self.buyers[9].call(f.AnswerCall, call_id=call.call.call_id, decision="decline")
        await self.at("14:05:00")
        await self.resolve(xiaomei, 9)

        await xiaomei.call(f.SetStatus, status="busy")
        await ajie.call(f.SetStatus, status="online")
        await self.at("14:10:00")
        await self.ask(10, expect=AJIE)
        await self.at("14:10:20")
        await self.reply(ajie, 10)
        await ajie.call(f.InviteCall, conversation_id=self.conversations[10], reason="看看安装位置")
        await self.at("14:11:30")  # the invitation (60 s) expired unanswered
        await self.at("14:15:00")
        await self.resolve(ajie, 10)
        await ajie.call(f.SetStatus, status="busy")
        await xiaomei.call(f.SetStatus, status="online")

        await self.at("14:20:00")
        await self.ask(11)
        await self.at("14:20:20")
        await self.reply(xiaomei, 11)
        call = await xiaomei.call(f.InviteCall, conversation_id=self.conversations[11], reason="演示清洗方法")
        assert isinstance(call, f.CallUpdate)
        call_id = call.call.call_id
        phone = self.buyers[11]
        await self.at("14:20:30")
        await phone.call(f.AnswerCall, call_id=call_id, decision="accept")
        await self.at("14:20:35")
        await phone.call(f.CallMedia, call_id=call_id)
        await self.at("14:22:15")
        await phone.call(f.HangUp, call_id=call_id)
        await self.at("14:22:30")
        await phone.call(f.Complain, call_id=call_id, reason="sales_pressure", text="一直推销别的型号")
        await self.at("14:27:00")
        await self.resolve(xiaomei, 11)

        if self.rate:
            for n, stars, comment in ((9, 5, "很耐心，讲得很清楚"), (10, None, ""), (11, 2, "推销太多")):
                info = (await self.buyers[n].open_conversation(MAIN_SHOP))
                assert info.rating_due and info.session_id is not None
                fields: dict[str, Any] = {"conversation_id": info.conversation_id, "session_id": info.session_id}
                if stars is not None:
                    fields.update(stars=stars, comment=comment)
                await self.buyers[n].call(f.Rate, **fields)
            await settle()

        await self.at("23:10:00")
        await self.ask(12)
        await self.at("23:11:40")
        await self.reply(xiaomei, 12)
        await self.at("23:15:00")
        await self.resolve(xiaomei, 12)
        await self.at("23:30:00")
        return {"agent1": xiaomei, "agent2": ajie, "super1": supervisor}


# What the day must give, worked out by hand from the table above (docs/metrics.md has the rules).
FRT_SHOP = [20, 20, 20, 30, 150, 179, 180, 181, 200]
FRT_XIAOMEI = [20, 20, 30, 179, 180, 181]
FRT_AJIE = [20, 150, 200]

EXPECTED_TOTAL: dict[str, Any] = {
    "rounds": 11, "rounds_on_time": 7, "reply_rate_3min": 7 / 11, "rounds_pending": 0, "rounds_outside_hours": 2,
    "rounds_answered": 9, "avg_reply_s": 108.889, "buyer_days": 10, "buyer_days_ok": 6, "pdd_reply_rate": 0.6,
    "sessions": 13, "first_responses": 9, "frt_mean_s": 108.889, "frt_p50_s": 150.0, "frt_p90_s": 200.0,
    "resolved": 11, "resolution_mean_s": 250.909, "abandoned": 2, "reopened": 1, "transfers": 2, "takeovers": 0,
    "calls_invited": 3, "calls_delivered": 3, "calls_accepted": 1, "calls_declined": 1, "calls_expired": 1,
    "calls_cancelled": 0, "calls_connected": 1, "connect_rate_invited": 1 / 3, "connect_rate_accepted": 1.0,
    "connect_median_s": 5.0, "call_duration_mean_s": 100.0, "call_duration_median_s": 100.0, "complaints": 1,
    "complaints_per_100": 100.0, "ratings": 2, "ratings_positive": 1, "csat": 0.5, "rating_mean": 3.5,
}
EXPECTED_XIAOMEI: dict[str, Any] = {
    "rounds": 7, "rounds_on_time": 5, "reply_rate_3min": 5 / 7, "rounds_outside_hours": 2, "rounds_answered": 6,
    "avg_reply_s": 101.667, "buyer_days": 6, "buyer_days_ok": 4, "pdd_reply_rate": 4 / 6,
    "sessions": 9, "first_responses": 6, "frt_mean_s": 101.667, "frt_p50_s": 30.0, "frt_p90_s": 181.0,
    "resolved": 8, "resolution_mean_s": 247.5, "abandoned": 1, "reopened": 1, "transfers": 2,
    "calls_invited": 2, "calls_delivered": 2, "calls_accepted": 1, "calls_declined": 1, "calls_expired": 0,
    "calls_connected": 1, "connect_rate_invited": 0.5, "connect_rate_accepted": 1.0, "complaints": 1,
    "complaints_per_100": 100.0, "ratings": 2, "ratings_positive": 1, "csat": 0.5, "rating_mean": 3.5,
}
EXPECTED_AJIE: dict[str, Any] = {
    "rounds": 3, "rounds_on_time": 2, "reply_rate_3min": 2 / 3, "rounds_outside_hours": 0, "rounds_answered": 3,
    "avg_reply_s": 123.333, "buyer_days": 3, "buyer_days_ok": 2, "pdd_reply_rate": 2 / 3,
    "sessions": 3, "first_responses": 3, "frt_mean_s": 123.333, "frt_p50_s": 150.0, "frt_p90_s": 200.0,
    "resolved": 3, "resolution_mean_s": 260.0, "abandoned": 0, "reopened": 0, "transfers": 0,
    "calls_invited": 1, "calls_delivered": 1, "calls_accepted": 0, "calls_expired": 1, "calls_connected": 0,
    "connect_rate_invited": 0.0, "connect_rate_accepted": None, "complaints": 0, "complaints_per_100": None,
    "ratings": 0, "csat": None,
}
EXPECTED_HOURS: dict[str, dict[str, Any]] = {
    "07:00": {"rounds": 0, "rounds_outside_hours": 1, "sessions": 1, "resolved": 1},
    "09:00": {"rounds": 3, "rounds_on_time": 2, "reply_rate_3min": 2 / 3, "sessions": 3},
    "10:00": {"rounds": 2, "rounds_on_time": 1, "transfers": 2},
    "11:00": {"rounds": 1, "rounds_on_time": 0, "abandoned": 1},
    "12:00": {"rounds": 1, "rounds_on_time": 0, "abandoned": 1},
    "13:00": {"rounds": 1, "rounds_on_time": 1, "reopened": 1},
    "14:00": {"rounds": 3, "rounds_on_time": 3, "calls_invited": 3, "calls_connected": 1, "complaints": 1,
              "ratings": 2},
    "23:00": {"rounds": 0, "rounds_outside_hours": 1},
}
