"""`ftrec explain`: the story in firing order, why not an excluded and a lower-ranked offering."""

import json

from conftest import ROOT, run_cli

EU = str(ROOT / "examples" / "eu-bank.yaml")
TODAY = ("--today", "2026-11-23")


def _eu_decision():
    return json.loads(run_cli("recommend", EU, "--format", "json", *TODAY).out)


def test_why_not_an_excluded_offering_names_the_rule_and_its_source(audit_log):
    decision = _eu_decision()
    result = run_cli("explain", decision["decision_id"], "--why-not", "openai/gpt-4o", "--wide")
    assert result.code == 0
    assert result.out.splitlines() == [
        "openai/gpt-4o was excluded by rule offerings.eu_residency:",
        "  GPT-4o has no documented EU data residency (documented regions: none)",
        "  The rule: EU data residency or sovereignty; only offerings documented in the EU (Mistral, per AITOT "
        "fine-tuning cost guide 2026).",
        "  It fired because needs.data_residency = eu.",
        "  It encodes AITOT fine-tuning cost guide 2026: “European data residency or sovereignty — Mistral.”",
    ]


def test_why_not_a_lower_ranked_offering_gives_the_figures(audit_log):
    decision = _eu_decision()
    data = json.loads(run_cli("explain", decision["decision_id"][:20], "--why-not", "mistral/mistral-large-3",
                              "--format", "json").out)
    assert data["status"] == "ranked lower" and data["winner"] == "mistral/mistral-small-3"
    # Small 3: 15M × $3.00 = $45 + 12 × (40M × $0.72 + $2 hosting) = $414.60; Large 3: 15M × $0.008 = $0.12
    # + 12 × (40M × (0.8 × $0.50 + 0.2 × $1.50) + $2) = 12 × $30.00 → $360.12: cheaper, but its training
    # price is implausible.
    assert data["figures"]["year_one"] == {"this": "360.12", "winner": "414.60", "difference": "-54.48"}
    assert data["reasons"][0].endswith("[ranking.implausible_prices_last]")


def test_why_not_the_winner_and_an_unknown_offering(audit_log):
    decision = _eu_decision()
    first = run_cli("explain", decision["decision_id"], "--why-not", "mistral/mistral-small-3")
    assert first.out.strip() == "mistral/mistral-small-3 is the first recommendation (#1 of 3)."
    unknown = run_cli("explain", decision["decision_id"], "--why-not", "mistral/mistral-small")
    assert unknown.code == 2
    assert unknown.err.strip().startswith("--why-not: unknown offering 'mistral/mistral-small' (did you mean")


def test_the_story_in_firing_order(audit_log):
    decision = _eu_decision()
    data = json.loads(run_cli("explain", decision["decision_id"], "--format", "json").out)
    assert [s["rule"] for s in data["steps"]] == [s["rule"] for s in decision["trace"]]
    style = data["steps"][0]
    assert style == {"step": 1, "rule": "approach.style_tone",
                     "description": "A particular style or tone is needed; fine-tuning does this much better than a system prompt.",
                     "matched": {"needs.style_tone": True}, "concluded": {"reason": "fine_tune_style"}}
    cited = data["approach"]["because"][0]
    assert cited["rule"] == "approach.choose_fine_tune" and cited["source"]["document"] == "002_dea53b92ca302776.txt"
    text = " ".join(run_cli("explain", decision["decision_id"]).out.split())
    assert "What the rules did, in order:" in text and "source: AITOT fine-tuning cost guide 2026: “Need style / tone" in text


def test_explain_a_requirements_file_without_recording(audit_log):
    result = run_cli("explain", EU, "--why-not", "cohere/command-r", *TODAY)
    assert result.code == 0 and "excluded by rule offerings.eu_residency" in result.out
    assert not audit_log.exists()
