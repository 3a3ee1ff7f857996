"""The shop's shared settings on the workstation, on plain asyncio (no Qt here).

`ShopConfigBook` rides on a `DeskService`: it keeps the shop's current `ShopConfig` (routing mode,
service hours, the video-call policy, each agent's cap and, for supervisors, the latest changes),
kept up to date from the relay's pushes through `DeskService.frame_listeners`. Its change methods
check a change the way the relay would before sending it, so the supervisor reads what is wrong
at once (`SettingRejected`); the relay checks everything again and has the last word.

It also follows `templates_changed` pushes: the service's templates are listed again, so a shop
template a supervisor edits is offered with its new text at once in every open workstation.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.errors import KefuError
from app.services import DeskService
from wire import frames as f
from wire import staff as s

logger = logging.getLogger(__name__)

MIN_CAP, MAX_CAP = 1, 50
MAX_INVITES_PER_DAY = 20
MAX_COOLDOWN_S = 86_400
MIN_DURATION_S, MAX_DURATION_S = 60, 4 * 3600
ROUTING_MODES = ("auto", "manual", "both")
_OPENS = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
_CLOSES = re.compile(r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$")

Problem = Literal[
    "supervisors_only", "unknown_agent", "cap_range", "mode", "time_format", "hours_order", "timezone",
    "invites_range", "cooldown_range", "duration_range", "warning_after_end",
]


class SettingRejected(KefuError):
    """A change the relay would refuse, caught before sending: `setting` says which, `problem` why."""

    def __init__(self, setting: str, problem: Problem, limits: tuple[int, ...] = ()) -> None:
        super().__init__(f"{setting}: {problem}")
        self.setting = setting
        self.problem = problem
        self.limits = limits
        """The bounds the value must keep (for the message), when there are any."""


ConfigListener = Callable[[s.ShopConfig], None]
TemplatesListener = Callable[[str], None]


class ShopConfigBook:
    """The shop's settings as the relay last said, and the supervisor's ways of changing them."""

    def __init__(self, desk: DeskService) -> None:
        self.desk = desk
        self.config: s.ShopConfig | None = None
        """The latest settings (None until loaded or pushed)."""
        self.audit: list[s.AuditEntry] = []
        """The latest changes, newest first (supervisors only: the relay tells nobody else)."""
        self.config_listeners: list[ConfigListener] = []
        """Called with the new settings after each load or push (`changed_by` says who, on a push)."""
        self.templates_listeners: list[TemplatesListener] = []
        """Called with the scope ("shop" or "personal") once the desk's templates are listed again."""
        self._audit_wanted = False
        self._audit_loading = False
        desk.frame_listeners.append(self._on_frame)

    @property
    def supervisor(self) -> bool:
        return self.desk.session.role == "supervisor"

    def close(self) -> None:
        """Stop following the relay's pushes."""
        if self._on_frame in self.desk.frame_listeners:
            self.desk.frame_listeners.remove(self._on_frame)
        self.config_listeners.clear()
        self.templates_listeners.clear()

    # pushes --------------------------------------------------------------------------------

    def _on_frame(self, frame: f.ServerFrame) -> None:
        if isinstance(frame, s.ShopConfig) and frame.id is None:
            self._apply(frame)
            if self.supervisor:
                self._audit_wanted = True  # a push carries no audit: ask for the latest entries
                if not self._audit_loading:
                    self.desk.spawn(self._load_audit())
        elif isinstance(frame, s.TemplatesChanged):
            self.desk.spawn(self._templates_changed(frame.scope))

    def _apply(self, config: s.ShopConfig) -> None:
        self.config = config
        if config.audit or config.id is not None:
            self.audit = list(config.audit)
        for listener in list(self.config_listeners):
            try:
                listener(config)
            except Exception:
                logger.exception("a shop-config listener failed")

    async def _load_audit(self) -> None:
        self._audit_loading = True
        try:
            while self._audit_wanted:
                self._audit_wanted = False
                try:
                    await self.load()
                except KefuError as exc:
                    logger.info("shop settings not reloaded: %s", exc)
                    return
        finally:
            self._audit_loading = False

    async def _templates_changed(self, scope: str) -> None:
        await self.desk.refresh_templates()
        for listener in list(self.templates_listeners):
            try:
                listener(scope)
            except Exception:
                logger.exception("a templates listener failed")

    # reading -------------------------------------------------------------------------------

    async def load(self) -> s.ShopConfig:
        """Ask the relay for the settings now (with the latest changes, for a supervisor)."""
        reply = await self.desk.request(s.GetShopConfig)
        assert isinstance(reply, s.ShopConfig)
        self._apply(reply)
        return reply

    def cap_of(self, agent_id: str) -> int | None:
        if self.config is None:
            return None
        return next((c.cap for c in self.config.caps if c.agent_id == agent_id), None)

    # changing ------------------------------------------------------------------------------

    def _require_supervisor(self, setting: str) -> None:
        if not self.supervisor:
            raise SettingRejected(setting, "supervisors_only")

    def check_cap(self, agent_id: str, cap: int) -> None:
        setting = f"cap:{agent_id}"
        self._require_supervisor(setting)
        if self.config is not None and self.cap_of(agent_id) is None:
            raise SettingRejected(setting, "unknown_agent")
        if not MIN_CAP <= cap <= MAX_CAP:
            raise SettingRejected(setting, "cap_range", (MIN_CAP, MAX_CAP))

    async def set_cap(self, agent_id: str, cap: int) -> None:
        """The most chats this agent may hold at once (new chats stop going to an agent at the cap)."""
        self.check_cap(agent_id, cap)
        await self.desk.request(f.SetCap, agent_id=agent_id, cap=cap)

    def check_hours(self, *, mode: str | None = None, opens: str | None = None, closes: str | None = None,
                    timezone: str | None = None) -> None:
        self._require_supervisor("mode" if mode is not None else "opens")
        if mode is not None and mode not in ROUTING_MODES:
            raise SettingRejected("mode", "mode")
        if opens is not None and not _OPENS.match(opens):
            raise SettingRejected("opens", "time_format")
        if closes is not None and not _CLOSES.match(closes):
            raise SettingRejected("closes", "time_format")
        current = self.config
        first = opens if opens is not None else (current.opens if current else None)
        last = closes if closes is not None else (current.closes if current else None)
        if first is not None and last is not None and last != "24:00" and first >= last:
            raise SettingRejected("closes", "hours_order")
        if timezone is not None:
            try:
                ZoneInfo(timezone)
            except (ZoneInfoNotFoundError, ValueError):
                raise SettingRejected("timezone", "timezone") from None

    async def set_hours(self, *, mode: str | None = None, opens: str | None = None, closes: str | None = None,
                        timezone: str | None = None) -> None:
        """The routing mode, service hours and time zone (None: unchanged)."""
        self.check_hours(mode=mode, opens=opens, closes=closes, timezone=timezone)
        fields = {k: v for k, v in (("mode", mode), ("opens", opens), ("closes", closes), ("timezone", timezone))
                  if v is not None}
        if fields:
            await self.desk.request(f.ShopSettings, **fields)

    def check_calls(self, *, enabled: bool | None = None, invites_per_day: int | None = None,
                    decline_cooldown_s: int | None = None, max_duration_s: int | None = None,
                    warning_before_s: int | None = None) -> None:
        self._require_supervisor("calls.enabled")
        if invites_per_day is not None and not 0 <= invites_per_day <= MAX_INVITES_PER_DAY:
            raise SettingRejected("calls.invites_per_day", "invites_range", (0, MAX_INVITES_PER_DAY))
        if decline_cooldown_s is not None and not 0 <= decline_cooldown_s <= MAX_COOLDOWN_S:
            raise SettingRejected("calls.decline_cooldown_s", "cooldown_range", (0, MAX_COOLDOWN_S))
        if max_duration_s is not None and not MIN_DURATION_S <= max_duration_s <= MAX_DURATION_S:
            raise SettingRejected("calls.max_duration_s", "duration_range", (MIN_DURATION_S, MAX_DURATION_S))
        policy = self.config.calls if self.config else None
        duration = max_duration_s if max_duration_s is not None else (policy.max_duration_s if policy else None)
        warning = warning_before_s if warning_before_s is not None else (policy.warning_before_s if policy else None)
        if duration is not None and warning is not None and warning >= duration:
            raise SettingRejected("calls.max_duration_s", "warning_after_end", (warning,))

    async def set_calls(self, *, enabled: bool | None = None, invites_per_day: int | None = None,
                        decline_cooldown_s: int | None = None, max_duration_s: int | None = None,
                        warning_before_s: int | None = None) -> None:
        """The shop's video-call policy: the shop-wide switch, invitations per buyer a day, the pause
        after a decline, the longest call (None: unchanged)."""
        fields: dict[str, Any] = {k: v for k, v in (
            ("enabled", enabled), ("invites_per_day", invites_per_day), ("decline_cooldown_s", decline_cooldown_s),
            ("max_duration_s", max_duration_s), ("warning_before_s", warning_before_s)) if v is not None}
        self.check_calls(**fields)
        if fields:
            await self.desk.request(f.CallSettings, **fields)

    async def order_templates(self, scope: Literal["shop", "personal"], template_ids: list[int]) -> None:
        """Put the scope's templates in this order (shop templates: supervisors only); lists them again."""
        if scope == "shop":
            self._require_supervisor("templates")
        await self.desk.request(s.OrderTemplates, scope=scope, template_ids=template_ids)
        await self.desk.refresh_templates()
