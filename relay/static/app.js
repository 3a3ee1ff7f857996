// Buyer page: the stand-in for the platform's buyer app. Plain JS, no build step.
//
// Safety rule: every piece of text that comes from the relay, a shop or a buyer is put into the
// page with textContent (see `el`), never as HTML.
//
// Protocol flow (wire/frames.py): POST /api/buyer/session sets the HttpOnly cookie; the WebSocket
// at /ws?v=1 greets with `welcome`; we send `sync` with the last seq seen per conversation, then
// `open` the chosen shop and load its newest `history` page. Sends carry a client_msg_id and stay
// in `pending` (kept in sessionStorage) until acked; after a reconnect they are sent again with
// the same id, which the relay dedups.
"use strict";

const { t, has, systemText, yuan, currentLang, setLang, locale, applyStaticStrings } = window.kefuI18n;
const $ = (id) => document.getElementById(id);

const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 10000;
const HISTORY_PAGE = 50;
const GAP_WAIT_MS = 800; // a message seq skipped for this long is fetched with `history`
const SEND_TIMEOUT_MS = 15000; // a send not acked this long (while connected) shows as failed
const SYNC_TIMEOUT_MS = 15000; // no `synced` this long: drop the socket and reconnect
const OPEN_TIMEOUT_MS = 10000; // no `welcome` this long after opening the socket: drop it and reconnect
const RATING_COMMENT_MAX = 200; // wire/staff.py Rate.comment
const RATED_KEEP = 100; // session ids remembered as rated or skipped (localStorage)

const state = {
  session: null, // SessionInfo of the buyer
  shops: [],
  shop: null, // slug of the open chat
  conversation: null, // ConversationInfo of the open chat
  conversations: new Map(), // conversation_id -> ConversationInfo (all of the buyer's)
  cursors: {}, // conversation_id -> seq: every message up to it has been seen (or is covered by history)
  ahead: new Map(), // conversation_id -> Set of seqs seen above the cursor (waiting for the gap to fill)
  pending: new Map(), // client_msg_id -> {conversation_id, text, state: sending|queued|failed, at}
  messages: new Map(), // seq -> message frame, for the open chat
  oldestSeq: null,
  hasMore: false,
  historyLoaded: false,
  historyRequest: null,
  loadingOlder: false,
  agentReadSeq: 0,
  buyerReadSent: 0,
  unread: new Map(), // conversation_id -> messages from the shop that arrived while that chat was not open
  queue: null,
  ws: null,
  welcomed: false,
  ready: false, // synced: requests may be sent
  attempts: 0,
  reconnectTimer: null,
  openTimer: null,
  gapTimer: null,
  requests: new Map(), // request id -> {frame, meta, timer}
  outbox: [],
  pumpTimer: null,
  bucket: null,
  limits: null,
  clockOffset: 0, // relay time minus ours (from `welcome`): pending messages are stamped in relay time
  nextId: 1,
  // The rating card of the open chat's last resolved session (see ratingSession).
  rating: { session: null, stars: 0, comment: "", phase: "form", error: "", note: "" },
};
window.__kefu = state; // test hook: window.__kefu.ws.close() drops the connection

// Video calls (call.js): the invitation card, the call screen, the buyer's peer connection.
const calls = window.kefuCall.create({
  t, has, el: (...args) => el(...args), request: (...args) => request(...args), toast: (text) => toast(text),
  rerender: () => render(), relayNow: () => Date.now() + state.clockOffset,
  isOpen: (conversationId) => { // that chat is on screen (or opening: its shop is chosen)
    const conv = state.conversations.get(conversationId);
    return !$("chat").hidden && (isCurrent(conversationId) || (conv !== undefined && conv.shop === state.shop));
  },
});

// --- small helpers -------------------------------------------------------------------------

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function newClientMsgId() {
  if (window.crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID();
  // crypto.randomUUID needs a secure context; getRandomValues does not. Same v4 layout.
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function storageKey(name) {
  return `kefu.${name}.${state.session ? state.session.user_id : "-"}`;
}
function loadJson(key, fallback) {
  try { return JSON.parse(sessionStorage.getItem(key)) || fallback; } catch { return fallback; }
}
function saveJson(key, value) {
  try { sessionStorage.setItem(key, JSON.stringify(value)); } catch { /* storage full or disabled */ }
}
function saveCursors() { saveJson(storageKey("cursors"), state.cursors); }
function savePending() { saveJson(storageKey("pending"), Object.fromEntries(state.pending)); }

function timeOfDay(ms) {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
}
function dayKey(ms) {
  const d = new Date(ms);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}
function dayLabel(ms) {
  const now = new Date();
  if (dayKey(ms) === dayKey(now.getTime())) return t("today");
  if (dayKey(ms) === dayKey(now.getTime() - 86400000)) return t("yesterday");
  const opts = { month: "short", day: "numeric" };
  if (new Date(ms).getFullYear() !== now.getFullYear()) opts.year = "numeric";
  return new Intl.DateTimeFormat(locale(), opts).format(new Date(ms));
}
function initial(name) {
  const chars = Array.from(String(name || "").trim());
  return chars.length ? chars[0].toUpperCase() : "?";
}
function isCurrent(conversationId) {
  return state.conversation !== null && state.conversation.conversation_id === conversationId;
}
function errorText(frame) {
  return has(`err_${frame.code}`) ? t(`err_${frame.code}`) : t("error", { msg: frame.message || frame.code });
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

function renderConnection() {
  let text = "";
  if (!state.session) text = "";
  else if (!state.ready && state.attempts > 0) text = navigator.onLine === false ? t("offline") : t("reconnecting");
  $("banner").textContent = text;
  $("banner").hidden = !text;
  $("dot").classList.toggle("on", state.ready);
  $("dot").title = state.ready ? t("connected") : t("connecting");
}

// --- start ---------------------------------------------------------------------------------

async function start() {
  applyStaticStrings();
  $("lang").addEventListener("click", () => {
    setLang(currentLang() === "en" ? "zh" : "en");
    applyStaticStrings();
    renderAll();
    calls.renderScreen();
  });
  $("back").addEventListener("click", showShops);
  $("composer").addEventListener("submit", (e) => { e.preventDefault(); sendFromComposer(); });
  $("input").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      sendFromComposer();
    }
  });
  $("input").addEventListener("input", onComposerInput);
  $("older").addEventListener("click", loadOlder);
  buildRating();
  for (const chip of document.querySelectorAll("[data-quick]")) {
    chip.addEventListener("click", () => sendText(t(chip.dataset.quick)));
  }

  const params = new URLSearchParams(location.search);
  let remembered = null;
  try { remembered = sessionStorage.getItem("kefu.buyer"); } catch { /* disabled */ }
  try {
    state.session = await postSession(params.get("buyer") || remembered || null);
    state.shops = await (await fetch("/api/shops", { credentials: "same-origin" })).json();
  } catch (err) {
    $("banner").textContent = t("noSession");
    $("banner").hidden = false;
    return;
  }
  try { sessionStorage.setItem("kefu.buyer", state.session.user_id); } catch { /* disabled */ }
  state.cursors = loadJson(storageKey("cursors"), {});
  state.pending = new Map(Object.entries(loadJson(storageKey("pending"), {})));
  renderHeader();
  renderShops();
  let wanted = params.get("shop");
  if (!wanted) try { wanted = sessionStorage.getItem("kefu.shop"); } catch { /* disabled */ }
  if (wanted && state.shops.some((s) => s.slug === wanted)) chooseShop(wanted);
  connect();
}

async function postSession(buyerId) {
  const resp = await fetch("/api/buyer/session", {
    method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ buyer_id: buyerId }),
  });
  const body = await resp.json();
  if (!resp.ok) throw new Error(body.message || `HTTP ${resp.status}`);
  return body.session;
}

function renderAll() {
  renderHeader();
  renderShops();
  renderConnection();
  render();
}

function renderHeader() {
  const shop = state.shop && state.shops.find((s) => s.slug === state.shop);
  $("title").textContent = shop ? shop.name : t("appTitle");
  document.title = shop ? `${shop.name} · ${t("appTitle")}` : t("appTitle");
  $("shop-avatar").hidden = !shop;
  $("shop-avatar").textContent = shop ? initial(shop.name) : "";
  $("subtitle").textContent = state.session ? t("youAre", { name: state.session.display_name }) : "";
  $("greeting").textContent = state.session ? t("greeting", { name: state.session.display_name }) : "";
}

// The shops as the relay lists them (the main shop first), each with its unread count.
function renderShops() {
  const list = $("shop-list");
  list.replaceChildren();
  state.shops.forEach((shop, index) => {
    const item = el("li");
    const button = el("button", "shop");
    button.type = "button";
    button.dataset.testid = "shop";
    button.dataset.slug = shop.slug;
    const avatar = el("span", `avatar tone-${index % 4}`, initial(shop.name));
    avatar.setAttribute("aria-hidden", "true");
    const text = el("span", "shop-text");
    text.append(el("span", "shop-name", shop.name), el("span", "shop-sub", t("shopSub")));
    button.append(avatar, text);
    const unread = unreadFor(shop.slug);
    if (unread > 0) {
      const badge = el("span", "badge", unread > 99 ? "99+" : unread);
      badge.dataset.testid = "unread";
      badge.title = t("unread", { n: unread });
      button.append(badge);
    }
    button.append(el("span", "chevron"));
    button.addEventListener("click", () => chooseShop(shop.slug));
    item.append(button);
    list.append(item);
  });
}

function unreadFor(slug) {
  let n = 0;
  for (const [conversationId, count] of state.unread) {
    const conv = state.conversations.get(conversationId);
    if (conv && conv.shop === slug) n += count;
  }
  return n;
}

function showShops() {
  state.shop = null;
  state.conversation = null;
  state.messages = new Map();
  try { sessionStorage.removeItem("kefu.shop"); } catch { /* disabled */ }
  $("shops").hidden = false;
  $("chat").hidden = true;
  $("back").hidden = true;
  renderHeader();
  renderShops();
}

function chooseShop(slug) {
  state.shop = slug;
  state.conversation = null;
  state.messages = new Map();
  state.queue = null;
  state.historyLoaded = false;
  state.historyRequest = null;
  state.oldestSeq = null;
  state.hasMore = false;
  try { sessionStorage.setItem("kefu.shop", slug); } catch { /* disabled */ }
  $("shops").hidden = true;
  $("chat").hidden = false;
  $("back").hidden = false;
  renderHeader();
  render();
  if (state.ready) openConversation();
}

// --- connection ------------------------------------------------------------------------

function connect() {
  clearTimeout(state.reconnectTimer);
  state.reconnectTimer = null;
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  const ws = new WebSocket(`${proto}//${location.host}/ws?v=1`);
  state.ws = ws;
  state.welcomed = false;
  // A handshake nobody answers (a stalled network) neither opens nor closes the socket for minutes.
  clearTimeout(state.openTimer);
  state.openTimer = setTimeout(() => { if (state.ws === ws && !state.welcomed) dropConnection(); }, OPEN_TIMEOUT_MS);
  ws.onmessage = (event) => {
    if (state.ws !== ws) return;
    let frame;
    try { frame = JSON.parse(event.data); } catch { return; }
    if (frame && typeof frame === "object") onFrame(frame);
  };
  ws.onclose = () => {
    if (state.ws === ws) connectionLost();
  };
}

function connectionLost() {
  const wasWelcomed = state.welcomed;
  state.ready = false;
  state.welcomed = false;
  state.bucket = null;
  state.outbox = [];
  clearTimeout(state.pumpTimer);
  state.pumpTimer = null;
  clearTimeout(state.gapTimer);
  state.gapTimer = null;
  const lost = [...state.requests.values()];
  for (const req of lost) clearTimeout(req.timer);
  state.requests.clear();
  state.historyRequest = null;
  state.loadingOlder = false;
  for (const p of state.pending.values()) if (p.state === "sending") p.state = "queued";
  state.attempts += 1;
  for (const req of lost) if (req.meta.onLost) req.meta.onLost();
  renderConnection();
  render();
  const base = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** (state.attempts - 1));
  const delay = base * (0.8 + Math.random() * 0.4);
  state.reconnectTimer = setTimeout(async () => {
    state.reconnectTimer = null;
    // Refused before the welcome, more than once: the session cookie may have expired.
    if (!wasWelcomed && state.attempts >= 2) {
      try { state.session = await postSession(state.session.user_id); } catch { /* relay still down */ }
    }
    connect();
  }, delay);
}

// Give up on the current socket now (a request went unanswered): a closing handshake on a dead
// network can take long, so we do not wait for its close event.
function dropConnection() {
  const ws = state.ws;
  if (!ws || state.reconnectTimer !== null) return;
  state.ws = null;
  try { ws.close(); } catch { /* already closed */ }
  connectionLost();
}

// Skip the rest of the backoff (the network came back, the page became visible).
function reconnectNow() {
  if (state.reconnectTimer === null || !state.session) return;
  state.attempts = Math.min(state.attempts, 1);
  connect();
}

// Outgoing frames are paced by the relay's own token bucket (from `welcome`), a little below it.
class Bucket {
  constructor(rate, burst) {
    this.rate = rate;
    this.burst = burst;
    this.tokens = burst;
    this.stamp = performance.now();
  }
  take() { // 0 when granted, else milliseconds until a token is available
    const now = performance.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.stamp) / 1000) * this.rate);
    this.stamp = now;
    if (this.tokens >= 1) { this.tokens -= 1; return 0; }
    return Math.ceil(((1 - this.tokens) / this.rate) * 1000);
  }
}

function pump() {
  if (state.pumpTimer !== null) return;
  while (state.outbox.length) {
    if (!state.ws || state.ws.readyState !== WebSocket.OPEN) return;
    const wait = state.bucket ? state.bucket.take() : 0;
    if (wait > 0) {
      state.pumpTimer = setTimeout(() => { state.pumpTimer = null; pump(); }, wait);
      return;
    }
    state.ws.send(JSON.stringify(state.outbox.shift()));
  }
}

// Send a request; its answer (or error) comes back with the same id.
function request(type, fields, meta = {}) {
  const id = `r${state.nextId++}`;
  const frame = { type, id, ...fields };
  const req = { frame, meta, timer: null };
  if (meta.timeoutMs) req.timer = setTimeout(() => requestTimedOut(id), meta.timeoutMs);
  state.requests.set(id, req);
  state.outbox.push(frame);
  pump();
  return id;
}

function requestTimedOut(id) {
  const req = state.requests.get(id);
  if (!req) return;
  state.requests.delete(id);
  if (req.meta.clientMsgId) {
    const p = state.pending.get(req.meta.clientMsgId);
    if (p && p.requestId === id) { p.state = "failed"; savePending(); render(); }
  }
  // No answer this long (to sync, open or a send): the socket may be dead without closing (a stalled
  // network never says so, and the relay's heartbeat close does not reach us), so start over.
  dropConnection();
}

function openConversation() {
  if (state.shop) request("open", { shop: state.shop }, { timeoutMs: SYNC_TIMEOUT_MS });
}

// --- frames --------------------------------------------------------------------------

function onFrame(frame) {
  let req = null;
  if (typeof frame.id === "string" && state.requests.has(frame.id)) {
    req = state.requests.get(frame.id);
    clearTimeout(req.timer);
    if (frame.type !== "error") state.requests.delete(frame.id);
    if (frame.type !== "error" && req.meta.onReply) req.meta.onReply(frame);
  }
  switch (frame.type) {
    case "welcome": onWelcome(frame); break;
    case "synced": onSynced(frame); break;
    case "opened": onOpened(frame.conversation); break;
    case "message": onMessage(frame); break;
    case "history_page": onHistoryPage(frame, req); break;
    case "ack": onAck(frame); break;
    case "receipt": onReceipt(frame); break;
    case "queue_status":
      if (isCurrent(frame.conversation_id)) { state.queue = frame; renderQueue(); }
      break;
    case "case_update": onCaseUpdate(frame.case); break;
    case "call": calls.onCall(frame.call); break;
    case "call_signal": calls.onSignal(frame); break;
    case "call_notice": calls.onNotice(frame); break;
    case "error": onError(frame, req); break;
    default: break; // ok and frames for staff
  }
}

function onWelcome(welcome) {
  state.welcomed = true;
  state.limits = welcome.limits;
  state.clockOffset = welcome.server_time - Date.now();
  state.bucket = new Bucket(Math.max(0.5, welcome.limits.rate_per_second * 0.95), Math.max(1, welcome.limits.burst - 1));
  $("input").maxLength = welcome.limits.max_text_chars;
  if (welcome.session && welcome.session.display_name) {
    state.session = { ...state.session, ...welcome.session };
    renderHeader();
  }
  request("sync", { cursors: state.cursors }, { timeoutMs: SYNC_TIMEOUT_MS });
}

function onSynced(synced) {
  state.ready = true;
  state.attempts = 0;
  for (const conv of synced.conversations) {
    state.conversations.set(conv.conversation_id, conv);
    // A conversation we hold no cursor for: its past is fetched with `history` when it is opened.
    if (state.cursors[conv.conversation_id] === undefined) state.cursors[conv.conversation_id] = conv.last_seq;
    if (isCurrent(conv.conversation_id)) state.agentReadSeq = Math.max(state.agentReadSeq, conv.agent_read_seq);
  }
  saveCursors();
  renderConnection();
  resendPending();
  openConversation();
  render();
  calls.onSynced();
}

function onOpened(conversation) {
  if (conversation.shop !== state.shop) return; // the buyer went elsewhere meanwhile
  const id = conversation.conversation_id;
  state.conversation = conversation;
  state.conversations.set(id, conversation);
  state.agentReadSeq = conversation.agent_read_seq;
  state.buyerReadSent = conversation.buyer_read_seq;
  state.unread.delete(id);
  if (!state.historyLoaded && state.historyRequest === null) {
    state.historyRequest = request("history", { conversation_id: id, limit: HISTORY_PAGE }, { purpose: "latest" });
  }
  resendPending();
  render();
  markRead();
}

// Seen-tracking: the cursor only moves over seqs without holes, so a resumed `sync` fills any gap.
function isSeen(conversationId, seq) {
  if (seq <= (state.cursors[conversationId] || 0)) return true;
  const ahead = state.ahead.get(conversationId);
  return ahead !== undefined && ahead.has(seq);
}

function markSeen(conversationId, seq) {
  let cursor = state.cursors[conversationId] || 0;
  if (seq <= cursor) return;
  let ahead = state.ahead.get(conversationId);
  if (!ahead) state.ahead.set(conversationId, (ahead = new Set()));
  ahead.add(seq);
  while (ahead.has(cursor + 1)) ahead.delete(++cursor);
  if (cursor !== state.cursors[conversationId]) {
    state.cursors[conversationId] = cursor;
    saveCursors();
  }
}

// Everything up to `seq` is accounted for (the newest history page covers it).
function skipTo(conversationId, seq) {
  let cursor = Math.max(seq, state.cursors[conversationId] || 0);
  const ahead = state.ahead.get(conversationId);
  if (ahead) {
    for (const s of [...ahead]) if (s <= cursor) ahead.delete(s);
    while (ahead.has(cursor + 1)) ahead.delete(++cursor);
  }
  state.cursors[conversationId] = cursor;
  saveCursors();
}

function onMessage(m) {
  const id = m.conversation_id;
  if (isSeen(id, m.seq)) return; // a duplicate (seq at or below the cursor)
  markSeen(id, m.seq);
  if (!isCurrent(id)) {
    if (m.sender.kind !== "buyer") {
      state.unread.set(id, (state.unread.get(id) || 0) + 1);
      if (!$("shops").hidden) renderShops();
    }
    return;
  }
  keepMessage(m);
  render();
  markRead();
  checkGap();
}

function keepMessage(m) {
  state.messages.set(m.seq, m);
  if (state.oldestSeq === null || m.seq < state.oldestSeq) state.oldestSeq = m.seq;
  if (m.sender.kind === "buyer" && state.pending.delete(m.client_msg_id)) savePending();
}

function onHistoryPage(page, req) {
  const purpose = req ? req.meta.purpose : "latest";
  if (!isCurrent(page.conversation_id)) return;
  const list = $("scroller");
  const before = list.scrollHeight - list.scrollTop;
  for (const m of page.messages) {
    keepMessage(m);
    markSeen(m.conversation_id, m.seq);
  }
  if (purpose === "latest") {
    state.historyLoaded = true;
    state.historyRequest = null;
    state.hasMore = page.has_more;
    const newest = page.messages.length ? page.messages[page.messages.length - 1].seq : 0;
    skipTo(page.conversation_id, newest);
  } else if (purpose === "older") {
    state.hasMore = page.has_more;
    state.loadingOlder = false;
  }
  render();
  if (purpose === "older") list.scrollTop = list.scrollHeight - before; // keep the reader's place
  markRead();
  checkGap();
}

function loadOlder() {
  if (!state.conversation || !state.ready || state.loadingOlder || state.oldestSeq === null) return;
  state.loadingOlder = true;
  request("history", { conversation_id: state.conversation.conversation_id, before_seq: state.oldestSeq, limit: HISTORY_PAGE },
    { purpose: "older" });
}

// A hole below a message we hold (e.g. an ack overtook a message): fetch it if it does not come.
function checkGap() {
  const conv = state.conversation;
  const ahead = conv && state.ahead.get(conv.conversation_id);
  if (!ahead || ahead.size === 0) {
    clearTimeout(state.gapTimer);
    state.gapTimer = null;
    return;
  }
  if (state.gapTimer !== null) return;
  state.gapTimer = setTimeout(() => {
    state.gapTimer = null;
    const c = state.conversation;
    const waiting = c && state.ahead.get(c.conversation_id);
    if (!state.ready || !waiting || waiting.size === 0) return;
    const lowest = Math.min(...waiting);
    const missing = lowest - (state.cursors[c.conversation_id] || 0) - 1;
    if (missing > 0) {
      request("history", { conversation_id: c.conversation_id, before_seq: lowest, limit: Math.min(200, missing) },
        { purpose: "gap" });
    }
  }, GAP_WAIT_MS);
}

function onAck(ack) {
  const p = state.pending.get(ack.client_msg_id);
  markSeen(ack.conversation_id, ack.seq);
  if (p) {
    state.pending.delete(ack.client_msg_id);
    savePending();
    if (isCurrent(ack.conversation_id) && !state.messages.has(ack.seq)) {
      keepMessage({
        conversation_id: ack.conversation_id, seq: ack.seq, client_msg_id: ack.client_msg_id, text: p.text,
        ts: ack.ts, kind: "text",
        sender: { kind: "buyer", id: state.session.user_id, name: state.session.display_name },
      });
    }
  }
  render();
  checkGap();
}

function onReceipt(receipt) {
  if (receipt.side === "agent" && isCurrent(receipt.conversation_id)) {
    state.agentReadSeq = Math.max(state.agentReadSeq, receipt.read_seq);
    render();
  }
}

function onError(frame, req) {
  if (req) state.requests.delete(frame.id);
  const type = req ? req.frame.type : null;
  if (frame.code === "rate_limited" && req) {
    // Not processed: ask again (a send keeps its client_msg_id) once the relay says we may.
    const wait = Math.max(100, Math.round((frame.retry_after || 1) * 1000));
    toast(t("err_rate_limited_wait", { s: Math.max(1, Math.round(wait / 1000)) }));
    const ws = state.ws;
    setTimeout(() => {
      if (state.ws !== ws || !state.welcomed) return; // reconnecting redoes everything
      if (req.meta.clientMsgId) sendPending(req.meta.clientMsgId);
      else {
        const { type: kind, id, ...fields } = req.frame;
        if (kind === "history" && req.meta.purpose === "latest") state.historyRequest = request(kind, fields, req.meta);
        else request(kind, fields, req.meta);
      }
    }, wait);
    return;
  }
  if (req && req.meta.onError) {
    req.meta.onError(frame); // the requester says what it means (call.js)
    return;
  }
  if (req && req.meta.clientMsgId) {
    const p = state.pending.get(req.meta.clientMsgId);
    if (p && p.requestId === frame.id) {
      p.state = "failed";
      savePending();
      render();
    }
  } else if (type === "sync" && ["forbidden", "not_found", "invalid_field"].includes(frame.code)) {
    // Cursors from another relay or database: start afresh (history fills the open chat).
    state.cursors = {};
    state.ahead.clear();
    saveCursors();
    request("sync", { cursors: {} }, { timeoutMs: SYNC_TIMEOUT_MS });
    return;
  } else if (type === "sync") {
    toast(errorText(frame));
    dropConnection(); // try again after a backoff
    return;
  } else if (type === "open") {
    showShops();
  } else if (type === "history" && req.meta.purpose === "latest") {
    state.historyRequest = null;
  } else if (type === "history" && req.meta.purpose === "older") {
    state.loadingOlder = false;
  }
  toast(errorText(frame));
}

function onCaseUpdate(updated) {
  for (const m of state.messages.values()) {
    if (m.card && m.card.kind === "offer" && m.card.case_id === updated.case_id) m.card.status = updated.status;
  }
  render();
}

// Tell the shop we have read its messages: only while the chat is on screen.
function markRead() {
  if (document.visibilityState !== "visible" || !state.ready || !state.conversation || $("chat").hidden) return;
  let last = 0;
  for (const m of state.messages.values()) if (m.sender.kind !== "buyer" && m.seq > last) last = m.seq;
  if (last > state.buyerReadSent) {
    state.buyerReadSent = last;
    request("read", { conversation_id: state.conversation.conversation_id, seq: last });
  }
}

document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") {
    reconnectNow();
    markRead();
  }
});
window.addEventListener("online", () => { renderConnection(); reconnectNow(); });
window.addEventListener("offline", renderConnection);

// --- sending -----------------------------------------------------------------------------

function onComposerInput() {
  const input = $("input");
  $("send").disabled = !input.value.trim();
  input.style.height = "auto"; // CSSOM, allowed by the CSP (unlike style attributes)
  input.style.height = `${Math.min(input.scrollHeight, 120)}px`;
}

function sendFromComposer() {
  const input = $("input");
  if (sendText(input.value)) {
    input.value = "";
    onComposerInput();
    input.focus();
  }
}

function sendText(text) {
  if (!text.trim() || !state.shop || !state.conversation) return false;
  const max = state.limits ? state.limits.max_text_chars : 5000;
  if (Array.from(text).length > max) { toast(t("err_too_large")); return false; }
  const clientMsgId = newClientMsgId();
  state.pending.set(clientMsgId, {
    conversation_id: state.conversation.conversation_id, text, state: "queued", at: Date.now() + state.clockOffset,
  });
  savePending();
  sendPending(clientMsgId);
  scrollToBottom();
  return true;
}

// (Re)send one pending message, always with its client_msg_id, so the relay stores it once.
function sendPending(clientMsgId) {
  const p = state.pending.get(clientMsgId);
  if (!p) return;
  if (!state.ready) {
    p.state = "queued"; // sent after the reconnect
  } else {
    p.state = "sending";
    p.requestId = request("send", { conversation_id: p.conversation_id, client_msg_id: clientMsgId, text: p.text },
      { clientMsgId, timeoutMs: SEND_TIMEOUT_MS });
  }
  savePending();
  render();
}

function resendPending() {
  for (const [clientMsgId, p] of state.pending) {
    if (p.state !== "failed" && !(p.state === "sending" && state.requests.has(p.requestId))) sendPending(clientMsgId);
  }
}

function answerOffer(caseId, accept) {
  if (!state.conversation) return;
  request("offer_reply", { conversation_id: state.conversation.conversation_id, case_id: caseId, accept });
}

// --- rating a resolved chat ------------------------------------------------------------
//
// After an agent resolves the chat, the relay's `resolved` line names the session; the buyer may rate
// it once (`rate`: 1-5 stars and a comment, or skip). The card shows under the chat for the last
// resolved session only, and not again once rated or skipped: the session is remembered in
// localStorage, a later `rated` line says so, and after a reload the conversation's `rating_due`
// (from `opened`) does too. The card is built once and updated in place, so typing in it survives
// messages arriving.

function ratedKey() { return `kefu.rated.${state.session ? state.session.user_id : "-"}`; }

function ratedSessions() {
  try {
    const list = JSON.parse(localStorage.getItem(ratedKey()));
    return Array.isArray(list) ? list : [];
  } catch { return []; }
}

function rememberRated(sessionId) {
  const list = ratedSessions().filter((id) => id !== sessionId);
  list.push(sessionId);
  try { localStorage.setItem(ratedKey(), JSON.stringify(list.slice(-RATED_KEEP))); } catch { /* disabled */ }
}

// The session the card is for (or null): the last `resolved` line's, while nothing of a newer chat
// follows it and it was neither rated nor skipped.
function ratingSession(rows, hasPending) {
  const conv = state.conversation;
  if (!conv || !state.historyLoaded) return null;
  let at = -1;
  for (let i = rows.length - 1; i >= 0; i -= 1) {
    const m = rows[i];
    if (m.kind === "system" && m.event === "resolved" && m.params && /^\d+$/.test(m.params.session_id || "")) {
      at = i;
      break;
    }
  }
  let sessionId;
  let later = [];
  if (at >= 0) {
    sessionId = Number(rows[at].params.session_id);
    later = rows.slice(at + 1);
  } else if (conv.status === "closed" && conv.rating_due && conv.session_id) {
    sessionId = conv.session_id; // its resolved line is older than the page of history held
  } else {
    return null;
  }
  if (hasPending || later.some((m) => m.sender.kind === "buyer")) return null; // the buyer writes again: a new chat
  const r = state.rating;
  if (r.session === sessionId && r.phase === "done") return sessionId; // the thank-you stays
  if (later.some((m) => m.kind === "system" && m.event === "rated")) return null;
  if (ratedSessions().includes(sessionId)) return null;
  if (conv.session_id === sessionId && conv.status === "closed" && !conv.rating_due) return null;
  return sessionId;
}

function buildRating() {
  const box = el("section", "rating");
  box.id = "rating";
  box.dataset.testid = "rating-prompt";
  box.hidden = true;
  const title = el("h2", "rating-title");
  title.id = "rating-title";
  box.setAttribute("aria-labelledby", "rating-title");
  const form = el("div", "rating-form");
  form.id = "rating-form";
  const stars = el("div", "rating-stars");
  stars.id = "rating-stars";
  stars.setAttribute("role", "group");
  for (let n = 1; n <= 5; n += 1) {
    const star = el("button", "star", "★");
    star.type = "button";
    star.dataset.testid = "rating-star";
    star.dataset.stars = String(n);
    star.addEventListener("click", () => chooseStars(n));
    stars.append(star);
  }
  // Arrow keys move along the stars and choose (Tab reaches each one too).
  stars.addEventListener("keydown", (e) => {
    const step = { ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1 }[e.key];
    if (!step) return;
    e.preventDefault();
    const n = Math.min(5, Math.max(1, (state.rating.stars || 0) + step));
    chooseStars(n);
    stars.children[n - 1].focus();
  });
  const word = el("div", "rating-word");
  word.id = "rating-word";
  word.dataset.testid = "rating-word";
  const label = el("label", "rating-label");
  label.id = "rating-comment-label";
  label.htmlFor = "rating-comment";
  const comment = el("textarea", "rating-comment");
  comment.id = "rating-comment";
  comment.rows = 2;
  comment.maxLength = RATING_COMMENT_MAX;
  comment.dataset.testid = "rating-comment";
  comment.addEventListener("input", () => {
    state.rating.comment = comment.value;
    $("rating-count").textContent = t("rateCount", { n: comment.value.length, max: RATING_COMMENT_MAX });
  });
  const count = el("div", "rating-count");
  count.id = "rating-count";
  count.setAttribute("aria-live", "polite");
  const error = el("div", "rating-error");
  error.id = "rating-error";
  error.dataset.testid = "rating-error";
  error.setAttribute("role", "alert");
  const actions = el("div", "card-actions rating-actions");
  const skip = el("button", "secondary");
  skip.id = "rating-skip";
  skip.type = "button";
  skip.dataset.testid = "rating-skip";
  skip.addEventListener("click", () => submitRating(true));
  const submit = el("button", "accept");
  submit.id = "rating-submit";
  submit.type = "button";
  submit.dataset.testid = "rating-submit";
  submit.addEventListener("click", () => submitRating(false));
  actions.append(skip, submit);
  form.append(stars, word, label, comment, count, error, actions);
  const done = el("p", "rating-done");
  done.id = "rating-done";
  done.dataset.testid = "rating-done";
  done.setAttribute("role", "status");
  box.append(title, form, done);
  $("scroller").append(box); // under the messages, where the resolved line is the last one
}

function chooseStars(n) {
  if (state.rating.phase !== "form") return;
  state.rating.stars = n;
  state.rating.error = "";
  paintRating();
}

function renderRating(rows, hasPending) {
  const sessionId = ratingSession(rows, hasPending);
  const r = state.rating;
  if (sessionId !== null && r.session !== sessionId) {
    state.rating = { session: sessionId, stars: 0, comment: "", phase: "form", error: "", note: "" };
    $("rating-comment").value = "";
  }
  $("rating").hidden = sessionId === null;
  paintRating();
}

// The card's words and state (also after a language switch).
function paintRating() {
  const r = state.rating;
  const starWord = (n) => (n === 1 && has("rateStar1") && currentLang() === "en" ? t("rateStar1") : t("rateStar", { n }));
  $("rating-title").textContent = t("rateTitle");
  $("rating-title").hidden = r.phase === "done";
  $("rating-form").hidden = r.phase === "done";
  $("rating-done").hidden = r.phase !== "done";
  $("rating-done").textContent = r.phase === "done" && r.note ? t(r.note) : "";
  $("rating").dataset.phase = r.phase;
  const group = $("rating-stars");
  group.setAttribute("aria-label", t("rateStarsGroup"));
  for (const star of group.children) {
    const n = Number(star.dataset.stars);
    star.setAttribute("aria-label", starWord(n));
    star.title = starWord(n);
    star.setAttribute("aria-pressed", String(n === r.stars));
    star.classList.toggle("on", n <= r.stars);
    star.disabled = r.phase === "sending";
  }
  $("rating-word").textContent = r.stars ? t(`rateWord${r.stars}`) : "";
  $("rating-comment-label").textContent = t("rateCommentLabel");
  const comment = $("rating-comment");
  comment.placeholder = t("rateCommentPlaceholder");
  comment.disabled = r.phase === "sending";
  $("rating-count").textContent = t("rateCount", { n: comment.value.length, max: RATING_COMMENT_MAX });
  $("rating-error").textContent = r.error;
  $("rating-error").hidden = !r.error;
  const submit = $("rating-submit");
  submit.textContent = r.phase === "sending" ? t("rateSending") : t("rateSubmit");
  submit.disabled = r.phase !== "form" || !r.stars || !state.ready;
  const skip = $("rating-skip");
  skip.textContent = t("rateSkip");
  skip.disabled = r.phase !== "form" || !state.ready;
}

function submitRating(skip) {
  const r = state.rating;
  const conv = state.conversation;
  if (!conv || r.session === null || r.phase !== "form" || (!skip && !r.stars)) return;
  const sessionId = r.session;
  const fields = { conversation_id: conv.conversation_id, session_id: sessionId };
  if (!skip) {
    fields.stars = r.stars;
    const comment = $("rating-comment").value.trim();
    if (comment) fields.comment = Array.from(comment).slice(0, RATING_COMMENT_MAX).join("");
  }
  r.phase = "sending";
  r.error = "";
  paintRating();
  const settle = (phase, error, note) => {
    if (state.rating.session !== sessionId) return;
    Object.assign(state.rating, { phase, error: error || "", note: note || "" });
    render();
  };
  request("rate", fields, {
    onReply: () => {
      rememberRated(sessionId);
      if (skip) settle("skipped"); else settle("done", "", "rateThanks");
    },
    onError: (frame) => {
      if (frame.code === "conflict" && frame.reason === "already_rated") {
        rememberRated(sessionId);
        settle("done", "", "rateAlready");
      } else if (frame.code === "conflict" && frame.reason === "not_resolved") {
        rememberRated(sessionId);
        settle("done", "", "rateNotResolved");
      } else {
        settle("form", t("rateFailed", { msg: errorText(frame) }));
      }
    },
    onLost: () => settle("form", t("rateLost")),
  });
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
    box.append(el("span", "pulse"), el("span", null, t("servedBy", { name: q.agent_name || "" })));
    return;
  }
  box.className = "queue waiting";
  const ahead = Math.max(0, q.position - 1);
  box.append(el("strong", "pos", ahead > 0 ? t("queueWaiting", { n: ahead }) : t("queueNext")));
  if (q.estimated_wait_s) box.append(el("span", "eta", t("queueEta", { t: duration(q.estimated_wait_s) })));
  if (q.reason) box.append(el("span", "reason", t(`reason_${q.reason}`)));
}

function duration(s) {
  if (s >= 3600) return t("hours", { n: Math.round(s / 360) / 10 });
  if (s >= 90) return t("minutes", { n: Math.round(s / 60) });
  return t("seconds", { n: s });
}

function scrollToBottom() {
  const scroller = $("scroller");
  scroller.scrollTop = scroller.scrollHeight;
}

function render() {
  renderQueue();
  if ($("chat").hidden) return;
  const scroller = $("scroller");
  const atBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 60;
  const list = $("messages");
  const rows = [...state.messages.values()].sort((a, b) => a.seq - b.seq);
  calls.noteMessages(rows);
  const pending = state.conversation
    ? [...state.pending].filter(([, p]) => p.conversation_id === state.conversation.conversation_id) : [];
  const items = [];
  let lastDay = null;
  const addDay = (ms) => {
    const key = dayKey(ms);
    if (key !== lastDay) {
      const chip = el("li", "day", dayLabel(ms));
      chip.dataset.testid = "day";
      items.push(chip);
      lastDay = key;
    }
  };
  for (const m of rows) {
    addDay(m.ts);
    items.push(renderMessage(m));
  }
  for (const [clientMsgId, p] of pending) {
    addDay(p.at);
    items.push(renderPending(clientMsgId, p));
  }
  list.replaceChildren(...items);
  $("older").hidden = !state.hasMore;
  $("empty").hidden = !(state.historyLoaded && items.length === 0);
  $("quick").hidden = !state.conversation;
  renderRating(rows, pending.length > 0);
  if (atBottom) scrollToBottom();
}

function renderMessage(m) {
  if (m.kind === "system") {
    const li = el("li", "system");
    li.dataset.testid = "message";
    li.dataset.seq = m.seq;
    li.dataset.kind = "system";
    if (m.event) li.dataset.event = m.event;
    li.append(el("span", "system-text", systemText(m.event, m.params, m.text)));
    return li;
  }
  const mine = m.sender.kind === "buyer";
  const li = el("li", mine ? "msg mine" : "msg theirs");
  li.dataset.testid = "message";
  li.dataset.seq = m.seq;
  li.dataset.kind = m.kind || "text";
  const body = el("div", "body");
  if (!mine) {
    const avatar = el("span", "avatar agent-avatar", initial(m.sender.name));
    avatar.setAttribute("aria-hidden", "true");
    li.append(avatar);
    body.append(el("div", "who", m.sender.name));
  }
  body.append(m.kind === "card" && m.card ? renderCard(m.card) : el("div", "bubble", m.text));
  const meta = el("div", "meta");
  meta.append(el("time", "time", timeOfDay(m.ts)));
  if (mine) {
    const read = m.seq <= state.agentReadSeq;
    li.dataset.state = read ? "read" : "sent";
    meta.append(el("span", `state ${read ? "read" : "sent"}`, read ? t("read") : t("sent")));
  }
  body.append(meta);
  li.append(body);
  return li;
}

function renderPending(clientMsgId, p) {
  const failed = p.state === "failed";
  const li = el("li", `msg mine pending${failed ? " failed" : ""}`);
  li.dataset.testid = "message";
  li.dataset.state = failed ? "failed" : "sending";
  li.dataset.clientMsgId = clientMsgId;
  const body = el("div", "body");
  body.append(el("div", "bubble", p.text));
  const meta = el("div", "meta");
  if (failed) {
    meta.append(el("span", "state failed", t("failed")));
    const retry = el("button", "retry", t("retry"));
    retry.type = "button";
    retry.dataset.testid = "retry";
    retry.addEventListener("click", () => sendPending(clientMsgId));
    meta.append(retry);
  } else {
    meta.append(el("span", "spinner"), el("span", "state sending", t("sending")));
  }
  body.append(meta);
  li.append(body);
  return li;
}

function renderCard(card) {
  if (card.kind === "call") return calls.renderCard(card);
  const box = el("div", `card card-${card.kind}`);
  box.dataset.testid = `card-${card.kind}`;
  if (card.kind === "product") {
    box.append(el("div", "card-label", t("productCard")), el("div", "card-title", card.title),
      el("div", "card-price", yuan(card.price_cents)));
  } else if (card.kind === "order") {
    box.append(el("div", "card-label", t("orderCard")), el("div", "card-title", card.summary),
      el("div", "card-sub", t("orderNo", { no: card.order_no })),
      el("div", "card-price", `${yuan(card.amount_cents)} · ${card.status}`));
  } else if (card.kind === "offer") {
    box.dataset.status = card.status;
    box.append(el("div", "card-label", t("offerCard")), el("div", "card-title", t(`offer_${card.offer}`)),
      el("div", "card-price", yuan(card.amount_cents)), el("div", "card-sub", t("orderNo", { no: card.order_no })));
    if (card.status === "offered") {
      const actions = el("div", "card-actions");
      const yes = el("button", "accept", t("accept"));
      yes.type = "button";
      yes.dataset.testid = "offer-accept";
      yes.addEventListener("click", () => answerOffer(card.case_id, true));
      const no = el("button", "decline", t("decline"));
      no.type = "button";
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

start();
