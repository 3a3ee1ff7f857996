"""Settings: language, notifications, sound. Changes apply at once and are kept in the preferences."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QWidget

from app.config import Preferences


class SettingsDialog(QDialog):
    """Emits `changed` with the new preferences when the agent presses OK."""

    changed = Signal(object)  # Preferences

    def __init__(self, prefs: Preferences, parent: QWidget | None = None, *, supervisor: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.prefs = prefs
        self.language = QComboBox(self)
        self.language.setObjectName("languageBox")
        self.notify_chat = QCheckBox(self)
        self.notify_chat.setChecked(prefs.notify_new_chat)
        self.notify_sla = QCheckBox(self)
        self.notify_sla.setChecked(prefs.notify_sla)
        self.sound = QCheckBox(self)
        self.sound.setChecked(prefs.sound)
        self.notify_supervisor = QCheckBox(self)
        self.notify_supervisor.setObjectName("notifySupervisor")
        self.notify_supervisor.setChecked(prefs.notify_supervisor)
        self._language_label = QLabel(self)
        self.buttons = buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self._ok)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(self._language_label, self.language)
        form.addRow("", self.notify_chat)
        form.addRow("", self.notify_sla)
        if supervisor:
            form.addRow("", self.notify_supervisor)
        else:
            self.notify_supervisor.hide()
        form.addRow("", self.sound)
        form.addRow(buttons)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Settings"))
        self._language_label.setText(self.tr("Language"))
        current = self.language.currentData() if self.language.count() else self.prefs.language
        self.language.clear()
        self.language.addItem(self.tr("Follow the system"), "")
        self.language.addItem("简体中文", "zh_CN")
        self.language.addItem("English", "en")
        self.language.setCurrentIndex(max(0, self.language.findData(current)))
        self.notify_chat.setText(self.tr("Notify me of new chats"))
        self.notify_sla.setText(self.tr("Notify me when a buyer waits too long (100 s)"))
        self.sound.setText(self.tr("Play a sound with notifications"))
        self.notify_supervisor.setText(self.tr("Alert me when the 3-minute rate drops below 80%, a chat is overdue "
                                               "or a buyer complains"))

    def choose_language(self, language: str) -> None:
        self.language.setCurrentIndex(max(0, self.language.findData(language)))

    def _ok(self) -> None:
        self.changed.emit(self.prefs.with_changes(
            language=str(self.language.currentData()), notify_new_chat=self.notify_chat.isChecked(),
            notify_sla=self.notify_sla.isChecked(), sound=self.sound.isChecked(),
            notify_supervisor=self.notify_supervisor.isChecked()))
        self.accept()
