"""The template editor: the shop's shared quick replies and the agent's own, by group.

Templates are listed group by group in the relay's order; one can be created, edited, deleted and
moved up or down within its group (a group too, among the groups), with its variables inserted by a
button and a live preview filled with sample values the way the relay fills them
(`wire.templating`). The shop's templates are edited by supervisors only: an agent reads them here,
read-only, and edits only their own. Changes reach every open workstation at once (the relay's
`templates_changed`, followed by `app.shop_config.ShopConfigBook`).
"""

from __future__ import annotations

import logging
from typing import Literal

from PySide6.QtCore import QEvent, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTabBar,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.errors import KefuError
from app.services import DeskService
from app.shop_config import ShopConfigBook
from ui import template_editor_model as m
from ui.errors import error_text
from ui.tasks import Tasks
from ui.text import plain_tooltip
from wire import frames as f
from wire.templating import VARIABLES, render

logger = logging.getLogger(__name__)

IdRole = Qt.ItemDataRole.UserRole + 1
GroupRole = Qt.ItemDataRole.UserRole + 2
SCOPES: tuple[Literal["shop", "personal"], ...] = ("shop", "personal")


class TemplateEditorDialog(QDialog):
    """Non-modal; opened with `open()` or `show()`. `saved` is emitted with each stored template."""

    saved = Signal(object)  # f.Template

    def __init__(self, service: DeskService, book: ShopConfigBook, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("templateEditor")
        self.service = service
        self.book = book
        self.tasks = Tasks(self.show_error)
        self.scope: Literal["shop", "personal"] = "shop"
        self.current_id: int | None = None
        self._filling = False
        self.dirty = False

        self.tabs = QTabBar(self)
        self.tabs.addTab("")
        self.tabs.addTab("")
        self.tabs.currentChanged.connect(self._on_tab)
        self.tree = QTreeWidget(self)
        self.tree.setHeaderHidden(True)
        self.tree.currentItemChanged.connect(self._on_current)
        self.readonly_note = QLabel(self)
        self.readonly_note.setWordWrap(True)
        self.readonly_note.setTextFormat(Qt.TextFormat.PlainText)
        self.new_button = QPushButton(self)
        self.new_button.clicked.connect(self.new_template)
        self.up_button = QPushButton(self)
        self.up_button.clicked.connect(lambda: self.move_selected(-1))
        self.down_button = QPushButton(self)
        self.down_button.clicked.connect(lambda: self.move_selected(1))
        self.delete_button = QPushButton(self)
        self.delete_button.clicked.connect(self.confirm_delete)

        self.group = QComboBox(self)
        self.group.setEditable(True)
        self.title_edit = QLineEdit(self)
        self.title_edit.setMaxLength(m.MAX_TITLE)
        self.shortcut = QLineEdit(self)
        self.shortcut.setMaxLength(m.MAX_SHORTCUT)
        self.body = QPlainTextEdit(self)
        self.variable_buttons: dict[str, QToolButton] = {}
        variables = QHBoxLayout()
        self._variables_label = QLabel(self)
        variables.addWidget(self._variables_label)
        for name in VARIABLES:
            button = self.variable_buttons[name] = QToolButton(self)
            button.setText("{" + name + "}")
            button.clicked.connect(lambda _=False, n=name: self.insert_variable(n))
            variables.addWidget(button)
        variables.addStretch(1)
        self.preview = QLabel(self)
        self.preview.setObjectName("templatePreview")
        self.preview.setTextFormat(Qt.TextFormat.PlainText)  # user text: never read as HTML
        self.preview.setWordWrap(True)
        self.preview.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.warning = QLabel(self)
        self.warning.setObjectName("templateWarning")
        self.warning.setTextFormat(Qt.TextFormat.PlainText)
        self.warning.setWordWrap(True)
        self.message = QLabel(self)
        self.message.setObjectName("templateMessage")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.save_button = QPushButton(self)
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        for edit in (self.title_edit, self.shortcut):
            edit.textEdited.connect(self._on_edited)
        self.group.editTextChanged.connect(self._on_edited)
        self.body.textChanged.connect(self._on_edited)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.buttons.rejected.connect(self.reject)

        left = QVBoxLayout()
        left.addWidget(self.tree, 1)
        row = QHBoxLayout()
        for push in (self.new_button, self.up_button, self.down_button, self.delete_button):
            row.addWidget(push)
        left.addLayout(row)
        self.form = QFormLayout()
        self._labels = [QLabel(self) for _ in range(5)]
        self.form.addRow(self._labels[0], self.group)
        self.form.addRow(self._labels[1], self.title_edit)
        self.form.addRow(self._labels[2], self.shortcut)
        self.form.addRow(self._labels[3], self.body)
        self.form.addRow("", variables)
        self.form.addRow(self._labels[4], self.preview)
        self.form.addRow("", self.warning)
        right = QVBoxLayout()
        right.addLayout(self.form, 1)
        right.addWidget(self.message)
        right.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignRight)
        panes = QHBoxLayout()
        panes.addLayout(left, 2)
        panes.addLayout(right, 3)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.readonly_note)
        layout.addLayout(panes, 1)
        layout.addWidget(self.buttons)
        self.resize(860, 560)

        listener = self._on_templates_changed
        book.templates_listeners.append(listener)
        self.destroyed.connect(lambda _=None: book.templates_listeners.remove(listener)
                               if listener in book.templates_listeners else None)
        self.retranslate()
        if not self.may_edit_scope("shop"):
            self.tabs.setCurrentIndex(1)  # an agent mostly edits their own
        self.reload()
        self.tasks.run(self._refresh())

    # texts ---------------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Templates"))
        self.tabs.setTabText(0, self.tr("Shop templates"))
        self.tabs.setTabText(1, self.tr("My templates"))
        self.new_button.setText(self.tr("New"))
        self.up_button.setText(self.tr("Move up"))
        self.down_button.setText(self.tr("Move down"))
        self.delete_button.setText(self.tr("Delete"))
        self.save_button.setText(self.tr("Save"))
        for label, text in zip(self._labels, (self.tr("Group"), self.tr("Title"), self.tr("Shortcut"),
                                              self.tr("Text"), self.tr("Preview")), strict=True):
            label.setText(text)
        self._variables_label.setText(self.tr("Insert:"))
        names = self.variable_names()
        for name, button in self.variable_buttons.items():
            button.setToolTip(names[name])
        self.shortcut.setPlaceholderText(self.tr("letters and digits, e.g. thh"))
        self._sync_permissions()
        self._update_preview()

    def variable_names(self) -> dict[str, str]:
        return {"buyer_name": self.tr("The buyer's nickname"), "order_no": self.tr("The order number"),
                "product": self.tr("The order's first product"), "agent_name": self.tr("Your name"),
                "tracking_no": self.tr("The tracking number")}

    def sample_values(self) -> dict[str, str | None]:
        """What the preview fills in (the relay fills in the real chat's values)."""
        return {"buyer_name": self.tr("Wang Xiaoming"), "order_no": "20261206-0001",
                "product": self.tr("Range hood"), "agent_name": self.service.session.display_name,
                "tracking_no": "SF1234567890"}

    # permissions ---------------------------------------------------------------------------

    def may_edit_scope(self, scope: str) -> bool:
        return scope == "personal" or self.service.session.role == "supervisor"

    def current_template(self) -> f.Template | None:
        return next((t for t in self.service.templates if t.template_id == self.current_id), None)

    def editable(self) -> bool:
        """Whether the form may be saved: a new template of a scope one may edit, or one the relay says is ours."""
        if not self.may_edit_scope(self.scope):
            return False
        template = self.current_template()
        return template is None or template.editable

    def _sync_permissions(self) -> None:
        scope_ok = self.may_edit_scope(self.scope)
        editable = self.editable()
        self.readonly_note.setVisible(not scope_ok)
        self.readonly_note.setText(self.tr("The shop's templates are edited by supervisors; you can read and "
                                           "use them here, and edit your own under \"My templates\"."))
        for widget in (self.title_edit, self.shortcut):
            widget.setReadOnly(not editable)
        self.body.setReadOnly(not editable)
        self.group.setEnabled(editable)
        for button in self.variable_buttons.values():
            button.setEnabled(editable)
        self.save_button.setEnabled(editable)
        self.new_button.setEnabled(scope_ok)
        has_current = self.current_id is not None
        self.delete_button.setEnabled(editable and has_current)
        item = self.tree.currentItem()
        self.up_button.setEnabled(scope_ok and item is not None)
        self.down_button.setEnabled(scope_ok and item is not None)

    # the list ------------------------------------------------------------------------------

    def scope_templates(self) -> list[f.Template]:
        return m.of_scope(self.service.templates, self.scope)

    def reload(self) -> None:
        """List the scope's templates again (keeping the selection, and the form when it is being edited)."""
        keep_id, keep_group = self.current_id, self._selected_group()
        self.tree.blockSignals(True)
        self.tree.clear()
        select: QTreeWidgetItem | None = None
        groups = m.grouped(self.scope_templates())
        for name, members in groups:
            group_item = QTreeWidgetItem([name])  # item text is plain text
            group_item.setData(0, GroupRole, name)
            font = group_item.font(0)
            font.setBold(True)
            group_item.setFont(0, font)
            self.tree.addTopLevelItem(group_item)
            for template in members:
                shortcut = f"  /{template.shortcut}" if template.shortcut else ""
                item = QTreeWidgetItem([template.title + shortcut])
                item.setData(0, IdRole, template.template_id)
                item.setToolTip(0, plain_tooltip(template.body))
                group_item.addChild(item)
                if template.template_id == keep_id:
                    select = item
            if keep_id is None and name == keep_group:
                select = group_item
        self.tree.expandAll()
        self.group.blockSignals(True)
        text = self.group.currentText()
        self.group.clear()
        self.group.addItems([name for name, _ in groups])
        self.group.setCurrentText(text)
        self.group.blockSignals(False)
        if select is not None:
            self.tree.setCurrentItem(select)
        self.tree.blockSignals(False)
        if keep_id is not None and select is None and not self.dirty:
            self.current_id = None  # deleted meanwhile
            self._fill(None)
        elif keep_id is not None and not self.dirty:
            self._fill(self.current_template())
        self._sync_permissions()

    def _selected_group(self) -> str | None:
        item = self.tree.currentItem()
        return item.data(0, GroupRole) if item is not None else None

    def select_template(self, template_id: int) -> bool:
        """Show this template in the form (switching to its scope); False if it is not listed."""
        template = next((t for t in self.service.templates if t.template_id == template_id), None)
        if template is None:
            return False
        self.tabs.setCurrentIndex(SCOPES.index(template.scope))
        for item in self._template_items():
            if item.data(0, IdRole) == template_id:
                self.tree.setCurrentItem(item)
                return True
        return False

    def _template_items(self) -> list[QTreeWidgetItem]:
        items: list[QTreeWidgetItem] = []
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            if group is not None:
                items.extend(c for j in range(group.childCount()) if (c := group.child(j)) is not None)
        return items

    def listed_titles(self) -> list[tuple[str, list[str]]]:
        """What the list shows: each group with its templates' titles, in order."""
        return [(name, [t.title for t in members]) for name, members in m.grouped(self.scope_templates())]

    def _on_tab(self, index: int) -> None:
        self.scope = SCOPES[index]
        self.current_id = None
        self.dirty = False
        self._fill(None)
        self.reload()

    def _on_current(self, item: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None) -> None:
        template_id = item.data(0, IdRole) if item is not None else None
        if template_id is not None:
            self.current_id = template_id
            self.dirty = False
            self.message.clear()
            self._fill(self.current_template())
        self._sync_permissions()

    def _on_templates_changed(self, _scope: str) -> None:
        self.reload()

    async def _refresh(self) -> None:
        await self.service.refresh_templates()
        self.reload()

    # the form ------------------------------------------------------------------------------

    def _fill(self, template: f.Template | None) -> None:
        self._filling = True
        try:
            self.group.setCurrentText(template.group if template else (self._selected_group() or ""))
            self.title_edit.setText(template.title if template else "")
            self.shortcut.setText(template.shortcut if template else "")
            self.body.setPlainText(template.body if template else "")
        finally:
            self._filling = False
        self._update_preview()

    def _on_edited(self, *_args: object) -> None:
        if not self._filling:
            self.dirty = True
            self._update_preview()

    def _update_preview(self) -> None:
        body = self.body.toPlainText()
        text, _missing = render(body, self.sample_values())
        self.preview.setText(text)
        unknown = m.unknown_variables(body)
        if unknown:
            names = ", ".join("{" + n + "}" for n in unknown)
            self.warning.setText(self.tr("Not a variable, sent as written: {0}").format(names))
        else:
            self.warning.clear()
        self.warning.setVisible(bool(unknown))

    def insert_variable(self, name: str) -> None:
        self.body.insertPlainText("{" + name + "}")
        self.body.setFocus()

    def new_template(self) -> None:
        self.current_id = None
        self.dirty = False
        self.tree.blockSignals(True)
        self.tree.setCurrentIndex(QModelIndex())
        self.tree.blockSignals(False)
        self.message.clear()
        self._fill(None)
        self._sync_permissions()
        self.title_edit.setFocus()

    def draft(self) -> f.TemplateDraft:
        return f.TemplateDraft(scope=self.scope, group=self.group.currentText().strip(),
                               title=self.title_edit.text().strip(), body=self.body.toPlainText(),
                               shortcut=self.shortcut.text().strip().lower())

    def problem_text(self, problem: m.DraftProblem) -> str:
        fields = {"group": self.tr("The group"), "title": self.tr("The title"), "body": self.tr("The text"),
                  "shortcut": self.tr("The shortcut")}
        what = fields.get(problem.field, problem.field)
        if problem.problem == "empty":
            return self.tr("{0} must not be empty.").format(what)
        if problem.problem == "too_long":
            return self.tr("{0} may have at most {1} characters.").format(what, problem.limit)
        if problem.problem == "shortcut_chars":
            return self.tr("The shortcut may only have lowercase letters a-z and digits.")
        return self.tr("Another template already uses this shortcut; choose another one.")

    def save(self) -> None:
        """Check the form and store it (a new template, or the one shown)."""
        if not self.editable():
            self.show_message(self.tr("You cannot edit this template."))
            return
        draft = self.draft()
        problem = m.check_draft(draft, self.service.templates, self.current_id)
        if problem is not None:
            self.show_message(self.problem_text(problem))
            return
        self.tasks.run(self._save(draft, self.current_id))

    async def _save(self, draft: f.TemplateDraft, template_id: int | None) -> None:
        template = await self.service.save_template(draft, template_id)
        self.current_id = template.template_id
        self.dirty = False
        self.reload()
        self.show_message(self.tr("Saved."))
        self.saved.emit(template)

    def confirm_delete(self) -> None:
        template = self.current_template()
        if template is None or not self.editable():
            return
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Delete template"),
                          self.tr("Delete the template \"{0}\"?").format(template.title),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.accepted.connect(lambda tid=template.template_id: self.delete(tid))
        box.open()
        self._confirm = box

    def delete(self, template_id: int) -> None:
        async def run() -> None:
            await self.service.delete_template(template_id)
            if self.current_id == template_id:
                self.current_id = None
                self.dirty = False
                self._fill(None)
            self.reload()
            self.show_message(self.tr("Deleted."))

        self.tasks.run(run())

    def move_selected(self, step: int) -> None:
        """Move the selected template (or group) up (-1) or down (1); the order is stored on the relay."""
        if not self.may_edit_scope(self.scope):
            return
        item = self.tree.currentItem()
        if item is None:
            return
        templates = self.scope_templates()
        template_id = item.data(0, IdRole)
        if template_id is not None:
            order = m.moved(templates, template_id, step)
        else:
            order = m.moved_group(templates, item.data(0, GroupRole), step)
        if order is None:
            return
        self.tasks.run(self._order(order))

    async def _order(self, order: list[int]) -> None:
        await self.book.order_templates(self.scope, order)
        self.reload()

    # messages, closing -----------------------------------------------------------------------

    def show_message(self, text: str) -> None:
        self.message.setText(text)

    def show_error(self, exc: BaseException) -> None:
        if not isinstance(exc, KefuError):
            logger.error("template editor: unexpected error", exc_info=exc)
        self.show_message(error_text(exc))
