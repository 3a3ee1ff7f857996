"""`kefu-relay`'s command line: every unusable option is one line on stderr and exit status 2, before
the relay starts; the options that are accepted reach RelayConfig (and a real relay) unchanged."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import ssl
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.client import KefuClient, buyer_session
from app.relay_process import ROOT, spawn_relay
from relay import cli
from relay.config import RateLimit, RelayConfig
from tests.tls_helpers import make_tls
from wire import frames as f


class Started(list[RelayConfig]):
    """The configs `serve` was called with; `contexts`: the SSL context it was handed with each."""

    def __init__(self) -> None:
        super().__init__()
        self.contexts: list[ssl.SSLContext | None] = []


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> Started:
    """`serve` replaced by a recorder: a command line the CLI wrongly accepts shows up here instead of
    running a relay forever (and an accepted one shows the config the relay would have got)."""
    configs = Started()

    async def fake_serve(config: RelayConfig, port_file: Path | None = None,
                         ssl_context: ssl.SSLContext | None = None) -> None:
        configs.append(config)
        configs.contexts.append(ssl_context)

    monkeypatch.setattr(cli, "serve", fake_serve)
    monkeypatch.delenv("KEFU_TURN_SECRET", raising=False)
    return configs


def refused(
    argv: list[str], capsys: pytest.CaptureFixture[str], started: list[RelayConfig], prog: str = "kefu-relay"
) -> str:
    """Run the CLI; assert it exits with status 2 and one error line after the usage; return that line."""
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    err = capsys.readouterr().err
    assert exit_info.value.code == 2, err
    assert "Traceback" not in err
    assert started == [], "the relay was started despite the error"
    last = err.strip().splitlines()[-1]
    assert last.startswith(f"{prog}: error: "), err
    assert err.strip().splitlines()[0].startswith(f"usage: {prog} "), err
    return last


@pytest.fixture
def data_dir_ok(tmp_path: Path) -> Path:
    return tmp_path / "relay-data"


@contextlib.contextmanager
def unprivileged() -> Iterator[None]:
    """Run the block as an ordinary user: as root (as in containers), file modes would not stop us."""
    if os.geteuid() != 0:
        yield
        return
    os.setegid(65534)
    os.seteuid(65534)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A directory outside pytest's private (0700) tmp tree, so the unprivileged user can reach it."""
    path = Path(tempfile.mkdtemp(prefix="kefu-cli-"))
    path.chmod(0o755)
    yield path
    for sub in [path, *path.rglob("*")]:
        sub.chmod(0o755 if sub.is_dir() else 0o644)
    shutil.rmtree(path)


# --turn-secret-file ---------------------------------------------------------------------------------


def test_missing_turn_secret_file(tmp_path: Path, data_dir_ok: Path, capsys, started) -> None:
    missing = tmp_path / "nope" / "turn.secret"
    line = refused(["--data-dir", str(data_dir_ok), "--turn-secret-file", str(missing)], capsys, started)
    assert line == f"kefu-relay: error: --turn-secret-file {missing}: no such file"


def test_turn_secret_file_that_is_a_directory(tmp_path: Path, data_dir_ok: Path, capsys, started) -> None:
    line = refused(["--data-dir", str(data_dir_ok), "--turn-secret-file", str(tmp_path)], capsys, started)
    assert f"--turn-secret-file {tmp_path}: is a directory" in line


def test_turn_secret_file_that_cannot_be_read(shared_dir: Path, capsys, started) -> None:
    secret = shared_dir / "turn.secret"
    secret.write_text("s3cret\n")
    secret.chmod(0o000)
    with unprivileged():
        line = refused(["--data-dir", str(shared_dir / "data"), "--turn-secret-file", str(secret)], capsys, started)
    assert line == f"kefu-relay: error: --turn-secret-file {secret}: cannot read it (Permission denied)"


@pytest.mark.parametrize(("content", "expected"), [(b" \n", "the file is empty"), (b"\xff\xfe\x00", "not UTF-8 text")])
def test_turn_secret_file_without_a_secret(
    content: bytes, expected: str, tmp_path: Path, data_dir_ok: Path, capsys, started
) -> None:
    secret = tmp_path / "turn.secret"
    secret.write_bytes(content)
    line = refused(["--data-dir", str(data_dir_ok), "--ice-server", "turn:localhost:3478",
                    "--turn-secret-file", str(secret)], capsys, started)
    assert line.endswith(f"--turn-secret-file {secret}: {expected}")


# --ice-server ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "expected"), [
    ("http://127.0.0.1", "is not a STUN or TURN URL"),
    ("127.0.0.1:3478", "is not a STUN or TURN URL"),
    ("", "is not a STUN or TURN URL"),
    ("stun://127.0.0.1", "is not a valid stun: URL (expected stun:HOST[:PORT], no //)"),
    ("turn:", "is not a valid turn: URL"),
    ("stun:127.0.0.1:99999", "is not a valid stun: URL"),
    ("turn:localhost:3478?transport=sctp", "is not a valid turn: URL"),
    ("stun:127.0.0.1?transport=udp", "?transport= is for turn: URLs only"),
])
def test_invalid_ice_server(url: str, expected: str, data_dir_ok: Path, capsys, started) -> None:
    line = refused(["--data-dir", str(data_dir_ok), "--ice-server", url], capsys, started)
    assert line.startswith(f"kefu-relay: error: argument --ice-server: {url!r}")
    assert expected in line


@pytest.mark.parametrize("before_serve", [True, False])
def test_turn_url_without_a_secret(before_serve: bool, data_dir_ok: Path, capsys, started) -> None:
    options = ["--ice-server", "stun:127.0.0.1", "--ice-server", "turns:localhost:5349"]
    argv = ["--data-dir", str(data_dir_ok), *([*options, "serve"] if before_serve else ["serve", *options])]
    line = refused(argv, capsys, started)
    assert line == ("kefu-relay: error: --ice-server turns:localhost:5349 needs the TURN secret: "
                    "pass --turn-secret-file PATH or set KEFU_TURN_SECRET")


# --data-dir ------------------------------------------------------------------------------------------


def test_data_dir_under_a_regular_file(tmp_path: Path, capsys, started) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    line = refused(["--data-dir", str(blocker / "relay")], capsys, started)
    assert line == f"kefu-relay: error: --data-dir {blocker / 'relay'}: {blocker} is a file, not a directory"


def test_data_dir_that_is_a_regular_file(tmp_path: Path, capsys, started) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    line = refused(["--data-dir", str(blocker)], capsys, started)
    assert line == f"kefu-relay: error: --data-dir {blocker}: exists and is not a directory"


def test_data_dir_is_checked_for_adduser_too(tmp_path: Path, capsys, started) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    line = refused(["--data-dir", str(blocker / "x"), "adduser", "--shop", "jiadian", "--username", "n1",
                    "--display-name", "x", "--password-stdin"], capsys, started)
    assert "is a file, not a directory" in line


def test_data_dir_not_writable(shared_dir: Path, capsys, started) -> None:
    shared_dir.chmod(0o555)
    with unprivileged():
        line = refused(["--data-dir", str(shared_dir)], capsys, started)
        created = refused(["--data-dir", str(shared_dir / "relay")], capsys, started)
    assert line == f"kefu-relay: error: --data-dir {shared_dir}: not writable (Permission denied)"
    assert created == f"kefu-relay: error: --data-dir {shared_dir / 'relay'}: cannot create it (Permission denied)"


def test_database_not_writable(shared_dir: Path, capsys, started) -> None:
    shared_dir.chmod(0o777)
    db = shared_dir / "relay.sqlite3"
    db.write_bytes(b"")
    db.chmod(0o444)
    with unprivileged():
        line = refused(["--data-dir", str(shared_dir)], capsys, started)
    assert line == (f"kefu-relay: error: --data-dir {shared_dir}: {db} is not a readable and writable file "
                    "(Permission denied)")


# rates and other values --------------------------------------------------------------------------------


@pytest.mark.parametrize(("option", "value", "expected"), [
    ("--buyer-rate", "abc", "the rate must be a number, as in 5 or 5/20"),
    ("--buyer-rate", "", "the rate must be a number"),
    ("--agent-rate", "0", "the rate must be a number above 0"),
    ("--agent-rate", "-3", "the rate must be a number above 0"),
    ("--agent-rate", "inf", "the rate must be a number above 0"),
    ("--buyer-rate", "nan/5", "the rate must be a number above 0"),
    ("--buyer-rate", "1e308", "at most 1e+06"),
    ("--buyer-rate", "5/0", "the burst must be at least 1"),
    ("--buyer-rate", "5/x", "the burst must be a whole number"),
    ("--buyer-rate", "5/2.5", "the burst must be a whole number"),
    ("--port", "70000", "is not a port number"),
    ("--port", "http", "is not a port number"),
    ("--token-ttl", "0", "must be at least 1"),
    ("--log-level", "loud", "is not one of DEBUG, INFO"),
])
def test_invalid_values(option: str, value: str, expected: str, data_dir_ok: Path, capsys, started) -> None:
    line = refused(["--data-dir", str(data_dir_ok), f"{option}={value}"], capsys, started)
    assert line.startswith(f"kefu-relay: error: argument {option}: {value!r}")
    assert expected in line
    if option != "--log-level":  # a main-parser option; the others are also options of `serve`
        line = refused(["--data-dir", str(data_dir_ok), "serve", option, value], capsys, started,
                       prog="kefu-relay serve")
        assert line.startswith(f"kefu-relay serve: error: argument {option}: {value!r}")
        assert expected in line


async def test_the_real_entry_point_prints_no_traceback(tmp_path: Path) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "relay.cli", "--data-dir", str(tmp_path / "d"), "--port", "0",
        "--turn-secret-file", str(tmp_path / "missing"), cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 2
    missing = tmp_path / "missing"
    assert err.decode().splitlines()[-1] == f"kefu-relay: error: --turn-secret-file {missing}: no such file"
    assert "Traceback" not in err.decode() and out == b""


# what is accepted ---------------------------------------------------------------------------------------


def run(argv: list[str], started: list[RelayConfig]) -> RelayConfig:
    assert cli.main([*argv, "--no-uvloop"]) == 0
    assert len(started) == 1
    return started[0]


def test_accepted_options_reach_the_config(tmp_path: Path, data_dir_ok: Path, started) -> None:
    secret = tmp_path / "turn.secret"
    secret.write_text("  s3cret \n")
    config = run(["--data-dir", str(data_dir_ok), "--buyer-rate", "2.5", "--agent-rate", "40/80",
                  "--ice-server", "STUN:127.0.0.1:3478", "--ice-server",
                  "turn:localhost:3478?transport=udp", "--ice-server", "turns:[::1]:5349",
                  "--turn-secret-file", str(secret), "--log-level", "warning"], started)
    assert config.buyer_rate == RateLimit(rate=2.5, burst=5)
    assert config.agent_rate == RateLimit(rate=40.0, burst=80)
    assert config.ice_servers == ("stun:127.0.0.1:3478", "turn:localhost:3478?transport=udp",
                                  "turns:[::1]:5349")
    assert config.turn_secret == "s3cret"
    assert data_dir_ok.is_dir()


def test_turn_secret_from_the_environment(data_dir_ok: Path, started, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEFU_TURN_SECRET", "from-env")
    config = run(["--data-dir", str(data_dir_ok), "serve", "--ice-server", "turn:localhost"], started)
    assert config.turn_secret == "from-env" and config.ice_servers == ("turn:localhost",)


def test_options_before_serve_are_not_reset_by_it(data_dir_ok: Path, started) -> None:
    config = run(["--data-dir", str(data_dir_ok), "--port", "9000", "--demo", "--allow-origin", "https://a.example",
                  "--ice-server", "stun:127.0.0.2", "serve", "--ice-server", "stun:127.0.0.3",
                  "--allow-origin", "https://b.example"], started)
    assert config.port == 9000 and config.demo
    assert config.ice_servers == ("stun:127.0.0.2", "stun:127.0.0.3")
    assert config.allowed_origins == ("https://a.example", "https://b.example")


async def test_a_real_relay_hands_out_the_configured_ice_servers(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KEFU_TURN_SECRET", "shared-with-coturn")
    relay = await spawn_relay(data_dir, "--ice-server", "stun:127.0.0.1:3478",
                              "--ice-server", "TURN:localhost:3478?transport=tcp")
    client: Any = None
    try:
        client = KefuClient(relay.url, (await buyer_session(relay.url, "b-jiadian-0003")).token)
        await client.connect()
        reply = await client.call(f.GetIceServers)
        assert [s.urls for s in reply.servers] == [["stun:127.0.0.1:3478"],
                                                   ["turn:localhost:3478?transport=tcp"]]
        assert reply.servers[1].username and reply.servers[1].credential and reply.ttl_s > 0
    finally:
        if client is not None:
            await client.close()
        await relay.stop()


# TLS and the address the relay listens on ------------------------------------------------------------

PLAIN_REFUSAL = ("is reachable from other machines and would carry passwords and chats unencrypted: pass "
                 "--tls-cert and --tls-key, or --insecure if a reverse proxy in front of the relay terminates TLS")


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "10.0.0.5", "relay.example.com", "fe80::1"])
def test_a_non_loopback_address_without_tls_is_refused(host: str, data_dir_ok: Path, capsys, started) -> None:
    line = refused(["--data-dir", str(data_dir_ok), "--host", host], capsys, started)
    assert line == f"kefu-relay: error: --host {host} {PLAIN_REFUSAL}"


def test_every_interface_without_tls_is_refused_too(data_dir_ok: Path, capsys, started) -> None:
    line = refused(["--data-dir", str(data_dir_ok), "serve", "--host", ""], capsys, started, prog="kefu-relay")
    assert line == f"kefu-relay: error: --host (every interface) {PLAIN_REFUSAL}"


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "localhost", "LOCALHOST", "::1", "::ffff:127.0.0.1"])
def test_loopback_needs_no_tls(host: str, data_dir_ok: Path, started) -> None:
    config = run(["--data-dir", str(data_dir_ok), "--host", host], started)
    assert config.host == host and not config.tls and not config.insecure
    assert started.contexts == [None]


@pytest.mark.parametrize("before_serve", [True, False])
def test_insecure_allows_a_plain_bind_behind_a_proxy(before_serve: bool, data_dir_ok: Path, started) -> None:
    # Only the command line is checked here: the tests never listen beyond loopback.
    options = ["--host", "0.0.0.0", "--insecure"]
    argv = ["--data-dir", str(data_dir_ok), *([*options, "serve"] if before_serve else ["serve", *options])]
    config = run(argv, started)
    assert config.host == "0.0.0.0" and config.insecure and not config.tls
    assert started.contexts == [None]


def test_tls_files_reach_the_config_and_one_context_is_built(tmp_path: Path, data_dir_ok: Path, started) -> None:
    tls = make_tls(tmp_path / "tls")
    config = run(["--data-dir", str(data_dir_ok), "--host", "0.0.0.0", "serve", "--tls-cert", str(tls.cert),
                  "--tls-key", str(tls.key)], started)
    assert config.tls and config.tls_cert == tls.cert and config.tls_key == tls.key and not config.insecure
    context = started.contexts[0]
    assert isinstance(context, ssl.SSLContext) and context.minimum_version == ssl.TLSVersion.TLSv1_2


@pytest.mark.parametrize(("given", "missing"), [("--tls-cert", "--tls-key"), ("--tls-key", "--tls-cert")])
def test_a_certificate_needs_its_key_and_the_other_way_round(
    given: str, missing: str, tmp_path: Path, data_dir_ok: Path, capsys, started
) -> None:
    tls = make_tls(tmp_path / "tls")
    line = refused(["--data-dir", str(data_dir_ok), given, str(tls.cert if given == "--tls-cert" else tls.key)],
                   capsys, started)
    assert line == f"kefu-relay: error: {given} needs {missing}: pass both, the certificate and its private key"


def _bad_tls_files(case: str, tmp_path: Path) -> tuple[Path, Path, str]:
    """(cert, key, the end of the expected error line) for one kind of unusable TLS file."""
    from datetime import datetime

    from cryptography.hazmat.primitives import serialization

    tls = make_tls(tmp_path / "tls")
    cert, key = tls.cert, tls.key
    if case == "missing cert":
        cert = tmp_path / "nope.crt"
        return cert, key, f"--tls-cert {cert}: no such file"
    if case == "cert is a directory":
        return tmp_path, key, f"--tls-cert {tmp_path}: is a directory, not a file"
    if case == "cert not PEM":
        cert.write_text("hello")
        return cert, key, f"--tls-cert {cert}: not a PEM certificate (expected -----BEGIN CERTIFICATE-----)"
    if case == "key given as cert":
        return key, key, f"--tls-cert {key}: not a PEM certificate (expected -----BEGIN CERTIFICATE-----)"
    if case == "key not PEM":
        key.write_bytes(b"\x00\x01")
        return cert, key, f"--tls-key {key}: not a PEM private key (expected -----BEGIN ... PRIVATE KEY-----)"
    if case == "mismatched key":
        other = make_tls(tmp_path / "other", ca=tls.ca)
        return cert, other.key, (f"--tls-key {other.key}: does not match the certificate in --tls-cert {cert} "
                                 "(the certificate must come first in its file)")
    if case == "encrypted key":
        private = serialization.load_pem_private_key(key.read_bytes(), password=None)
        key.write_bytes(private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                              serialization.BestAvailableEncryption(b"passphrase")))
        return cert, key, (f"--tls-key {key}: the key is encrypted with a passphrase; the relay needs it unencrypted"
                           " (readable by the relay's user only)")
    assert case == "expired cert"
    old = make_tls(tmp_path / "old", not_before=datetime(2020, 1, 1), not_after=datetime(2021, 1, 1))
    return old.cert, old.key, f"--tls-cert {old.cert}: the certificate expired on 2021-01-01 00:00 UTC; renew it"


@pytest.mark.parametrize("case", ["missing cert", "cert is a directory", "cert not PEM", "key given as cert",
                                  "key not PEM", "mismatched key", "encrypted key", "expired cert"])
def test_unusable_tls_files_are_refused_before_the_relay_starts(
    case: str, tmp_path: Path, data_dir_ok: Path, capsys, started
) -> None:
    cert, key, expected = _bad_tls_files(case, tmp_path)
    line = refused(["--data-dir", str(data_dir_ok), "--tls-cert", str(cert), "--tls-key", str(key)], capsys, started)
    assert line == f"kefu-relay: error: {expected}"


def test_an_unreadable_key_is_refused(shared_dir: Path, capsys, started) -> None:
    shared_dir.chmod(0o777)
    tls = make_tls(shared_dir / "tls")
    for path in (shared_dir / "tls", *tls.cert.parent.iterdir()):
        path.chmod(0o755 if path.is_dir() else 0o644)
    tls.key.chmod(0o000)
    with unprivileged():
        line = refused(["--data-dir", str(shared_dir / "data"), "--tls-cert", str(tls.cert), "--tls-key",
                        str(tls.key)], capsys, started)
    assert line == f"kefu-relay: error: --tls-key {tls.key}: cannot read it (Permission denied)"


async def test_the_real_entry_point_refuses_a_plain_public_bind_before_listening(tmp_path: Path) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "relay.cli", "--data-dir", str(tmp_path / "d"), "--port", "0", "--host", "0.0.0.0",
        cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 2 and out == b"" and "Traceback" not in err.decode()
    assert err.decode().splitlines()[-1] == f"kefu-relay: error: --host 0.0.0.0 {PLAIN_REFUSAL}"


# Several relays -----------------------------------------------------------------------------------

def test_redis_joins_relays_on_postgresql(data_dir_ok: Path, started) -> None:
    config = run(["--data-dir", str(data_dir_ok), "--database", "postgresql://kefu@db/kefu",
                  "serve", "--redis", "redis://cache:6379/0"], started)
    assert config.redis_url == "redis://cache:6379/0" and config.database == "postgresql://kefu@db/kefu"


def test_redis_from_the_environment(data_dir_ok: Path, started, monkeypatch) -> None:
    monkeypatch.setenv("KEFU_RELAY_REDIS", "redis://cache:6379/1")
    config = run(["--data-dir", str(data_dir_ok), "--database", "postgresql://kefu@db/kefu"], started)
    assert config.redis_url == "redis://cache:6379/1"


def test_redis_without_a_shared_database_is_refused(data_dir_ok: Path, capsys, started) -> None:
    line = refused(["--data-dir", str(data_dir_ok), "--redis", "redis://cache:6379/0"], capsys, started)
    assert line == ("kefu-relay: error: --redis joins relays that share one database: pass --database"
                    " postgresql://... too (several relays cannot share a SQLite file)")


def test_a_redis_url_of_another_scheme_is_refused(data_dir_ok: Path, capsys, started) -> None:
    line = refused(["--data-dir", str(data_dir_ok), "--database", "postgresql://kefu@db/kefu",
                    "--redis", "cache:6379"], capsys, started)
    assert line == "kefu-relay: error: --redis cache:6379: a redis://, rediss:// or unix:// URL is needed"
