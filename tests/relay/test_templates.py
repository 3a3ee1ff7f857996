"""Templates over the protocol: permissions, pinyin search, variables filled from the conversation."""

from __future__ import annotations

import pytest

from app.client import KefuClient
from app.errors import RelayError
from tests.conftest import OTHER_SHOP, RunningRelay
from tests.relay.helpers import db_rows, db_value, next_of
from wire import frames as f


async def templates(client: KefuClient, query: str = "") -> list[f.Template]:
    reply = await client.call(f.ListTemplates, query=query)
    assert isinstance(reply, f.TemplateList)
    return reply.templates


def draft(scope: str, title: str = "我的开场白", body: str = "{buyer_name}您好，我是{agent_name}") -> f.TemplateDraft:
    return f.TemplateDraft(scope=scope, group="问候", title=title, body=body, shortcut="my")  # type: ignore[arg-type]


async def test_demo_shop_ships_about_forty_templates(clients) -> None:
    agent = await clients("agent1")
    shop = [t for t in await templates(agent) if t.scope == "shop"]
    assert 35 <= len(shop) <= 50
    assert {"问候", "物流", "退换货", "安装", "视频讲解"} <= {t.group for t in shop}
    assert not any(t.editable for t in shop)  # agents do not edit the shop's templates


async def test_pinyin_initials_find_chinese_titles(clients) -> None:
    agent = await clients("agent1")
    found = await templates(agent, "thh")
    assert "退换货说明" in [t.title for t in found]
    assert all(t.title == "退换货说明" or "thh" in t.initials or t.shortcut.startswith("thh") for t in found)
    assert [t.title for t in await templates(agent, "安装")]
    assert await templates(agent, "zzzzzz") == []


async def test_agent_cannot_create_edit_or_delete_shop_templates(clients) -> None:
    agent = await clients("agent1")
    shop_one = next(t for t in await templates(agent) if t.scope == "shop")
    attempts = [
        agent.call(f.SaveTemplate, template=draft("shop")),
        agent.call(f.SaveTemplate, template_id=shop_one.template_id, template=draft("shop")),
        agent.call(f.DeleteTemplate, template_id=shop_one.template_id),
    ]
    for attempt in attempts:
        with pytest.raises(RelayError) as err:
            await attempt
        assert err.value.code == "forbidden"
    assert shop_one.title in [t.title for t in await templates(agent)]


async def test_supervisor_edits_shop_templates(clients) -> None:
    supervisor = await clients("super1")
    saved = await supervisor.call(f.SaveTemplate, template=draft("shop", "节日问候", "节日快乐，{buyer_name}！"))
    assert isinstance(saved, f.TemplateSaved) and saved.template.editable
    assert saved.template.initials == "jrwh"
    agent = await clients("agent1")
    assert "节日问候" in [t.title for t in await templates(agent, "jrwh")]
    await supervisor.call(f.DeleteTemplate, template_id=saved.template.template_id)
    assert "节日问候" not in [t.title for t in await templates(agent)]


async def test_personal_templates_are_private_to_their_owner(clients) -> None:
    agent1 = await clients("agent1")
    agent2 = await clients("agent2")
    supervisor = await clients("super1")
    saved = await agent1.call(f.SaveTemplate, template=draft("personal", "小美的开场白"))
    assert isinstance(saved, f.TemplateSaved)
    tid = saved.template.template_id
    assert "小美的开场白" in [t.title for t in await templates(agent1)]
    for other in (agent2, supervisor):
        assert "小美的开场白" not in [t.title for t in await templates(other)]
        for attempt in (other.call(f.SaveTemplate, template_id=tid, template=draft("personal", "改了")),
                        other.call(f.DeleteTemplate, template_id=tid)):
            with pytest.raises(RelayError) as err:
                await attempt
            assert err.value.code == "not_found"
    edited = await agent1.call(f.SaveTemplate, template_id=tid, template=draft("personal", "小美的新开场白"))
    assert edited.template.title == "小美的新开场白"  # type: ignore[union-attr]


async def test_template_fills_variables_from_the_conversations_buyer_and_order(
    clients, relay: RunningRelay
) -> None:
    buyer_id, order_no, tracking, nickname = db_rows(
        relay, "SELECT o.buyer_id, o.order_no, o.tracking_no, b.nickname FROM orders o"
        " JOIN buyers b ON b.id = o.buyer_id"
        " WHERE o.shop_id = 1 AND o.tracking_no IS NOT NULL ORDER BY o.order_no LIMIT 1")[0]
    product = db_value(relay, "SELECT title FROM order_items WHERE order_no = ? ORDER BY rowid LIMIT 1", (order_no,))
    agent = await clients("agent1")
    buyer = await clients(buyer=buyer_id)
    conv = (await buyer.open_conversation("jiadian")).conversation_id
    await buyer.send_text(conv, "我的快递到哪了")
    await next_of(agent, f.Assignment)
    wl = next(t for t in await templates(agent, "物流查询"))
    filled = await agent.call(f.RenderTemplate, template_id=wl.template_id, conversation_id=conv, order_no=order_no)
    assert isinstance(filled, f.TemplateRendered)
    assert order_no in filled.text and tracking in filled.text and "{" not in filled.text
    hi = next(t for t in await templates(agent, "老顾客问候"))
    greeting = await agent.call(f.RenderTemplate, template_id=hi.template_id, conversation_id=conv)
    assert nickname in greeting.text and "小美" in greeting.text  # type: ignore[union-attr]
    az = next(t for t in await templates(agent, "预约安装"))
    install = await agent.call(f.RenderTemplate, template_id=az.template_id, conversation_id=conv,
                               order_no=order_no)
    assert product in install.text  # type: ignore[union-attr]
    used = next(t for t in await templates(agent, "物流查询"))
    assert used.usage_count == 1


async def test_missing_values_are_reported_and_left_as_written(clients) -> None:
    agent = await clients("agent1")
    buyer = await clients(buyer="b-chaye-0001")  # a tea shop customer: no orders in this shop
    conv = (await buyer.open_conversation("jiadian")).conversation_id
    await buyer.send_text(conv, "你好")
    await next_of(agent, f.Assignment)
    wl = next(t for t in await templates(agent, "物流查询"))
    filled = await agent.call(f.RenderTemplate, template_id=wl.template_id, conversation_id=conv)
    assert filled.missing == ["order_no", "tracking_no"]  # type: ignore[union-attr]
    assert "{order_no}" in filled.text  # type: ignore[union-attr]


async def test_templates_and_rendering_stay_inside_the_shop(clients) -> None:
    tea = await clients("cha1", shop=OTHER_SHOP)
    assert not [t for t in await templates(tea) if t.title == "退换货说明"]
    agent = await clients("agent1")
    buyer = await clients(buyer="b-chaye-0001")
    tea_conv = (await buyer.open_conversation("chaye")).conversation_id
    shop_template = next(iter(await templates(agent)))
    with pytest.raises(RelayError) as err:
        await agent.call(f.RenderTemplate, template_id=shop_template.template_id, conversation_id=tea_conv)
    assert err.value.code == "forbidden"
    with pytest.raises(RelayError) as err:
        await tea.call(f.RenderTemplate, template_id=shop_template.template_id, conversation_id=tea_conv)
    assert err.value.code == "not_found"


async def test_buyers_have_no_templates(clients) -> None:
    buyer = await clients(buyer="b-jiadian-0003")
    with pytest.raises(RelayError) as err:
        await templates(buyer)
    assert err.value.code == "forbidden"


async def test_personal_templates_stop_at_the_limit_and_can_still_be_edited(clients, monkeypatch) -> None:
    import relay.replies

    monkeypatch.setattr(relay.replies, "MAX_PERSONAL_TEMPLATES", 3)
    agent = await clients("agent1")
    ids = [(await agent.call(f.SaveTemplate, template=draft("personal", f"第{i}条"))).template.template_id  # type: ignore[union-attr]
           for i in range(3)]
    with pytest.raises(RelayError) as err:
        await agent.call(f.SaveTemplate, template=draft("personal", "第4条"))
    assert (err.value.code, err.value.reason) == ("conflict", "template_limit")
    assert "第4条" not in [t.title for t in await templates(agent)]
    edited = await agent.call(f.SaveTemplate, template_id=ids[0], template=draft("personal", "改过的第0条"))
    assert isinstance(edited, f.TemplateSaved) and edited.template.title == "改过的第0条"
    # Another agent's own allowance is untouched.
    other = await clients("agent2")
    assert isinstance(await other.call(f.SaveTemplate, template=draft("personal", "阿杰的")), f.TemplateSaved)
