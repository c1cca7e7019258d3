"""Every shipped example produces what its comment says. Figures are worked out by hand from the seeds."""

from decimal import Decimal

import pytest

from recommender.decision.decide import decide
from recommender.domain.requirements import load_requirements

from conftest import ROOT, TODAY

EXAMPLES = ROOT / "examples"
MISTRAL = {"mistral/mistral-small-3", "mistral/mistral-large-3", "mistral/mistral-small-4"}
OPENAI = {"openai/gpt-5-mini", "openai/gpt-4o-mini", "openai/gpt-4o", "openai/gpt-3.5-turbo"}
LLAMA = {"fireworks/llama-4-8b", "fireworks/llama-4-70b", "together/llama-4-8b", "together/llama-4-70b",
         "together/llama-3.1-8b", "together/llama-3.1-70b"}
TOGETHER = {o for o in LLAMA if o.startswith("together/")}

EXPECTED = {
    "typical.yaml": dict(approach="fine_tune", method="lora",
                         figures={"fireworks/llama-4-8b": "247.50", "openai/gpt-4o-mini": "621.00"}),
    "eu-bank.yaml": dict(approach="fine_tune", method="lora", allowed=MISTRAL, excluded_by="offerings.eu_residency",
                         top="mistral/mistral-small-3", figures={"mistral/mistral-small-3": "414.60"},
                         monthly={"mistral/mistral-small-3": "30.80"}),
    "claude-shop.yaml": dict(approach="fine_tune", allowed={"aws-bedrock/claude-custom"},
                             excluded_by="offerings.model_family", incomplete=True, warns="offerings.claude_bedrock"),
    "startup-budget.yaml": dict(approach="fine_tune", top="together/llama-3.1-8b",
                                figures={"together/llama-3.1-8b": "27.00", "google/gemini-1.5-flash": "28.88"},
                                training={"together/llama-3.1-8b": "3.00"}),
    "support-bot-daily.yaml": dict(approach="rag", top="google/gemini-1.5-flash", warns="warnings.not_fine_tuning",
                                   monthly={"google/gemini-1.5-flash": "26.00"},
                                   figures={"google/gemini-1.5-flash": "312.00"}),
    "support-bot-branded.yaml": dict(approach="hybrid", method="lora"),
    "high-volume-classifier.yaml": dict(approach="fine_tune", top="google/gemini-1.5-flash", rank_by="monthly",
                                        monthly={"google/gemini-1.5-flash": "172.50"}),
    "internal-tool-low-volume.yaml": dict(approach="prompt_engineering"),
    "legal-research.yaml": dict(approach="rag"),
    "general-assistant.yaml": dict(approach="prompt_engineering"),
    "mixed-workload.yaml": dict(approach="routing"),
    "math-tutor.yaml": dict(approach="larger_base_model"),
    "openai-shop.yaml": dict(approach="fine_tune", allowed=OPENAI, top="openai/gpt-4o-mini",
                             figures={"openai/gpt-4o-mini": "621.00"}),
    "self-hosted.yaml": dict(approach="fine_tune", allowed=LLAMA, top="together/llama-3.1-8b"),
    "medical-new-knowledge.yaml": dict(approach="fine_tune", method="full", top="together/llama-3.1-70b",
                                       training={"together/llama-4-70b": "4500.00", "together/llama-3.1-70b": "4500.00"},
                                       figures={"together/llama-3.1-70b": "5556.00", "together/llama-4-70b": "5940.00"}),
    "dpo-alignment.yaml": dict(approach="fine_tune", allowed=TOGETHER, missing="training.lora.dpo"),
    "quality-first.yaml": dict(approach="fine_tune", top="openai/gpt-4o"),
    "prompt-already-works.yaml": dict(approach="prompt_engineering"),
    "quarterly-retraining.yaml": dict(approach="fine_tune", figures={"fireworks/llama-4-8b": "280.00"}),
}


def test_every_example_has_an_expectation_and_there_are_at_least_ten():
    shipped = {p.name for p in EXAMPLES.glob("*.yaml")}
    assert shipped == set(EXPECTED)
    assert len(shipped) >= 10


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example(setup, name):
    path = EXAMPLES / name
    d = decide(load_requirements(str(path)), setup, TODAY, str(path))
    expect = EXPECTED[name]
    recs = {r["offering"]: r for r in d["recommendations"]}
    if "approach" in expect:
        assert d["approach"]["choice"] == expect["approach"]
    if "method" in expect:
        assert d["approach"]["method"] == expect["method"]
    if "allowed" in expect:
        assert set(recs) == expect["allowed"]
        assert all(e["rule"] == expect["excluded_by"] for e in d["excluded"]) if "excluded_by" in expect else True
    if "top" in expect:
        assert d["recommendations"][0]["offering"] == expect["top"]
    if "rank_by" in expect:
        assert d["rank_by"]["figure"] == expect["rank_by"]
    for key, field in (("figures", "year_one"), ("monthly", "monthly"), ("training", "training")):
        for offering, amount in expect.get(key, {}).items():
            assert recs[offering]["cost"][field] == amount, offering
    if expect.get("incomplete"):
        assert all(not r["cost"]["complete"] for r in recs.values())
    if "missing" in expect:
        assert all(expect["missing"] in r["cost"]["missing"] for r in recs.values())
    if "warns" in expect:
        assert expect["warns"] in {w["rule"] for w in d["warnings"]}


def test_high_volume_classifier_breaks_even_against_its_baseline(setup):
    path = EXAMPLES / "high-volume-classifier.yaml"
    d = decide(load_requirements(str(path)), setup, TODAY, str(path))
    flash = next(r for r in d["recommendations"] if r["offering"] == "google/gemini-1.5-flash")
    # baseline 0.95 × 0.15 + 0.05 × 0.60 = $0.1725/1M; Flash 0.95 × 0.075 + 0.05 × 0.30 = $0.08625/1M
    # training 20M × 2 × $0.025 = $1.00; 002's break-even 1.00 / 0.08625 × 1M = 11,594,203 tokens.
    # With 001's one-time costs (data preparation $2,000–$10,000, one evaluation $0.50–$2.00):
    # (1.00 + 2,000.50) / 0.08625 × 1M = 23,205,797,101 tokens; (1.00 + 10,002) / 0.08625 → 115,976,811,594.
    # Monthly saving 2B × 0.08625 / 1M = $172.50: 2,001.50 / 172.50 = 11.6029 months, 10,003 / 172.50 = 57.9884.
    assert flash["break_even"]["baseline_rate"] == "0.1725"
    assert flash["break_even"]["training_only_tokens"] == 11_594_203
    assert flash["break_even"]["tokens"] == 23_205_797_101
    assert flash["break_even"]["tokens_high"] == 115_976_811_594
    assert flash["break_even"]["months"] == "11.6029" and flash["break_even"]["months_high"] == "57.9884"
    assert Decimal(flash["cost"]["training"]) == Decimal("1.00")
