"""The access matrix: every frame type and every HTTP endpoint, for every kind of caller, allowed or
refused with its code, in one table each (`FRAMES`, `ENDPOINTS`). A frame type or a route that the
tables do not list fails `test_the_tables_list_every_frame_type_and_route`, so a new one cannot slip
in untested.

Callers: the conversation's buyer, another buyer, the agent who holds the chat, a colleague (another
agent of the shop), the shop's supervisor, an agent and a supervisor of another shop; and, for HTTP,
no token, an expired token and a revoked one (the three dead credentials never get a socket:
`test_dead_credentials_get_no_socket`). Each frame row runs in its own scene: the refusals first, and
the database must not have changed after them; then each allowed caller, in a fresh scene when the
row `spends` what it acts on (a resolve, a take-over, an answer)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest

from app.client import KefuClient, buyer_session, login, logout
from app.errors import RelayError
from relay.clock import FakeClock
from relay.server import create_app
from tests.conftest import DEMO_PASSWORD, MAIN_SHOP, OTHER_SHOP, RunningRelay, client_factory, start_relay
from tests.relay.helpers import db_one, next_of, state
from wire import frames as f
from wire import staff as s

CALLERS = ("buyer", "other_buyer", "agent", "colleague", "supervisor", "other_agent", "other_supervisor")
DEAD = ("no_token", "expired", "revoked")
LOGINS = {"agent": (MAIN_SHOP, "agent1"), "colleague": (MAIN_SHOP, "agent2"), "supervisor": (MAIN_SHOP, "super1"),
          "other_agent": (OTHER_SHOP, "cha1"), "other_supervisor": (OTHER_SHOP, "cha_boss")}
OTHER_BUYER = "b-jiadian-0052"
AGENT1, AGENT2 = "1", "2"
STAGES = ("chat", "ringing", "in_call", "complained", "offered", "resolved")


@dataclass
class Scene:
    """Shop A: the buyer's chat that agent1 holds, moved on to `stage`; everyone connected."""

    who: dict[str, KefuClient]
    conversation_id: int
    order_no: str
    shop_template: int
    personal_template: int
    call_id: str = ""
    case_id: str = ""
    session_id: int = 0


async def build_scene(make: Callable[..., Any], relay: RunningRelay, stage: str, n: int = 0) -> Scene:
    """The `n`th scene of a test has a buyer of its own."""
    buyer_id, order_no = paid_order(relay, n)
    who: dict[str, KefuClient] = {name: await make(username, shop=shop) for name, (shop, username) in LOGINS.items()}
    who["buyer"] = await make(buyer=buyer_id)
    who["other_buyer"] = await make(buyer=OTHER_BUYER)
    agent, buyer = who["agent"], who["buyer"]
    conv = (await buyer.open_conversation(MAIN_SHOP)).conversation_id
    await buyer.send_text(conv, "洗碗机能装在水槽下面吗？")
    await next_of(agent, f.Assignment)
    await agent.send_text(conv, "可以的")
    listed = await agent.call(f.ListTemplates)
    assert isinstance(listed, f.TemplateList)
    shop_template = next(t.template_id for t in listed.templates if t.scope == "shop")
    saved = await agent.call(f.SaveTemplate, template=f.TemplateDraft(scope="personal", group="常用", title="问候",
                                                                       body="您好"))
    assert isinstance(saved, f.TemplateSaved)
    scene = Scene(who, conv, order_no, shop_template, saved.template.template_id)
    if stage in ("ringing", "in_call", "complained"):
        invited = await agent.call(f.InviteCall, conversation_id=conv, reason="演示安装")
        assert isinstance(invited, f.CallUpdate)
        scene.call_id = invited.call.call_id
    if stage in ("in_call", "complained"):
        await buyer.call(f.AnswerCall, call_id=scene.call_id, decision="accept")
    if stage == "complained":
        await buyer.call(f.Complain, call_id=scene.call_id, reason="sales_pressure", text="一直推销")
        await buyer.call(f.HangUp, call_id=scene.call_id)
    if stage == "offered":
        await agent.call(f.SendCard, conversation_id=conv, client_msg_id=f"offer-{conv}",
                         card=f.CardRequest(kind="offer", order_no=order_no, offer="refund_only", amount_cents=100))
        card = (await next_of(buyer, f.Message, kind="card")).card
        assert isinstance(card, f.OfferCard)
        scene.case_id = card.case_id
    if stage == "resolved":
        await agent.call(f.Resolve, conversation_id=conv)
        resolved = await next_of(buyer, f.Message, event="resolved")
        assert resolved.params is not None
        scene.session_id = int(resolved.params["session_id"])
    await settle()
    return scene


def paid_order(relay: RunningRelay, n: int = 0) -> tuple[str, str]:
    """The `n`th buyer of shop A with a delivered order, and that order."""
    row = db_one(relay, "SELECT buyer_id, MIN(order_no) FROM orders WHERE shop_id = 1 AND status = 'delivered'"
                 " AND buyer_id != ? GROUP BY buyer_id ORDER BY buyer_id LIMIT 1 OFFSET ?", (OTHER_BUYER, n))
    assert row is not None
    return row[0], row[1]


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0.01)


def draft(scope: str) -> f.TemplateDraft:
    return f.TemplateDraft(scope=scope, group="售后", title="新模板", body="您好，{buyer}")  # type: ignore[arg-type]


def product() -> f.CardRequest:
    return f.CardRequest(kind="product", sku="JD-HOOD-01")


@dataclass(frozen=True)
class Row:
    """One line of the frame table: a frame (fields from the scene) at a stage, and each caller's answer
    ("ok", or the error code)."""

    name: str
    frame: type[Any]
    fields: Callable[[Scene], dict[str, Any]]
    answers: dict[str, str]
    stage: str = "chat"
    spends: bool = False


def answers(default: str, **exceptions: str) -> dict[str, str]:
    return {caller: exceptions.get(caller, default) for caller in CALLERS}


C = "conversation_id"
FRAMES: list[Row] = [
    Row("sync", f.Sync, lambda sc: {}, answers("ok")),
    Row("open", f.Open, lambda sc: {"shop": MAIN_SHOP}, answers("forbidden", buyer="ok", other_buyer="ok"),
        spends=True),
    Row("send", f.Send, lambda sc: {C: sc.conversation_id, "client_msg_id": "m1", "text": "你好"},
        answers("forbidden", buyer="ok", agent="ok", supervisor="ok")),  # a supervisor may write into any chat
    Row("history", f.History, lambda sc: {C: sc.conversation_id},
        answers("forbidden", buyer="ok", agent="ok", colleague="ok", supervisor="ok")),
    Row("read", f.Read, lambda sc: {C: sc.conversation_id, "seq": 1},
        answers("forbidden", buyer="ok", agent="ok", supervisor="ok")),
    Row("status", f.SetStatus, lambda sc: {"status": "away"},  # a supervisor takes no chats from the queue
        answers("ok", buyer="forbidden", other_buyer="forbidden", supervisor="forbidden", other_supervisor="forbidden"),
        spends=True),
    Row("claim", f.Claim, lambda sc: {C: sc.conversation_id}, answers("forbidden")),  # it is assigned already
    Row("transfer_to_queue", f.Transfer, lambda sc: {C: sc.conversation_id},
        answers("forbidden", agent="ok", supervisor="ok"), spends=True),
    Row("transfer_to_colleague", f.Transfer, lambda sc: {C: sc.conversation_id, "to_agent": AGENT2},
        answers("forbidden", agent="ok", supervisor="ok"), spends=True),
    Row("resolve", f.Resolve, lambda sc: {C: sc.conversation_id},
        answers("forbidden", agent="ok", supervisor="ok"), spends=True),
    Row("set_cap", f.SetCap, lambda sc: {"agent_id": AGENT2, "cap": 3},
        answers("forbidden", supervisor="ok", other_supervisor="not_found")),
    Row("shop_settings", f.ShopSettings, lambda sc: {"mode": "manual"},
        answers("forbidden", supervisor="ok", other_supervisor="ok"), spends=True),
    Row("templates", f.ListTemplates, lambda sc: {}, answers("ok", buyer="forbidden", other_buyer="forbidden")),
    Row("template_save_shop", f.SaveTemplate, lambda sc: {"template": draft("shop")},
        answers("forbidden", supervisor="ok", other_supervisor="ok")),
    Row("template_edit_shop", f.SaveTemplate, lambda sc: {"template": draft("shop"), "template_id": sc.shop_template},
        answers("forbidden", supervisor="ok", other_supervisor="not_found")),
    Row("template_save_personal", f.SaveTemplate, lambda sc: {"template": draft("personal")},
        answers("ok", buyer="forbidden", other_buyer="forbidden")),
    Row("template_edit_personal", f.SaveTemplate,
        lambda sc: {"template": draft("personal"), "template_id": sc.personal_template},
        answers("not_found", buyer="forbidden", other_buyer="forbidden", agent="ok")),
    Row("template_delete_shop", f.DeleteTemplate, lambda sc: {"template_id": sc.shop_template},
        answers("forbidden", supervisor="ok", other_agent="not_found", other_supervisor="not_found"), spends=True),
    Row("template_delete_personal", f.DeleteTemplate, lambda sc: {"template_id": sc.personal_template},
        answers("not_found", buyer="forbidden", other_buyer="forbidden", agent="ok"), spends=True),
    Row("template_render", f.RenderTemplate, lambda sc: {"template_id": sc.shop_template, C: sc.conversation_id},
        answers("forbidden", agent="ok", colleague="ok", supervisor="ok", other_agent="not_found",
                other_supervisor="not_found")),
    Row("context", f.GetContext, lambda sc: {C: sc.conversation_id},
        answers("forbidden", agent="ok", colleague="ok", supervisor="ok")),
    Row("send_card", f.SendCard, lambda sc: {C: sc.conversation_id, "client_msg_id": "c1", "card": product()},
        answers("forbidden", agent="ok", supervisor="ok")),
    Row("offer_reply", f.AnswerOffer, lambda sc: {C: sc.conversation_id, "case_id": sc.case_id, "accept": True},
        answers("forbidden", buyer="ok"), stage="offered"),
    Row("call_check", f.CheckCall, lambda sc: {C: sc.conversation_id}, answers("forbidden", agent="ok")),
    Row("call_invite", f.InviteCall, lambda sc: {C: sc.conversation_id, "reason": "演示"},
        answers("forbidden", agent="ok"), spends=True),
    Row("call_answer", f.AnswerCall, lambda sc: {"call_id": sc.call_id, "decision": "accept"},
        answers("forbidden", buyer="ok"), stage="ringing", spends=True),
    Row("call_signal", f.SignalCall,
        lambda sc: {"call_id": sc.call_id, "kind": "candidate", "candidate": f.IceCandidate(candidate="")},
        answers("forbidden", buyer="ok", agent="ok"), stage="in_call"),
    Row("call_media", f.CallMedia, lambda sc: {"call_id": sc.call_id},
        answers("forbidden", buyer="ok", agent="ok"), stage="in_call"),
    Row("call_hangup", f.HangUp, lambda sc: {"call_id": sc.call_id},
        answers("forbidden", buyer="ok", agent="ok"), stage="in_call", spends=True),
    Row("call_complaint", f.Complain, lambda sc: {"call_id": sc.call_id, "reason": "sales_pressure"},
        answers("forbidden", buyer="ok", other_buyer="not_found"), stage="in_call", spends=True),
    Row("call_settings", f.CallSettings, lambda sc: {"invites_per_day": 20},
        answers("forbidden", supervisor="ok", other_supervisor="ok")),
    Row("ice_servers", f.GetIceServers, lambda sc: {}, answers("ok")),
    Row("call_blocks", f.GetCallBlocks, lambda sc: {}, answers("forbidden", buyer="ok", other_buyer="ok")),
    Row("call_unblock", f.UnblockCalls, lambda sc: {C: sc.conversation_id}, answers("forbidden", buyer="ok")),
    Row("note", s.AddNote, lambda sc: {C: sc.conversation_id, "client_msg_id": "n1", "text": "老顾客"},
        answers("forbidden", agent="ok", colleague="ok", supervisor="ok")),
    Row("whisper", s.AddNote,
        lambda sc: {C: sc.conversation_id, "client_msg_id": "w1", "text": "先别退款", "kind": "whisper"},
        answers("forbidden", supervisor="ok")),
    Row("notes", s.ListNotes, lambda sc: {C: sc.conversation_id},
        answers("forbidden", agent="ok", colleague="ok", supervisor="ok")),
    Row("take_over", s.TakeOver, lambda sc: {C: sc.conversation_id}, answers("forbidden", supervisor="ok"),
        spends=True),
    Row("shop_config", s.GetShopConfig, lambda sc: {}, answers("ok", buyer="forbidden", other_buyer="forbidden")),
    Row("template_order_shop", s.OrderTemplates,
        lambda sc: {"scope": "shop", "template_ids": [sc.shop_template]},
        answers("forbidden", supervisor="ok", other_supervisor="not_found")),
    Row("complaint_handle", s.HandleComplaint, lambda sc: {"call_id": sc.call_id, "note": "已回访"},
        answers("forbidden", supervisor="ok", other_supervisor="not_found"), stage="complained"),
    Row("rate", s.Rate, lambda sc: {C: sc.conversation_id, "session_id": sc.session_id, "stars": 5},
        answers("forbidden", buyer="ok"), stage="resolved", spends=True),
]

# (method, route, a concrete path) -> each caller's HTTP status; "101" is an accepted WebSocket.
PUBLIC = {caller: "200" for caller in (*DEAD, *CALLERS)}
SUPERVISOR_ONLY = {"no_token": "401", "expired": "401", "revoked": "401", **{c: "403" for c in CALLERS},
                   "supervisor": "200", "other_supervisor": "200"}
ENDPOINTS: dict[tuple[str, str], tuple[str, dict[str, str]]] = {
    ("GET", "/"): ("/", PUBLIC),
    ("GET", "/ws"): ("/ws?v=1", {**{c: "101" for c in CALLERS}, **{d: "401" for d in DEAD}}),
    ("POST", "/api/login"): ("/api/login", PUBLIC),
    # an expired token can still be logged out (it is revoked all the same); a buyer's session is not a token
    ("POST", "/api/logout"): ("/api/logout", {**{c: "204" for c in CALLERS}, "no_token": "401", "expired": "204",
                                              "revoked": "401", "buyer": "401", "other_buyer": "401"}),
    # staff get past the checks to the body (none sent: 400); a buyer has no password here
    ("POST", "/api/password"): ("/api/password", {**{c: "400" for c in CALLERS}, **{d: "401" for d in DEAD},
                                                  "buyer": "403", "other_buyer": "403"}),
    ("GET", "/api/session"): ("/api/session", {**{c: "200" for c in CALLERS}, **{d: "401" for d in DEAD}}),
    ("POST", "/api/buyer/session"): ("/api/buyer/session", PUBLIC),
    ("GET", "/api/shops"): ("/api/shops", PUBLIC),
    ("GET", "/healthz"): ("/healthz", PUBLIC),
    ("GET", "/readyz"): ("/readyz", PUBLIC),
    ("GET", "/metrics"): ("/metrics", PUBLIC),  # to loopback only, or to --metrics-token-file's bearer (test_cli)
    ("GET", "/api/supervisor/figures"): ("/api/supervisor/figures", SUPERVISOR_ONLY),
    ("GET", "/api/supervisor/drill"): ("/api/supervisor/drill?figure=rounds", SUPERVISOR_ONLY),
    ("GET", "/api/supervisor/complaints"): ("/api/supervisor/complaints", SUPERVISOR_ONLY),
    ("GET", "/static/{filename}"): ("/static/app.js", PUBLIC),
}


def test_the_tables_list_every_frame_type_and_route(relay: RunningRelay) -> None:
    listed = {row.frame for row in FRAMES}
    assert set(f.ClientFrame.__args__) - listed == set()  # type: ignore[attr-defined]
    routes = set()
    for route in create_app(relay.config).router.routes():
        if route.method == "HEAD":
            continue  # aiohttp adds HEAD to every GET
        info = route.resource.get_info() if route.resource is not None else {}
        path = info.get("path") or info.get("formatter") or (info["prefix"] + "/{filename}")
        routes.add((route.method, path))
    assert routes == set(ENDPOINTS)
    for row in FRAMES:
        assert set(row.answers) == set(CALLERS), row.name
    for _, (_, statuses) in ENDPOINTS.items():
        assert set(statuses) == {*DEAD, *CALLERS}


@pytest.fixture
async def scenes(relay: RunningRelay) -> AsyncIterator[Callable[[str], Any]]:
    """`await scenes(stage)`: a fresh scene on this test's relay (a new buyer chat; the accounts anew)."""
    made: list[Scene] = []
    async with contextlib.AsyncExitStack() as stack:
        async def scene(stage: str) -> Scene:
            if made:  # the last scene ends: its call, its chat (agent1 stays under their cap), the agents back online
                last = made[-1]
                with contextlib.suppress(RelayError):
                    if last.call_id:
                        await last.who["agent"].call(f.HangUp, call_id=last.call_id)
                with contextlib.suppress(RelayError):
                    await last.who["supervisor"].call(f.Resolve, conversation_id=last.conversation_id)
                for agent in ("agent", "colleague"):
                    await last.who[agent].call(f.SetStatus, status="online")
                await last.who["supervisor"].call(f.ShopSettings, mode="auto")
            make = await stack.enter_async_context(client_factory())
            made.append(await build_scene(lambda *a, **k: make(relay.url, *a, **k), relay, stage, len(made)))
            return made[-1]
        yield scene


async def answer(client: KefuClient, row: Row, scene: Scene) -> str:
    try:
        reply = await client.call(row.frame, **row.fields(scene))
    except RelayError as err:
        return str(err.code)
    assert not isinstance(reply, f.Error)
    return "ok"


@pytest.mark.parametrize("row", FRAMES, ids=[row.name for row in FRAMES])
async def test_each_frame_answers_each_caller_as_the_table_says(
        relay: RunningRelay, scenes: Callable[[str], Any], row: Row) -> None:
    got: dict[str, str] = {}
    scene = await scenes(row.stage)
    before = state(relay)
    refused = [c for c in CALLERS if row.answers[c] != "ok"]
    for caller in refused:
        got[caller] = await answer(scene.who[caller], row, scene)
    await settle()
    assert state(relay) == before, f"{row.name}: a refused caller changed the database"
    for n, caller in enumerate(c for c in CALLERS if row.answers[c] == "ok"):
        if row.spends and n > 0:
            scene = await scenes(row.stage)
        got[caller] = await answer(scene.who[caller], row, scene)
    wrong = [f"{caller}: {code}, the table says {row.answers[caller]}" for caller, code in got.items()
             if code != row.answers[caller]]
    assert not wrong, "\n".join(wrong)


async def statuses(url: str, method: str, path: str, token: str | None) -> str:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with aiohttp.ClientSession() as http:
        if path.startswith("/ws"):
            try:
                async with http.ws_connect(url + path, headers=headers):
                    return "101"
            except aiohttp.WSServerHandshakeError as err:
                return str(err.status)
        body: dict[str, Any] | None = None
        if path == "/api/login":
            body = {"shop": MAIN_SHOP, "username": "agent2", "password": DEMO_PASSWORD}
        elif path == "/api/buyer/session":
            body = {"buyer_id": OTHER_BUYER}
        async with http.request(method, url + path, headers=headers, json=body) as resp:
            await resp.read()
            return str(resp.status)


async def test_each_endpoint_answers_each_caller_as_the_table_says(relay_config: Any, fake_clock: FakeClock) -> None:
    runner, relay = await start_relay(relay_config, fake_clock)
    try:
        expired = (await login(relay.url, *LOGINS["agent"], DEMO_PASSWORD)).token
        fake_clock.advance(relay.config.token_ttl_s - 60)
        revoked = (await login(relay.url, *LOGINS["agent"], DEMO_PASSWORD)).token
        await logout(relay.url, revoked)
        tokens: dict[str, str | None] = {"no_token": None, "revoked": revoked}
        tokens |= {name: (await login(relay.url, shop, user, DEMO_PASSWORD)).token
                   for name, (shop, user) in LOGINS.items()}
        buyer_id, _ = paid_order(relay)
        tokens["buyer"] = (await buyer_session(relay.url, buyer_id)).token
        tokens["other_buyer"] = (await buyer_session(relay.url, OTHER_BUYER)).token
        fake_clock.advance(61)
        tokens["expired"] = expired
        got: dict[tuple[str, str], dict[str, str]] = {}
        for (method, route), (path, expected) in sorted(ENDPOINTS.items(), key=lambda e: e[0][1] == "/api/logout"):
            # logout last: it revokes the tokens the other rows use
            got[method, route] = {c: await statuses(relay.url, method, path, tokens[c]) for c in expected}
        wrong = [f"{method} {route} {caller}: {status}, the table says {ENDPOINTS[method, route][1][caller]}"
                 for (method, route), row in got.items() for caller, status in row.items()
                 if status != ENDPOINTS[method, route][1][caller]]
        assert not wrong, "\n".join(wrong)
    finally:
        await runner.cleanup()


async def test_dead_credentials_get_no_socket(relay_config: Any, fake_clock: FakeClock) -> None:
    """Expired and revoked tokens and buyer sessions are refused at the handshake, and a live socket
    whose credentials die is closed: no frame is ever served to them."""
    runner, relay = await start_relay(relay_config, fake_clock)
    try:
        token = (await login(relay.url, *LOGINS["agent"], DEMO_PASSWORD)).token
        buyer = (await buyer_session(relay.url, OTHER_BUYER)).token
        agent, shopper = KefuClient(relay.url, token), KefuClient(relay.url, buyer)
        await agent.connect()
        await shopper.connect()
        fake_clock.advance(max(relay.config.token_ttl_s, relay.config.buyer_session_ttl_s) + 120)
        await asyncio.wait_for(asyncio.gather(agent.closed.wait(), shopper.closed.wait()), 10)
        for client in (agent, shopper):
            with pytest.raises(RelayError) as err:
                await client.connect()
            assert err.value.code == "unauthorized"
    finally:
        await runner.cleanup()
