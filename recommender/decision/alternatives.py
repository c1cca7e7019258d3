"""What else would work: every approach costed for the same request, so the choice is also compared
on money; and, for a request no offering can meet, the needs that clash and the nearest answer."""

from __future__ import annotations

from typing import Optional

from recommender.domain import approach_cost, cost
from recommender.domain.catalog import Catalog
from recommender.domain.requirements import BaselineRates, Requirements
from recommender.engine.durable import offering_passes

APPROACHES = ("fine_tune", "hybrid", "rag", "prompt_engineering", "routing", "larger_base_model")


def approach_costs(result, req: Requirements, catalog: Catalog, fine_tuned: list) -> list[dict]:
    """One entry per approach: monthly and year-1 on the allowed offering that suits it best (the top
    fine-tune, the cheapest base model, the most capable one), each part with its source."""
    # A base model's price is all these approaches use: only implausible inference prices rule one out.
    usable = [r for r in result.ranked if not r.attributes.get("offering.implausible_inference_prices")]
    retrieval = result.costs.retrieval()
    tuned = [(o, c) for o, c in fine_tuned if c.complete]
    top_tune = tuned[0] if tuned and result.approach in ("fine_tune", "hybrid") else _cheapest(tuned)
    top_tune = top_tune and (top_tune[0], top_tune[1].cost)  # the one costed in full
    # Choose on each fully priced base model's year-1 figure; cost in full only the ones chosen.
    bases = [(r.offering, f.year_one) for r in usable if (f := result.costs.base_model(r.offering).figures).complete]
    strongest = max(bases, key=lambda oy: (oy[0].capability_tier, -oy[1]), default=None)
    cheapest = min(bases, key=lambda oy: (oy[1], oy[0].id), default=None)
    strongest = strongest and (strongest[0], result.costs.base_model(strongest[0]).cost)
    cheapest_base = cheapest and (cheapest[0], result.costs.base_model(cheapest[0]).cost)
    entries = {
        "fine_tune": top_tune,
        "hybrid": top_tune and (top_tune[0], _with(top_tune[1], retrieval)),
        "rag": cheapest_base and (cheapest_base[0], result.costs.base_model(cheapest_base[0], retrieval).cost),
        "prompt_engineering": _today(req, result) or cheapest_base,
        "routing": _routing(result, catalog, req),
        "larger_base_model": strongest,
    }
    return [_entry(name, entries[name], result.approach) for name in APPROACHES]


ROUTED_FAMILIES = ("gemini", "gpt")  # 002's routing average: Gemini Flash for simple tasks, GPT-5 for complex ones


def _routing(result, catalog: Catalog, req: Requirements) -> Optional[tuple]:
    """002's routing average, where the request allows the families it routes between."""
    if not any(r.offering.family in ROUTED_FAMILIES for r in result.ranked):
        return None
    return (None, approach_cost.routing_cost(catalog, req))


def _cheapest(costed: list) -> Optional[tuple]:
    return min(costed, key=lambda oc: (oc[1].year_one, oc[0].id), default=None)


def _with(tuned: cost.Cost, extra: tuple) -> cost.Cost:
    monthly = cost.part((*tuned.monthly.lines, *extra))
    year_one = tuned.trainings_per_year * tuned.training.total + cost.MONTHS * monthly.total
    return cost.Cost(tuned.offering, tuned.method, tuned.training_type, tuned.trainings_per_year, tuned.training,
                     monthly, tuned.hidden, tuned.uplift, tuned.break_even, tuned.notes, year_one,
                     tuned.training.missing + monthly.missing, tuned.basis)


def _today(req: Requirements, result) -> Optional[tuple]:
    """Prompt engineering on today's model, when the request names its rates."""
    base = result.baseline
    if base is None or base.input is None or (base.output is None and req.inference.input_share < 1):
        return None
    lines = [cost.priced("today's model input", "baseline.input", base.input,
                         req.inference.monthly_tokens * req.inference.input_share, "tokens", cost.PER_M)]
    if req.inference.input_share < 1:
        lines.append(cost.priced("today's model output", "baseline.output", base.output,
                                 req.inference.monthly_tokens * (1 - req.inference.input_share), "tokens", cost.PER_M))
    monthly = cost.part(lines)
    label = "baseline" if isinstance(req.baseline, BaselineRates) else req.baseline
    return (None, cost.Cost(offering=label, method="none", training_type=req.training.type, trainings_per_year=0,
                            training=cost.part(()), monthly=monthly, hidden=None, uplift=None, break_even=None,
                            year_one=cost.MONTHS * monthly.total, basis="base_model"))


def _entry(name: str, costed: Optional[tuple], chosen: str) -> dict:
    if costed is None:
        why = ("the request's needs exclude the models it routes between (Gemini Flash, GPT-5)" if name == "routing"
               else "no allowed offering has every price this approach needs")
        return {"approach": name, "chosen": name == chosen, "offering": None, "monthly": None, "year_one": None,
                "basis": [], "note": why}
    offering, c = costed
    parts = [*((line, c.trainings_per_year) for line in c.training.lines), *((line, 12) for line in c.monthly.lines)]
    return {
        "approach": name,
        "chosen": name == chosen,
        "offering": offering.id if offering is not None else None,
        "monthly": cost.usd(c.monthly.total),
        "year_one": cost.usd(c.year_one),
        "basis": [{"item": line.item, "amount": None if line.amount is None else cost.usd(line.amount),
                   "times": times, "source": line.source}
                  for line, times in parts],
        "note": _note(name, offering),
    }


def _note(name: str, offering) -> Optional[str]:
    if name == "routing":
        return "an upper bound: the API Cost Score blog gives routing's average as under $0.50/1M"
    if name == "prompt_engineering" and offering is None:
        return "on today's model (the baseline): prompt engineering costs nothing beyond its inference"
    return None


def dead_end(result, catalog: Catalog, attributes: dict) -> dict:
    """Why nothing is allowed: each excluding rule with the needs it tests, and for each the offerings
    that every other requirement allows (the answer if that one need were dropped)."""
    session, decided = result.session, result.decided
    requires = [r for r in session.offering_rules if r.conclusion == "require"]
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
