"""`ftrec explain`: the story of a decision in plain words, and why an offering was not chosen.

The story comes from the decision's own trace (durable_rules says nothing about rules that did not
fire): each firing in order, with the rule's description, the facts that made it fire and what it
concluded; then the sentence of the source the deciding rules encode; then the ranking figures.
"""

from __future__ import annotations

from recommender.domain.errors import InputError


def story(decision: dict, rules) -> dict:
    """The explanation as data: steps in firing order, the decision with its sources, the ranking."""
    known = rules.by_id
    steps = [{
        "step": s["step"],
        "rule": s["rule"],
        "description": known[s["rule"]].description if s["rule"] in known else None,
        "matched": s["matched"],
        "concluded": s["asserted"],
    } for s in decision["trace"]]
    approach = decision["approach"]
    return {
        "decision_id": decision["decision_id"],
        "source": decision["source"],
        "today": decision["today"],
        "rules_changed_since": rules.sha256 != decision["engine"]["rules_sha256"],
        "steps": steps,
        "approach": {"choice": approach["choice"], "method": approach["method"],
                     "because": [_cited(r, known) for r in approach["because"]],
                     "method_because": [_cited(r, known) for r in approach["method_because"]]},
        "ranking": [{"rank": r["rank"], "offering": r["offering"], "year_one": r["cost"]["year_one"],
                     "monthly": r["cost"]["monthly"], "training": r["cost"]["training"],
                     "complete": r["cost"]["complete"]} for r in decision["recommendations"]],
        "ranked_by": decision["rank_by"]["figure"],
        "excluded": decision["excluded"],
        "assumed": {name: _requirement(decision, name) for name in
                    sorted({*approach.get("assumed", ()), *decision["rank_by"].get("assumed", ())})},
        "cost_checks": [w["message"] for w in decision["warnings"] if w["rule"] in rules.by_id
                        and any(f.startswith("costs.") for f in rules.by_id[w["rule"]].when.facts_read())],
        "approaches": [{k: a[k] for k in ("approach", "chosen", "offering", "monthly", "year_one", "note")}
                       for a in decision.get("approaches", ())],
    }


def _requirement(decision: dict, name: str):
    section, _, field = name.partition(".")
    value = decision["requirements"].get(section)
    return value.get(field) if field and isinstance(value, dict) else value


def _cited(rule_id: str, known: dict) -> dict:
    rule = known.get(rule_id)
    if rule is None:
        return {"rule": rule_id, "description": None, "source": None}
    return {"rule": rule_id, "description": rule.description,
            "source": {"document": rule.source_document, "says": rule.source_says}}


def why_not(decision: dict, offering_id: str, rules) -> dict:
    """Why OFFERING was not the first recommendation: the rule that excluded it, or the figures."""
    ranked = {r["offering"]: r for r in decision["recommendations"]}
    excluded = {e["offering"]: e for e in decision["excluded"]}
    if offering_id not in ranked and offering_id not in excluded:
        import difflib

        close = difflib.get_close_matches(offering_id, [*ranked, *excluded], n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise InputError(f"unknown offering {offering_id!r}{hint}", path="--why-not")
    if offering_id in excluded:
        exclusion = excluded[offering_id]
        rule = rules.by_id.get(exclusion["rule"])
        step = next((s for s in decision["trace"] if s["rule"] == exclusion["rule"]), None)
        return {"offering": offering_id, "status": "excluded", "rule": exclusion["rule"], "message": exclusion["message"],
                "description": rule.description if rule else None,
                "source": {"document": rule.source_document, "says": rule.source_says} if rule else None,
                "matched": step["matched"] if step else None}
    mine, first = ranked[offering_id], decision["recommendations"][0]
    if mine["rank"] == 1:
        return {"offering": offering_id, "status": "first", "rank": 1, "of": len(ranked)}
    return {
        "offering": offering_id, "status": "ranked lower", "rank": mine["rank"], "of": len(ranked),
        "winner": first["offering"], "ranked_by": decision["rank_by"]["figure"],
        "figures": {name: {"this": mine["cost"][name], "winner": first["cost"][name],
                           "difference": _difference(mine["cost"][name], first["cost"][name])}
                    for name in ("training", "monthly", "year_one")},
        "break_even": {"this": mine["break_even"], "winner": first["break_even"]},
        "reasons": _lower_because(mine, first, rules),
    }


def _difference(mine: str, theirs: str) -> str:
    from decimal import Decimal

    from recommender.domain.cost import usd

    return usd(Decimal(mine) - Decimal(theirs))


def _lower_because(mine: dict, first: dict, rules) -> list[str]:
    """What put it below the winner, in the order the ranking weighs them: completeness, demotion,
    preferences, then the figure."""
    def concluding(rec: dict, kind: str) -> dict:
        return {b["rule"]: b["message"] for b in rec["because"]
                if b["rule"] in rules.by_id and rules.by_id[b["rule"]].conclusion == kind}

    reasons = []
    if first["cost"]["complete"] and not mine["cost"]["complete"]:
        reasons.append(f"its cost is incomplete (missing {', '.join(mine['cost']['missing'])}): "
                       "fully priced offerings rank first")
    reasons += [f"{message} [{rule}]" for rule, message in concluding(mine, "demote").items()]
    theirs, ours = concluding(first, "prefer"), concluding(mine, "prefer")
    reasons += [f"the winner is preferred: {message} [{rule}]" for rule, message in theirs.items() if rule not in ours]
    if not reasons:
        reasons.append("a higher figure by the ranking measure (ties go by offering id)")
    return reasons
