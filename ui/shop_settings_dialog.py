"""The shop's shared settings, for supervisors: each agent's cap, routing, service hours, call policy.

Not the agent's own preferences (ui/settings_dialog.py): these are the shop's, on the relay, the same
for every workstation. The dialog shows them as the relay last said, with the latest changes (who,
when, from what to what), and follows other supervisors' changes live: a field this supervisor has not
touched shows the new value at once; one being edited keeps the edit until it is saved. Changes are
checked before sending (app.shop_config) and said in plain words when they cannot be made.

`ShopActions` puts "Templates…" (everyone) and "Shop settings…" (supervisors only) in the main
window's toolbar and opens the two dialogs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from PySide6.QtCore import QDateTime, QEvent, QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app.errors import KefuError
from app.services import DeskService
from app.shop_config import MAX_CAP, MIN_CAP, SettingRejected, ShopConfigBook
from ui.errors import error_text
from ui.tasks import Tasks
from ui.template_editor import TemplateEditorDialog
from wire import staff as s

logger = logging.getLogger(__name__)

TIMEZONES = ("Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Tokyo", "Asia/Singapore", "Europe/London",
             "America/New_York", "UTC")


@dataclass(frozen=True, slots=True)
class FormValues:
    """What the form shows, in the form's units (minutes for the call policy's times)."""

    caps: dict[str, int] = field(default_factory=dict)
    mode: str = "auto"
    opens: str = ""
    closes: str = ""
    timezone: str = ""
    enabled: bool = True
    invites_per_day: int = 0
    cooldown_min: int = 0
    duration_min: int = 1


def values_of(config: s.ShopConfig) -> FormValues:
    calls = config.calls
    return FormValues(caps={c.agent_id: c.cap for c in config.caps}, mode=config.mode, opens=config.opens,
                      closes=config.closes, timezone=config.timezone, enabled=calls.enabled,
                      invites_per_day=calls.invites_per_day, cooldown_min=round(calls.decline_cooldown_s / 60),
                      duration_min=max(1, round(calls.max_duration_s / 60)))


class ShopSettingsDialog(QDialog):
    """Non-modal; opened with `open()` or `show()`. Everything is read-only for an agent."""

    def __init__(self, service: DeskService, book: ShopConfigBook, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shopSettingsDialog")
        self.service = service
        self.book = book
        self.tasks = Tasks(self.show_error)
        self.base = FormValues()
        """The values the form was last filled from: a field still equal to its base is not being edited."""
        self.names: dict[str, str] = {}
        self._filled = False
        self.supervisor = service.session.role == "supervisor"

        self.note = QLabel(self)
        self.note.setObjectName("shopSettingsNote")
        self.live_note = QLabel(self)
        self.live_note.setObjectName("shopSettingsLive")
        self.message = QLabel(self)
        self.message.setObjectName("shopSettingsMessage")
        for label in (self.note, self.live_note, self.message):
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setWordWrap(True)
        self.caps_table = QTableWidget(0, 2, self)
        self.caps_table.verticalHeader().hide()
        self.caps_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.caps_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.cap_boxes: dict[str, QSpinBox] = {}
        self.mode = QComboBox(self)
        self.opens = QLineEdit(self)
        self.closes = QLineEdit(self)
        for edit in (self.opens, self.closes):
            edit.setInputMask("99:99;_")
        self.timezone = QComboBox(self)
        self.timezone.setEditable(True)
        self.timezone.addItems(TIMEZONES)
        self.calls_enabled = QCheckBox(self)
        self.invites = QSpinBox(self)
        self.invites.setRange(0, 20)
        self.cooldown = QSpinBox(self)
        self.cooldown.setRange(0, 24 * 60)
        self.duration = QSpinBox(self)
        self.duration.setRange(1, 4 * 60)
        self.audit_table = QTableWidget(0, 4, self)
        self.audit_table.verticalHeader().hide()
        self.audit_table.horizontalHeader().setStretchLastSection(True)
        self.audit_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.save_button = QPushButton(self)
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ApplyRole)
        self.buttons.rejected.connect(self.reject)

        self.caps_group = QGroupBox(self)
        QVBoxLayout(self.caps_group).addWidget(self.caps_table)
        self.routing_group = QGroupBox(self)
        routing = QFormLayout(self.routing_group)
        self._labels = [QLabel(self) for _ in range(7)]
        hours = QHBoxLayout()
        hours.addWidget(self.opens)
        hours.addWidget(self._labels[6])
        hours.addWidget(self.closes)
        routing.addRow(self._labels[0], self.mode)
        routing.addRow(self._labels[1], hours)
        routing.addRow(self._labels[2], self.timezone)
        self.calls_group = QGroupBox(self)
        calls = QFormLayout(self.calls_group)
        calls.addRow("", self.calls_enabled)
        calls.addRow(self._labels[3], self.invites)
        calls.addRow(self._labels[4], self.cooldown)
        calls.addRow(self._labels[5], self.duration)
        self.audit_group = QGroupBox(self)
        QVBoxLayout(self.audit_group).addWidget(self.audit_table)
        columns = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(self.caps_group, 1)
        right = QVBoxLayout()
        right.addWidget(self.routing_group)
        right.addWidget(self.calls_group)
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addLayout(columns)
        layout.addWidget(self.audit_group, 1)
        layout.addWidget(self.live_note)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.resize(820, 640)

        listener = self.on_config
        book.config_listeners.append(listener)
        self.destroyed.connect(lambda _=None: book.config_listeners.remove(listener)
                               if listener in book.config_listeners else None)
        self.retranslate()
        if book.config is not None:
            self.on_config(book.config)
        self._set_editable(False)
        self.tasks.run(self._load())

    # texts ---------------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def mode_names(self) -> dict[str, str]:
        return {"auto": self.tr("Automatic: new chats go to free agents"),
                "manual": self.tr("Manual: agents take chats from the queue"),
                "both": self.tr("Both: automatic, and agents may also take chats")}

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Shop settings"))
        self.note.setText(self.tr("These settings are the shop's: they apply to every workstation at once.")
                          if self.supervisor else self.tr("Only supervisors change the shop's settings."))
        self.caps_group.setTitle(self.tr("Agents: most chats at once"))
        self.caps_table.setHorizontalHeaderLabels([self.tr("Agent"), self.tr("Max chats")])
        self.routing_group.setTitle(self.tr("Routing and service hours"))
        self.calls_group.setTitle(self.tr("Video calls"))
        self.audit_group.setTitle(self.tr("Recent changes"))
        self.audit_table.setHorizontalHeaderLabels([self.tr("When"), self.tr("Who"), self.tr("Setting"),
                                                    self.tr("Change")])
        for label, text in zip(self._labels, (
                self.tr("Routing"), self.tr("Service hours"), self.tr("Time zone"),
                self.tr("Invitations per buyer a day"), self.tr("Pause after a decline (minutes)"),
                self.tr("Longest call (minutes)"), self.tr("to")), strict=True):
            label.setText(text)
        self.calls_enabled.setText(self.tr("Video calls switched on for the whole shop"))
        current = self.mode.currentData() or self.base.mode
        self.mode.clear()
        for mode, name in self.mode_names().items():
            self.mode.addItem(name, mode)
        self.mode.setCurrentIndex(max(0, self.mode.findData(current)))
        self.save_button.setText(self.tr("Save changes"))
        self._show_audit()

    # filling -------------------------------------------------------------------------------

    async def _load(self) -> None:
        await self.book.load()

    def _set_editable(self, loaded: bool) -> None:
        editable = self.supervisor and loaded
        for widget in (self.mode, self.opens, self.closes, self.timezone, self.calls_enabled, self.invites,
                       self.cooldown, self.duration, self.save_button, *self.cap_boxes.values()):
            widget.setEnabled(editable)
        self.audit_group.setVisible(self.supervisor)

    def form_values(self) -> FormValues:
        return FormValues(
            caps={agent_id: box.value() for agent_id, box in self.cap_boxes.items()},
            mode=str(self.mode.currentData()), opens=self.opens.text(), closes=self.closes.text(),
            timezone=self.timezone.currentText().strip(), enabled=self.calls_enabled.isChecked(),
            invites_per_day=self.invites.value(), cooldown_min=self.cooldown.value(),
            duration_min=self.duration.value())

    def on_config(self, config: s.ShopConfig) -> None:
        """New settings from the relay: show them in every field not being edited."""
        new, form = values_of(config), self.form_values()
        base = self.base if self._filled else form  # the first time, every field is filled
        self._filled = True
        self.names = {c.agent_id: c.name for c in config.caps}
        self._fill_caps(config, form.caps, base.caps)
        if form.mode == base.mode:
            self.mode.setCurrentIndex(max(0, self.mode.findData(new.mode)))
        for edit, name in ((self.opens, "opens"), (self.closes, "closes")):
            if getattr(form, name) == getattr(base, name):
                edit.setText(getattr(new, name))
        if form.timezone == base.timezone:
            self.timezone.setCurrentText(new.timezone)
        if form.enabled == base.enabled:
            self.calls_enabled.setChecked(new.enabled)
        for box, name in ((self.invites, "invites_per_day"), (self.cooldown, "cooldown_min"),
                          (self.duration, "duration_min")):
            if getattr(form, name) == getattr(base, name):
                box.setValue(getattr(new, name))
        self.base = new
        self._set_editable(True)
        self._show_audit()
        if config.id is None and config.changed_by:
            self.live_note.setText(self.tr("{0} changed the shop's settings just now; the fields you have not "
                                           "edited show the new values.").format(config.changed_by))

    def _fill_caps(self, config: s.ShopConfig, form: dict[str, int], base: dict[str, int]) -> None:
        if [c.agent_id for c in config.caps] != list(self.cap_boxes):
            self.caps_table.setRowCount(0)
            self.cap_boxes.clear()
            for row, cap in enumerate(config.caps):
                self.caps_table.insertRow(row)
                self.caps_table.setItem(row, 0, QTableWidgetItem(cap.name or cap.agent_id))  # plain text
                box = self.cap_boxes[cap.agent_id] = QSpinBox(self.caps_table)
                box.setRange(MIN_CAP, MAX_CAP)
                box.setValue(form[cap.agent_id] if form.get(cap.agent_id, -1) != base.get(cap.agent_id, -1)
                             else cap.cap)
                self.caps_table.setCellWidget(row, 1, box)
            return
        for cap in config.caps:
            if form.get(cap.agent_id) == base.get(cap.agent_id):
                self.cap_boxes[cap.agent_id].setValue(cap.cap)

    def setting_name(self, setting: str) -> str:
        if setting.startswith("cap:"):
            agent_id = setting[4:]
            return self.tr("Max chats of {0}").format(self.names.get(agent_id) or agent_id)
        if setting.startswith("template:"):
            return self.tr("Shop template #{0}").format(setting[9:])
        names = {"mode": self.tr("Routing"), "opens": self.tr("Opens"), "closes": self.tr("Closes"),
                 "timezone": self.tr("Time zone"), "calls.enabled": self.tr("Video calls"),
                 "calls.invites_per_day": self.tr("Invitations per buyer a day"),
                 "calls.decline_cooldown_s": self.tr("Pause after a decline (s)"),
                 "calls.max_duration_s": self.tr("Longest call (s)"),
                 "templates.order": self.tr("Order of the shop's templates")}
        return names.get(setting, setting)

    def value_text(self, setting: str, value: str) -> str:
        if setting.startswith("template:") and not value:
            return self.tr("(none)")
        if value in ("True", "False"):
            return self.tr("on") if value == "True" else self.tr("off")
        if setting == "mode":
            return {"auto": self.tr("automatic"), "manual": self.tr("manual"), "both": self.tr("both")}.get(
                value, value)
        return value

    def _show_audit(self) -> None:
        entries = self.book.audit if self.supervisor else []
        self.audit_table.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            when = QDateTime.fromMSecsSinceEpoch(entry.at).toString("yyyy-MM-dd HH:mm")
            change = f"{self.value_text(entry.setting, entry.old)} → {self.value_text(entry.setting, entry.new)}"
            for column, text in enumerate((when, entry.actor_name, self.setting_name(entry.setting), change)):
                self.audit_table.setItem(row, column, QTableWidgetItem(text))  # items are plain text

    # saving --------------------------------------------------------------------------------

    def problem_text(self, exc: SettingRejected) -> str:
        limits = exc.limits
        texts = {
            "supervisors_only": self.tr("Only supervisors change the shop's settings."),
            "unknown_agent": self.tr("This agent is no longer in the shop; close and open the settings again."),
            "cap_range": self.tr("An agent's maximum must be between {0} and {1} chats."),
            "mode": self.tr("Choose how new chats are routed."),
            "time_format": self.tr("Write the hours as HH:MM, e.g. 09:00 (24:00 closes at midnight)."),
            "hours_order": self.tr("The shop must open before it closes (24:00 closes at midnight)."),
            "timezone": self.tr("Unknown time zone: use a name like Asia/Shanghai."),
            "invites_range": self.tr("Invitations per buyer a day must be between {0} and {1}."),
            "cooldown_range": self.tr("The pause after a decline must be between {0} and {1} seconds."),
            "duration_range": self.tr("The longest call must be between {0} and {1} seconds."),
            "warning_after_end": self.tr("The longest call must be longer than the warning before its end "
                                         "({0} s)."),
        }
        return texts.get(exc.problem, str(exc)).format(*limits)

    def save(self) -> None:
        """Check every change, then send them (caps, routing and hours, call policy)."""
        form, base = self.form_values(), self.base
        caps = {a: c for a, c in form.caps.items() if base.caps.get(a) != c}
        hours = {k: getattr(form, k) for k in ("mode", "opens", "closes", "timezone")
                 if getattr(form, k) != getattr(base, k)}
        calls: dict[str, int | bool] = {}
        if form.enabled != base.enabled:
            calls["enabled"] = form.enabled
        if form.invites_per_day != base.invites_per_day:
            calls["invites_per_day"] = form.invites_per_day
        if form.cooldown_min != base.cooldown_min:
            calls["decline_cooldown_s"] = form.cooldown_min * 60
        if form.duration_min != base.duration_min:
            calls["max_duration_s"] = form.duration_min * 60
        try:
            for agent_id, cap in caps.items():
                self.book.check_cap(agent_id, cap)
            if hours:
                self.book.check_hours(**hours)
            if calls:
                self.book.check_calls(**calls)  # type: ignore[arg-type]
        except SettingRejected as exc:
            self.show_message(self.problem_text(exc))
            return
        if not (caps or hours or calls):
            self.show_message(self.tr("Nothing has changed."))
            return
        self.show_message(self.tr("Saving…"))
        self.tasks.run(self._save(caps, hours, calls))

    async def _save(self, caps: dict[str, int], hours: dict[str, str], calls: dict[str, int | bool]) -> None:
        for agent_id, cap in caps.items():
            await self.book.set_cap(agent_id, cap)
            self.base = replace(self.base, caps={**self.base.caps, agent_id: cap})
        if hours:
            await self.book.set_hours(**hours)
        if calls:
            await self.book.set_calls(**calls)  # type: ignore[arg-type]
        self.show_message(self.tr("Saved."))

    def show_message(self, text: str) -> None:
        self.message.setText(text)

    def show_error(self, exc: BaseException) -> None:
        if not isinstance(exc, KefuError):
            logger.error("shop settings: unexpected error", exc_info=exc)
        self.show_message(self.problem_text(exc) if isinstance(exc, SettingRejected) else error_text(exc))


class ShopActions(QObject):
    """The toolbar's "Templates…" (everyone) and "Shop settings…" (supervisors only), and their dialogs."""

    def __init__(self, service: DeskService, tasks: Tasks, show_error: Callable[[BaseException], None],
                 parent: QWidget) -> None:
        super().__init__(parent)
        self.service = service
        self.tasks = tasks
        self.show_error = show_error
        self.book = ShopConfigBook(service)
        """The shop's settings, kept up to date from the relay's pushes (and templates re-listed on change)."""
        self.supervisor = service.session.role == "supervisor"
        self.templates_action = QAction(parent)
        self.templates_action.setObjectName("templatesAction")
        self.templates_action.triggered.connect(self.open_templates)
        self.shop_settings_action = QAction(parent)
        self.shop_settings_action.setObjectName("shopSettingsAction")
        self.shop_settings_action.triggered.connect(self.open_shop_settings)
        self.shop_settings_action.setVisible(self.supervisor)
        self.shop_settings_action.setEnabled(self.supervisor)
        self.template_editor: TemplateEditorDialog | None = None
        self.shop_settings: ShopSettingsDialog | None = None
        book = self.book
        parent.destroyed.connect(lambda _=None: book.close())
        parent.installEventFilter(self)
        self.retranslate()

    def install(self, toolbar: QToolBar, before: QAction) -> None:
        toolbar.insertAction(before, self.templates_action)
        if self.supervisor:
            toolbar.insertAction(before, self.shop_settings_action)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        return False

    def retranslate(self) -> None:
        self.templates_action.setText(self.tr("Templates…"))
        self.templates_action.setToolTip(self.tr("Edit the quick-reply templates"))
        self.shop_settings_action.setText(self.tr("Shop settings…"))
        self.shop_settings_action.setToolTip(self.tr("Agents' caps, routing, service hours and video calls"))

    def _parent(self) -> QWidget:
        parent = self.parent()
        assert isinstance(parent, QWidget)
        return parent

    def open_templates(self) -> TemplateEditorDialog:
        """The template editor (one per window: opening it again brings it to the front)."""
        if self.template_editor is None:
            self.template_editor = TemplateEditorDialog(self.service, self.book, self._parent())
        self.template_editor.show()
        self.template_editor.raise_()
        self.template_editor.activateWindow()
        return self.template_editor

    def open_shop_settings(self) -> ShopSettingsDialog | None:
        """The shop settings (supervisors only: None for an agent)."""
        if not self.supervisor:
            return None
        if self.shop_settings is None:
            self.shop_settings = ShopSettingsDialog(self.service, self.book, self._parent())
        else:
            self.shop_settings.tasks.run(self.shop_settings._load())
        self.shop_settings.show()
        self.shop_settings.raise_()
        self.shop_settings.activateWindow()
        return self.shop_settings
