"""Template logic without I/O: pinyin initials, matching, filling variables, the demo set."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pypinyin import Style, lazy_pinyin

logger = logging.getLogger(__name__)

VARIABLES: tuple[str, ...] = ("buyer_name", "order_no", "product", "agent_name", "tracking_no")
DEMO_FILE = Path(__file__).resolve().parent.parent / "resources" / "demo" / "templates.json"
_VARIABLE = re.compile(r"\{(" + "|".join(VARIABLES) + r")\}")


@lru_cache(maxsize=4096)
def initials(text: str) -> str:
    """Pinyin first letters of Chinese characters, ASCII letters and digits lowercased, the rest dropped."""
    letters = lazy_pinyin(text, style=Style.FIRST_LETTER, errors=lambda chars: chars)
    return "".join(ch for part in letters for ch in part.lower() if ch.isascii() and ch.isalnum())


def render(body: str, values: Mapping[str, str | None]) -> tuple[str, list[str]]:
    """Fill the known variables that have a value; report (and leave as written) those without one."""
    missing: list[str] = []

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        value = values.get(name)
        if value:
            return value
        if name not in missing:
            missing.append(name)
        return match.group(0)

    return _VARIABLE.sub(fill, body), missing


@dataclass(frozen=True, slots=True)
class DemoTemplate:
    """A starter shop template."""

    group: str
    title: str
    body: str
    shortcut: str
    scope: str = "shop"


def load_demo_templates(path: Path = DEMO_FILE) -> tuple[DemoTemplate, ...]:
    """The demo shop's starter templates."""
    data = json.loads(path.read_text(encoding="utf-8"))
    result = []
    for i, item in enumerate(data["templates"]):
        try:
            result.append(DemoTemplate(group=item["group"], title=item["title"], body=item["body"],
                                       shortcut=item.get("shortcut", "")))
        except (KeyError, TypeError) as exc:
            raise ValueError(f"{path.name}: template {i} is malformed ({exc})") from None
    return tuple(result)
