"""Encoding and validating frames. Decoding never raises anything but `FrameError`."""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec

from wire import MAX_FRAME_BYTES
from wire.errors import ErrorCode
from wire.frames import ClientFrame, ServerFrame

T = TypeVar("T")

_UNREADABLE = (msgspec.DecodeError, UnicodeDecodeError, RecursionError)
"""What msgspec raises for bytes it cannot read: bad JSON, bad UTF-8 in a string it reads, nesting deeper
than the interpreter's recursion limit (even inside a field it would skip)."""

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


def _classify(exc: Exception) -> tuple[ErrorCode, str]:
    text = str(exc)
    if isinstance(exc, UnicodeDecodeError):
        return ErrorCode.BAD_FRAME, "frame is not valid UTF-8"
    if isinstance(exc, RecursionError):
        return ErrorCode.BAD_FRAME, "frame is nested too deeply"
    if not isinstance(exc, msgspec.ValidationError):
        return ErrorCode.BAD_FRAME, "frame is not valid JSON"
    if text.startswith("Expected `object`") and " - at `$" not in text:  # the frame itself, not one of its fields
        return ErrorCode.BAD_FRAME, "frame must be a JSON object"
    if "`$.type`" in text or "missing required field `type`" in text:
        return ErrorCode.UNKNOWN_TYPE, "unknown or missing frame type"
    return ErrorCode.INVALID_FIELD, text


def request_id_of(data: bytes | str) -> str | None:
    """Best effort: the `id` of a frame that is refused, so the error can echo it."""
    try:
        raw = msgspec.json.decode(data)
    except _UNREADABLE:
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
    except _UNREADABLE as exc:
        code, message = _classify(exc)
        raise FrameError(code, message, request_id_of(data) if code != ErrorCode.BAD_FRAME else None) from None


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, msgspec.Struct):
        return any(_has_nul(getattr(value, name)) for name in value.__struct_fields__)
    if isinstance(value, list | tuple):
        return any(_has_nul(item) for item in value)
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    return False


def _refuse_nul(data: bytes | str, decoded: Any, request_id: str | None) -> None:
    """U+0000 in a client's string is refused (PostgreSQL cannot store it, nor look it up). JSON has no raw
    NUL byte inside a string, so only the escape can put it there: the decoded value is walked only then."""
    escaped = b"\\u0000" in data if isinstance(data, bytes) else "\\u0000" in data
    if escaped and _has_nul(decoded):
        raise FrameError(ErrorCode.INVALID_FIELD, "strings must not contain U+0000 (NUL)", request_id)


def decode_client(data: bytes | str) -> ClientFrame:
    """Decode and validate a frame sent by a client."""
    frame: ClientFrame = _decode(_client_decoder, data)
    _refuse_nul(data, frame, frame.id)
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
        body = msgspec.json.decode(data, type=kind)
    except _UNREADABLE as exc:
        code, message = _classify(exc)
        if code == ErrorCode.UNKNOWN_TYPE:
            code = ErrorCode.INVALID_FIELD
        raise FrameError(code, message) from None
    _refuse_nul(data, body, None)
    return body
