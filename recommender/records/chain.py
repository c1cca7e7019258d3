"""The canonical form of a decision record and the hash chain over the log.

Canonical JSON: the record as orjson writes it with sorted keys and no spaces, UTF-8 (money is
already text, token counts are integers; Decimals and dates are written as `format(d, "f")` and
ISO dates, as `recommend --format json` writes them). It is the same text as
`json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`.

Each record's hash is `sha256(previous_hash + canonical)`, the previous hash as 64 lower-case hex
characters (64 zeros before the first record). A record changed, removed or inserted anywhere
breaks the chain at that record.
"""

from __future__ import annotations

import hashlib
from typing import Any, Optional


from recommender.domain.units import json_bytes
from recommender.domain.errors import InputError

GENESIS = "0" * 64
RECORD_KEYS = ("decision_id", "created_at", "engine", "today", "source", "requirements", "requirements_given",
               "approach", "rank_by", "hidden_costs", "recommendations", "excluded", "trace", "warnings")




def canonical(record: dict, label: str = "decision record") -> bytes:
    try:
        return json_bytes(record, sort_keys=True)
    except TypeError as exc:  # a lone surrogate, ...
        raise InputError(f"cannot be stored: {exc}", file=label) from None


def link(previous_hash: str, canonical_text) -> str:
    """The hash chaining CANONICAL_TEXT (bytes, or a view of them) onto PREVIOUS_HASH."""
    digest = hashlib.sha256(previous_hash.encode("ascii"))
    digest.update(canonical_text)
    return digest.hexdigest()


def record_problem(record: Any) -> Optional[str]:
    """Why RECORD is not a complete decision record, or None."""
    if not isinstance(record, dict):
        return "not a JSON object"
    missing = [k for k in RECORD_KEYS if k not in record]
    if missing:
        return f"not a complete decision record (missing {', '.join(missing)})"
    if not isinstance(record["decision_id"], str) or not record["decision_id"]:
        return "not a complete decision record (decision_id is not text)"
    if not isinstance(record["approach"], dict) or not isinstance(record["recommendations"], list):
        return "not a complete decision record (approach or recommendations malformed)"
    return None


def prepared(record: dict, label: str, text: Optional[bytes] = None) -> tuple[bytes, tuple, list]:
    """All that storing RECORD takes but its place in the chain: (its canonical text, its summary
    columns in the log's order, its (rank, offering) pairs). TEXT: its canonical text, if known."""
    s = summary(record)
    columns = (s["decision_id"], s["created_at"] or "", s["approach"], s["top"], s["year_one"], int(s["complete"]),
               s["source"])
    return canonical(record, label) if text is None else text, columns, ranked(record)


def summary(record: dict) -> dict:
    """What `audit list` shows of a record: also the summary columns stored beside it."""
    recs = record.get("recommendations") or []
    first = recs[0] if recs and isinstance(recs[0], dict) else {}
    cost = first.get("cost") if isinstance(first.get("cost"), dict) else {}
    return {"decision_id": record["decision_id"], "created_at": _text(record.get("created_at")),
            "approach": _text(record["approach"].get("choice")), "top": _text(first.get("offering")),
            "year_one": _text(cost.get("year_one")), "complete": bool(cost.get("complete", True)),
            "source": _text(record.get("source"))}


def ranked(record: dict) -> list[tuple[int, str]]:
    """(rank, offering) for every recommendation, the side table `audit list --ranked` searches."""
    out = []
    for position, rec in enumerate(record.get("recommendations") or [], start=1):
        if isinstance(rec, dict) and isinstance(rec.get("offering"), str):
            out.append((rec.get("rank") if isinstance(rec.get("rank"), int) else position, rec["offering"]))
    return out


def _text(value: Any) -> Optional[str]:
    return None if value is None else str(value)
