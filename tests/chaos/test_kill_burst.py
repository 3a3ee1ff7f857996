"""The embedded relay killed with SIGKILL three times during a 10,000-message burst from 100 buyers
(issue 14): every ack is honoured (the message is stored at the acked seq), nothing is lost or stored
twice, each conversation's seqs stay dense and in the order its buyer sent, and every client resumes
on the restarted relay by resending what was not acked. `bench/chaos.py` (the same driver) does it 20
times."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bench.chaos import kill_burst, marks, problems


def test_the_kill_marks_fall_inside_the_burst() -> None:
    assert marks(3, 10_000) == [1_250, 3_750, 6_250]
    assert all(0 < m < 10_000 for m in marks(20, 10_000)) and marks(20, 10_000) == sorted(marks(20, 10_000))


@pytest.mark.slow
async def test_three_kills_mid_burst_lose_nothing_double_nothing_and_every_client_resumes(data_dir: Path) -> None:
    run = await asyncio.wait_for(kill_burst(data_dir, clients=100, per_client=100, kills=3), 240)
    assert run.kills == 3 and len(run.resume_s) >= 3
    assert len(run.acked) == 100 * 100, "every message acked in the end"
    assert problems(data_dir / "relay.sqlite3", run) == {
        "lost": 0, "duplicated": 0, "acks moved": 0, "seq gaps": 0, "out of order": 0}
