"""Quick replies: listing, searching, editing and filling the shop's and each agent's templates.

Shop templates are edited by supervisors only; personal templates by their owner only, and
nobody sees another agent's personal templates. Filling a template takes its variables from the
conversation: the buyer's nickname, the order (the one named, else the newest), its first
product and tracking number, and the agent's own name.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from relay import templates
from relay.chat import Hub
from relay.clock import Clock
from relay.platform import Platform
from relay.sessions import Connection, Principal
from relay.store import Store
from relay.store.interface import TemplateRow
from wire import frames as f
from wire.codec import FrameError, encode
from wire.errors import ConflictReason, ErrorCode
from wire.matching import template_matches

logger = logging.getLogger(__name__)

MAX_PERSONAL_TEMPLATES = 200

Changes = list[tuple[str, str, str]]
"""(setting, old, new) lines of the settings' audit: here `template:<id>` with its title before and
after ("" when there was none: created or deleted), or `templates.order` with the ids in order."""


def template_frame(row: TemplateRow, principal: Principal) -> f.Template:
    return f.Template(
        template_id=row.id, scope="shop" if row.owner_id is None else "personal", group=row.group,
        title=row.title, body=row.body, shortcut=row.shortcut, initials=row.initials,
        usage_count=row.usage_count, editable=_may_edit(principal, row),
    )


def _may_edit(principal: Principal, row: TemplateRow) -> bool:
    if row.owner_id is None:
        return principal.role == "supervisor"
    return str(row.owner_id) == principal.user_id


class Replies:
    """Handlers of the template frames."""

    def __init__(self, store: Store, platform: Platform, hub: Hub, clock: Clock) -> None:
        self._store = store
        self._platform = platform
        self._hub = hub
        self._clock = clock
        hub.route(f.ListTemplates, self.on_list)
        hub.route(f.SaveTemplate, self.on_save)
        hub.route(f.DeleteTemplate, self.on_delete)
        hub.route(f.RenderTemplate, self.on_render)
        hub.route(f.OrderTemplates, self.on_order)
        self.audit_listeners: list[Callable[[int, Principal, Changes], None]] = []
        """Told of every change to the shop's templates (not to personal ones), to audit it."""

    def _staff(self, principal: Principal, rid: str) -> int:
        if principal.is_buyer or principal.shop_id is None:
            raise FrameError(ErrorCode.FORBIDDEN, "templates belong to the shop's agents", rid)
        return principal.shop_id

    async def _visible(self, principal: Principal, template_id: int, rid: str) -> TemplateRow:
        shop_id = self._staff(principal, rid)
        row = await self._store.get_template(template_id)
        if row is None or row.shop_id != shop_id or (
            row.owner_id is not None and str(row.owner_id) != principal.user_id
        ):
            raise FrameError(ErrorCode.NOT_FOUND, f"no template {template_id}", rid)
        return row

    async def on_list(self, conn: Connection, frame: f.ListTemplates) -> None:
        p = conn.principal
        shop_id = self._staff(p, frame.id)
        rows = await self._store.list_templates(shop_id, int(p.user_id))
        query = frame.query.strip()
        if query:
            rows = [r for r in rows if template_matches(query, title=r.title, body=r.body, shortcut=r.shortcut,
                                                         group=r.group, title_initials=r.initials)]
        conn.send(encode(f.TemplateList(id=frame.id, templates=[template_frame(r, p) for r in rows])))

    async def on_save(self, conn: Connection, frame: f.SaveTemplate) -> None:
        p = conn.principal
        shop_id = self._staff(p, frame.id)
        draft = frame.template
        if draft.scope == "shop" and p.role != "supervisor":
            raise FrameError(ErrorCode.FORBIDDEN, "only supervisors edit the shop's templates", frame.id)
        owner = None if draft.scope == "shop" else int(p.user_id)
        if frame.template_id is not None:
            old = await self._visible(p, frame.template_id, frame.id)
            if not _may_edit(p, old):
                raise FrameError(ErrorCode.FORBIDDEN, "only supervisors edit the shop's templates", frame.id)
            if old.owner_id != owner:
                raise FrameError(ErrorCode.INVALID_FIELD, "a template keeps its scope; create a new one", frame.id)
        elif owner is not None and len([
            r for r in await self._store.list_templates(shop_id, owner) if r.owner_id == owner
        ]) >= MAX_PERSONAL_TEMPLATES:
            raise FrameError(ErrorCode.CONFLICT, f"at most {MAX_PERSONAL_TEMPLATES} personal templates", frame.id,
                             reason=ConflictReason.TEMPLATE_LIMIT)
        row = await self._store.save_template(TemplateRow(
            id=frame.template_id or 0, shop_id=shop_id, owner_id=owner, group=draft.group.strip(),
            title=draft.title.strip(), body=draft.body, shortcut=draft.shortcut,
            initials=templates.initials(draft.title), usage_count=0, updated_at=self._clock.now_ms(),
        ))
        conn.send(encode(f.TemplateSaved(id=frame.id, template=template_frame(row, p))))
        self._changed(shop_id, owner)
        if owner is None:
            before = old.title if frame.template_id is not None else ""
            self._audit(shop_id, p, [(f"template:{row.id}", before, row.title)])

    async def on_delete(self, conn: Connection, frame: f.DeleteTemplate) -> None:
        p = conn.principal
        row = await self._visible(p, frame.template_id, frame.id)
        if not _may_edit(p, row):
            raise FrameError(ErrorCode.FORBIDDEN, "only supervisors delete the shop's templates", frame.id)
        await self._store.delete_template(row.id)
        conn.send(encode(f.Ok(id=frame.id)))
        self._changed(row.shop_id, row.owner_id)
        if row.owner_id is None:
            self._audit(row.shop_id, p, [(f"template:{row.id}", row.title, "")])

    async def on_order(self, conn: Connection, frame: f.OrderTemplates) -> None:
        p = conn.principal
        shop_id = self._staff(p, frame.id)
        if frame.scope == "shop" and p.role != "supervisor":
            raise FrameError(ErrorCode.FORBIDDEN, "only supervisors order the shop's templates", frame.id)
        owner = None if frame.scope == "shop" else int(p.user_id)
        listed = [r.id for r in await self._store.list_templates(shop_id, int(p.user_id)) if r.owner_id == owner]
        ours = set(listed)
        unknown = [t for t in frame.template_ids if t not in ours]
        if unknown:  # another shop's, another agent's, or of the other scope: as if they did not exist
            raise FrameError(ErrorCode.NOT_FOUND, f"no {frame.scope} templates {unknown}", frame.id)
        await self._store.reorder_templates(shop_id, owner, frame.template_ids)
        conn.send(encode(f.Ok(id=frame.id)))
        self._changed(shop_id, owner)
        if owner is None:
            named = list(dict.fromkeys(frame.template_ids))
            after = named + [t for t in listed if t not in named]
            if after != listed:
                self._audit(shop_id, p, [("templates.order", ",".join(map(str, listed)), ",".join(map(str, after)))])

    def _audit(self, shop_id: int, p: Principal, changes: Changes) -> None:
        for listener in self.audit_listeners:
            listener(shop_id, p, changes)

    def _changed(self, shop_id: int, owner: int | None) -> None:
        """Everyone who sees the changed templates lists them again: the shop's staff, or their owner."""
        if owner is None:
            self._hub.send_to_shop(shop_id, encode(f.TemplatesChanged(scope="shop")))
        else:
            self._hub.send_to_account(str(owner), encode(f.TemplatesChanged(scope="personal")))

    async def on_render(self, conn: Connection, frame: f.RenderTemplate) -> None:
        p = conn.principal
        row = await self._visible(p, frame.template_id, frame.id)
        shop_id, buyer_id = await self._hub.check_access(p, frame.conversation_id, frame.id)
        orders = await self._platform.orders(shop_id, buyer_id)
        order = next((o for o in orders if o.order_no == frame.order_no), None) if frame.order_no else (
            orders[0] if orders else None)
        if frame.order_no and order is None:
            raise FrameError(ErrorCode.NOT_FOUND, f"order {frame.order_no} is not this buyer's", frame.id)
        profile = await self._store.platform_buyer(buyer_id)
        values = {
            "buyer_name": profile[0] if profile else None,
            "order_no": order.order_no if order else None,
            "product": order.items[0].title if order and order.items else None,
            "tracking_no": order.tracking_no if order else None,
            "agent_name": p.display_name,
        }
        text, missing = templates.render(row.body, values)
        await self._store.count_template_use(row.id)
        conn.send(encode(f.TemplateRendered(id=frame.id, text=text, missing=missing)))
