"""Each rule fires when it should and not when it shouldn't; each approach outcome; rule files load.

Cases give only what matters; the rest of the request is the default (narrow, stable, 100M tokens).
"""

import pytest

from recommender.decision.decide import decide
from recommender.domain.requirements import Requirements

from conftest import TODAY

QUIET = {"task": {"knowledge_churn": "monthly"}, "inference": {"monthly_tokens": "50M"}}  # fires few rules


def merged(*parts: dict) -> dict:
    out: dict = {}
    for part in parts:
        for key, value in part.items():
            out[key] = {**out.get(key, {}), **value} if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


# rule id → (a request it fires on, a request it does not fire on)
CASES = {
    "approach.prompt_suffices": ({"task": {"prompt_suffices": "yes", "kind": "general"}},
                                 {"task": {"prompt_suffices": "yes", "kind": "narrow"}, "inference": {"monthly_tokens": "100M"}}),
    "approach.low_volume_tokens": ({"inference": {"monthly_tokens": 999_999}}, {"inference": {"monthly_tokens": 1_000_000}}),
    "approach.low_volume_queries": ({"inference": {"monthly_queries": 999_999}}, {"inference": {"monthly_queries": 1_000_000}}),
    "approach.daily_knowledge": ({"task": {"knowledge_churn": "daily"}}, {"task": {"knowledge_churn": "weekly"}}),
    "approach.weekly_knowledge": ({"task": {"knowledge_churn": "weekly"}}, {"task": {"knowledge_churn": "daily"}}),
    "approach.weekly_changes": ({"task": {"knowledge_churn": "weekly"}}, {"task": {"knowledge_churn": "monthly"}}),
    "approach.citations": ({"needs": {"citations": True}}, {"needs": {"citations": False}}),
    "approach.style_tone": ({"needs": {"style_tone": True}}, {}),
    "approach.output_format": ({"needs": {"output_format": True}}, {}),
    "approach.narrow_high_volume": ({"task": {"kind": "narrow"}, "inference": {"monthly_tokens": "100M"}},
                                    {"task": {"kind": "narrow"}, "inference": {"monthly_tokens": 99_999_999}}),
    "approach.many_queries": ({"inference": {"monthly_queries": 10_000_001}}, {"inference": {"monthly_queries": 10_000_000}}),
    "approach.stable_knowledge": ({"task": {"knowledge_churn": "stable"}, "inference": {"monthly_tokens": "100M"}},
                                  {"task": {"knowledge_churn": "stable"}, "inference": {"monthly_tokens": 99_999_999}}),
    "approach.prompt_falls_short": ({"task": {"prompt_suffices": "no"}}, {"task": {"prompt_suffices": "unknown"}}),
    # 5B tokens a month from 500K queries: a year of inference on the cheapest fine-tune (Gemini 1.5 Flash,
    # 5B × $0.12 × 12 = $7,200) outweighs training and one-time costs ($0.375 + $2,000.50); at 500M it does not ($720).
    "approach.training_does_not_dominate": ({"inference": {"monthly_tokens": "5B", "monthly_queries": "500K"}},
                                            {"inference": {"monthly_tokens": "500M", "monthly_queries": "500K"}}),
    "approach.volume_heuristic_overridden": ({"inference": {"monthly_tokens": "5B", "monthly_queries": "500K"}},
                                             {"inference": {"monthly_tokens": "500K"}}),
    "approach.volume_heuristics_disagree": ({"inference": {"monthly_tokens": "500M", "monthly_queries": "500K"}},
                                            {"inference": {"monthly_tokens": "5B", "monthly_queries": "500K"}}),
    "approach.general_or_multi_task": ({"task": {"kind": "multi_task"}}, {"task": {"kind": "retrieval_chat"}}),
    "approach.mixed_complexity": ({"task": {"kind": "mixed_complexity"}}, {"task": {"kind": "general"}}),
    "approach.reasoning": ({"needs": {"reasoning": True}}, {}),
    "approach.choose_prompt_engineering": ({"task": {"prompt_suffices": "yes", "kind": "general"}}, {"task": {"prompt_suffices": "no", "kind": "general"}}),
    "approach.choose_larger_base_model": ({"needs": {"reasoning": True, "style_tone": True}}, {"needs": {"style_tone": True}}),
    "approach.choose_routing": ({"task": {"kind": "mixed_complexity"}}, {"task": {"kind": "narrow"}}),
    "approach.choose_rag_low_volume": ({"inference": {"monthly_tokens": "500K"}, "needs": {"citations": True}},
                                       {"inference": {"monthly_tokens": "500K"}}),
    "approach.choose_prompt_low_volume": ({"inference": {"monthly_tokens": "500K"}},
                                          {"inference": {"monthly_tokens": "500K"}, "needs": {"citations": True}}),
    "approach.choose_rag_changing": ({"task": {"knowledge_churn": "weekly"}, "needs": {"style_tone": True}},
                                     {"task": {"knowledge_churn": "daily"}, "needs": {"style_tone": True}}),
    "approach.choose_rag_general": ({"task": {"kind": "general", "knowledge_churn": "daily"}}, {"task": {"kind": "general"}}),
    "approach.choose_base_model_prompts": ({"task": {"kind": "general"}}, {"task": {"kind": "general", "knowledge_churn": "daily"}}),
    "approach.choose_hybrid": ({"task": {"knowledge_churn": "daily"}, "needs": {"style_tone": True}},
                               {"task": {"knowledge_churn": "daily"}}),
    "approach.choose_rag": ({"task": {"knowledge_churn": "daily"}}, {"task": {"knowledge_churn": "daily"}, "needs": {"style_tone": True}}),
    "approach.choose_fine_tune": ({"needs": {"style_tone": True}}, {}),
    "approach.default_prompt_engineering": ({}, {"needs": {"style_tone": True}}),
    "method.new_knowledge": ({"needs": {"new_knowledge": True}}, {}),
    "method.tokenizer_change": ({"needs": {"tokenizer_change": True}}, {}),
    "method.merge_adapters": ({"needs": {"merge_adapters": True}}, {}),
    "method.requested_full": ({"training": {"method": "full"}}, {"training": {"method": "auto"}}),
    "method.requested_lora": ({"training": {"method": "lora"}, "needs": {"new_knowledge": True}}, {"training": {"method": "auto"}}),
    "method.choose_full": ({"needs": {"merge_adapters": True}}, {"needs": {"merge_adapters": True}, "training": {"method": "lora"}}),
    "method.default_lora": ({}, {"needs": {"tokenizer_change": True}}),
    "offerings.eu_residency": ({"needs": {"data_residency": "eu"}}, {"needs": {"data_residency": "any"}}),
    "offerings.us_residency": ({"needs": {"data_residency": "us"}}, {"needs": {"data_residency": "eu"}}),
    "offerings.model_family": ({"needs": {"model_family": "llama"}}, {"needs": {"model_family": "any"}}),
    "offerings.claude_bedrock": ({"needs": {"model_family": "claude"}}, {"needs": {"model_family": "gpt"}}),
    "offerings.openai_ecosystem": ({"needs": {"openai_ecosystem": True}}, {}),
    "offerings.openai_ecosystem_mini_first": ({"needs": {"openai_ecosystem": True}}, {}),
    "offerings.self_hosting": ({"needs": {"self_hosting": True}}, {}),
    "offerings.self_hosting_llama_together": ({"needs": {"self_hosting": True}}, {}),
    "offerings.method_supported": ({"needs": {"new_knowledge": True}}, {}),
    "offerings.tuning_supported": ({"training": {"type": "dpo"}}, {"training": {"type": "sft"}}),
    "offerings.retired": (None, {}),  # the shipped catalog retires nothing: see test_prices.py
    "ranking.quality_first": ({"priority": "quality"}, {"priority": "cost"}),
    "ranking.retrieval_chat_first": ({"task": {"kind": "retrieval_chat"}}, {"task": {"kind": "narrow"}}),
    # the shipped catalog has implausible prices: these fire by approach
    "ranking.implausible_prices_last": ({"needs": {"style_tone": True}}, {"task": {"kind": "general"}}),
    "ranking.implausible_inference_last": ({"task": {"kind": "general"}}, {"needs": {"style_tone": True}}),
    "ranking.small_models_for_reasoning_last": ({"needs": {"reasoning": True}}, {}),
    "ranking.by_capability_for_reasoning": ({"needs": {"reasoning": True}, "priority": "cost"}, {"priority": "cost"}),
    "ranking.by_capability": ({"priority": "quality"}, {"priority": "cost"}),
    "ranking.by_value": ({"priority": "balanced"}, {"priority": "cost"}),
    "ranking.by_monthly": ({"priority": "inference_cost"}, {"priority": "quality"}),
    "ranking.by_year_one": ({"priority": "cost"}, {"priority": "inference_cost"}),
    "warnings.stale_prices": ({}, None),  # see test_stale_warning_depends_on_today
    "warnings.not_fine_tuning": ({"task": {"kind": "general"}}, {"needs": {"style_tone": True}}),
    "warnings.quarterly_retraining": ({"needs": {"style_tone": True}},
                                      {"needs": {"style_tone": True}, "operations": {"trainings_per_year": 4}}),
    "warnings.validation_not_billed": ({"training": {"validation_tokens": "1M"}},
                                       {"training": {"validation_tokens": "1M", "evaluations": 2}}),
    "warnings.no_baseline": ({}, {"baseline": "openai/gpt-4o"}),
}


def fired(setup, data: dict, today=TODAY) -> set[str]:
    d = decide(Requirements.model_validate(merged(QUIET, data)), setup, today)
    return {step["rule"] for step in d["trace"]}


def test_every_rule_has_a_case(ruleset):
    assert set(CASES) == set(ruleset.by_id)


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_fires_when_it_should_and_not_otherwise(setup, rule_id):
    fires_on, quiet_on = CASES[rule_id]
    if fires_on is not None:
        assert rule_id in fired(setup, fires_on)
    if quiet_on is not None:
        assert rule_id not in fired(setup, quiet_on)


def test_stale_warning_depends_on_today(setup):
    from datetime import date

    assert "warnings.stale_prices" in fired(setup, {}, date(2026, 11, 23))
    assert "warnings.stale_prices" not in fired(setup, {}, date(2026, 1, 2))


APPROACHES = [
    ({"task": {"prompt_suffices": "yes", "kind": "general"}}, "prompt_engineering"),
    ({"inference": {"monthly_tokens": "500K"}}, "prompt_engineering"),
    ({"inference": {"monthly_queries": 100_000}, "needs": {"citations": True}}, "rag"),
    ({"task": {"knowledge_churn": "daily"}}, "rag"),
    ({"task": {"knowledge_churn": "daily"}, "needs": {"style_tone": True}}, "hybrid"),
    ({"needs": {"citations": True, "output_format": True}}, "hybrid"),
    ({"task": {"knowledge_churn": "weekly"}, "needs": {"style_tone": True}}, "rag"),
    ({"needs": {"style_tone": True}}, "fine_tune"),
    ({"task": {"kind": "narrow", "knowledge_churn": "monthly"}, "inference": {"monthly_tokens": "100M"}}, "fine_tune"),
    ({"inference": {"monthly_queries": 20_000_000}}, "fine_tune"),
    ({"task": {"knowledge_churn": "stable", "kind": "retrieval_chat"}, "inference": {"monthly_tokens": "100M"}}, "fine_tune"),
    ({"task": {"knowledge_churn": "stable"}}, "prompt_engineering"),  # stable but not at scale (50M): no reason alone
    ({"task": {"prompt_suffices": "no"}}, "fine_tune"),  # a narrow task a prompt can't do, monthly churn, 50M
    ({"inference": {"monthly_tokens": "500M", "monthly_queries": "500K"}}, "prompt_engineering"),  # costs side with 001
    ({"inference": {"monthly_tokens": "5B", "monthly_queries": "500K"}}, "fine_tune"),  # the costs override 001
    ({"task": {"kind": "general"}}, "prompt_engineering"),
    ({"task": {"kind": "mixed_complexity"}, "needs": {"style_tone": True}}, "routing"),
    ({"needs": {"reasoning": True, "output_format": True}}, "larger_base_model"),
    ({}, "prompt_engineering"),
]


@pytest.mark.parametrize("data,approach", APPROACHES)
def test_approach_outcomes(setup, data, approach):
    d = decide(Requirements.model_validate(merged(QUIET, data)), setup, TODAY)
    assert d["approach"]["choice"] == approach
    assert d["approach"]["fine_tunes"] == (approach in ("fine_tune", "hybrid"))


def test_approach_because_names_the_deciding_rule_and_its_reasons(setup):
    d = decide(Requirements.model_validate(merged(QUIET, {"task": {"knowledge_churn": "daily"}, "needs": {"style_tone": True}})),
               setup, TODAY)
    assert d["approach"]["because"] == ["approach.choose_hybrid", "approach.daily_knowledge", "approach.style_tone"]


def test_the_empty_request_is_a_typical_fine_tune(setup):
    d = decide(Requirements(), setup, TODAY)
    assert (d["approach"]["choice"], d["approach"]["method"]) == ("fine_tune", "lora")


def test_a_request_no_requirement_rule_reads_still_decides(setup):
    # No reason, no requirement-level warning: only the decide events are handled (a durable_rules
    # session that never handled a message must not be deleted: it crashes).
    data = {"task": {"knowledge_churn": "monthly"}, "inference": {"monthly_tokens": "50M"}, "baseline": "openai/gpt-4o"}
    for _ in range(50):
        d = decide(Requirements.model_validate(data), setup, __import__("datetime").date(2026, 1, 2))
    assert d["approach"]["choice"] == "prompt_engineering"


def test_daily_knowledge_is_rag_and_with_style_hybrid_at_default_volume(setup):
    # Defaults: a narrow task at 100M tokens a month, which is itself a reason to fine-tune (002);
    # volume alone must not turn daily-changing knowledge into a hybrid (001: a fine-tune goes stale).
    daily = decide(Requirements.model_validate({"task": {"knowledge_churn": "daily"}}), setup, TODAY)
    assert daily["approach"]["choice"] == "rag"
    styled = decide(Requirements.model_validate({"task": {"knowledge_churn": "daily"}, "needs": {"style_tone": True}}),
                    setup, TODAY)
    assert styled["approach"]["choice"] == "hybrid"
    assert styled["approach"]["because"] == ["approach.choose_hybrid", "approach.daily_knowledge", "approach.style_tone"]
