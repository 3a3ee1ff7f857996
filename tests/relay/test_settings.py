"""The relay's options from a TOML file and the environment (relay/settings.py), and its JSON logs."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from relay.cli import build_parser, config_from, parse_args
from relay.logs import JsonFormatter
from relay.settings import SettingsError, defaults_from


def parse(argv: list[str], environ: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    parser = build_parser()
    parser.set_defaults(**defaults_from(parser, argv, environ or {}))
    return parse_args(parser, argv)


def test_a_flag_beats_the_environment_which_beats_the_file_which_beats_the_default(tmp_path: Path) -> None:
    file = tmp_path / "relay.toml"
    file.write_text('[relay]\nport = 9001\nhost = "127.0.0.2"\nfsync = "normal"\ndata-dir = "state"\n'
                    'allow-origin = ["https://shop.example"]\ndemo = true\n', encoding="utf-8")
    args = parse(["--config", str(file)])
    assert (args.port, args.host, args.fsync, args.demo) == (9001, "127.0.0.2", "normal", True)
    assert args.data_dir == tmp_path / "state"  # relative to the file
    assert args.allow_origin == ["https://shop.example"]
    env = {"KEFU_RELAY_PORT": "9002", "KEFU_RELAY_DEMO": "no"}
    args = parse(["--config", str(file)], env)
    assert (args.port, args.demo, args.host) == (9002, False, "127.0.0.2")
    args = parse(["--config", str(file), "serve", "--port", "9003", "--allow-origin", "https://b.example"], env)
    assert args.port == 9003
    assert args.allow_origin == ["https://shop.example", "https://b.example"]
    assert parse([]).port == 8765


def test_the_file_can_be_named_by_the_environment(tmp_path: Path) -> None:
    file = tmp_path / "relay.toml"
    file.write_text("port = 9100\n", encoding="utf-8")
    assert parse([], {"KEFU_RELAY_CONFIG": str(file)}).port == 9100


@pytest.mark.parametrize(("text", "expected"), [
    ("prot = 1\n", "unknown setting 'prot'"),
    ('port = "many"\n', "port"),
    ("port = 70000\n", "port"),
    ('fsync = "sometimes"\n', "'sometimes' is not one of full, normal"),
    ("demo = 3\n", "is not true or false"),
    ("port = [1, 2]\n", "expected"),
    ("port = \n", "not valid TOML"),
])
def test_a_bad_file_is_refused_with_the_key_at_fault(tmp_path: Path, text: str, expected: str) -> None:
    file = tmp_path / "relay.toml"
    file.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError, match=expected):
        parse(["--config", str(file)])


def test_a_bad_environment_value_is_refused_with_its_name() -> None:
    with pytest.raises(SettingsError, match="KEFU_RELAY_PORT"):
        parse([], {"KEFU_RELAY_PORT": "eighty"})
    with pytest.raises(SettingsError, match="no such file"):
        parse(["--config", "/nonexistent/relay.toml"])


def test_the_configuration_carries_the_database_url(tmp_path: Path) -> None:
    args = parse(["--data-dir", str(tmp_path)], {"KEFU_RELAY_DATABASE": "postgresql://kefu@127.0.0.1:5432/kefu"})
    assert config_from(args).database == "postgresql://kefu@127.0.0.1:5432/kefu"
    assert config_from(parse(["--data-dir", str(tmp_path)])).database is None


def test_json_logs_are_one_object_per_line_with_the_extras() -> None:
    record = logging.LogRecord("relay.cli", logging.WARNING, __file__, 1, "relay %s on %d", ("up", 8765), None)
    record.shop = "jiadian"
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "WARNING" and entry["logger"] == "relay.cli"
    assert entry["message"] == "relay up on 8765" and entry["shop"] == "jiadian"
    assert entry["ts"].endswith("Z")
    try:
        raise ValueError("出错了")
    except ValueError:
        import sys

        record = logging.LogRecord("relay", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    entry = json.loads(JsonFormatter().format(record))
    assert "ValueError: 出错了" in entry["exception"]
