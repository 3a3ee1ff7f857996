"""Search of the local history, and its exports.

Search. Terms are the whitespace-separated words of the query; a hit contains every term,
ignoring case. Newest first, at most `limit`, read from an index in rowid order and stopped early.
- Every term of 3+ characters: the FTS5 `trigram` index over `text` (an external-content table
  kept by sqlite-utils' triggers), one MATCH of the quoted terms: exact substrings.
- Any shorter term: trigram cannot look up 1-2 characters, and `LIKE` costs ~175 ms on 1M rows,
  so a second index serves them: a contentless FTS5 table (`detail=none`: rowids only, no
  positions) whose document is the text cut into every CJK (non-ASCII) character and adjacent
  pair within a run, every ASCII word, and the trigrams of longer ASCII words. Each 1-2
  character term is then one token, whatever the characters: `到` a character, `退货` a pair
  (never across punctuation), `5G` a word, `A款` the tokens `a` and `款`; so a rare pair of
  frequent characters is as cheap as any other. Longer terms in the same query become the
  pairs and trigrams they must contain, and the whole query is one AND inside FTS5, which
  intersects the doclists itself (a rare term anywhere keeps the query cheap).
- Candidates are then checked exactly: terms without case (CJK, punctuation) or with ASCII
  letters only by `instr` in the query (SQLite's `lower()` folds ASCII only), all of them by a
  Python check. Short ASCII terms match whole ASCII words (`ok` does not find `book`), everywhere.
- unicode61 drops punctuation and symbols, so the short-term index stores each one as a made-up
  token (`？` as `zz00ff1f`): a query of `？` or `☆` is a lookup too.
- Within one conversation of up to `SCAN_CONVERSATION_MAX` messages the conversation itself is
  scanned (same rules, bounded), instead of filtering a global index by conversation.
User text never reaches FTS5 as syntax: every term is a quoted string. Only `text` is indexed:
for cards and system messages the relay fills it; card JSON and sender names are not searched.
Changing `short_index_terms` needs a migration that rebuilds `messages_short`: a contentless
table deletes a row only given the very tokens it indexed.
"""

from __future__ import annotations

import csv
import datetime
import os
import re
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from sqlite_utils import Database

from app import history_notes

SCAN_CONVERSATION_MAX = 20_000
"""Per-conversation search scans a conversation this small instead of filtering a global index."""


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One message matching a search, with its conversation's buyer for the result list."""

    conversation_id: int
    seq: int
    buyer_name: str
    sender_name: str
    text: str
    ts: int
    note_kind: str | None = None
    """"note" or "whisper" for a staff note (`seq` is then the message it follows), None for a message."""


_RUNS = re.compile(r"[0-9A-Za-z]+|[^\W_\x00-\x7f]+|[^\w\s]|_")
"""ASCII words, runs of other letters and digits (CJK), and single symbols (punctuation, emoji)."""


def _symbol(char: str) -> str:
    """A symbol as a token: unicode61 drops punctuation, so `？` is indexed as `zz00ff1f`."""
    return f"zz{ord(char):06x}"


def short_index_terms(text: str) -> str:
    """The document of `messages_short`: CJK characters and pairs, ASCII words and their trigrams, symbols."""
    out: list[str] = []
    for run in _RUNS.findall(text):
        if not run[0].isalnum():
            out.append(_symbol(run))
        elif run.isascii():
            out.append(run)
            if len(run) > 3:
                out.extend(run[i:i + 3] for i in range(len(run) - 2))
        else:
            out.extend(run)
            out.extend(run[i:i + 2] for i in range(len(run) - 1))
    return " ".join(out)


def _short_tokens(term: str) -> list[str]:
    """Tokens of the short-term index that every text containing `term` has (the rule of `_Query`)."""
    tokens: list[str] = []
    for run in _RUNS.findall(term):
        if not run[0].isalnum():
            tokens.append(_symbol(run))
        elif not run.isascii():
            tokens.extend(run if len(run) == 1 else (run[i:i + 2] for i in range(len(run) - 1)))
        elif len(term) < 3:
            tokens.append(run)  # a short ASCII term is a whole word
        elif len(run) >= 3:
            tokens.extend(run[i:i + 3] for i in range(len(run) - 2))
        # a 1-2 letter ASCII run inside a longer term may be part of a longer word: no token
    return tokens


def _quote(term: str) -> str:
    """An FTS5 string: whatever the user typed is matched literally, never parsed as syntax."""
    return '"' + term.replace('"', '""') + '"'


_WORD_EDGE = "0-9a-z"


@dataclass(frozen=True, slots=True)
class _Query:
    """A parsed search: what can drive it (an index) and the checks every hit passes.

    A hit contains every term, ignoring case; a term of 1-2 characters that starts (ends) with an
    ASCII letter or digit must not continue a longer ASCII word there. `contains` are the checks
    SQL can make (`instr`, with `lower()` for ASCII letters: the only case SQLite folds), `patterns`
    the exact rule.
    """

    patterns: tuple[re.Pattern[str], ...]
    contains: tuple[tuple[str, str], ...]  # (SQL condition, its parameter)
    trigram: str | None  # MATCH expression when every term has 3+ characters
    short: str  # MATCH expression over the short-term index (every character yields a token)

    def matches(self, text: str) -> bool:
        folded = text.casefold()
        return all(p.search(folded) for p in self.patterns)


_UNSEARCHABLE = re.compile("[\x00\ud800-\udfff]")
"""What no stored text holds (the relay refuses NUL; lone surrogates are not text) and neither SQLite nor
FTS5 takes in a query (U+0000 ends a quoted string; sqlite3 cannot bind a lone surrogate): a word break."""


def parse(query: str) -> _Query | None:
    terms = list(dict.fromkeys(_UNSEARCHABLE.sub(" ", query).split()))
    if not terms:
        return None
    patterns, contains, tokens = [], [], []
    for term in terms:
        folded = re.escape(term.casefold())
        if len(term) < 3:
            head = f"(?<![{_WORD_EDGE}])" if term[0].isascii() and term[0].isalnum() else ""
            tail = f"(?![{_WORD_EDGE}])" if term[-1].isascii() and term[-1].isalnum() else ""
            folded = head + folded + tail
        patterns.append(re.compile(folded))
        if term.lower() == term.upper():  # no case: CJK, digits, punctuation
            contains.append(("instr(m.text, ?) > 0", term))
        elif all(c.isascii() or c.lower() == c.upper() for c in term):  # SQLite's lower() folds ASCII only
            contains.append(("instr(lower(m.text), ?) > 0", term.lower()))
        tokens += _short_tokens(term)
    return _Query(
        patterns=tuple(patterns),
        contains=tuple(contains),
        trigram=" ".join(_quote(t) for t in terms) if all(len(t) >= 3 for t in terms) else None,
        short=" ".join(_quote(t) for t in dict.fromkeys(tokens)),
    )


_HIT = ("SELECT m.conversation_id, m.seq, COALESCE(c.buyer_name, ''), m.sender_name, m.text, m.ts"
        " FROM {source} JOIN messages m ON m.id = {source}.rowid"
        " LEFT JOIN conversations c ON c.conversation_id = m.conversation_id"
        " WHERE {source} MATCH ?{where} ORDER BY {source}.rowid DESC")


_HIT_SCAN = ("SELECT m.conversation_id, m.seq, COALESCE(c.buyer_name, ''), m.sender_name, m.text, m.ts"
             " FROM messages m LEFT JOIN conversations c ON c.conversation_id = m.conversation_id")


def index_short(conn: sqlite3.Connection, rows: Iterable[tuple[int, str]]) -> None:
    conn.executemany("INSERT INTO messages_short (rowid, terms) VALUES (?, ?)",
                     ((i, short_index_terms(text)) for i, text in rows))


def unindex_short(conn: sqlite3.Connection, msg_id: int, text: str) -> None:
    # contentless (and SQLite 3.40 has no contentless_delete): deleting takes the indexed document
    conn.execute("INSERT INTO messages_short (messages_short, rowid, terms) VALUES ('delete', ?, ?)",
                 (msg_id, short_index_terms(text)))


def search(db: Database, query: str, limit: int, conversation_id: int | None) -> list[SearchHit]:
    parsed = parse(query)
    if parsed is None or limit <= 0:
        return []
    conn = db.conn
    where = "".join(f" AND {condition}" for condition, _ in parsed.contains)
    params: list[Any] = [value for _, value in parsed.contains]
    if conversation_id is not None:
        where += " AND m.conversation_id = ?"
        params.append(conversation_id)
        low, high = conn.execute("SELECT min(seq), max(seq) FROM messages WHERE conversation_id = ?",
                                 (conversation_id,)).fetchone()
        if low is None:
            return []
    if conversation_id is not None and high - low < SCAN_CONVERSATION_MAX:
        sql, match = _HIT_SCAN + f" WHERE 1{where} ORDER BY m.seq DESC", None
    elif parsed.trigram is not None:  # every term has 3+ characters: the trigram index is exact
        sql, match = _HIT.format(source="messages_fts", where=where), parsed.trigram
    else:  # one AND over the short-term index, intersected inside FTS5
        sql, match = _HIT.format(source="messages_short", where=where), parsed.short
    cursor = conn.execute(sql, params if match is None else [match, *params])
    hits: list[SearchHit] = []
    try:
        for row in cursor:
            if parsed.matches(row[4]):
                hits.append(SearchHit(*row))
                if len(hits) >= limit:
                    break
    finally:
        cursor.close()  # ends the read at once, so checkpoints are not held back
    notes = history_notes.search_notes(db, parsed.matches, limit, conversation_id)
    if notes:
        hits += [SearchHit(n.conversation_id, n.after_seq, buyer, n.author_name, n.text, n.ts, n.kind)
                 for n, buyer in notes]
        hits = sorted(hits, key=lambda h: h.ts, reverse=True)[:limit]
    return hits


def _local_time(ts: int) -> str:
    return datetime.datetime.fromtimestamp(ts / 1000).strftime("%Y-%m-%d %H:%M:%S")


def export(db: Database, conversation_id: int, path: Path, fmt: Literal["txt", "csv"]) -> int:
    if fmt not in ("txt", "csv"):
        raise ValueError(f"unknown export format {fmt!r}: use 'txt' or 'csv'")
    rows: Iterator[tuple[int, int, str, str, str]] = db.conn.execute(
        "SELECT seq, ts, sender_kind, sender_name, text FROM messages WHERE conversation_id = ? ORDER BY seq",
        (conversation_id,))
    partial = path.with_name(path.name + ".partial")
    count = 0
    try:
        with partial.open("w", encoding="utf-8-sig" if fmt == "csv" else "utf-8", newline="") as out:
            if fmt == "csv":
                writer = csv.writer(out)
                writer.writerow(["seq", "time", "sender_kind", "sender_name", "text"])
                for seq, ts, kind, name, text in rows:
                    writer.writerow([seq, _local_time(ts), kind, name, text])
                    count += 1
            else:
                for _seq, ts, _kind, name, text in rows:
                    body = text.replace("\r\n", "\n").replace("\n", "\n    ")
                    out.write(f"{_local_time(ts)}  {name}: {body}\n")
                    count += 1
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return count


def stats(db: Database, path: Path) -> dict[str, int]:
    conn = db.conn

    def one(sql: str) -> int:
        return int(conn.execute(sql).fetchone()[0])

    wal = Path(str(path) + "-wal")
    return {
        "messages": one("SELECT count(*) FROM messages"),
        "conversations": one("SELECT count(*) FROM conversations"),
        "outbox": one("SELECT count(*) FROM outbox"),
        "outbox_failed": one("SELECT count(*) FROM outbox WHERE state = 'failed'"),
        "db_bytes": one("PRAGMA page_count") * one("PRAGMA page_size"),
        "wal_bytes": wal.stat().st_size if wal.exists() else 0,
    }
