"""The staff-only side of the open conversation: its notes and whispers shown in place in the chat,
and new internal notes stored through `app.notes.Notes` (never through the message outbox).

`ChatNotes` belongs to the conversation panel: it fills the panel's `ChatModel` with the notes of
the conversation shown (the kept ones at once, the relay's once per conversation), adds the ones
pushed while it is open (`DeskBridge.note_added`), and stores what the agent writes in the
composer's note mode.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject

from app.events import NoteAdded
from app.notes import Notes
from ui.chat_view import ChatModel
from ui.tasks import Tasks
from wire import frames as f

logger = logging.getLogger(__name__)


class ChatNotes(QObject):
    """Notes and whispers of the conversation a `ChatModel` shows."""

    def __init__(self, notes: Notes, model: ChatModel, tasks: Tasks, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.notes = notes
        self.model = model
        self.tasks = tasks

    def load(self, conversation_id: int) -> None:
        """Show the conversation's notes (after its messages are in the model)."""

        async def load() -> None:
            known = await self.notes.of(conversation_id)
            if self.model.conversation_id == conversation_id:
                self.model.add_notes(known)

        self.tasks.run(load())

    def on_note_added(self, event: NoteAdded) -> None:
        if event.note.conversation_id == self.model.conversation_id:
            self.model.add_notes([event.note])

    def add(self, conversation_id: int, text: str, kind: f.NoteKind = "note",
            put_back: Callable[[str], None] | None = None) -> None:
        """Store a note (or, for supervisors, a whisper to the chat's agent); shown once the relay has it.
        Refused or not sent (offline, too long...): `put_back` gets the text again, the error is shown."""

        async def add() -> None:
            try:
                note = await self.notes.add(conversation_id, text, kind)
            except Exception:
                if put_back is not None:
                    put_back(text)
                raise
            if self.model.conversation_id == conversation_id:
                self.model.add_notes([note])

        self.tasks.run(add())
