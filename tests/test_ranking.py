"""Ranking: exclusions, order, determinism, another catalog; invariants checked with hypothesis."""

import json
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recommender.domain.catalog import load_catalog
from recommender.decision.decide import Setup, decide, dumps
from recommender.domain.requirements import Requirements
from recommender.engine.rules import load_rules
from recommender.decision.schema import Decision

from conftest import ROOT, TODAY, recorded, run_cli

FOREIGN = ROOT / "tests" / "data" / "foreign_catalog"

requests = st.fixed_dictionaries({}, optional={
    "inference": st.fixed_dictionaries({}, optional={
        "monthly_tokens": st.integers(0, 5 * 10**9),
        "input_share": st.decimals(0, 1, places=2),
        "monthly_queries": st.integers(0, 10**8),
    }),
    "training": st.fixed_dictionaries({}, optional={
        "tokens": st.integers(0, 10**9), "epochs": st.integers(1, 10), "type": st.sampled_from(["sft", "dpo"]),
        "method": st.sampled_from(["lora", "full", "auto"]),
    }),
    "needs": st.fixed_dictionaries({}, optional={
        "data_residency": st.sampled_from(["any", "eu", "us"]),
        "model_family": st.sampled_from(["any", "claude", "gpt", "llama", "mistral", "gemini", "command"]),
        "openai_ecosystem": st.booleans(), "self_hosting": st.booleans(), "citations": st.booleans(),
        "style_tone": st.booleans(), "new_knowledge": st.booleans(), "reasoning": st.booleans(),
    }),
    "task": st.fixed_dictionaries({}, optional={
        "knowledge_churn": st.sampled_from(["daily", "weekly", "monthly", "stable"]),
        "kind": st.sampled_from(["narrow", "general", "multi_task", "retrieval_chat", "mixed_complexity"]),
    }),
    "priority": st.sampled_from(["cost", "quality", "inference_cost", "balanced"]),
    "baseline": st.sampled_from(["openai/gpt-4o", "openai/gpt-4o-mini", {"input_per_m": "2.50", "output_per_m": "10"}]),
    "operations": st.fixed_dictionaries({}, optional={"trainings_per_year": st.integers(1, 12)}),
})

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(data=requests)
def test_ranking_invariants(setup, data):
    d = decide(Requirements.model_validate(data), setup, TODAY)
    ranked = [r["offering"] for r in d["recommendations"]]
    excluded = {e["offering"] for e in d["excluded"]}
    assert not excluded & set(ranked)  # an excluded offering never appears
    assert excluded | set(ranked) == set(setup.catalog.offerings)  # every offering is accounted for
    assert [r["rank"] for r in d["recommendations"]] == list(range(1, len(ranked) + 1))
    complete = [r["cost"]["complete"] for r in d["recommendations"]]
    assert complete == sorted(complete, reverse=True)  # fully priced before incomplete
    for r in d["recommendations"]:
        for money in ("training", "monthly", "year_one"):
            assert Decimal(r["cost"][money]) >= 0
    Decision.model_validate(d)  # always valid against `ftrec schema decision`


@SETTINGS
@given(data=requests, extra=st.integers(1, 10**9))
def test_raising_monthly_volume_never_lowers_a_year_one_figure(setup, data, extra):
    low = Requirements.model_validate(data)
    high_data = json.loads(json.dumps(low.given()))
    high_data.setdefault("inference", {})["monthly_tokens"] = low.inference.monthly_tokens + extra
    high = Requirements.model_validate(high_data)
    before = {r["offering"]: Decimal(r["cost"]["year_one"]) for r in decide(low, setup, TODAY)["recommendations"]}
    after = {r["offering"]: Decimal(r["cost"]["year_one"]) for r in decide(high, setup, TODAY)["recommendations"]}
    for offering in before.keys() & after.keys():
        assert after[offering] >= before[offering]


def test_same_input_gives_byte_identical_json_apart_from_id_and_time(setup):
    data = {"needs": {"data_residency": "eu", "style_tone": True}, "baseline": "openai/gpt-4o"}
    first, second = (decide(Requirements.model_validate(data), setup, TODAY) for _ in range(2))
    assert first["decision_id"] != second["decision_id"]
    for d in (first, second):
        d.pop("decision_id"), d.pop("created_at")
    assert dumps(first) == dumps(second)


def test_recommend_json_is_deterministic_through_the_cli(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text("needs: {citations: true}\n")
    outputs = [json.loads(run_cli("recommend", str(path), "--format", "json", "--today", "2026-11-23").out) for _ in range(2)]
    for o in outputs:
        o.pop("decision_id"), o.pop("created_at")
    assert outputs[0] == outputs[1]


def test_ties_rank_by_offering_id(tmp_path):
    twin = tmp_path / "twins.yaml"
    body = (FOREIGN / "acme.yaml").read_text().replace("acme/big-us", "acme/a-twin").replace("Big US", "Twin")
    twin.write_text(body.replace("acme/tiny-eu", "acme/b-twin"))
    (tmp_path / "more.yaml").write_text(body.replace("acme/tiny-eu", "acme/z-twin").replace("acme/a-twin", "acme/c-twin"))
    d = decide(Requirements(), Setup(load_catalog(tmp_path), load_rules()), TODAY)
    tiny = [r["offering"] for r in d["recommendations"] if r["offering"] in ("acme/b-twin", "acme/z-twin")]
    assert tiny == ["acme/b-twin", "acme/z-twin"]


def test_incomplete_offerings_rank_after_fully_priced_ones(setup):
    # Only Together's 70B models have a full-tuning rate (000's 70B-class tier): they come first.
    d = decide(Requirements.model_validate({"needs": {"new_knowledge": True}}), setup, TODAY)
    assert [r["offering"] for r in d["recommendations"][:2]] == ["together/llama-3.1-70b", "together/llama-4-70b"]
    assert all(not r["cost"]["complete"] for r in d["recommendations"][2:])
    assert "training.full.sft" in d["recommendations"][2]["cost"]["missing"]


def test_eu_request_lists_only_eu_offerings_and_says_why_the_rest_are_out(setup):
    d = decide(Requirements.model_validate({"needs": {"data_residency": "eu"}}), setup, TODAY)
    assert {r["offering"] for r in d["recommendations"]} == {
        "mistral/mistral-small-3", "mistral/mistral-large-3", "mistral/mistral-small-4"}
    assert len(d["excluded"]) == 15
    gpt4o = next(e for e in d["excluded"] if e["offering"] == "openai/gpt-4o")
    assert gpt4o == {"offering": "openai/gpt-4o", "rule": "offerings.eu_residency",
                     "message": "GPT-4o has no documented EU data residency (documented regions: none)"}


def test_a_catalog_written_by_someone_else_works(tmp_path):
    eu = tmp_path / "eu.yaml"
    eu.write_text("needs: {data_residency: eu}\n")
    result = run_cli("recommend", str(eu), "--catalog", str(FOREIGN), "--format", "json", "--today", "2026-11-23")
    assert result.code == 0, result.err
    d = json.loads(result.out)
    assert [r["offering"] for r in d["recommendations"]] == ["acme/tiny-eu"]
    # 5M × 3 × $1.00 = $15; 100M × $0.10 = $10/month; $15 + 12 × $10 = $135; no hidden-cost file.
    assert d["recommendations"][0]["cost"]["year_one"] == "135.00"
    assert d["recommendations"][0]["cost"]["hidden"] == {"low": "0.00", "high": "0.00", "items": []}
    assert d["excluded"] == [{"offering": "acme/big-us", "rule": "offerings.eu_residency",
                              "message": "Big US has no documented EU data residency (documented regions: us)"}]
    big = run_cli("cost", str(eu), "--offering", "acme/big-us", "--catalog", str(FOREIGN), "--format", "json")
    # 100M at 80/20: 80 × $1 + 20 × $3 = $140 + $5 hosting = $145/month
    assert json.loads(big.out)["cost"]["monthly"] == "145.00"


def test_markdown_output(tmp_path):
    result = run_cli("recommend", str(ROOT / "examples" / "typical.yaml"), "--format", "markdown", "--today", "2026-11-23")
    assert result.code == 0
    assert "**Approach:** Fine-tune · LoRA" in result.out
    assert "| 1 | `together/llama-3.1-8b`" in result.out


def test_table_output_prints_the_decision_id(tmp_path, audit_log):
    result = run_cli("recommend", str(ROOT / "examples" / "typical.yaml"), "--today", "2026-11-23")
    assert result.code == 0
    record = recorded(audit_log)[-1]
    assert f"Recorded decision {record['decision_id']} in {audit_log}." in result.err.splitlines()
    assert f"Why: ftrec explain {record['decision_id']} --audit-log {audit_log}" in result.err.splitlines()
    assert "$247.50" in result.out


def test_top_limits_what_is_printed_not_what_is_recorded(audit_log):
    result = run_cli("recommend", str(ROOT / "examples" / "typical.yaml"), "--format", "json", "--top", "2")
    assert len(json.loads(result.out)["recommendations"]) == 2
    assert [len(r["recommendations"]) for r in recorded(audit_log)] == [18]
