// User-facing strings of the buyer page: Simplified Chinese by default, English as the switch.
// The chosen language is remembered in localStorage ("kefu.lang").
(() => {
"use strict";

const STRINGS = {
  zh: {
    appTitle: "店铺客服",
    youAre: "当前身份：{name}",
    greeting: "您好，{name}",
    pickShop: "选择要咨询的店铺",
    shopSub: "在线客服 · 点击咨询",
    unread: "{n} 条新消息",
    placeholder: "输入消息…",
    send: "发送",
    sending: "发送中",
    sent: "已发送",
    read: "已读",
    failed: "发送失败",
    retry: "重试",
    loadOlder: "查看更早的消息",
    emptyChat: "有什么可以帮您？直接发消息给店铺客服吧",
    quick1: "什么时候发货？",
    quick2: "怎么申请退换货？",
    quick3: "帮我查一下物流",
    today: "今天",
    yesterday: "昨天",
    reconnecting: "连接中断，正在重连…",
    offline: "网络已断开，消息会在恢复后自动发送",
    connecting: "正在连接…",
    connected: "已连接",
    switchLang: "切换语言",
    back: "返回店铺列表",
    queueWaiting: "排队中，您前面还有 {n} 位",
    queueNext: "排队中，下一位就是您",
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
    noSession: "无法进入店铺，请刷新页面重试",
    error: "出错了：{msg}",
    err_bad_frame: "请求格式有误",
    err_unknown_type: "暂不支持此操作",
    err_invalid_field: "内容不符合要求，请检查后重试",
    err_too_large: "消息太长了，请分几条发送",
    err_rate_limited: "发送太快了，请稍后再试",
    err_rate_limited_wait: "发送太快了，{s} 秒后自动重试",
    err_unauthorized: "登录已失效，正在重新进入…",
    err_forbidden: "没有权限进行此操作",
    err_not_found: "店铺或会话不存在",
    err_conflict: "消息冲突，请重新编辑后发送",
    err_throttled: "尝试次数过多，请稍后再试",
    err_bad_origin: "页面来源不被允许",
    err_unsupported_version: "页面版本过旧，请刷新",
    err_slow_consumer: "网络太慢，正在重新连接…",
    err_going_away: "服务器正在维护，稍后自动重连",
    err_unavailable: "服务暂时不可用，请稍后重试",
    err_internal: "服务器出错了，请稍后重试",
  },
  en: {
    appTitle: "Shop service",
    youAre: "You are {name}",
    greeting: "Hello, {name}",
    pickShop: "Choose a shop to chat with",
    shopSub: "Customer service · tap to chat",
    unread: "{n} new",
    placeholder: "Type a message…",
    send: "Send",
    sending: "Sending",
    sent: "Sent",
    read: "Read",
    failed: "Not sent",
    retry: "Retry",
    loadOlder: "Show earlier messages",
    emptyChat: "How can we help? Send the shop a message",
    quick1: "When will it ship?",
    quick2: "How do I return or exchange?",
    quick3: "Where is my parcel?",
    today: "Today",
    yesterday: "Yesterday",
    reconnecting: "Connection lost, reconnecting…",
    offline: "You are offline; messages will be sent when you are back",
    connecting: "Connecting…",
    connected: "Connected",
    switchLang: "Switch language",
    back: "Back to shops",
    queueWaiting: "In the queue: {n} ahead of you",
    queueNext: "In the queue: you are next",
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
    noSession: "Could not enter the shop; reload the page",
    error: "Something went wrong: {msg}",
    err_bad_frame: "The request was malformed",
    err_unknown_type: "This is not supported",
    err_invalid_field: "That was not accepted; please check and try again",
    err_too_large: "That message is too long; split it up",
    err_rate_limited: "Too fast, please try again in a moment",
    err_rate_limited_wait: "Too fast; retrying in {s} s",
    err_unauthorized: "Your session expired; signing you in again…",
    err_forbidden: "You are not allowed to do that",
    err_not_found: "That shop or conversation does not exist",
    err_conflict: "Message conflict; edit it and send again",
    err_throttled: "Too many attempts; try again later",
    err_bad_origin: "This page's origin is not allowed",
    err_unsupported_version: "This page is out of date; reload it",
    err_slow_consumer: "The connection is too slow; reconnecting…",
    err_going_away: "The server is restarting; reconnecting soon",
    err_unavailable: "Service temporarily unavailable; try again shortly",
    err_internal: "Server error; try again shortly",
    // System messages are stored in Chinese; these are their English versions, by event.
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
  let saved = null;
  try { saved = localStorage.getItem("kefu.lang"); } catch { /* storage disabled */ }
  return saved === "en" || saved === "zh" ? saved : "zh";
}

function setLang(lang) {
  try { localStorage.setItem("kefu.lang", lang); } catch { /* storage disabled */ }
}

function has(key) {
  return typeof STRINGS[currentLang()][key] === "string" || typeof STRINGS.zh[key] === "string";
}

// The string `key` in the chosen language (Chinese if missing), with {name} placeholders filled.
function t(key, params) {
  let text = STRINGS[currentLang()][key];
  if (typeof text !== "string") text = typeof STRINGS.zh[key] === "string" ? STRINGS.zh[key] : key;
  for (const [name, value] of Object.entries(params || {})) text = text.split(`{${name}}`).join(String(value));
  return text;
}

// The text of a system message in the chosen language: the relay's Chinese text, or an English one by event.
function systemText(event, fallback) {
  if (currentLang() === "en" && event && typeof STRINGS.en[`ev_${event}`] === "string") return STRINGS.en[`ev_${event}`];
  return fallback;
}

function locale() {
  return currentLang() === "en" ? "en-US" : "zh-CN";
}

// Fill every element marked data-i18n (text), data-i18n-placeholder and data-i18n-label (aria-label/title).
function applyStaticStrings() {
  const lang = currentLang();
  document.documentElement.lang = lang === "en" ? "en" : "zh-CN";
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of document.querySelectorAll("[data-i18n-label]")) {
    el.setAttribute("aria-label", t(el.dataset.i18nLabel));
    el.title = t(el.dataset.i18nLabel);
  }
  const toggle = document.getElementById("lang");
  if (toggle) toggle.dataset.lang = lang;
}

window.kefuI18n = { t, has, systemText, currentLang, setLang, locale, applyStaticStrings };
})();
