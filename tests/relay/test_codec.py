"""The codec's limits bind what clients send, not what the relay sends."""

from __future__ import annotations

import pytest

from wire import MAX_FRAME_BYTES
from wire import frames as f
from wire.codec import FrameError, decode_body, decode_client, decode_server, encode


def conversation(i: int) -> f.ConversationInfo:
    return f.ConversationInfo(conversation_id=i, shop="jiadian", shop_name="安居家电旗舰店", buyer_id=f"b-{i:06d}",
                              buyer_name="一位很长很长名字的买家朋友", last_seq=3, buyer_read_seq=1, agent_read_seq=0,
                              created_at=1_793_584_800_000, status="queued")


def test_a_supervisors_synced_frame_may_exceed_64_kib() -> None:
    frame = f.Synced(id="r1", conversations=[conversation(i) for i in range(1, 600)])
    data = encode(frame)
    assert len(data) > MAX_FRAME_BYTES
    decoded = decode_server(data)
    assert isinstance(decoded, f.Synced) and len(decoded.conversations) == 599


def test_a_client_frame_over_64_kib_is_refused() -> None:
    data = encode(f.Sync(id="r1", cursors={i: 1 for i in range(1, 9000)}))
    assert len(data) > MAX_FRAME_BYTES
    with pytest.raises(FrameError) as err:
        decode_client(data)
    assert err.value.code == "too_large"


# Found by tests/relay/test_fuzz.py: what msgspec raises besides DecodeError, and fields msgspec let through.

DEEP = b"[" * 10_000 + b"]" * 10_000


@pytest.mark.parametrize("data", [
    b'{"type":"send","id":"a","conversation_id":1,"client_msg_id":"c","text":"\xff"}',  # invalid UTF-8
    b'{"type":"sync","id":"\xed\xa0\x80"}',  # a surrogate, UTF-8 encoded
    b'{"type":"sync","id":"a","x":' + DEEP + b"}",  # nested deeper than the recursion limit, in an unknown field
    b'{"id":' + DEEP + b',"type":"sync"}',  # ... or before the tag
])
def test_unreadable_frames_are_bad_frames_not_other_exceptions(data: bytes) -> None:
    with pytest.raises(FrameError) as err:
        decode_client(data)
    assert err.value.code == "bad_frame" and err.value.request_id is None


def test_an_unreadable_http_body_is_a_bad_frame() -> None:
    with pytest.raises(FrameError) as err:
        decode_body(b'{"shop":"jiadian","username":"\xff","password":"x"}', f.LoginRequest)
    assert err.value.code == "bad_frame"


@pytest.mark.parametrize("data", [
    b'{"type":"sync","id":"a","cursors":null}',
    b'{"type":"template_save","id":"a","template":5}',
    b'{"type":"send_card","id":"a","conversation_id":1,"client_msg_id":"c","card":[]}',
])
def test_a_field_that_must_be_an_object_is_an_invalid_field_naming_the_request(data: bytes) -> None:
    with pytest.raises(FrameError) as err:
        decode_client(data)
    assert (err.value.code, err.value.request_id) == ("invalid_field", "a")


@pytest.mark.parametrize("data", [
    b'{"type":"history","id":"a","conversation_id":9223372036854775808}',
    b'{"type":"history","id":"a","conversation_id":1,"before_seq":18446744073709551616}',
    b'{"type":"sync","id":"a","cursors":{"1":9223372036854775808}}',
    b'{"type":"sync","id":"a","cursors":{"99999999999999999999":1}}',
    b'{"type":"template_delete","id":"a","template_id":9223372036854775808}',
    b'{"type":"rate","id":"a","conversation_id":1,"session_id":9223372036854775808}',
    b'{"type":"notes","id":"a","conversation_id":1,"after_id":9223372036854775808}',
    b'{"type":"template_order","id":"a","scope":"shop","template_ids":[9223372036854775808]}',
])
def test_ids_and_seqs_beyond_what_the_database_holds_are_invalid_fields(data: bytes) -> None:
    with pytest.raises(FrameError) as err:
        decode_client(data)
    assert (err.value.code, err.value.request_id) == ("invalid_field", "a")


def test_the_largest_id_the_database_holds_is_accepted() -> None:
    frame = decode_client(b'{"type":"history","id":"a","conversation_id":9223372036854775807}')
    assert isinstance(frame, f.History) and frame.conversation_id == 2**63 - 1


@pytest.mark.parametrize("data", [
    b'{"type":"shop_settings","id":"a","opens":"09:00\\n"}',
    b'{"type":"shop_settings","id":"a","closes":"24:00\\n"}',
    b'{"type":"template_save","id":"a","template":{"scope":"personal","group":"g","title":"t","body":"b",'
    b'"shortcut":"abc\\n"}}',
])
def test_a_pattern_field_with_a_final_line_break_is_an_invalid_field(data: bytes) -> None:
    with pytest.raises(FrameError) as err:
        decode_client(data)
    assert (err.value.code, err.value.request_id) == ("invalid_field", "a")


@pytest.mark.parametrize("data", [
    b'{"type":"send","id":"a","conversation_id":1,"client_msg_id":"c","text":"hi\\u0000"}',
    b'{"type":"open","id":"a","shop":"\\u0000"}',
    b'{"type":"template_save","id":"a","template":{"scope":"personal","group":"g","title":"\\u0000","body":"b"}}',
])
def test_nul_in_a_string_is_an_invalid_field(data: bytes) -> None:
    with pytest.raises(FrameError) as err:
        decode_client(data)
    assert (err.value.code, err.value.request_id) == ("invalid_field", "a")


def test_an_escaped_backslash_before_u0000_is_text_not_nul() -> None:
    frame = decode_client(b'{"type":"send","id":"a","conversation_id":1,"client_msg_id":"c","text":"\\\\u0000"}')
    assert isinstance(frame, f.Send) and frame.text == "\\u0000"
