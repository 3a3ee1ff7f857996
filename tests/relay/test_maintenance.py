"""`kefu-relay backup`, `migrate` and `/readyz`, against real relay processes and real databases."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from app.client import KefuClient, buyer_session
from app.relay_process import ROOT, spawn_relay
from tests.servers import PostgresServer

BUYERS = 20
IN_FLIGHT = 5


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "relay.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


async def cli_async(*args: str) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "relay.cli", *args, cwd=ROOT,
                                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = await proc.communicate()
    return proc.returncode or 0, out.decode(), err.decode()


@pytest.mark.slow
async def test_a_backup_taken_during_a_burst_restores_to_a_relay_serving_every_message_acked_before_it(
        data_dir: Path, tmp_path: Path) -> None:
    relay = await spawn_relay(data_dir, "--buyer-rate", "100000/100000")
    clients: list[KefuClient] = []
    conv_ids: list[int] = []
    acked: dict[str, tuple[int, int]] = {}  # client_msg_id -> (conversation, seq), in ack order
    stop = asyncio.Event()
    try:
        for i in range(BUYERS):
            client = KefuClient(relay.url, (await buyer_session(relay.url, f"b-jiadian-{i + 1:04d}")).token)
            await client.connect()
            conv_ids.append((await client.open_conversation("jiadian")).conversation_id)
            clients.append(client)

        async def burst(i: int) -> None:
            n = 0
            while not stop.is_set():
                acks = await asyncio.gather(*(clients[i].send_text(conv_ids[i], f"买家{i}第{n + k}条", f"k{i}-{n + k}")
                                              for k in range(IN_FLIGHT)))
                for ack in acks:
                    acked[ack.client_msg_id] = (ack.conversation_id, ack.seq)
                n += IN_FLIGHT

        tasks = [asyncio.create_task(burst(i)) for i in range(BUYERS)]
        while len(acked) < 500:
            await asyncio.sleep(0.01)
        before = dict(acked)  # everything acked before the backup began
        dest = tmp_path / "backup.sqlite3"
        code, out, err = await cli_async("--data-dir", str(data_dir), "backup", str(dest))
        during = len(acked) - len(before)
        await asyncio.sleep(0.2)
        stop.set()
        await asyncio.gather(*tasks)
        assert code == 0, err
        assert "backed up" in out and str(dest) in out
        assert during > 0, "nothing was acked while the backup ran: it proved nothing about a live relay"
    finally:
        for client in clients:
            await client.close()
        await relay.stop()
    assert not dest.with_name(dest.name + ".partial").exists()

    restored = tmp_path / "restored"
    restored.mkdir()
    shutil.copy(dest, restored / "relay.sqlite3")
    shutil.copy(data_dir / "buyer-session.key", restored / "buyer-session.key")
    second = await spawn_relay(restored)
    try:
        for i in range(BUYERS):
            client = KefuClient(second.url, (await buyer_session(second.url, f"b-jiadian-{i + 1:04d}")).token)
            await client.connect()
            served: dict[str, int] = {}
            page = await client.history(conv_ids[i], None, 200)
            while True:
                served.update({m.client_msg_id: m.seq for m in page.messages})
                if not page.messages or page.messages[0].seq == 1:
                    break
                page = await client.history(conv_ids[i], page.messages[0].seq, 200)
            await client.close()
            for cid, (conv, seq) in before.items():
                if conv == conv_ids[i]:
                    assert served.get(cid) == seq, f"acked message {cid} is not in the restored relay"
    finally:
        await second.stop()


def test_a_backup_refuses_what_cannot_work(data_dir: Path, tmp_path: Path) -> None:
    result = cli("--data-dir", str(tmp_path / "empty"), "backup", str(tmp_path / "b.sqlite3"))
    assert result.returncode == 1 and "no database at" in result.stderr
    result = cli("--data-dir", str(data_dir), "backup", str(data_dir / "relay.sqlite3"))
    assert result.returncode == 1 and "cannot replace the database itself" in result.stderr
    result = cli("--data-dir", str(data_dir), "--database", "postgresql://kefu@127.0.0.1:1/kefu", "backup",
                 str(tmp_path / "b.sqlite3"))
    assert result.returncode == 2 and "pg_dump --format=custom" in result.stderr
    result = cli("--data-dir", str(data_dir), "backup", str(tmp_path))  # a directory: a dated file in it
    assert result.returncode == 0, result.stderr
    (copy,) = tmp_path.glob("relay-*.sqlite3")
    with sqlite3.connect(copy) as db:
        assert db.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        assert db.execute("SELECT COUNT(*) FROM shops").fetchone()[0] >= 2


def test_migrate_brings_a_new_database_up_to_date_once(tmp_path: Path, pg_dsn: str) -> None:
    first = cli("--data-dir", str(tmp_path / "new"), "migrate")
    assert first.returncode == 0, first.stderr
    assert "applied 0001_core" in first.stdout and "0010_figure_days" in first.stdout
    assert "up to date" in cli("--data-dir", str(tmp_path / "new"), "migrate").stdout
    on_pg = cli("--data-dir", str(tmp_path / "new"), "--database", pg_dsn, "migrate")
    assert on_pg.returncode == 0, on_pg.stderr
    assert "applied 0001_core" in on_pg.stdout and "@" in on_pg.stdout
    assert "up to date" in cli("--data-dir", str(tmp_path / "new"), "--database", pg_dsn, "migrate").stdout
    bad = cli("--data-dir", str(tmp_path / "new"), "--database", "mysql://x@y/z", "migrate")
    assert bad.returncode == 2 and "only postgresql:// URLs" in bad.stderr


async def test_readyz_asks_the_database_and_a_relay_runs_on_postgresql(
        tmp_path: Path, pg_dsn: str, postgres_server: PostgresServer) -> None:
    relay = await spawn_relay(tmp_path / "data", "--demo", "--database", pg_dsn)
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(relay.url + "/readyz") as resp:
                body = await resp.json()
                assert resp.status == 200 and body["ready"] and body["engine"] == "postgresql", body
            async with http.get(relay.url + "/healthz") as resp:
                assert (await resp.json())["db"]["engine"] == "postgresql"
        client = KefuClient(relay.url, (await buyer_session(relay.url, "b-jiadian-0001")).token)
        await client.connect()
        conv = (await client.open_conversation("jiadian")).conversation_id
        ack = await client.send_text(conv, "在 PostgreSQL 上吗？")
        assert ack.seq >= 1
        await client.close()
        postgres_server.drop_database(pg_dsn.rsplit("/", 1)[1])  # the database goes away under the relay
        async with aiohttp.ClientSession() as http, http.get(relay.url + "/readyz") as resp:
            body = await resp.json()
            assert resp.status == 503 and not body["ready"], body
            assert body["checks"]["database"].startswith("unavailable"), body
    finally:
        await relay.stop()
    assert not (tmp_path / "data" / "relay.sqlite3").exists()  # nothing went to SQLite
