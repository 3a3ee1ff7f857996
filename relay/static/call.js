// Video explanations (视频讲解) on the buyer page: the invitation card, the first-call notice, the
// call screen, and the buyer's side of the WebRTC call. docs/protocol.md section 12 is the contract.
//
// The agent offers audio and video (sendrecv) through the relay's `call_signal`; the page answers.
// The buyer's camera stays OFF: the video transceiver answers sendrecv with no track, so nothing is
// sent until the buyer turns the camera on (the rear camera), which only swaps the sender's track
// (replaceTrack, no renegotiation). Audio only answers video `inactive`. Candidates trickle out as
// `call_signal` candidate frames; an empty candidate string ends them.
//
// "不再接收视频邀请" blocks the shop's invitations until the buyer lifts it (`call_unblock`). The relay
// lists the buyer's blocks on request (`call_blocks`, asked after every sync and whenever a
// call_blocked / call_unblocked message shows up), so the chat of a blocked shop always shows it, with
// the undo, above the messages and under the card that blocked.
//
// Safety rule as in app.js: text from the wire goes in with textContent only.
"use strict";

(() => {
  const NOTICE_KEY = "kefu.callNoticeSeen"; // localStorage: the first-call notice was read
  const LIVE_KEY = "kefu.liveCall"; // sessionStorage: the call this tab carries media for
  const ICE_WAIT_MS = 4000; // no `ice_servers` answer this long: host candidates only
  const JOIN_TIMEOUT_MS = 65000; // not connected this long after accepting: give up (the relay does at 60 s)
  const REASONS = ["not_requested", "inappropriate", "sales_pressure", "privacy", "poor_quality", "other"];
  const OVER = new Set(["declined", "expired", "ended", "cancelled"]);
  // The ends the summary words (the others need no explanation): `end_reason` -> i18n key.
  const END_REASONS = { duration_limit: "callLimitReached", relay_restarted: "callRelayRestarted" };
  // System messages of a conversation tell what became of the call card before them (one call at a
  // time per conversation): used after a reload, when the relay no longer sends a call that is over.
  const EVENT_STATE = {
    call_declined: "declined", call_blocked: "declined", call_expired: "expired", call_cancelled: "cancelled",
    call_connected: "connected", call_ended: "ended",
  };
  const BLOCK_EVENTS = new Set(["call_blocked", "call_unblocked"]); // the buyer's blocks changed: ask again

  function create(host) {
    const { t, el } = host;
    const $ = (id) => document.getElementById(id);

    // Test hook (like window.__kefu): what the page asked of getUserMedia, the live call, frames drawn.
    const hook = {
      gum: [], // every getUserMedia constraints object, in order
      infos: new Map(), // call_id -> latest CallInfo from a `call` frame
      current: null, // the call this page is in (see join)
      last: null, // the last call that ended here (its pc, tracks, final state), for tests
      lastPc: null, // the RTCPeerConnection of the last call, kept after it closed
      frames: 0, // remote video frames rendered in the current call
      mediaSent: 0, // call_media frames sent
      negotiationNeeded: 0, // must stay 0: the camera never renegotiates
      timings: {}, // performance.now() marks: accept, offer, answer, firstFrame
      blocks: new Map(), // conversation_id -> CallBlock: the shops whose invitations the buyer blocked
    };
    window.__kefuCall = hook;
    const infos = hook.infos;
    const inferred = new Map(); // call_id -> state told by later system messages
    const decisions = new Map(); // call_id -> decision sent from this page
    const blocks = hook.blocks;
    const cardConversation = new Map(); // call_id -> conversation_id of its card (from the chat's messages)
    const blockedBy = new Set(); // call_ids answered with the block (a call_blocked message follows the card)
    const blockEvents = new Set(); // "conversation_id:seq" of the call_blocked / call_unblocked messages seen
    let blocksAsking = false;
    let blocksAgain = false;
    let tickTimer = null;

    // --- requests ------------------------------------------------------------------------

    // A request whose answer (or error, or a lost connection) settles a promise.
    function ask(type, fields) {
      return new Promise((resolve, reject) => {
        host.request(type, fields, {
          onReply: resolve,
          onError: (frame) => reject(Object.assign(new Error(frame.message || frame.code), { frame })),
          onLost: () => reject(new Error("connection lost")),
        });
      });
    }

    function send(type, fields) {
      host.request(type, fields, { onError: () => {}, onLost: () => {} });
    }

    function errorToast(err) {
      const frame = err && err.frame;
      if (!frame) return;
      host.toast(host.has(`err_${frame.code}`) ? t(`err_${frame.code}`) : t("error", { msg: frame.message || frame.code }));
    }

    function media(constraints) {
      hook.gum.push(JSON.parse(JSON.stringify(constraints)));
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
        return Promise.reject(new Error("getUserMedia is not available here (not a secure context?)"));
      }
      return navigator.mediaDevices.getUserMedia(constraints);
    }

    function clock(seconds) {
      const s = Math.max(0, Math.floor(seconds));
      const h = Math.floor(s / 3600);
      const mm = String(Math.floor((s % 3600) / 60)).padStart(h ? 2 : 1, "0");
      const ss = String(s % 60).padStart(2, "0");
      return h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
    }

    // --- state of a call as the card shows it ------------------------------------------

    function stateOf(card) {
      const info = infos.get(card.call_id);
      const st = info ? info.state : inferred.get(card.call_id) || card.status || "invited";
      // Past its expiry by the relay's clock: expired, even before the relay's frame says so.
      return st === "invited" && host.relayNow() >= card.expires_at ? "expired" : st;
    }

    // Called by app.js with the open chat's messages in seq order, before they are drawn.
    function noteMessages(rows) {
      let last = null;
      let blocksChanged = false;
      for (const m of rows) {
        if (m.kind === "card" && m.card && m.card.kind === "call") {
          last = m.card.call_id;
          cardConversation.set(last, m.conversation_id);
        } else if (m.kind === "system") {
          if (last && EVENT_STATE[m.event]) inferred.set(last, EVENT_STATE[m.event]);
          if (last && m.event === "call_blocked") blockedBy.add(last);
          const key = `${m.conversation_id}:${m.seq}`;
          if (BLOCK_EVENTS.has(m.event) && !blockEvents.has(key)) {
            blockEvents.add(key);
            blocksChanged = true;
          }
        }
      }
      if (blocksChanged) askBlocks(); // e.g. another tab or device of the buyer blocked or lifted it
      renderBlockedBar();
    }

    function conversationOf(callId) {
      const info = infos.get(callId);
      return info ? info.conversation_id : cardConversation.get(callId);
    }

    // The card whose answer blocked the shop, while the block lasts.
    function blocking(callId) {
      const conversationId = conversationOf(callId);
      return (decisions.get(callId) === "block" || blockedBy.has(callId))
        && conversationId !== undefined && blocks.has(conversationId);
    }

    function statusText(st, info, callId) {
      if (st === "ended") {
        return info && typeof info.duration_s === "number"
          ? t("callEndedFor", { t: clock(info.duration_s) }) : t("call_ended");
      }
      if (st === "declined" && blocking(callId)) return t("callBlockedShop");
      return t(`call_${st}`);
    }

    // An invitation to a voice call (the agent chose audio only): the card says so, and it is joined without video.
    function audioOnlyCard(card) {
      const info = infos.get(card.call_id);
      return Boolean(card.audio_only || (info && info.state === "invited" && info.audio_only && !decisions.has(card.call_id)));
    }

    function renderCard(card) {
      const info = infos.get(card.call_id) || null;
      const st = stateOf(card);
      const voice = audioOnlyCard(card);
      const box = el("div", voice ? "card card-call audio-only" : "card card-call");
      box.dataset.testid = "card-call";
      box.dataset.callId = card.call_id;
      box.dataset.state = st;
      box.dataset.audioOnly = String(voice);
      const head = el("div", "call-card-head");
      const icon = el("span", voice ? "call-icon voice" : "call-icon");
      icon.setAttribute("aria-hidden", "true");
      head.append(icon, el("div", "card-label", t(voice ? "callCardAudio" : "callCard")));
      box.append(head, el("div", "card-title", t(voice ? "callInviteAudio" : "callInvite", { name: card.agent_name })));
      if (card.reason) {
        const reason = el("div", "card-sub call-reason", card.reason);
        reason.dataset.testid = "call-reason";
        box.append(reason);
      }
      if (st === "invited") {
        const left = el("div", "call-countdown");
        left.dataset.testid = "call-countdown";
        left.dataset.expires = String(card.expires_at);
        box.append(left);
        const actions = el("div", "card-actions call-actions");
        const button = (cls, key, testid, onClick) => {
          const b = el("button", cls, t(key));
          b.type = "button";
          b.dataset.testid = testid;
          b.addEventListener("click", onClick);
          return b;
        };
        if (voice) {
          actions.append(
            button("decline", "callDecline", "call-decline", () => answer(card, "decline")),
            button("accept", "callAcceptAudio", "call-accept", () => consentThenJoin(card, true)),
          );
        } else {
          actions.append(
            button("decline", "callDecline", "call-decline", () => answer(card, "decline")),
            button("secondary", "callAudioOnly", "call-audio-only", () => consentThenJoin(card, true)),
            button("accept", "callAccept", "call-accept", () => consentThenJoin(card, false)),
          );
        }
        box.append(actions, button("link block", "callBlock", "call-block", () => confirmBlock(card)));
        updateCountdowns(box);
        ensureTicking();
      } else {
        const status = el("div", `card-status call-state ${st}`, statusText(st, info, card.call_id));
        status.dataset.testid = "call-status";
        box.append(status);
        if (st === "declined" && blocking(card.call_id)) {
          const undo = el("button", "link unblock", t("callUnblock"));
          undo.type = "button";
          undo.dataset.testid = "call-unblock";
          undo.addEventListener("click", () => confirmUnblock(conversationOf(card.call_id)));
          box.append(undo);
        }
        if (info && (st === "connected" || st === "ended" || (st === "accepted" && info.answered_at))) {
          box.append(complaintButton(info, "link"));
        }
      }
      return box;
    }

    function complaintButton(info, cls) {
      const done = Boolean(info.complaint);
      const b = el("button", `${cls} complain`, done ? t("complained") : t("complain"));
      b.type = "button";
      b.dataset.testid = "call-complain";
      b.disabled = done;
      b.addEventListener("click", () => openComplaint(info.call_id));
      return b;
    }

    function updateCountdowns(root) {
      let expired = false;
      for (const node of (root || document).querySelectorAll("[data-expires]")) {
        const left = Math.ceil((Number(node.dataset.expires) - host.relayNow()) / 1000);
        node.dataset.remainingS = String(Math.max(0, left));
        node.textContent = left > 0 ? t("callExpiresIn", { t: clock(left) }) : t("call_expired");
        if (left <= 0) expired = true;
      }
      return expired;
    }

    // One timer for the cards' countdowns and the call screen's clock: started whenever either is
    // drawn, stopped by itself once neither is on the page.
    function tick() {
      if (updateCountdowns()) host.rerender();
      renderTimer();
      const needed = document.querySelector("[data-expires]") !== null || (hook.current && hook.current.phase !== "over");
      if (needed) ensureTicking();
      else if (tickTimer !== null) { clearInterval(tickTimer); tickTimer = null; }
    }

    function ensureTicking() {
      if (tickTimer === null) tickTimer = setInterval(tick, 1000);
    }

    // --- frames from the relay -----------------------------------------------------------

    function onCall(info) {
      const known = infos.get(info.call_id);
      infos.set(info.call_id, info);
      if (info.state === "invited" && !known && !host.isOpen(info.conversation_id)) {
        // the card is in a chat not on screen
        host.toast(t(info.audio_only ? "callInviteToastAudio" : "callInviteToast", { name: info.agent_name }));
      }
      const cur = hook.current;
      if (cur && cur.id === info.call_id) {
        if (info.state === "connected" && cur.connectedAt === null) cur.connectedAt = performance.now();
        if (cur.phase === "joining" && info.state === "invited" && cur.answerLost) {
          // Our accept was lost with the connection (the relay still says invited): say it again.
          cur.answerLost = false;
          sendAccept(cur);
        }
        if (OVER.has(info.state) && cur.phase !== "over") finish(info.state);
        renderScreen();
      } else {
        // A call this tab carried media for before a reload: its peer connection is gone and a call
        // cannot be rejoined, so end it rather than leave the agent talking to nobody.
        let mine = null;
        try { mine = sessionStorage.getItem(LIVE_KEY); } catch { /* disabled */ }
        if (mine === info.call_id && (info.state === "accepted" || info.state === "connected")) {
          send("call_hangup", { call_id: info.call_id });
        }
        if (mine === info.call_id) forgetLive();
      }
      host.rerender();
      tick();
    }

    function onSignal(frame) {
      const cur = hook.current;
      if (!cur || cur.id !== frame.call_id || cur.phase === "over") return; // another tab's call, or over
      if (frame.kind === "offer" && frame.sdp) {
        if (cur.pc) return; // the agent offers once; a repeat is ignored
        hook.timings.offer = performance.now();
        startPeer(cur, frame.sdp).catch((err) => {
          if (hook.current === cur && cur.phase !== "over") {
            cur.failure = String(err && err.message ? err.message : err);
            hangUp("failed");
          }
        });
      } else if (frame.kind === "candidate" && frame.candidate && frame.candidate.candidate) {
        // The agent's offer carries its candidates; any trickled ones are added too (the end marker is not needed).
        const c = frame.candidate;
        const init = { candidate: c.candidate, sdpMid: c.sdp_mid ?? null, sdpMLineIndex: c.sdp_mline_index ?? null };
        const add = () => cur.pc.addIceCandidate(init).catch(() => {});
        if (cur.pc && cur.pc.remoteDescription) add();
        else cur.pendingCandidates.push(add);
      }
    }

    // The page's socket is back. A call that ended meanwhile (the relay ends it 15 s after the buyer's
    // last connection went) is not sent again, so ask: `call_media` is harmless for a connected call
    // (and delivers ours if it was lost), and refused once the call is over.
    function onSynced() {
      askBlocks(); // a page reloaded (or back) learns the blocks again: they are not in `synced`
      const cur = hook.current;
      if (!cur || cur.phase === "over" || !cur.mediaSent) return;
      ask("call_media", { call_id: cur.id }).catch((err) => {
        const code = err.frame && err.frame.code;
        if (hook.current !== cur || cur.phase === "over" || !["not_found", "call_state"].includes(code)) return;
        finish("ended");
        renderScreen();
      });
    }

    function onNotice(frame) {
      const cur = hook.current;
      if (!cur || cur.id !== frame.call_id) return;
      cur.notice = { remaining: frame.remaining_s, at: performance.now() };
      renderScreen();
    }

    // --- answering an invitation ---------------------------------------------------------

    function answer(card, decision) {
      decisions.set(card.call_id, decision);
      ask("call_answer", { call_id: card.call_id, decision, audio_only: false })
        .then((frame) => {
          if (decision === "block") {
            const conversationId = frame.call ? frame.call.conversation_id : conversationOf(card.call_id);
            if (conversationId !== undefined && !blocks.has(conversationId)) {
              blocks.set(conversationId, { conversation_id: conversationId, blocked_at: host.relayNow() });
            }
            askBlocks(); // the relay's own record (shop, when)
            host.rerender();
          }
          host.toast(decision === "block" ? t("callBlockedToast") : t("callDeclinedToast"));
        })
        .catch((err) => { decisions.delete(card.call_id); errorToast(err); });
    }

    // --- the buyer's blocks ------------------------------------------------------------------

    function askBlocks() {
      if (blocksAsking) { blocksAgain = true; return; }
      blocksAsking = true;
      ask("call_blocks", {})
        .then(setBlocks)
        .catch(() => {}) // lost with the connection: asked again after the next sync
        .finally(() => {
          blocksAsking = false;
          if (blocksAgain) { blocksAgain = false; askBlocks(); }
        });
    }

    function setBlocks(frame) {
      blocks.clear();
      for (const block of frame.blocks || []) blocks.set(block.conversation_id, block);
      host.rerender();
    }

    // The open chat's shop, if the buyer blocked it: a quiet line above the messages offers the undo.
    function renderBlockedBar() {
      const bar = $("call-blocked");
      const conversationId = [...blocks.keys()].find((id) => host.isOpen(id));
      bar.hidden = conversationId === undefined;
      bar.dataset.conversationId = conversationId === undefined ? "" : String(conversationId);
    }

    function confirmUnblock(conversationId) {
      if (conversationId === undefined || !blocks.has(conversationId)) return;
      openSheet("call-unblock-confirm", t("callUnblockTitle"), [t("callUnblockBody")], [
        { key: "cancel", testid: "sheet-cancel", cls: "secondary", onClick: closeSheet },
        {
          key: "callUnblockConfirm", testid: "sheet-confirm", cls: "accept",
          onClick: () => { closeSheet(); unblock(conversationId); },
        },
      ]);
    }

    function unblock(conversationId) {
      ask("call_unblock", { conversation_id: conversationId })
        .then((frame) => { setBlocks(frame); host.toast(t("callUnblockedToast")); })
        .catch(errorToast);
    }

    function confirmBlock(card) {
      openSheet("call-block-confirm", t("callBlockTitle"), [t("callBlockBody")], [
        { key: "cancel", testid: "sheet-cancel", cls: "secondary", onClick: closeSheet },
        { key: "callBlockConfirm", testid: "sheet-confirm", cls: "danger", onClick: () => { closeSheet(); answer(card, "block"); } },
      ]);
    }

    function noticeSeen() {
      try { return localStorage.getItem(NOTICE_KEY) === "1"; } catch { return false; }
    }

    function consentThenJoin(card, audioOnly) {
      if (hook.current && hook.current.phase !== "over") { host.toast(t("callAlreadyIn")); return; }
      if (audioOnlyCard(card)) audioOnly = true; // a voice call never opens the camera
      if (noticeSeen()) { join(card, audioOnly); return; }
      openSheet("call-notice-first", t("callNoticeTitle"), [
        t("callNoticePurpose"), t("callNoticeEncrypted"), t("callNoticeNotRecorded"),
        t(audioOnlyCard(card) ? "callNoticeAudio" : "callNoticeCamera"),
      ], [
        { key: "cancel", testid: "sheet-cancel", cls: "secondary", onClick: closeSheet },
        {
          key: "continue", testid: "sheet-continue", cls: "accept",
          onClick: () => {
            try { localStorage.setItem(NOTICE_KEY, "1"); } catch { /* disabled: asked again next time */ }
            closeSheet();
            join(card, audioOnly);
          },
        },
      ]);
    }

    function join(card, audioOnly) {
      const cur = {
        id: card.call_id, agentName: card.agent_name, audioOnly, phase: "joining",
        pc: null, mic: null, cam: null, facing: "environment", videoSender: null,
        micPromise: null, icePromise: null, pendingCandidates: [], connectedAt: null, notice: null,
        cameraNote: "", candidatesEnded: false, mediaSent: false, failure: null, busy: false, finalState: null,
        answerLost: false, endedAt: null, joinTimer: null,
      };
      hook.current = cur;
      hook.frames = 0;
      hook.negotiationNeeded = 0;
      hook.timings = { accept: performance.now() };
      decisions.set(card.call_id, "accept");
      try { sessionStorage.setItem(LIVE_KEY, card.call_id); } catch { /* disabled */ }
      // The mic is asked for now, inside the tap (the permission prompt belongs to this gesture).
      cur.micPromise = media({ audio: true }).then((ms) => ms.getAudioTracks()[0] || null, () => null);
      cur.icePromise = Promise.race([
        ask("ice_servers", {}).then((frame) => frame.servers || [], () => []),
        new Promise((resolve) => setTimeout(() => resolve([]), ICE_WAIT_MS)),
      ]);
      cur.joinTimer = setTimeout(() => {
        if (hook.current === cur && cur.phase !== "over" && cur.connectedAt === null) hangUp("failed");
      }, JOIN_TIMEOUT_MS);
      showScreen(true);
      renderScreen();
      tick();
      sendAccept(cur);
    }

    function sendAccept(cur) {
      ask("call_answer", { call_id: cur.id, decision: "accept", audio_only: cur.audioOnly })
        .catch((err) => {
          if (hook.current !== cur || cur.phase === "over") return;
          if (!err.frame) { cur.answerLost = true; return; } // the resync tells what became of it
          errorToast(err);
          finish("failed");
          closeScreen();
        });
    }

    // --- the peer connection -----------------------------------------------------------

    async function startPeer(cur, offerSdp) {
      const servers = await cur.icePromise;
      if (hook.current !== cur || cur.phase === "over") return;
      const iceServers = servers.map((s) => {
        const entry = { urls: s.urls };
        if (s.username) entry.username = s.username;
        if (s.credential) entry.credential = s.credential;
        return entry;
      });
      const pc = new RTCPeerConnection({ iceServers, bundlePolicy: "max-bundle" });
      cur.pc = pc;
      hook.lastPc = pc;
      pc.onnegotiationneeded = () => { hook.negotiationNeeded += 1; };
      pc.onicecandidate = (event) => {
        if (hook.current !== cur || cur.phase === "over") return;
        const c = event.candidate;
        if (c && c.candidate) {
          send("call_signal", {
            call_id: cur.id, kind: "candidate",
            candidate: { candidate: c.candidate, sdp_mid: c.sdpMid, sdp_mline_index: c.sdpMLineIndex },
          });
        } else if (!cur.candidatesEnded) {
          cur.candidatesEnded = true;
          send("call_signal", { call_id: cur.id, kind: "candidate", candidate: { candidate: "" } });
        }
      };
      pc.onconnectionstatechange = () => {
        if (hook.current !== cur || cur.phase === "over") return;
        if (pc.connectionState === "failed") { cur.failure = "ice"; hangUp("failed"); return; }
        renderScreen();
      };
      pc.ontrack = (event) => onTrack(cur, event.track);

      await pc.setRemoteDescription({ type: "offer", sdp: offerSdp });
      for (const add of cur.pendingCandidates.splice(0)) add();
      const mic = await cur.micPromise;
      if (hook.current !== cur || cur.phase === "over") { if (mic) mic.stop(); return; }
      cur.mic = mic;
      if (!mic) cur.cameraNote = t("callNoMic");
      for (const tr of pc.getTransceivers()) {
        const kind = tr.receiver.track.kind;
        if (kind === "audio") {
          if (mic) await tr.sender.replaceTrack(mic);
          tr.direction = mic ? "sendrecv" : "recvonly";
        } else if (kind === "video") {
          // Camera OFF: sendrecv with no track sends nothing; replaceTrack(camera) starts it later.
          tr.direction = cur.audioOnly ? "inactive" : "sendrecv";
          cur.videoSender = tr.sender;
        }
      }
      await pc.setLocalDescription(await pc.createAnswer());
      if (hook.current !== cur || cur.phase === "over") return;
      send("call_signal", { call_id: cur.id, kind: "answer", sdp: pc.localDescription.sdp });
      hook.timings.answer = performance.now();
      renderScreen();
    }

    function onTrack(cur, track) {
      if (hook.current !== cur) return;
      if (track.kind === "video") {
        const video = $("call-remote");
        video.srcObject = new MediaStream([track]);
        video.play().catch(() => {}); // autoplay does it; a refusal is not an error here
        const count = () => {
          if (hook.current !== cur || cur.phase === "over") return;
          hook.frames += 1;
          if (hook.frames === 1) { hook.timings.firstFrame = performance.now(); mediaArrived(cur); renderScreen(); }
          video.requestVideoFrameCallback(count);
        };
        if (typeof video.requestVideoFrameCallback === "function") video.requestVideoFrameCallback(count);
        else track.addEventListener("unmute", () => mediaArrived(cur), { once: true });
      } else if (track.kind === "audio") {
        const audio = $("call-audio");
        audio.srcObject = new MediaStream([track]);
        audio.play().catch(() => {});
        if (cur.audioOnly) {
          // No video comes: the first audio packet (the track unmutes) is the first media.
          const arrived = () => { hook.timings.firstFrame = performance.now(); mediaArrived(cur); renderScreen(); };
          if (!track.muted) arrived();
          else track.addEventListener("unmute", arrived, { once: true });
        }
      }
    }

    // The first media from the agent: the relay moves the call to connected (sent once).
    function mediaArrived(cur) {
      if (cur.mediaSent || hook.current !== cur || cur.phase === "over") return;
      cur.mediaSent = true;
      hook.mediaSent += 1;
      send("call_media", { call_id: cur.id });
    }

    // --- camera and mic ------------------------------------------------------------------

    function cameraConstraints(facing) {
      return { video: { facingMode: { ideal: facing }, width: { ideal: 640 }, height: { ideal: 480 } } };
    }

    async function openCamera(cur, facing) {
      const ms = await media(cameraConstraints(facing));
      const track = ms.getVideoTracks()[0];
      if (hook.current !== cur || cur.phase === "over") { track.stop(); return null; }
      const settings = track.getSettings ? track.getSettings() : {};
      // A laptop or the test's fake camera has no facing mode: keep it, but say so.
      cur.cameraNote = facing === "environment" && settings.facingMode !== "environment" ? t("callNoRearCamera") : "";
      cur.facing = facing;
      cur.cam = track;
      const preview = $("call-local");
      preview.srcObject = new MediaStream([track]);
      preview.play().catch(() => {});
      await cur.videoSender.replaceTrack(track);
      return track;
    }

    async function withBusy(cur, work) {
      if (cur.busy) return;
      cur.busy = true;
      renderScreen();
      try {
        await work();
      } catch (err) {
        cur.cameraNote = t("callCameraFailed");
      } finally {
        cur.busy = false;
        renderScreen();
      }
    }

    function toggleCamera() {
      const cur = hook.current;
      if (!cur || cur.phase === "over" || !cur.videoSender || cur.audioOnly) return;
      withBusy(cur, async () => {
        if (cur.cam) {
          await cur.videoSender.replaceTrack(null);
          stopCamera(cur);
          cur.cameraNote = "";
        } else {
          await openCamera(cur, "environment");
        }
      });
    }

    function flipCamera() {
      const cur = hook.current;
      if (!cur || !cur.cam || cur.phase === "over") return;
      const facing = cur.facing === "environment" ? "user" : "environment";
      withBusy(cur, async () => {
        stopCamera(cur); // first: a phone often cannot open two cameras at once
        await openCamera(cur, facing);
      });
    }

    function stopCamera(cur) {
      if (cur.cam) cur.cam.stop();
      cur.cam = null;
      $("call-local").srcObject = null;
    }

    function toggleMic() {
      const cur = hook.current;
      if (!cur || !cur.mic) return;
      cur.mic.enabled = !cur.mic.enabled; // muted sends silence, no renegotiation
      renderScreen();
    }

    // --- ending ------------------------------------------------------------------------

    function hangUp(why) {
      const cur = hook.current;
      if (!cur || cur.phase === "over") return;
      send("call_hangup", { call_id: cur.id });
      finish(why || "ended");
      renderScreen();
    }

    // Close the peer connection and stop every track; the screen turns into the summary.
    function finish(finalState) {
      const cur = hook.current;
      if (!cur || cur.phase === "over") return;
      cur.phase = "over";
      cur.finalState = finalState;
      hook.last = cur;
      cur.endedAt = performance.now();
      clearTimeout(cur.joinTimer);
      if (cur.mic) cur.mic.stop();
      stopCamera(cur);
      if (cur.pc) {
        for (const sender of cur.pc.getSenders()) if (sender.track) sender.track.stop();
        cur.pc.close();
      }
      if (cur.micPromise) cur.micPromise.then((track) => { if (track && track !== cur.mic) track.stop(); });
      $("call-remote").srcObject = null;
      $("call-audio").srcObject = null;
      forgetLive();
      host.rerender();
    }

    function forgetLive() {
      try { sessionStorage.removeItem(LIVE_KEY); } catch { /* disabled */ }
    }

    // --- complaints ------------------------------------------------------------------------

    function openComplaint(callId) {
      const info = infos.get(callId);
      if (info && info.complaint) { host.toast(t("complained")); return; }
      const buttons = REASONS.map((reason) => ({
        label: t(`complaint_${reason}`), testid: `complaint-${reason}`, cls: "reason",
        onClick: () => { closeSheet(); complain(callId, reason); },
      }));
      buttons.push({ key: "cancel", testid: "sheet-cancel", cls: "secondary", onClick: closeSheet });
      openSheet("complaint-sheet", t("complaintTitle"), [t("complaintBody")], buttons);
    }

    function complain(callId, reason) {
      ask("call_complaint", { call_id: callId, reason })
        .then(() => host.toast(t("complaintThanks")))
        .catch(errorToast);
    }

    // --- the sheet (notice, confirmation, complaint reasons) --------------------------------

    function openSheet(testid, title, paragraphs, buttons) {
      const backdrop = $("sheet");
      const sheet = el("div", "sheet");
      sheet.dataset.testid = testid;
      sheet.setAttribute("role", "dialog");
      sheet.setAttribute("aria-modal", "true");
      const heading = el("h2", "sheet-title", title);
      sheet.append(heading);
      for (const text of paragraphs) sheet.append(el("p", "sheet-text", text));
      const actions = el("div", "sheet-actions");
      for (const spec of buttons) {
        const b = el("button", spec.cls || "", spec.label || t(spec.key));
        b.type = "button";
        b.dataset.testid = spec.testid;
        b.addEventListener("click", spec.onClick);
        actions.append(b);
      }
      sheet.append(actions);
      backdrop.replaceChildren(sheet);
      backdrop.hidden = false;
      const primary = actions.querySelector("button:last-child");
      if (primary) primary.focus();
    }

    function closeSheet() {
      $("sheet").hidden = true;
      $("sheet").replaceChildren();
    }

    // --- the call screen -----------------------------------------------------------------

    function showScreen(on) {
      $("call").hidden = !on;
      document.body.classList.toggle("in-call", on);
      host.rerender();
    }

    function closeScreen() {
      showScreen(false);
      const cur = hook.current;
      if (cur && cur.phase === "over") hook.current = null;
      tick();
    }

    function renderTimer() {
      const cur = hook.current;
      const timer = $("call-timer");
      // Over: the summary shows the relay's own duration instead.
      if (!cur || cur.connectedAt === null || cur.phase === "over") { timer.textContent = ""; return; }
      const secs = Math.floor((performance.now() - cur.connectedAt) / 1000);
      timer.textContent = clock(secs);
      timer.dataset.seconds = String(secs);
      if (cur.notice) {
        const left = Math.max(0, cur.notice.remaining - Math.floor((performance.now() - cur.notice.at) / 1000));
        $("call-notice").textContent = left >= 60
          ? t("callEndingMinutes", { n: Math.ceil(left / 60) }) : t("callEndingSeconds", { n: left });
      }
    }

    function renderScreen() {
      const cur = hook.current;
      const screen = $("call");
      if (!cur) return;
      const info = infos.get(cur.id) || null;
      const over = cur.phase === "over";
      screen.dataset.state = over ? "over" : (info ? info.state : "joining");
      screen.classList.toggle("audio-only", cur.audioOnly);
      screen.setAttribute("aria-label", t(cur.audioOnly ? "callScreenAudio" : "callScreen"));
      $("call-name").textContent = cur.agentName;
      $("call-avatar").textContent = Array.from(String(cur.agentName || "?"))[0] || "?";
      $("call-voice").hidden = !cur.audioOnly && hook.frames > 0;
      let status;
      if (over) status = t(cur.finalState === "failed" ? "callFailed" : "call_ended");
      else if (info && info.state === "connected") {
        status = cur.pc && cur.pc.connectionState === "disconnected" ? t("callUnstable") : t("callConnected");
      } else status = t("callConnecting");
      $("call-status").textContent = status;
      const notice = $("call-notice");
      notice.hidden = over || !cur.notice;
      const note = $("call-camera-note");
      note.textContent = over ? "" : cur.cameraNote || (!cur.cam && !cur.audioOnly ? t("callCameraOffHint") : "");
      note.hidden = !note.textContent;
      $("call-local").hidden = !cur.cam;

      const mic = $("call-mic");
      const muted = cur.mic ? !cur.mic.enabled : true;
      mic.textContent = muted && cur.mic ? t("callUnmute") : t("callMute");
      mic.setAttribute("aria-pressed", String(muted && Boolean(cur.mic)));
      mic.disabled = over || !cur.mic;
      const cam = $("call-camera");
      cam.textContent = cur.cam ? t("callCameraOff") : t("callCameraOn");
      cam.setAttribute("aria-pressed", String(Boolean(cur.cam)));
      cam.disabled = over || cur.busy || !cur.videoSender;
      cam.hidden = cur.audioOnly;
      const flip = $("call-flip");
      flip.textContent = cur.facing === "environment" ? t("callFront") : t("callRear");
      flip.hidden = !cur.cam;
      flip.disabled = over || cur.busy;
      $("call-hangup").disabled = over;
      $("call-controls").hidden = over;

      const complainTop = $("call-complain");
      complainTop.textContent = info && info.complaint ? t("complained") : t("complain");
      complainTop.disabled = Boolean(info && info.complaint);

      const summary = $("call-summary");
      summary.hidden = !over;
      if (over) {
        $("call-summary-title").textContent = cur.finalState === "failed" ? t("callFailed")
          : cur.finalState === "cancelled" ? t("call_cancelled") : t("call_ended");
        const duration = info && typeof info.duration_s === "number" ? info.duration_s : null;
        const reasonKey = info && Object.hasOwn(END_REASONS, info.end_reason) ? END_REASONS[info.end_reason] : null;
        const reason = reasonKey ? t(reasonKey) : "";
        $("call-duration").textContent = duration !== null ? t("callDuration", { t: clock(duration) }) : "";
        $("call-end-reason").textContent = reason;
        $("call-end-reason").hidden = !reason;
        const complain = $("summary-complain");
        complain.textContent = info && info.complaint ? t("complained") : t("complain");
        complain.disabled = Boolean(info && info.complaint);
      }
      renderTimer();
    }

    // Leaving the page ends the call it carries (the relay would otherwise wait 15 s for the buyer).
    function onPageHide() {
      if (hook.current && hook.current.phase !== "over") hangUp("ended");
    }

    function wire() {
      $("call-hangup").addEventListener("click", () => hangUp("ended"));
      $("call-camera").addEventListener("click", toggleCamera);
      $("call-flip").addEventListener("click", flipCamera);
      $("call-mic").addEventListener("click", toggleMic);
      $("call-complain").addEventListener("click", () => { if (hook.current) openComplaint(hook.current.id); });
      $("summary-complain").addEventListener("click", () => { if (hook.current) openComplaint(hook.current.id); });
      $("summary-close").addEventListener("click", closeScreen);
      $("call-unblock").addEventListener("click", () => {
        const id = Number($("call-blocked").dataset.conversationId);
        if (id) confirmUnblock(id);
      });
      window.addEventListener("pagehide", onPageHide);
      $("sheet").addEventListener("click", (event) => { if (event.target === $("sheet")) closeSheet(); });
      document.addEventListener("keydown", (event) => { if (event.key === "Escape" && !$("sheet").hidden) closeSheet(); });
    }

    wire();
    return {
      renderCard, noteMessages, onCall, onSignal, onNotice, onSynced, renderScreen, tick,
      hangUp, // tests and app.js
    };
  }

  window.kefuCall = { create };
})();
