"""The main window: composes the queue, conversation and context panels around one DeskService.

The window owns no logic of its own: it wires the bridge's signals to the panels, the panels'
requests to the service, and shows errors in one place (`show_error`). Closing it closes the
service (and with it the connection and the history) before the window really goes away.
"""

from __future__ import annotations

import logging
import math

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStatusBar,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app.account import Accounts
from app.config import Preferences
from app.errors import KefuError
from app.events import CallChanged, ConnectionChanged, Notice
from app.services import DeskService
from ui.attention import AttentionCenter
from ui.bridge import DeskBridge
from ui.call_window import CallWindow
from ui.context_panel import ContextPanel
from ui.conversation_panel import ConversationPanel
from ui.errors import error_text
from ui.help_dialog import HelpDialog
from ui.i18n import Languages
from ui.queue_panel import QueuePanel
from ui.search_dialog import SearchDialog
from ui.settings_dialog import SettingsDialog
from ui.shop_settings_dialog import ShopActions
from ui.supervisor.workspace import SupervisorWorkspace
from ui.tasks import Tasks
from wire import frames as f

logger = logging.getLogger(__name__)

STATUSES = ("online", "busy", "away")


class OfflineBanner(QFrame):
    """Shown while the relay is unreachable: what is happening and that typed messages are kept; while
    its certificate (or the CA file) stands in the way, that instead, in the agent's language."""

    reconnect = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("offlineBanner")
        self.text = QLabel(self)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setWordWrap(True)
        self.button = QPushButton(self)
        self.button.setObjectName("reconnectButton")
        self.button.clicked.connect(self.reconnect)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 12, 6)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.button)
        self.state = ConnectionChanged("connecting")
        self.hide()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.show_state(self.state)
        super().changeEvent(event)

    def show_state(self, state: ConnectionChanged) -> None:
        self.state = state
        self.button.setText(self.tr("Reconnect now"))
        if state.status == "online":
            self.hide()
            return
        if state.status == "connecting" and not self.isVisible():
            return  # a normal start or a quick reconnect: no alarm
        kept = self.tr("Messages you type are kept and sent when the connection is back.")
        # A certificate (or CA file) problem is not a network blip: "unreachable" would hide why, and
        # what the agent can do about it; so its words come first, and no "unreachable".
        why = error_text(state.error) + " " if state.error is not None else ""
        if state.status == "connecting":
            now = self.tr("Connecting to the relay…")
        elif state.retry_in is not None:
            seconds = max(1, math.ceil(state.retry_in))
            now = (self.tr("Checking again in {0} s.") if why
                   else self.tr("The relay is unreachable; retrying in {0} s.")).format(seconds)
        else:
            now = self.tr("Disconnected from the relay.")
        self.text.setText(why + now + " " + kept)
        self.show()


class MainWindow(QMainWindow):
    """The workstation."""

    logged_out = Signal()
    closed = Signal()

    def __init__(self, service: DeskService, accounts: Accounts, languages: Languages,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.service = service
        self.accounts = accounts
        self.languages = languages
        self.bridge = DeskBridge(service, self)
        self.tasks = Tasks(self.show_error)
        self.call_windows: dict[str, CallWindow] = {}
        self._closing = False
        self._closed = False

        self.queue_panel = QueuePanel(service, self)
        self.conversation = ConversationPanel(service, self, bridge=self.bridge)
        self.context_panel = ContextPanel(self)
        self.banner = OfflineBanner(self)
        self.toast = QLabel(self)
        self.toast.setObjectName("toast")
        self.toast.setTextFormat(Qt.TextFormat.PlainText)
        self.toast.setWordWrap(True)
        self.toast.hide()
        self._toast_timer = QTimer(self)
        self._toast_timer.setSingleShot(True)
        self._toast_timer.timeout.connect(self.toast.hide)
        self.attention = AttentionCenter(lambda: self.accounts.prefs, self)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.queue_panel)
        splitter.addWidget(self.conversation)
        splitter.addWidget(self.context_panel)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setStretchFactor(2, 0)
        splitter.setSizes([300, 640, 320])
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(self.toast)
        self.workspace: SupervisorWorkspace | None = None
        if self.bridge.supervision is not None:  # a supervisor: chats, wallboard and complaints as tabs
            self.workspace = SupervisorWorkspace(self.bridge, splitter, central)
            self.workspace.open_conversation.connect(self.open_conversation)
        layout.addWidget(self.workspace or splitter, 1)
        self.setCentralWidget(central)
        self.setStatusBar(QStatusBar(self))

        self.toolbar = QToolBar(self)
        self.toolbar.setObjectName("mainToolbar")
        self.toolbar.setMovable(False)
        self.addToolBar(self.toolbar)
        self.who = QLabel(self)
        self.who.setObjectName("whoLabel")
        self.who.setTextFormat(Qt.TextFormat.PlainText)  # the agent's and the shop's names, as typed
        self.status_box = QComboBox(self)
        self.status_box.setObjectName("statusBox")
        self.status_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.status_box.activated.connect(self._status_chosen)
        self.search_action = QAction(self)
        self.search_action.triggered.connect(self.open_search)
        self.settings_action = QAction(self)
        self.settings_action.triggered.connect(self.open_settings)
        self.help_action = QAction(self)
        self.help_action.triggered.connect(self.open_help)
        self.logout_action = QAction(self)
        self.logout_action.triggered.connect(self.logout)
        self.toolbar.addWidget(self.who)
        if service.session.role == "agent":
            self.toolbar.addWidget(self.status_box)
        else:
            self.status_box.hide()
        spacer = QWidget(self)
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.toolbar.addWidget(spacer)
        for action in (self.search_action, self.settings_action, self.help_action, self.logout_action):
            self.toolbar.addAction(action)
        # "Templates…" for everyone, "Shop settings…" for supervisors, before "Settings" (ui/shop_settings_dialog.py)
        self.shop_actions = ShopActions(service, self.tasks, self.show_error, self)
        self.shop_actions.install(self.toolbar, before=self.settings_action)

        self._shortcut("Alt+Down", self.queue_panel.next_unread)
        self._shortcut("Ctrl+F", self.open_search)
        self._shortcut("Ctrl+T", self.conversation.open_transfer)
        self._shortcut("Ctrl+Shift+R", self.conversation.resolve)
        self._shortcut("F1", self.open_help)

        b = self.bridge
        b.connection_changed.connect(self._on_connection)
        b.session_ended.connect(self._on_session_ended)
        b.conversation_changed.connect(self.queue_panel.on_conversation_changed)
        b.conversation_changed.connect(self.conversation.on_conversation_changed)
        b.conversation_changed.connect(lambda _e: self.attention.set_unread(self.service.unread_total()))
        b.messages_added.connect(self.conversation.on_messages_added)
        b.message_updated.connect(self.conversation.on_message_updated)
        b.read_by_buyer.connect(self.conversation.on_read_by_buyer)
        b.case_changed.connect(self.conversation.on_case_changed)
        b.case_changed.connect(lambda e: self._refresh_context(e.conversation_id))
        b.queue_changed.connect(self.queue_panel.on_queue_changed)
        b.agents_changed.connect(lambda _e: self._sync_status_box())
        b.attention.connect(self.attention.on_attention)
        b.notice.connect(self._on_notice)
        b.call_changed.connect(self._on_call_changed)
        b.call_changed.connect(self.conversation.on_call_changed)
        b.connection_changed.connect(lambda _e: self.conversation.recheck_call_soon())
        self.conversation.call_window_wanted.connect(self.show_call_window)
        self.attention.notified.connect(lambda title, text: self.show_toast(f"{title}: {text}"))
        self.queue_panel.conversation_selected.connect(self.open_conversation)
        self.queue_panel.claim_requested.connect(lambda cid: self.tasks.run(self.service.claim(cid)))
        self.conversation.error.connect(self.show_error)
        self.conversation.info.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.conversation.context_wanted.connect(self._refresh_context)
        self.context_panel.card_requested.connect(self.conversation.send_card)
        self.banner.reconnect.connect(self.service.link.retry_now)

        self.resize(1280, 800)
        self.retranslate()
        self._on_connection(service.connection)

    def _shortcut(self, keys: str, slot: object) -> None:
        shortcut = QShortcut(QKeySequence(keys), self)
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        shortcut.activated.connect(slot)  # type: ignore[arg-type]

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        elif event.type() == QEvent.Type.ActivationChange:
            # Messages count as read only while the agent can see them.
            self.service.focus(self.conversation.conversation_id if self.isActiveWindow() else None)
        super().changeEvent(event)

    def retranslate(self) -> None:
        s = self.service.session
        role = self.tr("Supervisor") if s.role == "supervisor" else self.tr("Agent")
        self.setWindowTitle(self.tr("Kefu Desk · {0}").format(s.shop or ""))
        self.who.setText(f"  {s.display_name} · {role} · {s.shop}  ")
        names = {"online": self.tr("Online"), "busy": self.tr("Busy"), "away": self.tr("Away")}
        self.status_box.clear()
        for status in STATUSES:
            self.status_box.addItem(names[status], status)
        self._sync_status_box()
        self.search_action.setText(self.tr("Search"))
        self.search_action.setToolTip(self.tr("Search the history (Ctrl+F)"))
        self.settings_action.setText(self.tr("Settings"))
        self.help_action.setText(self.tr("Shortcuts"))
        self.logout_action.setText(self.tr("Log out"))

    def _sync_status_box(self) -> None:
        index = self.status_box.findData(self.service.my_status)
        if index >= 0:
            self.status_box.setCurrentIndex(index)

    # conversation selection ------------------------------------------------------------------

    def open_conversation(self, conversation_id: int, at_seq: int | None = None) -> None:
        if conversation_id != self.conversation.conversation_id or at_seq is not None:
            self.conversation.show_conversation(conversation_id, at_seq)
        self.queue_panel.select(conversation_id)

    def _refresh_context(self, conversation_id: int) -> None:
        if conversation_id != self.conversation.conversation_id:
            return
        self.context_panel.show_loading()

        async def load() -> None:
            try:
                context = await self.service.context(conversation_id, fresh=True)
            except KefuError as exc:
                if self.conversation.conversation_id == conversation_id:
                    self.context_panel.show_error(error_text(exc))
                return
            if self.conversation.conversation_id == conversation_id:
                self.context_panel.show_context(context)

        self.tasks.run(load())

    # core events -------------------------------------------------------------------------------

    def _on_connection(self, state: ConnectionChanged) -> None:
        self.banner.show_state(state)
        if state.status == "online":
            self.statusBar().showMessage(self.tr("Connected"), 3000)

    def _on_session_ended(self, reason: str) -> None:
        self.show_toast(self.tr("Your login is no longer valid; please log in again."))
        self.tasks.run(self._end_session())

    def _on_notice(self, notice: Notice) -> None:
        logger.info("relay refusal: %s", notice.error)  # the relay's English, for the log only
        self.show_toast(error_text(notice.error))

    def _on_call_changed(self, event: CallChanged) -> None:
        call = event.call
        if event.reason == "accepted" and call.call_id not in self.call_windows and not self._closing:
            window = self.call_windows[call.call_id] = CallWindow(self.service, self.bridge, call, self)
            window.destroyed.connect(lambda _=None, cid=call.call_id: self.call_windows.pop(cid, None))
            window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            window.show()
        elif event.reason == "declined":
            self.show_toast(self.tr("{0} declined the video call.").format(call.info.buyer_name))
        elif event.reason == "expired":
            self.show_toast(self.tr("{0} did not answer the video call invitation.").format(call.info.buyer_name))
        elif event.reason == "released":
            self.call_windows.pop(call.call_id, None)

    def show_call_window(self, call_id: str) -> None:
        window = self.call_windows.get(call_id)
        if window is not None:
            window.show()
            window.raise_()
            window.activateWindow()

    # actions -----------------------------------------------------------------------------------

    def _status_chosen(self, index: int) -> None:
        status = self.status_box.itemData(index)
        self.tasks.run(self.service.set_status(status))

    def open_search(self) -> SearchDialog:
        dialog = SearchDialog(self.service, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.error.connect(self.show_error)
        dialog.open_hit.connect(lambda cid, seq: self.open_conversation(cid, seq))
        dialog.open()
        self._search = dialog
        return dialog

    def open_settings(self) -> SettingsDialog:
        dialog = SettingsDialog(self.accounts.prefs, self, supervisor=self.workspace is not None)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.changed.connect(self.apply_preferences)
        dialog.open()
        self._settings = dialog
        return dialog

    def apply_preferences(self, prefs: Preferences) -> None:
        self.languages.use(prefs.language)
        self.tasks.run(self.accounts.save_prefs(prefs))

    def open_help(self) -> HelpDialog:
        dialog = HelpDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self._help = dialog
        return dialog

    def logout(self) -> None:
        async def out() -> None:
            await self._stop_workspace()
            await self.accounts.forget()
            await self.service.logout()
            self._finish(logged_out=True)

        self.tasks.run(out())

    async def _end_session(self) -> None:
        await self._stop_workspace()
        await self.accounts.forget()
        await self.service.close()
        self._finish(logged_out=True)

    # errors, toasts ----------------------------------------------------------------------------

    def show_error(self, exc: BaseException) -> None:
        if not isinstance(exc, KefuError):
            logger.error("unexpected error", exc_info=exc)
        self.show_toast(error_text(exc))

    def show_toast(self, text: str, ms: int = 6000) -> None:
        self.toast.setText(text)
        self.toast.show()
        self._toast_timer.start(ms)

    # closing -----------------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        """Close the service (connection, history, calls) first; then let the window go."""
        if self._closed:
            event.accept()
            return
        event.ignore()
        if not self._closing:
            self._closing = True
            self.tasks.run(self._shutdown())

    async def _stop_workspace(self) -> None:
        if self.workspace is not None:
            await self.workspace.stop()

    async def _shutdown(self) -> None:
        await self._stop_workspace()
        await self.service.close()
        self._finish(logged_out=False)

    def _finish(self, *, logged_out: bool) -> None:
        self._closed = True
        for window in list(self.call_windows.values()):
            window.close()  # the calls are over already (the service closed them)
        self.call_windows.clear()
        self.bridge.detach()
        self.attention.close()
        self.close()
        (self.logged_out if logged_out else self.closed).emit()

    def current_conversation(self) -> int | None:
        return self.conversation.conversation_id

    def conversation_info(self, conversation_id: int) -> f.ConversationInfo | None:
        view = self.service.conversations.get(conversation_id)
        return view.info if view else None
