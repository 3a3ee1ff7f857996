// User-facing strings of the buyer page, Simplified Chinese first; English as the switch.
(() => {
"use strict";

const STRINGS = {
  zh: {
    appTitle: "店铺客服",
    pickShop: "选择要咨询的店铺",
    you: "您好，{name}",
    placeholder: "输入消息…",
    send: "发送",
    sending: "发送中",
    sent: "已发送",
    read: "已读",
    failed: "发送失败，点击重试",
    reconnecting: "连接中断，正在重连…",
    offline: "网络已断开，消息会在恢复后自动发送",
    connected: "已连接",
    queueWaiting: "您前面还有 {n} 位",
    queueEta: "预计等待约 {t}",
    minutes: "{n} 分钟",
    seconds: "{n} 秒",
    hours: "{n} 小时",
    reason_all_busy: "客服都在忙，请稍候",
    reason_no_agent_online: "暂时没有客服在线",
    reason_outside_hours: "现在是非服务时间",
    reason_waiting_for_your_agent: "正在等待您的专属客服",
    reason_manual: "等待客服接入",
    servedBy: "客服 {name} 为您服务",
    productCard: "商品",
    orderCard: "订单",
    offerCard: "售后方案",
    offer_return_refund: "退货退款",
    offer_refund_only: "仅退款",
    offer_coupon: "补偿优惠券",
    status_offered: "待您确认",
    status_accepted: "已接受",
    status_declined: "已拒绝",
    accept: "接受",
    decline: "不接受",
    orderNo: "订单号 {no}",
    rate_limited: "发送太快了，请稍后再试",
    error: "出错了：{msg}",
    noSession: "无法进入店铺，请刷新页面重试",
    ev_welcome: null,
  },
  en: {
    appTitle: "Shop service",
    pickShop: "Choose a shop to chat with",
    you: "Hello, {name}",
    placeholder: "Type a message…",
    send: "Send",
    sending: "Sending",
    sent: "Sent",
    read: "Read",
    failed: "Not sent, tap to retry",
    reconnecting: "Connection lost, reconnecting…",
    offline: "You are offline; messages will be sent when you are back",
    connected: "Connected",
    queueWaiting: "{n} ahead of you",
    queueEta: "about {t} to wait",
    minutes: "{n} min",
    seconds: "{n} s",
    hours: "{n} h",
    reason_all_busy: "All agents are busy, please hold on",
    reason_no_agent_online: "No agent is online right now",
    reason_outside_hours: "We are outside service hours",
    reason_waiting_for_your_agent: "Waiting for your own agent",
    reason_manual: "Waiting for an agent to pick up",
    servedBy: "{name} is helping you",
    productCard: "Product",
    orderCard: "Order",
    offerCard: "After-sales offer",
    offer_return_refund: "Return and refund",
    offer_refund_only: "Refund only",
    offer_coupon: "Compensation coupon",
    status_offered: "Awaiting your answer",
    status_accepted: "Accepted",
    status_declined: "Declined",
    accept: "Accept",
    decline: "Decline",
    orderNo: "Order {no}",
    rate_limited: "Too fast, please try again in a moment",
    error: "Something went wrong: {msg}",
    noSession: "Could not enter the shop; reload the page",
    ev_welcome: "Welcome! Connecting you to an agent, please hold on.",
    ev_out_of_hours: "We are outside service hours; your message is saved and an agent will reply when we open.",
    ev_agent_joined: "An agent is now helping you.",
    ev_transferred: "You were transferred to another agent.",
    ev_requeued: "Reconnecting you to an agent, please hold on.",
    ev_resolved: "This conversation has ended. Write again any time.",
    ev_auto_closed: "This conversation was closed after a long silence. Write again any time.",
    ev_offer_accepted: "You accepted the after-sales offer.",
    ev_offer_declined: "You declined the after-sales offer.",
  },
};

function currentLang() {
  const saved = localStorage.getItem("kefu.lang");
  return saved === "en" || saved === "zh" ? saved : "zh";
}

function t(key, params) {
  const table = STRINGS[currentLang()];
  let text = table[key];
  if (text === undefined || text === null) text = STRINGS.zh[key] || key;
  for (const [name, value] of Object.entries(params || {})) text = text.split(`{${name}}`).join(String(value));
  return text;
}

// The text of a system message in the chosen language: the relay's Chinese text, or an English one by event.
function systemText(event, fallback) {
  if (currentLang() === "en" && event && STRINGS.en[`ev_${event}`]) return STRINGS.en[`ev_${event}`];
  return fallback;
}

function applyStaticStrings() {
  document.documentElement.lang = currentLang() === "en" ? "en" : "zh-CN";
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = t(el.dataset.i18nPlaceholder);
  document.getElementById("lang").textContent = currentLang() === "en" ? "中" : "EN";
}

window.kefuI18n = { t, systemText, currentLang, applyStaticStrings };
})();
