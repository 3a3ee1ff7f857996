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
import logging
import weakref
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from app.call_peer import CLIPS_DIR as CLIPS_DIR
from app.call_peer import Call as Call
from app.call_peer import clip_paths as clip_paths
from app.call_peer import loopback_only as loopback_only
from app.call_peer import media_module, screen_available
from app.errors import KefuError
from app.events import CallChanged, CallEnding, CallSide, CallView, Event, VideoImage
from wire import frames as f

if TYPE_CHECKING:  # aiortc, av and numpy cost a quarter of a second to import: only once a call needs them
    from aiortc import RTCIceServer, RTCPeerConnection


logger = logging.getLogger(__name__)

Requester = Callable[..., Awaitable[f.ServerFrame]]
"""`await request(FrameType, **fields)`: send a request to the relay, get its answer (raises KefuError)."""

OVER = frozenset({"declined", "expired", "ended", "cancelled"})
_RANK = {"invited": 0, "accepted": 1, "connected": 2}
HANGUP_TIMEOUT_S = 2.0
"""How long closing waits for the relay to confirm each hang-up."""
PEER_LOST_GRACE_S = 3.0
"""After the peer connection closed under us, how long the relay has to tell us the buyer hung up."""
ENDED_MEMORY = 64
"""How many ended call ids are remembered, to recognise late frames about them."""


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


