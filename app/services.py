"""What the workstation's UI calls: one logged-in agent's desk, on plain asyncio (no Qt here).

`DeskService` ties the relay link, the local history and the outbox together and keeps the state
the panels show (conversations with unread counts and SLA levels, the shop's queue, the agents).
Everything it learns it announces on its `EventBus`; the Qt bridge turns those into signals.

Outgoing messages go through the outbox: stored in the local database *before* they are sent,
sent one at a time in order by one task, removed when the relay's ack (or the message itself,
after a resume) shows it is stored. The client message id is chosen once, at typing time, so a
resend after a crash or a dropped connection is stored once by the relay.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import msgspec

from app.calls import CallManager
from app.client import KefuClient
from app.client import logout as relay_logout
from app.config import DeskConfig
from app.errors import ConnectionLost, KefuError, RelayError
from app.events import (
    AgentsChanged,
    Attention,
    CaseChanged,
    ConnectionChanged,
    ConversationChanged,
    ConversationView,
    EventBus,
    MessagesAdded,
    MessageUpdated,
    Notice,
    QueueChanged,
    ReadByBuyer,
    SessionEnded,
)
from app.history import History, LocalMessage, SearchHit
from app.link import Link
from app.outbox import OutboxSending
from wire import frames as f
from wire.matching import template_matches

logger = logging.getLogger(__name__)

PAGE = 50
CONTEXT_TTL_S = 30.0
ACTIVE_STATUSES = ("queued", "assigned")


class DeskService(OutboxSending):
    """One agent's (or supervisor's) session with the relay."""

    def __init__(self, config: DeskConfig, client: KefuClient, history: History, session: f.SessionInfo) -> None:
        self.config = config
        self.client = client
        self.history = history
        self.session = session
        self.events = EventBus()
        self.conversations: dict[int, ConversationView] = {}
        self.queue = QueueChanged(entries=[], total=0, mode="auto")
        self.agents: list[f.AgentInfo] = []
        self.templates: list[f.Template] = []
        self.my_status: str = "online"
        self.connection: ConnectionChanged = ConnectionChanged("connecting")
        self.focused: int | None = None
        """The conversation the agent is looking at: its messages count as read when they arrive."""
        self._contexts: dict[int, tuple[float, f.ContextInfo]] = {}
        self._outbox: deque[str] = deque()
        self._outbox_wake = asyncio.Event()
        self._outbox_task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._closed = False
        self._seen_offset_ms = -(2**62)
        self.frame_listeners: list[Callable[[f.ServerFrame], None]] = []
        """Parts of the core beside this service (supervision, notes, shop settings) that want the relay's
        pushed frames: each gets every frame but messages, in order, after this service has handled it."""
        self.calls = CallManager(self._request, self.events.emit, session.user_id,
                                 online=lambda: self.link.online.wait())
        """The agent's video calls: invitations, peer connections, media (closed with the service)."""
        self.link = Link(
            client, cursors=self._resume_cursors, on_frames=self._on_frames, on_synced=self._on_synced,
            on_state=self._on_state, on_session_ended=self._on_session_ended, max_backoff=config.reconnect_max_s,
        )

    # life cycle -----------------------------------------------------------------------------

    @classmethod
    async def open(cls, config: DeskConfig, relay_url: str, token: str, session: f.SessionInfo,
                   ca_file: str = "") -> DeskService:
        """Open the account's local history and build the service (not yet connected: call `start`).
        `ca_file`: the custom CA file the login verified an https relay with (`LoggedIn.ca_file`)."""
        assert session.shop is not None, "buyers do not use the workstation"
        path = config.account_dir(relay_url, session.shop, session.user_id) / "history.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        history = History(path)
        await history.open()
        client = KefuClient(relay_url, token, request_timeout=config.request_timeout_s, ca_file=ca_file)
        return cls(config, client, history, session)

    async def start(self) -> None:
        """Show what the local history knows at once, then connect (and keep reconnecting)."""
        for info in await self.history.conversations():
            if info.status in ACTIVE_STATUSES and self._visible(info):
                view = self.conversations[info.conversation_id] = ConversationView(info)
                await self._refresh_summary(view)
        for message in await self.history.outbox():
            if message.state == "sending":
                self._outbox.append(message.client_msg_id)
        self._outbox_task = asyncio.create_task(self._send_outbox(), name="kefu-outbox")
        self.link.start()
        if self.session.role == "agent":
            self.spawn(self._warm_up_calls())

    async def _warm_up_calls(self) -> None:
        """Once connected (not to slow the start), load the video call stack in a thread."""
        await self.link.online.wait()
        await self.calls.warm_up()

    async def close(self) -> None:
        """End the calls, disconnect and close the history; unsent messages stay in the outbox for next time."""
        if self._closed:
            return
        self._closed = True
        await self.calls.close()  # while still connected: the relay hears each hang-up
        await self.link.stop()
        tasks = [t for t in (self._outbox_task, *self._tasks) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.history.close()

    async def logout(self) -> None:
        """Revoke the token on the relay (best effort) and close."""
        try:
            await relay_logout(self.client.base_url, self.client.token, ca_file=self.client.ca_file)
        except (KefuError, OSError) as exc:
            logger.info("logout could not reach the relay: %s", exc)
        await self.close()

    def spawn(self, coro: Any) -> None:
        """Run `coro` in the background until `close`; after it, nothing is started (a window being torn
        down may still report focus changes, with the loop already winding down)."""
        if self._closed:
            coro.close()
            return
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # time -----------------------------------------------------------------------------------

    def relay_now_ms(self) -> int:
        """The relay's clock as best we know it (SLA countdowns are measured on it): ours plus the
        offset from `welcome`, moved forward whenever a frame shows the relay's clock is further on."""
        return int(time.time() * 1000) + max(self.client.server_offset_ms, self._seen_offset_ms)

    def _saw_relay_time(self, ts: int) -> None:
        self._seen_offset_ms = max(self._seen_offset_ms, ts - int(time.time() * 1000))

    # link callbacks -------------------------------------------------------------------------

    async def _resume_cursors(self) -> dict[int, int]:
        """Where to resume: the conversations still open when we last knew, not every conversation
        of the history (which holds years of closed ones; the relay sends those only on request)."""
        known = await self.history.cursors()
        open_ids = {c.conversation_id for c in await self.history.conversations() if c.status in ACTIVE_STATUSES}
        open_ids |= {cid for cid, view in self.conversations.items() if view.active}
        return {cid: seq for cid, seq in known.items() if cid in open_ids}

    def _on_state(self, state: ConnectionChanged) -> None:
        self.connection = state
        self.events.emit(state)
        if state.status == "online":
            self._outbox_wake.set()
            self.calls.relinked()

    def _on_session_ended(self, reason: str) -> None:
        self.events.emit(SessionEnded(reason))

    async def _on_synced(self, synced: f.Synced) -> None:
        await self.history.save_conversations(synced.conversations)
        visible = {c.conversation_id for c in synced.conversations}
        for info in synced.conversations:
            view = self.conversations.get(info.conversation_id)
            if view is None:
                view = self.conversations[info.conversation_id] = ConversationView(info)
            else:
                view.info, view.active = info, True
            if info.unanswered_since is None:
                view.sla = "none"
            await self._refresh_summary(view)
            self.events.emit(ConversationChanged(view, "synced"))
        for cid, view in list(self.conversations.items()):
            if cid not in visible and view.active:
                view.active = False
                self.events.emit(ConversationChanged(view, "gone"))
        for message in await self.history.outbox():
            if message.state == "sending" and message.client_msg_id not in self._outbox:
                self._outbox.append(message.client_msg_id)
        self.spawn(self.refresh_templates())

    async def _on_frames(self, frames: list[f.ServerFrame]) -> None:
        messages = [fr for fr in frames if isinstance(fr, f.Message)]
        if messages:
            await self._store_messages(messages)
        for frame in frames:
            if isinstance(frame, f.Message):
                continue
            if isinstance(frame, f.Assignment):
                await self._on_assignment(frame)
            elif isinstance(frame, f.QueueSnapshot):
                self.queue = QueueChanged(frame.entries, frame.total, frame.mode)
                self.events.emit(self.queue)
            elif isinstance(frame, f.AgentsSnapshot):
                self.agents = frame.agents
                me = next((a for a in frame.agents if a.agent_id == self.session.user_id), None)
                if me is not None:
                    self.my_status = me.status
                self.events.emit(AgentsChanged(frame.agents))
            elif isinstance(frame, f.Sla):
                self._on_sla(frame)
            elif isinstance(frame, f.Receipt):
                self._on_receipt(frame)
            elif isinstance(frame, f.CaseUpdate):
                self._contexts.pop(frame.conversation_id, None)
                self.events.emit(CaseChanged(frame.conversation_id, frame.case))
            elif isinstance(frame, f.CallUpdate | f.RelayedSignal | f.CallNotice):
                self.calls.on_frame(frame)
            elif isinstance(frame, f.Error):
                self.events.emit(Notice(RelayError(frame.code, frame.message, frame.retry_after, frame.reason)))
            for listener in self.frame_listeners:
                try:
                    listener(frame)
                except Exception:
                    logger.exception("a frame listener failed on %s", type(frame).__name__)

    async def _store_messages(self, messages: list[f.Message]) -> None:
        self._saw_relay_time(max(m.ts for m in messages))
        # Our own message can come back from the relay before its ack (the ack was lost with the
        # connection; the resume brings the message): it is the outbox bubble already shown, now
        # stored, so it is announced as an update of that bubble, never as a new one.
        mine = {m.client_msg_id for m in messages if m.sender.kind == "agent" and m.sender.id == self.session.user_id}
        queued = {m.client_msg_id for m in await self.history.outbox()} & mine if mine else set()
        added = await self.history.add_messages(messages)
        by_conv: dict[int, list[LocalMessage]] = {}
        for message in added:
            by_conv.setdefault(message.conversation_id, []).append(message)
        for cid, new in by_conv.items():
            view = self.conversations.get(cid)
            if view is not None:
                _summarise(view, new)
                top = max(m.seq or 0 for m in new)
                if top > view.info.last_seq:
                    view.info = msgspec.structs.replace(view.info, last_seq=top)
                if self.focused == cid:
                    self.spawn(self.mark_read(cid))
                else:
                    view.unread += sum(1 for m in new if m.sender_kind == "buyer"
                                       and (m.seq or 0) > view.info.agent_read_seq)
            for message in new:
                if message.client_msg_id in queued:
                    self.events.emit(MessageUpdated(cid, message))
            fresh = [m for m in new if m.client_msg_id not in queued]
            if fresh:
                self.events.emit(MessagesAdded(cid, fresh))
            if view is not None:
                self.events.emit(ConversationChanged(view, "message"))

    async def _on_assignment(self, frame: f.Assignment) -> None:
        info = frame.conversation
        cid = info.conversation_id
        await self.history.save_conversations([info])
        view = self.conversations.get(cid)
        mine_now = self._visible(info)
        was_mine = view is not None and view.active and view.info.agent_id == self.session.user_id
        if view is None:
            if not mine_now:
                return
            view = ConversationView(info)
            await self._refresh_summary(view)
            # listed only once complete: from here to the alert below nothing awaits (this runs in
            # the frame pump, so no message of the chat can be stored meanwhile)
            self.conversations[cid] = view
        view.info, view.active = info, mine_now
        if not mine_now:
            view.sla = "none"
        if frame.note and info.agent_id == self.session.user_id:
            view.note = frame.note
        self.events.emit(ConversationChanged(view, frame.reason))
        if info.agent_id == self.session.user_id and not was_mine and info.status == "assigned":
            self.events.emit(Attention("new_chat", cid, info.buyer_name))

    def _visible(self, info: f.ConversationInfo) -> bool:
        if info.status not in ACTIVE_STATUSES:
            return False
        return self.session.role == "supervisor" or info.agent_id == self.session.user_id

    def _on_sla(self, frame: f.Sla) -> None:
        if frame.level != "cleared":  # sent at `since` + 100 s (or 180 s) on the relay's clock
            self._saw_relay_time(frame.since + (100_000 if frame.level == "warning" else 180_000))
        view = self.conversations.get(frame.conversation_id)
        if view is None:
            return
        view.sla = "none" if frame.level == "cleared" else frame.level
        if frame.level == "cleared":
            view.info = msgspec.structs.replace(view.info, unanswered_since=None)
        elif view.info.unanswered_since is None:
            view.info = msgspec.structs.replace(view.info, unanswered_since=frame.since)
        self.events.emit(ConversationChanged(view, "sla"))
        if frame.level in ("warning", "overdue") and view.active:
            self.events.emit(Attention("sla_warning" if frame.level == "warning" else "sla_overdue",
                                       frame.conversation_id, view.info.buyer_name))

    def _on_receipt(self, frame: f.Receipt) -> None:
        view = self.conversations.get(frame.conversation_id)
        if frame.side == "buyer":
            if view is not None:
                view.info = msgspec.structs.replace(view.info, buyer_read_seq=frame.read_seq)
            self.events.emit(ReadByBuyer(frame.conversation_id, frame.read_seq))
        elif view is not None and frame.read_seq > view.info.agent_read_seq:  # read on another of our devices
            view.info = msgspec.structs.replace(view.info, agent_read_seq=frame.read_seq)
            view.unread = 0
            self.events.emit(ConversationChanged(view, "read"))

    async def _refresh_summary(self, view: ConversationView) -> None:
        """Last message and unread count from the local history."""
        recent = await self.history.page(view.conversation_id, None, PAGE)
        stored = [m for m in recent if m.seq is not None]
        _summarise(view, recent)
        view.unread = sum(1 for m in stored if m.sender_kind == "buyer" and (m.seq or 0) > view.info.agent_read_seq)

    # reading --------------------------------------------------------------------------------

    def active_conversations(self) -> list[ConversationView]:
        return [v for v in self.conversations.values() if v.active]

    async def page(self, conversation_id: int, before_seq: int | None = None, limit: int = PAGE) -> list[LocalMessage]:
        """A page of a conversation, ascending: from the local history, filled from the relay where it has holes.

        An agent handed a chat receives only its recent past; older messages come from the relay
        the first time they are scrolled to, and are kept locally from then on.
        """
        local = await self.history.page(conversation_id, before_seq, limit)
        stored = [m.seq for m in local if m.seq is not None]
        view = self.conversations.get(conversation_id)
        top = before_seq if before_seq is not None else max([view.info.last_seq if view else 0, *stored]) + 1
        low = max(1, top - limit)
        if top > 1 and self.link.online.is_set() and await self.history.seqs_missing(conversation_id, low, top - 1):
            try:
                reply = await self.client.history(conversation_id, before_seq=top, limit=limit)
            except KefuError as exc:
                logger.info("could not fetch older messages: %s", exc)
            else:
                await self.history.add_messages(reply.messages)
                local = await self.history.page(conversation_id, before_seq, limit)
        return local

    async def around(self, conversation_id: int, seq: int) -> list[LocalMessage]:
        return await self.history.around(conversation_id, seq, PAGE)

    async def search(self, query: str, conversation_id: int | None = None) -> list[SearchHit]:
        return await self.history.search(query, conversation_id=conversation_id)

    async def export(self, conversation_id: int, path: Path, fmt: Literal["txt", "csv"]) -> int:
        return await self.history.export(conversation_id, path, fmt)

    def unread_total(self) -> int:
        return sum(v.unread for v in self.conversations.values() if v.active)

    async def mark_read(self, conversation_id: int) -> None:
        """The agent has seen everything in this conversation."""
        view = self.conversations.get(conversation_id)
        if view is None:
            return
        seq = view.info.last_seq
        had_unread = view.unread
        view.unread = 0
        if seq > view.info.agent_read_seq:
            view.info = msgspec.structs.replace(view.info, agent_read_seq=seq)
            if self.link.online.is_set():
                try:
                    await self.client.mark_read(conversation_id, seq)
                except KefuError as exc:
                    logger.info("read receipt not sent: %s", exc)
        if had_unread:
            self.events.emit(ConversationChanged(view, "read"))

    def focus(self, conversation_id: int | None) -> None:
        """The agent now looks at this conversation (None: at none, e.g. the window is minimised)."""
        self.focused = conversation_id
        if conversation_id is not None:
            self.spawn(self.mark_read(conversation_id))

    # requests ---------------------------------------------------------------------------------

    async def request(self, frame_type: type[Any], **fields: Any) -> f.ServerFrame:
        """Send a request frame to the relay and wait for its answer (ConnectionLost when offline,
        RelayError when refused)."""
        if not self.link.online.is_set():
            raise ConnectionLost("not connected to the relay")
        return await self.client.call(frame_type, **fields)

    _request = request

    async def set_status(self, status: Literal["online", "busy", "away"]) -> None:
        await self._request(f.SetStatus, status=status)
        self.my_status = status

    async def claim(self, conversation_id: int) -> None:
        await self._request(f.Claim, conversation_id=conversation_id)

    async def transfer(self, conversation_id: int, to_agent: str | None, note: str) -> None:
        await self._request(f.Transfer, conversation_id=conversation_id, to_agent=to_agent, note=note)

    async def resolve(self, conversation_id: int) -> None:
        await self._request(f.Resolve, conversation_id=conversation_id)

    async def refresh_templates(self) -> list[f.Template]:
        try:
            reply = await self._request(f.ListTemplates)
        except KefuError as exc:
            logger.info("templates not loaded: %s", exc)
            return self.templates
        assert isinstance(reply, f.TemplateList)
        self.templates = reply.templates
        return self.templates

    def find_templates(self, query: str) -> list[f.Template]:
        """Templates matching what the agent typed (Chinese, shortcut or pinyin initials), most used first."""
        found = [t for t in self.templates if template_matches(
            query, title=t.title, body=t.body, shortcut=t.shortcut, group=t.group, title_initials=t.initials)]
        exact = query.strip().lower()
        found.sort(key=lambda t: (t.shortcut != exact, -t.usage_count))
        return found

    async def render_template(
        self, template_id: int, conversation_id: int, order_no: str | None = None
    ) -> f.TemplateRendered:
        reply = await self._request(f.RenderTemplate, template_id=template_id, conversation_id=conversation_id,
                                    order_no=order_no)
        assert isinstance(reply, f.TemplateRendered)
        return reply

    async def save_template(self, draft: f.TemplateDraft, template_id: int | None = None) -> f.Template:
        reply = await self._request(f.SaveTemplate, template=draft, template_id=template_id)
        assert isinstance(reply, f.TemplateSaved)
        await self.refresh_templates()
        return reply.template

    async def delete_template(self, template_id: int) -> None:
        await self._request(f.DeleteTemplate, template_id=template_id)
        await self.refresh_templates()

    async def context(self, conversation_id: int, *, fresh: bool = False) -> f.ContextInfo:
        """The buyer's orders, logistics and after-sales cases (cached briefly)."""
        cached = self._contexts.get(conversation_id)
        if cached is not None and not fresh and time.monotonic() - cached[0] < CONTEXT_TTL_S:
            return cached[1]
        reply = await self._request(f.GetContext, conversation_id=conversation_id)
        assert isinstance(reply, f.ContextInfo)
        self._contexts[conversation_id] = (time.monotonic(), reply)
        return reply


def _summarise(view: ConversationView, messages: list[LocalMessage]) -> None:
    """The row's last line: the newest human message (automatic ones say little about the chat)."""
    last = next((m for m in reversed(messages) if m.sender_kind != "system"), None)
    if last is not None:
        view.last_text, view.last_ts, view.last_kind = last.text, last.ts, last.sender_kind
