"""Cold start of the workstation: from launching the process to a usable queue.

`python -m ui` is launched offscreen, logs in as a demo agent (the automatic login of
`make demo`), opens its local history (1,000,000 messages, the cached build of
`bench/history_search.py`), connects, resumes and lists its chats; it prints a mark when the
queue is usable and exits. Timed from the parent, wall clock, over several launches; the
baseline in the same run is a bare interpreter importing the same libraries (Qt, qasync,
aiohttp), which no start-up can beat.

Target: < 1.5 s to a usable queue.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench.harness import percentile

RUNS = 7
PASSWORD = "kefu-demo"
READY = "kefu-desk: queue ready"
IMPORTED = ["PySide6.QtWidgets", "qasync", "aiohttp", "sqlite_utils", "keyring", "msgspec"]
IMPORTS = "import " + ", ".join(IMPORTED)


async def launch(args: list[str], env: dict[str, str], mark: str | None) -> float:
    """Seconds from spawning the process to `mark` on its stdout (or to its exit)."""
    started = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(*args, env=env, stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.DEVNULL)
    assert proc.stdout is not None
    elapsed = None
    try:
        async with asyncio.timeout(60):
            while line := await proc.stdout.readline():
                if mark is not None and line.decode(errors="replace").startswith(mark):
                    elapsed = time.perf_counter() - started
                    break
            if elapsed is None:
                await proc.wait()
                elapsed = time.perf_counter() - started
    finally:  # marked, timed out or interrupted: the process must not outlive its launch
        if proc.returncode is None:
            try:
                proc.kill()
            except ProcessLookupError:  # it exited meanwhile
                pass
            await proc.wait()
    if mark is not None and proc.returncode not in (0, -9):
        raise RuntimeError(f"workstation exited with {proc.returncode}")
    return elapsed


async def measure(history_db: Path) -> tuple[list[float], list[float]]:
    from app.client import login
    from app.config import DeskConfig
    from app.relay_process import kill_leftovers, spawn_relay

    tmp = Path(tempfile.mkdtemp(prefix="kefu-bench-start-"))
    relay = None
    try:
        relay = await spawn_relay(tmp / "relay", "--demo")
        logged = await login(relay.url, "jiadian", "agent1", PASSWORD)
        account = DeskConfig(data_dir=tmp / "desk").account_dir(relay.url, "jiadian", logged.session.user_id)
        account.mkdir(parents=True)
        await asyncio.to_thread(shutil.copyfile, history_db, account / "history.sqlite3")
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "KEFU_BENCH_PASSWORD": PASSWORD,
               "QT_LOGGING_RULES": "qt.*=false"}
        desk = [sys.executable, "-m", "ui", "--relay-url", relay.url, "--data-dir", str(tmp / "desk"),
                "--shop", "jiadian", "--user", "agent1", "--password-env", "KEFU_BENCH_PASSWORD",
                "--print-ready", "--exit-when-ready"]
        bare = [sys.executable, "-c", IMPORTS]
        starts, baseline = [], []
        for _ in range(RUNS):
            baseline.append(await launch(bare, env, None))
            starts.append(await launch(desk, env, READY))
        return starts, baseline
    finally:
        if relay is not None:
            await relay.stop()
        kill_leftovers()  # a relay whose start was interrupted
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    from bench.history_search import ensure_built
    from bench.report import write_section

    history_db, figures, _ = ensure_built(False)
    starts, baseline = asyncio.run(measure(history_db))
    p50, worst = percentile(starts, 0.5), max(starts)
    text = "\n".join([
        f"`python -m ui` offscreen, automatic login as agent1, local history of {figures['messages']:,} messages;"
        f" wall clock from launch to the queue listed, {RUNS} launches.", "",
        "| | p50 s | max s |", "|---|---:|---:|",
        f"| workstation: launch to usable queue | {p50:.2f} | {worst:.2f} |",
        f"| baseline: interpreter importing {', '.join(IMPORTED)} | {percentile(baseline, 0.5):.2f} |"
        f" {max(baseline):.2f} |", "",
        f"- Cold start p50 **{p50:.2f} s** (target < 1.5 s) — {'meets' if p50 < 1.5 else 'misses'};"
        f" {p50 - percentile(baseline, 0.5):.2f} s beyond the imports.",
    ])
    print(text)
    write_section("desk_start", "Workstation cold start (`bench/desk_start.py`)", text, "python -m bench desk_start")


if __name__ == "__main__":
    main()
