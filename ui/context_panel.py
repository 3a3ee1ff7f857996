"""The right panel: the buyer's orders, logistics and after-sales cases, and the offers an agent can make.

A buyer rarely has more than a handful of orders, so each is a small block of labels (plain
text). Offering one of the platform's three after-sales solutions (return and refund, refund
only, or a compensation coupon) asks for confirmation first; the relay checks amounts again.
"""

from __future__ import annotations

import datetime as dt
import logging

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ui.chat_view import case_status_name, offer_name, yuan
from wire import frames as f

logger = logging.getLogger(__name__)

COUPON_MAX_CENTS = 50_000
OFFER_KINDS = ("return_refund", "refund_only", "coupon")
NOT_PAID = "pending_payment"


def short_time(iso: str) -> str:
    """"2026-10-15T13:21:55+08:00" as "10-15 13:21" (the platform's local time, as given)."""
    try:
        return dt.datetime.fromisoformat(iso).strftime("%m-%d %H:%M")
    except ValueError:
        return iso


def _label(text: str, name: str = "", wrap: bool = True) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if name:
        label.setObjectName(name)
    return label


class OfferDialog(QDialog):
    """Confirm an after-sales offer: the solution, the order, and the amount."""

    def __init__(self, order: f.OrderInfo, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("offerDialog")
        self.order = order
        self.kind_box = QComboBox(self)
        for k in OFFER_KINDS:
            self.kind_box.addItem(offer_name(k), k)
        self.kind_box.setCurrentIndex(OFFER_KINDS.index(kind))
        self.kind_box.currentIndexChanged.connect(self._on_kind)
        self.amount = QDoubleSpinBox(self)
        self.amount.setObjectName("offerAmount")
        self.amount.setDecimals(2)
        self.amount.setPrefix("¥")
        self.error = _label("", "formError")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.buttons.accepted.connect(self._check)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(self.tr("Order"), _label(f"{order.order_no} · {order.status_label} · {yuan(order.amount_cents)}"))
        form.addRow(self.tr("Solution"), self.kind_box)
        form.addRow(self.tr("Amount"), self.amount)
        form.addRow(self.error)
        form.addRow(self.buttons)
        self.setWindowTitle(self.tr("Offer an after-sales solution"))
        self.setMinimumWidth(380)
        self._on_kind()

    def ceiling_cents(self) -> int:
        if self.kind() == "coupon":
            return min(COUPON_MAX_CENTS, self.order.amount_cents)
        return self.order.amount_cents

    def kind(self) -> str:
        return str(self.kind_box.currentData())

    def _on_kind(self) -> None:
        ceiling = self.ceiling_cents()
        self.amount.setRange(0.01, ceiling / 100)
        self.amount.setValue(min(ceiling, 2000 if self.kind() == "coupon" else ceiling) / 100)

    def amount_cents(self) -> int:
        return round(self.amount.value() * 100)

    def _check(self) -> None:
        cents = self.amount_cents()
        if not 1 <= cents <= self.ceiling_cents():
            self.error.setText(self.tr("The amount must be between ¥0.01 and {0}").format(yuan(self.ceiling_cents())))
            return
        self.accept()

    def request(self) -> f.CardRequest:
        return f.CardRequest(kind="offer", order_no=self.order.order_no, offer=self.kind(),  # type: ignore[arg-type]
                             amount_cents=self.amount_cents())

    def label(self) -> str:
        return f"{offer_name(self.kind())} {yuan(self.amount_cents())}"


class ContextPanel(QWidget):
    """Orders, logistics, cases; asks for cards and offers through signals."""

    card_requested = Signal(object, str)  # f.CardRequest, label shown while it is sent

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("contextPanel")
        self.context: f.ContextInfo | None = None
        self.title = _label("", "panelTitle")
        self.status = _label("", "hint")
        self.body = QWidget()
        self.body_layout = QVBoxLayout(self.body)
        self.body_layout.setContentsMargins(0, 0, 0, 0)
        self.body_layout.setSpacing(10)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.title)
        layout.addWidget(self.status)
        layout.addWidget(scroll, 1)
        self._dialog: OfferDialog | None = None
        self.show_context(None)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.show_context(self.context)
        super().changeEvent(event)

    def show_loading(self) -> None:
        self.status.setText(self.tr("Loading the buyer's orders…"))

    def show_error(self, text: str) -> None:
        self.status.setText(text)

    def show_context(self, context: f.ContextInfo | None) -> None:
        self.context = context
        while self.body_layout.count():
            item = self.body_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        if context is None:
            self.title.setText(self.tr("Buyer"))
            self.status.setText(self.tr("Choose a conversation to see the buyer's orders."))
            return
        vip = self.tr(" · VIP") if context.vip else ""
        self.title.setText(f"{context.buyer_name}{vip}")
        self.status.setText(self.tr("%n order(s)", "", len(context.orders)) + " · "
                            + self.tr("%n after-sales case(s)", "", len(context.cases)))
        if context.cases:
            self.body_layout.addWidget(_label(self.tr("After-sales"), "sectionTitle"))
            for case in context.cases:
                amount = f" · {yuan(case.amount_cents)}" if case.amount_cents else ""
                self.body_layout.addWidget(_label(
                    f"{offer_name(case.kind)} · {case_status_name(case.status)}{amount}\n"
                    + self.tr("Order {0} · {1}").format(case.order_no, case.reason), "caseBox"))
        self.body_layout.addWidget(_label(self.tr("Orders"), "sectionTitle"))
        if not context.orders:
            self.body_layout.addWidget(_label(self.tr("No orders in this shop.")))
        for order in context.orders:
            self.body_layout.addWidget(self._order_box(order))
        self.body_layout.addStretch(1)

    def _order_box(self, order: f.OrderInfo) -> QFrame:
        box = QFrame()
        box.setObjectName("orderBox")
        box.setProperty("orderNo", order.order_no)
        lay = QVBoxLayout(box)
        lay.setContentsMargins(10, 8, 10, 8)
        lay.addWidget(_label(f"{order.order_no}", "orderNo"))
        lay.addWidget(_label(f"{order.status_label} · {yuan(order.amount_cents)} · {short_time(order.created_at)}"))
        for item in order.items:
            lay.addWidget(_label(f"{item.title} × {item.quantity}  {yuan(item.price_cents)}"))
        if order.tracking_no:
            lay.addWidget(_label(f"{order.courier or ''} {order.tracking_no}", "hint"))
        for step in order.logistics[:4]:
            lay.addWidget(_label(f"{short_time(step.at)}  {step.text}", "logistics"))
        actions = QGridLayout()
        send = QPushButton(self.tr("Send card"))
        send.setObjectName("sendOrderCard")
        send.clicked.connect(lambda: self.card_requested.emit(
            f.CardRequest(kind="order", order_no=order.order_no), self.tr("[Order] {0}").format(order.order_no)))
        actions.addWidget(send, 0, 0)
        if order.items:
            product = QPushButton(self.tr("Product card"))
            product.setObjectName("sendProductCard")
            first = order.items[0]
            product.clicked.connect(lambda: self.card_requested.emit(
                f.CardRequest(kind="product", sku=first.sku), self.tr("[Product] {0}").format(first.title)))
            actions.addWidget(product, 0, 1)
        if order.status != NOT_PAID:
            for i, kind in enumerate(OFFER_KINDS, start=2):
                button = QPushButton(offer_name(kind))
                button.setObjectName(f"offer_{kind}")
                button.clicked.connect(lambda _=False, k=kind: self.ask_offer(order, k))
                actions.addWidget(button, i // 2, i % 2)
        lay.addLayout(actions)
        return box

    def ask_offer(self, order: f.OrderInfo, kind: str) -> OfferDialog:
        """Open the confirmation dialog (non-blocking); the card is requested when it is accepted."""
        dialog = OfferDialog(order, kind, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.card_requested.emit(dialog.request(), dialog.label()))
        self._dialog = dialog
        dialog.open()
        return dialog

    def order_nos(self) -> list[str]:
        return [o.order_no for o in self.context.orders] if self.context else []
