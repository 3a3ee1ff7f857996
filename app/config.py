"""The workstation's configuration (typed, loaded once, passed in) and the agent's preferences.

`DeskConfig` is what the process is started with (command line, environment). `Preferences` is
what the agent changes in the settings dialog; it is kept as JSON in the data directory. Secrets
(tokens, passwords) are never in either: tokens go to the system keyring (`app.credentials`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

DEFAULT_RELAY_URL = "http://127.0.0.1:8765"


def default_ca_file() -> str:
    """The custom CA file for a self-hosted relay when none is chosen in the login dialog: $KEFU_CA_FILE."""
    return os.environ.get("KEFU_CA_FILE", "").strip()


def default_data_dir() -> Path:
    """Where local history and preferences live: $KEFU_DESK_HOME, else the XDG data directory."""
    explicit = os.environ.get("KEFU_DESK_HOME")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "kefu-desk"


@dataclass(frozen=True, slots=True)
class DeskConfig:
    """How this workstation process runs."""

    data_dir: Path = field(default_factory=default_data_dir)
    relay_url: str = DEFAULT_RELAY_URL
    reconnect_max_s: float = 10.0
    """Longest pause between two reconnection attempts."""
    request_timeout_s: float = 10.0
    ca_file: str = field(default_factory=default_ca_file)
    """A PEM file of authorities trusted besides the system's, for an https relay (app/tls.py)."""

    def account_dir(self, relay_url: str, shop: str, username: str) -> Path:
        """Each account's history is kept apart (several agents may share a computer)."""
        host = relay_url.split("://", 1)[-1].rstrip("/").replace(":", "_").replace("/", "_")
        return self.data_dir / "accounts" / f"{host}__{shop}__{username}"


@dataclass(frozen=True, slots=True)
class Preferences:
    """What the agent chose; every field has a sensible default."""

    language: str = ""
    """"zh_CN" or "en"; empty follows the system locale (Chinese on a Chinese locale)."""
    notify_new_chat: bool = True
    notify_sla: bool = True
    sound: bool = True
    notify_supervisor: bool = True
    """Supervisors: alerts for the 3-minute rate below its bar, a chat overdue, a complaint."""
    remember_me: bool = True
    relay_url: str = ""
    shop: str = ""
    username: str = ""
    ca_file: str = ""
    """The custom CA file (PEM) a self-hosted relay's certificate is verified with; "" for none."""

    @classmethod
    def from_json(cls, data: Any) -> Preferences:
        """Tolerant: unknown keys are ignored, wrong types fall back to the default."""
        if not isinstance(data, dict):
            return cls()
        defaults = cls()
        values: dict[str, Any] = {}
        for item in fields(cls):
            value = data.get(item.name, getattr(defaults, item.name))
            values[item.name] = value if isinstance(value, type(getattr(defaults, item.name))) else getattr(
                defaults, item.name)
        return cls(**values)

    def with_changes(self, **changes: Any) -> Preferences:
        return replace(self, **changes)


class PreferenceStore:
    """Preferences as a JSON file, read and written off the event loop, replaced atomically."""

    def __init__(self, path: Path) -> None:
        self.path = path

    async def load(self) -> Preferences:
        return await asyncio.to_thread(self._load)

    async def save(self, prefs: Preferences) -> None:
        await asyncio.to_thread(self._save, prefs)

    def _load(self) -> Preferences:
        try:
            return Preferences.from_json(json.loads(self.path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            return Preferences()
        except (OSError, ValueError) as exc:
            logger.warning("preferences unreadable (%s); using defaults", exc)
            return Preferences()

    def _save(self, prefs: Preferences) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(prefs), ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(tmp, self.path)
