"""Export the shop's figures to a CSV file: a range of the shop's days, a file, a progress bar.

The core (`Supervision.export_csv`) fetches the range a week at a time and reports each step; the
bar follows it. It writes the file on a worker thread, into `<name>.part` renamed at the end, so a
cancelled export leaves no file. Cancelling is offered while the figures are being fetched; once the
last week is in, the file is being written on that thread, which a cancel could not stop (the
rename would still happen), so the dialog waits for it instead.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QEvent, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.bridge import DeskBridge
from ui.errors import error_text
from ui.tasks import Tasks

logger = logging.getLogger(__name__)

MAX_DAYS = 400
"""The longest range one export covers."""
PRESETS = ("today", "7", "30", "custom")


def qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def pydate(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


class ExportDialog(QDialog):
    """Non-modal: choose the days and the file, export, watch the progress; Cancel stops it cleanly."""

    exported = Signal(str, int)
    """The file written and its number of data rows."""

    def __init__(self, bridge: DeskBridge, parent: QWidget | None = None) -> None:
        if bridge.supervision is None:
            raise ValueError("the export is for supervisors")
        super().__init__(parent)
        self.setObjectName("exportDialog")
        self.setModal(False)
        self.supervision = bridge.supervision
        self.tasks = Tasks(self._failed)
        self.task: asyncio.Task[Any] | None = None
        self.writing = False
        """The last week is in and the file is being written: no cancelling now."""
        self.rows: int | None = None
        self._file_dialog: QFileDialog | None = None

        self.preset = QComboBox(self)
        self.preset.setObjectName("exportRange")
        self.preset.addItems([""] * len(PRESETS))
        self.preset.currentIndexChanged.connect(self._on_preset)
        self.start_edit = QDateEdit(self)
        self.end_edit = QDateEdit(self)
        for edit, name in ((self.start_edit, "exportFrom"), (self.end_edit, "exportTo")):
            edit.setObjectName(name)
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.dateChanged.connect(self._validate)
        self.range_error = QLabel(self)
        self.range_error.setObjectName("exportRangeError")
        self.range_error.setTextFormat(Qt.TextFormat.PlainText)
        self.path_edit = QLineEdit(self)
        self.path_edit.setObjectName("exportPath")
        self.path_edit.textChanged.connect(self._validate)
        self.browse_button = QPushButton(self)
        self.browse_button.clicked.connect(self.choose_file)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("exportProgress")
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status = QLabel(self)
        self.status.setObjectName("exportStatus")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.export_button = QPushButton(self)
        self.export_button.setObjectName("exportStart")
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.start)
        self.cancel_button = QPushButton(self)
        self.cancel_button.setObjectName("exportCancel")
        self.cancel_button.clicked.connect(self._cancel_or_close)

        dates = QHBoxLayout()
        dates.addWidget(self.start_edit)
        self.to_label = QLabel(self)
        dates.addWidget(self.to_label)
        dates.addWidget(self.end_edit)
        dates.addStretch(1)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(self.browse_button)
        self.form = QFormLayout()
        self.range_label, self.days_label, self.file_label = QLabel(self), QLabel(self), QLabel(self)
        self.form.addRow(self.range_label, self.preset)
        self.form.addRow(self.days_label, dates)
        self.form.addRow("", self.range_error)
        self.form.addRow(self.file_label, path_row)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.resize(520, 240)

        today = self.today()
        for edit in (self.start_edit, self.end_edit):
            edit.setMaximumDate(qdate(today))
        self.retranslate()
        self._on_preset(0)

    def open(self) -> None:
        """Show the dialog without blocking anything: the supervisor keeps working in the window."""
        self.setModal(False)
        self.show()
        self.raise_()
        self.activateWindow()

    # language ------------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Export figures (CSV)"))
        for i, text in enumerate((self.tr("Today"), self.tr("Last 7 days"), self.tr("Last 30 days"),
                                  self.tr("Custom range"))):
            self.preset.setItemText(i, text)
        self.range_label.setText(self.tr("Days"))
        self.days_label.setText(self.tr("From"))
        self.to_label.setText(self.tr("to"))
        self.file_label.setText(self.tr("File"))
        self.path_edit.setPlaceholderText(self.tr("Choose where to save the CSV file"))
        self.browse_button.setText(self.tr("Choose…"))
        self.export_button.setText(self.tr("Export"))
        self._set_cancel_text()
        self._validate()

    def _set_cancel_text(self) -> None:
        self.cancel_button.setText(self.tr("Cancel") if self.running() else self.tr("Close"))

    # the range -----------------------------------------------------------------------------

    def today(self) -> date:
        """The shop's today (the relay's clock and time zone), this machine's until the first push."""
        live = self.supervision.live
        return date.fromisoformat(live.today.end) if live is not None else date.today()

    def _on_preset(self, index: int) -> None:
        key = PRESETS[index] if 0 <= index < len(PRESETS) else "custom"
        custom = key == "custom"
        self.start_edit.setEnabled(custom and not self.running())
        self.end_edit.setEnabled(custom and not self.running())
        if not custom:
            today = self.today()
            days = 1 if key == "today" else int(key)
            self.end_edit.setDate(qdate(today))
            self.start_edit.setDate(qdate(today - timedelta(days=days - 1)))
        self._validate()

    def set_range(self, start: date, end: date) -> None:
        """A custom range (as if typed into the date fields)."""
        self.preset.setCurrentIndex(PRESETS.index("custom"))
        self.start_edit.setDate(qdate(start))
        self.end_edit.setDate(qdate(end))

    def chosen_range(self) -> tuple[date, date]:
        return pydate(self.start_edit.date()), pydate(self.end_edit.date())

    def range_problem(self) -> str:
        """Why the chosen days cannot be exported, or "" when they can."""
        start, end = self.chosen_range()
        if end < start:
            return self.tr("The last day is before the first.")
        if (end - start).days + 1 > MAX_DAYS:
            return self.tr("At most {0} days at a time; shorten the range.").format(MAX_DAYS)
        return ""

    def _validate(self, *_args: Any) -> None:
        problem = self.range_problem()
        self.range_error.setText(problem)
        self.range_error.setVisible(bool(problem))
        self.export_button.setEnabled(not problem and bool(self.path_edit.text().strip()) and not self.running())

    # the file ------------------------------------------------------------------------------

    def default_name(self) -> str:
        start, end = self.chosen_range()
        return f"kefu-figures-{start}" + ("" if start == end else f"_{end}") + ".csv"

    def choose_file(self) -> None:
        """Ask for the file without blocking (the dialog's open(), its answer by signal)."""
        dialog = QFileDialog(self, self.tr("Save the figures as"))
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
        dialog.setNameFilters([self.tr("CSV files (*.csv)"), self.tr("All files (*)")])
        dialog.setDefaultSuffix("csv")
        current = self.path_edit.text().strip()
        dialog.selectFile(current or self.default_name())
        dialog.fileSelected.connect(self.set_path)
        dialog.finished.connect(lambda _r: dialog.deleteLater())
        self._file_dialog = dialog
        dialog.open()

    def set_path(self, path: str | Path) -> None:
        self.path_edit.setText(str(path))

    # exporting -----------------------------------------------------------------------------

    def running(self) -> bool:
        return self.task is not None and not self.task.done()

    def start(self) -> None:
        """Export the chosen days into the chosen file."""
        text = self.path_edit.text().strip()
        if self.running() or not text or self.range_problem():
            return
        start, end = self.chosen_range()
        self.rows = None
        self.writing = False
        self.progress.setRange(0, (end - start).days + 1)
        self.progress.setValue(0)
        self.status.setText(self.tr("Fetching the figures…"))
        self.task = self.tasks.run(self._export(Path(text), start, end))
        self.task.add_done_callback(lambda _t: self._idle())
        self._busy_controls()

    async def _export(self, path: Path, start: date, end: date) -> None:
        rows = await self.supervision.export_csv(path, start, end, self._on_progress)
        self.rows = rows
        self.progress.setValue(self.progress.maximum())
        self.status.setText(self.tr("%n row(s) written to {0}.", "", rows).format(str(path)))
        self.exported.emit(str(path), rows)

    def _on_progress(self, done: int, total: int) -> None:
        if done >= total:  # the core now writes the file on its thread: too late to cancel cleanly
            self.writing = True
            self.status.setText(self.tr("Writing the file…"))
            self.cancel_button.setEnabled(False)
        else:
            self.status.setText(self.tr("Fetching the figures… {0} of {1} days").format(done, total))
        self.progress.setRange(0, total)
        self.progress.setValue(done)

    def cancel(self) -> None:
        """Stop the export while it fetches (nothing is written then)."""
        if self.running() and not self.writing and self.task is not None:
            self.task.cancel()

    def _cancel_or_close(self) -> None:
        if self.running():
            self.cancel()
        else:
            self.close()

    def _busy_controls(self) -> None:
        busy = self.running()
        for widget in (self.preset, self.path_edit, self.browse_button):
            widget.setEnabled(not busy)
        custom = PRESETS[self.preset.currentIndex()] == "custom"
        self.start_edit.setEnabled(custom and not busy)
        self.end_edit.setEnabled(custom and not busy)
        self.cancel_button.setEnabled(not (busy and self.writing))
        self._set_cancel_text()
        self._validate()

    def _idle(self) -> None:
        self.writing = False
        self._busy_controls()
        if self.task is not None and self.task.cancelled():
            self.progress.setValue(0)
            self.status.setText(self.tr("Export cancelled; no file was written."))

    def _failed(self, exc: BaseException) -> None:
        logger.info("export failed: %s", type(exc).__name__)
        self.status.setText(error_text(exc))

    # closing -------------------------------------------------------------------------------

    def reject(self) -> None:
        """Escape or Close: cancels an export that is fetching; waits for one that is writing."""
        if self.running():
            if not self.writing:
                self.cancel()
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.running():
            self.cancel()
            event.ignore()
            return
        super().closeEvent(event)

    async def stop(self) -> None:
        """Cancel what is in flight (the window awaits it before the service closes)."""
        await self.tasks.cancel_all()
