"""The relay's options from a TOML file and the environment, under the command line.

Every option of `kefu-relay serve` can also come from `--config FILE` (or KEFU_RELAY_CONFIG), a
TOML file whose keys are the option names (`tls-cert = "/etc/kefu/cert.pem"`; `tls_cert` works
too), or from an environment variable KEFU_RELAY_<NAME> (`KEFU_RELAY_TLS_CERT`). A flag beats the
environment, which beats the file, which beats the default; a repeatable option given as a flag
adds to the file's or the environment's list. Paths in the file are relative to the file. Unknown
keys and values of the wrong kind are refused with the key's name, before anything starts.
docs/deploy.md lists every option with its default.
"""

from __future__ import annotations

import argparse
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ENV_PREFIX = "KEFU_RELAY_"
CONFIG_ENV = "KEFU_RELAY_CONFIG"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_NOT_SETTINGS = {"help", "command", "config"}


class SettingsError(Exception):
    """A file or variable that cannot work, in one line."""


def _options(parser: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    return {a.dest: a for a in parser._actions
            if a.option_strings and a.dest not in _NOT_SETTINGS and not a.dest.startswith("serve_")}


def _convert(action: argparse.Action, value: Any, where: str, base: Path | None) -> Any:
    if isinstance(action, argparse._StoreTrueAction):
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE | _FALSE:
            return text in _TRUE
        raise SettingsError(f"{where}: {value!r} is not true or false")
    if isinstance(action, argparse._AppendAction):
        items = value if isinstance(value, list) else [v for v in str(value).split(",") if v.strip()]
        return [_one(action, item, where, base) for item in items]
    if isinstance(value, (list, dict)):
        raise SettingsError(f"{where}: expected one value, not {type(value).__name__}")
    return _one(action, value, where, base)


def _one(action: argparse.Action, value: Any, where: str, base: Path | None) -> Any:
    if isinstance(value, (list, dict)) or value is None:
        raise SettingsError(f"{where}: expected a single value")
    text = str(value).strip() if not isinstance(value, bool) else str(value).lower()
    if action.choices is not None and text not in action.choices:
        raise SettingsError(f"{where}: {text!r} is not one of {', '.join(map(str, action.choices))}")
    convert = action.type
    if convert is None:
        return text
    try:
        converted: Any = convert(text)  # type: ignore[operator]
    except (argparse.ArgumentTypeError, ValueError) as exc:
        raise SettingsError(f"{where}: {exc}") from None
    if isinstance(converted, Path) and base is not None and not converted.is_absolute():
        converted = base / converted
    return converted


def _config_path(argv: list[str], environ: Mapping[str, str]) -> Path | None:
    for i, arg in enumerate(argv):
        if arg == "--config" and i + 1 < len(argv):
            return Path(argv[i + 1])
        if arg.startswith("--config="):
            return Path(arg.split("=", 1)[1])
    explicit = environ.get(CONFIG_ENV)
    return Path(explicit) if explicit else None


def defaults_from(parser: argparse.ArgumentParser, argv: list[str],
                  environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The defaults that the config file and the environment give `parser`'s options."""
    environ = os.environ if environ is None else environ
    options = _options(parser)
    values: dict[str, Any] = {}
    path = _config_path(argv, environ)
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise SettingsError(f"--config {path}: no such file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise SettingsError(f"--config {path}: cannot read it ({exc})") from None
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"--config {path}: not valid TOML ({exc})") from None
        table = data.get("relay", data)
        if not isinstance(table, dict):
            raise SettingsError(f"--config {path}: [relay] must be a table")
        for key, value in table.items():
            dest = key.replace("-", "_")
            if dest not in options:
                known = ", ".join(sorted(k.replace("_", "-") for k in options))
                raise SettingsError(f"--config {path}: unknown setting {key!r} (known: {known})")
            values[dest] = _convert(options[dest], value, f"--config {path}: {key}", path.parent.resolve())
    for dest, action in options.items():
        name = ENV_PREFIX + dest.upper()
        if name in environ:
            values[dest] = _convert(action, environ[name], name, None)
    return values
