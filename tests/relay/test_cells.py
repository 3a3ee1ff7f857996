"""Merging cells (relay.metrics.cells): `merged` (column by column, the reports' way) gives what
adding the cells one by one gives, and settling counts each buyer-day once across cells."""

from __future__ import annotations

import random

from relay.metrics.cells import _COUNTERS, Sums, figures, from_row, merged, settled, to_row


def random_cells(rng: random.Random, n: int) -> list[Sums]:
    cells = []
    for _ in range(n):
        s = Sums(**{name: rng.randint(0, 5) for name in _COUNTERS})
        for _ in range(rng.randint(0, 6)):  # few buyers: the same buyer-day lands in several cells
            missed = rng.randint(0, 1)
            s.buyer_days[(f"b-{rng.randint(1, 5)}", 86_400_000 * rng.randint(0, 1))] = [missed + rng.randint(1, 2),
                                                                                       missed]
        s.frt_ms = [rng.randint(1, 400_000) for _ in range(rng.randint(0, 4))]
        s.connect_ms = [rng.randint(1, 9000) for _ in range(rng.randint(0, 2))]
        s.durations_s = [rng.randint(1, 900) for _ in range(rng.randint(0, 2))]
        cells.append(s)
    return cells


def one_by_one(cells: list[Sums]) -> Sums:
    """The reference: every field added cell by cell, buyer-days merged key by key."""
    total = Sums()
    for c in cells:
        for name in _COUNTERS:
            setattr(total, name, getattr(total, name) + getattr(c, name))
        for key, (n, missed) in c.buyer_days.items():
            mine = total.buyer_days.setdefault(key, [0, 0])
            mine[0] += n
            mine[1] += missed
        total.frt_ms += c.frt_ms
        total.connect_ms += c.connect_ms
        total.durations_s += c.durations_s
    return total


def test_merged_equals_adding_one_by_one_and_leaves_the_cells_alone() -> None:
    rng = random.Random(7)
    for n in (0, 1, 2, 5, 40):
        cells = random_cells(rng, n)
        before = [to_row(settled(c)) for c in cells]
        got, want = merged(cells), one_by_one(cells)
        assert figures(got) == figures(want)
        assert got.buyer_days == want.buyer_days
        got.buyer_days.clear()
        got.frt_ms.append(1)
        assert [to_row(settled(c)) for c in cells] == before


def test_settling_counts_each_buyer_day_once_with_its_misses_over_every_cell() -> None:
    rng = random.Random(11)
    for n in (1, 3, 30):
        cells = random_cells(rng, n)
        whole = one_by_one(cells)
        s = merged(cells, settle=True)
        assert s.buyer_days == {}
        assert s.days_settled == whole.days_settled + len(whole.buyer_days)  # days settled before, and these
        assert s.days_settled_ok == whole.days_settled_ok + sum(
            1 for _, missed in whole.buyer_days.values() if missed == 0)
        assert figures(s) == figures(whole)
        # Settled days add up (different days), and survive being kept as a row.
        assert figures(merged([from_row(to_row(s)), Sums()])) == figures(whole)
