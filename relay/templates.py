"""Template logic without I/O: pinyin initials and the demo set (filling variables is `wire.templating`)."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pypinyin import Style, lazy_pinyin

from wire.templating import VARIABLES as VARIABLES
from wire.templating import render as render

logger = logging.getLogger(__name__)

DEMO_FILE = Path(__file__).resolve().parent.parent / "resources" / "demo" / "templates.json"


@lru_cache(maxsize=4096)
def initials(text: str) -> str:
    """Pinyin first letters of Chinese characters, ASCII letters and digits lowercased, the rest dropped."""
    letters = lazy_pinyin(text, style=Style.FIRST_LETTER, errors=lambda chars: chars)
    return "".join(ch for part in letters for ch in part.lower() if ch.isascii() and ch.isalnum())


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
