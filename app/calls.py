"""Video explanations (视频讲解) on the agent's side: invitations through the relay, one aiortc peer
connection per call, its media, and closing all of it so that nothing outlives the call.

The flow (docs/protocol.md, section 12): the agent asks `call_check`, invites with `call_invite`,
and follows the call's `call` frames. On `accepted` this workstation creates the peer connection
(the relay's ICE servers, or none: never aiortc's default public STUN server), adds an audio and a
video transceiver `sendrecv`, and sends its offer, which carries every candidate since aiortc
gathers them all first. It applies the buyer's answer and trickled candidates, tells the relay
`call_media` at the first media from the buyer, and on any end (hang-up on either side, expiry,
withdrawal, the relay's limit) closes everything in the order that keeps memory flat: stop our
tracks, close the peer connection, cancel and await the tasks reading the buyer's tracks, drop
every frame.

`CallManager` owns every peer connection (aiortc's examples/server: one owner that closes them
all on shutdown); `DeskService` routes the relay's call frames to it and closes it on close.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
import time
import weakref
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import msgspec

from app.errors import KefuError, SourceUnavailable
from app.events import CallAudio, CallChanged, CallEnding, CallFrame, CallSide, CallView, Event, VideoImage
from wire import frames as f

if TYPE_CHECKING:  # aiortc, av and numpy cost a quarter of a second to import: only once a call needs them
    from aiortc import MediaStreamTrack, RTCIceServer, RTCPeerConnection

    from app.media import LatestFrame, MicrophoneTrack, OutgoingVideo, PushedVideoTrack

logger = logging.getLogger(__name__)

Requester = Callable[..., Awaitable[f.ServerFrame]]
"""`await request(FrameType, **fields)`: send a request to the relay, get its answer (raises KefuError)."""

OVER = frozenset({"declined", "expired", "ended", "cancelled"})
_RANK = {"invited": 0, "accepted": 1, "connected": 2}
HANGUP_TIMEOUT_S = 2.0
"""How long closing waits for the relay to confirm each hang-up."""
PC_CLOSE_TIMEOUT_S = 2.0
"""Longest wait for a peer connection to close (it takes milliseconds)."""
PEER_LOST_GRACE_S = 3.0
"""After the peer connection closed under us, how long the relay has to tell us the buyer hung up."""
ENDED_MEMORY = 64
"""How many ended call ids are remembered, to recognise late frames about them."""

CLIPS_DIR = Path(__file__).resolve().parent.parent / "resources" / "demo" / "clips"

_loopback = False


def clip_paths(directory: Path = CLIPS_DIR) -> list[Path]:
    """The product clips that can be sent in a call (the demo ones by default)."""
    try:
        return sorted(p for p in directory.iterdir() if p.suffix in (".webm", ".mp4", ".mkv"))
    except OSError:
        return []


def screen_available() -> bool:
    """Whether the screen can be shared: an X11 display and FFmpeg's x11grab (Wayland alone has neither)."""
    if not os.environ.get("DISPLAY"):
        return False
    import av

    return "x11grab" in av.formats_available


def media_module() -> Any:
    """`app.media`, imported on first use (see `CallManager.warm_up`)."""
    import app.media  # here, not at the top: see TYPE_CHECKING above (and PyInstaller still sees it)

    return app.media


@contextmanager
def loopback_only() -> Iterator[None]:
    """Keep ICE on 127.0.0.1 (tests and benchmarks only: a real call needs the real interfaces).

    aioice leaves loopback out of its host addresses, so it is the only one listed; STUN checks
    from other addresses are dropped, or a browser's check from the machine's LAN address would
    become a peer-reflexive candidate and could be nominated; and trickled candidates that are not
    loopback are ignored.
    """
    global _loopback
    import aioice.ice

    hosts = aioice.ice.get_host_addresses
    request_received = aioice.ice.Connection.request_received

    def loopback_hosts(use_ipv4: bool, use_ipv6: bool) -> list[str]:
        return ["127.0.0.1"] if use_ipv4 else []

    def loopback_requests(self: Any, message: Any, addr: Any, protocol: Any) -> None:
        if ipaddress.ip_address(addr[0]).is_loopback:
            request_received(self, message, addr, protocol)

    aioice.ice.get_host_addresses = loopback_hosts
    aioice.ice.Connection.request_received = loopback_requests  # type: ignore[method-assign]
    previous, _loopback = _loopback, True
    try:
        yield
    finally:
        aioice.ice.get_host_addresses = hosts
        aioice.ice.Connection.request_received = request_received  # type: ignore[method-assign]
        _loopback = previous


class Call:
    """One call: its view, and while it is accepted or connected, its peer connection and tracks."""

    def __init__(self, manager: CallManager, info: f.CallInfo) -> None:
        self.manager = manager
        self.view = CallView(info, source=manager.default_source)
        call_id = info.call_id
        emit = manager.emit
        media = media_module()
        self.remote: LatestFrame = media.LatestFrame(lambda: emit(CallFrame(call_id, "remote")))
        self.local: LatestFrame = media.LatestFrame(lambda: emit(CallFrame(call_id, "local")),
                                                    max_width=media.PREVIEW_WIDTH)
        self.pc: RTCPeerConnection | None = None
        self.mic: MicrophoneTrack | None = None
        self.video: OutgoingVideo | None = None
        self.camera: PushedVideoTrack | None = None
        self._sending: MediaStreamTrack | None = None
        """The track made for `view.source`, which `video` reads."""
        self.inbox: asyncio.Queue[f.RelayedSignal] = asyncio.Queue()
        self.tasks: set[asyncio.Task[None]] = set()
        self.run_task: asyncio.Task[None] | None = None
        self.timings: dict[str, float] = {"created": time.monotonic()}
        """time.monotonic() of what happened: accepted, offer_sent, answer_applied, first_audio, first_video."""
        self._close_task: asyncio.Task[None] | None = None

    @property
    def call_id(self) -> str:
        return self.view.call_id

    @property
    def closing(self) -> bool:
        return self._close_task is not None

    # setting up -------------------------------------------------------------------------------------

    def start(self) -> None:
        """The buyer accepted: set up the peer connection and offer (in a task of its own)."""
        if self.run_task is None and not self.closing:
            self.timings["accepted"] = time.monotonic()
            self.run_task = asyncio.get_running_loop().create_task(self._run(), name=f"kefu-call-{self.call_id}")

    async def _run(self) -> None:
        from aiortc import RTCBundlePolicy, RTCConfiguration, RTCPeerConnection

        media = media_module()
        try:
            servers = await self.manager.ice_servers()
            pc = self.pc = RTCPeerConnection(RTCConfiguration(iceServers=servers,
                                                              bundlePolicy=RTCBundlePolicy.MAX_BUNDLE))
            self.manager.peer_connections.add(pc)
            pc.on("track", self._on_track)
            pc.on("connectionstatechange", self._on_peer_state)
            self.mic = media.MicrophoneTrack()
            self.mic.muted = self.view.muted
            pc.addTransceiver(self.mic, direction="sendrecv")
            if self.view.info.audio_only:  # a voice call: no video is made or sent, either way
                pc.addTransceiver("video", direction="inactive")
                await self._offer(pc)
                return
            try:
                source = self._source(self.view.source)
            except SourceUnavailable as exc:  # the screen was chosen before the call, and it went away
                logger.warning("call %s: %s; sending the test pattern", self.call_id, exc)
                self._failed(self.view.source)
                source = self._source("pattern")
                self.manager.emit(CallChanged(self.view, "source_failed"))
            self.video = media.OutgoingVideo(source, self.local, on_failure=self._source_failed)
            self._sending_from(self.view.source, source)
            pc.addTransceiver(self.video, direction="sendrecv")
            await self._offer(pc)
        except asyncio.CancelledError:
            raise
        except KefuError as exc:
            logger.warning("call %s could not be set up: %s", self.call_id, exc)
            self.manager.spawn(self.manager.hang_up(self.call_id))
        except Exception:
            logger.exception("call %s failed", self.call_id)
            self.manager.spawn(self.manager.hang_up(self.call_id))

    async def _offer(self, pc: Any) -> None:
        """Offer, then apply the buyer's answer and candidates until the call is closed."""
        await pc.setLocalDescription(await pc.createOffer())  # returns once every candidate is gathered
        await self.manager.request(f.SignalCall, call_id=self.call_id, kind="offer", sdp=pc.localDescription.sdp)
        self.timings["offer_sent"] = time.monotonic()
        while True:
            await self._apply(await self.inbox.get())

    async def _apply(self, signal: f.RelayedSignal) -> None:
        from aiortc import RTCSessionDescription
        from aiortc.sdp import candidate_from_sdp

        pc = self.pc
        assert pc is not None
        if signal.kind == "answer" and signal.sdp:
            await pc.setRemoteDescription(RTCSessionDescription(sdp=signal.sdp, type="answer"))
            self.timings["answer_applied"] = time.monotonic()
        elif signal.kind == "candidate":
            c = signal.candidate
            if c is None or not c.candidate:
                await pc.addIceCandidate(None)  # end of candidates
                return
            try:
                text = c.candidate[len("candidate:"):] if c.candidate.startswith("candidate:") else c.candidate
                candidate = candidate_from_sdp(text)
            except (ValueError, IndexError):
                logger.info("call %s: unreadable ICE candidate ignored", self.call_id)
                return
            if _loopback and not _is_loopback(candidate.ip):
                return
            candidate.sdpMid, candidate.sdpMLineIndex = c.sdp_mid, c.sdp_mline_index
            if candidate.sdpMid is None and candidate.sdpMLineIndex is None:
                candidate.sdpMLineIndex = 0  # bundled: every m-line shares the first transport
            await pc.addIceCandidate(candidate)
        else:
            logger.info("call %s: unexpected %s signal ignored", self.call_id, signal.kind)

    def _source(self, key: str) -> MediaStreamTrack:
        """A new track for a source key; raises KefuError for one this workstation cannot send.

        A window's existence is not checked here: that takes a round trip to the X server on the
        loop's thread, and the window may still close before x11grab opens it in the executor. It
        fails then, within milliseconds, and `_source_failed` reports it.
        """
        media = media_module()
        if key == "pattern":
            return media.PatternTrack()  # type: ignore[no-any-return]
        if key == "camera":
            return media.PushedVideoTrack()  # type: ignore[no-any-return]
        if key == "screen" or key.startswith("window:"):
            if not screen_available():
                raise SourceUnavailable("the screen cannot be shared here (no X11 display)")
            window = key.removeprefix("window:") if key != "screen" else None
            if window is not None and not window.isdigit():
                raise SourceUnavailable(f"unknown video source {key!r}")
            return media.ScreenTrack(window_id=int(window) if window else None)  # type: ignore[no-any-return]
        if key.startswith("clip:") and key[5:] in self.manager.clips:
            return media.LoopingClipTrack(self.manager.clips[key[5:]])  # type: ignore[no-any-return]
        raise SourceUnavailable(f"unknown video source {key!r}")

    def set_source(self, key: str) -> None:
        """Send `key` from now on (raises SourceUnavailable, changing nothing); forgets an earlier failure."""
        track = self._source(key)
        if self.video is None:
            track.stop()  # checked now, made when the call starts
        else:
            self.video.replace_source(track)
            self._sending_from(key, track)
        self.view.source = key
        self.view.source_failed = None

    def _sending_from(self, key: str, track: MediaStreamTrack) -> None:
        self._sending = track
        self.camera = cast("PushedVideoTrack", track) if key == "camera" else None

    def _source_failed(self, track: MediaStreamTrack, exc: Exception) -> None:
        """The video sender's source failed and the test pattern replaced it (`OutgoingVideo` did)."""
        if track is not self._sending or self.video is None or self.closing:
            return
        logger.info("call %s: video source %s failed, the test pattern is sent instead", self.call_id,
                    self.view.source)
        self._failed(self.view.source)
        self._sending_from("pattern", self.video.source)
        self.manager.emit(CallChanged(self.view, "source_failed"))

    def _failed(self, key: str) -> None:
        self.view.source_failed = key
        self.view.source = "pattern"

    # media ------------------------------------------------------------------------------------------

    def _on_track(self, track: MediaStreamTrack) -> None:
        task = asyncio.get_running_loop().create_task(self._consume(track), name=f"kefu-call-{track.kind}")
        self.tasks.add(task)

    async def _consume(self, track: MediaStreamTrack) -> None:
        from aiortc.mediastreams import MediaStreamError

        media = media_module()
        resampler = media.new_resampler() if track.kind == "audio" else None
        emit, call_id = self.manager.emit, self.call_id
        try:
            while True:
                frame = await track.recv()
                if f"first_{track.kind}" not in self.timings:
                    self.timings[f"first_{track.kind}"] = time.monotonic()
                    if not self.view.media:
                        self.manager.media_arrived(self)
                if resampler is None:
                    self.remote.offer(frame)  # type: ignore[arg-type]
                else:
                    emit(CallAudio(call_id, media.pcm_mono(frame, resampler)))
        except MediaStreamError:
            return

    async def _on_peer_state(self) -> None:
        pc = self.pc
        if pc is None or self.closing:
            return
        self.view.peer_state = pc.connectionState
        self.manager.emit(CallChanged(self.view, "peer"))
        if pc.connectionState in ("failed", "closed"):  # the network failed, or the buyer's side closed
            logger.info("call %s: peer connection %s", self.call_id, pc.connectionState)
            self.manager.spawn(self.manager.peer_lost(self.call_id))

    # closing ----------------------------------------------------------------------------------------

    async def close(self) -> None:
        """Release everything (once; later calls wait for the first to finish)."""
        if self._close_task is None:
            self._close_task = asyncio.get_running_loop().create_task(self._close(), name="kefu-call-close")
        await asyncio.shield(self._close_task)

    async def _close(self) -> None:
        run, self.run_task = self.run_task, None
        if run is not None:
            run.cancel()
            await asyncio.gather(run, return_exceptions=True)
        for track in (self.mic, self.video):
            if track is not None:
                track.stop()
        pc, self.pc = self.pc, None
        if pc is not None:
            try:
                # Bounded: when the buyer's side closed first, aiortc closes in a task of its own and
                # pc.close() waits for that one; should it be cancelled, it would wait for ever.
                await asyncio.wait_for(pc.close(), PC_CLOSE_TIMEOUT_S)
            except TimeoutError:
                logger.warning("call %s: the peer connection did not close in time", self.call_id)
            except Exception:
                logger.exception("call %s: closing the peer connection failed", self.call_id)
            pc.remove_all_listeners()
        tasks = list(self.tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self.tasks.clear()
        await self.remote.close()
        await self.local.close()
        self.mic = self.video = self.camera = self._sending = None
        while not self.inbox.empty():
            self.inbox.get_nowait()
        self.view.peer_state = "closed"


class CallManager:
    """Every video call of one agent, and every peer connection: created here, closed here."""

    def __init__(self, request: Requester, emit: Callable[[Event], None], user_id: str,
                 clips: list[Path] | None = None, online: Callable[[], Awaitable[Any]] | None = None) -> None:
        self.request = request
        self._online = online
        """Waits until requests can be sent (frames about calls come during a resume, before that)."""
        self.emit = emit
        self.user_id = user_id
        self.clips = {p.stem: p for p in (clip_paths() if clips is None else clips)}
        self.default_source = "pattern"
        """The video a new call starts with (the UI sets "camera" when there is one)."""
        self.calls: dict[str, Call] = {}
        self.peer_connections: weakref.WeakSet[RTCPeerConnection] = weakref.WeakSet()
        """Every peer connection made and not yet collected (tests check that all are closed)."""
        self._ended: OrderedDict[str, None] = OrderedDict()
        self._mine: set[str] = set()
        """Calls invited from this workstation: only these get a peer connection here. The relay gives
        the media to the connection that invited; the same agent on another computer only sees them."""
        self._tasks: set[asyncio.Task[Any]] = set()
        self._closed = False

    # reading ----------------------------------------------------------------------------------------

    async def warm_up(self) -> None:
        """Import the media stack (aiortc, av, numpy) in a thread, so the first call does not stall the UI."""
        await asyncio.to_thread(media_module)

    def sources(self) -> list[str]:
        """The video sources this workstation can send (the UI adds "camera" when it has one, and
        `windows()` the windows that could be shared)."""
        return ["pattern", *(f"clip:{name}" for name in self.clips), *(["screen"] if screen_available() else [])]

    async def windows(self) -> list[tuple[str, str]]:
        """The windows that can be shared, as (source key "window:<id>", title); asked in a thread (X11)."""
        if not screen_available():
            return []
        from app.x11 import list_windows

        found = await asyncio.to_thread(list_windows)
        return [(f"window:{w.window_id}", w.title) for w in found]

    def call(self, call_id: str) -> Call | None:
        return self.calls.get(call_id)

    def for_conversation(self, conversation_id: int) -> CallView | None:
        """The conversation's call that is not over, if any."""
        return next((c.view for c in self.calls.values()
                     if c.view.conversation_id == conversation_id and not c.view.over), None)

    def frame(self, call_id: str, side: CallSide) -> VideoImage | None:
        """The latest picture of the buyer ("remote") or of what the agent sends ("local")."""
        call = self.calls.get(call_id)
        if call is None:
            return None
        return (call.remote if side == "remote" else call.local).image

    # requests ---------------------------------------------------------------------------------------

    async def check(self, conversation_id: int) -> f.CallAllowed:
        """May the agent invite this conversation's buyer now? (`allowed`, else `code` says why)."""
        reply = await self.request(f.CheckCall, conversation_id=conversation_id)
        assert isinstance(reply, f.CallAllowed)
        return reply

    async def invite(self, conversation_id: int, reason: str = "", audio_only: bool = False) -> CallView:
        """Invite the buyer (a card in the chat); the call is `invited` until the buyer answers.
        `audio_only`: a voice call (the card says so, and the buyer's side joins without video)."""
        reply = await self.request(f.InviteCall, conversation_id=conversation_id, reason=reason[:60],
                                   audio_only=audio_only)
        assert isinstance(reply, f.CallUpdate)
        self._mine.add(reply.call.call_id)
        self.on_info(reply.call)
        call = self.calls.get(reply.call.call_id)
        return call.view if call is not None else CallView(reply.call)

    async def hang_up(self, call_id: str) -> None:
        """End the call (or withdraw the invitation): media stops at once, then the relay is told."""
        call = self.calls.get(call_id)
        if call is None or call.view.over:
            return
        await call.close()
        try:
            reply = await self.request(f.HangUp, call_id=call_id)
        except KefuError as exc:  # offline, or it ended meanwhile: it is over here whatever the relay says
            logger.info("call %s: hang-up not confirmed (%s)", call_id, exc)
            state = "cancelled" if call.view.state == "invited" else "ended"
            self.on_info(msgspec.structs.replace(call.view.info, state=state, ended_by="agent"))
        else:
            if isinstance(reply, f.CallUpdate):
                self.on_info(reply.call)

    def hang_up_soon(self, call_id: str) -> None:
        """`hang_up` in a task this manager owns (for a UI slot, which must not await)."""
        if not self._closed and call_id in self.calls:
            self.spawn(self.hang_up(call_id))

    async def ice_servers(self) -> list[RTCIceServer]:
        """The relay's STUN/TURN servers; none (host candidates only) when it has none or cannot say."""
        try:
            reply = await self.request(f.GetIceServers)
        except KefuError as exc:
            logger.info("no ICE servers from the relay (%s): host candidates only", exc)
            return []
        from aiortc import RTCIceServer

        assert isinstance(reply, f.IceServers)
        return [RTCIceServer(urls=s.urls, username=s.username, credential=s.credential) for s in reply.servers]

    def set_source(self, call_id: str, source: str) -> None:
        """Send another video in this call ("pattern", "clip:<name>", "screen", "camera")."""
        call = self.calls.get(call_id)
        if call is None or call.closing:
            return
        call.set_source(source)
        self.emit(CallChanged(call.view, "source"))

    def set_muted(self, call_id: str, muted: bool) -> None:
        call = self.calls.get(call_id)
        if call is None:
            return
        call.view.muted = muted
        if call.mic is not None:
            call.mic.muted = muted
        self.emit(CallChanged(call.view, "muted"))

    def push_video(self, call_id: str, rgb: Any) -> None:
        """A camera picture from the UI, (height, width, 3) uint8 RGB; sent when the source is "camera"."""
        call = self.calls.get(call_id)
        if call is not None and call.camera is not None:
            call.camera.push(rgb)

    def push_audio(self, call_id: str, pcm: bytes) -> None:
        """Microphone PCM from the UI, s16le mono 48 kHz."""
        call = self.calls.get(call_id)
        if call is not None and call.mic is not None:
            call.mic.push(pcm)

    # the relay's frames -----------------------------------------------------------------------------

    def on_frame(self, frame: f.ServerFrame) -> None:
        """A call frame pushed by the relay (`call`, `call_signal`, `call_notice`)."""
        if self._closed:
            return
        if isinstance(frame, f.CallUpdate):
            self.on_info(frame.call)
        elif isinstance(frame, f.RelayedSignal):
            call = self.calls.get(frame.call_id)
            if call is not None and not call.closing:
                call.inbox.put_nowait(frame)
        elif isinstance(frame, f.CallNotice):
            call = self.calls.get(frame.call_id)
            if call is not None:
                call.view.remaining_s = frame.remaining_s
                self.emit(CallEnding(frame.call_id, frame.remaining_s))
                self.emit(CallChanged(call.view, "notice"))

    def on_info(self, info: f.CallInfo) -> None:
        """The relay's record of a call changed (or answers a request of ours)."""
        if info.agent_id != self.user_id or self._closed:
            return  # a colleague's call, seen as a supervisor
        call = self.calls.get(info.call_id)
        if call is None:
            if info.state in OVER:
                return
            if info.call_id in self._ended:  # ended here, and the relay did not hear it
                self.spawn(self._hang_up_unknown(info.call_id))
                return
            if info.call_id not in self._mine:
                # Invited from another computer, or from this one before it restarted: no media here.
                # The relay ends it once the connection that owns it is gone.
                return
            call = self.calls[info.call_id] = Call(self, info)
        elif info.state not in OVER and _RANK[info.state] < _RANK.get(call.view.state, 3):
            return  # older news than what we know
        call.view.info = info
        if info.state == "accepted":
            call.start()
        self.emit(CallChanged(call.view, info.state))
        if info.state in OVER:
            self.spawn(self._finish(call))

    def relinked(self) -> None:
        """The link to the relay is back: say that our calls still run here (the relay gives a call's
        media to the connection that speaks for it, and ends it if none does within its grace)."""
        for call in list(self.calls.values()):
            if not call.view.over and not call.closing and (call.view.media or call.view.state == "connected"):
                self.spawn(self._tell_media(call.call_id))

    def media_arrived(self, call: Call) -> None:
        call.view.media = True
        self.emit(CallChanged(call.view, "media"))
        self.spawn(self._tell_media(call.call_id))

    async def _tell_media(self, call_id: str) -> None:
        try:
            await self.request(f.CallMedia, call_id=call_id)
        except KefuError as exc:
            logger.info("call %s: call_media not delivered (%s)", call_id, exc)

    async def peer_lost(self, call_id: str) -> None:
        """The peer connection closed or failed under us: stop the media now; end the call unless the
        relay says it ended within a moment (a buyer who hangs up closes the connection first, and the
        record must say who ended the call)."""
        call = self.calls.get(call_id)
        if call is None:
            return
        await call.close()
        await asyncio.sleep(PEER_LOST_GRACE_S)
        if self.calls.get(call_id) is call and not call.view.over:
            await self.hang_up(call_id)

    async def _hang_up_unknown(self, call_id: str) -> None:
        try:
            if self._online is not None:
                await asyncio.wait_for(self._online(), HANGUP_TIMEOUT_S * 5)
            await self.request(f.HangUp, call_id=call_id)
        except (KefuError, TimeoutError) as exc:
            logger.info("call %s: hang-up not delivered (%s)", call_id, exc)

    async def _finish(self, call: Call) -> None:
        await call.close()
        if self.calls.get(call.call_id) is call:
            del self.calls[call.call_id]
        self._ended[call.call_id] = None
        while len(self._ended) > ENDED_MEMORY:
            self._ended.popitem(last=False)
        self.emit(CallChanged(call.view, "released"))

    # life cycle -------------------------------------------------------------------------------------

    def spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        """End every call (telling the relay, briefly) and release every peer connection."""
        calls = list(self.calls.values())
        await asyncio.gather(*(self._end_for_close(call) for call in calls), return_exceptions=True)
        self._closed = True
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for call in calls:
            await call.close()
        self.calls.clear()

    async def _end_for_close(self, call: Call) -> None:
        try:
            await asyncio.wait_for(self.hang_up(call.call_id), HANGUP_TIMEOUT_S)
        except TimeoutError:
            logger.info("call %s: the relay did not confirm the hang-up in time", call.call_id)
        await call.close()


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False  # a hostname (mDNS): not loopback
