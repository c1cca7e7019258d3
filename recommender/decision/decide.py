"""One decision: requirements → rules → allowed offerings → costs → ranking → the CONTRACT §6 object.

The object is plain JSON data (money as two-decimal strings, token counts as integers), the same
one printed by `--format json` and stored in the audit log. Given the same requirements, `today`,
catalog and rules it is identical byte for byte, apart from `decision_id` and `created_at`.
"""

from __future__ import annotations

import os
import time
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any, Optional


from recommender import __version__
from recommender.domain import collector, cost
from recommender.engine import host as engine
from recommender.domain import pricecheck
from recommender.domain.catalog import Catalog, Offering
from recommender.domain.memo import Memo
from recommender.domain.record import Record
from recommender.domain.units import tokens
from recommender.engine.facts import FACTS, FINE_TUNING_APPROACHES
from recommender.domain.requirements import BaselineRates, Requirements
from recommender.engine.durable import matcher_value, message_parts, passing, render_parts
from recommender.engine.rules import RuleSet
from recommender.domain.vocabulary import APPROACH_NAMES, FIGURES  # noqa: F401 - part of this module's face
from recommender.decision import alternatives, ranking
from recommender.decision.costing import Costed, RequestCosts
from recommender.decision.shapes import (  # noqa: F401 - the JSON shapes are part of this module's face
    break_even_json,
    cost_json,
    dumps,
    hidden_item_json,
    money,
)

class Setup(Record):
    """What decisions run against: a catalog and a rule set, loaded once."""

    __slots__ = ("catalog", "rules")

    def __init__(self, catalog: Catalog, rules: RuleSet):
        self.catalog, self.rules = catalog, rules


class Ranked(Record):  # one per allowed offering per decision; nothing mutates it
    __slots__ = ("offering", "costed", "preferred", "demoted", "attributes")

    def __init__(self, offering: Offering, costed: Costed, preferred: tuple, demoted: tuple, attributes: dict):
        self.offering, self.costed, self.preferred, self.demoted, self.attributes = (
            offering, costed, preferred, demoted, attributes)

    @property
    def figures(self) -> cost.Figures:
        return self.costed.figures

    @property
    def cost(self) -> cost.Cost:
        return self.costed.cost


class Evaluation(Record):
    """What the rules decided and how the allowed offerings rank: a decision before its JSON. DECIDED:
    the facts with approach, method and rank_by; EXCLUDED: each offering left out, the rule that
    excluded it, and (traced) its message; COSTS: the request's costs, with its baseline and
    project-wide hidden costs."""

    __slots__ = ("session", "decided", "ranked", "excluded", "costs", "frontier")

    def __init__(self, session: engine.Session, decided: dict, ranked: tuple[Ranked, ...], excluded: tuple[dict, ...],
                 costs: RequestCosts, frontier: frozenset = frozenset()):
        self.session, self.decided, self.ranked, self.excluded = session, decided, ranked, excluded
        self.costs, self.frontier = costs, frontier

    @property
    def baseline(self) -> Optional[cost.Baseline]:
        return self.costs.baseline

    @property
    def project_hidden(self) -> tuple:
        return self.costs.project_hidden

    @property
    def approach(self) -> str:
        return self.decided["approach"]

    @property
    def rank_by(self) -> str:
        return self.decided["rank_by"]


def evaluate(req: Requirements, setup: Setup, today: date, source: str = "requirements",
             normalized: Optional[dict] = None, traced: bool = True) -> Evaluation:
    """Rules, then exclusions, costs and ranking: everything but building the JSON (sweeps stop here,
    and keep no trace: not TRACED).

    Where a rule weighs a cost heuristic (it reads a reason together with `costs.*` facts) and that
    reason is in, the cheapest allowed fine-tune's costs are asserted as facts and the rules run
    again on them: the figures, not the heuristic, then decide."""
    flat = flat_facts(req, setup.catalog, today, normalized)
    costs = RequestCosts(req, setup.catalog, cost.resolve_baseline(req, setup.catalog, file=source),
                          cost.project_hidden_costs(setup.catalog, req))
    result = _evaluate_with(flat, req, setup, today, costs, traced)
    if setup.rules.weighs_costs({reason for reason, _ in result.session.reasons}):
        result = _evaluate_with({**flat, **cost_facts(result, req, setup.catalog)}, req, setup, today, costs, traced)
    return result


def cost_facts(result: "Evaluation", req: Requirements, catalog: Catalog) -> dict:
    """The cheapest fully priced allowed fine-tune: what it costs up front in year one (trainings, and
    data preparation and evaluation at the low end: 001 says preparation is "far more than the training
    cost itself") against a year of its inference."""
    priced = [c for c in fine_tune_costs(result, req, catalog) if c[1].complete]
    if not priced:
        return {}
    offering, cheapest = min(priced, key=lambda c: (c[1].year_one, c[0].id))
    one_time, _ = cost.one_time_costs(result.costs.hidden(offering))
    training = req.operations.trainings_per_year * cheapest.figures.training_total + one_time
    inference = cost.MONTHS * cheapest.figures.monthly_total
    return {"costs.training_dominates": training > inference, "costs.offering": offering.id,
            "costs.training_year": cost.usd(training), "costs.inference_year": cost.usd(inference)}


def fine_tune_costs(result: "Evaluation", req: Requirements, catalog: Catalog) -> list[tuple[Offering, Costed]]:
    """Each allowed offering with plausible prices, fine-tuned (as ranked when the approach fine-tunes)."""
    method = result.decided["method"]
    return [(r.offering, r.costed if r.figures.basis == "fine_tuned" else result.costs.fine_tuned(r.offering, method))
            for r in result.ranked if not r.demoted and not r.attributes["offering.implausible_prices"]]


def _evaluate_with(flat: dict, req: Requirements, setup: Setup, today: date, costs: RequestCosts,
                   traced: bool = True) -> Evaluation:
    catalog, rules = setup.catalog, setup.rules
    session = engine.run(rules, matcher_fact(flat, rules.facts_tested), flat, traced)
    decided = {**flat, **{key: value for key, (value, _) in session.decisions.items()}}
    _, all_attributes = _catalog_view(catalog, today)
    costed = _costing(decided["approach"], decided["method"], req, catalog, costs)
    excluded, ranked = [], []
    for offering, failed, preferred, demoted in _sorted_out(catalog, session.offering_rules, all_attributes, decided):
        attributes = all_attributes[offering.id]
        if failed is None:
            ranked.append(Ranked(offering, costed(offering), preferred, demoted, attributes))
        elif traced:
            excluded.append({
                "offering": offering.id,
                "rule": failed.id,
                "message": offering_message(failed.message, attributes, decided),
            })
        else:
            excluded.append({"offering": offering.id, "rule": failed.id})  # nothing shown: no message written
    rank_by = decided["rank_by"]
    frontier = ranking.cost_capability_frontier(ranked) if rank_by == "value" else frozenset()
    ordered = ranking.order(ranked, rank_by, frontier)
    return Evaluation(session, decided, tuple(ordered), tuple(excluded), costs, frontier)


_SORTED_OUT = Memo(10_000)  # the same offering rules passing the same offerings: the same outcome


def _sorted_out(catalog: Catalog, rules: list, all_attributes: dict, decided: dict) -> list[tuple]:
    """(offering, the first require rule it fails or None, the prefer rules it passes, the demote
    rules it passes) for each catalog offering, in catalog order."""
    passes = [passing(r, all_attributes, decided) for r in rules]
    if len(_SORTED_OUT) * len(catalog.offerings) > 200_000:  # each outcome is a list the catalog's length
        _SORTED_OUT.clear()
    return _SORTED_OUT.get((id(catalog), *map(id, rules), *map(id, passes)), _sort_out, catalog, rules, passes,
                           keep=(catalog, list(rules), passes))


def _sort_out(catalog: Catalog, rules: list, passes: list) -> list[tuple]:
    by_kind = {kind: [(r, p) for r, p in zip(rules, passes) if r.conclusion == kind] for kind in ("require", "prefer", "demote")}
    outcome = []
    for oid, offering in catalog.offerings.items():
        failed = next((r for r, p in by_kind["require"] if not p[oid]), None)
        outcome.append((offering, failed, tuple(r for r, p in by_kind["prefer"] if p[oid]),
                        tuple(r for r, p in by_kind["demote"] if p[oid])))
    return outcome


def offering_message(text: str, attributes: dict, decided: dict) -> str:
    """A rule's message about one offering: written once for the offering and the decided facts it
    quotes (the same few recur across requests)."""
    parts = message_parts(text)
    quoted = tuple(decided.get(name) for name in parts[1::2] if name not in attributes)
    try:
        key = (id(parts), id(attributes), quoted, *map(type, quoted))
        hash(key)
    except TypeError:  # a list among the facts quoted
        return render_parts(parts, _lookup(attributes, decided))
    return _MESSAGES.get(key, render_parts, parts, _lookup(attributes, decided), keep=(parts, attributes))


_MESSAGES = Memo(50_000)


def _lookup(attributes: dict, decided: dict):
    """What a message about one offering may quote: its attributes, then the decided facts."""
    return lambda name: attributes[name] if name in attributes else decided.get(name)


def _costing(approach: str, method: str, req: Requirements, catalog: Catalog, costs: RequestCosts):
    """How each allowed offering is costed: fine-tuned for a fine-tune (a hybrid adds RAG's retrieval),
    else on its base model as the approach runs it (RAG adds retrieval to generation)."""
    retrieval = costs.retrieval() if approach in ("rag", "hybrid") else ()
    if approach in FINE_TUNING_APPROACHES:
        return lambda offering: costs.fine_tuned(offering, method, retrieval)
    return lambda offering: costs.base_model(offering, retrieval)


def decide(req: Requirements, setup: Setup, today: date, source: str = "requirements") -> dict:
    """The decision as JSON-ready data (CONTRACT §6)."""
    with collector.paused():
        return _decide(req, setup, today, source)


def _decide(req: Requirements, setup: Setup, today: date, source: str) -> dict:
    catalog, rules = setup.catalog, setup.rules
    normalized = req.normalized()
    result = evaluate(req, setup, today, source, normalized)
    session, decided = result.session, result.decided
    _, approach_rule = session.decisions["approach"]
    _, method_rule = session.decisions["method"]
    _, rank_rule = session.decisions["rank_by"]
    findings, _ = _catalog_view(catalog, today)
    # The approaches first: the top fine-tune's whole cost they read is then the one its recommendation shows.
    approaches = alternatives.approach_costs(result, req, catalog, fine_tune_costs(result, req, catalog))
    recommendations = [
        _recommendation(rank, r, decided, rank_rule, catalog, findings, result.project_hidden, result.frontier)
        for rank, r in enumerate(result.ranked, start=1)
    ]
    because = [approach_rule, *session.reason_rules(_reasons_read(rules.by_id[approach_rule]))]
    method_because = [method_rule, *session.reason_rules(_reasons_read(rules.by_id[method_rule]))]
    decision_id, created_at = new_decision_id()
    decision = {
        "decision_id": decision_id,
        "created_at": created_at,
        "engine": {"version": __version__, "rules_sha256": rules.sha256, "catalog_sha256": catalog.sha256},
        "today": today.isoformat(),
        "source": source,
        "requirements": normalized,
        "requirements_given": req.given(),
        "approach": {
            "choice": result.approach,
            "method": decided["method"],
            "fine_tunes": result.approach in FINE_TUNING_APPROACHES,
            "summary": rules.by_id[approach_rule].description,
            "because": because,
            "method_because": method_because,
            "assumed": assumed(req, session, [*because, *method_because]),
        },
        "rank_by": {"figure": result.rank_by, "because": [rank_rule], "assumed": assumed(req, session, [rank_rule])},
        "hidden_costs": {
            "note": "project-wide hidden costs (001), counted in every offering's hidden range; "
                    "each offering lists only its own items",
            "items": [hidden_item_json(item) for item in result.project_hidden],
        } if req.operations.include_hidden_costs else None,
        "recommendations": recommendations,
        "approaches": approaches,
        "excluded": list(result.excluded),
        "dead_end": alternatives.dead_end(result, catalog, _catalog_view(catalog, today)[1]) if not result.ranked else None,
        "trace": [
            {"step": step, "rule": f.rule, "matched": f.matched, "asserted": f.asserted}
            for step, f in enumerate(session.firings, start=1)
        ],
        "warnings": [],
    }
    decision["warnings"] = _warnings(session, decided, decision["approach"], recommendations)
    if decision["dead_end"]:
        decision["warnings"].append({"rule": None, "message": decision["dead_end"]["message"]})
    return decision


# --- facts --------------------------------------------------------------------------------


def flat_facts(req: Requirements, catalog: Catalog, today: date, normalized: Optional[dict] = None) -> dict:
    """Fact name → value as the trace shows it (exact strings for decimals)."""
    normalized = req.normalized() if normalized is None else normalized
    flat: dict[str, Any] = {}
    for name, section, field in _FACT_PLACES:
        if field:
            values = normalized.get(section)
            if isinstance(values, dict):
                flat[name] = values.get(field)
        else:
            flat[name] = normalized.get(section)
    if isinstance(req.baseline, BaselineRates):
        flat["baseline"] = "custom rates"
    flat.update(_catalog_facts(catalog, today))
    return flat


# Each fact's place in the normalized requirements; the decisions (approach, method, rank_by) are the rules' to make.
_FACT_PLACES = tuple((name, *name.partition(".")[::2]) for name in FACTS if name not in ("approach", "method", "rank_by"))


def _catalog_facts(catalog: Catalog, today: date) -> dict:
    return {"catalog.stale_prices": len(pricecheck.stale(catalog, today)),
            "catalog.implausible_prices": len(pricecheck.implausible(catalog)),
            **pricecheck.context_facts(catalog, today)}


def matcher_fact(flat: dict, tested: frozenset[str]) -> dict:
    """The nested fact durable_rules matches: only what rules test (every firing carries it),
    and absent values left out so that `exists: false` holds."""
    fact: dict = {}
    for name, value in flat.items():
        if value is None or name not in tested:
            continue
        if name in _DECIMAL_FACTS:
            value = matcher_value(Decimal(value))
        section, field = _PLACE.get(name) or _place(name)
        if field:
            fact.setdefault(section, {})[field] = value
        else:
            fact[section] = value
    return fact


_DECIMAL_FACTS = frozenset(name for name, kind in FACTS.items() if kind.kind == "decimal")
_PLACE: dict[str, tuple[str, str]] = {}


def _place(name: str) -> tuple[str, str]:
    section, _, field = name.partition(".")
    _PLACE[name] = (section, field)
    return section, field


_VIEWS: dict[tuple[str, date], tuple[dict, dict]] = {}  # per catalog and day: the same for every decision


def _catalog_view(catalog: Catalog, today: date) -> tuple[dict, dict]:
    """Stale and implausible findings by offering, and each offering's attributes as rules test them."""
    key = (catalog.sha256, today)
    if key not in _VIEWS:
        by: dict[str, dict[str, list]] = {}
        for finding in (*pricecheck.stale(catalog, today), *pricecheck.implausible(catalog),
                        *pricecheck.retired(catalog, today)):
            by.setdefault(finding.offering, {}).setdefault(finding.kind, []).append(finding)
        attributes = {o.id: offering_attributes(o, catalog, by) for o in catalog.offerings.values()}
        _VIEWS[key] = (by, attributes)
    return _VIEWS[key]


def offering_attributes(offering: Offering, catalog: Catalog, findings: dict) -> dict:
    found = findings.get(offering.id, {})
    return {
        "offering.id": offering.id,
        "offering.provider": offering.provider_slug,
        "offering.model": offering.model,
        "offering.family": offering.family,
        "offering.params_b": offering.params_b,
        "offering.capability": offering.capability_class[0],
        "offering.open_weights": offering.open_weights,
        "offering.regions": list(offering.regions),
        "offering.methods": list(offering.methods),
        "offering.tuning": list(offering.tuning),
        "offering.strengths": list(offering.strengths),
        "offering.provisioned_throughput": offering.provisioned_throughput,
        "offering.implausible_prices": len(found.get("implausible", ())),
        "offering.implausible_inference_prices": sum(not f.price.startswith("training") for f in found.get("implausible", ())),
        "offering.stale_prices": len(found.get("stale", ())),
        "offering.retired": bool(found.get("retired")),
        "offering.retired_on": offering.retired_on and offering.retired_on.isoformat(),
    }


def _reasons_read(rule) -> tuple[str, ...]:
    return (*rule.when.reasons_all, *rule.when.reasons_any)


def assumed(req: Requirements, session: engine.Session, rule_ids: list[str]) -> list[str]:
    """The requirement fields the request left to their defaults that these rules, as they fired, tested."""
    deciding = set(rule_ids)
    tested = [name for firing in session.firings if firing.rule in deciding for name in firing.matched]
    return sorted({name for name in tested if name in FACTS and req.defaulted(name)})


# --- ranking ------------------------------------------------------------------------------


figure_of = ranking.figure_of


def _recommendation(rank, r: Ranked, decided, rank_rule, catalog, findings, shared_hidden=(),
                    frontier=frozenset()) -> dict:
    offering, c, preferred, demoted = r.offering, r.costed.shown_once(), r.preferred, r.demoted
    attributes = r.attributes  # what their messages may quote, with the decided facts
    because = [{"rule": rule.id, "effect": "prefer", "message": offering_message(rule.message or rule.description,
                                                                                attributes, decided)}
               for rule in preferred]
    because += [{"rule": rule.id, "effect": "demote", "message": offering_message(rule.message, attributes, decided)}
                for rule in demoted]
    because.append({"rule": rank_rule, "effect": "rank",
                    "message": ranking.rank_message(decided["rank_by"], offering, frontier)})
    if not c.complete:
        because.append({"rule": None, "effect": "incomplete", "message": f"incomplete cost: missing {', '.join(c.missing)}; ranked after fully priced offerings"})
    found = findings.get(offering.id, {})
    return {
        "rank": rank,
        "offering": offering.id,
        "provider": catalog.providers[offering.id],
        "model": offering.model,
        "capability": _CAPABILITY_JSON.get(id(offering), _capability_json, offering, keep=offering),
        "cost": cost_json(c, shared_hidden),
        "break_even": break_even_json(c.break_even),
        "break_even_reason": break_even_reason(c),
        "because": because,
        "flags": {
            "stale_prices": len(found.get("stale", ())),
            "implausible_prices": [f.price for f in found.get("implausible", ())],
        },
    }


_CAPABILITY_JSON = Memo(100_000)  # an offering's capability class, as every decision shows it: built once


def _capability_json(offering: Offering) -> dict:
    return dict(zip(("class", "source"), offering.capability_class))


def break_even_reason(c: cost.Cost) -> Optional[str]:
    if c.basis == "base_model":
        return "not a fine-tune: there is no training to repay"
    if c.break_even is None:
        return "no baseline given: set `baseline` to today's model (an offering id or {input_per_m, output_per_m})"
    return c.break_even.reason


# --- warnings -----------------------------------------------------------------------------


def _warnings(session, decided, approach: dict, recommendations: list) -> list[dict]:
    warnings = [{"rule": rule.id, "message": text} for rule, text in session.warnings]
    if approach["assumed"]:
        shown = ", ".join(f"{name}={_show(decided.get(name))}" for name in approach["assumed"])
        warnings.append({"rule": None, "message": f"decided on assumptions: {shown} (defaults: the request did not "
                                                  "give them; set them to be sure)"})
    notes = sorted({note for r in recommendations for note in r["cost"]["notes"]})
    warnings.extend({"rule": None, "message": note} for note in notes)
    return warnings


def _show(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1_000:
        return tokens(value)
    return str(value).lower() if isinstance(value, bool) else str(value)


# --- ids and times ------------------------------------------------------------------------


def new_decision_id() -> tuple[str, str]:
    """A new decision id, and the time it was made (`created_at`): the id is sortable and readable,
    that second, then randomness (prefixes are accepted)."""
    # 40 random bits: a batch of 100,000 decisions in one second collides with odds of about 1 in 200.
    second, created_at = _this_second()
    return f"{second}-{os.urandom(5).hex()}", created_at


def _this_second() -> tuple[str, str]:
    """The current second as ids and as `created_at` write it, formatted once a second: a batch makes
    hundreds of decisions a second, and formatting the time cost as much as costing an offering."""
    now = int(time.time())
    if _SECOND[0] != now:
        when = datetime.fromtimestamp(now, timezone.utc)
        _SECOND[:] = [now, (f"{when:%Y%m%d-%H%M%S}", when.isoformat().replace("+00:00", "Z"))]
    return _SECOND[1]


_SECOND: list = [None, None]  # [the second, its texts]
