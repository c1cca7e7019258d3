"""What else would work: for a request no offering can meet, the needs that clash and the nearest
answer that relaxes one of them."""

from __future__ import annotations

from datetime import date

from recommender.domain.catalog import Catalog
from recommender.engine.durable import offering_passes


def dead_end(result, catalog: Catalog, today: date) -> dict:
    """Why nothing is allowed: each excluding rule with the needs it tests, and for each the offerings
    that every other requirement allows (the answer if that one need were dropped)."""
    from recommender.decision.decide import _catalog_view

    session, decided = result.session, result.decided
    requires = [r for r in session.offering_rules if r.conclusion == "require"]
    _, attributes = _catalog_view(catalog, today)
    clashing = []
    for rule in requires:
        others = [r for r in requires if r is not rule]
        allowed = [o for o in catalog.offerings
                   if all(offering_passes(r.offering_tests, attributes[o], decided) for r in others)]
        needs = {name: decided.get(name) for name in (*rule.when.facts_read(), *(t.fact for t in rule.when.decisions))}
        clashing.append({"rule": rule.id, "needs": needs, "excludes": sum(e["rule"] == rule.id for e in result.excluded),
                         "allowed_without_it": allowed})
    nearest = sorted((c for c in clashing if c["allowed_without_it"]), key=lambda c: -len(c["allowed_without_it"]))
    return {"clashing": clashing, "message": _message(clashing, nearest)}


def _message(clashing: list[dict], nearest: list[dict]) -> str:
    needs = "; ".join(f"{_needs(c['needs'])} ({c['rule']})" for c in clashing) or "none"
    if not nearest:
        return f"No offering meets every need: {needs}; relaxing any one of them still leaves none."
    options = "; ".join(f"without {_needs(c['needs'])}: {len(c['allowed_without_it'])} offering(s), e.g. "
                        f"{', '.join(c['allowed_without_it'][:3])}" for c in nearest)
    return f"No offering meets every need: {needs}. Nearest answers, relaxing one need: {options}."


def _needs(needs: dict) -> str:
    return ", ".join(f"{name}={_plain(value)}" for name, value in needs.items()) or "an unconditional rule"


def _plain(value) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)
