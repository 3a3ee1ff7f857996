"""The thin QObject bridge: the core's events re-emitted as Qt signals, on the GUI thread.

The core (`app.services.DeskService`) runs on the same asyncio loop as Qt (qasync), so events
arrive on the GUI thread already; the bridge only gives each kind its own signal, so widgets
connect to what they show and nothing else.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app import events as ev
from app.notes import Notes
from app.services import DeskService
from app.supervision import Supervision


class DeskBridge(QObject):
    """Signals named for what happened; the service itself for commands."""

    connection_changed = Signal(object)  # ev.ConnectionChanged
    session_ended = Signal(str)
    conversation_changed = Signal(object)  # ev.ConversationChanged
    messages_added = Signal(object)  # ev.MessagesAdded
    message_updated = Signal(object)  # ev.MessageUpdated
    read_by_buyer = Signal(object)  # ev.ReadByBuyer
    queue_changed = Signal(object)  # ev.QueueChanged
    agents_changed = Signal(object)  # ev.AgentsChanged
    case_changed = Signal(object)  # ev.CaseChanged
    attention = Signal(object)  # ev.Attention
    notice = Signal(object)  # ev.Notice
    call_changed = Signal(object)  # ev.CallChanged
    call_frame = Signal(str, str)  # call id, "remote" or "local": pull it with service.calls.frame()
    call_audio = Signal(str, bytes)  # call id, s16le mono 48 kHz PCM from the buyer
    call_ending = Signal(object)  # ev.CallEnding
    figures_changed = Signal(object)  # ev.FiguresChanged (supervisors)
    complaint_changed = Signal(object)  # ev.ComplaintChanged (supervisors)
    note_added = Signal(object)  # ev.NoteAdded (staff notes and whispers)

    def __init__(self, service: DeskService, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.notes = Notes(service)
        """Staff notes and whispers (every staff member)."""
        self.supervision = Supervision(service) if service.session.role == "supervisor" else None
        """The supervisor's tools; None for an agent (who never sees the supervisor's workspace)."""
        self._unsubscribe = service.events.subscribe(self._on_event)

    def detach(self) -> None:
        self._unsubscribe()

    def _on_event(self, event: ev.Event) -> None:
        if isinstance(event, ev.ConnectionChanged):
            self.connection_changed.emit(event)
        elif isinstance(event, ev.SessionEnded):
            self.session_ended.emit(event.reason)
        elif isinstance(event, ev.ConversationChanged):
            self.conversation_changed.emit(event)
        elif isinstance(event, ev.MessagesAdded):
            self.messages_added.emit(event)
        elif isinstance(event, ev.MessageUpdated):
            self.message_updated.emit(event)
        elif isinstance(event, ev.ReadByBuyer):
            self.read_by_buyer.emit(event)
        elif isinstance(event, ev.QueueChanged):
            self.queue_changed.emit(event)
        elif isinstance(event, ev.AgentsChanged):
            self.agents_changed.emit(event)
        elif isinstance(event, ev.CaseChanged):
            self.case_changed.emit(event)
        elif isinstance(event, ev.Attention):
            self.attention.emit(event)
        elif isinstance(event, ev.Notice):
            self.notice.emit(event)
        elif isinstance(event, ev.CallFrame):
            self.call_frame.emit(event.call_id, event.side)
        elif isinstance(event, ev.CallAudio):
            self.call_audio.emit(event.call_id, event.pcm)
        elif isinstance(event, ev.CallChanged):
            self.call_changed.emit(event)
        elif isinstance(event, ev.CallEnding):
            self.call_ending.emit(event)
        elif isinstance(event, ev.FiguresChanged):
            self.figures_changed.emit(event)
        elif isinstance(event, ev.ComplaintChanged):
            self.complaint_changed.emit(event)
        elif isinstance(event, ev.NoteAdded):
            self.note_added.emit(event)
