// Buyer page: the platform's buyer app stand-in. Plain JS, no build step.
// Every piece of chat text is put into the page with textContent, never as HTML.
"use strict";

const { t, systemText, currentLang, applyStaticStrings } = window.kefuI18n;
const $ = (id) => document.getElementById(id);

const state = {
  session: null,
  shops: [],
  shop: null,
  conversation: null,
  cursors: loadJson(sessionStorage, "kefu.cursors", {}),
  pending: new Map(Object.entries(loadJson(sessionStorage, "kefu.pending", {}))),
  messages: new Map(),
  agentReadSeq: 0,
  queue: null,
  ws: null,
  ready: false,
  backoff: 500,
  nextId: 1,
  historyLoaded: false,
};
window.__kefu = state; // test hook

function loadJson(store, key, fallback) {
  try { return JSON.parse(store.getItem(key)) || fallback; } catch { return fallback; }
}
function saveCursors() { sessionStorage.setItem("kefu.cursors", JSON.stringify(state.cursors)); }
function savePending() { sessionStorage.setItem("kefu.pending", JSON.stringify(Object.fromEntries(state.pending))); }
function newId() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID().replaceAll("-", "");
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}
function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}
function yuan(cents) { return `¥${(cents / 100).toFixed(2)}`; }
function clock(ms) {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
}

// --- toast and banner ------------------------------------------------------------------

let toastTimer = null;
function toast(text) {
  const box = $("toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { box.hidden = true; }, 3500);
}
function banner(text) {
  $("banner").textContent = text || "";
  $("banner").hidden = !text;
  $("dot").classList.toggle("on", !text && state.ready);
  $("dot").title = text || t("connected");
}

// --- start ---------------------------------------------------------------------------------

async function start() {
  applyStaticStrings();
  $("lang").addEventListener("click", () => {
    localStorage.setItem("kefu.lang", currentLang() === "en" ? "zh" : "en");
    applyStaticStrings();
    renderHeader();
    render();
  });
  $("back").addEventListener("click", () => showShops());
  $("composer").addEventListener("submit", (e) => { e.preventDefault(); sendFromComposer(); });
  $("input").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); sendFromComposer(); }
  });
  const params = new URLSearchParams(location.search);
  try {
    const resp = await fetch("/api/buyer/session", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ buyer_id: params.get("buyer") || sessionStorage.getItem("kefu.buyer") || null }),
    });
    if (!resp.ok) throw new Error((await resp.json()).message);
    state.session = (await resp.json()).session;
    sessionStorage.setItem("kefu.buyer", state.session.user_id);
    state.shops = await (await fetch("/api/shops")).json();
  } catch (err) {
    banner(t("noSession"));
    return;
  }
  renderHeader();
  renderShops();
  const wanted = params.get("shop") || sessionStorage.getItem("kefu.shop");
  if (wanted && state.shops.some((s) => s.slug === wanted)) chooseShop(wanted);
  connect();
}

function renderHeader() {
  const shop = state.shop && state.shops.find((s) => s.slug === state.shop);
  $("title").textContent = shop ? shop.name : t("appTitle");
  $("subtitle").textContent = state.session ? t("you", { name: state.session.display_name }) : "";
}

function renderShops() {
  const list = $("shop-list");
  list.replaceChildren();
  for (const shop of state.shops) {
    const item = el("li");
    const button = el("button", "shop", shop.name);
    button.dataset.slug = shop.slug;
    button.addEventListener("click", () => chooseShop(shop.slug));
    item.append(button);
    list.append(item);
  }
}

function showShops() {
  state.shop = null;
  state.conversation = null;
  sessionStorage.removeItem("kefu.shop");
  $("shops").hidden = false;
  $("chat").hidden = true;
  $("back").hidden = true;
  renderHeader();
}

function chooseShop(slug) {
  state.shop = slug;
  sessionStorage.setItem("kefu.shop", slug);
  state.messages = new Map();
  state.queue = null;
  state.historyLoaded = false;
  $("shops").hidden = true;
  $("chat").hidden = false;
  $("back").hidden = false;
  renderHeader();
  render();
  if (state.ready) openConversation();
}

// --- connection ------------------------------------------------------------------------

function connect() {
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  const ws = new WebSocket(`${proto}//${location.host}/ws?v=1`);
  state.ws = ws;
  ws.onmessage = (event) => {
    let frame;
    try { frame = JSON.parse(event.data); } catch { return; }
    onFrame(frame);
  };
  ws.onclose = () => {
    if (state.ws !== ws) return;
    state.ready = false;
    banner(navigator.onLine === false ? t("offline") : t("reconnecting"));
    for (const p of state.pending.values()) if (p.state === "sending") p.state = "queued";
    render();
    setTimeout(connect, state.backoff);
    state.backoff = Math.min(state.backoff * 2, 10000);
  };
}

function send(frame) {
  if (!state.ws || state.ws.readyState !== WebSocket.OPEN) return false;
  state.ws.send(JSON.stringify(frame));
  return true;
}

function request(type, fields) {
  const id = `r${state.nextId++}`;
  send({ type, id, ...fields });
  return id;
}

function openConversation() {
  if (state.shop) request("open", { shop: state.shop });
}

// --- frames --------------------------------------------------------------------------

function onFrame(frame) {
  switch (frame.type) {
    case "welcome":
      request("sync", { cursors: state.cursors });
      break;
    case "synced":
      state.ready = true;
      state.backoff = 500;
      banner("");
      openConversation();
      break;
    case "opened":
      onOpened(frame.conversation);
      break;
    case "message":
      onMessage(frame);
      break;
    case "history_page":
      for (const m of frame.messages) onMessage(m, true);
      state.historyLoaded = true;
      render();
      break;
    case "ack":
      onAck(frame);
      break;
    case "receipt":
      if (frame.side === "agent" && state.conversation && frame.conversation_id === state.conversation.conversation_id) {
        state.agentReadSeq = Math.max(state.agentReadSeq, frame.read_seq);
        render();
      }
      break;
    case "queue_status":
      if (state.conversation && frame.conversation_id === state.conversation.conversation_id) {
        state.queue = frame;
        renderQueue();
      }
      break;
    case "case_update":
      onCaseUpdate(frame.case);
      break;
    case "error":
      onError(frame);
      break;
    default:
      break;
  }
}

function onOpened(conversation) {
  state.conversation = conversation;
  state.agentReadSeq = conversation.agent_read_seq;
  const id = conversation.conversation_id;
  if (!state.historyLoaded) request("history", { conversation_id: id, limit: 100 });
  state.cursors[id] = Math.max(state.cursors[id] || 0, 0);
  saveCursors();
  resendPending();
  render();
}

function onMessage(m, fromHistory) {
  const current = state.conversation && m.conversation_id === state.conversation.conversation_id;
  const cursor = state.cursors[m.conversation_id] || 0;
  if (!fromHistory && m.seq <= cursor && (!current || state.messages.has(m.seq))) return; // seen already
  if (m.seq > cursor) {
    state.cursors[m.conversation_id] = m.seq;
    saveCursors();
  }
  if (!current) return;
  state.messages.set(m.seq, m);
  if (m.sender.kind === "buyer") state.pending.delete(m.client_msg_id);
  if (!fromHistory) {
    render();
    markRead();
  }
}

function onAck(ack) {
  const p = state.pending.get(ack.client_msg_id);
  if (!p) return;
  state.pending.delete(ack.client_msg_id);
  savePending();
  if (state.conversation && ack.conversation_id === state.conversation.conversation_id) {
    state.messages.set(ack.seq, {
      conversation_id: ack.conversation_id, seq: ack.seq, client_msg_id: ack.client_msg_id, text: p.text,
      ts: ack.ts, kind: "text", sender: { kind: "buyer", id: state.session.user_id, name: state.session.display_name },
    });
  }
  if (ack.seq > (state.cursors[ack.conversation_id] || 0)) {
    state.cursors[ack.conversation_id] = ack.seq;
    saveCursors();
  }
  render();
}

function onError(frame) {
  const pending = [...state.pending.entries()].find(([, p]) => p.requestId === frame.id);
  if (pending) {
    const [cid, p] = pending;
    if (frame.code === "rate_limited") {
      setTimeout(() => sendPending(cid), Math.max(200, (frame.retry_after || 1) * 1000));
      return;
    }
    p.state = "failed";
    savePending();
    render();
  }
  toast(frame.code === "rate_limited" ? t("rate_limited") : t("error", { msg: frame.message }));
}

function onCaseUpdate(updated) {
  for (const m of state.messages.values()) {
    if (m.card && m.card.kind === "offer" && m.card.case_id === updated.case_id) m.card.status = updated.status;
  }
  render();
}

function markRead() {
  if (document.visibilityState !== "visible" || !state.conversation) return;
  let last = 0;
  for (const m of state.messages.values()) if (m.sender.kind !== "buyer") last = Math.max(last, m.seq);
  if (last > (state.buyerReadSent || 0)) {
    state.buyerReadSent = last;
    request("read", { conversation_id: state.conversation.conversation_id, seq: last });
  }
}
document.addEventListener("visibilitychange", markRead);

// --- sending -----------------------------------------------------------------------------

function sendFromComposer() {
  const input = $("input");
  const text = input.value;
  if (!text.trim() || !state.conversation) return;
  input.value = "";
  const cid = newId();
  state.pending.set(cid, { conversation_id: state.conversation.conversation_id, text, state: "sending", at: Date.now() });
  savePending();
  sendPending(cid);
  render();
}

function sendPending(cid) {
  const p = state.pending.get(cid);
  if (!p) return;
  p.requestId = `s${state.nextId++}`;
  p.state = send({ type: "send", id: p.requestId, conversation_id: p.conversation_id, client_msg_id: cid, text: p.text })
    ? "sending" : "queued";
  render();
}

function resendPending() {
  for (const [cid, p] of state.pending) {
    if (state.conversation && p.conversation_id === state.conversation.conversation_id && p.state !== "failed") sendPending(cid);
  }
}

function answerOffer(caseId, accept) {
  request("offer_reply", { conversation_id: state.conversation.conversation_id, case_id: caseId, accept });
}

// --- rendering -------------------------------------------------------------------------

function renderQueue() {
  const box = $("queue");
  const q = state.queue;
  if (!q) { box.hidden = true; return; }
  box.hidden = false;
  box.replaceChildren();
  if (q.position === 0) {
    box.className = "queue served";
    box.append(el("span", null, t("servedBy", { name: q.agent_name || "" })));
    return;
  }
  box.className = "queue waiting";
  box.append(el("strong", "pos", t("queueWaiting", { n: Math.max(0, q.position - 1) })));
  if (q.estimated_wait_s) box.append(el("span", "eta", t("queueEta", { t: duration(q.estimated_wait_s) })));
  if (q.reason) box.append(el("span", "reason", t(`reason_${q.reason}`)));
}

function duration(s) {
  if (s >= 3600) return t("hours", { n: Math.round(s / 360) / 10 });
  if (s >= 90) return t("minutes", { n: Math.round(s / 60) });
  return t("seconds", { n: s });
}

function render() {
  renderQueue();
  const list = $("messages");
  if (!list || $("chat").hidden) return;
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  list.replaceChildren();
  const rows = [...state.messages.values()].sort((a, b) => a.seq - b.seq);
  for (const m of rows) list.append(renderMessage(m));
  for (const [cid, p] of state.pending) {
    if (state.conversation && p.conversation_id === state.conversation.conversation_id) list.append(renderPending(cid, p));
  }
  if (atBottom || rows.length < 30) list.scrollTop = list.scrollHeight;
}

function renderMessage(m) {
  const mine = m.sender.kind === "buyer";
  if (m.kind === "system") {
    const li = el("li", "system", systemText(m.event, m.text));
    li.dataset.testid = "message";
    li.dataset.seq = m.seq;
    li.dataset.kind = "system";
    return li;
  }
  const li = el("li", mine ? "mine" : "theirs");
  li.dataset.testid = "message";
  li.dataset.seq = m.seq;
  li.dataset.kind = m.kind || "text";
  if (!mine) li.append(el("div", "who", m.sender.name));
  li.append(m.kind === "card" && m.card ? renderCard(m.card) : el("div", "bubble", m.text));
  const meta = el("div", "meta", clock(m.ts));
  if (mine) {
    const read = m.seq <= state.agentReadSeq;
    li.dataset.state = read ? "read" : "sent";
    meta.append(el("span", "state", read ? t("read") : t("sent")));
  }
  li.append(meta);
  return li;
}

function renderPending(cid, p) {
  const li = el("li", "mine pending");
  li.dataset.testid = "message";
  li.dataset.state = p.state === "failed" ? "failed" : "sending";
  li.dataset.clientId = cid;
  li.append(el("div", "bubble", p.text));
  const meta = el("div", "meta");
  if (p.state === "failed") {
    const retry = el("button", "retry", t("failed"));
    retry.dataset.testid = "retry";
    retry.addEventListener("click", () => { p.state = "sending"; sendPending(cid); });
    meta.append(retry);
  } else {
    meta.append(el("span", "state", t("sending")));
  }
  li.append(meta);
  return li;
}

function renderCard(card) {
  const box = el("div", `card card-${card.kind}`);
  box.dataset.testid = `card-${card.kind}`;
  if (card.kind === "product") {
    box.append(el("div", "card-label", t("productCard")), el("div", "card-title", card.title),
      el("div", "card-price", yuan(card.price_cents)));
  } else if (card.kind === "order") {
    box.append(el("div", "card-label", t("orderCard")), el("div", "card-title", card.summary),
      el("div", "card-sub", t("orderNo", { no: card.order_no })), el("div", "card-price", `${yuan(card.amount_cents)} · ${card.status}`));
  } else if (card.kind === "offer") {
    box.dataset.status = card.status;
    box.append(el("div", "card-label", t("offerCard")), el("div", "card-title", t(`offer_${card.offer}`)),
      el("div", "card-price", yuan(card.amount_cents)), el("div", "card-sub", t("orderNo", { no: card.order_no })));
    if (card.status === "offered") {
      const actions = el("div", "card-actions");
      const yes = el("button", "accept", t("accept"));
      yes.dataset.testid = "offer-accept";
      yes.addEventListener("click", () => answerOffer(card.case_id, true));
      const no = el("button", "decline", t("decline"));
      no.dataset.testid = "offer-decline";
      no.addEventListener("click", () => answerOffer(card.case_id, false));
      actions.append(no, yes);
      box.append(actions);
    } else {
      box.append(el("div", `card-status ${card.status}`, t(`status_${card.status}`)));
    }
  }
  return box;
}

window.addEventListener("online", () => { if (!state.ready && state.ws) state.ws.close(); });
start();
