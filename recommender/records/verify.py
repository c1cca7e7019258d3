"""`audit verify`: walk the hash chain and name the first record changed, removed or inserted.

A record's own hash must be sha256(its stored previous hash + its text); its previous hash must be
the hash of the record before it; its summary columns and ranks must say what its text says; and
the head row must count every record and end on the last hash. A break is told apart:
- the text no longer gives the stored hash, or a summary disagrees: that record was changed;
- the previous hash names a record further back: the records in between were inserted;
- the previous hash names no record seen: a record before it was removed (or the first one was
  replaced); the head counting more records than there are: the last ones were removed.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Optional


from recommender.domain.units import json_loads
from recommender.records import chain, log


def first_break(path: Path) -> tuple[int, Optional[str]]:
    """(records checked, the first problem found or None)."""
    previous = chain.GENESIS
    seen: dict[str, tuple[int, str]] = {chain.GENESIS: (0, "")}
    after: dict[int, tuple[int, str]] = {}  # seq -> the record that followed it
    checked, last_seq = 0, 0
    with log._reader(path) as db:
        for seq, decision_id, text, stored_previous, digest, *columns in db.execute(log.CHAIN_QUERY):
            name = f"record {seq} ({decision_id})"
            if chain.link(stored_previous, text.encode()) != digest:
                return checked, f"{name} was changed: its text no longer gives its hash"
            if stored_previous != previous:
                return checked, _explain_gap(name, stored_previous, seen, after)
            problem = _summary_problem(db, seq, decision_id, text, columns)
            if problem:
                return checked, f"{name} was changed: {problem}"
            after[last_seq] = (seq, decision_id)
            seen[digest] = (seq, decision_id)
            previous, last_seq = digest, seq
            checked += 1
        return checked, _head_problem(db, checked, previous)


def _explain_gap(name: str, stored_previous: str, seen: dict, after: dict) -> str:
    if stored_previous in seen:
        anchor_seq, anchor_id = seen[stored_previous]
        inserted = after.get(anchor_seq)
        if inserted is not None:
            return f"record {inserted[0]} ({inserted[1]}) was inserted: {name} chains onto " + \
                (f"record {anchor_seq} ({anchor_id})" if anchor_seq else "the start of the log")
    return f"a record before {name} was removed: the record it chains onto is not in the log"


def _summary_problem(db: sqlite3.Connection, seq: int, decision_id: str, text: str, columns: list) -> Optional[str]:
    try:
        record = json_loads(text)
    except ValueError:
        return "its text is not JSON"
    problem = chain.record_problem(record)
    if problem:
        return problem
    expected = chain.summary(record)
    stored = dict(zip(("created_at", "approach", "top", "year_one", "complete", "source"), columns))
    stored["complete"] = bool(stored["complete"])
    stored["decision_id"] = decision_id
    if stored["created_at"] == "" and expected["created_at"] is None:
        stored["created_at"] = None
    differing = [k for k in expected if expected[k] != stored[k]]
    if differing:
        return f"its {', '.join(differing)} column{'s' * (len(differing) > 1)} disagree{'s' * (len(differing) == 1)} with its record"
    ranks = db.execute("SELECT rank, offering FROM ranks WHERE seq = ? ORDER BY rank, offering", (seq,)).fetchall()
    if [tuple(r) for r in ranks] != sorted(chain.ranked(record)):
        return "its ranks table rows disagree with its record"
    return None


def _head_problem(db: sqlite3.Connection, checked: int, last_hash: str) -> Optional[str]:
    found = db.execute("SELECT count, hash FROM head WHERE id = 1").fetchone()
    count, head_hash = found if found else (0, chain.GENESIS)
    if count > checked:
        gone = "the last record was removed" if count - checked == 1 else f"the last {count - checked} records were removed"
        return f"{gone} (the log's head counts {count}, {checked} are there)"
    if count != checked or head_hash != last_hash:
        return f"the log's head (count {count}) does not end on the last record: records were added outside ftrec"
    for table in ("records", "ranks"):
        stray = db.execute(f"SELECT count(*) FROM {table} WHERE seq NOT IN (SELECT seq FROM decisions)").fetchone()[0]
        if stray:
            return f"{stray} {table} table row{'s' * (stray != 1)} belong to no decision"
    return None
