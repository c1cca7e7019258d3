"""The decision path's shortcuts change nothing but the time: figures worked out before the whole cost
equal the whole cost's, what is cached per catalog gives what working it out afresh gives, and a
decision leaves no reference cycles behind (batches and sweeps pause the cyclic collector)."""

import gc
import random
from decimal import Decimal
from types import SimpleNamespace

import pytest
from conftest import TODAY

from recommender.api import as_requirements
from recommender.decision import decide as deciding
from recommender.decision.costing import RequestCosts
from recommender.domain import approach_cost, cost
from recommender.engine import durable

REQUESTS = [
    {},
    {"inference": {"monthly_tokens": "3M", "input_share": "0.95", "monthly_queries": 3_000, "few_shot_tokens": 200}},
    {"training": {"tokens": "20M", "epochs": 2, "method": "full"}, "operations": {"trainings_per_year": 4}},
    {"task": {"kind": "retrieval_chat", "knowledge_churn": "daily"}, "inference": {"monthly_tokens": "2B"}},
    {"needs": {"data_residency": "eu"}, "baseline": {"input_per_m": "2.50", "output_per_m": "10.00"}},
    {"inference": {"monthly_tokens": "700M", "input_share": "1"}, "baseline": "openai/gpt-4o",
     "operations": {"include_hidden_costs": False}},
    {"inference": {"monthly_tokens": "40M", "input_share": "0"}},  # output only
]


@pytest.mark.parametrize("given", REQUESTS)
def test_fine_tune_figures_are_the_whole_costs_figures(setup, given):
    req, _ = as_requirements(given)
    costs = RequestCosts(req, setup.catalog, cost.resolve_baseline(req, setup.catalog),
                         cost.project_hidden_costs(setup.catalog, req))
    for offering in setup.catalog.offerings.values():
        for method in ("lora", "full"):
            for retrieval in ((), costs.retrieval()):
                costed = costs.fine_tuned(offering, method, retrieval)
                whole = cost.compute(offering, req, setup.catalog, method, costs.baseline, costs.project_hidden,
                                     retrieval)
                assert costed.cost == whole
                _same_figures(costed.figures, whole)


@pytest.mark.parametrize("given", REQUESTS)
def test_base_model_figures_are_the_whole_costs_figures(setup, given):
    req, _ = as_requirements(given)
    retrieval = approach_cost.retrieval_lines(setup.catalog, req)
    for offering in setup.catalog.offerings.values():
        for lines in ((), retrieval):
            _same_figures(approach_cost.base_model_figures(offering, req, lines),
                          approach_cost.base_model_cost(offering, req, lines))


def _same_figures(figures: cost.Figures, whole: cost.Cost) -> None:
    assert (figures.training_total, figures.monthly_total, figures.year_one, figures.complete, figures.basis) == \
        (whole.training.total, whole.monthly.total, whole.year_one, whole.complete, whole.basis)


def test_a_point_of_a_sweep_costs_in_full_only_what_it_shows(setup, monkeypatch):
    built = []
    compute = cost.compute
    monkeypatch.setattr(cost, "compute", lambda *a, **k: built.append(a[0].id) or compute(*a, **k))
    req, _ = as_requirements({"inference": {"monthly_tokens": "500M"}, "task": {"knowledge_churn": "stable"}})
    result = deciding.evaluate(req, setup, TODAY)
    assert result.approach == "fine_tune" and len(result.ranked) > 3
    assert built == []  # ranked on figures alone
    assert result.ranked[0].cost.offering == result.ranked[0].offering.id
    assert built == [result.ranked[0].offering.id]


def test_a_decision_does_not_keep_the_whole_costs_it_has_shown(setup, monkeypatch):
    # A large catalog's whole costs would all stay alive until the decision is done: each is dropped once shown.
    kept = []
    evaluate = deciding.evaluate
    monkeypatch.setattr(deciding, "evaluate", lambda *a, **k: kept.append(evaluate(*a, **k)) or kept[-1])
    req, _ = as_requirements({"inference": {"monthly_tokens": "500M"}, "task": {"knowledge_churn": "stable"}})
    decision = deciding.decide(req, setup, TODAY)
    shown = [r for r in kept[-1].ranked if r.costed._cost is not None]
    assert len(decision["recommendations"]) == len(kept[-1].ranked) > 3
    assert len(shown) <= 1  # at most the cheapest fine-tune, which the approaches compared read again


def test_cached_offering_tests_give_what_testing_afresh_gives(setup):
    rng = random.Random(5)
    _, attributes = deciding._catalog_view(setup.catalog, TODAY)
    rules = [r for r in setup.rules.rules if r.offering_tests]
    for _ in range(200):
        given = rng.choice(REQUESTS)
        req, _ = as_requirements(given)
        decided = {**deciding.flat_facts(req, setup.catalog, TODAY),
                   "method": rng.choice(["lora", "full"]), "approach": "fine_tune"}
        rule = rng.choice(rules)
        assert durable.passing(rule, attributes, decided) == {
            oid: durable.offering_passes(rule.offering_tests, a, decided) for oid, a in attributes.items()}


def test_a_decision_leaves_no_reference_cycles(setup):
    requests = [as_requirements(given)[0] for given in REQUESTS]
    for req in requests:  # warm what is cached per catalog
        deciding.decide(req, setup, TODAY)
    gc.collect()
    was = gc.isenabled()
    gc.disable()
    try:
        for req in requests * 3:
            deciding.decide(req, setup, TODAY)
        assert gc.collect() == 0
    finally:
        if was:
            gc.enable()


def test_money_is_still_exact_decimal(setup):
    req, _ = as_requirements(REQUESTS[1])
    figures = RequestCosts(req, setup.catalog, None, ()).fine_tuned(next(iter(setup.catalog.offerings.values())),
                                                                     "lora").figures
    assert isinstance(figures.year_one, Decimal) and isinstance(figures.monthly_total, Decimal)


def test_a_decision_runs_with_the_collector_paused_and_restores_it(setup, monkeypatch):
    seen = []
    evaluate = deciding.evaluate
    monkeypatch.setattr(deciding, "evaluate", lambda *a, **k: seen.append(gc.isenabled()) or evaluate(*a, **k))
    assert gc.isenabled()
    deciding.decide(as_requirements({})[0], setup, TODAY)
    assert seen == [False] and gc.isenabled()


def test_a_memo_makes_once_keeps_what_its_key_names_and_forgets_at_its_limit():
    from recommender.domain.memo import Memo

    made = []
    memo = Memo(3)

    class Thing:
        pass

    thing = Thing()
    assert memo.get((id(thing), 1), lambda n: made.append(n) or n * 2, 21, keep=thing) == 42
    assert memo.get((id(thing), 1), lambda n: made.append(n) or n * 2, 21, keep=thing) == 42
    assert made == [21]
    import weakref

    alive = weakref.ref(thing)
    del thing
    gc.collect()
    assert alive() is not None  # kept with its entry: its id cannot be taken by another object
    for n in range(2, 4):
        memo.get(n, str, n)
    assert len(memo) == 3
    memo.get(4, str, 4)  # past the limit: everything is forgotten, then the new entry kept
    assert len(memo) == 1 and memo.get(4, lambda: "other") == "4"


def test_an_exclusion_message_is_written_for_the_facts_it_quotes_not_remembered_from_another_request(setup):
    # The same rule excludes the same offering in both requests; its message quotes the family each one needs.
    messages = {}
    for family in ("claude", "llama", "claude"):
        req, _ = as_requirements({"needs": {"model_family": family}})
        decision = deciding.decide(req, setup, TODAY)
        gpt = next(e for e in decision["excluded"] if e["offering"] == "openai/gpt-4o-mini")
        messages.setdefault(family, set()).add(gpt["message"])
    assert messages == {"claude": {"GPT-4o mini is a gpt model; the request needs claude"},
                        "llama": {"GPT-4o mini is a gpt model; the request needs llama"}}


def test_a_decision_id_names_the_second_it_was_made_at(setup, monkeypatch):
    """The id's time and `created_at` are one instant (the time is formatted once a second, and read
    once a decision), and a new second gives new texts."""
    seconds = iter([1_796_083_199.9, 1_796_083_200.2])  # 2026-11-30 23:59:59.9 UTC, then just past midnight
    monkeypatch.setattr(deciding, "time", SimpleNamespace(time=lambda: next(seconds)))
    req, _ = as_requirements({})
    made = [deciding.decide(req, setup, TODAY) for _ in range(2)]
    assert [(d["decision_id"][:15], d["created_at"]) for d in made] == [
        ("20261130-235959", "2026-11-30T23:59:59Z"), ("20261201-000000", "2026-12-01T00:00:00Z")]
    assert len({d["decision_id"] for d in made}) == 2
