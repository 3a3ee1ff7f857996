"""The login dialog: relay URL, shop, account, password, remember me, and an optional CA file.

Logging in runs on the event loop while the dialog stays responsive; errors show in the dialog
in words the agent can act on (wrong password, too many attempts: wait N s, relay unreachable).
Where the machine has no keyring, the dialog says that "remember me" lasts only until exit. The CA
file is for a self-hosted relay whose certificate comes from the shop's own authority (app/tls.py);
when a certificate fails verification the dialog says why, that nothing was sent, and what to do.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.account import Accounts, LoggedIn
from app.errors import ConnectionLost, KefuError, RelayError
from ui.errors import error_text
from ui.tasks import Tasks
from wire.errors import ErrorCode

logger = logging.getLogger(__name__)


class LoginDialog(QDialog):
    """Emits `logged_in` with the login; stays open with an error until then."""

    logged_in = Signal(object)  # LoggedIn

    def __init__(self, accounts: Accounts, relay_url: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("loginDialog")
        self.accounts = accounts
        self.tasks = Tasks(self._show_error)
        prefs = accounts.prefs
        self.relay = QLineEdit(prefs.relay_url or relay_url, self)
        self.relay.setObjectName("relayUrl")
        self.shop = QLineEdit(prefs.shop, self)
        self.shop.setObjectName("shop")
        self.username = QLineEdit(prefs.username, self)
        self.username.setObjectName("username")
        self.password = QLineEdit(self)
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.remember = QCheckBox(self)
        self.remember.setObjectName("rememberMe")
        self.remember.setChecked(prefs.remember_me)
        self.ca_file = QLineEdit(accounts.ca_file, self)
        self.ca_file.setObjectName("caFile")
        self.ca_file.setClearButtonEnabled(True)
        self.choose_ca = QPushButton(self)
        self.choose_ca.setObjectName("chooseCaFile")
        self.choose_ca.clicked.connect(self.choose_ca_file)
        self.ca_dialog: QFileDialog | None = None
        ca_row = QHBoxLayout()
        ca_row.setContentsMargins(0, 0, 0, 0)
        ca_row.addWidget(self.ca_file, 1)
        ca_row.addWidget(self.choose_ca)
        self.error = QLabel(self)
        self.error.setObjectName("formError")
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setWordWrap(True)
        self.keyring_note = QLabel(self)
        self.keyring_note.setObjectName("hint")
        self.keyring_note.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self.form = QFormLayout()
        self._labels = [QLabel(self) for _ in range(4)]
        for label, field in zip(self._labels, (self.relay, self.shop, self.username, self.password), strict=True):
            self.form.addRow(label, field)
        self.form.addRow("", self.remember)
        self._ca_label = QLabel(self)
        self.form.addRow(self._ca_label, ca_row)
        self.heading = QLabel(self)
        self.heading.setObjectName("loginHeading")
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(self.form)
        layout.addWidget(self.keyring_note)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)
        self.retranslate()
        if accounts.restore_problem is not None:  # why the remembered login could not be used
            self.error.setText(error_text(accounts.restore_problem))
        (self.password if prefs.username else self.shop if not prefs.shop else self.username).setFocus()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Kefu Desk · Log in"))
        self.heading.setText(self.tr("Kefu Desk · customer service workstation"))
        for label, text in zip(self._labels, (self.tr("Relay"), self.tr("Shop"), self.tr("Account"),
                                              self.tr("Password")), strict=True):
            label.setText(text)
        self.remember.setText(self.tr("Remember me on this computer"))
        self._ca_label.setText(self.tr("CA file"))
        self.ca_file.setPlaceholderText(self.tr("Optional: only for a self-hosted relay with its own certificate"))
        self.choose_ca.setText(self.tr("Choose…"))
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        if ok is not None:
            ok.setText(self.tr("Log in"))
        self._keyring_state()

    def _keyring_state(self) -> None:
        vault = self.accounts.vault
        if vault.persistent:
            self.keyring_note.hide()
        else:
            self.keyring_note.setText(self.tr(
                "This computer has no keyring, so your login is kept in memory only and you will be asked "
                "again after the program exits."))
            self.keyring_note.show()

    def choose_ca_file(self) -> None:
        """Pick the CA file in a file dialog that does not block the event loop (`open`, not `exec`)."""
        dialog = self.ca_dialog = QFileDialog(self, self.tr("Choose the relay's CA file"), self.ca_file.text(),
                                              self.tr("Certificates (*.pem *.crt *.cer);;All files (*)"))
        dialog.setObjectName("caFileDialog")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(self.ca_file.setText)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def submit(self) -> None:
        fields = (self.relay.text().strip(), self.shop.text().strip(), self.username.text().strip(),
                  self.password.text())
        if not all(fields):
            self.error.setText(self.tr("Please fill in every field."))
            return
        self.error.setText(self.tr("Logging in…"))
        self.buttons.setEnabled(False)
        self.tasks.run(self._login(*fields, self.ca_file.text().strip()))

    async def _login(self, relay: str, shop: str, username: str, password: str, ca_file: str) -> None:
        try:
            result: LoggedIn = await self.accounts.login(relay, shop, username, password, self.remember.isChecked(),
                                                         ca_file)
        finally:
            self.buttons.setEnabled(True)
        self.password.clear()
        self.error.clear()
        self._keyring_state()
        self.logged_in.emit(result)
        self.accept()

    def _show_error(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        # Only what logging in changes: `unauthorized` here is a wrong password, not an ended session,
        # and an unreachable relay is an address to check. Everything else (too many attempts, say)
        # is worded by ui/errors.py, like everywhere else.
        if isinstance(exc, RelayError) and exc.code == ErrorCode.UNAUTHORIZED:
            text = self.tr("Wrong shop, account or password.")
        elif isinstance(exc, ConnectionLost):
            text = self.tr("Cannot reach the relay. Check the address and your network.")
        else:
            if not isinstance(exc, KefuError):
                logger.error("login failed", exc_info=exc)
            text = error_text(exc)
        self.error.setText(text)
