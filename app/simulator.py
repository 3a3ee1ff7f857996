"""Buyer simulator: N demo buyers chatting with a shop over the real protocol.

Used by the demo (`make demo`), by tests and by benchmarks. Each buyer opens a session with the
platform stand-in, connects, opens the conversation, greets, asks realistic questions with
human pauses, and waits a little for the agent's answer before the next one. Runs are bounded
by count and by time and stop by themselves. A buyer that cannot reach the relay (refused, or no
answer within `connect_timeout`) or that loses it gives up at once, without reconnecting: its error
is kept in `SimStats.errors`, and `kefu-buyers` says so on stderr and exits with status 1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import math
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp

from app.client import KefuClient, buyer_session
from app.errors import ConnectionLost, KefuError
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
    """One line per buyer that failed: `<buyer id>: <what went wrong>`."""


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
    messages: int, think: tuple[float, float], reply_wait: float, stats: SimStats, connect_timeout: float = 10.0,
) -> None:
    """One buyer: greet, then ask `messages - 1` questions, pausing like a person.

    Failures are recorded in `stats.errors`, not raised; reaching the relay (session, connection,
    conversation) must succeed within `connect_timeout` seconds."""
    client: KefuClient | None = None
    try:
        try:
            async with asyncio.timeout(connect_timeout):
                token = (await buyer_session(url, buyer_id)).token
                client = KefuClient(url, token)
                await client.connect()
                conv = await client.open_conversation(shop)
        except TimeoutError:
            raise ConnectionLost(f"the relay at {url} did not answer within {connect_timeout:g} s") from None
        except (aiohttp.ClientError, OSError) as exc:
            raise ConnectionLost(f"cannot reach the relay at {url}: {exc}") from None
        stats.buyers += 1
        lines = [rng.choice(script.greetings)]
        lines += [rng.choice(script.questions if i % 3 != 2 else script.followups) for i in range(messages - 1)]
        for text in lines:
            await client.send_text(conv.conversation_id, text)
            stats.sent += 1
            if await _agent_replied(client, reply_wait):
                stats.replies += 1
            await asyncio.sleep(rng.uniform(*think))
    except (KefuError, aiohttp.ClientError, OSError) as exc:
        reason = "the relay did not answer a request in time" if isinstance(exc, TimeoutError) else (
            str(exc) or type(exc).__name__)
        stats.errors.append(f"{buyer_id}: {reason}")
        logger.warning("simulated buyer %s stopped: %s", buyer_id, reason)
    finally:
        if client is not None:
            await client.close()


async def run_buyers(
    url: str, *, buyers: int = 5, shop: str = "jiadian", messages: int = 6,
    think: tuple[float, float] = (2.0, 8.0), reply_wait: float = 5.0, duration: float = 120.0,
    seed: int = 7, first_buyer: int = 1, connect_timeout: float = 10.0,
) -> SimStats:
    """Run `buyers` simulated buyers of `shop`, staggered, for at most `duration` seconds.

    Buyers still chatting at the deadline are stopped; that is not an error. Every buyer that
    failed, whatever the exception, has a line in the returned `errors`."""
    script = Script.load()
    stats = SimStats()
    rng = random.Random(seed)
    ids = [f"b-{shop}-{first_buyer + i:04d}" for i in range(buyers)]

    async def one(i: int) -> None:
        await asyncio.sleep(rng.uniform(0, min(think[1], duration / 4)))
        await simulate_buyer(url, ids[i], shop, script, random.Random(seed * 1000 + i), messages=messages,
                             think=think, reply_wait=reply_wait, stats=stats, connect_timeout=connect_timeout)

    tasks = [asyncio.create_task(one(i), name=ids[i]) for i in range(buyers)]
    try:
        done, _ = await asyncio.wait(tasks, timeout=duration)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    for task in tasks:
        if task in done and not task.cancelled() and (exc := task.exception()) is not None:
            stats.errors.append(f"{task.get_name()}: {type(exc).__name__}: {exc}")
            logger.error("simulated buyer %s failed", task.get_name(), exc_info=exc)
    return stats


def _seconds(*, zero_ok: bool) -> Callable[[str], float]:
    """An argparse type: a finite number of seconds, above 0 (or at least 0 when `zero_ok`)."""
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
        if not math.isfinite(value) or value < 0 or (value == 0 and not zero_ok):
            raise argparse.ArgumentTypeError(f"{text!r} must be {'at least' if zero_ok else 'above'} 0 seconds")
        return value
    return parse


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def _think(text: str) -> tuple[float, float]:
    """`MIN:MAX` seconds (or one number for both) a buyer pauses after each message."""
    low_text, _, high_text = text.partition(":")
    parse = _seconds(zero_ok=True)
    try:
        low = parse(low_text)
        high = parse(high_text) if high_text else low
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected MIN:MAX, seconds at least 0, as in 2:8") from None
    if high < low:
        raise argparse.ArgumentTypeError(f"{text!r}: MIN must not exceed MAX")
    return low, high


def _url(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(f"{text!r} is not an http:// or https:// URL of the relay")
    return text


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kefu-buyers", description="simulated buyers chatting with a shop")
    parser.add_argument("--url", type=_url, default="http://127.0.0.1:8765")
    parser.add_argument("--shop", default="jiadian")
    parser.add_argument("--buyers", type=_positive_int, default=5)
    parser.add_argument("--messages", type=_positive_int, default=6, help="messages per buyer")
    parser.add_argument("--duration", type=_seconds(zero_ok=False), default=300.0,
                        help="stop after this many seconds")
    parser.add_argument("--think", type=_think, default=(2.0, 8.0), metavar="MIN:MAX",
                        help="seconds a buyer pauses after each message (default 2:8)")
    parser.add_argument("--reply-wait", type=_seconds(zero_ok=True), default=5.0,
                        help="seconds a buyer waits for the agent's answer (default 5)")
    parser.add_argument("--connect-timeout", type=_seconds(zero_ok=False), default=10.0,
                        help="seconds a buyer waits for the relay before giving up (default 10)")
    parser.add_argument("--seed", type=int, default=7)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Exit status 0 when every buyer ran until done or until `--duration`; 1 if any failed; 2 on bad arguments."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        stats = asyncio.run(run_buyers(
            args.url, buyers=args.buyers, shop=args.shop, messages=args.messages, think=args.think,
            reply_wait=args.reply_wait, duration=args.duration, seed=args.seed,
            connect_timeout=args.connect_timeout))
    except KeyboardInterrupt:
        print("kefu-buyers: interrupted", file=sys.stderr)
        return 130
    print(f"{stats.buyers} buyers sent {stats.sent} messages, got {stats.replies} replies, {len(stats.errors)} errors")
    if stats.errors:
        print(f"kefu-buyers: {len(stats.errors)} of {args.buyers} buyers failed:", file=sys.stderr)
        for line in stats.errors[:10]:
            print(f"  {line}", file=sys.stderr)
        if len(stats.errors) > 10:
            print(f"  ... and {len(stats.errors) - 10} more", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
