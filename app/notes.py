"""Internal notes and whispers (docs/protocol.md section 13), for every staff member.

A note is written by any staff member on any conversation of the shop; a whisper by a supervisor to
the agent holding the chat. Both are shown in the conversation as staff-only lines, after the
message they followed (`after_seq`), and kept in the local history so the search finds them
offline. Neither is a message: they never enter the outbox, and the relay never sends them to a
buyer.
"""

from __future__ import annotations

import uuid

from app.events import NoteAdded
from app.services import DeskService
from wire import frames as f


class Notes:
    """The staff notes one `DeskService` sees: pushed by the relay, fetched per conversation, kept."""

    def __init__(self, desk: DeskService) -> None:
        self.desk = desk
        self.by_conversation: dict[int, dict[int, f.NoteInfo]] = {}
        self._fetched: set[int] = set()
        desk.frame_listeners.append(self._on_frame)

    def _on_frame(self, frame: f.ServerFrame) -> None:
        if isinstance(frame, f.StaffNote):
            self._keep([frame.note])

    def _keep(self, notes: list[f.NoteInfo]) -> None:
        fresh = [n for n in notes if n.note_id not in self.by_conversation.setdefault(n.conversation_id, {})]
        for note in fresh:
            self.by_conversation[note.conversation_id][note.note_id] = note
        if fresh:
            self.desk.spawn(self._save_then_tell(fresh))

    async def _save_then_tell(self, fresh: list[f.NoteInfo]) -> None:
        """Told once kept: whoever reacts to a NoteAdded (the chat view, a search) finds it stored."""
        try:
            await self.desk.history.save_notes(fresh)
        finally:
            for note in fresh:
                self.desk.events.emit(NoteAdded(note))

    async def add(self, conversation_id: int, text: str, kind: f.NoteKind = "note") -> f.NoteInfo:
        """Store a note (any staff) or a whisper to the chat's agent (supervisors); RelayError if refused."""
        answer = await self.desk.request(f.AddNote, conversation_id=conversation_id, text=text, kind=kind,
                                         client_msg_id=uuid.uuid4().hex)
        assert isinstance(answer, f.StaffNote)
        self._keep([answer.note])
        return answer.note

    async def of(self, conversation_id: int) -> list[f.NoteInfo]:
        """A conversation's notes and whispers, oldest first: the kept ones at once offline, the relay's
        once per conversation (paged), then the pushes keep them current."""
        known = self.by_conversation.setdefault(conversation_id, {})
        for note in await self.desk.history.notes(conversation_id):
            known.setdefault(note.note_id, note)
        if conversation_id not in self._fetched and self.desk.link.online.is_set():
            after = 0  # from the start once: a note pushed earlier may have overtaken older ones
            while True:
                page = await self.desk.request(f.ListNotes, conversation_id=conversation_id, after_id=after)
                assert isinstance(page, f.NoteList)
                self._keep(page.notes)
                if not page.has_more or not page.notes:
                    break
                after = page.notes[-1].note_id
            self._fetched.add(conversation_id)
        return sorted(known.values(), key=lambda n: n.note_id)
