"""The golden figures of DOMAIN.md §1, reproduced from the shipped catalog.

Every expected figure is from the seeds (001's year-1 table and worked example, 002's break-evens,
000's token example) or computed by hand in the test.
"""

from decimal import Decimal

import pytest

from recommender.domain import cost
from recommender.domain.requirements import Requirements

from conftest import ROOT, req

TYPICAL = dict(training={"tokens": "5M", "epochs": 3}, inference={"monthly_tokens": "100M", "input_share": "0.8"})

# 001's year-1 table: training, monthly inference, year-1 (the seven rows its rates reproduce).
TABLE_001 = {
    "fireworks/llama-4-8b": ("7.50", "20", "247.50"),  # 001 prints $248: $247.50 rounded
    "together/llama-4-8b": ("15", "22", "279"),
    "fireworks/llama-4-70b": ("45", "90", "1125"),
    "mistral/mistral-small-3": ("45", "74", "933"),
    "openai/gpt-5-mini": ("60", "108", "1356"),
    "together/llama-4-70b": ("90", "120", "1530"),
    "cohere/command-r": ("30", "54", "678"),
}


@pytest.mark.parametrize("offering_id,expected", TABLE_001.items())
def test_001_year_one_table(catalog, offering_id, expected):
    c = cost.compute(catalog.offerings[offering_id], req(**TYPICAL), catalog)
    training, monthly, year_one = (Decimal(x) for x in expected)
    assert c.complete
    assert c.training.total == training
    assert c.monthly.total == monthly
    assert c.year_one == year_one


def test_001_fireworks_prints_248_rounded(catalog):
    c = cost.compute(catalog.offerings["fireworks/llama-4-8b"], req(**TYPICAL), catalog)
    assert cost.usd(c.year_one) == "247.50"
    assert c.year_one.quantize(Decimal(1), rounding="ROUND_HALF_UP") == 248


def test_001_worked_example_gpt_4o_mini(catalog):
    # 5 × 3 × $3.00 = $45; 80M × $0.30 + 20M × $1.20 = $48/month; $45 + 12 × $48 = $621.
    c = cost.compute(catalog.offerings["openai/gpt-4o-mini"], req(**TYPICAL), catalog)
    assert (c.training.total, c.monthly.total, c.year_one) == (45, 48, 621)
    lines = {line.item: line for line in c.monthly.lines}
    assert lines["inference input"].quantity == 80_000_000 and lines["inference input"].amount == 24
    assert lines["inference output"].quantity == 20_000_000 and lines["inference output"].amount == 24


def test_001_lora_vs_full_on_llama_4_70b(catalog):
    offering = catalog.offerings["together/llama-4-70b"]
    workload = req(**TYPICAL)
    assert cost.compute(offering, workload, catalog, "lora").training.total == 90
    assert cost.compute(offering, workload, catalog, "full").training.total == 4500


BREAK_EVEN_002 = dict(training={"tokens": "5M", "epochs": 1}, inference={"input_share": 1}, baseline="openai/gpt-4o")


def test_002_break_even_gpt_4o_to_gpt_4o_mini(catalog):
    # $15 / ($2.50 − $0.30) per 1M = 6,818,181.8 → 6,818,182 tokens.
    r = req(**BREAK_EVEN_002)
    c = cost.compute(catalog.offerings["openai/gpt-4o-mini"], r, catalog, baseline=cost.resolve_baseline(r, catalog))
    assert c.training.total == 15
    assert c.break_even.training_only_tokens == 6_818_182  # 002 counts the training cost alone


def test_002_break_even_gpt_4o_to_gemini_flash(catalog):
    # $0.125 / $2.425 per 1M = 51,546.4 tokens (002 prints 54K after rounding $0.125 up to $0.13).
    r = req(**BREAK_EVEN_002)
    c = cost.compute(catalog.offerings["google/gemini-1.5-flash"], r, catalog, baseline=cost.resolve_baseline(r, catalog))
    assert c.training.total == Decimal("0.125")
    assert c.break_even.training_only_tokens == 51_546


def test_000_billed_tokens_include_validation():
    # 8192 × 8 × 1000 = 65,536,000 training tokens, + 10 evaluations × 1M validation tokens.
    r = req(training={"context_length": 8192, "batch_size": 8, "steps": 1000, "epochs": 1,
                      "validation_tokens": "1M", "evaluations": 10})
    assert r.training.resolved_tokens == 65_536_000
    assert cost.billed_training_tokens(r) == 75_536_000


def test_001_examples_times_tokens_per_example():
    assert req(training={"examples": 8000, "tokens_per_example": 600}).training.resolved_tokens == 4_800_000


def test_validation_tokens_are_billed_at_the_training_rate(catalog):
    r = req(training={"tokens": "5M", "epochs": 3, "validation_tokens": "1M", "evaluations": 10})
    c = cost.compute(catalog.offerings["fireworks/llama-4-8b"], r, catalog)
    # (15M + 10M) × $0.50 / 1M = $12.50
    assert c.training.total == Decimal("12.50")


def test_quarterly_retraining_is_four_trainings_a_year(catalog):
    r = req(**TYPICAL, operations={"trainings_per_year": 4})
    c = cost.compute(catalog.offerings["openai/gpt-4o-mini"], r, catalog)
    assert c.year_one == 4 * 45 + 12 * 48


def test_hidden_costs_are_a_range_beside_year_one(catalog):
    r = req(**TYPICAL, operations={"trainings_per_year": 4})
    c = cost.compute(catalog.offerings["mistral/mistral-small-3"], r, catalog)
    # data preparation $2,000–$10,000 once; evaluation $0.50–$2.00 per training run × 4.
    assert c.hidden.low == 2000 + 4 * Decimal("0.50")
    assert c.hidden.high == 10000 + 4 * 2
    assert c.year_one == 4 * 45 + 12 * 74  # not folded in


def test_a_hosting_floor_is_a_monthly_cost_with_its_range(catalog):
    # 001: Mistral charges $2–$4 a month per deployed adapter. The low end is in the monthly figure:
    # 100M × $0.72 = $72 + $2 = $74 (001's table); the high end $72 + $4 = $76 beside it.
    c = cost.compute(catalog.offerings["mistral/mistral-small-3"], req(**TYPICAL), catalog)
    assert c.monthly.total == 74 and c.monthly.high == 76
    assert c.year_one == 45 + 12 * 74  # 001's $933
    large = cost.compute(catalog.offerings["mistral/mistral-large-3"], req(**TYPICAL), catalog)
    assert large.monthly.total == 80 * Decimal("0.50") + 20 * Decimal("1.50") + 2  # $72


def test_hidden_costs_can_be_left_out(catalog):
    r = req(**TYPICAL, operations={"include_hidden_costs": False})
    assert cost.compute(catalog.offerings["fireworks/llama-4-8b"], r, catalog).hidden is None


def test_uplift_is_fine_tuned_over_base_rate(catalog):
    assert cost.uplift(catalog.offerings["openai/gpt-4o"]) == Decimal("1.5")  # 3.75 / 2.50
    assert cost.uplift(catalog.offerings["openai/gpt-4o-mini"]) == 2  # 0.30 / 0.15
    assert cost.uplift(catalog.offerings["google/gemini-1.5-flash"]) == 1
    assert cost.uplift(catalog.offerings["fireworks/llama-4-8b"]) is None  # no base rate in the sources


def test_break_even_months_net_of_hosting(catalog):
    # Baseline $2.50/$10.00 at 80/20 = $4.00/1M; GPT-4o mini 0.8 × 0.30 + 0.2 × 1.20 = $0.48/1M.
    # 100M tokens: baseline $400/month, fine-tuned $48/month: saves $352; $45 / $352 = 0.1278 months
    # (training alone: one-time costs left out here).
    r = req(**TYPICAL, baseline={"input_per_m": "2.50", "output_per_m": "10.00"},
            operations={"include_hidden_costs": False})
    c = cost.compute(catalog.offerings["openai/gpt-4o-mini"], r, catalog, baseline=cost.resolve_baseline(r, catalog))
    assert c.break_even.baseline_rate == 4
    assert c.break_even.fine_tuned_rate == Decimal("0.48")
    assert c.break_even.monthly_saving == 352
    assert c.break_even.months == Decimal(45) / 352
    assert c.break_even.tokens == 12_784_091  # 45 / 3.52 × 1M = 12,784,090.9


def test_break_even_counts_one_time_costs_low_and_high(catalog):
    # 001: data preparation $2,000–$10,000 per project, evaluation $0.50–$2.00 per training run.
    # Repaid: $45 + $2,000 + $0.50 = $2,045.50 (low), $45 + $10,000 + $2 = $10,047 (high), at $352 a month
    # and $3.52 per 1M tokens saved.
    r = req(**TYPICAL, baseline={"input_per_m": "2.50", "output_per_m": "10.00"})
    b = cost.compute(catalog.offerings["openai/gpt-4o-mini"], r, catalog, baseline=cost.resolve_baseline(r, catalog)).break_even
    assert (b.repay_low, b.repay_high) == (Decimal("2045.50"), Decimal("10047"))
    assert b.months == Decimal("2045.50") / 352 and b.months_high == Decimal("10047") / 352
    assert b.tokens == 581_107_955  # 2,045.50 / 3.52 × 1M = 581,107,954.5 → 581,107,955
    assert b.tokens_high == 2_854_261_364  # 10,047 / 3.52 × 1M = 2,854,261,363.6
    assert b.training_only_tokens == 12_784_091


def test_quarterly_retraining_repays_four_trainings_and_evaluations(catalog):
    r = req(**TYPICAL, baseline={"input_per_m": "2.50", "output_per_m": "10.00"}, operations={"trainings_per_year": 4})
    b = cost.compute(catalog.offerings["openai/gpt-4o-mini"], r, catalog, baseline=cost.resolve_baseline(r, catalog)).break_even
    assert b.repay_low == 4 * 45 + 2000 + 4 * Decimal("0.50")
    assert b.repay_high == 4 * 45 + 10000 + 4 * 2


def test_a_baseline_named_by_id_with_only_an_input_rate_uses_002s_input_only_method(tmp_path):
    # A catalog where GPT-4o mini's base rates stop at the seeds' input $0.15 (no output rate). 002's method
    # on input rates: Fireworks Llama 4 8B $0.20 flat is not below $0.15: no saving. Gemini 1.5 Flash's
    # $0.075 input is: saving $0.075/1M; training 15M × $0.025 = $0.375 alone: 0.375 / 0.075 × 1M = 5,000,000.
    import re
    import shutil

    from recommender.domain.catalog import load_catalog

    target = tmp_path / "catalog"
    shutil.copytree(ROOT / "catalog", target)
    openai = target / "openai.yaml"
    text = openai.read_text()
    start = text.index("  - id: openai/gpt-4o-mini")
    end = text.index("  - id: ", start + 1)
    block = re.sub(r"      base_output:\n(        .*\n)+", "", text[start:end])
    openai.write_text(text[:start] + block + text[end:])
    catalog = load_catalog(target)
    r = req(**TYPICAL, baseline="openai/gpt-4o-mini")
    base = cost.resolve_baseline(r, catalog)
    assert base.output is None
    flash = cost.compute(catalog.offerings["google/gemini-1.5-flash"], r, catalog, baseline=base).break_even
    assert flash.method == "input_only"
    assert flash.baseline_rate == Decimal("0.15") and flash.fine_tuned_rate == Decimal("0.075")
    assert flash.training_only_tokens == 5_000_000
    fireworks = cost.compute(catalog.offerings["fireworks/llama-4-8b"], r, catalog, baseline=base).break_even
    assert fireworks.tokens is None and "no saving" in fireworks.reason


def test_shorter_prompts_are_a_fine_tune_saving(catalog):
    # 002: "Fine-tuned models need fewer examples in the prompt". 1M queries × 30 few-shot tokens = 30M
    # of the 80M input tokens a month are no longer sent: GPT-4o mini (50M × $0.30 + 20M × $1.20) = $39.
    r = req(training=TYPICAL["training"], inference={"monthly_tokens": "100M", "monthly_queries": "1M", "few_shot_tokens": 30})
    c = cost.compute(catalog.offerings["openai/gpt-4o-mini"], r, catalog)
    assert c.monthly.total == 39


def test_000s_steps_are_the_whole_job_unless_epochs_are_given(catalog):
    # 000: 8192 × 8 × 1000 steps = 65,536,000 tokens + 10 × 1M validation = 75,536,000, with no epochs.
    steps = {"context_length": 8192, "batch_size": 8, "steps": 1000, "validation_tokens": "1M", "evaluations": 10}
    assert cost.billed_training_tokens(req(training=steps)) == 75_536_000
    assert cost.billed_training_tokens(req(training={**steps, "epochs": 2})) == 2 * 65_536_000 + 10_000_000


def test_no_saving_means_no_break_even(catalog):
    r = req(**TYPICAL, baseline={"input_per_m": "0.10", "output_per_m": "0.10"})
    c = cost.compute(catalog.offerings["openai/gpt-4o"], r, catalog, baseline=cost.resolve_baseline(r, catalog))
    assert c.break_even.tokens is None
    assert "no saving" in c.break_even.reason


def test_missing_prices_make_a_lower_bound_never_a_zero(catalog):
    c = cost.compute(catalog.offerings["aws-bedrock/claude-custom"], req(**TYPICAL), catalog)
    assert not c.complete
    assert set(c.missing) == {"training.lora.sft", "throughput_hour"}
    assert c.monthly.total == 15  # the $15+/month hosting floor is all that is known
    assert c.year_one == 180
    assert all(line.amount is None for line in c.training.lines)


def test_an_unsupported_method_has_no_price(catalog):
    c = cost.compute(catalog.offerings["fireworks/llama-4-8b"], req(**TYPICAL), catalog, "full")
    assert c.missing == ("training.full.sft",)
    assert any("does not document full" in note for note in c.notes)


def test_training_hours_are_billed_only_when_given(catalog):
    without = cost.compute(catalog.offerings["openai/gpt-4o-mini"], req(**TYPICAL), catalog)
    assert any("training.hours" in note for note in without.notes)
    hours = cost.compute(catalog.offerings["openai/gpt-4o-mini"],
                         req(training={"tokens": "5M", "epochs": 3, "hours": 2}), catalog)
    assert hours.training.total == 45 + 2 * Decimal("0.50")  # 002: $0.50/hour


def test_every_amount_is_quantity_times_rate_with_a_source(catalog):
    for offering in catalog.offerings.values():
        c = cost.compute(offering, req(**TYPICAL), catalog)
        for line in (*c.training.lines, *c.monthly.lines):
            if line.missing:
                continue
            per = cost.MILLION if line.rate_unit == cost.PER_M else 1
            assert line.amount == line.quantity * line.rate / per
            assert line.source and line.as_of


def test_money_is_written_with_two_decimals():
    assert cost.usd(Decimal("247.5")) == "247.50"
    assert cost.usd(Decimal("0.125")) == "0.13"
    assert cost.usd(Decimal("1125")) == "1125.00"


def test_requirements_default_to_001s_typical_workload():
    r = Requirements.model_validate({})
    assert r.training.resolved_tokens == 5_000_000 and r.training.epochs == 3
    assert r.inference.monthly_tokens == 100_000_000 and r.inference.input_share == Decimal("0.8")
