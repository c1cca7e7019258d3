"""A decision's report page, as the template reads it: the decision's JSON turned into rows and text.

Fields the engine may add (`approach.assumed`, top-level `approaches` and `dead_end`, `capability`,
`break_even.months_high`, a breakdown line's `amount_high`, `as_of`) are shown when present and
never required.
"""

from __future__ import annotations

from typing import Any, Optional

from recommender.domain.units import dollars
from recommender.domain.vocabulary import APPROACH_NAMES, FIGURES, source_words
from recommender.presentation import svg
from recommender.presentation.render import approach_title, break_even_text, model_name, quantity, rate, short_why

SHOWN = 10  # offerings in the ranked table; the rest fold away, as `ftrec recommend` shows ten


def report(decision: dict, story: dict, sweep: Optional[dict]) -> dict:
    return {
        "decision": decision,
        "title": approach_title(decision),
        "fine_tunes": decision["approach"]["fine_tunes"],
        "summary": decision["approach"]["summary"],
        "because": [_cited(c) for c in story["approach"]["because"]],
        "method_because": [_cited(c) for c in story["approach"]["method_because"]],
        "assumed": _assumed(decision),
        "approaches": [_approach_row(a) for a in decision.get("approaches") or []],
        "ranked_by": FIGURES[decision["rank_by"]["figure"]],
        "rank_rules": decision["rank_by"]["because"],
        "rows": [_row(rec) for rec in decision["recommendations"]],
        "shown": SHOWN,
        "shared_hidden": (decision.get("hidden_costs") or {}).get("items", []),
        "excluded": [dict(e, message=source_words(e["message"])) for e in decision["excluded"]],
        "warnings": [dict(w, message=source_words(w["message"])) for w in decision["warnings"]],
        "year_one_chart": svg.year_one_chart(decision),
        "volume_chart": svg.volume_chart(sweep, _volume(decision)) if sweep else "",
        "sweep": sweep,
        "sweep_lines": _throughout(sweep) if sweep else [],
        "dead_end": (decision.get("dead_end") or {}).get("message"),
        "offerings": report_offerings(decision),
    }


def _cited(cited: dict) -> dict:
    """A deciding rule with its source named in words (the file name stays in the `cite` attribute)."""
    source = cited.get("source")
    if not source:
        return cited
    return dict(cited, source=dict(source, words=source_words(source["document"])))


def report_offerings(decision: dict) -> list[str]:
    """Every offering the decision weighed: the ranked ones in order, then the excluded ones."""
    return [r["offering"] for r in decision["recommendations"]] + [e["offering"] for e in decision["excluded"]]


def _volume(decision: dict) -> Optional[int]:
    try:
        return int(decision["requirements"]["inference"]["monthly_tokens"])
    except (KeyError, TypeError, ValueError):
        return None


def _assumed(decision: dict) -> list[dict]:
    """The facts the request left out and the decision assumed, with the value assumed."""
    names = decision["approach"].get("assumed") or []
    return [{"field": name, "value": _shown(_lookup(decision["requirements"], name))} for name in names]


def _lookup(data: dict, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "not given" if value is None else str(value)


def _approach_row(entry: dict) -> dict:
    """One approach costed (issue 13's `approaches`); `basis` is text or a list of parts."""
    basis = entry.get("basis") or ""
    if isinstance(basis, list):
        basis = "; ".join(f"{part.get('item')} {dollars(part.get('amount'))} × {part.get('times')}" for part in basis)
    return {"approach": APPROACH_NAMES.get(entry.get("approach"), entry.get("approach")),
            "chosen": bool(entry.get("chosen")), "offering": entry.get("offering") or "",
            "monthly": dollars(entry.get("monthly")), "year_one": dollars(entry.get("year_one")),
            "basis": source_words(basis), "note": source_words(entry.get("note") or "")}


def _row(rec: dict) -> dict:
    cost = rec["cost"]
    lower = not cost["complete"]
    hidden = cost.get("hidden")
    return {
        "rank": rec["rank"],
        "offering": rec["offering"],
        "name": model_name(rec["provider"], rec["model"]),
        "capability": (rec.get("capability") or {}).get("class"),
        "anchor": "cost-" + rec["offering"].replace("/", "-").replace(".", "-"),
        "training": dollars(cost["training"], lower and any(m.startswith("training") for m in cost["missing"])),
        "monthly": dollars(cost["monthly"], lower and not all(m.startswith("training") for m in cost["missing"])),
        "year_one": dollars(cost["year_one"], lower),
        "trainings": cost["trainings_per_year"],
        "hidden": f"{dollars(hidden['low'])} – {dollars(hidden['high'])}" if hidden else "—",
        "hidden_items": (hidden or {}).get("items", []),
        "break_even": break_even_text(rec, detail=True),
        "break_even_detail": rec.get("break_even_reason") or _against(rec),
        "notes": short_why(rec),
        "missing": cost["missing"],
        "cost_notes": cost["notes"],
        "lines": [_line(line) for line in cost["breakdown"]],
    }


def _against(rec: dict) -> str:
    """What the break-even is measured against: today's model, both blended rates, the saving."""
    b = rec["break_even"] or {}
    parts = [f"measured against {b['against']}"] if b.get("against") else []
    if b.get("baseline_rate") and b.get("fine_tuned_rate"):
        parts.append(f"blended ${b['baseline_rate']} → ${b['fine_tuned_rate']} per 1M tokens")
    if b.get("monthly_saving"):
        parts.append(f"saves {dollars(b['monthly_saving'])} a month")
    return "; ".join(parts)


def _throughout(sweep: dict) -> list[str]:
    """What holds across the whole sweep (the crossovers are marked on the chart)."""
    lines = []
    for steady in sweep.get("throughout", []):
        value = steady["value"]
        if not isinstance(value, str):
            value = {True: "yes", False: "no"}.get(value, "not known (give a baseline)")
        lines.append(f"{steady['kind']}: {value} throughout this range")
    return lines


def _amount(line: dict) -> str:
    if line["amount"] is None:
        return "missing"
    high = line.get("amount_high")
    return f"{dollars(line['amount'])} – {dollars(high)}" if high else dollars(line["amount"])


def _line(line: dict) -> dict:
    return {
        "part": line["part"],
        "item": line["item"],
        "quantity": quantity(line["quantity"], line["unit"]),
        "rate": rate(line["rate"], line["rate_unit"]),
        "amount": _amount(line),
        "source": source_words(line["source"]) if line["source"] else f"no {line['price']} price in the catalog",
        "as_of": line["as_of"] or "—",
        "note": source_words(line["note"]) if line.get("note") else None,
    }
