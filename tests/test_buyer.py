"""Recommendations a buyer can budget on (issue 13). Figures are worked out by hand from the seeds."""

import json
import shutil
from decimal import Decimal

import pytest

from recommender.decision.decide import Setup, decide
from recommender.domain.catalog import load_catalog
from recommender.domain.pricecheck import implausible
from recommender.domain.requirements import Requirements
from recommender.engine.rules import load_rules

from conftest import ROOT, TODAY, run_cli

SMALL = {"small", "unknown"}
REQUESTS = [{}, {"priority": "cost"}, {"priority": "quality"}, {"priority": "inference_cost"},
            {"needs": {"reasoning": True}}, {"task": {"knowledge_churn": "daily"}},
            {"needs": {"self_hosting": True}}, {"inference": {"monthly_tokens": "500K"}},
            {"task": {"kind": "mixed_complexity"}}, {"needs": {"style_tone": True}, "task": {"knowledge_churn": "daily"}}]


def _decide(setup, data: dict) -> dict:
    return decide(Requirements.model_validate(data), setup, TODAY)


def _tier(rec: dict) -> str:
    return rec["capability"]["class"]


@pytest.mark.parametrize("data", REQUESTS)
def test_no_fully_priced_offering_trains_for_nothing(setup, data):
    for rec in _decide(setup, data)["recommendations"]:
        if rec["cost"]["complete"] and rec["cost"]["basis"] == "fine_tuned":
            assert Decimal(rec["cost"]["training"]) > 0, rec["offering"]


def test_together_bills_llama_3_1_at_its_size_tier_and_keeps_free_as_a_conflict(catalog):
    # 000: Together bills per token by model size; no free tier. 8B takes the up-to-16B LoRA rate of
    # Together Llama 4 8B ($1.00/M, 001), 70B the 70B-class rates ($6.00 LoRA, $300 full).
    small, large = catalog.offerings["together/llama-3.1-8b"], catalog.offerings["together/llama-3.1-70b"]
    assert small.prices.training["lora.sft"].usd == Decimal("1.00")
    assert large.prices.training["lora.sft"].usd == 6 and large.prices.training["full.sft"].usd == 300
    assert [c.usd for c in small.prices.training["lora.sft"].conflicts] == [0]


def test_a_zero_price_is_a_claim_unless_the_providers_own_page_says_so(tmp_path):
    target = tmp_path / "catalog"
    shutil.copytree(ROOT / "catalog", target)
    path = target / "fireworks.yaml"
    path.write_text(path.read_text().replace('usd: "0.50"', 'usd: "0"', 1))
    found = {(f.offering, f.price) for f in implausible(load_catalog(target))}
    assert ("fireworks/llama-4-8b", "training.lora.sft") in found
    path.write_text(path.read_text().replace('usd: "0"\n', 'usd: "0"\n          provider_page: true\n', 1))
    found = {(f.offering, f.price) for f in implausible(load_catalog(target))}
    assert ("fireworks/llama-4-8b", "training.lora.sft") not in found


def test_the_implausibility_test_is_inclusive(tmp_path):
    # Five LoRA SFT rates with median $2.00: $0.02 is exactly 1/100 of it and is flagged; $0.021 is not.
    offerings = "".join(
        f"""  - id: t/m{i}
    model: M{i}
    family: llama
    methods: [lora]
    tuning: [sft]
    prices:
      training: {{lora.sft: {{usd: "{usd}", source: "test", as_of: 2026-11-01}}}}
      inference_flat: {{usd: "0.50", source: "test", as_of: 2026-11-01}}
""" for i, usd in enumerate(("0.02", "1.00", "2.00", "3.00", "4.00")))
    (tmp_path / "t.yaml").write_text("provider: T\nofferings:\n" + offerings)
    assert {f.offering for f in implausible(load_catalog(tmp_path))} == {"t/m0"}
    (tmp_path / "t.yaml").write_text("provider: T\nofferings:\n" + offerings.replace('"0.02"', '"0.021"'))
    assert not implausible(load_catalog(tmp_path))


def test_reasoning_puts_no_small_model_first(setup):
    d = _decide(setup, {"needs": {"reasoning": True}})
    assert d["approach"]["choice"] == "larger_base_model" and d["rank_by"]["figure"] == "capability"
    assert _tier(d["recommendations"][0]) not in SMALL


def test_quality_keeps_small_models_out_of_the_top_three(setup):
    d = _decide(setup, {"priority": "quality"})
    assert d["recommendations"][0]["offering"] == "openai/gpt-4o"
    assert all(_tier(r) not in SMALL for r in d["recommendations"][:3])


def test_quality_within_the_openai_ecosystem_puts_gpt_4o_first(setup):
    # 001: "Best quality fine-tune at any price — OpenAI GPT-4o", over "GPT-4o mini first" for the ecosystem.
    d = _decide(setup, {"priority": "quality", "needs": {"openai_ecosystem": True}})
    assert [r["offering"] for r in d["recommendations"][:2]] == ["openai/gpt-4o", "openai/gpt-4o-mini"]


def test_inference_cost_ranks_by_the_monthly_figure(setup):
    recs = _decide(setup, {"priority": "inference_cost"})["recommendations"]
    complete = [Decimal(r["cost"]["monthly"]) for r in recs if r["cost"]["complete"] and not _demoted(r)]
    assert complete == sorted(complete)
    # Together Llama 3.1 8B: 100M × $0.10 = $10.00 a month, below Gemini 1.5 Flash's 80M × $0.075 + 20M × $0.30 = $12
    assert recs[0]["offering"] == "together/llama-3.1-8b" and recs[0]["cost"]["monthly"] == "10.00"


def _demoted(rec: dict) -> bool:
    return any("implausible" in (b["rule"] or "") for b in rec["because"])


def test_balanced_is_the_cost_capability_frontier_and_differs_from_cost(setup):
    balanced = [r["offering"] for r in _decide(setup, {"priority": "balanced"})["recommendations"]]
    cheapest = [r["offering"] for r in _decide(setup, {"priority": "cost"})["recommendations"]]
    assert balanced != cheapest and balanced[0] == cheapest[0]
    # typical workload: Llama 3.1 8B $135 (small), GPT-4o mini $621 (large), GPT-4o $7,575 (frontier) open
    # the list: each is the cheapest at a higher capability step than everything cheaper.
    assert balanced[:3] == ["together/llama-3.1-8b", "openai/gpt-4o-mini", "openai/gpt-4o"]


@pytest.mark.parametrize("data", REQUESTS)
def test_every_decision_costs_every_approach(setup, data):
    d = _decide(setup, data)
    assert [a["approach"] for a in d["approaches"]] == ["fine_tune", "hybrid", "rag", "prompt_engineering",
                                                        "routing", "larger_base_model"]
    assert [a["approach"] for a in d["approaches"] if a["chosen"]] == [d["approach"]["choice"]]


def test_rag_year_one_includes_vector_search_per_query(setup):
    # support bot: 30M tokens, 80/20, 2M queries. Gemini 1.5 Flash: 24M × $0.075 + 6M × $0.30 = $3.60
    # generation + 24M × $0.10/1M = $2.40 embedding + 2M × $0.00001 = $20.00 vector search = $26.00 a month.
    data = {"task": {"kind": "retrieval_chat", "knowledge_churn": "daily"}, "needs": {"citations": True},
            "inference": {"monthly_tokens": "30M", "monthly_queries": "2M"}}
    rag = next(a for a in _decide(setup, data)["approaches"] if a["approach"] == "rag")
    assert (rag["offering"], rag["monthly"], rag["year_one"]) == ("google/gemini-1.5-flash", "26.00", "312.00")
    search = next(p for p in rag["basis"] if p["item"].startswith("vector search"))
    assert search["amount"] == "20.00" and "002_dea53b92ca302776.txt" in search["source"]


def test_routing_is_002s_average_as_an_upper_bound(setup):
    routing = next(a for a in _decide(setup, {})["approaches"] if a["approach"] == "routing")
    assert (routing["monthly"], routing["year_one"]) == ("50.00", "600.00")  # 100M × $0.50/1M
    assert "upper bound" in routing["note"]


def test_a_rag_choice_ranks_offerings_by_rags_own_cost(setup):
    d = _decide(setup, {"task": {"knowledge_churn": "daily"}})
    top = d["recommendations"][0]
    assert top["cost"]["basis"] == "base_model" and top["cost"]["training"] == "0.00"
    assert {line["price"] for line in top["cost"]["breakdown"]} >= {"approach_prices.embedding_per_m",
                                                                     "approach_prices.vector_search_per_query"}


def test_defaults_that_decided_are_named(setup):
    d = _decide(setup, {"inference": {"monthly_tokens": "100M"}})
    assert d["approach"]["assumed"] == ["task.kind", "task.knowledge_churn"]
    assert any(w["message"].startswith("decided on assumptions: task.kind=narrow, task.knowledge_churn=stable")
               for w in d["warnings"])
    given = _decide(setup, {"inference": {"monthly_tokens": "100M"}, "task": {"kind": "narrow", "knowledge_churn": "stable"}})
    assert given["approach"]["assumed"] == []


def test_us_residency_is_a_dead_end_that_says_what_would_work(setup):
    d = _decide(setup, {"needs": {"data_residency": "us"}})
    assert d["recommendations"] == [] and len(d["excluded"]) == 18
    assert "unknown, not known to be refused" in d["excluded"][0]["message"]
    clash = d["dead_end"]["clashing"]
    assert [c["rule"] for c in clash] == ["offerings.us_residency"] and len(clash[0]["allowed_without_it"]) == 18
    assert "without needs.data_residency=us: 18 offering(s)" in d["dead_end"]["message"]


def test_openai_ecosystem_and_new_knowledge_name_their_clash(setup):
    # New knowledge calls for full fine-tuning (001), which no OpenAI offering documents.
    d = _decide(setup, {"needs": {"openai_ecosystem": True, "new_knowledge": True}})
    clash = {c["rule"]: c for c in d["dead_end"]["clashing"]}
    assert set(clash) == {"offerings.openai_ecosystem", "offerings.method_supported"}
    assert set(clash["offerings.method_supported"]["allowed_without_it"]) == {
        "openai/gpt-4o", "openai/gpt-4o-mini", "openai/gpt-5-mini", "openai/gpt-3.5-turbo"}
    assert "No offering meets every need" in d["warnings"][-1]["message"]


def test_explain_shows_assumed_facts_and_overridden_heuristics(tmp_path):
    path = tmp_path / "r.json"
    path.write_text(json.dumps({"inference": {"monthly_tokens": "5B", "monthly_queries": "500K"}}))
    data = json.loads(run_cli("explain", str(path), "--format", "json", "--today", TODAY.isoformat()).out)
    assert data["assumed"] == {"priority": "balanced", "task.kind": "narrow", "task.knowledge_churn": "stable"}
    assert len(data["cost_checks"]) == 1 and data["cost_checks"][0].startswith("Overridden by the costs")
    text = run_cli("explain", str(path), "--today", TODAY.isoformat()).out
    assert "Decided on assumptions" in text and "task.kind = narrow" in text
    assert "Heuristics checked against the costs:" in text and "Every approach on money (year-1):" in text


def test_a_foreign_catalog_without_capability_classes_still_ranks(tmp_path):
    catalog = load_catalog(ROOT / "tests" / "data" / "foreign_catalog")
    d = decide(Requirements.model_validate({"priority": "quality"}), Setup(catalog, load_rules()), TODAY)
    assert d["recommendations"] and all(r["capability"]["source"] for r in d["recommendations"])


def test_a_base_model_approach_shows_no_training_and_demotions_point_down(setup):
    from recommender.presentation.render import _money_column, short_why

    d = _decide(setup, {"needs": {"reasoning": True}})
    flash = next(r for r in d["recommendations"] if r["offering"] == "google/gemini-1.5-flash")
    assert {b["effect"] for b in flash["because"]} >= {"demote", "rank"}
    assert short_why(flash).startswith("↓ ")
    assert _money_column("training", "training", False).cell(flash) == "—"


def test_catalog_check_recomputes_002s_break_even_with_its_own_method():
    # 002's published break-evens count the training cost alone: $15 / $2.20 = 6.8M tokens (reproduced at
    # its precision, so not listed) and $0.125 / $2.425 = 51,546 tokens against its printed 54K.
    findings = json.loads(run_cli("catalog", "check", "--format", "json", "--today", TODAY.isoformat()).out)["findings"]
    published = {(f["offering"], f["price"]): f["message"] for f in findings if f["kind"] == "published"}
    assert not any(o == "openai/gpt-4o-mini" and "break_even" in p for o, p in published)
    flash = next(m for (o, p), m in published.items() if o == "google/gemini-1.5-flash" and "break_even" in p)
    assert "the catalog's rates give 51,546 tokens" in flash


def test_routing_is_not_costed_when_the_needs_exclude_its_models(setup):
    # 002's average routes between Gemini Flash and GPT-5: a Claude-only request cannot route.
    routing = next(a for a in _decide(setup, {"needs": {"model_family": "claude"}})["approaches"]
                   if a["approach"] == "routing")
    assert routing["year_one"] is None and "Gemini Flash, GPT-5" in routing["note"]
