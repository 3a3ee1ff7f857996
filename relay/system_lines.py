"""Automatic messages: their codes, their parameters, and the relay's Chinese wording of them.

A system message carries `event` (the code) and `params` (plain values: names, clock times,
seconds, codes, amounts in fen), so that every client says it in its reader's language and from
its reader's side ("you declined" on the buyer's page, "the buyer declined" on the workstation).
`text` is the Chinese wording below, for clients that do not know an event yet. docs/protocol.md
lists every event with its parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

OFFER_LABELS = {"return_refund": "退货退款", "refund_only": "仅退款", "coupon": "补偿优惠券"}
COMPLAINT_LABELS = {
    "not_requested": "我没有要求视频", "inappropriate": "内容不当", "sales_pressure": "推销",
    "privacy": "侵犯隐私", "poor_quality": "通话质量差", "other": "其他",
}

EVENTS: dict[str, tuple[str, tuple[str, ...]]] = {
    # event: (Chinese wording, its parameters)
    "welcome": ("您好，欢迎光临{shop}！正在为您接入客服，请稍候～", ("shop",)),
    "out_of_hours": (
        "您好，现在是非服务时间（服务时间 {opens}–{closes}），您的消息已收到，客服上线后会第一时间回复您。",
        ("opens", "closes")),
    "agent_joined": ("客服{agent}为您服务～", ("agent",)),
    "transferred": ("已为您转接至客服{agent}，请稍候～", ("agent",)),
    "taken_over": ("客服主管{agent}为您服务～", ("agent",)),
    "requeued": ("正在为您重新接入客服，请稍候～", ()),
    "resolved": ("本次服务已结束，感谢您的咨询。如还有问题，直接发消息即可～", ("session_id",)),
    "auto_closed": ("由于长时间没有新消息，本次会话已自动结束。如还有问题，直接发消息即可～", ()),
    "abandoned": ("您已离开，本次会话已结束。如还有问题，直接发消息即可～", ()),
    "rated": ("买家评价：{stars}星 {comment}", ("stars", "comment")),
    "offer_accepted": ("买家已接受售后方案：{offer} {amount_cents}", ("offer", "amount_cents")),
    "offer_declined": ("买家未接受售后方案：{offer} {amount_cents}", ("offer", "amount_cents")),
    "call_declined": ("买家婉拒了视频讲解邀请", ()),
    "call_blocked": ("买家选择不再接收本店的视频讲解邀请", ()),
    "call_unblocked": ("买家已重新接收本店的视频讲解邀请", ()),
    "call_expired": ("视频讲解邀请已过期，未被接听", ()),
    "call_cancelled": ("客服撤回了视频讲解邀请", ()),
    "call_connected": ("视频讲解已接通（全程加密，不录制）", ()),
    "call_ended": ("视频讲解已结束，通话时长 {duration_s}", ("duration_s",)),
    "call_complaint": ("买家投诉了本次视频讲解：{reason}", ("reason",)),
}


def yuan(cents: int) -> str:
    """¥ amount as the buyer reads it."""
    return f"¥{cents // 100}.{cents % 100:02d}"


def duration_text(seconds: int) -> str:
    """"3分12秒" as the chat shows it."""
    minutes, secs = divmod(max(0, seconds), 60)
    return f"{minutes}分{secs:02d}秒" if minutes else f"{secs}秒"


_WORDING: dict[str, Callable[[str], str]] = {
    "offer": lambda v: OFFER_LABELS.get(v, v),
    "amount_cents": lambda v: yuan(int(v)) if v.isdigit() else v,
    "duration_s": lambda v: duration_text(int(v)) if v.isdigit() else v,
    "reason": lambda v: COMPLAINT_LABELS.get(v, v),
}


def system_text(event: str, params: Mapping[str, str]) -> str:
    """The relay's Chinese wording of an automatic message."""
    template, names = EVENTS[event]
    missing = set(names) - set(params)
    if missing:
        raise ValueError(f"system message {event!r} lacks {sorted(missing)}")
    return template.format(**{n: _WORDING.get(n, str)(params[n]) for n in names}).strip()
