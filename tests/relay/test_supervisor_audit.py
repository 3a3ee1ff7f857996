"""Every supervisor action leaves a record of who did it and when (issue 14): a take-over and a
reassignment in the chat's events, a whisper in the staff notes, a cap and every change to the
shop's templates in the settings' audit, which supervisors (and only they) are shown."""

from __future__ import annotations

from typing import Any

from relay.clock import FakeClock
from tests.conftest import RunningRelay
from tests.relay.helpers import db_dicts, next_of, until
from tests.relay.test_staff import AGENT1, AGENT2, SUPER1, add_note, chatting
from wire import frames as f
from wire import staff as s


def draft(title: str, body: str = "您好，请稍等，我帮您查一下。") -> f.TemplateDraft:
    return f.TemplateDraft(scope="shop", group="售后", title=title, body=body)


async def test_each_supervisor_action_is_recorded_with_who_and_when(
        relay: RunningRelay, clients: Any, fake_clock: FakeClock) -> None:
    agent, _buyer, conv = await chatting(clients)
    await clients("agent2")
    supervisor = await clients("super1")

    def now() -> int:
        return fake_clock.now_ms()

    stamps: dict[str, int] = {}
    fake_clock.advance(5)
    stamps["whisper"] = now()
    await add_note(supervisor, conv, "先别承诺退款", kind="whisper", client_msg_id="w-1")
    fake_clock.advance(5)
    stamps["take_over"] = now()
    assert isinstance(await supervisor.call(s.TakeOver, conversation_id=conv), f.Ok)
    fake_clock.advance(5)
    stamps["reassign"] = now()
    assert isinstance(await supervisor.call(f.Transfer, conversation_id=conv, to_agent=AGENT2, note="交给小李"), f.Ok)
    fake_clock.advance(5)
    stamps["cap"] = now()
    assert isinstance(await supervisor.call(f.SetCap, agent_id=AGENT1, cap=3), f.Ok)
    fake_clock.advance(5)
    stamps["template"] = now()
    made = await supervisor.call(f.SaveTemplate, template=draft("安装预约"))
    assert isinstance(made, f.TemplateSaved)
    tid = made.template.template_id
    await supervisor.call(f.SaveTemplate, template_id=tid, template=draft("上门安装预约"))
    shop = [t.template_id for t in (await supervisor.call(f.ListTemplates)).templates if t.scope == "shop"]
    await supervisor.call(s.OrderTemplates, scope="shop", template_ids=[tid])
    await supervisor.call(f.DeleteTemplate, template_id=tid)
    # an agent's personal template is the agent's own business: not in the shop's audit
    await agent.call(f.SaveTemplate, template=f.TemplateDraft(scope="personal", group="我的", title="私用",
                                                             body="稍等"))

    events = db_dicts(relay, "SELECT kind, actor, at, from_agent, to_agent FROM conversation_events"
                             " WHERE conversation_id = ? AND actor = ? ORDER BY id", (conv, SUPER1))
    assert [(e["kind"], e["at"]) for e in events] == [("takeover", stamps["take_over"]),
                                                      ("transfer", stamps["reassign"])]
    assert (events[0]["from_agent"], events[1]["to_agent"]) == (int(AGENT1), int(AGENT2))
    whispers = db_dicts(relay, "SELECT author_id, author_role, ts, to_agent_id FROM staff_notes WHERE kind = 'whisper'")
    assert whispers == [{"author_id": int(SUPER1), "author_role": "supervisor", "ts": stamps["whisper"],
                         "to_agent_id": int(AGENT1)}]

    await until(lambda: len(db_dicts(relay, "SELECT id FROM settings_audit")) == 5)
    audit = db_dicts(relay, "SELECT setting, old, new, actor_id, at FROM settings_audit ORDER BY id")
    assert {a["actor_id"] for a in audit} == {int(SUPER1)}
    assert [(a["setting"], a["old"], a["new"]) for a in audit] == [
        (f"cap:{AGENT1}", "8", "3"),
        (f"template:{tid}", "", "安装预约"),
        (f"template:{tid}", "安装预约", "上门安装预约"),
        ("templates.order", ",".join(map(str, shop)), ",".join(map(str, [tid, *(t for t in shop if t != tid)]))),
        (f"template:{tid}", "上门安装预约", ""),
    ]
    assert audit[0]["at"] == stamps["cap"] and all(a["at"] >= stamps["template"] for a in audit[1:])

    shown = await supervisor.call(s.GetShopConfig)  # newest first
    assert [(e.setting, e.actor_id, e.at) for e in shown.audit[:5]] == [
        (a["setting"], str(a["actor_id"]), a["at"]) for a in reversed(audit)]
    assert {e.actor_name for e in shown.audit[:5]} == {"王主管"}
    assert (await agent.call(s.GetShopConfig)).audit == []


async def test_a_supervisor_is_told_of_a_colleagues_template_change_and_finds_its_audit_line(
        relay: RunningRelay, clients: Any) -> None:
    watcher = await clients("super1")
    other = await clients("super1")  # the same supervisor's second workstation stands in for a colleague
    made = await other.call(f.SaveTemplate, template=draft("开票说明"))
    await next_of(watcher, s.ShopConfig)  # the push says who changed something; the audit is asked for
    latest = (await watcher.call(s.GetShopConfig)).audit[0]
    assert (latest.setting, latest.old, latest.new) == (f"template:{made.template.template_id}", "", "开票说明")
