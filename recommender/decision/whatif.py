"""What-if questions on one request: one offering's cost, offerings side by side, sweeps.

Heavy imports stay inside functions: the CLI loads this module only for these commands.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import combinations



def cost_of(req, setup, offering_id: str, today: date, source: str) -> dict:
    """One offering's breakdown under the method the rules decide, with its rank or exclusion."""
    return compared(req, setup, [offering_id], today, source)["offerings"][0]


def compared(req, setup, offering_ids: list[str], today: date, source: str) -> dict:
    """Each offering costed under the decided method, excluded ones included and marked."""
    from recommender.domain import cost
    from recommender.decision.decide import break_even_reason, break_even_json, cost_json, decide

    offerings = [setup.catalog.get(o) for o in offering_ids]
    decision = decide(req, setup, today, source)
    ranked = {r["offering"]: r["rank"] for r in decision["recommendations"]}
    excluded = {e["offering"]: e for e in decision["excluded"]}
    method = decision["approach"]["method"]
    baseline = cost.resolve_baseline(req, setup.catalog, file=source)
    costs = {o.id: cost.compute(o, req, setup.catalog, method, baseline) for o in offerings}
    entries = [{
        "offering": o.id,
        "provider": setup.catalog.providers[o.id],
        "model": o.model,
        "rank": ranked.get(o.id),
        "excluded": excluded.get(o.id),
        "approach": decision["approach"]["choice"],
        "cost": cost_json(costs[o.id]),
        "break_even": break_even_json(costs[o.id].break_even),
        "break_even_reason": break_even_reason(costs[o.id]),
        "engine": decision["engine"],
        "today": decision["today"],
    } for o in offerings]
    pairs = [_pair(a, b, costs[a.id], costs[b.id], req) for a, b in combinations(offerings, 2)]
    return {"approach": decision["approach"], "offerings": entries, "between": pairs,
            "engine": decision["engine"], "today": decision["today"], "source": source}


def _pair(a, b, cost_a, cost_b, req) -> dict:
    """Where two offerings' year-1 lines cross, and how fast the cheaper-to-run one repays its training."""
    from recommender.domain.cost import MILLION, MONTHS, blended_rate, usd

    out = {"a": a.id, "b": b.id, "year_one_difference": usd(cost_b.year_one - cost_a.year_one),
           "crossing_monthly_tokens": None, "payback_months": None, "payback_by": None, "note": None}
    if not (cost_a.complete and cost_b.complete):
        out["note"] = "a price is missing: no exact comparison"
        return out
    share = req.inference.input_share
    rate_a, rate_b = blended_rate(a, share), blended_rate(b, share)
    volume = Decimal(req.inference.monthly_tokens)
    if rate_a is not None and rate_b is not None and rate_a != rate_b:
        fixed_a = cost_a.year_one - MONTHS * rate_a * volume / MILLION
        fixed_b = cost_b.year_one - MONTHS * rate_b * volume / MILLION
        crossing = (fixed_b - fixed_a) / (MONTHS * (rate_a - rate_b)) * MILLION
        out["crossing_monthly_tokens"] = int(crossing.to_integral_value()) if crossing > 0 else None
    training_gap = cost_a.training.total - cost_b.training.total
    monthly_gap = cost_b.monthly.total - cost_a.monthly.total
    if training_gap and monthly_gap and (training_gap > 0) == (monthly_gap > 0):
        out["payback_months"] = format((training_gap / monthly_gap).quantize(Decimal("0.01")), "f")
        out["payback_by"] = a.id if training_gap > 0 else b.id  # the one that trains dearer and runs cheaper
    elif cost_a.year_one == cost_b.year_one:
        out["note"] = "the same year-1 cost"
    else:
        cheaper = a.id if cost_a.year_one < cost_b.year_one else b.id
        out["note"] = f"{cheaper} costs less to train and to run: it is cheaper at every volume"
    return out


# --- sweep ----------------------------------------------------------------------------------


def sweep_json(spec, points, crossings, top: int, setup, sweeper) -> dict:
    from recommender import __version__
    from recommender.decision import sweep as sweeping
    from recommender.domain.cost import usd

    def _plain(value: Decimal):
        return _value(value, spec.integral)

    return {
        "field": spec.field,
        "low": _plain(spec.low),
        "high": _plain(spec.high),
        "steps": spec.steps,
        "spacing": "log" if spec.log else "linear",
        "source": sweeper.source,
        "today": sweeper.today.isoformat(),
        "engine": {"version": __version__, "rules_sha256": setup.rules.sha256, "catalog_sha256": setup.catalog.sha256},
        "points": [{
            "value": _plain(p.value),
            "approach": p.approach,
            "method": p.method,
            "top": [{"offering": o, "training": usd(p.figures[o].training), "monthly": usd(p.figures[o].monthly),
                     "year_one": usd(p.figures[o].year_one), "complete": p.figures[o].complete} for o in p.order[:top]],
            "break_even_months": None if p.break_even_months is None else format(p.break_even_months.quantize(Decimal("0.01")), "f"),
        } for p in points],
        "throughout": [{"kind": kind, "value": value} for kind, value in sweeping.steady(points)],
        "crossovers": [{
            "kind": c.kind,
            "from": c.before,
            "to": c.after,
            "last_before": _plain(c.below),
            "first_after": _plain(c.at),
            "closed_form": None if c.closed_form is None else format(c.closed_form.quantize(Decimal("0.01")), "f"),
        } for c in crossings],
    }


def _value(value: Decimal, integral: bool):
    """Counts (tokens, requests, epochs) as JSON integers; shares and hours as decimal strings, low
    and high alike, so a reader never gets "0.5" at one end and 1 at the other."""
    if integral:
        return int(value)
    return format(value.normalize(), "f") if value != value.to_integral_value() else format(value.quantize(Decimal(1)), "f")
