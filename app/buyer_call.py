"""The buyer's side of video calls on aiortc, over a buyer's `KefuClient`: for the buyer simulator,
tests and benchmarks (real buyers use the buyer page, `relay/static/call.js`).

`BuyerPhone` reads the client's pushed frames, keeps the latest state of every call, and answers
the agent's offer the way the buyer page does: the microphone (a tone here) `sendrecv`, the video
transceiver `sendrecv` with no track, so the camera is off and nothing is sent until `camera_on`
(no renegotiation), or `inactive` for audio only. Its candidates are trickled as `candidate`
frames after an answer without them, then the end of candidates, as a browser does.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import av
import numpy as np
from aiortc import MediaStreamTrack, RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError

from app.client import KefuClient
from app.events import until_changed
from app.media import PatternTrack, ToneTrack
from wire import frames as f

logger = logging.getLogger(__name__)



class BuyerPhone:
    """One buyer's calls: invitations, answering, media counts; at most one peer connection at a time."""

    def __init__(self, client: KefuClient, *, trickle: bool = True) -> None:
        self.client = client
        self.trickle = trickle
        self.calls: dict[str, f.CallInfo] = {}
        self.messages: list[f.Message] = []
        self.notices: list[f.CallNotice] = []
        self.pc: RTCPeerConnection | None = None
        self.call_id: str | None = None
        self.audio_only = False
        self.frames = {"audio": 0, "video": 0}
        self.first: dict[str, float] = {}
        """time.monotonic() of the first audio and video frame from the agent in the current call."""
        self.last_video: av.VideoFrame | None = None
        self.audio_levels: list[float] = []
        """RMS of the latest audio frames from the agent (s16 scale), newest last, at most 500."""
        self._mic: MediaStreamTrack | None = None
        self._camera: MediaStreamTrack | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._changed = asyncio.Event()
        self._pump = asyncio.get_running_loop().create_task(self._read(), name="buyer-phone")

    # waiting ---------------------------------------------------------------------------------------

    async def until(self, predicate: Any, what: str, timeout: float = 10.0) -> Any:
        """Re-check `predicate` whenever something happens, until it holds (AssertionError on timeout)."""
        return await until_changed(self._changed, predicate, f"buyer: {what}", timeout)

    async def invitation(self, timeout: float = 10.0) -> f.CallInfo:
        """The newest call of this buyer still ringing."""
        return await self.until(  # type: ignore[no-any-return]
            lambda: next((c for c in reversed(self.calls.values()) if c.state == "invited"), None),
            "an invitation", timeout)

    async def state(self, call_id: str, *states: str, timeout: float = 10.0) -> f.CallInfo:
        """The call once the relay says it is in one of `states`."""
        return await self.until(  # type: ignore[no-any-return]
            lambda: (c := self.calls.get(call_id)) is not None and c.state in states and c, f"{call_id} {states}",
            timeout)

    # answering -------------------------------------------------------------------------------------

    async def answer(self, call_id: str, decision: str = "accept", *, audio_only: bool = False) -> f.CallInfo:
        """Accept (the offer is answered as it arrives), decline or block."""
        if decision == "accept":
            await self._end_peer()
            self.call_id, self.audio_only = call_id, audio_only
            self.frames = {"audio": 0, "video": 0}
            self.first = {}
        reply = await self.client.call(f.AnswerCall, call_id=call_id, decision=decision, audio_only=audio_only)
        assert isinstance(reply, f.CallUpdate)
        self._note(reply.call)
        return reply.call

    def camera_on(self, track: MediaStreamTrack | None = None) -> None:
        """Start sending video (a test pattern unless given a track), as the page's camera button does."""
        sender = self._video_sender()
        self._camera = track or PatternTrack()
        sender.replaceTrack(self._camera)

    def camera_off(self) -> None:
        self._video_sender().replaceTrack(None)
        if self._camera is not None:
            self._camera.stop()
            self._camera = None

    def _video_sender(self) -> Any:
        assert self.pc is not None, "no call"
        return next(t.sender for t in self.pc.getTransceivers() if t.kind == "video")

    async def hang_up(self) -> f.CallInfo:
        assert self.call_id is not None
        call_id = self.call_id
        await self._end_peer()
        reply = await self.client.call(f.HangUp, call_id=call_id)
        assert isinstance(reply, f.CallUpdate)
        self._note(reply.call)
        return reply.call

    async def close(self) -> None:
        self._pump.cancel()
        await asyncio.gather(self._pump, return_exceptions=True)
        await self._end_peer()

    # the relay's frames ----------------------------------------------------------------------------

    async def _read(self) -> None:
        while True:
            frame = await self.client.events.get()
            if isinstance(frame, f.CallUpdate):
                self._note(frame.call)
                if frame.call.call_id == self.call_id and frame.call.state in ("ended", "cancelled", "expired"):
                    await self._end_peer()
            elif isinstance(frame, f.RelayedSignal) and frame.call_id == self.call_id:
                if frame.kind == "offer" and frame.sdp:
                    try:
                        await self._answer_offer(frame.call_id, frame.sdp)
                    except Exception:
                        logger.exception("buyer: answering the offer failed")
            elif isinstance(frame, f.CallNotice):
                self.notices.append(frame)
            elif isinstance(frame, f.Message):
                self.messages.append(frame)
            self._changed.set()

    def _note(self, info: f.CallInfo) -> None:
        self.calls[info.call_id] = info
        self._changed.set()

    async def _answer_offer(self, call_id: str, sdp: str) -> None:
        pc = self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        pc.on("track", self._on_track)
        await pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="offer"))
        self._mic = ToneTrack()
        for transceiver in pc.getTransceivers():
            if transceiver.kind == "audio":
                transceiver.sender.replaceTrack(self._mic)
                transceiver.direction = "sendrecv"
            else:  # camera off: sendrecv with no track (nothing sent until camera_on), or inactive
                transceiver.direction = "inactive" if self.audio_only else "sendrecv"
        await pc.setLocalDescription(await pc.createAnswer())
        answer = pc.localDescription.sdp
        if not self.trickle:
            await self.client.call(f.SignalCall, call_id=call_id, kind="answer", sdp=answer)
            return
        lines = answer.splitlines()
        bare = [ln for ln in lines if not ln.startswith(("a=candidate:", "a=end-of-candidates"))]
        await self.client.call(f.SignalCall, call_id=call_id, kind="answer", sdp="\r\n".join(bare) + "\r\n")
        for mid, index, line in _candidates(lines):
            await self.client.call(f.SignalCall, call_id=call_id, kind="candidate", candidate=f.IceCandidate(
                candidate=line, sdp_mid=mid, sdp_mline_index=index))
        await self.client.call(f.SignalCall, call_id=call_id, kind="candidate", candidate=f.IceCandidate())

    def _on_track(self, track: MediaStreamTrack) -> None:
        task = asyncio.get_running_loop().create_task(self._consume(track))
        self._tasks.add(task)

    async def _consume(self, track: MediaStreamTrack) -> None:
        try:
            while True:
                frame = await track.recv()
                self.frames[track.kind] += 1
                self.first.setdefault(track.kind, time.monotonic())
                if isinstance(frame, av.VideoFrame):
                    self.last_video = frame
                elif isinstance(frame, av.AudioFrame):
                    pcm = frame.to_ndarray().astype(np.float64)
                    self.audio_levels.append(float(np.sqrt(np.mean(pcm * pcm))))
                    del self.audio_levels[:-500]
                self._changed.set()
        except MediaStreamError:
            return

    async def _end_peer(self) -> None:
        for track in (self._mic, self._camera):
            if track is not None:
                track.stop()
        self._mic = self._camera = None
        pc, self.pc = self.pc, None
        if pc is not None:
            await pc.close()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.clear()
        self.last_video = None


def _candidates(lines: list[str]) -> list[tuple[str | None, int, str]]:
    """(mid, m-line index, "candidate:...") of every candidate line of an SDP, in order."""
    sections: list[list[str]] = []
    for line in lines:
        if line.startswith("m="):
            sections.append([])
        elif sections:
            sections[-1].append(line)
    found: list[tuple[str | None, int, str]] = []
    for index, section in enumerate(sections):
        mid = next((ln[len("a=mid:"):] for ln in section if ln.startswith("a=mid:")), None)
        found += [(mid, index, ln[2:]) for ln in section if ln.startswith("a=candidate:")]
    return found
