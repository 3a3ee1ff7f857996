"""The template editor against a real relay: shop templates for supervisors, one's own for everyone,
changes offered at once everywhere, order kept, a live preview."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from app.errors import RelayError
from app.shop_config import SettingRejected
from tests.ui.conftest import until
from ui.main_window import MainWindow
from ui.template_editor import TemplateEditorDialog
from ui.template_editor_model import DraftProblem
from wire import frames as f
from wire.errors import ErrorCode


async def editor(window: MainWindow) -> TemplateEditorDialog:
    dialog = window.shop_actions.open_templates()
    assert dialog.isVisible()
    await until(lambda: dialog.tree.topLevelItemCount() or dialog.scope == "personal", what="templates listed")
    return dialog


def shop_template(window: MainWindow, shortcut: str) -> f.Template:
    return next(t for t in window.service.templates if t.scope == "shop" and t.shortcut == shortcut)


async def test_a_shop_template_edited_by_a_supervisor_is_offered_with_its_new_text_at_once(open_desk) -> None:
    agent = await open_desk("agent1")
    supervisor = await open_desk("super1")
    await until(lambda: agent.service.templates and supervisor.service.templates, what="templates loaded")
    agents_editor = await editor(agent)
    dialog = await editor(supervisor)
    greeting = shop_template(supervisor, "lgk")
    assert dialog.select_template(greeting.template_id)
    assert dialog.title_edit.text() == greeting.title and not dialog.title_edit.isReadOnly()
    dialog.body.setPlainText("{buyer_name}，欢迎回来！新品已上架。")
    dialog.save_button.click()
    await until(lambda: dialog.message.text() == dialog.tr("Saved."), what="saved")
    await until(lambda: agent.service.find_templates("lgk")[0].body == "{buyer_name}，欢迎回来！新品已上架。",
                what="the new text offered to the other agent")
    agents_editor.tabs.setCurrentIndex(0)
    assert agents_editor.select_template(greeting.template_id)
    assert agents_editor.body.toPlainText() == "{buyer_name}，欢迎回来！新品已上架。"
    composer = agent.conversation.composer
    picker = composer.picker
    picker.show_templates(agent.service.find_templates("lgk"))  # what the composer's picker lists for /lgk
    assert picker.current().body == "{buyer_name}，欢迎回来！新品已上架。"


async def test_an_agent_reads_shop_templates_but_cannot_change_them(open_desk) -> None:
    agent = await open_desk("agent1")
    await until(lambda: agent.service.templates, what="templates loaded")
    dialog = await editor(agent)
    assert dialog.scope == "personal"  # an agent starts with their own
    dialog.tabs.setCurrentIndex(0)
    greeting = shop_template(agent, "lgk")
    assert dialog.select_template(greeting.template_id)
    assert dialog.readonly_note.isVisible()
    assert dialog.title_edit.isReadOnly() and dialog.body.isReadOnly() and not dialog.group.isEnabled()
    for button in (dialog.save_button, dialog.delete_button, dialog.new_button, dialog.up_button,
                   dialog.down_button):
        assert not button.isEnabled()
    draft = f.TemplateDraft(scope="shop", group=greeting.group, title=greeting.title, body="改了", shortcut="lgk")
    with pytest.raises(RelayError) as refused:
        await agent.service.save_template(draft, greeting.template_id)
    assert refused.value.code == ErrorCode.FORBIDDEN
    with pytest.raises(RelayError) as refused:
        await agent.service.delete_template(greeting.template_id)
    assert refused.value.code == ErrorCode.FORBIDDEN
    ids = [t.template_id for t in agent.service.templates if t.scope == "shop"]
    with pytest.raises(RelayError) as refused:
        await agent.service.request(f.OrderTemplates, scope="shop", template_ids=ids[::-1])
    assert refused.value.code == ErrorCode.FORBIDDEN
    with pytest.raises(SettingRejected):
        await agent.shop_actions.book.order_templates("shop", ids[::-1])
    assert shop_template(agent, "lgk").body == greeting.body


async def test_moving_a_template_up_keeps_the_new_order(open_desk, clients) -> None:
    supervisor = await open_desk("super1")
    await until(lambda: supervisor.service.templates, what="templates loaded")
    dialog = await editor(supervisor)
    group, titles = next((g, t) for g, t in dialog.listed_titles() if len(t) >= 2)
    second = next(t for t in supervisor.service.templates if t.scope == "shop" and t.group == group
                  and t.title == titles[1])
    assert dialog.select_template(second.template_id)
    dialog.up_button.click()
    expected = [titles[1], titles[0], *titles[2:]]
    await until(lambda: dict(dialog.listed_titles())[group] == expected, what="moved up in the list")
    other = await clients("agent2")  # another connection lists them from the relay's store
    listed = await other.call(f.ListTemplates)
    assert isinstance(listed, f.TemplateList)
    assert [t.title for t in listed.templates if t.scope == "shop" and t.group == group] == expected
    dialog.close()
    again = supervisor.shop_actions.open_templates()
    await again._refresh()
    assert dict(again.listed_titles())[group] == expected


async def test_an_agent_writes_a_personal_template_with_a_live_preview(open_desk) -> None:
    agent = await open_desk("agent1")
    dialog = await editor(agent)
    dialog.new_template()
    assert dialog.save_button.isEnabled()
    dialog.group.setCurrentText("我的")
    dialog.title_edit.setText("催付款")
    QTest.keyClicks(dialog.shortcut, "cfk")
    dialog.body.setPlainText("亲，")
    dialog.body.moveCursor(dialog.body.textCursor().MoveOperation.End)
    dialog.insert_variable("buyer_name")
    assert dialog.body.toPlainText() == "亲，{buyer_name}"
    assert dialog.preview.text() == "亲，" + dialog.sample_values()["buyer_name"]
    dialog.body.setPlainText("亲，{buyer} 您好")
    assert dialog.warning.isVisible() and "{buyer}" in dialog.warning.text()
    dialog.shortcut.setText("lgk")  # a shop template has it
    dialog.save_button.click()
    assert dialog.message.text() == dialog.problem_text(DraftProblem("shortcut", "shortcut_taken"))
    dialog.shortcut.setText("cfk")
    dialog.body.setPlainText("亲，{buyer_name}，记得付款哦")
    dialog.save_button.click()
    await until(lambda: dialog.message.text() == dialog.tr("Saved."), what="saved")
    mine = next(t for t in agent.service.templates if t.title == "催付款")
    assert mine.scope == "personal" and mine.editable and ("我的", ["催付款"]) in dialog.listed_titles()
    assert agent.service.find_templates("cfk")[0].template_id == mine.template_id
    dialog.delete(mine.template_id)
    await until(lambda: all(t.template_id != mine.template_id for t in agent.service.templates), what="deleted")
    await until(lambda: dialog.current_id is None and dialog.title_edit.text() == "", what="the form cleared")


async def test_markup_in_a_template_is_shown_as_typed(open_desk) -> None:
    agent = await open_desk("agent1")
    dialog = await editor(agent)
    dialog.new_template()
    dialog.body.setPlainText("<b>粗体</b><img src=x>")
    assert dialog.preview.textFormat() == Qt.TextFormat.PlainText
    assert dialog.preview.text() == "<b>粗体</b><img src=x>"
