"""Who may supervise: an agent is refused every supervisor-only frame and route, a supervisor of
another shop is refused everything of this shop, and in each case nothing changed in the database."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import msgspec
import pytest

from app.client import KefuClient, login
from app.errors import RelayError
from tests.conftest import DEMO_PASSWORD, MAIN_SHOP, OTHER_SHOP, RunningRelay
from tests.relay.helpers import api_get, next_of, state
from wire import figures as w
from wire import frames as f
from wire import staff as s

AGENT1, AGENT2 = "1", "2"
API_ROUTES = ["/api/supervisor/figures", "/api/supervisor/drill?figure=rounds", "/api/supervisor/complaints"]

async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0.01)


@dataclass
class Scene:
    """Shop A (jiadian): agent1 holds a chat whose buyer complained about a call; A's templates."""

    agent: KefuClient
    buyer: KefuClient
    conversation_id: int
    call_id: str
    shop_template: int
    shop_templates: list[int]


@pytest.fixture
async def scene(clients: Any) -> Scene:
    agent = await clients("agent1")
    buyer = await clients(buyer="b-jiadian-0051")
    conv = (await buyer.open_conversation(MAIN_SHOP)).conversation_id
    await buyer.send_text(conv, "洗碗机能装在水槽下面吗？")
    await next_of(agent, f.Assignment)
    await agent.send_text(conv, "可以的，我给您视频演示一下")
    invited = await agent.call(f.InviteCall, conversation_id=conv, reason="演示安装")
    assert isinstance(invited, f.CallUpdate)
    call_id = invited.call.call_id
    await buyer.call(f.AnswerCall, call_id=call_id, decision="accept")
    await buyer.call(f.Complain, call_id=call_id, reason="sales_pressure", text="一直推销")
    await buyer.call(f.HangUp, call_id=call_id)
    listed = await agent.call(f.ListTemplates)
    assert isinstance(listed, f.TemplateList)
    shop_templates = [t.template_id for t in listed.templates if t.scope == "shop"]
    await settle()
    return Scene(agent, buyer, conv, call_id, shop_templates[0], shop_templates)


def draft(scope: str = "shop") -> f.TemplateDraft:
    return f.TemplateDraft(scope=scope, group="售后", title="改过的标题", body="被改过的内容")  # type: ignore[arg-type]


# (frame, fields from the scene) for every frame only a supervisor of the shop may send
SUPERVISOR_FRAMES: list[tuple[str, type[Any], Any]] = [
    ("whisper", s.AddNote, lambda sc: {"conversation_id": sc.conversation_id, "client_msg_id": "w1",
                                       "text": "先别退款", "kind": "whisper"}),
    ("take_over", s.TakeOver, lambda sc: {"conversation_id": sc.conversation_id}),
    ("template_order_shop", s.OrderTemplates, lambda sc: {"scope": "shop", "template_ids": sc.shop_templates[::-1]}),
    ("complaint_handle", s.HandleComplaint, lambda sc: {"call_id": sc.call_id, "note": "已处理"}),
    ("set_cap_other", f.SetCap, lambda sc: {"agent_id": AGENT2, "cap": 1}),
    ("set_cap_own", f.SetCap, lambda sc: {"agent_id": AGENT1, "cap": 50}),
    ("shop_settings", f.ShopSettings, lambda sc: {"mode": "manual", "opens": "06:00"}),
    ("call_settings", f.CallSettings, lambda sc: {"enabled": False, "invites_per_day": 20}),
    ("template_save_new_shop", f.SaveTemplate, lambda sc: {"template": draft()}),
    ("template_save_edit_shop", f.SaveTemplate, lambda sc: {"template": draft(), "template_id": sc.shop_template}),
    ("template_delete_shop", f.DeleteTemplate, lambda sc: {"template_id": sc.shop_template}),
    ("reassign", f.Transfer, lambda sc: {"conversation_id": sc.conversation_id, "to_agent": AGENT2}),
    ("to_queue_others", f.Transfer, lambda sc: {"conversation_id": sc.conversation_id}),
    ("resolve_others", f.Resolve, lambda sc: {"conversation_id": sc.conversation_id}),
]


@pytest.mark.parametrize(("what", "frame_type", "fields"), SUPERVISOR_FRAMES, ids=[c[0] for c in SUPERVISOR_FRAMES])
async def test_an_agent_is_refused_every_supervisor_frame_and_nothing_changes(
        clients: Any, relay: RunningRelay, scene: Scene, what: str, frame_type: type[Any], fields: Any) -> None:
    # agent2 for the chat agent1 holds (reassign, resolve, take over someone else's chat); agent1 for the rest
    agent = await clients("agent2") if frame_type in (f.Transfer, f.Resolve, s.TakeOver) else scene.agent
    await settle()
    before = state(relay)
    with pytest.raises(RelayError) as err:
        await agent.call(frame_type, **fields(scene))
    assert err.value.code == "forbidden", what
    await settle()
    assert state(relay) == before


@pytest.mark.parametrize(("what", "frame_type", "fields"), SUPERVISOR_FRAMES, ids=[c[0] for c in SUPERVISOR_FRAMES])
async def test_the_shops_own_supervisor_may_send_them(
        clients: Any, relay: RunningRelay, scene: Scene, what: str, frame_type: type[Any], fields: Any) -> None:
    """The other side of the matrix: the refusals above are about the role, not broken frames."""
    supervisor = await clients("super1")
    await clients("agent2")  # online, so a chat can be reassigned to them
    await settle()
    before = state(relay)
    await supervisor.call(frame_type, **fields(scene))
    await settle()
    assert state(relay) != before, what


# (frame, fields, the code) a supervisor of shop B sends naming shop A's conversation, call, template, agent
OTHER_SHOP_FRAMES: list[tuple[str, type[Any], Any, str]] = [
    ("note", s.AddNote, lambda sc: {"conversation_id": sc.conversation_id, "client_msg_id": "n1", "text": "看看"},
     "forbidden"),
    *[(w_, t, fl, "forbidden") for w_, t, fl in SUPERVISOR_FRAMES[:2]],
    ("notes", s.ListNotes, lambda sc: {"conversation_id": sc.conversation_id}, "forbidden"),
    ("template_order_shop", s.OrderTemplates, lambda sc: {"scope": "shop", "template_ids": sc.shop_templates[::-1]},
     "not_found"),
    ("complaint_handle", s.HandleComplaint, lambda sc: {"call_id": sc.call_id, "note": "已处理"}, "not_found"),
    ("set_cap", f.SetCap, lambda sc: {"agent_id": AGENT1, "cap": 1}, "not_found"),
    ("template_save_edit", f.SaveTemplate, lambda sc: {"template": draft(), "template_id": sc.shop_template},
     "not_found"),
    ("template_delete", f.DeleteTemplate, lambda sc: {"template_id": sc.shop_template}, "not_found"),
    ("template_render", f.RenderTemplate, lambda sc: {"template_id": sc.shop_template,
                                                      "conversation_id": sc.conversation_id}, "not_found"),
    *[(w_, t, fl, "forbidden") for w_, t, fl in SUPERVISOR_FRAMES[-3:]],
    ("send", f.Send, lambda sc: {"conversation_id": sc.conversation_id, "client_msg_id": "x1", "text": "你好"},
     "forbidden"),
    ("history", f.History, lambda sc: {"conversation_id": sc.conversation_id}, "forbidden"),
    ("read", f.Read, lambda sc: {"conversation_id": sc.conversation_id, "seq": 1}, "forbidden"),
    ("call_check", f.CheckCall, lambda sc: {"conversation_id": sc.conversation_id}, "forbidden"),
]


@pytest.mark.parametrize(("what", "frame_type", "fields", "code"), OTHER_SHOP_FRAMES,
                         ids=[c[0] for c in OTHER_SHOP_FRAMES])
async def test_another_shops_supervisor_is_refused_this_shops_things_and_nothing_changes(
        clients: Any, relay: RunningRelay, scene: Scene, what: str, frame_type: type[Any], fields: Any,
        code: str) -> None:
    tea_boss = await clients("cha_boss", shop=OTHER_SHOP)
    await settle()
    before = state(relay)
    with pytest.raises(RelayError) as err:
        await tea_boss.call(frame_type, **fields(scene))
    assert err.value.code == code, what
    await settle()
    assert state(relay) == before


@pytest.mark.parametrize(("frame_type", "fields"), [
    (f.ShopSettings, {"mode": "manual", "opens": "06:00"}),
    (f.CallSettings, {"enabled": False}),
    (f.SetCap, {"agent_id": "4", "cap": 2}),
])
async def test_another_shops_supervisor_changes_only_their_own_shop(
        clients: Any, relay: RunningRelay, scene: Scene, frame_type: type[Any], fields: dict[str, Any]) -> None:
    supervisor = await clients("super1")
    tea_boss = await clients("cha_boss", shop=OTHER_SHOP)
    await settle()
    before = state(relay)
    await tea_boss.call(frame_type, **fields)
    assert (await next_of(tea_boss, s.ShopConfig)).changed_by == "林老板"
    await settle()
    after = state(relay)
    for name, ours in (("shop_settings", {1}), ("call_settings", {1}), ("caps", {1, 2, 3})):
        assert [r for r in after[name] if r[0] in ours] == [r for r in before[name] if r[0] in ours], name
    assert {r[1] for r in after["audit"]} == {2}  # the audit is the other shop's only
    for who in (scene.agent, supervisor):
        assert not [fr for fr in _drain(who) if isinstance(fr, s.ShopConfig)]


def _drain(client: KefuClient) -> list[Any]:
    frames = []
    while not client.events.empty():
        frames.append(client.events.get_nowait())
    return frames


# --- the supervisors' HTTP API ----------------------------------------------------------------------


def refusal(status: int, body: bytes, expected: int, code: str) -> None:
    assert status == expected, body
    error = msgspec.json.decode(body, type=f.HttpError)
    assert error.code == code
    assert b"total" not in body and b"complaints" not in body and b"rows" not in body


@pytest.mark.parametrize("path", API_ROUTES)
async def test_an_agent_token_is_refused_every_supervisor_route(relay: RunningRelay, scene: Scene, path: str) -> None:
    token = (await login(relay.url, MAIN_SHOP, "agent1", DEMO_PASSWORD)).token
    for query in ("", f"{'&' if '?' in path else '?'}shop={MAIN_SHOP}"):
        status, body = await api_get(relay, path + query, token)
        refusal(status, body, 403, "forbidden")


@pytest.mark.parametrize("path", API_ROUTES)
@pytest.mark.parametrize("header", [None, "Bearer ", "Bearer not-a-token", "Basic c3VwZXIxOmtlZnUtZGVtbw=="])
async def test_no_or_a_bad_token_is_unauthorized(relay: RunningRelay, path: str, header: str | None) -> None:
    status, body = await api_get(relay, path, None, header=header)
    refusal(status, body, 401, "unauthorized")


async def test_a_buyer_token_is_refused(relay: RunningRelay, clients: Any) -> None:
    buyer = await clients(buyer="b-jiadian-0052", connect=False)
    for path in API_ROUTES:
        status, body = await api_get(relay, path, buyer.token)
        refusal(status, body, 403, "forbidden")


@pytest.mark.parametrize("path", API_ROUTES)
async def test_another_shops_supervisor_is_refused_this_shop_by_name(
        relay: RunningRelay, scene: Scene, path: str) -> None:
    token = (await login(relay.url, OTHER_SHOP, "cha_boss", DEMO_PASSWORD)).token
    status, body = await api_get(relay, f"{path}{'&' if '?' in path else '?'}shop={MAIN_SHOP}", token)
    refusal(status, body, 403, "forbidden")


async def test_another_shops_figures_never_include_this_shops_data(
        relay: RunningRelay, clients: Any, scene: Scene) -> None:
    tea_boss = await clients("cha_boss", shop=OTHER_SHOP)
    token = (await login(relay.url, OTHER_SHOP, "cha_boss", DEMO_PASSWORD)).token
    own = (await login(relay.url, MAIN_SHOP, "super1", DEMO_PASSWORD)).token
    status, body = await api_get(relay, "/api/supervisor/figures?by=agent", own)
    assert status == 200
    ours = msgspec.json.decode(body, type=w.FiguresReport)
    assert ours.total.sessions == 1 and ours.total.complaints == 1  # the scene is in shop A's figures
    status, body = await api_get(relay, f"/api/supervisor/figures?by=agent&shop={OTHER_SHOP}", token)
    assert status == 200
    theirs = msgspec.json.decode(body, type=w.FiguresReport)
    assert theirs.shop == OTHER_SHOP and theirs.total == w.Figures()
    assert {a.agent_id for a in theirs.agents} <= {"4", "5"}
    status, body = await api_get(relay, "/api/supervisor/complaints", token)
    assert status == 200 and msgspec.json.decode(body, type=w.ComplaintList).complaints == []
    for figure in ("rounds", "first_responses", "calls", "complaints"):
        status, body = await api_get(relay, f"/api/supervisor/drill?figure={figure}", token)
        assert status == 200 and msgspec.json.decode(body, type=w.DrillRows).rows == [], figure
    for name in ("小美", "b-jiadian", scene.call_id):
        assert name.encode() not in body
    await asyncio.sleep(1.2)  # live figures are pushed at most once a second
    for frame in _drain(tea_boss):
        assert not isinstance(frame, s.ComplaintUpdate | s.StaffNote | f.Message | f.Assignment)
        if isinstance(frame, s.FiguresUpdate):
            assert frame.today.shop == OTHER_SHOP and frame.today.total == w.Figures()
            assert frame.queue.due == [] and frame.queue.active_chats == 0
