"""The supervisor's core against a real relay: live figures, reports and drills over the HTTP API,
notes and whispers (kept locally and searchable), taking over, and the CSV export."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.errors import RelayError
from app.events import FiguresChanged, NoteAdded
from app.notes import Notes
from app.supervision import CSV_HEADER, FIGURE_FIELDS, Supervision
from tests.app.helpers import Desks, assigned_chat
from wire.errors import ErrorCode

BUYER = "b-jiadian-0021"


async def test_a_supervisor_gets_live_figures_and_reports_that_agree(desks: Desks, clients: Any) -> None:
    boss = await desks.open("super1")
    supervision = Supervision(boss.service)
    agent = await desks.open("agent1")
    buyer, cid = await assigned_chat(agent, clients, BUYER)
    await agent.service.send_text(cid, "您好，我在的")
    live = await boss.events.until(
        lambda: next((e.update for e in boss.events.of(FiguresChanged) if e.update.today.total.rounds_answered), None),
        "a figures push counting the answered round")
    assert supervision.live is live and live.today.total.rounds >= 1
    today = date.fromisoformat(live.today.end)
    report = await supervision.report(today, today)
    assert report.total.rounds == live.today.total.rounds
    assert report.total.rounds_answered == live.today.total.rounds_answered
    drill = await supervision.drill("rounds", today, today, agent_id=agent.user_id)
    assert [r.conversation_id for r in drill.rows] == [cid]
    await buyer.close()


async def test_an_agent_has_no_supervision(desks: Desks) -> None:
    agent = await desks.open("agent1")
    with pytest.raises(AssertionError):
        Supervision(agent.service)


async def test_notes_and_whispers_reach_staff_are_kept_and_found_by_search(desks: Desks, clients: Any) -> None:
    boss = await desks.open("super1")
    agent = await desks.open("agent1")
    boss_notes, agent_notes = Notes(boss.service), Notes(agent.service)
    buyer, cid = await assigned_chat(agent, clients, BUYER)
    note = await agent_notes.add(cid, "买家说上次的快递压坏了外箱")
    await boss.events.first(NoteAdded, what="the agent's note pushed to the supervisor")
    whisper = await boss_notes.add(cid, "先道歉，再补发一个新外箱", kind="whisper")
    assert whisper.to_agent_id == agent.user_id
    await agent.events.until(lambda: any(e.note.note_id == whisper.note_id for e in agent.events.of(NoteAdded)),
                             "the whisper on the agent's desk")
    assert [n.text for n in await boss_notes.of(cid)] == [note.text, whisper.text]
    with pytest.raises(RelayError) as refused:
        await agent_notes.add(cid, "我也想悄悄话", kind="whisper")
    assert refused.value.code == ErrorCode.FORBIDDEN
    hits = await agent.service.search("补发")
    assert [(h.note_kind, h.text) for h in hits] == [("whisper", whisper.text)]
    assert (await agent.service.history.notes(cid))[-1].note_id == whisper.note_id  # kept for offline reading
    await buyer.close()


async def test_a_supervisor_takes_a_chat_over(desks: Desks, clients: Any) -> None:
    boss = await desks.open("super1")
    agent = await desks.open("agent1")
    buyer, cid = await assigned_chat(agent, clients, BUYER)
    await Supervision(boss.service).take_over(cid)
    await boss.events.until(lambda: (v := boss.view(cid)) is not None and v.info.agent_id == boss.user_id,
                            "the chat on the supervisor's desk")
    await agent.events.until(lambda: (v := agent.view(cid)) is None or v.info.agent_id != agent.user_id,
                             "the chat gone from the agent's desk")
    await buyer.close()


async def test_the_csv_export_has_the_figures_names_and_the_reports_numbers(
    desks: Desks, clients: Any, tmp_path: Path
) -> None:
    boss = await desks.open("super1")
    supervision = Supervision(boss.service)
    agent = await desks.open("agent1")
    buyer, cid = await assigned_chat(agent, clients, BUYER)
    await agent.events.stored((await agent.service.send_text(cid, "您好")).client_msg_id)
    end = date.fromisoformat((await boss.events.first(FiguresChanged, what="figures")).update.today.end)
    start = end - timedelta(days=9)
    steps: list[tuple[int, int]] = []
    path = tmp_path / "figures.csv"
    count = await supervision.export_csv(path, start, end, progress=lambda done, total: steps.append((done, total)))
    assert steps == [(7, 10), (10, 10)]
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert tuple(rows[0]) == CSV_HEADER and len(rows) == count + 1
    total = dict(zip(CSV_HEADER, rows[1], strict=True))
    report = await supervision.report(start, end)
    assert total["scope"] == "total" and int(total["rounds"]) == report.total.rounds >= 1
    days = [r for r in rows[1:] if r[0] == "day" and not r[2]]
    assert [r[1] for r in days] == [(start + timedelta(days=i)).isoformat() for i in range(10)]
    mine = [dict(zip(CSV_HEADER, r, strict=True)) for r in rows[1:] if r[0] == "agent" and r[2] == agent.user_id]
    assert int(mine[0]["rounds"]) == next(a for a in report.agents if a.agent_id == agent.user_id).figures.rounds
    assert "csat" in FIGURE_FIELDS and "rounds_on_time" in FIGURE_FIELDS
    await buyer.close()
