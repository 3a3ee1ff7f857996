"""Buyer simulator: N demo buyers chatting with a shop over the real protocol.

Used by the demo (`make demo`), by tests and by benchmarks. Each buyer opens a session with the
platform stand-in, connects, opens the conversation, greets, asks realistic questions with
human pauses, and waits a little for the agent's answer before the next one. Runs are bounded
by count and by time and stop by themselves. A buyer that cannot reach the relay (refused, or no
answer within `connect_timeout`) or that loses it gives up at once, without reconnecting: its error
is kept in `SimStats.errors`, and `kefu-buyers` says so on stderr and exits with status 1.

Video invitations are answered as `CallHabits` say (`--answer-calls`): after a human pause the
buyer accepts, declines, or lets the invitation ring out. An accepting buyer joins with
`app.buyer_call.BuyerPhone` (aiortc, imported only then): a tone for a voice and the camera off,
like the buyer page, then after a few seconds the "rear camera", one of the demo product clips.
It does not type during the call and hangs up by itself after a while, unless the agent does
first. ICE uses host candidates only (BuyerPhone's `RTCConfiguration(iceServers=[])`: no STUN or
TURN server is ever asked). At the run's deadline buyers stop chatting, but one on a call finishes
it first (for at most `CallHabits.grace` more seconds); a buyer that leaves hangs up its call and
closes its peer connection.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import json
import logging
import math
import os
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal, cast, get_args
from urllib.parse import urlsplit

import aiohttp

from app.client import KefuClient, buyer_session
from app.errors import ConnectionLost, KefuError
from wire import frames as f

if TYPE_CHECKING:  # aiortc takes a while to import: only once a buyer accepts a call
    from app.buyer_call import BuyerPhone

logger = logging.getLogger(__name__)

QUESTIONS_FILE = Path(__file__).resolve().parent.parent / "resources" / "demo" / "questions.json"

Answer = Literal["accept", "decline", "ignore", "mixed"]
Decision = Literal["accept", "decline", "ignore"]
ANSWERS: tuple[str, ...] = get_args(Answer)
MIXED: tuple[tuple[Decision, float], ...] = (("accept", 0.8), ("decline", 0.15), ("ignore", 0.05))
"""How a "mixed" crowd answers: most accept, some decline, a few let the invitation ring out."""
CONNECT_WAIT_S = 20.0
"""How long an accepting buyer waits for the call to connect before hanging up."""
HANG_UP_WAIT_S = 2.0
"""How long a buyer waits for the relay to confirm a hang-up, and for its peer connection to close."""


@dataclass
class SimStats:
    """What a simulation run did."""

    buyers: int = 0
    sent: int = 0
    replies: int = 0
    errors: list[str] = field(default_factory=list)
    """One line per buyer that failed: `<buyer id>: <what went wrong>`."""
    invitations: int = 0
    """Video invitations received (each once, however many frames told of it)."""
    accepted: int = 0
    declined: int = 0
    ignored: int = 0
    connected: int = 0
    """Accepted calls that reached `connected` (media flowed)."""
    hung_up: int = 0
    """Calls the buyer ended by itself once its call length was over."""


@dataclass(frozen=True)
class CallHabits:
    """How simulated buyers answer video invitations. Spans are (min, max) seconds, drawn per call."""

    answer: Answer = "accept"
    delay: tuple[float, float] = (1.0, 4.0)
    """From the invitation to the answer (a person reads the card, then taps)."""
    camera_after: tuple[float, float] = (2.0, 6.0)
    """From connected to the rear camera (a product clip) turned on."""
    length: tuple[float, float] = (20.0, 60.0)
    """From connected to the buyer hanging up, unless the agent hangs up first."""

    def decide(self, rng: random.Random) -> Decision:
        if self.answer != "mixed":
            return self.answer
        draw = rng.random()
        for decision, share in MIXED:
            if draw < share:
                return decision
            draw -= share
        return "accept"

    @property
    def grace(self) -> float:
        """How long past a run's deadline a buyer may still be busy with an invitation: answering, and
        for an accepted one connecting, talking, hanging up and closing."""
        if self.answer == "ignore":
            return 0.0
        if self.answer == "decline":
            return self.delay[1] + HANG_UP_WAIT_S
        return self.delay[1] + CONNECT_WAIT_S + self.length[1] + 3 * HANG_UP_WAIT_S


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


async def _agent_replied(inbox: asyncio.Queue[f.Message], wait: float) -> bool:
    """Wait up to `wait` seconds for a human reply from the shop (automatic messages don't count)."""
    try:
        async with asyncio.timeout(wait):
            while True:
                msg = await inbox.get()
                if msg.sender.kind == "agent":
                    return True
    except TimeoutError:
        return False


async def _until(phone: BuyerPhone, predicate: Callable[[], object], timeout: float) -> bool:
    """Whether `predicate` holds within `timeout` seconds (re-checked whenever the phone hears something)."""
    if predicate():
        return True
    if timeout <= 0:
        return False
    try:
        await phone.until(predicate, "the call", timeout)
    except AssertionError:  # BuyerPhone.until's way of saying "not in time"
        return False
    return True


class _CallLine:
    """What a `BuyerPhone` reads and requests through: the buyer's call frames, handed on by `_Buyer`
    (which reads every frame the client is pushed), and the client's own requests."""

    def __init__(self, client: KefuClient) -> None:
        self.events: asyncio.Queue[f.ServerFrame] = asyncio.Queue()
        self.call = client.call


class _Buyer:
    """A connected simulated buyer's ears: reads every frame the relay pushes, gives the shop's messages
    to the chat, and answers video invitations as `habits` say, each in a task of its own."""

    def __init__(self, client: KefuClient, conversation_id: int, buyer_id: str, habits: CallHabits,
                 rng: random.Random, stats: SimStats) -> None:
        self.client = client
        self.conversation_id = conversation_id
        self.buyer_id = buyer_id
        self.habits = habits
        self.rng = rng
        self.stats = stats
        self.inbox: asyncio.Queue[f.Message] = asyncio.Queue()
        self.states: dict[str, str] = {}
        """The latest state the relay told of each call of this buyer."""
        self.phone: BuyerPhone | None = None
        """Made at the first accepted call (aiortc is imported then) and kept for the next ones."""
        self._line: _CallLine | None = None
        self._seen: set[str] = set()
        self._answering: set[asyncio.Task[None]] = set()
        self._idle = asyncio.Event()
        self._idle.set()
        self._reader = asyncio.get_running_loop().create_task(self._read(), name=f"{buyer_id}-frames")

    async def off_the_phone(self) -> None:
        """Return once no invitation is being answered and no call is on (nobody types then).
        Raises ConnectionLost at once if the relay goes meanwhile."""
        if self._idle.is_set():
            return
        waits = [asyncio.ensure_future(self._idle.wait()), asyncio.ensure_future(self.client.closed.wait())]
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in waits:
                waiting.cancel()
        if not self._idle.is_set():
            raise ConnectionLost("connection to the relay lost")

    async def close(self) -> None:
        """Leave: a call in progress is hung up and its peer connection closed; reading stops."""
        tasks = list(self._answering)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._reader.cancel()
        await asyncio.gather(self._reader, return_exceptions=True)
        if self.phone is not None:
            try:
                async with asyncio.timeout(HANG_UP_WAIT_S):
                    await self.phone.close()
            except TimeoutError:
                logger.warning("simulated buyer %s: the peer connection did not close in time", self.buyer_id)

    async def _read(self) -> None:
        while True:
            frame = await self.client.events.get()
            if isinstance(frame, f.Message):
                self.inbox.put_nowait(frame)
                continue
            if isinstance(frame, f.CallUpdate):
                info = frame.call
                self.states[info.call_id] = info.state
                # The invitation card comes with this frame: live, or at the buyer's sync if it came meanwhile.
                if info.state == "invited" and info.conversation_id == self.conversation_id:
                    self._invited(info.call_id)
            if self._line is not None and isinstance(frame, (f.CallUpdate, f.RelayedSignal, f.CallNotice)):
                self._line.events.put_nowait(frame)

    def _invited(self, call_id: str) -> None:
        if call_id in self._seen:
            return
        self._seen.add(call_id)
        self.stats.invitations += 1
        decision = self.habits.decide(self.rng)
        if decision == "ignore":
            self.stats.ignored += 1
            logger.info("simulated buyer %s lets the invitation %s ring out", self.buyer_id, call_id)
            return
        task = asyncio.get_running_loop().create_task(self._answer(call_id, decision),
                                                      name=f"{self.buyer_id} {call_id}")
        self._answering.add(task)
        self._idle.clear()
        task.add_done_callback(self._answered)

    def _answered(self, task: asyncio.Task[None]) -> None:
        self._answering.discard(task)
        if not self._answering:
            self._idle.set()

    async def _answer(self, call_id: str, decision: Decision) -> None:
        try:
            await asyncio.sleep(self.rng.uniform(*self.habits.delay))
            if self.states.get(call_id) != "invited":
                return  # withdrawn, or expired, while the buyer was reading the card
            if decision == "decline":
                await self.client.call(f.AnswerCall, call_id=call_id, decision="decline")
                self.stats.declined += 1
                logger.info("simulated buyer %s declined %s", self.buyer_id, call_id)
                return
            phone = await self._phone()
            await phone.answer(call_id)
            self.stats.accepted += 1
            logger.info("simulated buyer %s accepted %s", self.buyer_id, call_id)
            await self._talk(phone, call_id)
        except (KefuError, aiohttp.ClientError, OSError) as exc:  # the call ended meanwhile, or the relay went
            logger.warning("simulated buyer %s: call %s: %s", self.buyer_id, call_id, str(exc) or type(exc).__name__)
        except Exception as exc:
            self.stats.errors.append(f"{self.buyer_id}: call {call_id}: {type(exc).__name__}: {exc}")
            logger.exception("simulated buyer %s: call %s failed", self.buyer_id, call_id)

    async def _phone(self) -> BuyerPhone:
        if self.phone is None:
            # aiortc, av and numpy load in a thread, so that the other buyers chat on meanwhile.
            await asyncio.to_thread(importlib.import_module, "app.buyer_call")
            from app.buyer_call import BuyerPhone

            if self.phone is None:
                self._line = _CallLine(self.client)
                self.phone = BuyerPhone(cast(KefuClient, self._line))
        return self.phone

    async def _talk(self, phone: BuyerPhone, call_id: str) -> None:
        """An accepted call: once connected, the rear camera (a product clip) after a few seconds, and a
        hang-up at the end of the call length unless it ended before. Hung up, whatever happens."""
        from app.calls import OVER, clip_paths  # the agent's product clips, found the same way
        from app.media import LoopingClipTrack

        def state() -> str:
            info = phone.calls.get(call_id)
            return info.state if info is not None else "accepted"

        def over() -> bool:
            return state() in OVER

        loop = asyncio.get_running_loop()
        try:
            if not await _until(phone, lambda: over() or state() == "connected", CONNECT_WAIT_S) or over():
                return
            self.stats.connected += 1
            camera_at = loop.time() + self.rng.uniform(*self.habits.camera_after)
            hang_up_at = loop.time() + self.rng.uniform(*self.habits.length)
            if (camera_at < hang_up_at and not await _until(phone, over, camera_at - loop.time())
                    and phone.call_id == call_id and phone.pc is not None):
                clips = clip_paths()
                phone.camera_on(LoopingClipTrack(self.rng.choice(clips)) if clips else None)
            if not await _until(phone, over, hang_up_at - loop.time()):
                await phone.hang_up()
                self.stats.hung_up += 1
                logger.info("simulated buyer %s hung up %s", self.buyer_id, call_id)
        finally:
            if phone.call_id == call_id and not over():  # leaving mid-call, or it never connected
                with contextlib.suppress(KefuError, aiohttp.ClientError, OSError):
                    async with asyncio.timeout(HANG_UP_WAIT_S):
                        await phone.hang_up()


async def simulate_buyer(
    url: str, buyer_id: str, shop: str, script: Script, rng: random.Random, *,
    messages: int, think: tuple[float, float], reply_wait: float, stats: SimStats, connect_timeout: float = 10.0,
    calls: CallHabits | None = None, deadline: float | None = None, ca_file: str = "",
) -> None:
    """One buyer: greet, then ask `messages - 1` questions, pausing like a person; video invitations
    are answered meanwhile as `calls` say (accepted, by default).

    Failures are recorded in `stats.errors`, not raised; reaching the relay (session, connection,
    conversation) must succeed within `connect_timeout` seconds. At `deadline` (the loop's clock) the
    buyer stops chatting; a call in progress is finished before it leaves. An https relay's certificate
    is verified against the system's authorities and `ca_file` (app/tls.py)."""
    client: KefuClient | None = None
    buyer: _Buyer | None = None
    try:
        chatting = asyncio.timeout_at(deadline)
        try:
            async with chatting:
                try:
                    async with asyncio.timeout(connect_timeout):
                        token = (await buyer_session(url, buyer_id, ca_file=ca_file)).token
                        client = KefuClient(url, token, ca_file=ca_file)
                        await client.connect()
                        conv = await client.open_conversation(shop)
                except TimeoutError:
                    raise ConnectionLost(f"the relay at {url} did not answer within {connect_timeout:g} s") from None
                except (aiohttp.ClientError, OSError) as exc:
                    raise ConnectionLost(f"cannot reach the relay at {url}: {exc}") from None
                stats.buyers += 1
                buyer = _Buyer(client, conv.conversation_id, buyer_id, calls or CallHabits(),
                               random.Random(rng.random()), stats)
                lines = [rng.choice(script.greetings)]
                lines += [rng.choice(script.questions if i % 3 != 2 else script.followups) for i in range(messages - 1)]
                for text in lines:
                    await buyer.off_the_phone()
                    await client.send_text(conv.conversation_id, text)
                    stats.sent += 1
                    if await _agent_replied(buyer.inbox, reply_wait):
                        stats.replies += 1
                    await asyncio.sleep(rng.uniform(*think))
        except TimeoutError:
            if not chatting.expired():
                raise
        if buyer is not None:
            await buyer.off_the_phone()  # a call in progress is finished before leaving
    except (KefuError, aiohttp.ClientError, OSError) as exc:
        reason = "the relay did not answer a request in time" if isinstance(exc, TimeoutError) else (
            str(exc) or type(exc).__name__)
        stats.errors.append(f"{buyer_id}: {reason}")
        logger.warning("simulated buyer %s stopped: %s", buyer_id, reason)
    finally:
        try:
            if buyer is not None:
                await buyer.close()
        finally:  # even when a second cancellation (the demo stopping) interrupts the hang-up
            if client is not None:
                await client.close()


async def run_buyers(
    url: str, *, buyers: int = 5, shop: str = "jiadian", messages: int = 6,
    think: tuple[float, float] = (2.0, 8.0), reply_wait: float = 5.0, duration: float = 120.0,
    seed: int = 7, first_buyer: int = 1, connect_timeout: float = 10.0, calls: CallHabits | None = None,
    ca_file: str = "",
) -> SimStats:
    """Run `buyers` simulated buyers of `shop`, staggered, chatting for at most `duration` seconds.

    Buyers still chatting at the deadline stop; that is not an error. A buyer on a video call then
    finishes it first, for at most `calls.grace` seconds more, and is stopped after that (its call
    hung up). Every buyer that failed, whatever the exception, has a line in the returned `errors`."""
    habits = calls or CallHabits()
    script = Script.load()
    stats = SimStats()
    rng = random.Random(seed)
    ids = [f"b-{shop}-{first_buyer + i:04d}" for i in range(buyers)]
    deadline = asyncio.get_running_loop().time() + duration

    async def one(i: int) -> None:
        await asyncio.sleep(rng.uniform(0, min(think[1], duration / 4)))
        await simulate_buyer(url, ids[i], shop, script, random.Random(seed * 1000 + i), messages=messages,
                             think=think, reply_wait=reply_wait, stats=stats, connect_timeout=connect_timeout,
                             calls=habits, deadline=deadline, ca_file=ca_file)

    tasks = [asyncio.create_task(one(i), name=ids[i]) for i in range(buyers)]
    try:
        done, _ = await asyncio.wait(tasks, timeout=duration + habits.grace + HANG_UP_WAIT_S)
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


def _span(example: str) -> Callable[[str], tuple[float, float]]:
    """An argparse type: `MIN:MAX` seconds (or one number for both), at least 0, MIN not above MAX."""
    def parse(text: str) -> tuple[float, float]:
        low_text, _, high_text = text.partition(":")
        seconds = _seconds(zero_ok=True)
        try:
            low = seconds(low_text)
            high = seconds(high_text) if high_text else low
        except argparse.ArgumentTypeError:
            raise argparse.ArgumentTypeError(
                f"{text!r}: expected MIN:MAX, seconds at least 0, as in {example}") from None
        if high < low:
            raise argparse.ArgumentTypeError(f"{text!r}: MIN must not exceed MAX")
        return low, high
    return parse


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
    parser.add_argument("--think", type=_span("2:8"), default=(2.0, 8.0), metavar="MIN:MAX",
                        help="seconds a buyer pauses after each message (default 2:8)")
    parser.add_argument("--reply-wait", type=_seconds(zero_ok=True), default=5.0,
                        help="seconds a buyer waits for the agent's answer (default 5)")
    parser.add_argument("--connect-timeout", type=_seconds(zero_ok=False), default=10.0,
                        help="seconds a buyer waits for the relay before giving up (default 10)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--ca-file", default=os.environ.get("KEFU_CA_FILE", ""), metavar="PATH",
                        help="PEM file of a self-hosted https relay's authority, trusted besides the system's"
                             " (default: $KEFU_CA_FILE)")
    calls = parser.add_argument_group("video invitations")
    calls.add_argument("--answer-calls", choices=ANSWERS, default="accept",
                       help="how buyers answer: accept, decline, ignore (let it ring out), or mixed"
                            " (mostly accept, sometimes decline or ignore); default accept")
    calls.add_argument("--answer-delay", type=_span("1:4"), default=(1.0, 4.0), metavar="MIN:MAX",
                       help="seconds from the invitation to the answer (default 1:4)")
    calls.add_argument("--camera-after", type=_span("2:6"), default=(2.0, 6.0), metavar="MIN:MAX",
                       help="seconds into the call before the buyer turns the rear camera on (default 2:6)")
    calls.add_argument("--call-length", type=_span("20:60"), default=(20.0, 60.0), metavar="MIN:MAX",
                       help="seconds into the call before the buyer hangs up (default 20:60)")
    return parser


def habits_of(args: argparse.Namespace) -> CallHabits:
    """The `CallHabits` the command line asks for."""
    return CallHabits(answer=args.answer_calls, delay=args.answer_delay, camera_after=args.camera_after,
                      length=args.call_length)


def main(argv: list[str] | None = None) -> int:
    """Exit status 0 when every buyer ran until done or until `--duration`; 1 if any failed; 2 on bad arguments."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        stats = asyncio.run(run_buyers(
            args.url, buyers=args.buyers, shop=args.shop, messages=args.messages, think=args.think,
            reply_wait=args.reply_wait, duration=args.duration, seed=args.seed,
            connect_timeout=args.connect_timeout, calls=habits_of(args), ca_file=args.ca_file))
    except KeyboardInterrupt:
        print("kefu-buyers: interrupted", file=sys.stderr)
        return 130
    print(f"{stats.buyers} buyers sent {stats.sent} messages, got {stats.replies} replies, {len(stats.errors)} errors")
    if stats.invitations:
        print(f"{stats.invitations} video invitations: {stats.accepted} accepted ({stats.connected} connected,"
              f" {stats.hung_up} hung up by the buyer), {stats.declined} declined, {stats.ignored} ignored")
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
