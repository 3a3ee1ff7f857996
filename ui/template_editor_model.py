"""The template editor's logic without widgets: templates by group, moving one up or down within
its group, and checking a draft the way the relay would (`wire.frames.TemplateDraft`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from wire import frames as f
from wire.templating import VARIABLES

MAX_GROUP, MAX_TITLE, MAX_BODY, MAX_SHORTCUT = 20, 40, 1000, 16
_SHORTCUT = re.compile(r"^[a-z0-9]*$")
_ANY_VARIABLE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def of_scope(templates: list[f.Template], scope: str) -> list[f.Template]:
    """The scope's templates in the relay's order."""
    return [t for t in templates if t.scope == scope]


def grouped(templates: list[f.Template]) -> list[tuple[str, list[f.Template]]]:
    """Groups in order of their first template, each with its templates in order."""
    groups: dict[str, list[f.Template]] = {}
    for template in templates:
        groups.setdefault(template.group, []).append(template)
    return list(groups.items())


def flat_order(templates: list[f.Template]) -> list[int]:
    """The ids as the editor shows them (group by group): the order to store."""
    return [t.template_id for _, members in grouped(templates) for t in members]


def moved(templates: list[f.Template], template_id: int, step: int) -> list[int] | None:
    """The scope's order with one template moved `step` places within its group (None: it cannot move)."""
    order = grouped(templates)
    for _, members in order:
        ids = [t.template_id for t in members]
        if template_id in ids:
            at = ids.index(template_id)
            to = at + step
            if not 0 <= to < len(ids):
                return None
            members[at], members[to] = members[to], members[at]
            return [t.template_id for _, group in order for t in group]
    return None


def moved_group(templates: list[f.Template], group: str, step: int) -> list[int] | None:
    """The scope's order with a whole group moved `step` places among the groups."""
    order = grouped(templates)
    names = [name for name, _ in order]
    if group not in names:
        return None
    at = names.index(group)
    to = at + step
    if not 0 <= to < len(order):
        return None
    order[at], order[to] = order[to], order[at]
    return [t.template_id for _, group_members in order for t in group_members]


@dataclass(frozen=True, slots=True)
class DraftProblem:
    """What is wrong with a draft: `field` ("group", "title", "body", "shortcut") and `problem`."""

    field: str
    problem: str  # "empty", "too_long", "shortcut_chars", "shortcut_taken"
    limit: int = 0


def check_draft(draft: f.TemplateDraft, others: list[f.Template], template_id: int | None) -> DraftProblem | None:
    """The first problem the relay would refuse (or the agent would regret: a shortcut used twice)."""
    for name, value, limit in (("group", draft.group, MAX_GROUP), ("title", draft.title, MAX_TITLE),
                               ("body", draft.body, MAX_BODY)):
        if not value.strip():
            return DraftProblem(name, "empty")
        if len(value) > limit:
            return DraftProblem(name, "too_long", limit)
    if len(draft.shortcut) > MAX_SHORTCUT:
        return DraftProblem("shortcut", "too_long", MAX_SHORTCUT)
    if not _SHORTCUT.match(draft.shortcut):
        return DraftProblem("shortcut", "shortcut_chars")
    if draft.shortcut and any(t.shortcut == draft.shortcut and t.template_id != template_id for t in others):
        return DraftProblem("shortcut", "shortcut_taken")
    return None


def unknown_variables(body: str) -> list[str]:
    """Names in braces that are not template variables (they would be sent as written)."""
    seen: list[str] = []
    for match in _ANY_VARIABLE.finditer(body):
        name = match.group(1)
        if name not in VARIABLES and name not in seen:
            seen.append(name)
    return seen
