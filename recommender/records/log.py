"""The decision log (CONTRACT §7): a SQLite file, one complete, hash-chained record per decision.

Where: `--audit-log PATH`, else `$FTREC_AUDIT_LOG`, else `$XDG_DATA_HOME/ftrec/decisions.sqlite3`
(`~/.local/share/ftrec/decisions.sqlite3` when XDG_DATA_HOME is unset). Each row holds the
record's canonical JSON (see chain.py), the hash chaining it to the one before, and the summary
columns `audit list` filters and pages on in SQL. The record is the only truth that is shown:
`audit show` and `replay` read it, never a summary.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from contextlib import ExitStack, contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional


from recommender.domain.errors import EnvironmentProblem, InputError
from recommender.domain.units import json_loads
from recommender.records import chain, store
from recommender.records.chain import RECORD_KEYS, record_problem  # noqa: F401 - part of the facade

FILE_NAME = "decisions.sqlite3"
SUMMARY_COLUMNS = ("decision_id", "created_at", "approach", "top", "year_one", "complete", "source")


def default_path() -> Path:
    data_home = os.environ.get("XDG_DATA_HOME") or "~/.local/share"
    return Path(data_home).expanduser() / "ftrec" / FILE_NAME


def log_path(override: Optional[str] = None) -> Path:
    chosen = override or os.environ.get("FTREC_AUDIT_LOG")
    return Path(chosen).expanduser() if chosen else default_path()


def check_writable(path: Path) -> None:
    """Fail before deciding anything, so a log we cannot write never leaves half a job done."""
    store.refuse_links(path)
    store.prepare_directory(path)
    target = path if path.exists() else path.parent
    if not os.access(target, os.W_OK):
        raise store.environment("the decision log is not writable", path)


# --- writing ------------------------------------------------------------------------------


def append(decision: dict, path: Path) -> None:
    """Record one decision: whole and chained, or (full disk, read-only) not at all."""
    append_many([decision], path)


def prepare(decision: dict, label: str) -> tuple[bytes, tuple, list]:
    """DECISION made ready for the log (chain.prepared), wherever that is cheapest (a batch's workers);
    InputError when it is not a complete record or cannot be stored. LABEL: the log's path."""
    problem = record_problem(decision)
    if problem:
        raise InputError(f"{problem}: refused, nothing recorded", file=label)
    return chain.prepared(decision, label)


def append_many(decisions: Iterable[dict], path: Path, recorded_before: int = 0) -> int:
    """Record DECISIONS in one transaction: all of them, or none. Returns how many.

    RECORDED_BEFORE (a batch's earlier chunks) is what a failure says was recorded."""
    prepared = [prepare(decision, str(path)) for decision in decisions]
    with appending(path) as append:
        return append(prepared, recorded_before)


@contextmanager
def appending(path: Path) -> Iterator[Callable[[list, int], int]]:
    """`append(prepared, recorded_before)`: records made by `prepare` chained onto the log in one
    transaction each, all of them or none, over one connection opened at the first (a batch's chunks)."""
    with ExitStack() as opened:
        connection: list = []

        def append(prepared: list, recorded_before: int = 0) -> int:
            if not prepared:
                return 0
            try:
                if not connection:
                    connection.append(opened.enter_context(store.connect(path, create=True)))
                with store.transaction(connection[0], path):
                    store.insert(connection[0], prepared)
            except sqlite3.Error as exc:
                raise store.write_failure(exc, path, recorded_before) from None
            except EnvironmentProblem as exc:
                if recorded_before:
                    raise EnvironmentProblem(f"{exc.problem}; {recorded_before} decisions recorded before it, the "
                                             "rest not recorded", file=exc.file) from None
                raise
            return len(prepared)

        yield append


# --- reading ------------------------------------------------------------------------------


def _reader(path: Path):
    return store.connect(path, create=False)


def absent(path: Path) -> bool:
    """No log yet: no file, or the empty file a first append left when it was stopped before its schema."""
    try:
        return os.lstat(path).st_size == 0 and not os.path.islink(path)
    except FileNotFoundError:
        return True


def count(path: Path) -> int:
    if absent(path):
        return 0
    with _reader(path) as db:
        return db.execute("SELECT count(*) FROM decisions").fetchone()[0]


def find(db: sqlite3.Connection, prefix: str, label: str) -> str:
    """The id of the record whose id is PREFIX or starts with it (unique prefixes are enough)."""
    prefix = prefix.strip()
    if not prefix:
        raise InputError("a decision id is needed", file=label)
    rows = db.execute("SELECT decision_id FROM decisions WHERE decision_id >= ? AND decision_id < ? "
                      "ORDER BY decision_id LIMIT 6", (prefix, prefix + "\U0010ffff")).fetchall()
    ids = [row[0] for row in rows]
    if prefix in ids:
        return prefix
    if not ids:
        raise InputError(f"no decision {prefix!r} in the audit log", file=label)
    if len(ids) > 1:
        more = " and more" if len(ids) > 5 else ""
        raise InputError(f"decision id prefix {prefix!r} is ambiguous: {', '.join(ids[:5])}{more}", file=label)
    return ids[0]


def load_record(decision_id: str, override: Optional[str]) -> dict:
    """The stored record of DECISION_ID (or a unique prefix of it); InputError when unknown or ambiguous."""
    path = log_path(override)
    if absent(path):
        raise InputError(f"no decision {decision_id.strip()!r} in the audit log (no log yet)", file=str(path))
    with _reader(path) as db:
        found = find(db, decision_id, str(path))
        text, previous, digest = db.execute("SELECT r.record, d.previous_hash, d.hash FROM decisions d "
                                            "JOIN records r ON r.seq = d.seq WHERE d.decision_id = ?",
                                            (found,)).fetchone() or ("", "", "")
    if chain.link(previous, text.encode()) != digest:
        print(f"warning: {path}: record {found} does not match its hash: it was changed after it was recorded "
              "(run `ftrec audit verify`)", file=sys.stderr)
    try:
        record = json_loads(text)
    except ValueError:  # not JSON
        record = None
    problem = record_problem(record)
    if problem:
        raise InputError(f"record {found} is damaged ({problem}): run `ftrec audit verify`", file=str(path))
    return record


def list_records(path: Path, *, since: Optional[str] = None, until: Optional[str] = None,
                 approach: Optional[str] = None, offering: Optional[str] = None, ranked: Optional[str] = None,
                 limit: int = 50, offset: int = 0, newest_first: bool = True) -> tuple[list[dict], int]:
    """(one page of record summaries, how many match): what `audit list` and the web log show.

    A summary is {decision_id, created_at, approach, top, year_one, complete, source}; `since` and
    `until` are ISO dates (inclusive, UTC); `offering` matches the top-ranked offering, `ranked` an
    offering ranked anywhere."""
    if absent(path):
        return [], 0
    where, args = _filters(since, until, approach, offering, ranked)
    order = "DESC" if newest_first else "ASC"
    with _reader(path) as db:
        total = db.execute(f"SELECT count(*) FROM decisions{where}", args).fetchone()[0]
        rows = db.execute(f"SELECT {', '.join(SUMMARY_COLUMNS)} FROM decisions{where} ORDER BY seq {order} "
                          "LIMIT ? OFFSET ?", [*args, max(0, limit), max(0, offset)]).fetchall()
    return [dict(zip(SUMMARY_COLUMNS, row), complete=bool(row[5])) for row in rows], total


def _filters(since, until, approach, offering, ranked) -> tuple[str, list]:
    clauses, args = [], []
    if since is not None:
        clauses.append("created_at >= ?")
        args.append(date.fromisoformat(since).isoformat())
    if until is not None:
        clauses.append("created_at < ?")
        args.append((date.fromisoformat(until) + timedelta(days=1)).isoformat())
    if approach is not None:
        clauses.append("approach = ?")
        args.append(approach)
    if offering is not None:
        clauses.append("top = ?")
        args.append(offering)
    if ranked is not None:
        clauses.append("seq IN (SELECT seq FROM ranks WHERE offering = ?)")
        args.append(ranked)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), args


CHAIN_QUERY = ("SELECT d.seq, d.decision_id, coalesce(r.record, ''), d.previous_hash, d.hash, d.created_at, d.approach, "
               "d.top, d.year_one, d.complete, d.source FROM decisions d LEFT JOIN records r ON r.seq = d.seq "
               "ORDER BY d.seq")


def rows(path: Path) -> Iterator[tuple]:
    """(seq, decision_id, record text, previous_hash, hash, summary columns...) in chain order."""
    if absent(path):
        return
    with _reader(path) as db:
        yield from db.execute(CHAIN_QUERY)
