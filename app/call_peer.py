"""One call's peer connection on the agent's side (`Call`), and what it needs of the machine:
the product clips, whether the screen can be shared, aiortc's media imported on first use, and
ICE kept on loopback for tests and benchmarks. `app.calls.CallManager` owns every `Call`.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from app.errors import KefuError, SourceUnavailable
from app.events import CallAudio, CallChanged, CallFrame, CallView
from wire import frames as f

if TYPE_CHECKING:  # aiortc, av and numpy cost a quarter of a second to import: only once a call needs them
    from aiortc import MediaStreamTrack, RTCPeerConnection

    from app.calls import CallManager
    from app.media import LatestFrame, MicrophoneTrack, OutgoingVideo, PushedVideoTrack

logger = logging.getLogger(__name__)

PC_CLOSE_TIMEOUT_S = 2.0
"""Longest wait for a peer connection to close (it takes milliseconds)."""


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


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False  # a hostname (mDNS): not loopback
