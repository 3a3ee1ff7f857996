"""Encoding and validating frames. Decoding never raises anything but `FrameError`."""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec

from wire import MAX_FRAME_BYTES
from wire.errors import ErrorCode
from wire.frames import ClientFrame, ServerFrame

T = TypeVar("T")

_encoder = msgspec.json.Encoder()
_client_decoder = msgspec.json.Decoder(ClientFrame)
_server_decoder = msgspec.json.Decoder(ServerFrame)


class FrameError(Exception):
    """A frame that cannot be accepted, with the error code to answer it with."""

    def __init__(self, code: ErrorCode, message: str, request_id: str | None = None,
                 retry_after: float | None = None, reason: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.request_id = request_id
        self.retry_after = retry_after
        self.reason = reason


def encode(frame: Any) -> bytes:
    """Serialise a frame (or any msgspec Struct) to JSON bytes."""
    return _encoder.encode(frame)


def _classify(exc: msgspec.DecodeError) -> tuple[ErrorCode, str]:
    text = str(exc)
    if not isinstance(exc, msgspec.ValidationError):
        return ErrorCode.BAD_FRAME, "frame is not valid JSON"
    if text.startswith("Expected `object`"):
        return ErrorCode.BAD_FRAME, "frame must be a JSON object"
    if "`$.type`" in text or "missing required field `type`" in text:
        return ErrorCode.UNKNOWN_TYPE, "unknown or missing frame type"
    return ErrorCode.INVALID_FIELD, text


def request_id_of(data: bytes | str) -> str | None:
    """Best effort: the `id` of a frame that is refused, so the error can echo it."""
    try:
        raw = msgspec.json.decode(data)
    except msgspec.DecodeError:
        return None
    if isinstance(raw, dict):
        rid = raw.get("id")
        if isinstance(rid, str) and 0 < len(rid) <= 64:
            return rid
    return None


def _decode(decoder: msgspec.json.Decoder[Any], data: bytes | str, limit: int | None = MAX_FRAME_BYTES) -> Any:
    if limit is not None and len(data) > limit:
        raise FrameError(ErrorCode.TOO_LARGE, f"frame exceeds {limit} bytes")
    try:
        return decoder.decode(data)
    except msgspec.DecodeError as exc:
        code, message = _classify(exc)
        raise FrameError(code, message, request_id_of(data) if code != ErrorCode.BAD_FRAME else None) from None


def decode_client(data: bytes | str) -> ClientFrame:
    """Decode and validate a frame sent by a client."""
    frame: ClientFrame = _decode(_client_decoder, data)
    return frame


def decode_server(data: bytes | str) -> ServerFrame:
    """Decode and validate a frame sent by the relay.

    The 64 KiB limit binds what clients send; the relay's own frames may be larger (`synced` for
    a supervisor of hundreds of open chats, a page of long messages)."""
    frame: ServerFrame = _decode(_server_decoder, data, None)
    return frame


def decode_body(data: bytes, kind: type[T]) -> T:
    """Decode an HTTP JSON body into `kind`, raising FrameError(INVALID_FIELD/BAD_FRAME)."""
    try:
        return msgspec.json.decode(data, type=kind)
    except msgspec.DecodeError as exc:
        code, message = _classify(exc)
        if code == ErrorCode.UNKNOWN_TYPE:
            code = ErrorCode.INVALID_FIELD
        raise FrameError(code, message) from None
