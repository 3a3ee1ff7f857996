"""The staff's own frames on a real relay: notes and whispers (never to the buyer), the shop's config
with its audit pushed live, template order, complaint handling, the buyer's rating, take-over; and
docs/protocol.md's examples of every one of them."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import msgspec
import pytest

from app.client import KefuClient, login
from app.errors import RelayError
from tests.conftest import DEMO_PASSWORD, MAIN_SHOP, OTHER_SHOP, RunningRelay
from tests.relay.helpers import db_rows, drain, next_of
from wire import figures as w
from wire import frames as f
from wire import staff as s
from wire.codec import FrameError, decode_client, decode_server, encode

AGENT1, AGENT2, SUPER1 = "1", "2", "3"  # account ids in the demo shop
NOTE_TEXT = "买家上次退货很急，语气注意一点"


async def settle() -> None:
    """Let the relay finish the work a frame started (pushes, spawned tasks)."""
    for _ in range(20):
        await asyncio.sleep(0.01)



async def chatting(clients: Any, buyer_id: str = "b-jiadian-0031") -> tuple[KefuClient, KefuClient, int]:
    """A buyer who wrote, and agent1 (the only agent online) who holds the chat."""
    agent = await clients("agent1")
    buyer = await clients(buyer=buyer_id)
    conv = await buyer.open_conversation(MAIN_SHOP)
    await buyer.send_text(conv.conversation_id, "空气净化器滤网多久换一次？")
    await next_of(agent, f.Assignment)
    await settle()
    return agent, buyer, conv.conversation_id


async def add_note(client: KefuClient, conversation_id: int, text: str = NOTE_TEXT, kind: str = "note",
                   client_msg_id: str = "n-1") -> s.StaffNote:
    reply = await client.call(s.AddNote, conversation_id=conversation_id, client_msg_id=client_msg_id,
                              text=text, kind=kind)
    assert isinstance(reply, s.StaffNote)
    return reply


def notes_in(frames: list[Any]) -> list[s.NoteInfo]:
    return [fr.note for fr in frames if isinstance(fr, s.StaffNote)]


def buyer_saw_nothing_of(frames: list[Any], text: str) -> None:
    assert not [fr for fr in frames if isinstance(fr, s.StaffNote | s.NoteList)]
    assert text not in msgspec.json.encode(frames).decode()


# --- notes ------------------------------------------------------------------------------------------


async def test_a_note_is_stored_and_pushed_to_supervisors_and_the_authors_other_connections(
        clients: Any, relay: RunningRelay) -> None:
    agent, buyer, conv = await chatting(clients)
    agent_desk2 = await clients("agent1")
    agent2 = await clients("agent2")
    supervisor = await clients("super1")
    await settle()
    for who in (agent, agent_desk2, agent2, supervisor, buyer):
        drain(who)
    answer = await add_note(agent, conv)
    note = answer.note
    assert answer.id is not None and not answer.duplicate
    assert (note.kind, note.author_id, note.author_name, note.author_role, note.text, note.to_agent_id) == (
        "note", AGENT1, "小美", "agent", NOTE_TEXT, None)
    assert note.conversation_id == conv and note.after_seq == buyer.cursors[conv]
    for who in (agent_desk2, supervisor):
        pushed = await next_of(who, s.StaffNote)
        assert pushed.id is None and pushed.note == note
    await settle()
    assert notes_in(drain(agent2)) == []  # neither the author nor the chat's holder
    assert notes_in(drain(agent)) == []  # the answer was its copy
    buyer_saw_nothing_of(drain(buyer), NOTE_TEXT)
    assert NOTE_TEXT not in [m.text for m in (await buyer.history(conv)).messages]
    assert db_rows(relay, "SELECT conversation_id, kind, author_id, text, client_msg_id FROM staff_notes") == [
        (conv, "note", 1, NOTE_TEXT, "n-1")]
    assert db_rows(relay, "SELECT COUNT(*) FROM messages WHERE text = ?", (NOTE_TEXT,)) == [(0,)]


async def test_a_note_by_another_staff_member_reaches_the_holder_once_and_never_the_buyer(clients: Any) -> None:
    agent, buyer, conv = await chatting(clients)
    agent2 = await clients("agent2")
    supervisor = await clients("super1")
    await settle()
    for who in (agent, agent2, supervisor, buyer):
        drain(who)
    answer = await add_note(agent2, conv, "这个买家我之前接待过，他要发票")
    assert answer.note.author_id == AGENT2
    assert (await next_of(agent, s.StaffNote)).note == answer.note
    assert (await next_of(supervisor, s.StaffNote)).note == answer.note
    await settle()
    assert notes_in(drain(agent)) == [] and notes_in(drain(supervisor)) == []  # once each
    buyer_saw_nothing_of(drain(buyer), "发票")


async def test_a_note_into_a_chat_the_supervisor_took_over_reaches_the_supervisor_once(clients: Any) -> None:
    agent, buyer, conv = await chatting(clients)
    supervisor = await clients("super1")
    await supervisor.call(s.TakeOver, conversation_id=conv)
    await settle()
    for who in (agent, supervisor, buyer):
        drain(who)
    answer = await add_note(agent, conv, "转给主管了，买家要求赔偿")
    assert (await next_of(supervisor, s.StaffNote)).note == answer.note
    await settle()
    assert notes_in(drain(supervisor)) == []  # the holder is a supervisor: one copy, not two
    buyer_saw_nothing_of(drain(buyer), "赔偿")


async def test_a_note_sent_again_with_its_client_msg_id_is_stored_once(clients: Any, relay: RunningRelay) -> None:
    agent, _, conv = await chatting(clients)
    supervisor = await clients("super1")
    await settle()
    first = await add_note(agent, conv, client_msg_id="same")
    await next_of(supervisor, s.StaffNote)
    again = await add_note(agent, conv, client_msg_id="same")
    assert again.duplicate and again.note == first.note
    await settle()
    assert notes_in(drain(supervisor)) == []  # a duplicate is not pushed again
    with pytest.raises(RelayError) as err:
        await add_note(agent, conv, "另一段话", client_msg_id="same")
    assert (err.value.code, err.value.reason) == ("conflict", "id_reused")
    assert db_rows(relay, "SELECT COUNT(*), MAX(text) FROM staff_notes") == [(1, NOTE_TEXT)]


async def test_notes_are_listed_oldest_first_in_pages(clients: Any) -> None:
    agent, _, conv = await chatting(clients)
    supervisor = await clients("super1")
    await add_note(agent, conv, "第一条", client_msg_id="a")
    await add_note(supervisor, conv, "第二条", kind="whisper", client_msg_id="b")
    await add_note(agent, conv, "第三条", client_msg_id="c")
    page = await agent.call(s.ListNotes, conversation_id=conv, limit=2)
    assert isinstance(page, s.NoteList) and page.conversation_id == conv
    assert [n.text for n in page.notes] == ["第一条", "第二条"] and page.has_more
    assert [n.kind for n in page.notes] == ["note", "whisper"]
    rest = await agent.call(s.ListNotes, conversation_id=conv, after_id=page.notes[-1].note_id, limit=2)
    assert isinstance(rest, s.NoteList) and [n.text for n in rest.notes] == ["第三条"] and not rest.has_more
    everything = await supervisor.call(s.ListNotes, conversation_id=conv)
    assert isinstance(everything, s.NoteList) and len(everything.notes) == 3 and not everything.has_more


async def test_a_buyer_can_neither_write_nor_list_notes(clients: Any, relay: RunningRelay) -> None:
    agent, buyer, conv = await chatting(clients)
    await add_note(agent, conv)
    for frame_type, fields in ((s.AddNote, {"client_msg_id": "x", "text": "看看"}), (s.ListNotes, {})):
        with pytest.raises(RelayError) as err:
            await buyer.call(frame_type, conversation_id=conv, **fields)
        assert err.value.code == "forbidden"
    assert db_rows(relay, "SELECT COUNT(*) FROM staff_notes") == [(1,)]


# --- whispers ---------------------------------------------------------------------------------------


async def test_a_supervisors_whisper_goes_to_the_holding_agent_and_never_to_the_buyer(
        clients: Any, relay: RunningRelay) -> None:
    agent, buyer, conv = await chatting(clients)
    agent2 = await clients("agent2")
    supervisor = await clients("super1")
    await settle()
    for who in (agent, agent2, supervisor, buyer):
        drain(who)
    answer = await add_note(supervisor, conv, "先别答应退款，等我确认", kind="whisper")
    assert (answer.note.kind, answer.note.author_role, answer.note.to_agent_id) == ("whisper", "supervisor", AGENT1)
    pushed = await next_of(agent, s.StaffNote)
    assert pushed.note == answer.note
    await settle()
    assert notes_in(drain(agent2)) == []
    buyer_saw_nothing_of(drain(buyer), "退款")
    assert db_rows(relay, "SELECT kind, author_id, to_agent_id FROM staff_notes") == [("whisper", 3, 1)]


async def test_a_whisper_into_a_chat_nobody_holds_is_a_conflict(clients: Any, relay: RunningRelay) -> None:
    supervisor = await clients("super1")
    buyer = await clients(buyer="b-jiadian-0032")
    conv = (await buyer.open_conversation(MAIN_SHOP)).conversation_id
    await buyer.send_text(conv, "有人吗？")  # no agent online: it waits in the queue
    await next_of(supervisor, f.Message, conversation_id=conv)
    await settle()
    with pytest.raises(RelayError) as err:
        await add_note(supervisor, conv, "谁来接一下", kind="whisper")
    assert (err.value.code, err.value.reason) == ("conflict", "unassigned")
    assert db_rows(relay, "SELECT COUNT(*) FROM staff_notes") == [(0,)]
    assert (await add_note(supervisor, conv, "这个买家很急")).note.kind == "note"  # a note needs no holder


# --- the shop's config ------------------------------------------------------------------------------


async def test_shop_config_get_describes_the_shop_and_only_supervisors_see_the_audit(clients: Any) -> None:
    agent = await clients("agent1")
    supervisor = await clients("super1")
    await supervisor.call(f.SetCap, agent_id=AGENT2, cap=5)
    await next_of(supervisor, s.ShopConfig)  # pushed once the change is in the audit
    config = await agent.call(s.GetShopConfig)
    assert isinstance(config, s.ShopConfig) and config.id is not None
    assert (config.mode, config.opens, config.closes, config.timezone) == ("auto", "08:00", "23:00", "Asia/Shanghai")
    assert config.calls == s.CallPolicyInfo(enabled=True, invites_per_day=3, decline_cooldown_s=600,
                                            activity_window_s=1800, invite_ttl_s=60, max_duration_s=1800,
                                            warning_before_s=300)
    assert [(c.agent_id, c.name, c.cap) for c in config.caps] == [(AGENT1, "小美", 8), (AGENT2, "阿杰", 5)]
    assert config.audit == [] and config.changed_by is None
    seen = await supervisor.call(s.GetShopConfig)
    assert isinstance(seen, s.ShopConfig)
    assert [(a.actor_id, a.actor_name, a.setting, a.old, a.new) for a in seen.audit] == [
        (SUPER1, "王主管", f"cap:{AGENT2}", "8", "5")]


@pytest.mark.parametrize(("frame_type", "fields", "setting", "old", "new", "shown"), [
    (f.SetCap, {"agent_id": AGENT1, "cap": 3}, f"cap:{AGENT1}", "8", "3", lambda c: c.caps[0].cap == 3),
    (f.ShopSettings, {"opens": "09:00", "mode": "manual"}, "mode", "auto", "manual",
     lambda c: (c.mode, c.opens) == ("manual", "09:00")),
    (f.CallSettings, {"invites_per_day": 2}, "calls.invites_per_day", "3", "2",
     lambda c: c.calls.invites_per_day == 2),
])
async def test_a_settings_change_is_audited_and_pushed_to_every_staff_connection_of_the_shop(
        clients: Any, relay: RunningRelay, frame_type: type[Any], fields: dict[str, Any], setting: str,
        old: str, new: str, shown: Callable[[s.ShopConfig], bool]) -> None:
    agent1, agent2, supervisor, other_desk = [await clients(u) for u in ("agent1", "agent2", "super1", "super1")]
    tea_boss = await clients("cha_boss", shop=OTHER_SHOP)
    await settle()
    for who in (agent1, agent2, supervisor, other_desk, tea_boss):
        drain(who)
    await supervisor.call(frame_type, **fields)
    pushes = [await next_of(who, s.ShopConfig) for who in (agent1, agent2, supervisor, other_desk)]
    for push in pushes:
        assert push.id is None and push.changed_by == "王主管" and push.audit == []
        assert push == pushes[0]
    assert shown(pushes[0])
    await settle()
    assert not [fr for fr in drain(tea_boss) if isinstance(fr, s.ShopConfig)]
    audit = db_rows(relay, "SELECT shop_id, actor_id, actor_name, setting, old, new FROM settings_audit"
                           " WHERE setting = ?", (setting,))
    assert audit == [(1, 3, "王主管", setting, old, new)]
    assert db_rows(relay, "SELECT COUNT(*) FROM settings_audit WHERE shop_id != 1") == [(0,)]


async def test_a_setting_set_to_what_it_is_is_neither_audited_nor_pushed(clients: Any, relay: RunningRelay) -> None:
    agent = await clients("agent1")
    supervisor = await clients("super1")
    await settle()
    drain(agent)
    await supervisor.call(f.ShopSettings, opens="08:00")
    await supervisor.call(f.CallSettings, invites_per_day=3)
    await supervisor.call(f.SetCap, agent_id=AGENT1, cap=8)
    await settle()
    assert not [fr for fr in drain(agent) if isinstance(fr, s.ShopConfig)]
    assert db_rows(relay, "SELECT COUNT(*) FROM settings_audit") == [(0,)]


# --- template order ---------------------------------------------------------------------------------


async def template_ids(client: KefuClient, scope: str) -> list[int]:
    listed = await client.call(f.ListTemplates)
    assert isinstance(listed, f.TemplateList)
    return [t.template_id for t in listed.templates if t.scope == scope]


async def test_a_supervisor_orders_the_shop_templates_and_the_whole_shop_hears_of_it(clients: Any) -> None:
    agent1, agent2, supervisor = [await clients(u) for u in ("agent1", "agent2", "super1")]
    tea = await clients("cha1", shop=OTHER_SHOP)
    await settle()
    before = await template_ids(supervisor, "shop")
    wanted = [before[5], before[2], before[0]]
    for who in (agent1, agent2, supervisor, tea):
        drain(who)
    assert isinstance(await supervisor.call(s.OrderTemplates, scope="shop", template_ids=wanted), f.Ok)
    for who in (agent1, agent2, supervisor):
        assert (await next_of(who, s.TemplatesChanged)).scope == "shop"
    after = await template_ids(agent1, "shop")
    assert after[:3] == wanted and sorted(after) == sorted(before)
    assert after[3:] == [t for t in before if t not in wanted]  # the rest keep their order
    await settle()
    assert not [fr for fr in drain(tea) if isinstance(fr, s.TemplatesChanged)]


async def test_an_agent_orders_their_personal_templates_and_only_they_hear_of_it(clients: Any) -> None:
    agent1, agent1_desk2, agent2, supervisor = [await clients(u) for u in ("agent1", "agent1", "agent2", "super1")]
    mine = []
    for title in ("开场白", "催付款", "道别"):
        saved = await agent1.call(f.SaveTemplate, template=f.TemplateDraft(
            scope="personal", group="我的", title=title, body=f"{title}：亲～"))
        assert isinstance(saved, f.TemplateSaved)
        mine.append(saved.template.template_id)
    shop_before = await template_ids(agent1, "shop")
    await settle()
    for who in (agent1, agent1_desk2, agent2, supervisor):
        drain(who)
    await agent1.call(s.OrderTemplates, scope="personal", template_ids=[mine[2], mine[0]])
    for who in (agent1, agent1_desk2):
        assert (await next_of(who, s.TemplatesChanged)).scope == "personal"
    assert await template_ids(agent1_desk2, "personal") == [mine[2], mine[0], mine[1]]
    assert await template_ids(agent1, "shop") == shop_before
    await settle()
    for who in (agent2, supervisor):
        assert not [fr for fr in drain(who) if isinstance(fr, s.TemplatesChanged)]


# --- complaints -------------------------------------------------------------------------------------


async def complained_call(clients: Any, agent: KefuClient, buyer: KefuClient, conv: int) -> str:
    invited = await agent.call(f.InviteCall, conversation_id=conv, reason="演示滤网更换")
    assert isinstance(invited, f.CallUpdate)
    call_id = invited.call.call_id
    await buyer.call(f.AnswerCall, call_id=call_id, decision="accept")
    await buyer.call(f.Complain, call_id=call_id, reason="sales_pressure", text="一直推销新机器")
    return call_id


async def test_a_complaint_reaches_the_supervisors_and_is_handled_with_a_note(
        clients: Any, relay: RunningRelay, fake_clock: Any) -> None:
    agent, buyer, conv = await chatting(clients)
    supervisor, supervisor_desk2 = await clients("super1"), await clients("super1")
    call_id = await complained_call(clients, agent, buyer, conv)
    pushed = await next_of(supervisor, s.ComplaintUpdate)
    complaint = pushed.complaint
    assert pushed.id is None
    assert (complaint.call_id, complaint.conversation_id, complaint.reason, complaint.text, complaint.agent_id) == (
        call_id, conv, "sales_pressure", "一直推销新机器", AGENT1)
    assert complaint.handled_at is None and complaint.handled_by is None
    await settle()
    assert not [fr for fr in drain(agent) if isinstance(fr, s.ComplaintUpdate)]
    drain(supervisor_desk2)
    fake_clock.advance(60)
    answer = await supervisor.call(s.HandleComplaint, call_id=call_id, note="已电话致歉，赠送滤网一个")
    assert isinstance(answer, s.ComplaintUpdate) and answer.id is not None
    handled = answer.complaint
    assert (handled.handled_at, handled.handled_by, handled.handled_note) == (
        fake_clock.now_ms(), "王主管", "已电话致歉，赠送滤网一个")
    assert (await next_of(supervisor_desk2, s.ComplaintUpdate)).complaint == handled
    assert db_rows(relay, "SELECT handled_at, handled_by, handled_note FROM calls WHERE id = ?", (call_id,)) == [
        (fake_clock.now_ms(), "王主管", "已电话致歉，赠送滤网一个")]
    reopened = await supervisor.call(s.HandleComplaint, call_id=call_id, handled=False, note="买家不满意")
    assert isinstance(reopened, s.ComplaintUpdate)
    assert (reopened.complaint.handled_at, reopened.complaint.handled_by) == (None, None)
    assert db_rows(relay, "SELECT handled_at, handled_by, handled_note FROM calls WHERE id = ?", (call_id,)) == [
        (None, None, "买家不满意")]


async def test_handling_a_call_without_a_complaint_is_not_found(clients: Any, relay: RunningRelay) -> None:
    agent, _, conv = await chatting(clients)
    supervisor = await clients("super1")
    invited = await agent.call(f.InviteCall, conversation_id=conv, reason="演示")
    assert isinstance(invited, f.CallUpdate)
    for call_id in (invited.call.call_id, "call-000000000000"):
        with pytest.raises(RelayError) as err:
            await supervisor.call(s.HandleComplaint, call_id=call_id, note="?")
        assert err.value.code == "not_found"
    assert db_rows(relay, "SELECT handled_at, handled_by, handled_note FROM calls") == [(None, None, "")]


# --- ratings ----------------------------------------------------------------------------------------


async def resolved_chat(clients: Any, buyer_id: str = "b-jiadian-0033") -> tuple[KefuClient, KefuClient, int, int]:
    """A chat agent1 answered and resolved; returns (agent, buyer, conversation, session)."""
    agent, buyer, conv = await chatting(clients, buyer_id)
    await agent.send_text(conv, "三到六个月换一次哦")
    await agent.call(f.Resolve, conversation_id=conv)
    resolved = await next_of(buyer, f.Message, event="resolved")
    assert resolved.params is not None
    return agent, buyer, conv, int(resolved.params["session_id"])


async def test_the_buyer_rates_a_resolved_chat_once_with_a_system_line_and_the_csat_follows(
        clients: Any, relay: RunningRelay) -> None:
    agent, buyer, conv, session = await resolved_chat(clients)
    await settle()
    drain(agent)
    assert isinstance(await buyer.call(s.Rate, conversation_id=conv, session_id=session, stars=5,
                                       comment="  很耐心  "), f.Ok)
    line = await next_of(buyer, f.Message, event="rated")
    assert line.kind == "system" and line.params == {"stars": "5", "comment": "很耐心"}
    assert (await next_of(agent, f.Message, event="rated")).seq == line.seq  # the chat is no longer theirs
    assert db_rows(relay, "SELECT rating, rating_comment FROM chat_sessions WHERE id = ?", (session,)) == [
        (5, "很耐心")]
    for stars in (4, None):
        with pytest.raises(RelayError) as err:
            await buyer.call(s.Rate, conversation_id=conv, session_id=session, stars=stars)
        assert (err.value.code, err.value.reason) == ("conflict", "already_rated")
    assert db_rows(relay, "SELECT rating FROM chat_sessions WHERE id = ?", (session,)) == [(5,)]
    token = (await login(relay.url, MAIN_SHOP, "super1", DEMO_PASSWORD)).token
    async with aiohttp.ClientSession() as http, http.get(
            relay.url + "/api/supervisor/figures", headers={"Authorization": f"Bearer {token}"}) as resp:
        report = msgspec.json.decode(await resp.read(), type=w.FiguresReport)
    assert (report.total.ratings, report.total.ratings_positive, report.total.csat, report.total.rating_mean) == (
        1, 1, 1.0, 5.0)


async def test_the_buyer_may_skip_the_rating_once(clients: Any, relay: RunningRelay) -> None:
    _, buyer, conv, session = await resolved_chat(clients)
    assert isinstance(await buyer.call(s.Rate, conversation_id=conv, session_id=session, comment="不计"), f.Ok)
    await settle()
    assert not [m for m in drain(buyer) if isinstance(m, f.Message) and m.event == "rated"]
    assert db_rows(relay, "SELECT rating, rating_comment FROM chat_sessions WHERE id = ?", (session,)) == [(0, "")]
    with pytest.raises(RelayError) as err:
        await buyer.call(s.Rate, conversation_id=conv, session_id=session, stars=3)
    assert (err.value.code, err.value.reason) == ("conflict", "already_rated")


async def test_an_open_chat_cannot_be_rated(clients: Any, relay: RunningRelay) -> None:
    _, buyer, conv = await chatting(clients)
    session = buyer.conversations[conv].session_id or int(db_rows(
        relay, "SELECT session_id FROM conversations WHERE id = ?", (conv,))[0][0])
    with pytest.raises(RelayError) as err:
        await buyer.call(s.Rate, conversation_id=conv, session_id=session, stars=5)
    assert (err.value.code, err.value.reason) == ("conflict", "not_resolved")
    assert db_rows(relay, "SELECT rating FROM chat_sessions WHERE id = ?", (session,)) == [(None,)]


@pytest.mark.parametrize("stars", [0, 6])
async def test_stars_are_one_to_five(clients: Any, relay: RunningRelay, stars: int) -> None:
    _, buyer, conv, session = await resolved_chat(clients)
    with pytest.raises(RelayError) as err:
        await buyer.call(s.Rate, conversation_id=conv, session_id=session, stars=stars)
    assert err.value.code == "invalid_field"
    assert db_rows(relay, "SELECT rating FROM chat_sessions WHERE id = ?", (session,)) == [(None,)]


async def test_only_the_buyer_of_the_conversation_rates_it(clients: Any, relay: RunningRelay) -> None:
    agent, _, conv, session = await resolved_chat(clients)
    stranger = await clients(buyer="b-jiadian-0034")
    supervisor = await clients("super1")
    for who in (stranger, agent, supervisor):
        with pytest.raises(RelayError) as err:
            await who.call(s.Rate, conversation_id=conv, session_id=session, stars=1)
        assert err.value.code == "forbidden"
    assert db_rows(relay, "SELECT rating FROM chat_sessions WHERE id = ?", (session,)) == [(None,)]


# --- take-over --------------------------------------------------------------------------------------


async def test_a_supervisor_takes_a_chat_over_and_the_agent_is_told(clients: Any, relay: RunningRelay) -> None:
    agent, buyer, conv = await chatting(clients)
    supervisor = await clients("super1")
    await settle()
    for who in (agent, buyer, supervisor):
        drain(who)
    assert isinstance(await supervisor.call(s.TakeOver, conversation_id=conv), f.Ok)
    told = await next_of(agent, f.Assignment, reason="takeover")
    assert (told.conversation.agent_id, told.previous_agent_id, told.by) == (SUPER1, AGENT1, SUPER1)
    line = await next_of(buyer, f.Message, event="taken_over")
    assert line.kind == "system" and "王主管" in line.text
    assert db_rows(relay, "SELECT status, agent_id FROM conversations WHERE id = ?", (conv,)) == [("assigned", 3)]
    assert db_rows(relay, "SELECT kind, from_agent, to_agent FROM conversation_events WHERE conversation_id = ?"
                          " AND kind = 'takeover'", (conv,)) == [("takeover", 1, 3)]
    await supervisor.send_text(conv, "您好，我是主管，这边为您处理")
    with pytest.raises(RelayError) as err:
        await agent.send_text(conv, "我还在")
    assert err.value.code == "forbidden"


# --- docs/protocol.md -------------------------------------------------------------------------------


def _as_written(example: str) -> Any:
    """The frame an example is, if the codec writes that frame with exactly these fields in this order."""
    pairs = json.loads(example, object_pairs_hook=list)
    for decode in (decode_client, decode_server):
        try:
            frame = decode(example)
        except FrameError:
            continue
        if json.loads(encode(frame), object_pairs_hook=list) == pairs:
            return frame
    raise AssertionError(f"not what the codec writes for any frame:\n{example}")


STAFF_FRAMES = {s.AddNote, s.ListNotes, s.TakeOver, s.GetShopConfig, s.OrderTemplates, s.HandleComplaint, s.Rate,
                s.StaffNote, s.NoteList, s.ShopConfig, s.TemplatesChanged, s.ComplaintUpdate, s.FiguresUpdate}


def test_sections_13_and_14_have_an_example_of_each_staff_frame_as_the_codec_writes_it() -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "protocol.md").read_text(encoding="utf-8")
    section = text[text.index("## 13."):]
    section = section[:m.start()] if (m := re.search(r"^## 15\.", section, re.M)) else section
    frames = [_as_written(example) for example in re.findall(r"```json\n(.*?)```", section, re.S)]
    assert STAFF_FRAMES - {type(frame) for frame in frames} == set()
