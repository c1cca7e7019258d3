"""`audit export` and `audit import`: the log as JSON Lines, in the style of OPA's decision logs.

One JSON object a line:
    {"decision_id": ..., "timestamp": the record's created_at, "path": "ftrec/recommend",
     "labels": {"app": "ftrec", "version": the engine version}, "input": the requirements as given,
     "result": the whole decision record, "previous_hash": ..., "hash": ...}
`hash` is sha256(previous_hash + canonical JSON of result), as in the log (chain.py), so a
shipped line can be checked on its own and a run of lines checked as a chain.

Import reads that format and the earlier JSON Lines log (a bare decision record a line). Every
line is checked before anything is written; one transaction brings them all in, chained anew onto
the target log. A record already in the log (same id, same content) is skipped and counted; the
same id with different content is refused, and then nothing is imported.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Iterator, Optional


from recommender.domain import files
from recommender.domain.errors import InputError
from recommender.domain.units import json_bytes, json_loads
from recommender.records import chain, log, store

MAX_LINE = 16 * 1024 * 1024  # one decision record; real ones are tens of KB


def export_lines(path: Path) -> Iterator[bytes]:
    for _seq, decision_id, text, previous, digest, *_ in log.rows(path):
        record = json_loads(text)
        engine = record.get("engine") if isinstance(record.get("engine"), dict) else {}
        yield json_bytes({"decision_id": decision_id, "timestamp": record.get("created_at"), "path": "ftrec/recommend",
                          "labels": {"app": "ftrec", "version": engine.get("version")},
                          "input": record.get("requirements_given"), "result": record,
                          "previous_hash": previous, "hash": digest}) + b"\n"


def import_file(source: str, target: Path) -> tuple[int, int]:
    """(records imported, records skipped as already present) from SOURCE into the log TARGET."""
    with files.open_regular(source) as stream:
        if not log.absent(target):
            store.refuse_links(target)
            with log._reader(target) as db:
                wanted, skipped = _checked(stream, source, _lookup(db))
        else:
            wanted, skipped = _checked(stream, source, lambda decision_id: None)
    if wanted:
        try:
            with store.connect(target, create=True) as db, store.transaction(db, target):
                store.insert(db, wanted)
        except store.sqlite3.Error as exc:
            raise store.write_failure(exc, target) from None
    return len(wanted), skipped


def _checked(stream: IO[bytes], source: str, existing) -> tuple[list, int]:
    wanted: list[tuple[bytes, tuple, list]] = []
    by_id: dict[str, bytes] = {}
    skipped = 0
    for number, raw in enumerate(files.bounded_lines(stream, MAX_LINE, source), start=1):
        if not raw.strip():
            continue
        label = f"{source}:{number}"
        record = _record_of(raw, label)
        text = chain.canonical(record, label)
        decision_id = record["decision_id"]
        known = by_id.get(decision_id) or existing(decision_id)
        if known is not None:
            if known != text:
                raise InputError(f"decision {decision_id!r} is already in the log with different content: "
                                 "refused, nothing imported", file=label)
            skipped += 1
            continue
        by_id[decision_id] = text
        wanted.append(chain.prepared(record, label, text))
    return wanted, skipped


def _record_of(raw: bytes, label: str) -> dict:
    try:
        data = json_loads(raw)
    except ValueError as exc:
        raise InputError(f"not JSON ({str(exc).split(':')[0]}): nothing imported", file=label) from None
    if isinstance(data, dict) and isinstance(data.get("result"), dict):
        record = data["result"]
        _check_shipped_hash(data, record, label)
    else:
        record = data
    problem = chain.record_problem(record)
    if problem:
        raise InputError(f"{problem}: nothing imported", file=label)
    return record


def _check_shipped_hash(line: dict, record: dict, label: str) -> None:
    previous, digest = line.get("previous_hash"), line.get("hash")
    if previous is None and digest is None:
        return
    if not isinstance(previous, str) or not isinstance(digest, str) or \
            chain.link(previous, chain.canonical(record, label)) != digest:
        raise InputError("its hash does not match its record (changed after export): nothing imported", file=label)


def _lookup(db):
    """decision_id -> the canonical text stored under it, or None."""
    def lookup(decision_id: str) -> Optional[bytes]:
        row = db.execute("SELECT r.record FROM decisions d JOIN records r ON r.seq = d.seq WHERE d.decision_id = ?",
                         (decision_id,)).fetchone()
        return row[0].encode() if row else None

    return lookup
