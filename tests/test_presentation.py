"""Short formats, sources in words, and how the tables show what a decision holds (including the
fields newer decisions carry: approach.assumed, approaches, break_even.months_high)."""

import copy
import json

import pytest
from rich.console import Console

from recommender.decision.decide import decide
from recommender.domain.requirements import load_requirements
from recommender.domain.units import dollars_short, months_short, tokens_short
from recommender.domain.vocabulary import source_words
from recommender.presentation import render

from conftest import ROOT, TODAY, run_cli


@pytest.mark.parametrize("text, shown", [("247.50", "$247.50"), ("999.99", "$999.99"), ("1125.00", "$1.1K"),
                                         ("1234.00", "$1.2K"), ("110000.00", "$110K"), ("2500000.00", "$2.5M"),
                                         ("-1500.00", "-$1.5K")])
def test_short_money(text, shown):
    assert dollars_short(text) == shown


def test_short_tokens_and_lower_bounds():
    assert tokens_short(96_600) == "96.6K tok" and tokens_short(12_800_000) == "12.8M tok" and tokens_short(512) == "512 tok"
    assert dollars_short("180.00", lower_bound=True) == "≥ $180.00"
    assert render.figure("0.00", lower_bound=True) == "missing"  # never "≥ $0.00"
    assert render.figure("0.00") == "$0.00"


@pytest.mark.parametrize("months, high, shown", [("0", None, "< 1 mo"), ("0.1278", None, "< 1 mo"), ("5.3", None, "5.3 mo"),
                                                 ("11.6", None, "12 mo"), ("12", None, "12 mo"), ("12.01", None, "> 1 yr"),
                                                 ("5.3", "26", "5.3–26 mo"), ("0.5", "3.25", "<1–3.3 mo"),
                                                 ("14", "30", "> 1 yr"), ("5.3", "5.3", "5.3 mo"), (None, None, "—")])
def test_break_even_as_one_short_cell(months, high, shown):
    assert months_short(months, high) == shown


def test_sources_in_words_leave_figures_alone():
    assert source_words("per 002") == "per API Cost Score blog 2026"
    assert source_words("(001, not included above)") == "(AITOT fine-tuning cost guide 2026, not included above)"
    assert source_words("000_19179cd3903228f0.txt: billed tokens") == "Together AI fine-tuning pricing page: billed tokens"
    assert source_words("001_…txt: worked example") == "AITOT fine-tuning cost guide 2026: worked example"
    assert source_words("$1,000 and 1,000,000 tokens, 10.001, 2026-01-01") == "$1,000 and 1,000,000 tokens, 10.001, 2026-01-01"


def test_model_names_say_the_provider_once():
    assert render.model_name("Mistral", "Mistral Small 3") == "Mistral Small 3"
    assert render.model_name("OpenAI", "GPT-4o mini") == "OpenAI GPT-4o mini"


@pytest.fixture(scope="module")
def typical(setup):
    path = str(ROOT / "examples" / "typical.yaml")
    return json.loads(json.dumps(decide(load_requirements(path), setup, TODAY, path)))


def text_of(renderable, width: int = 80) -> str:
    console = Console(width=width, record=True, file=open("/dev/null", "w"))
    console.print(renderable)
    return console.export_text()


def test_newer_decision_fields_are_shown(typical):
    decision = copy.deepcopy(typical)
    decision["approach"]["assumed"] = ["task.prompt_suffices", "needs.output_format"]
    decision["approaches"] = [  # the shape issue 13 gives them
        {"approach": "fine_tune", "chosen": True, "offering": "together/llama-3.1-8b", "monthly": "10.00",
         "year_one": "120.00", "basis": [], "note": None},
        {"approach": "rag", "chosen": False, "offering": "cohere/command-r", "monthly": "1500.00", "year_one": "18000.00",
         "basis": [{"item": "embedding", "amount": "1.00", "times": 12, "source": "per 002"}], "note": None},
        {"approach": "routing", "chosen": False, "offering": None, "monthly": None, "year_one": None, "basis": [],
         "note": "per 002, no premium model allowed"}]
    decision["recommendations"][0]["break_even"]["months"] = "5.3"
    decision["recommendations"][0]["break_even"]["months_high"] = "26"
    text = text_of(render.decision_table(decision, 5, 80))
    assert "decided on assumptions: task.prompt_suffices=unknown, needs.output_format=false" in " ".join(text.split())
    assert "Approaches compared" in text and "$1.5K" in text and "$18K" in text and "→ fine-tune" in text
    assert "per API Cost Score blog 2026, no premium model allowed" in text
    assert "5.3–26 mo" in text
    markdown = render.decision_markdown(decision, 5)
    assert "| RAG | $1,500.00 | $18,000.00 | cohere/command-r |" in markdown and "Decided on assumptions" in markdown
    assert "| fine-tune (chosen) |" in markdown


@pytest.mark.parametrize("figure", ["capability", "value"])
def test_rankings_not_by_one_figure_keep_year_one_and_say_what_they_are(typical, figure):
    decision = copy.deepcopy(typical)
    decision["rank_by"] = {"figure": figure, "because": [f"ranking.by_{figure}"], "assumed": []}
    text = text_of(render.decision_table(decision, 5, 60), 60)
    assert "year-1" in text and "break-even" in text
    assert f"(ranking.by_{figure})" in text


def test_older_decisions_without_those_fields_still_show(typical):
    decision = copy.deepcopy(typical)
    decision["approach"].pop("assumed", None)
    decision["rank_by"].pop("assumed", None)
    decision.pop("approaches", None)
    text = text_of(render.decision_table(decision, 5))
    assert "Approaches compared" not in text and "assumptions" not in text


def test_ranked_by_the_figure_only_when_the_figures_are_in_order(setup):
    from recommender.domain.requirements import Requirements

    cheapest = decide(Requirements.model_validate({"priority": "cost"}), setup, TODAY)
    assert render.ranking_line(dict(cheapest, recommendations=cheapest["recommendations"][:5])) == \
        "Ranked by year-1 total (ranking.by_year_one)"
    # Cohere's Command R is preferred for retrieval/chat ahead of cheaper offerings: not in year-1 order.
    chat = decide(Requirements.model_validate({"priority": "cost", "task": {"kind": "retrieval_chat"}}), setup, TODAY)
    line = render.ranking_line(chat)
    assert line.startswith("Ranked preferred first, then by year-1 total; implausible prices and incomplete costs last")
    assert "ranking.retrieval_chat_first" in line
    path = str(ROOT / "examples" / "quality-first.yaml")
    quality = decide(load_requirements(path), setup, TODAY, path)
    assert render.ranking_line(quality) == "Ranked by capability class, then year-1 total (ranking.by_capability)"


def test_exclusions_grouped_by_rule(setup):
    path = str(ROOT / "examples" / "eu-bank.yaml")
    decision = decide(load_requirements(path), setup, TODAY, path)
    lines = render.exclusion_lines(decision["excluded"], 80)
    assert len(lines) == 1
    assert lines[0].startswith("15 offerings: no documented EU data residency [offerings.eu_residency]: ")
    assert lines[0].endswith("more)")  # folded: the full list is in --wide and JSON


def test_why_not_says_the_preference_and_the_gap():
    result = run_cli("explain", str(ROOT / "examples" / "quality-first.yaml"), "--why-not", "together/llama-3.1-8b",
                     "--today", "2026-11-23", "--wide")
    text = " ".join(result.out.split())
    # GPT-4o's year-1 $6,135.00 (375 + 12 × 480) against Llama 3.1 8B's $111.00 (15 + 12 × 8)
    assert "the winner is preferred: GPT-4o is the sources' pick for best quality [ranking.quality_first]" in text
    assert "although its year-1 total is $6,024.00 higher" in text


def test_sweep_json_keeps_each_field_in_one_type():
    args = ("sweep", str(ROOT / "examples" / "typical.yaml"), "--format", "json", "--today", "2026-11-23", "--vary")
    share = json.loads(run_cli(*args, "inference.input_share=0.5..1:3").out)
    assert (share["low"], share["high"]) == ("0.5", "1") and [p["value"] for p in share["points"]] == ["0.5", "0.75", "1"]
    volume = json.loads(run_cli(*args, "inference.monthly_tokens=1K..2M:3").out)
    assert (volume["low"], volume["high"]) == (1000, 2_000_000)
    assert all(isinstance(p["value"], int) for p in volume["points"])


def test_sweep_help_gives_the_default_steps():
    assert "[default: 20]" in " ".join(run_cli("sweep", "--help").out.split())


def test_a_rule_named_without_its_file_part_suggests_the_full_id():
    result = run_cli("rules", "show", "eu_residency")
    assert result.code == 2 and "did you mean 'offerings.eu_residency'?" in result.err


def test_a_dead_end_says_what_clashes(typical):
    decision = copy.deepcopy(typical)
    decision["recommendations"] = []
    decision["dead_end"] = {"clashing": [], "message": "needs.data_residency=eu and needs.model_family=claude clash (per 001)"}
    text = " ".join(text_of(render.decision_table(decision, 5, 80)).split())
    assert "No offering is allowed" in text
    assert "needs.data_residency=eu and needs.model_family=claude clash (per AITOT fine-tuning cost guide 2026)" in text
