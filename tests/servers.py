"""Real PostgreSQL and Redis servers for tests and benchmarks: temporary directories, loopback only.

Plain helpers, no pytest (bench/ imports them too); the fixtures are in tests/conftest.py.

    with PostgresServer() as pg, RedisServer() as redis:
        dsn = pg.create_database("contract")     # postgresql://kefu@127.0.0.1:PORT/contract
        url = redis.url                          # redis://127.0.0.1:PORT/0

Each server lives in its own temporary directory (data, socket and logs), listens on 127.0.0.1 on a free
port, and stop() removes the directory. PostgreSQL refuses to run as root: when this process is root,
initdb, pg_ctl and the postmaster run as the `postgres` system user (Debian's package creates it; else
`nobody`), and the directory is handed to that user.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any, Self

SETUP_HINT = "run `make setup` (Debian packages postgresql and redis-server)"
LOG_TAIL_LINES = 40


class ServerError(RuntimeError):
    """A server could not be found, started or stopped; the message carries the end of its log."""


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (the server binds it a moment later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def pid_alive(pid: int) -> bool:
    """Whether the process runs; a zombie (exited, not yet reaped by an init that may never reap) counts as gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    except OSError:  # no /proc: ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    # "pid (comm) S ...": comm may hold spaces and parentheses, the state follows the last ")".
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def log_tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return f"(no log at {path})"
    return "\n".join(text.splitlines()[-lines:]) or "(empty log)"


_LIVE: set[_Server] = set()  # started, not yet stopped (strong references: a dropped server still gets stopped)


@atexit.register
def _stop_leftovers() -> None:
    """pg_ctl detaches the postmaster from us: a session that ends without stop() must not leave it running."""
    for server in list(_LIVE):
        with contextlib.suppress(Exception):
            server.stop()


class _Server:
    base: Path | None = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    def start(self) -> Self:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def _remove_base(self) -> None:
        if self.base is not None:
            shutil.rmtree(self.base, ignore_errors=True)
            self.base = None


# -- PostgreSQL --------------------------------------------------------------------------------------------


_PG_PROGRAMS = ("initdb", "pg_ctl", "postgres")


def find_postgres_bindir(bindir: Path | None = None) -> Path:
    """initdb/pg_ctl/postgres: `bindir` if given, else `pg_config --bindir`, else the newest
    /usr/lib/postgresql/*/bin, else PATH."""
    if bindir is not None:
        if not all((bindir / name).is_file() for name in _PG_PROGRAMS):
            raise ServerError(f"no initdb, pg_ctl and postgres in {bindir}: {SETUP_HINT}")
        return bindir
    candidates: list[Path] = []
    if (pg_config := shutil.which("pg_config")) is not None:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=True)
            candidates.append(Path(out.stdout.strip()))

    def version(path: str) -> tuple[int, ...]:
        return tuple(int(n) for n in re.findall(r"\d+", Path(path).parent.name)) or (0,)

    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True)]
    if (initdb := shutil.which("initdb")) is not None:
        candidates.append(Path(initdb).parent)
    for found in candidates:
        if all((found / name).is_file() for name in _PG_PROGRAMS):
            return found
    raise ServerError(f"PostgreSQL server binaries (initdb, pg_ctl, postgres) not found: {SETUP_HINT}")


def _unprivileged_user(name: str | None) -> pwd.struct_passwd | None:
    """Whom to run PostgreSQL as: None when this process is not root (it runs as us)."""
    if os.geteuid() != 0:
        return None
    for candidate in [name] if name else ["postgres", "nobody"]:
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(candidate)
    raise ServerError(f"running as root, and no user {name or 'postgres/nobody'} to run PostgreSQL as "
                      "(initdb refuses root)")


def _check_traversable(path: Path, user: pwd.struct_passwd) -> None:
    """The data dir's ancestors must let `user` through, else initdb fails with an obscure message."""
    for parent in path.resolve().parents:
        st = parent.stat()
        if st.st_uid == user.pw_uid:
            ok = bool(st.st_mode & 0o100)
        elif st.st_gid == user.pw_gid:
            ok = bool(st.st_mode & 0o010)
        else:
            ok = bool(st.st_mode & 0o001)
        if not ok:
            raise ServerError(f"{parent} is not traversable by user {user.pw_name}, who runs PostgreSQL: "
                              "put the server somewhere else (base_dir=, e.g. /tmp)")


def _conf_value(value: str | int) -> str:
    return str(value) if isinstance(value, int) else "'" + value.replace("'", "''") + "'"


class PostgresServer(_Server):
    """A throw-away PostgreSQL cluster: trust auth for `user`, TCP on 127.0.0.1:port, socket in its dir.

    durable=True (the default, for benchmarks) keeps PostgreSQL's own durability: fsync, synchronous
    commit, full page writes. durable=False turns the three off, for tests (the contract tests' fixture).
    """

    def __init__(self, *, durable: bool = True, user: str = "kefu", max_connections: int = 200,
                 settings: dict[str, str | int] | None = None, base_dir: str | Path | None = None,
                 bindir: str | Path | None = None, run_as: str | None = None, start_timeout: float = 30.0) -> None:
        self.durable = durable
        self.user = user
        self.host = "127.0.0.1"
        self.port = 0
        self.max_connections = max_connections
        self.settings = dict(settings or {})
        self.base_dir = Path(base_dir) if base_dir is not None else None
        self.bindir = Path(bindir) if bindir is not None else None
        self.run_as = run_as
        self.start_timeout = start_timeout
        self.base = None
        self.pid: int | None = None
        self.start_seconds = 0.0  # initdb + start, as measured by start()
        self._os_user: pwd.struct_passwd | None = None

    # Paths inside the temporary directory.
    @property
    def data_dir(self) -> Path:
        return self._base() / "data"

    @property
    def socket_dir(self) -> Path:
        return self._base()

    @property
    def log_path(self) -> Path:
        return self._base() / "postgres.log"

    @property
    def running(self) -> bool:
        return self.pid is not None and pid_alive(self.pid)

    def dsn(self, dbname: str = "postgres") -> str:
        """libpq URL over TCP on loopback, for psycopg.connect / AsyncConnection.connect."""
        return f"postgresql://{self.user}@{self.host}:{self.port}/{dbname}"

    def socket_dsn(self, dbname: str = "postgres") -> str:
        """The same database over the Unix socket in the server's directory."""
        return f"host={self.socket_dir} port={self.port} user={self.user} dbname={dbname}"

    def start(self) -> Self:
        if self.base is not None:
            raise ServerError("PostgresServer already started")
        began = time.monotonic()
        self.bindir = bindir = find_postgres_bindir(self.bindir)
        self._os_user = _unprivileged_user(self.run_as)
        parent = self.base_dir or Path(tempfile.gettempdir())
        if self._os_user is not None:
            _check_traversable(parent / "x", self._os_user)
        self.base = Path(tempfile.mkdtemp(prefix="kefu-pg-", dir=parent))
        _LIVE.add(self)
        try:
            if self._os_user is not None:
                os.chown(self.base, self._os_user.pw_uid, self._os_user.pw_gid)
            self._run(bindir / "initdb", "-D", str(self.data_dir), "-A", "trust", "-U", self.user, "-E", "UTF8",
                      "--locale=C", "--no-sync", "--no-instructions", log_name="initdb.log")
            for attempt in range(3):  # the free port may be taken between free_port() and the bind
                self.port = free_port()
                self._write_settings()
                try:
                    self._run(bindir / "pg_ctl", "start", "-w", "-t", str(int(self.start_timeout)),
                              "-D", str(self.data_dir), "-l", str(self.log_path), log_name="pg_ctl.log")
                    break
                except ServerError:
                    if attempt == 2 or "could not bind" not in log_tail(self.log_path, 1000):
                        raise
            self.pid = int((self.data_dir / "postmaster.pid").read_text().split()[0])
        except BaseException:
            self._kill_postmaster()
            self._remove_base()
            _LIVE.discard(self)
            raise
        self.start_seconds = time.monotonic() - began
        return self

    def stop(self) -> None:
        """pg_ctl stop -m fast (SIGKILL if that fails), then remove the directory. Idempotent."""
        if self.base is None:
            return
        try:
            if self.running:
                with contextlib.suppress(ServerError):
                    self._run(find_postgres_bindir(self.bindir) / "pg_ctl", "stop", "-w", "-t", "30",
                              "-m", "fast", "-D", str(self.data_dir), log_name="pg_ctl.log")
            self._kill_postmaster()
        finally:
            self.pid = None
            self._remove_base()
            _LIVE.discard(self)

    def halt(self) -> None:
        """pg_ctl stop -m fast, keeping the data directory and the port for resume() (for chaos tests:
        clients are disconnected, new connections refused)."""
        if self.running:
            self._run(find_postgres_bindir(self.bindir) / "pg_ctl", "stop", "-w", "-t", "30", "-m", "fast",
                      "-D", str(self.data_dir), log_name="pg_ctl.log")
        self.pid = None

    def resume(self) -> None:
        """Start a halted server again on the same data directory and port."""
        if self.running:
            return
        self._run(find_postgres_bindir(self.bindir) / "pg_ctl", "start", "-w", "-t", str(int(self.start_timeout)),
                  "-D", str(self.data_dir), "-l", str(self.log_path), log_name="pg_ctl.log")
        self.pid = int((self.data_dir / "postmaster.pid").read_text().split()[0])

    def create_database(self, name: str, template: str | None = None) -> str:
        """CREATE DATABASE name [TEMPLATE template] (the template must have no open connection); its dsn."""
        import psycopg
        from psycopg import sql

        query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template is not None:
            query += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        with psycopg.connect(self.dsn(), autocommit=True) as conn:
            conn.execute(query)
        return self.dsn(name)

    def drop_database(self, name: str) -> None:
        """DROP DATABASE IF EXISTS name WITH (FORCE): connections a test left open are closed by the server."""
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.dsn(), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def _base(self) -> Path:
        if self.base is None:
            raise ServerError("PostgresServer not started")
        return self.base

    def _write_settings(self) -> None:
        settings: dict[str, str | int] = {
            "listen_addresses": self.host,
            "port": self.port,
            "unix_socket_directories": str(self.socket_dir),
            "max_connections": self.max_connections,
            "logging_collector": "off",
        }
        if not self.durable:
            settings |= {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}
        settings |= self.settings
        # postgresql.auto.conf is read last, after postgresql.conf: these win, and no shell quoting is involved.
        lines = [f"{key} = {_conf_value(value)}" for key, value in settings.items()]
        auto = self.data_dir / "postgresql.auto.conf"
        auto.write_text("# Written by tests/servers.py\n" + "\n".join(lines) + "\n")
        if self._os_user is not None:
            os.chown(auto, self._os_user.pw_uid, self._os_user.pw_gid)

    def _run(self, program: Path, *args: str, log_name: str) -> None:
        """Run a PostgreSQL program (as the unprivileged user when root); its output goes to a log in the dir.

        A file, not a pipe: the postmaster pg_ctl starts could inherit a pipe and keep it open forever.
        """
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")} | {"LC_ALL": "C", "LANG": "C"}
        log = self._base() / log_name
        user: dict[str, Any] = {}
        if self._os_user is not None:
            user = {"user": self._os_user.pw_uid, "group": self._os_user.pw_gid, "extra_groups": []}
            env |= {"HOME": str(self._base()), "USER": self._os_user.pw_name, "LOGNAME": self._os_user.pw_name}
        with open(log, "ab") as out:
            try:
                code = subprocess.run([str(program), *args], stdin=subprocess.DEVNULL, stdout=out,
                                      stderr=subprocess.STDOUT, env=env, cwd=self._base(),
                                      timeout=self.start_timeout + 30, **user).returncode
            except subprocess.TimeoutExpired:
                code = -1
        if self._os_user is not None:
            os.chown(log, self._os_user.pw_uid, self._os_user.pw_gid)
        if code != 0:
            details = f"--- {log_name}\n{log_tail(log)}"
            if self.log_path.exists():
                details += f"\n--- postgres.log\n{log_tail(self.log_path)}"
            raise ServerError(f"{program.name} {' '.join(args[:1])} failed (exit code {code}) in {self._base()}:\n"
                              f"{details}")

    def _kill_postmaster(self) -> None:
        """SIGKILL the postmaster (from postmaster.pid if start() did not get that far), if still alive."""
        pid = self.pid
        if pid is None and self.base is not None:
            with contextlib.suppress(OSError, ValueError, IndexError):
                pid = int((self.data_dir / "postmaster.pid").read_text().split()[0])
        if pid is None or not pid_alive(pid):
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.02)


# -- Redis -------------------------------------------------------------------------------------------------


def find_redis_server(binary: Path | None = None) -> Path:
    if binary is not None:
        if not binary.is_file():
            raise ServerError(f"no redis-server at {binary}: {SETUP_HINT}")
        return binary
    for candidate in (shutil.which("redis-server"), "/usr/bin/redis-server", "/usr/sbin/redis-server"):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise ServerError(f"redis-server not found: {SETUP_HINT}")


class RedisServer(_Server):
    """redis-server on 127.0.0.1:port in the foreground of a child process, no persistence (RDB nor AOF).

    kill() is SIGKILL (for chaos tests); restart() brings it back, empty, on the same port.
    """

    def __init__(self, *, binary: str | Path | None = None, base_dir: str | Path | None = None,
                 args: tuple[str, ...] = (), start_timeout: float = 10.0) -> None:
        self.binary = Path(binary) if binary is not None else None
        self.base_dir = Path(base_dir) if base_dir is not None else None
        self.extra_args = args
        self.start_timeout = start_timeout
        self.host = "127.0.0.1"
        self.port = 0
        self.base = None
        self.process: subprocess.Popen[bytes] | None = None
        self.start_seconds = 0.0

    @property
    def url(self) -> str:
        return f"redis://{self.host}:{self.port}/0"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def log_path(self) -> Path:
        if self.base is None:
            raise ServerError("RedisServer not started")
        return self.base / "redis.log"

    def start(self) -> Self:
        if self.base is not None:
            raise ServerError("RedisServer already started")
        began = time.monotonic()
        self.binary = binary = find_redis_server(self.binary)
        self.base = Path(tempfile.mkdtemp(prefix="kefu-redis-", dir=self.base_dir))
        _LIVE.add(self)
        try:
            for attempt in range(3):  # the free port may be taken between free_port() and the bind
                self.port = free_port()
                try:
                    self._launch(binary)
                    break
                except ServerError:
                    if attempt == 2 or "Address already in use" not in log_tail(self.log_path, 1000):
                        raise
        except BaseException:
            self._remove_base()
            _LIVE.discard(self)
            raise
        self.start_seconds = time.monotonic() - began
        return self

    def stop(self) -> None:
        """SIGTERM (SIGKILL after 10 s), then remove the directory. Idempotent."""
        if self.base is None:
            return
        try:
            self._terminate()
        finally:
            self._remove_base()
            _LIVE.discard(self)

    def kill(self) -> None:
        """SIGKILL, no goodbye to the clients; the directory and port stay for restart()."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def restart(self) -> None:
        """Stop (if still running) and start again on the same port, empty: no persistence."""
        if self.base is None:
            raise ServerError("RedisServer not started")
        self._terminate()
        deadline = time.monotonic() + self.start_timeout
        while True:  # the old listening socket is gone once the process is; retry a bind lost to a race anyway
            try:
                self._launch(find_redis_server(self.binary))
                return
            except ServerError:
                if time.monotonic() > deadline or "Address already in use" not in log_tail(self.log_path, 5):
                    raise
                time.sleep(0.1)

    def command(self, *args: str) -> bytes:
        """One command over a raw socket (no client library): the reply's first line, e.g. b"+PONG"."""
        request = f"*{len(args)}\r\n".encode() + b"".join(
            f"${len(a.encode())}\r\n".encode() + a.encode() + b"\r\n" for a in args)
        with socket.create_connection((self.host, self.port), timeout=2) as sock:
            sock.sendall(request)
            reply = b""
            while b"\r\n" not in reply:
                if not (chunk := sock.recv(4096)):
                    raise ConnectionError("redis closed the connection")
                reply += chunk
        return reply.split(b"\r\n", 1)[0]

    def ping(self) -> bool:
        try:
            return self.command("PING") == b"+PONG"
        except OSError:
            return False

    def flushall(self) -> None:
        if (reply := self.command("FLUSHALL")) != b"+OK":
            raise ServerError(f"FLUSHALL answered {reply!r}")

    def _launch(self, binary: Path) -> None:
        assert self.base is not None
        command = [str(binary), "--port", str(self.port), "--bind", self.host, "--save", "", "--appendonly", "no",
                   "--dir", str(self.base), "--daemonize", "no", "--logfile", str(self.log_path),
                   "--protected-mode", "yes", *self.extra_args]
        with open(self.base / "redis.stdout", "ab") as out:
            self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                            cwd=self.base)
        deadline = time.monotonic() + self.start_timeout
        while not self.ping():
            if (code := self.process.poll()) is not None or time.monotonic() > deadline:
                self._terminate()
                why = f"exited with code {code}" if code is not None else f"no PONG within {self.start_timeout} s"
                raise ServerError(f"redis-server on port {self.port} {why}:\n--- redis.log\n{log_tail(self.log_path)}"
                                  f"\n--- redis.stdout\n{log_tail(self.base / 'redis.stdout')}")
            time.sleep(0.01)

    def _terminate(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
