"""Hypothesis strategies of client frames, built from the wire types, and of their mutations.

`frames()` walks `msgspec.inspect.type_info(wire.frames.ClientFrame)` (structs, tagged unions, lengths,
patterns and ranges, literals, optionals, lists, dicts); text mixes CJK, emoji, control, bidi and
zero-width characters and FTS5 syntax. `cases()` adds mutations (wrong types, huge ints, floats, NaN,
deep nesting, bad UTF-8, lone surrogates, sizes at the limits, bad `type`, not an object, truncated,
binary), each with the answers docs/protocol.md allows (`judge`); `accepts` is msgspec's rule, written
out. Used by tests/relay/test_fuzz.py and bench/fuzz.py.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import msgspec
import msgspec.inspect as mi
from hypothesis import strategies as st

from wire import MAX_FRAME_BYTES
from wire import frames as f

FTS5_SYNTAX = ('"', '""', "NEAR(", "NEAR(a b, 2)", "*", "退*", "-", "AND", "OR", "NOT", "^", ":", "col:退货",
               "(", ")", "{", "}", "+", "'")
BIDI = ("\u202e", "\u202d", "\u202a", "\u202b", "\u202c", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e",
        "\u200f", "\u061c")
ZERO_WIDTH = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u180e")
CONTROL = (*(chr(c) for c in range(32)), "\x7f", "\x85", "\u2028", "\u2029")
OTHER = ("退货", "你好", "洗衣机能上门安装吗", "😀", "👨\u200d👩\u200d👧", "e\u0301", "\U0010ffff", "\ufffd", " ",
         "\t", "A款", "\\", "</script>", "%s", "{buyer_name}", "\u3000", "١٢٣")
FRAGMENTS = FTS5_SYNTAX + BIDI + ZERO_WIDTH + CONTROL + OTHER

SOFT_MAX = 60
"""Most items for strings and lists of no declared maximum (a declared one is drawn by repetition)."""
INT64_MAX = 2**63 - 1
HUGE_INTS = (INT64_MAX, 2**63, 2**64, -(2**63) - 1, -(2**70), 10**30)
FLOATS = (1.0, 1.5, -0.0, 0.5, 1e308, -1e-300)
WRONG_VALUES: tuple[Any, ...] = ("", "x", "1", "\x00", 0, -1, 1, True, False, None, [], [1], ["x"], {}, {"a": 1},
                                 {"1": 1}, *HUGE_INTS, *FLOATS)
DEEP = 10_000
"""Nesting depth of the deep-nesting mutation (the issue asks for 10,000-deep lists)."""
CLIENT_FRAME = mi.type_info(f.ClientFrame)
assert isinstance(CLIENT_FRAME, mi.UnionType)
STRUCTS: tuple[mi.StructType, ...] = tuple(t for t in CLIENT_FRAME.types if isinstance(t, mi.StructType))
TAGS = frozenset(str(t.tag) for t in STRUCTS)
SERVER_TAGS = tuple(sorted({str(t.tag) for t in mi.type_info(f.ServerFrame).types  # type: ignore[attr-defined]
                            if isinstance(t, mi.StructType)} - TAGS))
Hints = Mapping[str, st.SearchStrategy[Any]]
"""More values for fields by name (ids that exist), drawn as often as the type's own."""
Favour = Mapping[type, int]
FAVOUR: dict[str, dict[type, int]] = {  # the frames each role sends most, drawn this many times as often
    "buyer": {f.Send: 8, f.Open: 2, f.History: 2, f.Read: 2, f.Rate: 2, f.AnswerOffer: 2},
    "agent": {f.Send: 8, f.SendCard: 3, f.AddNote: 2, f.History: 2, f.ListTemplates: 2, f.RenderTemplate: 2},
    "supervisor": {f.ShopSettings: 4, f.CallSettings: 2, f.SaveTemplate: 3, f.Send: 3, f.AddNote: 2, f.SetCap: 2},
}


@dataclass(frozen=True)
class Case:
    """One frame to send and the answers docs/protocol.md (section 7) allows: an error of `codes`; when
    `valid`, its own answer or a refusal of it (forbidden, not_found...). `request_id`: the id to echo."""

    kind: str
    data: bytes
    codes: frozenset[str] = frozenset()
    valid: bool = False
    request_id: str | None = None
    binary: bool = False


# --- the oracle ---------------------------------------------------------------------------------


def _in_bounds(t: Any, n: float) -> bool:
    return ((t.ge is None or n >= t.ge) and (t.gt is None or n > t.gt)
            and (t.le is None or n <= t.le) and (t.lt is None or n < t.lt))


def _length_ok(t: Any, n: int) -> bool:
    return (t.min_length is None or n >= t.min_length) and (t.max_length is None or n <= t.max_length)


def accepts(t: mi.Type, v: Any) -> bool:
    """Whether msgspec decodes the JSON form of `v` as type `t` (int dict keys stand for their JSON strings)."""
    if isinstance(t, mi.UnionType):
        return any(accepts(x, v) for x in t.types)
    if isinstance(t, mi.NoneType):
        return v is None
    if isinstance(t, mi.BoolType):
        return isinstance(v, bool)
    if isinstance(t, mi.IntType):
        return type(v) is int and _in_bounds(t, v)
    if isinstance(t, mi.FloatType):
        return type(v) in (int, float) and _in_bounds(t, v)
    if isinstance(t, mi.StrType):
        return (isinstance(v, str) and _length_ok(t, len(v))
                and (t.pattern is None or re.search(t.pattern, v) is not None))  # msgspec: re.search
    if isinstance(t, mi.LiteralType):
        return any(type(v) is type(x) and v == x for x in t.values)
    if isinstance(t, mi.ListType):
        return isinstance(v, list) and _length_ok(t, len(v)) and all(accepts(t.item_type, x) for x in v)
    if isinstance(t, mi.DictType):
        return (isinstance(v, dict) and _length_ok(t, len(v))
                and all(_key_ok(t.key_type, k) and accepts(t.value_type, x) for k, x in v.items()))
    if isinstance(t, mi.StructType):
        if not isinstance(v, dict) or (t.tag_field is not None and v.get(t.tag_field) != t.tag):
            return False
        return all(accepts(fl.type, v[fl.encode_name]) if fl.encode_name in v else not fl.required
                   for fl in t.fields)
    raise NotImplementedError(f"no oracle for {t!r}")


def _key_ok(t: mi.Type, key: Any) -> bool:
    if isinstance(t, mi.IntType) and isinstance(key, str):
        return re.fullmatch(r"-?(0|[1-9][0-9]*)", key) is not None and accepts(t, int(key))
    return accepts(t, key)


# --- valid values, from the types -----------------------------------------------------------


@functools.cache
def texts(min_size: int = 0, max_size: int | None = None) -> st.SearchStrategy[str]:
    """Strings of `min_size`..`max_size` code points of FRAGMENTS and other characters, often at a bound."""
    hi = max_size if max_size is not None else max(SOFT_MAX, min_size)
    piece = st.sampled_from(FRAGMENTS) | st.text(st.characters(codec="utf-8"), min_size=1, max_size=6)
    mixed = st.lists(piece, max_size=10).map("".join).map(lambda s: _fit(s, min_size, hi))
    at_bound = st.tuples(piece, st.sampled_from(sorted({min_size, hi}))).map(lambda p: _fit(p[0] * p[1], p[1], p[1]))
    return st.one_of(mixed, at_bound)


def _fit(s: str, lo: int, hi: int) -> str:
    s = s[:hi]
    return s + "好" * (lo - len(s))


def ints(t: mi.IntType) -> st.SearchStrategy[int]:
    lo = t.ge if t.ge is not None else (t.gt + 1 if t.gt is not None else None)
    hi = t.le if t.le is not None else (t.lt - 1 if t.lt is not None else None)
    edges = [x for x in (lo, hi, 0, 1, INT64_MAX, 2**63, 2**64) if x is not None and accepts(t, x)]
    low_end = (st.integers(lo, lo + 30 if hi is None else min(hi, lo + 30)) if lo is not None
               else st.integers(-30, 30).filter(lambda x: accepts(t, x)))
    return st.one_of(low_end, st.integers(lo, hi), st.sampled_from(edges))


def strategy(t: mi.Type, hints: Hints | None = None, name: str = "") -> st.SearchStrategy[Any]:
    """Valid values of `t` (the JSON-ready Python form); `hints` add values by field name (known ids)."""
    hints = hints or {}
    base = _strategy(t, hints)
    return st.one_of(hints[name], base) if name in hints else base


def _strategy(t: mi.Type, hints: Hints) -> st.SearchStrategy[Any]:
    if isinstance(t, mi.UnionType):
        return st.one_of([_strategy(x, hints) for x in t.types])
    if isinstance(t, mi.NoneType):
        return st.none()
    if isinstance(t, mi.BoolType):
        return st.booleans()
    if isinstance(t, mi.IntType):
        assert t.multiple_of is None, "no wire type uses multiple_of yet"
        return ints(t)
    if isinstance(t, mi.StrType) and t.pattern is not None:
        return st.from_regex(t.pattern).filter(lambda s: _length_ok(t, len(s)))
    if isinstance(t, mi.StrType):
        return texts(t.min_length or 0, t.max_length)
    if isinstance(t, mi.LiteralType):
        return st.sampled_from(t.values)
    if isinstance(t, mi.ListType):
        return st.lists(_strategy(t.item_type, hints), min_size=t.min_length or 0,
                        max_size=min(t.max_length or SOFT_MAX, SOFT_MAX))
    if isinstance(t, mi.DictType):
        return st.dictionaries(_strategy(t.key_type, hints), _strategy(t.value_type, hints),
                               min_size=t.min_length or 0, max_size=min(t.max_length or 8, 8))
    if isinstance(t, mi.StructType):
        return struct(t, hints)
    raise NotImplementedError(f"no strategy for {t!r}")


def struct(t: mi.StructType, hints: Hints | None = None) -> st.SearchStrategy[dict[str, Any]]:
    """A struct as a JSON object: its tag, every required field, some of the optional ones."""
    hints = hints or {}
    required: dict[str, st.SearchStrategy[Any]] = {}
    if t.tag_field is not None:
        required[t.tag_field] = st.just(t.tag)
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for fl in t.fields:
        (required if fl.required else optional)[fl.encode_name] = strategy(fl.type, hints, fl.name)
    return st.fixed_dictionaries(required, optional=optional)


def frames(hints: Hints | None = None, favour: Favour | None = None) -> st.SearchStrategy[dict[str, Any]]:
    """Valid client frames, as JSON objects; each type once, or `favour[cls]` times."""
    made = {t.tag: struct(t, hints) for t in STRUCTS}
    return st.sampled_from([t for t in STRUCTS for _ in range((favour or {}).get(t.cls, 1))]).flatmap(
        lambda t: made[t.tag])


# --- mutations --------------------------------------------------------------------------------


def _readable_id(obj: Any) -> str | None:
    rid = obj.get("id") if isinstance(obj, dict) else None
    return rid if isinstance(rid, str) and 0 < len(rid) <= 64 else None


def _judged(kind: str, obj: Any) -> Case:
    """A JSON value whose answer follows from the oracle: valid, bad_frame, unknown_type or invalid_field."""
    data = msgspec.json.encode(obj)
    rid = _readable_id(obj)
    if len(data) > MAX_FRAME_BYTES:
        return Case(kind, data, TOO_LARGE, request_id=rid)
    if not isinstance(obj, dict):
        return Case(kind, data, BAD_FRAME)
    tag = obj.get("type")
    if not isinstance(tag, str) or tag not in TAGS:
        return Case(kind, data, frozenset({"unknown_type"}), request_id=rid)
    target = next(s for s in STRUCTS if s.tag == tag)
    if accepts(target, obj):
        return Case(kind, data, valid=True, request_id=rid)
    return Case(kind, data, frozenset({"invalid_field"}), request_id=rid)


def _raw(kind: str, data: bytes, codes: frozenset[str], also: Case | None = None) -> Case:
    """Bytes that are not a frame's JSON: `codes` answer them, or `also`'s (if the bad bytes are ignored)."""
    if len(data) > MAX_FRAME_BYTES:
        return Case(kind, data, TOO_LARGE, request_id=_id_in(data))
    if also is None:
        return Case(kind, data, codes)
    return Case(kind, data, codes | also.codes, also.valid, also.request_id)


def _id_in(data: bytes) -> str | None:
    """The id of a frame as Python's own JSON parser reads it (a too_large error may echo it)."""
    try:
        return _readable_id(json.loads(data))
    except (ValueError, RecursionError):
        return None


def _splice(obj: dict[str, Any], key: str, raw: bytes) -> bytes:
    """`obj` encoded with the value of `key` (added when missing) replaced by the raw bytes `raw`."""
    marker = "\x01splice\x01"
    data = msgspec.json.encode({**obj, key: marker})
    return data.replace(msgspec.json.encode(marker), raw, 1)


_STR_ESCAPES = (b"\\ud800", b"\\udfff", b"\\udc00\\ud800", b"a\\ud83d", b"\\ud83d\\u0041")
_BAD_UTF8 = (b"\xff", b"\xfe", b"\xc3\x28", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xe4\xbd", b"\x80")
_RAW_CONTROL = (b"\x00", b"\x01", b"\n", b"\x1f")


@functools.cache
def _index(n: int) -> st.SearchStrategy[int]:
    return st.integers(0, n - 1)


def pick(draw: st.DrawFn, values: Sequence[Any]) -> Any:
    """One of `values`, shrinking towards the first (one strategy per length: drawing stays cheap)."""
    return values[draw(_index(len(values)))]


Mutation = Callable[[st.DrawFn, mi.StructType, dict[str, Any]], Case]
BAD_FRAME = frozenset({"bad_frame"})
TOO_LARGE = frozenset({"too_large"})
REFUSED = frozenset({"bad_frame", "invalid_field"})
"""Malformed JSON inside a field: msgspec may first find that the field has the wrong type."""
UNKNOWN = "x-unknown"


def _names(t: mi.StructType) -> list[str]:
    return [fl.encode_name for fl in t.fields]


def _extra_field(draw: st.DrawFn, t: mi.StructType, obj: dict[str, Any]) -> Case:
    extra = {f"x-{draw(texts(0, 12))}": pick(draw, WRONG_VALUES) if draw(st.booleans()) else draw(texts())
             for _ in range(draw(_index(3)) + 1)}
    return _judged("extra_field", {**obj, **extra})


def _replace(kind: str, pool: Sequence[Any]) -> Mutation:
    def mutate(draw: st.DrawFn, t: mi.StructType, obj: dict[str, Any]) -> Case:
        return _judged(kind, {**obj, pick(draw, _names(t)): pick(draw, pool)})

    return mutate


def _nested_wrong_type(draw: st.DrawFn, t: mi.StructType, obj: dict[str, Any]) -> Case:
    nested = [name for name in _names(t) if isinstance(obj.get(name), dict) and obj[name]]
    if not nested:
        return _judged("valid", obj)
    outer = pick(draw, nested)
    inner = pick(draw, sorted(obj[outer]))
    return _judged("nested_wrong_type", {**obj, outer: {**obj[outer], inner: pick(draw, WRONG_VALUES)}})


def _missing_field(draw: st.DrawFn, t: mi.StructType, obj: dict[str, Any]) -> Case:
    key = pick(draw, ["type", *(n for n in _names(t) if n in obj)])
    return _judged("missing_field", {k: v for k, v in obj.items() if k != key})


def _wrong_tag(draw: st.DrawFn, t: mi.StructType, obj: dict[str, Any]) -> Case:
    tags: tuple[Any, ...] = (5, None, [], {}, True, 1.5, ["sync"], "", "SYNC", "sync ", *SERVER_TAGS)
    tag = pick(draw, tags) if draw(st.booleans()) else draw(texts(0, 30))
    return _judged("unknown_type", {**obj, "type": tag})


def _not_an_object(draw: st.DrawFn, t: mi.StructType, obj: dict[str, Any]) -> Case:
    if draw(st.booleans()):
        return _judged("non_object", pick(draw, ([], [obj], "sync", 42, -1.5, None, True, False, [1, 2])))
    junk = draw(st.binary(max_size=40).filter(lambda b: not b.lstrip(b" \t\r\n").startswith(b"{")))
    return _raw("garbage", junk, BAD_FRAME)


def _bad_number(draw: st.DrawFn, t: mi.StructType, obj: dict[str, Any]) -> Case:
    """NaN and friends are not JSON; 1e400 is, but no double holds it."""
    raw = pick(draw, (b"NaN", b"Infinity", b"-Infinity", b"nan", b"+1", b"01", b"0x10", b".5", b"1e400", b"-1e400"))
    codes = frozenset({"invalid_field"}) if raw.endswith(b"e400") else REFUSED
    return _raw("nan", _splice(obj, pick(draw, _names(t)), raw), codes)


def _deep_nesting(draw: st.DrawFn, t: mi.StructType, obj: dict[str, Any]) -> Case:
    opener, inner, closer = pick(draw, ((b"[", b"", b"]"), (b'{"a":', b"1", b"}")))
    deep = opener * DEEP + inner + closer * DEEP
    if draw(st.booleans()):
        return _raw("deep_nesting", deep, BAD_FRAME)  # the whole frame
    key = pick(draw, [*_names(t), UNKNOWN])
    return _raw("deep_nesting", _splice(obj, key, deep), REFUSED if key != UNKNOWN else BAD_FRAME)


def _bad_string(draw: st.DrawFn, t: mi.StructType, obj: dict[str, Any]) -> Case:
    """Invalid UTF-8, a lone surrogate (as a JSON escape) or a raw control character in a string."""
    kind = pick(draw, ("invalid_utf8", "lone_surrogate", "raw_control"))
    bad = pick(draw, {"invalid_utf8": _BAD_UTF8, "lone_surrogate": _STR_ESCAPES, "raw_control": _RAW_CONTROL}[kind])
    key = pick(draw, [*_names(t), UNKNOWN, "key"])
    ignored = _judged(kind, obj) if key in (UNKNOWN, "key") else None  # msgspec skips unknown fields unread
    if key == "key":
        return _raw(kind, msgspec.json.encode(obj)[:-1] + b', "k' + bad + b'": 1}', BAD_FRAME, ignored)
    text = msgspec.json.encode(draw(texts(0, 5)))[:-1]
    return _raw(kind, _splice(obj, key, text + bad + b'"'), BAD_FRAME if key == UNKNOWN else REFUSED, ignored)


def _frame_size(draw: st.DrawFn, t: mi.StructType, obj: dict[str, Any]) -> Case:
    """`obj` with an unknown field `pad` that makes it exactly MAX_FRAME_BYTES, or one more."""
    size = MAX_FRAME_BYTES + draw(st.booleans())
    base = len(msgspec.json.encode({**obj, "pad": ""}))
    return _judged("frame_size", {**obj, "pad": "p" * (size - base)})


def _truncated(draw: st.DrawFn, t: mi.StructType, obj: dict[str, Any]) -> Case:
    data = msgspec.json.encode(obj)
    return _raw("truncated", data[:draw(st.integers(0, len(data) - 1))], BAD_FRAME)


def _binary(draw: st.DrawFn, t: mi.StructType, obj: dict[str, Any]) -> Case:
    return Case("binary", msgspec.json.encode(obj), BAD_FRAME, binary=True)


def _at_bounds(draw: st.DrawFn, t: mi.StructType, obj: dict[str, Any]) -> Case:
    return _judged("at_bounds", {**obj, **_bound_value(draw, t.fields)})


def _bound_value(draw: st.DrawFn, fields: Sequence[mi.Field]) -> dict[str, Any]:
    """A field's value just inside or just outside its declared length or range."""
    bounded: list[tuple[mi.Field, mi.Type]] = []
    for fl in fields:
        for t in (fl.type.types if isinstance(fl.type, mi.UnionType) else (fl.type,)):
            sized = isinstance(t, (mi.StrType, mi.ListType)) and (t.min_length or t.max_length is not None)
            if sized or (isinstance(t, mi.IntType) and (t.ge, t.gt, t.le, t.lt) != (None, None, None, None)):
                bounded.append((fl, t))
    if not bounded:
        return {}
    fl, t = pick(draw, bounded)
    if isinstance(t, mi.IntType):
        edges = [x for x in (t.ge, t.gt, t.le, t.lt) if x is not None]
        return {fl.encode_name: pick(draw, edges) + pick(draw, (-1, 0, 1))}
    if isinstance(t, mi.StrType) and t.pattern is not None and draw(st.booleans()):
        pattern = t.pattern  # a valid value, then a line break or a space
        good = draw(_once(pattern, lambda: st.from_regex(pattern, fullmatch=True)))
        return {fl.encode_name: good + pick(draw, ("\n", " ", "\r\n", "\u2028"))}
    sizes = [n for n in (t.min_length, t.max_length) if n is not None]
    size = max(0, pick(draw, sizes) + pick(draw, (-1, 0, 1)))
    if isinstance(t, mi.StrType):
        piece = pick(draw, FRAGMENTS)
        return {fl.encode_name: _fit(piece * size, size, size)}
    assert isinstance(t, mi.ListType)
    return {fl.encode_name: [draw(_once(id(t), lambda: _strategy(t.item_type, {})))] * size}


_MADE: dict[object, st.SearchStrategy[Any]] = {}
"""Strategies made once: by pattern, or by the id of a list type (they live as long as STRUCTS)."""


def _once(key: object, make: Callable[[], st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    if key not in _MADE:
        _MADE[key] = make()
    return _MADE[key]


MUTATIONS: tuple[Mutation, ...] = (
    *[lambda draw, t, obj: _judged("valid", obj)] * 8,
    *[_extra_field] * 2, *[_replace("wrong_type", WRONG_VALUES)] * 3, _nested_wrong_type,
    _replace("huge_int", HUGE_INTS), _replace("float_for_int", FLOATS), *[_at_bounds] * 3, _missing_field,
    *[_wrong_tag] * 2, *[_not_an_object] * 2, _bad_number, _deep_nesting, *[_bad_string] * 3, _frame_size,
    _truncated, _binary,
)
"""Each mutation, as often as it is drawn (about a third of the cases are valid frames)."""


def cases(hints: Hints | None = None, favour: Favour | None = None) -> st.SearchStrategy[Case]:
    """A frame to send (valid or mutated) and the answers it may get; each type once, or `favour[cls]` times
    (to send more chat than call set-up)."""
    types = [t for t in STRUCTS for _ in range((favour or {}).get(t.cls, 1))]
    made = {t.tag: struct(t, hints) for t in STRUCTS}  # once: making strategies costs more than drawing

    @st.composite
    def case(draw: st.DrawFn) -> Case:
        t = pick(draw, types)
        mutate: Mutation = pick(draw, MUTATIONS)
        return mutate(draw, t, draw(made[t.tag]))

    return case()


# --- judging answers ----------------------------------------------------------------------------

REFUSALS = frozenset({
    "bad_frame", "unknown_type", "invalid_field", "too_large", "rate_limited", "forbidden", "not_found", "conflict",
    "calls_off", "call_not_started", "call_inactive", "call_daily_limit", "call_cooldown", "call_blocked",
    "call_busy", "call_state",
})
"""The codes that refuse a request over the WebSocket (docs/protocol.md section 7, and section 12 for calls).
Never `internal` (an unexpected relay error) nor `unavailable` (the store failed)."""


def is_answer(frame: Mapping[str, Any]) -> bool:
    """Whether a frame from the relay answers a request (an error, or naming a request); others are pushed."""
    return frame.get("type") == "error" or frame.get("id") is not None


def judge(case: Case, answer: Mapping[str, Any]) -> str | None:
    """What is wrong with `answer` as the relay's answer to `case`, or None."""
    rid = answer.get("id")
    if answer.get("type") != "error":
        if not case.valid:
            return f"{case.kind}: answered {answer.get('type')!r}, expected an error {sorted(case.codes)}"
        return None if rid == case.request_id else f"{case.kind}: answer names request {rid!r}"
    code = answer.get("code")
    if code in case.codes:
        if code == "bad_frame" and rid is not None:
            return f"{case.kind}: bad_frame names request {rid!r}"  # documented: sent without id
        if code in ("unknown_type", "invalid_field") and case.request_id is not None and rid != case.request_id:
            return f"{case.kind}: {code} does not echo the id {case.request_id!r} (has {rid!r})"
        return None if rid in (None, case.request_id) else f"{case.kind}: {code} names request {rid!r}"
    if case.valid and code in REFUSALS:
        return None if rid == case.request_id else f"{case.kind}: refusal {code} names request {rid!r}"
    expected = sorted(case.codes) + (["its answer or a refusal"] if case.valid else [])
    return f"{case.kind}: error {code!r} ({answer.get('message')!r}), expected {expected}"
