"""Routing decision cost: 500 agents, 10,000 queued conversations (target p99 < 1 ms per decision).

A "decision" is what the relay does when a slot frees up: the agent's chat ends (`release`) and the
router dispatches the head of the queue to the least-loaded eligible agent. Also measured: a new
arrival while every agent is full (a scan that finds nobody) and a queue position lookup. The
baseline in the same run is the bare core of any least-loaded choice: `min()` over 500 tuples.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable

from relay.routing import ShopRouter, Tier

AGENTS = 500
CAP = 8
QUEUED = 10_000
SAMPLES = 3_000


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def build() -> tuple[ShopRouter, list[float]]:
    clock = [0.0]
    router = ShopRouter(lambda: clock[0])
    for agent in range(1, AGENTS + 1):
        router.add_agent(agent, f"agent{agent}", CAP)
        clock[0] += 0.001
        router.set_status(agent, "online")
    rng = random.Random(5)
    conv = 0
    while len(router.assigned) < AGENTS * CAP or router.waiting_count() < QUEUED:
        conv += 1
        clock[0] += 0.001
        router.enqueue(conv, f"b{conv}", rng.choice(list(Tier)))
    return router, clock


def timed(fn: Callable[[], object], samples: int) -> list[float]:
    out = []
    for _ in range(samples):
        start = time.perf_counter_ns()
        fn()
        out.append((time.perf_counter_ns() - start) / 1000)
    return out


def run() -> list[dict[str, object]]:
    router, clock = build()
    assert router.waiting_count() >= QUEUED and len(router.assigned) == AGENTS * CAP
    rng = random.Random(11)
    next_conv = [10_000_000]

    def free_a_slot_and_decide() -> None:
        conv = rng.choice(list(router.assigned)) if len(router.assigned) < 50 else next(iter(router.assigned))
        clock[0] += 0.001
        made = router.release(conv)
        assert len(made) == 1
        next_conv[0] += 1  # keep the queue at its size
        router.enqueue(next_conv[0], "b", Tier.NORMAL)

    def arrival_nobody_free() -> None:
        next_conv[0] += 1
        router.enqueue(next_conv[0], "b", Tier.NORMAL)

    def position_lookup() -> None:
        router.position(next_conv[0] - rng.randrange(5000))

    loads = [(rng.randrange(CAP), rng.random(), i) for i in range(AGENTS)]
    rows = []
    for name, fn in [
        ("decision: slot frees, head assigned", free_a_slot_and_decide),
        ("arrival while all agents are full", arrival_nobody_free),
        ("queue position lookup", position_lookup),
        ("baseline: min() over 500 agents", lambda: min(loads)),
    ]:
        timed(fn, 200)  # warm-up
        samples = timed(fn, SAMPLES)
        rows.append({"operation": name, "p50_us": statistics.median(samples), "p99_us": percentile(samples, 0.99),
                     "max_us": max(samples)})
    base = rows[-1]["p50_us"]
    for row in rows:
        row["x_baseline_p50"] = row["p50_us"] / base  # type: ignore[operator]
    return rows


def table(rows: list[dict[str, object]]) -> str:
    lines = [f"{AGENTS} agents × cap {CAP} (all full), {QUEUED:,} queued; {SAMPLES:,} samples each.", "",
             "| operation | p50 µs | p99 µs | max µs | p50 × baseline |", "|---|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['operation']} | {r['p50_us']:.1f} | {r['p99_us']:.1f} | {r['max_us']:.1f} |"
                     f" {r['x_baseline_p50']:.1f} |")
    p99 = rows[0]["p99_us"]
    verdict = "meets" if p99 < 1000 else "MISSES"  # type: ignore[operator]
    lines += ["", f"Target: a decision under 1 ms at p99 — {verdict} ({p99:.0f} µs)."]
    return "\n".join(lines)


def main() -> None:
    from bench.report import write_section

    text = table(run())
    print(text)
    write_section("routing", "Routing decisions (`bench/routing.py`)", text, "python -m bench routing")


if __name__ == "__main__":
    main()
