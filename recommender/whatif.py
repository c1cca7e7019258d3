"""What-if questions on one request: one offering's cost, offerings side by side, sweeps."""

from __future__ import annotations

from datetime import date

from recommender import cost
from recommender.decision import Setup, _break_even_reason, break_even_json, cost_json, decide
from recommender.models import Requirements


def cost_of(req: Requirements, setup: Setup, offering_id: str, today: date, source: str) -> dict:
    """One offering's breakdown under the method the rules decide, with its rank or exclusion."""
    offering = setup.catalog.get(offering_id)
    decision = decide(req, setup, today, source)
    ranked = {r["offering"]: r for r in decision["recommendations"]}
    excluded = {e["offering"]: e for e in decision["excluded"]}
    method = decision["approach"]["method"]
    baseline = cost.resolve_baseline(req, setup.catalog, file=source)
    c = cost.compute(offering, req, setup.catalog, method, baseline)
    return {
        "offering": offering.id,
        "provider": setup.catalog.providers[offering.id],
        "model": offering.model,
        "rank": ranked[offering.id]["rank"] if offering.id in ranked else None,
        "excluded": excluded.get(offering.id),
        "approach": decision["approach"]["choice"],
        "cost": cost_json(c),
        "break_even": break_even_json(c.break_even),
        "break_even_reason": _break_even_reason(c),
        "engine": decision["engine"],
        "today": decision["today"],
    }
