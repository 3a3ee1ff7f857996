"""Start a relay as a child process on loopback and wait until it is healthy.

The demo runs the relay this way, as do the crash test and the benchmarks: a real process that
can be signalled (SIGTERM to stop cleanly, SIGKILL to crash it).
"""

from __future__ import annotations

import asyncio
import signal
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from app.tls import http_session

ROOT = Path(__file__).resolve().parent.parent
_live: set[asyncio.subprocess.Process] = set()


@dataclass
class RelayProcess:
    """A running relay child process."""

    proc: asyncio.subprocess.Process
    url: str

    async def stop(self, timeout: float = 10.0) -> int:
        """SIGTERM, then SIGKILL if it has not exited within `timeout`; return the exit code."""
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), timeout)
            except TimeoutError:
                self.proc.kill()
        return await self.proc.wait()

    async def kill(self) -> None:
        """SIGKILL: the crash the store must survive."""
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()


async def spawn_relay(
    data_dir: Path, *args: str, port: int = 0, log_level: str = "WARNING", timeout: float = 30.0,
    ca_file: str = "",
) -> RelayProcess:
    """Run `kefu-relay` on 127.0.0.1 with `args`; return once /healthz answers 200. With `--tls-cert` in
    `args` the relay is `https://`, checked against the system's authorities and `ca_file`."""
    scheme = "https" if "--tls-cert" in args else "http"
    with tempfile.TemporaryDirectory() as tmp:
        port_file = Path(tmp) / "port"
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "relay.cli", "--data-dir", str(data_dir), "--log-level", log_level,
            "--host", "127.0.0.1", "--port", str(port), "--port-file", str(port_file), *args, cwd=ROOT,
        )
        _live.add(proc)
        async with http_session(f"{scheme}://127.0.0.1", ca_file) as http:
            deadline = asyncio.get_running_loop().time() + timeout
            while asyncio.get_running_loop().time() < deadline:
                if proc.returncode is not None:
                    raise RuntimeError(f"relay exited with code {proc.returncode} during start-up")
                text = await asyncio.to_thread(lambda: port_file.read_text() if port_file.exists() else "")
                if text:
                    url = f"{scheme}://127.0.0.1:{text}"
                    try:
                        async with http.get(url + "/healthz") as resp:
                            if resp.status == 200:
                                return RelayProcess(proc, url)
                    except aiohttp.ClientConnectorCertificateError:  # CertificateRejected: no point waiting
                        proc.kill()
                        await proc.wait()
                        raise
                    except aiohttp.ClientError:
                        pass
                await asyncio.sleep(0.05)
        proc.kill()
        await proc.wait()
        raise RuntimeError("relay did not become healthy in time")


def kill_leftovers() -> int:
    """SIGKILL every relay this process spawned that is still running (test teardown); return how many."""
    killed = 0
    for proc in list(_live):
        if proc.returncode is None:
            proc.kill()
            killed += 1
        _live.discard(proc)
    return killed
