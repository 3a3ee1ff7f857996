"""What the desktop core tells its listeners (the Qt bridge, tests). Plain frozen dataclasses.

Events are delivered synchronously, on the event loop's thread, in the order things happened.
A listener must be quick (the bridge only re-emits them as Qt signals).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from app.errors import KefuError, RelayError
from app.history import LocalMessage
from wire import figures as w
from wire import frames as f

if TYPE_CHECKING:
    import numpy as np

logger = logging.getLogger(__name__)

ConnectionStatus = Literal["connecting", "online", "offline"]
SlaLevel = Literal["none", "warning", "overdue"]


@dataclass(slots=True)
class ConversationView:
    """One conversation as the workstation shows it in its queue panel."""

    info: f.ConversationInfo
    last_text: str = ""
    last_ts: int = 0
    last_kind: str = ""
    unread: int = 0
    sla: SlaLevel = "none"
    note: str = ""
    """The transfer note the previous agent left, if any."""
    active: bool = True
    """False once the chat left this agent (transferred away, resolved, closed)."""

    @property
    def conversation_id(self) -> int:
        return self.info.conversation_id


@dataclass(frozen=True, slots=True)
class ConnectionChanged:
    """The link's state: connecting, online, or offline (then retried in `retry_in` seconds, unless the
    session ended). `detail` is the core's English, for logs."""

    status: ConnectionStatus
    detail: str = ""
    retry_in: float | None = None
    error: KefuError | None = None
    """What keeps the workstation from even starting to talk to the relay, while it lasts: the relay's
    certificate failed verification (`CertificateRejected`) or the CA file cannot be used (`CaFileUnusable`).
    Set from the refused attempt on, through the next ones ("connecting" included), until one connects or
    fails for another reason; None for a network blip. The UI words it in the agent's language."""


@dataclass(frozen=True, slots=True)
class SessionEnded:
    """The token is no longer valid (logged out elsewhere, expired, revoked): log in again."""

    reason: str


@dataclass(frozen=True, slots=True)
class ConversationChanged:
    conversation: ConversationView
    reason: str = ""
    """What happened: "synced", "message", "auto", "claim", "transfer", "reassign", "requeued", "resolved"..."""


@dataclass(frozen=True, slots=True)
class MessagesAdded:
    """Messages stored by the relay and new to this workstation, ascending."""

    conversation_id: int
    messages: list[LocalMessage]


@dataclass(frozen=True, slots=True)
class MessageUpdated:
    """An outgoing message changed state (sending → sent with its seq, or failed); keyed by client_msg_id."""

    conversation_id: int
    message: LocalMessage


@dataclass(frozen=True, slots=True)
class ReadByBuyer:
    conversation_id: int
    read_seq: int


@dataclass(frozen=True, slots=True)
class QueueChanged:
    entries: list[f.QueueEntry]
    total: int
    mode: str


@dataclass(frozen=True, slots=True)
class AgentsChanged:
    agents: list[f.AgentInfo]


@dataclass(frozen=True, slots=True)
class CaseChanged:
    conversation_id: int
    case: f.CaseInfo


@dataclass(frozen=True, slots=True)
class Attention:
    """Something the agent should notice now (a desktop notification, a sound). Supervisors also get
    "rate_low" (today's 3-minute reply rate fell below the bar: `detail` is the rate, conversation 0),
    "chat_overdue" (a chat of the shop passed 180 s without a reply) and "complaint"."""

    kind: Literal["new_chat", "sla_warning", "sla_overdue", "rate_low", "chat_overdue", "complaint"]
    conversation_id: int
    buyer_name: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Notice:
    """A refusal to show the agent: a send the relay refused for good, or an error frame it sent
    unprompted. The core words nothing: the UI says it in the agent's language from the error's
    `code`, `reason` and `retry_after` (its `message` is the relay's English, for logs)."""

    error: RelayError

    @property
    def code(self) -> str:
        """The protocol's error code (`wire.errors.ErrorCode`, or one this version does not know)."""
        return str(self.error.code)


CallSide = Literal["remote", "local"]


@dataclass(frozen=True, slots=True)
class VideoImage:
    """A picture of a call ready to paint: `rgb` is (height, width, 3) uint8, C-contiguous; `serial` counts up."""

    rgb: np.ndarray[Any, np.dtype[np.uint8]]
    serial: int

    @property
    def width(self) -> int:
        return int(self.rgb.shape[1])

    @property
    def height(self) -> int:
        return int(self.rgb.shape[0])


@dataclass(slots=True)
class CallView:
    """One of the agent's video calls as the workstation shows it: the relay's record of it and what
    this workstation knows of its media."""

    info: f.CallInfo
    source: str = "pattern"
    """The video the agent sends: "pattern", "clip:<name>", "screen", "window:<id>" or "camera"."""
    source_failed: str | None = None
    """The source that stopped working while it was chosen (a window closed, a clip that cannot be read,
    the screen grab failed): the test pattern is sent instead, and `source` says "pattern". Cleared
    when the agent chooses a source again. Announced by a CallChanged with reason "source_failed"."""
    muted: bool = False
    media: bool = False
    """Media from the buyer has arrived."""
    peer_state: str = "new"
    """The peer connection's state: new, connecting, connected, failed, closed."""
    remaining_s: int | None = None
    """Set by the relay's warning: the call will be ended at the shop's limit in this many seconds."""

    @property
    def call_id(self) -> str:
        return self.info.call_id

    @property
    def conversation_id(self) -> int:
        return self.info.conversation_id

    @property
    def state(self) -> str:
        return self.info.state

    @property
    def over(self) -> bool:
        return self.info.state in ("declined", "expired", "ended", "cancelled")


@dataclass(frozen=True, slots=True)
class CallChanged:
    """A call changed: its state on the relay, its media, its source or mute; `reason` says which:
    the relay's state ("invited", "accepted", "connected", "declined", "expired", "ended", "cancelled"),
    "media", "peer", "notice", "source", "source_failed" (see `CallView.source_failed`), "muted",
    "released"."""

    call: CallView
    reason: str = ""


@dataclass(frozen=True, slots=True)
class CallFrame:
    """A new picture of a call is ready: pull it with `CallManager.frame(call_id, side)`."""

    call_id: str
    side: CallSide


@dataclass(frozen=True, slots=True)
class CallAudio:
    """The buyer's voice: s16le mono 48 kHz PCM, about 20 ms per event."""

    call_id: str
    pcm: bytes


@dataclass(frozen=True, slots=True)
class CallEnding:
    """The relay will end the call at the shop's duration limit in `remaining_s` seconds."""

    call_id: str
    remaining_s: int


@dataclass(frozen=True, slots=True)
class FiguresChanged:
    """Supervisors: the relay pushed today's figures and the queue now (at most once a second)."""

    update: f.FiguresUpdate


@dataclass(frozen=True, slots=True)
class ComplaintChanged:
    """Supervisors: a buyer complained about a call (`new`), or a complaint's handling changed."""

    complaint: w.ComplaintInfo
    new: bool


@dataclass(frozen=True, slots=True)
class NoteAdded:
    """Staff: a note or whisper on a conversation was stored by the relay (ours or another's)."""

    note: f.NoteInfo


Event = (
    ConnectionChanged | SessionEnded | ConversationChanged | MessagesAdded | MessageUpdated | ReadByBuyer
    | QueueChanged | AgentsChanged | CaseChanged | Attention | Notice | CallChanged | CallFrame | CallAudio
    | CallEnding | FiguresChanged | ComplaintChanged | NoteAdded
)
Listener = Callable[[Event], None]


@dataclass
class EventBus:
    """Fan-out of core events to listeners; a failing listener is logged, never breaks the core."""

    listeners: list[Listener] = field(default_factory=list)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self.listeners.append(listener)
        return lambda: self.listeners.remove(listener) if listener in self.listeners else None

    def emit(self, event: Event) -> None:
        for listener in list(self.listeners):
            try:
                listener(event)
            except Exception:
                logger.exception("event listener failed on %s", type(event).__name__)

async def until_changed(changed: asyncio.Event, predicate: Callable[[], Any], what: str, timeout: float) -> Any:
    """Re-check `predicate` each time `changed` is set, until it holds; AssertionError after `timeout`."""
    try:
        async with asyncio.timeout(timeout):
            while not (value := predicate()):
                changed.clear()
                await changed.wait()
            return value
    except TimeoutError:
        raise AssertionError(f"timed out after {timeout} s waiting for {what}") from None
