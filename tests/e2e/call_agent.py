"""The agent's end of the buyer page's call tests: the workstation's own `CallManager` (app/calls.py)
over a `KefuClient`, without the rest of the desk.

`CallAgent` hands the relay's pushed call frames to the manager (as `DeskService` does), keeps the
latest state of every call, the manager's events, and each call's peer connection once it exists,
so a test can look at it after the manager released the call.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

from aiortc import RTCPeerConnection

from app.calls import Call, CallManager
from app.client import KefuClient
from app.events import CallAudio, CallChanged, CallEnding, Event
from wire import frames as f


class CallAgent(KefuClient):
    """An agent's connection with the workstation's call manager on it."""

    def __init__(self, base_url: str, token: str) -> None:
        super().__init__(base_url, token)
        self.manager: CallManager | None = None
        self.calls: dict[str, f.CallInfo] = {}
        self.endings: list[CallEnding] = []
        self.audio: dict[str, int] = {}
        """CallAudio events (about 20 ms of the buyer's voice each) per call."""
        self.peers: dict[str, RTCPeerConnection] = {}
        self.seen: dict[str, Call] = {}
        self._changed = asyncio.Event()

    async def connect(self) -> f.Synced:
        synced = await super().connect()
        if self.manager is None:
            assert self.session is not None
            self.manager = CallManager(self.call, self._on_event, self.session.user_id, clips=[])
        return synced

    def _dispatch(self, frame: f.ServerFrame) -> None:
        if isinstance(frame, f.CallUpdate):
            self._note(frame.call)
        if isinstance(frame, f.CallUpdate | f.RelayedSignal | f.CallNotice) and getattr(frame, "id", None) is None:
            assert self.manager is not None
            self.manager.on_frame(frame)
            self._changed.set()
            if not isinstance(frame, f.CallUpdate):
                return
        super()._dispatch(frame)

    def _note(self, info: f.CallInfo) -> None:
        self.calls[info.call_id] = info

    def _on_event(self, event: Event) -> None:
        if isinstance(event, CallChanged):
            self._note(event.call.info)
            call = self.manager.call(event.call.call_id) if self.manager is not None else None
            if call is not None:
                self.seen[call.call_id] = call
                if call.pc is not None:
                    self.peers[call.call_id] = call.pc
        elif isinstance(event, CallAudio):
            self.audio[event.call_id] = self.audio.get(event.call_id, 0) + 1
        elif isinstance(event, CallEnding):
            self.endings.append(event)
        self._changed.set()

    # what the tests look at ---------------------------------------------------------------------

    def video_frames(self, call_id: str) -> int:
        """Video frames received from the buyer so far."""
        call = self.seen.get(call_id)
        return call.remote.frames if call is not None else 0

    def video_size(self, call_id: str) -> tuple[int, int] | None:
        call = self.seen.get(call_id)
        image = call.remote.image if call is not None else None
        return (image.width, image.height) if image is not None else None

    def peer(self, call_id: str) -> RTCPeerConnection:
        call = self.seen.get(call_id)
        if call is not None and call.pc is not None:
            self.peers[call_id] = call.pc
        return self.peers[call_id]

    def local_fingerprint(self, call_id: str, algorithm: str = "sha-256") -> str:
        """The agent's DTLS certificate fingerprint, upper-case hex pairs with colons."""
        dtls = self.peer(call_id).getTransceivers()[0].sender.transport
        for fp in dtls.getLocalParameters().fingerprints:
            if fp.algorithm == algorithm:
                return str(fp.value).upper()
        raise AssertionError(f"no {algorithm} fingerprint")

    def dtls_state(self, call_id: str) -> str:
        return str(self.peer(call_id).getTransceivers()[0].sender.transport.state)

    async def until(self, predicate: Callable[[], Any], timeout: float = 10.0, what: str = "") -> Any:
        """Wait until `predicate()` is truthy (checked at every call event, and every 0.1 s)."""
        try:
            async with asyncio.timeout(timeout):
                while not (result := predicate()):
                    self._changed.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._changed.wait(), 0.1)
        except TimeoutError:
            raise AssertionError(f"agent: not within {timeout} s: {what or predicate}") from None
        return result

    async def state(self, call_id: str, *states: str, timeout: float = 10.0) -> f.CallInfo:
        info: f.CallInfo = await self.until(
            lambda: (c := self.calls.get(call_id)) is not None and c.state in states and c, timeout,
            f"call {call_id} {'/'.join(states)}")
        return info

    # what the agent does --------------------------------------------------------------------------

    async def invite(self, conversation_id: int, reason: str = "演示安装步骤") -> f.CallInfo:
        assert self.manager is not None
        view = await self.manager.invite(conversation_id, reason)
        self._note(view.info)
        return view.info

    async def hang_up(self, call_id: str) -> None:
        assert self.manager is not None
        self.peer(call_id)  # keep it, to look at it once released
        await self.manager.hang_up(call_id)

    async def close(self) -> None:
        if self.manager is not None:
            await self.manager.close()
        await super().close()
