"""Template matching shared by the relay (server-side search) and the workstation (the picker filters
locally as the agent types), so both find the same templates for the same query."""

from __future__ import annotations


def template_matches(query: str, *, title: str, body: str, shortcut: str, group: str, title_initials: str) -> bool:
    """Whether a template matches what the agent typed (Chinese text, shortcut or pinyin initials)."""
    q = query.strip().lower()
    if not q:
        return True
    if q in title.lower() or q in body.lower() or q in group.lower() or shortcut.startswith(q):
        return True
    return q.isascii() and q.isalnum() and q in title_initials
