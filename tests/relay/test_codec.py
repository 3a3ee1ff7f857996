"""The codec's limits bind what clients send, not what the relay sends."""

from __future__ import annotations

import pytest

from wire import MAX_FRAME_BYTES
from wire import frames as f
from wire.codec import FrameError, decode_client, decode_server, encode


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
