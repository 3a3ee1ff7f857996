"""Buyer simulator: N demo buyers chatting with a shop over the real protocol.

Used by the demo (`make demo`), by tests and by benchmarks. Each buyer opens a session with the
platform stand-in, connects, opens the conversation, greets, asks realistic questions with
human pauses, and waits a little for the agent's answer before the next one. Runs are bounded
by count and by time and stop by themselves.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

from app.client import KefuClient, buyer_session
from app.errors import ConnectionLost, KefuError, RelayError
from wire import frames as f

logger = logging.getLogger(__name__)

QUESTIONS_FILE = Path(__file__).resolve().parent.parent / "resources" / "demo" / "questions.json"


@dataclass
class SimStats:
    """What a simulation run did."""

    buyers: int = 0
    sent: int = 0
    replies: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Script:
    """The lines buyers say: greetings, questions by topic, follow-ups."""

    greetings: tuple[str, ...]
    questions: tuple[str, ...]
    followups: tuple[str, ...]

    @classmethod
    def load(cls, path: Path = QUESTIONS_FILE) -> Script:
        data = json.loads(path.read_text(encoding="utf-8"))
        questions = tuple(q for group in data["groups"].values() for q in group)
        return cls(tuple(data["greetings"]), questions, tuple(data["followups"]))


async def _agent_replied(client: KefuClient, wait: float) -> bool:
    """Wait up to `wait` seconds for a human reply from the shop (automatic messages don't count)."""
    try:
        async with asyncio.timeout(wait):
            while True:
                msg = await client.next_event(f.Message, timeout=wait)
                if msg.sender.kind == "agent":
                    return True
    except TimeoutError:
        return False


async def simulate_buyer(
    url: str, buyer_id: str, shop: str, script: Script, rng: random.Random, *,
    messages: int, think: tuple[float, float], reply_wait: float, stats: SimStats,
) -> None:
    """One buyer: greet, then ask `messages - 1` questions, pausing like a person."""
    token = (await buyer_session(url, buyer_id)).token
    client = KefuClient(url, token)
    try:
        await client.connect()
        conv = await client.open_conversation(shop)
        stats.buyers += 1
        lines = [rng.choice(script.greetings)]
        lines += [rng.choice(script.questions if i % 3 != 2 else script.followups) for i in range(messages - 1)]
        for text in lines:
            await client.send_text(conv.conversation_id, text)
            stats.sent += 1
            if await _agent_replied(client, reply_wait):
                stats.replies += 1
            await asyncio.sleep(rng.uniform(*think))
    except (KefuError, OSError) as exc:
        stats.errors.append(f"{buyer_id}: {exc}")
        logger.warning("simulated buyer %s stopped: %s", buyer_id, exc)
    finally:
        await client.close()


async def run_buyers(
    url: str, *, buyers: int = 5, shop: str = "jiadian", messages: int = 6,
    think: tuple[float, float] = (2.0, 8.0), reply_wait: float = 5.0, duration: float = 120.0,
    seed: int = 7, first_buyer: int = 1,
) -> SimStats:
    """Run `buyers` simulated buyers of `shop`, staggered, for at most `duration` seconds."""
    script = Script.load()
    stats = SimStats()
    rng = random.Random(seed)

    async def one(i: int) -> None:
        await asyncio.sleep(rng.uniform(0, min(think[1], duration / 4)))
        buyer_id = f"b-{shop}-{first_buyer + i:04d}"
        await simulate_buyer(url, buyer_id, shop, script, random.Random(seed * 1000 + i), messages=messages,
                             think=think, reply_wait=reply_wait, stats=stats)

    tasks = [asyncio.create_task(one(i)) for i in range(buyers)]
    _, pending = await asyncio.wait(tasks, timeout=duration)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    return stats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kefu-buyers", description="simulated buyers chatting with a shop")
    parser.add_argument("--url", default="http://127.0.0.1:8765")
    parser.add_argument("--shop", default="jiadian")
    parser.add_argument("--buyers", type=int, default=5)
    parser.add_argument("--messages", type=int, default=6, help="messages per buyer")
    parser.add_argument("--duration", type=float, default=300.0, help="stop after this many seconds")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        stats = asyncio.run(run_buyers(args.url, buyers=args.buyers, shop=args.shop, messages=args.messages,
                                       duration=args.duration, seed=args.seed))
    except (RelayError, ConnectionLost) as exc:
        print(f"simulator stopped: {exc}", file=sys.stderr)
        return 1
    print(f"{stats.buyers} buyers sent {stats.sent} messages, got {stats.replies} replies, {len(stats.errors)} errors")
    return 0 if not stats.errors else 1


if __name__ == "__main__":
    sys.exit(main())
