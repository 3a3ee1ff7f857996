"""The agent's end of a video call for the buyer page's tests: a `KefuClient` that answers call
frames the way docs/protocol.md section 12 says, with an aiortc peer sending a test pattern and a
tone, and counting what it receives from the buyer.

It stands in for the workstation's call manager (app/calls.py) until that one can be driven from
a test without Qt; it does only what the protocol asks: offer once the buyer accepted (its
candidates inside the SDP, no trickle), add the buyer's trickled candidates, send `call_media` on
the first frame from the buyer, close on `call` ended or cancelled, hang up on demand.
"""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import math
import time
from collections.abc import Callable
from typing import Any

import av
import numpy as np
from aiortc import MediaStreamTrack, RTCBundlePolicy, RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError
from aiortc.sdp import candidate_from_sdp

from app.client import KefuClient
from wire import frames as f

OVER = ("declined", "expired", "ended", "cancelled")


class PatternTrack(MediaStreamTrack):
    """640x480 moving bars at 15 fps, paced in real time."""

    kind = "video"

    def __init__(self, fps: int = 15) -> None:
        super().__init__()
        self.fps = fps
        self._n = 0
        self._start: float | None = None
        bars = ((np.arange(640) * 8 // 640) * 28 + 16).astype(np.uint8)
        self._y = np.tile(bars, (480, 1))
        self._uv = np.full(320 * 240 * 2, 128, np.uint8)

    async def recv(self) -> av.VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        self._start = self._start if self._start is not None else time.monotonic()
        delay = self._start + self._n / self.fps - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        y = np.roll(self._y, self._n * 4, axis=1)
        frame = av.VideoFrame.from_ndarray(np.concatenate([y.reshape(-1), self._uv]).reshape(720, 640),
                                           format="yuv420p")
        frame.pts = self._n * 90_000 // self.fps
        frame.time_base = fractions.Fraction(1, 90_000)
        self._n += 1
        return frame


class ToneTrack(MediaStreamTrack):
    """A 440 Hz tone, 48 kHz mono, 20 ms frames, paced in real time."""

    kind = "audio"

    def __init__(self) -> None:
        super().__init__()
        self._n = 0
        self._start: float | None = None

    async def recv(self) -> av.AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        self._start = self._start if self._start is not None else time.monotonic()
        delay = self._start + self._n * 0.02 - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        t = (np.arange(960) + self._n * 960) / 48_000
        pcm = (np.sin(2 * math.pi * 440 * t) * 6000).astype(np.int16)
        frame = av.AudioFrame.from_ndarray(pcm.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = 48_000
        frame.pts = self._n * 960
        frame.time_base = fractions.Fraction(1, 48_000)
        self._n += 1
        return frame


class AgentPeer:
    """One call's aiortc peer connection on the agent's side."""

    def __init__(self, agent: CallAgent, call_id: str) -> None:
        self.agent = agent
        self.call_id = call_id
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[], bundlePolicy=RTCBundlePolicy.MAX_BUNDLE))
        self.audio_out = ToneTrack()
        self.video_out = PatternTrack()
        self.received = {"audio": 0, "video": 0}
        self.first_at: dict[str, float] = {}
        self.video_size: tuple[int, int] | None = None
        self.offered_at: float | None = None
        self.answered_at: float | None = None
        self.media_sent = False
        self.closed = False
        self._signals: asyncio.Queue[f.RelayedSignal] = asyncio.Queue()
        self._tasks: list[asyncio.Task[Any]] = []
        self.pc.on("track", self._on_track)

    def start(self) -> None:
        self._tasks.append(asyncio.create_task(self._run(), name=f"agent-call-{self.call_id}"))

    def signal(self, frame: f.RelayedSignal) -> None:
        self._signals.put_nowait(frame)

    async def _run(self) -> None:
        self.pc.addTransceiver(self.audio_out, direction="sendrecv")
        self.pc.addTransceiver(self.video_out, direction="sendrecv")
        await self.pc.setLocalDescription(await self.pc.createOffer())  # gathers every candidate first
        self.offered_at = time.monotonic()
        await self.agent.call(f.SignalCall, call_id=self.call_id, kind="offer", sdp=self.pc.localDescription.sdp)
        while not self.closed:
            frame = await self._signals.get()
            if frame.kind == "answer" and frame.sdp:
                await self.pc.setRemoteDescription(RTCSessionDescription(frame.sdp, "answer"))
                self.answered_at = time.monotonic()
            elif frame.kind == "candidate" and frame.candidate is not None:
                if not frame.candidate.candidate:
                    await self.pc.addIceCandidate(None)  # end of candidates
                    continue
                candidate = candidate_from_sdp(frame.candidate.candidate.split(":", 1)[1])
                candidate.sdpMid = frame.candidate.sdp_mid
                candidate.sdpMLineIndex = frame.candidate.sdp_mline_index
                await self.pc.addIceCandidate(candidate)

    def _on_track(self, track: MediaStreamTrack) -> None:
        self._tasks.append(asyncio.create_task(self._consume(track)))

    async def _consume(self, track: MediaStreamTrack) -> None:
        kind = track.kind
        with contextlib.suppress(MediaStreamError):
            while True:
                frame = await track.recv()
                self.received[kind] += 1
                self.first_at.setdefault(kind, time.monotonic())
                if kind == "video":
                    self.video_size = (frame.width, frame.height)
                if not self.media_sent:
                    self.media_sent = True
                    self._tasks.append(asyncio.create_task(self.agent.call(f.CallMedia, call_id=self.call_id)))
                self.agent.poke()

    def local_fingerprint(self, algorithm: str = "sha-256") -> str:
        """The agent's DTLS certificate fingerprint (upper-case hex pairs with colons)."""
        dtls = self.pc.getTransceivers()[0].sender.transport
        for fp in dtls.getLocalParameters().fingerprints:
            if fp.algorithm == algorithm:
                return str(fp.value).upper()
        raise AssertionError(f"no {algorithm} fingerprint")

    def dtls_state(self) -> str:
        return str(self.pc.getTransceivers()[0].sender.transport.state)

    async def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.audio_out.stop()
        self.video_out.stop()
        await self.pc.close()
        current = asyncio.current_task()
        tasks = [t for t in self._tasks if t is not current]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self.agent.poke()


class CallAgent(KefuClient):
    """A KefuClient that keeps every call's latest state and runs the agent's peer for accepted calls."""

    def __init__(self, base_url: str, token: str) -> None:
        super().__init__(base_url, token)
        self.calls: dict[str, f.CallInfo] = {}
        self.history: list[f.CallInfo] = []
        self.notices: list[f.CallNotice] = []
        self.peers: dict[str, AgentPeer] = {}
        self._changed = asyncio.Event()
        self._closing: list[asyncio.Task[Any]] = []

    def poke(self) -> None:
        self._changed.set()

    def _dispatch(self, frame: f.ServerFrame) -> None:
        if isinstance(frame, f.CallUpdate):
            self._on_call(frame.call)
        elif isinstance(frame, f.RelayedSignal):
            peer = self.peers.get(frame.call_id)
            if peer is not None:
                peer.signal(frame)
            return
        elif isinstance(frame, f.CallNotice):
            self.notices.append(frame)
            self.poke()
            return
        super()._dispatch(frame)

    def _on_call(self, info: f.CallInfo) -> None:
        self.calls[info.call_id] = info
        self.history.append(info)
        if info.state == "accepted" and info.call_id not in self.peers:
            peer = self.peers[info.call_id] = AgentPeer(self, info.call_id)
            peer.start()
        elif info.state in OVER and info.call_id in self.peers:
            self._closing.append(asyncio.create_task(self.peers[info.call_id].close()))
        self.poke()

    async def until(self, predicate: Callable[[], Any], timeout: float = 10.0, what: str = "") -> Any:
        """Wait until `predicate()` is truthy (checked whenever a call frame or a media frame arrives)."""
        async with asyncio.timeout(timeout):
            while not (result := predicate()):
                self._changed.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), 0.1)
        return result

    async def state(self, call_id: str, *states: str, timeout: float = 10.0) -> f.CallInfo:
        info: f.CallInfo = await self.until(
            lambda: (c := self.calls.get(call_id)) is not None and c.state in states and c, timeout)
        return info

    async def invite(self, conversation_id: int, reason: str = "演示安装步骤") -> f.CallInfo:
        reply = await self.call(f.InviteCall, conversation_id=conversation_id, reason=reason)
        assert isinstance(reply, f.CallUpdate), reply
        return reply.call

    async def hang_up(self, call_id: str) -> f.CallInfo:
        reply = await self.call(f.HangUp, call_id=call_id)
        assert isinstance(reply, f.CallUpdate), reply
        return reply.call

    async def close(self) -> None:
        for peer in list(self.peers.values()):
            await peer.close()
        await asyncio.gather(*self._closing, return_exceptions=True)
        await super().close()
