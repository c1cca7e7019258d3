"""Replaying a recorded decision: decide its requirements again and say what changed."""

from __future__ import annotations

import json
from typing import Any, Optional

from recommender.domain.errors import InputError
from recommender.domain.units import dollars


# --- replay -------------------------------------------------------------------------------


def replay(record: dict, setup) -> dict:
    """The record's requirements decided again, on its `today`, with SETUP's rules and catalog as it
    stood on the record's date (its `as_of`, else its `today`)."""
    from recommender.decision.decide import decide, dumps
    from recommender.decision.as_of import setup_as_of, stamp_as_of
    from recommender.domain.requirements import requirements_from

    label = f"audit record {record['decision_id']}"
    req = requirements_from(record["requirements_given"], label)
    today = _date(record, "today", label)
    as_of = _date(record, "as_of", label) if record.get("as_of") is not None else None
    decision = decide(req, setup_as_of(setup, as_of or today), today, source=record["source"])
    return json.loads(dumps(stamp_as_of(decision, as_of)))


def _date(record: dict, key: str, label: str):
    from datetime import date

    try:
        return date.fromisoformat(record[key])
    except (TypeError, ValueError):
        raise InputError(f"not a date: {record[key]!r}", file=label, path=key) from None


def comparable(decision: dict) -> dict:
    return {k: v for k, v in decision.items() if k not in ("decision_id", "created_at")}


def differences(old: dict, new: dict) -> list[dict]:
    """What changed between a record and its replay, each change with a readable `text`."""
    if comparable(old) == comparable(new):
        return []
    changes = [
        *_engine_changes(old, new),
        *_field_changes("requirements", old.get("requirements"), new.get("requirements")),
        *_approach_changes(old, new),
        *_price_changes(old, new),
        *_allowed_changes(old, new),
        *_rank_changes(old, new),
        *_figure_changes(old, new),
        *_warning_changes(old, new),
        *_trace_changes(old, new),
    ]
    return changes + _unexplained(old, new, changes)


def _change(kind: str, text: str, **detail) -> dict:
    return {"kind": kind, **detail, "text": text}


def _engine_changes(old: dict, new: dict) -> list[dict]:
    changes = []
    for key in ("version", "rules_sha256", "catalog_sha256"):
        a, b = old["engine"].get(key), new["engine"].get(key)
        if a != b:
            shown = (a, b) if key == "version" else (_short_hash(a), _short_hash(b))
            changes.append(_change(f"engine.{key}", f"{key.replace('_', ' ')}: {shown[0]} → {shown[1]}", old=a, new=b))
    return changes


def _short_hash(value: Optional[str]) -> str:
    return f"{value[:12]}…" if isinstance(value, str) else str(value)


def _field_changes(kind: str, old: Any, new: Any) -> list[dict]:
    return [_change(kind, f"{kind} {path}: {_plain(a)} → {_plain(b)}", field=path, old=a, new=b)
            for path, a, b in _differing(old, new)]


def _approach_changes(old: dict, new: dict) -> list[dict]:
    changes = []
    pairs = [("approach", "choice"), ("approach", "method"), ("approach", "because"), ("approach", "method_because"),
             ("rank_by", "figure")]
    for part, key in pairs:
        a, b = old[part].get(key), new[part].get(key)
        if a != b:
            changes.append(_change(f"{part}.{key}", f"{part}.{key}: {_plain(a)} → {_plain(b)}", old=a, new=b))
    return changes


def _by_offering(decision: dict) -> dict:
    return {r["offering"]: r for r in decision["recommendations"]}


def _price_changes(old: dict, new: dict) -> list[dict]:
    changes = []
    before, after = _by_offering(old), _by_offering(new)
    for offering in sorted(before.keys() & after.keys()):
        a, b = _prices(before[offering]), _prices(after[offering])
        for name in sorted(a.keys() | b.keys()):
            if a.get(name) != b.get(name):
                changes.append(_price_change(offering, name, a.get(name), b.get(name)))
    return changes


def _prices(rec: dict) -> dict:
    return {line["price"] or line["item"]: line for line in rec["cost"]["breakdown"]}


def _price_change(offering: str, name: str, a: Optional[dict], b: Optional[dict]) -> dict:
    shown = f"{offering} {name}: {_rate(a)} → {_rate(b)}"
    if a and b and _rate(a) == _rate(b):
        shown = f"{offering} {name}: source {a['source']} ({a['as_of']}) → {b['source']} ({b['as_of']})"
    detail = {k: {"rate": x["rate"], "source": x["source"], "as_of": x["as_of"]} if x else None
              for k, x in (("old", a), ("new", b))}
    return _change("price", shown, offering=offering, price=name, **detail)


def _rate(line: Optional[dict]) -> str:
    if line is None:
        return "not used"
    if line["rate"] is None:
        return "missing"
    per = {"per 1M tokens": "/1M", "per month": "/month", "per hour": "/hour"}.get(line["rate_unit"], f" {line['rate_unit']}")
    return f"${line['rate']}{per}"


def _allowed_changes(old: dict, new: dict) -> list[dict]:
    changes = []
    ranked = (_by_offering(old), _by_offering(new))
    excluded = ({e["offering"]: e for e in old["excluded"]}, {e["offering"]: e for e in new["excluded"]})
    for offering in sorted(set(ranked[0]) | set(ranked[1]) | set(excluded[0]) | set(excluded[1])):
        was, now = _status(offering, ranked[0], excluded[0]), _status(offering, ranked[1], excluded[1])
        if was != now and not (was.startswith("#") and now.startswith("#")):
            changes.append(_change("allowed", f"{offering}: {was} → {now}", offering=offering, old=was, new=now))
    return changes


def _status(offering: str, ranked: dict, excluded: dict) -> str:
    if offering in ranked:
        return f"#{ranked[offering]['rank']}"
    if offering in excluded:
        e = excluded[offering]
        return f"excluded by {e['rule']} ({e['message']})"
    return "not in the catalog"


def _rank_changes(old: dict, new: dict) -> list[dict]:
    before, after = _by_offering(old), _by_offering(new)
    changes = []
    for offering in sorted(before.keys() & after.keys(), key=lambda o: after[o]["rank"]):
        a, b = before[offering]["rank"], after[offering]["rank"]
        if a != b:
            changes.append(_change("rank", f"rank {offering}: #{a} → #{b}", offering=offering, old=a, new=b))
    return changes


FIGURE_NAMES = {"training": "training", "monthly": "monthly", "year_one": "year-1", "complete": "complete",
                "hidden.low": "hidden low", "hidden.high": "hidden high",
                "break_even.tokens": "break-even tokens", "break_even.months": "break-even months"}


def _figures(rec: dict) -> dict:
    c, b = rec["cost"], rec["break_even"] or {}
    hidden = c.get("hidden") or {}
    return {"training": c["training"], "monthly": c["monthly"], "year_one": c["year_one"], "complete": c["complete"],
            "hidden.low": hidden.get("low"), "hidden.high": hidden.get("high"),
            "break_even.tokens": b.get("tokens"), "break_even.months": b.get("months")}


def _figure_changes(old: dict, new: dict) -> list[dict]:
    before, after = _by_offering(old), _by_offering(new)
    changes = []
    for offering in sorted(before.keys() & after.keys(), key=lambda o: after[o]["rank"]):
        a, b = _figures(before[offering]), _figures(after[offering])
        moved = [name for name in FIGURE_NAMES if a[name] != b[name]]
        if moved:
            shown = "; ".join(f"{FIGURE_NAMES[n]} {_figure(n, a[n])} → {_figure(n, b[n])}" for n in moved)
            changes.append(_change("figures", f"{offering}: {shown}", offering=offering,
                                   old={n: a[n] for n in moved}, new={n: b[n] for n in moved}))
    return changes


def _figure(name: str, value: Any) -> str:

    if value is None:
        return "—"
    if name in ("training", "monthly", "year_one", "hidden.low", "hidden.high"):
        return dollars(value)
    if name == "break_even.tokens":
        return f"{value:,}"
    return _plain(value)


def _warning_changes(old: dict, new: dict) -> list[dict]:
    a, b = [w["message"] for w in old["warnings"]], [w["message"] for w in new["warnings"]]
    changes = [_change("warning", f"warning removed: {m}", old=m, new=None) for m in a if m not in b]
    changes += [_change("warning", f"warning added: {m}", old=None, new=m) for m in b if m not in a]
    return changes


def _trace_changes(old: dict, new: dict) -> list[dict]:
    a, b = [s["rule"] for s in old["trace"]], [s["rule"] for s in new["trace"]]
    if a != b:
        gone, came = [r for r in a if r not in b], [r for r in b if r not in a]
        parts = [f"no longer fired: {', '.join(gone)}"] * bool(gone) + [f"now fired: {', '.join(came)}"] * bool(came)
        text = "rules fired: " + ("; ".join(parts) if parts else "same rules, another order")
        return [_change("trace", text, old=a, new=b)]
    changes = []
    for x, y in zip(old["trace"], new["trace"]):
        for path, va, vb in _differing({"matched": x["matched"], "asserted": x["asserted"]},
                                       {"matched": y["matched"], "asserted": y["asserted"]}):
            changes.append(_change("trace", f"step {x['step']} {x['rule']} {path}: {_plain(va)} → {_plain(vb)}",
                                   rule=x["rule"], field=path, old=va, new=vb))
    return changes


_EXPLAINED_BY = {"engine": "engine.", "requirements": "requirements", "approach": "approach.", "rank_by": "rank_by.",
                 "warnings": "warning", "trace": "trace", "excluded": "allowed"}


def _unexplained(old: dict, new: dict, changes: list[dict]) -> list[dict]:
    """Whatever differs that no change above names: nothing may differ unsaid."""
    kinds = {c["kind"] for c in changes}
    extra = []
    for key in sorted(comparable(old).keys() | comparable(new).keys()):
        if key == "recommendations" or old.get(key) == new.get(key):
            continue
        marker = _EXPLAINED_BY.get(key)
        if marker is None or not any(k.startswith(marker) for k in kinds):
            extra += _field_changes(key, old.get(key), new.get(key))
    return extra + _unexplained_recommendations(old, new, changes)


def _unexplained_recommendations(old: dict, new: dict, changes: list[dict]) -> list[dict]:
    named = {c.get("offering") for c in changes if c["kind"] in ("price", "figures", "rank", "allowed")}
    before, after = _by_offering(old), _by_offering(new)
    extra = []
    for offering in sorted(before.keys() & after.keys()):
        if offering in named:
            continue
        for path, a, b in _differing(before[offering], after[offering]):
            extra.append(_change("recommendation", f"{offering} {path}: {_plain(a)} → {_plain(b)}",
                                 offering=offering, field=path, old=a, new=b))
    return extra


def _differing(a: Any, b: Any, prefix: str = "") -> list[tuple[str, Any, Any]]:
    """Dotted paths where two JSON values differ (lists are compared whole)."""
    if isinstance(a, dict) and isinstance(b, dict):
        found = []
        for key in sorted(a.keys() | b.keys()):
            found += _differing(a.get(key), b.get(key), f"{prefix}.{key}" if prefix else key)
        return found
    return [] if a == b else [(prefix or "(whole)", a, b)]


def _plain(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 160 else text[:157] + "…"
