"""A supervisor's side of the workstation, on plain asyncio: the shop's live figures, the figures of
any date range, the facts behind a figure, complaints, taking chats over and reassigning them, and
the CSV export. (Notes and whispers, which agents write too, are app/notes.py.)

`Supervision` rides on the supervisor's `DeskService`: it reads the relay's pushes through
`DeskService.frame_listeners`, sends frames through `DeskService.request`, and reads the
supervisors' HTTP API (docs/metrics.md, "HTTP API") with the same bearer token. What it learns it
announces on the service's `EventBus` (`FiguresChanged`, `ComplaintChanged`), so the Qt bridge
turns it into signals like everything else.
"""

from __future__ import annotations

import asyncio
import csv
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

import aiohttp

from app.client import raise_http
from app.events import Attention, ComplaintChanged, FiguresChanged
from app.services import DeskService
from app.tls import http_session
from wire import figures as w
from wire import frames as f
from wire.codec import decode_body

T = TypeVar("T")

EXPORT_DAYS_PER_REQUEST = 7
"""The export asks for this many days at a time, so a long range shows progress and no answer is huge."""
ALERT_MIN_ROUNDS = 5
"""Today's rate alerts only once this many rounds are decided: one late reply at 08:01 is not a trend."""


class Supervision:
    """The supervisor's tools over one `DeskService` (whose session must be a supervisor's)."""

    def __init__(self, desk: DeskService) -> None:
        assert desk.session.role == "supervisor", "only supervisors supervise"
        self.desk = desk
        self.live: f.FiguresUpdate | None = None
        """The latest `figures` push: today's report and the queue now."""
        self.complaints: dict[str, w.ComplaintInfo] = {}
        self._rate_low = False
        self._overdue: set[int] = set()
        desk.frame_listeners.append(self._on_frame)

    # pushes --------------------------------------------------------------------------------

    def _on_frame(self, frame: f.ServerFrame) -> None:
        if isinstance(frame, f.FiguresUpdate):
            self.live = frame
            self.desk.events.emit(FiguresChanged(frame))
            self._watch(frame)
        elif isinstance(frame, f.ComplaintUpdate):
            new = frame.complaint.call_id not in self.complaints
            self.complaints[frame.complaint.call_id] = frame.complaint
            self.desk.events.emit(ComplaintChanged(frame.complaint, new))
            if new and frame.id is None:
                self.desk.events.emit(Attention("complaint", frame.complaint.conversation_id,
                                                frame.complaint.buyer_name, frame.complaint.reason))

    def _watch(self, update: f.FiguresUpdate) -> None:
        """Alerts, each once when it starts: the rate below its bar, a chat newly overdue."""
        total = update.today.total
        rate = total.reply_rate_3min
        low = rate is not None and total.rounds >= ALERT_MIN_ROUNDS and rate < w.REPLY_RATE_BAR
        if low and not self._rate_low:
            self.desk.events.emit(Attention("rate_low", 0, "", f"{rate:.4f}"))
        self._rate_low = low
        now = update.today.generated_at
        overdue = {d.conversation_id: d for d in update.queue.due if now - d.since >= w.REPLY_BAR_S * 1000}
        for cid in overdue.keys() - self._overdue:
            self.desk.events.emit(Attention("chat_overdue", cid, overdue[cid].buyer_name))
        self._overdue = set(overdue)

    # the HTTP API ---------------------------------------------------------------------------

    async def _get(self, path: str, kind: type[T], **params: Any) -> T:
        client = self.desk.client
        query = {k: str(v) for k, v in params.items() if v is not None}
        async with http_session(client.base_url, client.ca_file) as http, http.get(
            client.base_url + path, params=query, headers={"Authorization": f"Bearer {client.token}"},
            timeout=aiohttp.ClientTimeout(total=client.request_timeout * 3),
        ) as resp:
            raw = await resp.read()
            if resp.status >= 400:
                raise_http(resp.status, raw)
            return decode_body(raw, kind)

    async def report(self, start: date, end: date, by: str = "agent,hour,day") -> w.FiguresReport:
        """The shop's figures over start..end (shop time, inclusive), in total and by `by`."""
        return await self._get("/api/supervisor/figures", w.FiguresReport, start=start.isoformat(),
                               end=end.isoformat(), by=by)

    async def drill(self, figure: str, start: date, end: date, agent_id: str | None = None,
                    limit: int = 200) -> w.DrillRows:
        """The facts behind one figure (w.DRILL_FIGURES), newest first."""
        return await self._get("/api/supervisor/drill", w.DrillRows, figure=figure, start=start.isoformat(),
                               end=end.isoformat(), agent=agent_id, limit=limit)

    async def load_complaints(self) -> list[w.ComplaintInfo]:
        """Every complaint of the shop, newest first (and keep them for the pushes to update)."""
        listed = await self._get("/api/supervisor/complaints", w.ComplaintList)
        self.complaints = {c.call_id: c for c in listed.complaints}
        return sorted(self.complaints.values(), key=lambda c: c.at, reverse=True)

    async def transcript(self, conversation_id: int, limit: int = 200) -> tuple[list[f.Message], list[f.NoteInfo]]:
        """A conversation's latest messages and its notes, to read (a drill opens closed chats too): from
        the relay, kept in the local history like any page read."""
        page = await self.desk.request(f.History, conversation_id=conversation_id, limit=limit)
        assert isinstance(page, f.HistoryPage)
        await self.desk.history.add_messages(page.messages)
        notes = await self.desk.request(f.ListNotes, conversation_id=conversation_id, limit=200)
        assert isinstance(notes, f.NoteList)
        return page.messages, notes.notes

    # actions --------------------------------------------------------------------------------

    async def handle_complaint(self, call_id: str, note: str, handled: bool = True) -> w.ComplaintInfo:
        """Mark a complaint handled (or open again), with what was done."""
        answer = await self.desk.request(f.HandleComplaint, call_id=call_id, note=note, handled=handled)
        assert isinstance(answer, f.ComplaintUpdate)
        self._on_frame(answer)
        return answer.complaint

    async def take_over(self, conversation_id: int) -> None:
        """Move the chat to this supervisor (the buyer sees a system line; the agent is told)."""
        await self.desk.request(f.TakeOver, conversation_id=conversation_id)

    async def reassign(self, conversation_id: int, to_agent: str | None) -> None:
        """Give the chat to another agent (None: back to the queue)."""
        await self.desk.transfer(conversation_id, to_agent, "")

    async def set_cap(self, agent_id: str, cap: int) -> None:
        await self.desk.request(f.SetCap, agent_id=agent_id, cap=cap)

    # export ---------------------------------------------------------------------------------

    async def export_csv(self, path: Path, start: date, end: date,
                         progress: Callable[[int, int], None] | None = None) -> int:
        """Write the figures of start..end per day, per hour and per agent into a CSV file whose
        headers are the figures' names in docs/metrics.md. Fetched a week at a time (`progress(done,
        total)` in days after each), written on a worker thread. Returns the number of data rows."""
        total_days = (end - start).days + 1
        rows: list[list[str]] = []
        whole = await self.report(start, end, by="agent")
        rows.append(["total", f"{start}..{end}", "", "", *_cells(whole.total)])
        names = {a.agent_id: a.name for a in whole.agents}
        rows += [["agent", f"{start}..{end}", a.agent_id, a.name, *_cells(a.figures)] for a in whole.agents]
        done = 0
        first = start
        while first <= end:
            last = min(end, first + timedelta(days=EXPORT_DAYS_PER_REQUEST - 1))
            report = await self.report(first, last, by="day,hour,agent_day,agent_hour")
            for scope, buckets in (("day", report.days), ("hour", report.hours)):
                rows += [[scope, b.label, b.agent_id or "", names.get(b.agent_id or "", ""), *_cells(b.figures)]
                         for b in buckets]
            done += (last - first).days + 1
            if progress is not None:
                progress(done, total_days)
            first = last + timedelta(days=1)
        await asyncio.to_thread(_write_csv, path, rows)
        return len(rows)


FIGURE_FIELDS = tuple(name for name in w.Figures.__struct_fields__)
CSV_HEADER = ("scope", "period", "agent_id", "agent_name", *FIGURE_FIELDS)
"""scope: total, agent (over the range), day or hour (of the shop, or of one agent when agent_id is set)."""


def _cells(figures: w.Figures) -> list[str]:
    out = []
    for name in FIGURE_FIELDS:
        value = getattr(figures, name)
        out.append("" if value is None else (f"{value:.6g}" if isinstance(value, float) else str(value)))
    return out


def _write_csv(path: Path, rows: list[list[str]]) -> None:
    tmp = path.with_name(path.name + ".part")
    with tmp.open("w", newline="", encoding="utf-8-sig") as out:  # the BOM lets Excel read Chinese
        writer = csv.writer(out)
        writer.writerow(CSV_HEADER)
        writer.writerows(rows)
    tmp.replace(path)
