"""Video calls in the workstation: the invite button and its reasons, the call window with real media from an
aiortc buyer (camera on: the test pattern), hanging up, and closing the main window mid-call."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QToolButton

from app.buyer_call import BuyerPhone
from app.client import KefuClient, login
from relay.clock import FakeClock
from tests.conftest import DEMO_PASSWORD, MAIN_SHOP, RunningRelay
from tests.ui.conftest import until
from ui.call_window import CallWindow, VideoView
from ui.main_window import MainWindow

BUYER = "b-jiadian-0031"


pytestmark = pytest.mark.usefixtures("loopback")


async def chat(window: MainWindow, clients: Any, phones: Any, text: str = "洗衣机怎么快洗？") -> tuple[BuyerPhone, int]:
    """A buyer writes, the chat is assigned to the agent and shown; the buyer's phone answers calls."""
    client = await clients(buyer=BUYER)
    conv = await client.open_conversation(MAIN_SHOP)
    await client.send_text(conv.conversation_id, text)
    cid = conv.conversation_id
    await until(lambda: window.queue_panel.model.row_of(cid) is not None, what="the chat in the queue")
    window.open_conversation(cid)
    return phones(client), cid


def button(window: MainWindow) -> QToolButton:
    return window.conversation.call_button


async def connected_window(window: MainWindow, phone: BuyerPhone, cid: int) -> CallWindow:
    """Invite from the button's menu, the buyer accepts; the call window once media flows."""
    await until(lambda: button(window).isEnabled() and button(window).property("mode") == "invite",
                what="the invite button enabled")
    menu = button(window).menu()
    assert menu is not None and [a.text() for a in menu.actions()] == ["演示安装步骤", "查看商品问题", "讲解产品功能"]
    menu.actions()[0].trigger()
    invited = await phone.invitation()
    assert invited.reason == "演示安装步骤"
    await until(lambda: button(window).property("mode") == "ringing", what="the button ringing")
    await phone.answer(invited.call_id)
    call_window = await until(lambda: window.call_windows.get(invited.call_id), what="the call window")
    await until(lambda: call_window.view.media and call_window.view.state == "connected", what="connected")
    return call_window


def centre_is_lit(view: VideoView) -> bool:
    colour = view.grab().toImage().pixelColor(QPoint(view.width() // 2, view.height() // 2))
    return colour.red() + colour.green() + colour.blue() > 60


def gone(widget: CallWindow) -> bool:
    """Closed (and, as it deletes itself on close, perhaps deleted already)."""
    return not shiboken6.isValid(widget) or not widget.isVisible()


def peers_released(window: MainWindow) -> bool:
    gc.collect()
    calls = window.service.calls
    return not calls.calls and all(pc.connectionState == "closed" for pc in calls.peer_connections)


async def test_the_invite_button_says_why_when_the_buyer_never_wrote(open_desk, clients) -> None:
    window = await open_desk("agent1")
    quiet = await clients(buyer="b-jiadian-0032")
    conv = await quiet.open_conversation(MAIN_SHOP)
    window.open_conversation(conv.conversation_id)
    panel = window.conversation
    await until(lambda: panel.call_refusal == "call_not_started", what="the relay's refusal")
    reason = panel.describe_refusal("call_not_started")
    assert not button(window).isEnabled() and button(window).isVisible()
    assert button(window).toolTip() == reason and panel.call_hint.text() == reason and panel.call_hint.isVisible()
    assert "没有" in reason  # in Chinese


async def test_after_a_decline_the_button_waits_out_the_cooldown(open_desk, clients, phones) -> None:
    window = await open_desk("agent1")
    phone, _ = await chat(window, clients, phones)
    await until(lambda: button(window).isEnabled(), what="the invite button enabled")
    window.conversation.invite("查看商品问题")
    invited = await phone.invitation()
    await until(lambda: button(window).property("mode") == "ringing", what="ringing")
    await phone.answer(invited.call_id, "decline")
    await until(lambda: window.conversation.call_refusal == "call_cooldown", what="the cooldown")
    assert not button(window).isEnabled()
    assert "10 分钟" in button(window).toolTip(), button(window).toolTip()
    assert not window.call_windows and "拒绝" in window.toast.text()


async def test_the_call_window_shows_the_buyer_then_closing_it_hangs_up(
    open_desk, clients, phones, relay: RunningRelay, fake_clock: FakeClock
) -> None:
    token = (await login(relay.url, MAIN_SHOP, "super1", DEMO_PASSWORD)).token
    supervisor = KefuClient(relay.url, token)
    await supervisor.connect()
    from wire import frames as f

    await supervisor.call(f.CallSettings, max_duration_s=600, warning_before_s=300)
    await supervisor.close()
    window = await open_desk("agent1")
    phone, cid = await chat(window, clients, phones)
    call_window = await connected_window(window, phone, cid)
    assert call_window.isVisible() and call_window.remote.placeholder == "买家未开启摄像头"
    await until(lambda: call_window.local.painted > 0 and centre_is_lit(call_window.local), what="own preview")

    phone.camera_on()
    await until(lambda: call_window.remote.painted > 0 and centre_is_lit(call_window.remote), what="the buyer")
    painted, serial = call_window.remote.painted, call_window.remote.shown_serial
    await until(lambda: call_window.remote.shown_serial > serial + 5, what="the picture moving")
    assert call_window.remote.painted <= painted + (call_window.remote.shown_serial - serial) + 2  # never ahead

    keys = [call_window.source_box.itemData(i) for i in range(call_window.source_box.count())]
    assert keys[0] == "pattern" and "clip:washer" in keys
    call_window.source_box.setCurrentIndex(keys.index("clip:washer"))
    call_window.source_box.activated.emit(keys.index("clip:washer"))
    await phone.until(lambda: phone.last_video is not None and phone.last_video.width == 320, "the clip")
    call_window.mute_button.click()
    assert call_window.view.muted and call_window.mute_button.text() == "取消静音"

    fake_clock.advance(301)
    await until(lambda: call_window.notice.isVisible(), what="the warning before the limit")
    assert "5 分钟" in call_window.notice.text()

    call_id = call_window.call_id
    call_window.close()
    assert gone(call_window)
    assert (await phone.state(call_id, "ended")).ended_by == "agent"
    await until(lambda: peers_released(window), what="the peer connection released")
    await until(lambda: call_id not in window.call_windows, what="the window gone")


async def test_a_voice_call_window_offers_no_video_to_show(open_desk, clients, phones) -> None:
    window = await open_desk("agent1")
    phone, _ = await chat(window, clients, phones)
    voice = window.conversation.voice_button
    await until(lambda: voice.isEnabled() and not voice.isHidden(), what="the voice call button")
    menu = voice.menu()
    assert menu is not None
    menu.actions()[0].trigger()
    invited = await phone.invitation()
    assert invited.audio_only
    await phone.answer(invited.call_id)
    call_window = await until(lambda: window.call_windows.get(invited.call_id), what="the call window")
    await until(lambda: call_window.view.media and call_window.view.state == "connected", what="connected")
    assert call_window.remote.placeholder == "语音通话：双方都不开视频"
    assert call_window.source_box.isHidden() and call_window.source_label.isHidden()
    assert "仅语音" in call_window.state_label.text()
    assert call_window.local.painted == 0  # no preview: nothing is sent
    call_window.close()
    await until(lambda: peers_released(window), what="the peer connection released")


async def test_the_buyer_hanging_up_closes_the_call_window(open_desk, clients, phones) -> None:
    window = await open_desk("agent1")
    phone, cid = await chat(window, clients, phones)
    call_window = await connected_window(window, phone, cid)
    call_id = call_window.call_id
    await phone.hang_up()
    await until(lambda: gone(call_window) and call_id not in window.call_windows, what="the call window closed")
    await until(lambda: peers_released(window), what="the peer connection released")
    await until(lambda: button(window).property("mode") == "invite", what="the button back to inviting")


async def test_closing_the_main_window_ends_the_call_and_releases_its_peer(open_desk, clients, phones) -> None:
    window = await open_desk("agent1")
    phone, cid = await chat(window, clients, phones)
    call_window = await connected_window(window, phone, cid)
    call_id = call_window.call_id
    pcs = list(window.service.calls.peer_connections)
    window.close()
    await until(lambda: window._closed, what="the main window closed")
    assert (await phone.state(call_id, "ended")).ended_by == "agent"
    assert pcs and all(pc.connectionState == "closed" for pc in pcs)
    assert not window.call_windows and gone(call_window)


async def test_camera_pictures_reach_the_call_as_rgb_arrays_at_most_15_a_second(qapp, monkeypatch) -> None:
    """No camera here: frames are fed to the feed's video sink as a camera would. They are converted
    in the feed's own thread, one at a time, and handed over on the loop."""
    import threading

    from PySide6.QtGui import QColor, QImage
    from PySide6.QtMultimedia import QVideoFrame

    import ui.call_devices
    from ui.call_devices import CameraFeed

    pushed: list[Any] = []
    pushed_on: list[str] = []
    converted_on: list[str] = []
    convert = ui.call_devices.camera_picture

    def spy(frame: Any) -> Any:
        converted_on.append(threading.current_thread().name)
        return convert(frame)

    def push(rgb: Any) -> None:
        pushed.append(rgb)
        pushed_on.append(threading.current_thread().name)

    monkeypatch.setattr(ui.call_devices, "camera_picture", spy)
    feed = CameraFeed(push)
    try:
        image = QImage(638, 480, QImage.Format.Format_RGB32)  # RGB888 rows of 1914 bytes are padded to 1916
        image.fill(QColor(10, 200, 30))
        for _ in range(5):
            feed.sink.setVideoFrame(QVideoFrame(image))
        await until(lambda: pushed, what="the first picture")
        assert len(pushed) == 1 and len(converted_on) == 1  # the next ones came sooner than 1/15 s
        assert converted_on[0].startswith("kefu-camera") and pushed_on == [threading.current_thread().name]
        rgb = pushed[0]
        assert rgb.shape == (480, 638, 3) and rgb.flags["C_CONTIGUOUS"]
        assert tuple(rgb[100, 100]) == tuple(rgb[479, 637]) == (10, 200, 30)
        big = QImage(1280, 720, QImage.Format.Format_RGB32)
        big.fill(QColor(10, 200, 30))
        feed._next = 0.0
        feed.sink.setVideoFrame(QVideoFrame(big))
        await until(lambda: len(pushed) == 2, what="the second picture")
        assert pushed[-1].shape == (360, 640, 3)  # scaled down to what the call sends
        # After stop, nothing more is converted or pushed.
        feed.stop()
        feed._next = 0.0
        feed.sink.setVideoFrame(QVideoFrame(image))
        assert len(converted_on) == 2 and len(pushed) == 2
    finally:
        feed.stop()
        feed.deleteLater()


async def test_a_picture_still_converting_when_the_camera_stops_is_never_sent(qapp, monkeypatch) -> None:
    """Stopped, then started again (the agent went to a clip and back) while a frame was converting:
    that old picture is dropped, and the next frame goes through."""
    import threading

    from PySide6.QtGui import QColor, QImage
    from PySide6.QtMultimedia import QVideoFrame

    import ui.call_devices
    from ui.call_devices import CameraFeed

    release = threading.Event()
    convert = ui.call_devices.camera_picture

    def slow(frame: Any) -> Any:
        release.wait(5)
        return convert(frame)

    monkeypatch.setattr(ui.call_devices, "camera_picture", slow)
    pushed: list[Any] = []
    feed = CameraFeed(pushed.append)
    try:
        image = QImage(64, 48, QImage.Format.Format_RGB32)
        image.fill(QColor(200, 10, 10))
        feed.sink.setVideoFrame(QVideoFrame(image))  # converting, held by `slow`
        feed.stop()
        feed.start()  # no camera here: False, but the feed takes frames again
        release.set()
        await asyncio.sleep(0.2)
        assert pushed == []
        feed._next = 0.0
        feed.sink.setVideoFrame(QVideoFrame(image))
        await until(lambda: len(pushed) == 1, what="the next picture")
        assert tuple(pushed[0][10, 10]) == (200, 10, 10)
    finally:
        release.set()
        feed.stop()
        feed.deleteLater()


async def test_the_ringing_button_says_whether_the_invitation_reached_the_buyer(open_desk, clients, phones) -> None:
    window = await open_desk("agent1")
    client = await clients(buyer=BUYER)
    conv = await client.open_conversation(MAIN_SHOP)
    cid = conv.conversation_id
    await client.send_text(cid, "能视频看看吗？")
    await until(lambda: window.queue_panel.model.row_of(cid) is not None, what="the chat in the queue")
    window.open_conversation(cid)
    await until(lambda: button(window).isEnabled(), what="the invite button enabled")
    await client.close()  # the buyer's page is closed
    window.conversation.invite("查看商品问题")
    hint = window.conversation.call_hint
    await until(lambda: button(window).property("mode") == "ringing", what="ringing")
    assert hint.isVisible() and hint.text().startswith("尚未送达"), hint.text()
    phone = phones(await clients(buyer=BUYER))  # the buyer comes back: the relay delivers it at sync
    invited = await phone.invitation()
    assert invited.reason == "查看商品问题"
    await until(lambda: hint.text().startswith("已送达"), what="delivered")
    assert button(window).property("mode") == "ringing"


async def test_one_window_can_be_shown_to_the_buyer(open_desk, clients, phones, x_display: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Under a virtual X display, an application's window is offered by its title and sent alone."""
    from tests.x11_helpers import XClient

    monkeypatch.setenv("DISPLAY", x_display)
    for _ in range(50):  # Xvfb takes a moment to accept connections
        try:
            manual: XClient | None = XClient(x_display, "安装说明书", 400, 300)
            break
        except AssertionError:
            await asyncio.sleep(0.1)
    else:
        pytest.fail(f"the X display {x_display} never accepted a connection")
    try:
        window = await open_desk("agent1")
        phone, cid = await chat(window, clients, phones)
        call_window = await connected_window(window, phone, cid)
        box = call_window.source_box
        await until(lambda: box.findText("窗口：安装说明书") >= 0, what="the window offered")
        assert box.findData("screen") >= 0  # the whole screen is offered too
        index = box.findText("窗口：安装说明书")
        box.setCurrentIndex(index)
        box.activated.emit(index)
        await phone.until(lambda: phone.last_video is not None
                          and (phone.last_video.width, phone.last_video.height) == (400, 300), "the window")
        assert call_window.view.source == f"window:{manual.window}"
        # The agent closes that window: the buyer is shown the test pattern, and the agent is told.
        manual.close()
        manual = None
        await until(lambda: "安装说明书已无法显示" in call_window.state_label.text(), what="the agent told")
        assert box.currentData() == "pattern"
        await phone.until(lambda: phone.last_video is not None
                          and (phone.last_video.width, phone.last_video.height) == (640, 480), "the test pattern")
        call_window.close()
        await until(lambda: peers_released(window), what="the peer connection released")
    finally:
        if manual is not None:
            manual.close()
