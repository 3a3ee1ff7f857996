"""Template variables and filling them, shared by the relay (`template_render`) and the workstation
(the template editor's preview), so both fill a body the same way."""

from __future__ import annotations

import re
from collections.abc import Mapping

VARIABLES: tuple[str, ...] = ("buyer_name", "order_no", "product", "agent_name", "tracking_no")
_VARIABLE = re.compile(r"\{(" + "|".join(VARIABLES) + r")\}")


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


def variables_in(body: str) -> list[str]:
    """The known variables a body uses, in order of first use."""
    seen: list[str] = []
    for match in _VARIABLE.finditer(body):
        if match.group(1) not in seen:
            seen.append(match.group(1))
    return seen
