"""Guards against a Qt binding that corrupts reference counts: PySide6 6.12.0 dropped a reference to
None each time a Python model's data() answered None, and a busy window crashed within minutes
("deallocating None"). pyproject.toml excludes that release; this test fails if one like it returns."""

from __future__ import annotations

import sys

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QApplication, QListView


class Sparse(QAbstractListModel):
    """Answers only the display role; None for everything else, as a Qt model should."""

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 30

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        return "行" if role == Qt.ItemDataRole.DisplayRole else None


def test_models_answering_none_leave_the_reference_count_of_none_alone(qapp: QApplication) -> None:
    model = Sparse()
    index = model.index(0)
    before = sys.getrefcount(None)
    for _ in range(5000):
        index.data(Qt.ItemDataRole.ToolTipRole)  # Python asks through Qt
    view = QListView()
    view.setModel(model)
    view.resize(200, 600)
    view.show()
    for _ in range(50):
        view.viewport().repaint()  # Qt asks for every role of every visible row
    view.close()
    assert sys.getrefcount(None) >= before - 50, "the Qt binding is losing references to None"
