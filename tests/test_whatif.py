"""compare and sweep: crossovers worked out by hand on a two-offering catalog, sweep points equal to
separate recommendations, side-by-side figures with their sources, bad --vary refused."""

import json

import pytest

from conftest import ROOT, run_cli

TWO = str(ROOT / "tests" / "data" / "two_offerings")
TODAY = ("--today", "2026-11-23")


@pytest.fixture
def workload(tmp_path):
    # 5M tokens × 3 epochs = 15M training tokens: cheap-train $15.00, cheap-run $150.00.
    path = tmp_path / "r.yaml"
    # A style to learn is a reason to fine-tune at any volume over 1M tokens a month; ranked by year-1.
    path.write_text("training: {tokens: 5M, epochs: 3}\ntask: {kind: narrow, knowledge_churn: stable}\n"
                    "needs: {style_tone: true}\npriority: cost\n"
                    "baseline: {input_per_m: '1.50', output_per_m: '1.50'}\n")
    return str(path)


def sweep(*args):
    result = run_cli("sweep", *args, "--format", "json", *TODAY)
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_top_offering_crossover_matches_the_hand_computed_volume(workload):
    # Year-1: 15 + 12 × V × 0.50/1M  =  150 + 12 × V × 0.20/1M  →  V = 135 / (12 × 0.30) × 1M = 37,500,000.
    # At the tie the ids decide: test/cheap-run sorts first.
    data = sweep(workload, "--catalog", TWO, "--vary", "inference.monthly_tokens=2M..100M:6")
    top = [c for c in data["crossovers"] if c["kind"] == "top offering"]
    assert top == [{"kind": "top offering", "from": "test/cheap-train", "to": "test/cheap-run",
                    "last_before": 37_499_999, "first_after": 37_500_000, "closed_form": "37500000.00"}]


def test_approach_crossover_at_the_one_million_token_threshold(workload):
    data = sweep(workload, "--catalog", TWO, "--vary", "inference.monthly_tokens=100K..10M:5:log")
    approach = [c for c in data["crossovers"] if c["kind"] == "approach"]
    assert approach == [{"kind": "approach", "from": "prompt_engineering", "to": "fine_tune",
                         "last_before": 999_999, "first_after": 1_000_000, "closed_form": None}]


def test_break_even_within_twelve_months(workload):
    # cheap-train against a $1.50/1M baseline saves $1.00 per 1M; $15 training repaid in 12 months
    # from 15 / (12 × 1.00) × 1M = 1,250,000 tokens a month.
    data = sweep(workload, "--catalog", TWO, "--vary", "inference.monthly_tokens=1M..2M:3")
    pays = [c for c in data["crossovers"] if c["kind"].startswith("break-even")]
    assert pays == [{"kind": "break-even within 12 months", "from": False, "to": True,
                     "last_before": 1_249_999, "first_after": 1_250_000, "closed_form": None}]


def test_sweep_points_equal_separate_recommendations(tmp_path):
    data = sweep(str(ROOT / "examples" / "startup-budget.yaml"), "--vary", "inference.monthly_tokens=500K..2B:7:log",
                 "--top", "3")
    source = (ROOT / "examples" / "startup-budget.yaml").read_text().replace("monthly_tokens: 20M", "monthly_tokens: {}")
    for point in data["points"][::3]:
        path = tmp_path / f"{point['value']}.yaml"
        path.write_text(source.format(point["value"]))
        single = json.loads(run_cli("recommend", str(path), "--format", "json", "--no-audit", *TODAY).out)
        assert point["approach"] == single["approach"]["choice"]
        assert [t["offering"] for t in point["top"]] == [r["offering"] for r in single["recommendations"][:3]]
        assert [t["year_one"] for t in point["top"]] == [r["cost"]["year_one"] for r in single["recommendations"][:3]]


def test_grid_spacing_and_fields(workload):
    data = sweep(workload, "--catalog", TWO, "--vary", "training.epochs=1..4:4")
    assert [p["value"] for p in data["points"]] == [1, 2, 3, 4]
    # cheap-train at 100M tokens/month: 5M × epochs × $1.00 + 12 × $50
    # cheap-run at the default 100M tokens a month: 5M × epochs × $10.00 + 12 × 100 × $0.20
    assert [p["top"][0]["year_one"] for p in data["points"]] == ["290.00", "340.00", "390.00", "440.00"]
    share = sweep(workload, "--catalog", TWO, "--vary", "inference.input_share=0.5..0.9:5")
    assert [p["value"] for p in share["points"]] == ["0.5", "0.6", "0.7", "0.8", "0.9"]
    logged = sweep(workload, "--catalog", TWO, "--vary", "inference.monthly_tokens=1M..100M:3:log")
    assert [p["value"] for p in logged["points"]] == [1_000_000, 10_000_000, 100_000_000]


@pytest.mark.parametrize("vary,fragment", [
    ("inference.monthly_tokens=5M", "cannot read"),
    ("monthly_tokens=1M..5M", "'monthly_tokens' is not a numeric requirement"),
    ("needs.citations=0..1", "is not a numeric requirement"),
    ("inference.monthly_tokens=5M..1M", "LOW must be below HIGH"),
    ("inference.monthly_tokens=1M..5M:1", "STEPS must be a whole number from 2"),
    ("inference.monthly_tokens=1M..5M:ten", "STEPS must be a whole number"),
    ("inference.monthly_tokens=0..5M:10:log", "log spacing needs LOW above 0"),
    ("inference.monthly_tokens=1M..5M:10:cubic", "spacing must be log or linear"),
    ("inference.input_share=0.5..1.5", "inference.input_share must be between 0 and 1"),
    ("inference.monthly_tokens=lots..5M", "inference.monthly_tokens must be a token count"),
])
def test_bad_vary_exits_2_with_the_right_form(workload, vary, fragment):
    result = run_cli("sweep", workload, "--vary", vary)
    assert result.code == 2 and result.out == ""
    line = result.err.strip()
    assert len(line.splitlines()) == 1 and line.startswith("--vary: ") and fragment in line
    assert line.endswith("expected FIELD=LOW..HIGH[:STEPS[:log]], e.g. inference.monthly_tokens=100K..1B:40:log")


def test_sweep_table_csv_markdown_and_plot(workload, tmp_path):
    args = (workload, "--catalog", TWO, "--vary", "inference.monthly_tokens=2M..100M:4", *TODAY)
    table = run_cli("sweep", *args, "--plot")
    assert table.code == 0 and "Crossovers:" in table.out and "top offering: test/cheap-train → test/cheap-run" in table.out
    assert "● test/cheap-train" in table.out and "┊" in table.out
    csv = run_cli("sweep", *args, "--format", "csv").out.splitlines()
    assert csv[0].startswith("inference.monthly_tokens,approach,method,top1,top1_training")
    assert len(csv) == 5
    assert "**Crossovers**" in run_cli("sweep", *args, "--format", "markdown").out


def test_plot_file(workload, tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "chart.svg"
    result = run_cli("sweep", workload, "--catalog", TWO, "--vary", "inference.monthly_tokens=2M..100M:4", "--plot-file", str(out))
    assert result.code == 0 and out.read_text().lstrip().startswith("<?xml")
    bad = run_cli("sweep", workload, "--catalog", TWO, "--vary", "inference.monthly_tokens=2M..100M:4", "--plot-file", str(tmp_path / "c.gif"))
    assert bad.code == 2 and "must end in .png or .svg" in bad.err


def test_compare_side_by_side_with_sources_and_the_crossing(workload):
    result = run_cli("compare", workload, "--catalog", TWO, "--offering", "test/cheap-train", "--offering", "test/cheap-run",
                     "--format", "json", *TODAY)
    data = json.loads(result.out)
    train, run = data["offerings"]
    assert (train["cost"]["training"], train["cost"]["monthly"], train["cost"]["year_one"]) == ("15.00", "50.00", "615.00")
    assert (run["cost"]["training"], run["cost"]["monthly"], run["cost"]["year_one"]) == ("150.00", "20.00", "390.00")
    assert all(line["source"] == "test catalog" for e in data["offerings"] for line in e["cost"]["breakdown"])
    # 100M tokens a month: cheap-run saves $30 a month and repays its extra $135 of training in 4.5 months.
    assert data["between"] == [{"a": "test/cheap-train", "b": "test/cheap-run", "year_one_difference": "-225.00",
                                "crossing_monthly_tokens": 37_500_000, "payback_months": "4.50",
                                "payback_by": "test/cheap-run", "note": None}]
    table = run_cli("compare", workload, "--catalog", TWO, "--offering", "test/cheap-train", "--offering", "test/cheap-run", *TODAY)
    text = " ".join(table.out.split())
    assert "their year-1 costs are equal at 37.5M tokens a month" in text
    assert "test/cheap-run's extra training pays back in 4.5 months" in text and "test catalog" in text


def test_compare_marks_an_excluded_offering_with_its_rule(tmp_path):
    eu = tmp_path / "eu.yaml"
    eu.write_text("needs: {data_residency: eu}\n")
    data = json.loads(run_cli("compare", str(eu), "--offering", "mistral/mistral-small-3", "--offering", "openai/gpt-4o",
                              "--format", "json", *TODAY).out)
    mistral, gpt4o = data["offerings"]
    assert mistral["rank"] == 1 and mistral["excluded"] is None
    assert gpt4o["rank"] is None and gpt4o["excluded"]["rule"] == "offerings.eu_residency"
    assert gpt4o["cost"]["year_one"] == "7575.00"  # still costed: $375 + 12 × $600
    table = run_cli("compare", str(eu), "--offering", "mistral/mistral-small-3", "--offering", "openai/gpt-4o", *TODAY).out
    assert "excluded by" in table and "offerings.eu_residency" in table
    assert "GPT-4o has no documented EU data residency" in " ".join(table.split())


def test_compare_needs_two_offerings_and_known_ids(workload):
    one = run_cli("compare", workload, "--offering", "openai/gpt-4o")
    assert one.code == 2 and "give two or more offerings" in one.err
    unknown = run_cli("compare", workload, "--offering", "openai/gpt-4o", "--offering", "openai/gpt-4")
    assert unknown.code == 2 and "unknown offering 'openai/gpt-4'" in unknown.err


def test_what_holds_throughout_is_said_outright(workload):
    # Below 37.5M tokens a month cheap-train leads everywhere; 2M..30M never reaches the crossing.
    data = sweep(workload, "--catalog", TWO, "--vary", "inference.monthly_tokens=2M..30M:4")
    assert {"kind": "top offering", "value": "test/cheap-train"} in data["throughout"]
    assert {"kind": "approach", "value": "fine_tune"} in data["throughout"]
    assert not [c for c in data["crossovers"] if c["kind"] == "top offering"]
    table = run_cli("sweep", workload, "--catalog", TWO, "--vary", "inference.monthly_tokens=2M..30M:4", *TODAY).out
    assert "top offering: test/cheap-train throughout this range" in table


def test_break_even_within_twelve_months_counts_one_time_costs(workload, tmp_path):
    # With 001's one-time costs beside the two offerings (data preparation $2,000, one evaluation $0.50 at
    # the low end), the top offering above 37.5M tokens, cheap-run, must repay $150 + $2,000.50 = $2,150.50
    # at $1.50 − $0.20 = $1.30 per 1M tokens saved: within 12 months from 2,150.50 / (12 × 1.30) × 1M
    # = 137,852,564.1 → 137,852,565 tokens a month (without them: 150 / 15.6 × 1M = 9,615,385).
    import shutil

    catalog = tmp_path / "catalog"
    shutil.copytree(TWO, catalog)
    shutil.copy(ROOT / "catalog" / "hidden-costs.yaml", catalog / "hidden-costs.yaml")
    data = sweep(workload, "--catalog", str(catalog), "--vary", "inference.monthly_tokens=100M..200M:3")
    pays = [c for c in data["crossovers"] if c["kind"].startswith("break-even")]
    assert [(c["last_before"], c["first_after"]) for c in pays] == [(137_852_564, 137_852_565)]
