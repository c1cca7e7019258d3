"""Prices that stay current: reconcile with genai-prices (its installed data, never the network),
refresh with history, diff two catalogs, price as of a date, retire offerings.

Figures: the seeds' (002's GPT-3.5 Turbo $0.003/$0.006 per "1M", 001's typical workload, 002's
GPT-4o $2.50 input) and genai-prices' own data, read here from the installed package.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from decimal import Decimal

import pytest
import yaml

from importlib.metadata import version

from recommender.domain import cost, pricecheck
from recommender.decision.as_of import as_of
from recommender.domain.catalog import load_catalog
from recommender.domain.errors import InputError

from conftest import ROOT, TODAY, req, run_cli

BUILTIN = ROOT / "catalog"
TYPICAL = dict(training={"tokens": "5M", "epochs": 3}, inference={"monthly_tokens": "100M", "input_share": "0.8"})
SEED_35 = {"inference_input": "0.003", "inference_output": "0.006", "base_input": "0.003"}  # 002's price tables


def _genai_verified(model_id: str) -> date:
    """The "verified on" date genai-prices' own comment gives for an OpenAI model."""
    from genai_prices.data import providers

    openai = next(p for p in providers if p.id == "openai")
    comment = next(m for m in openai.models if m.id == model_id).price_comments
    return date.fromisoformat(re.search(r"verified on (\d{4}-\d{2}-\d{2})", comment).group(1))


@pytest.fixture
def seed_catalog(tmp_path):
    """The built-in catalog as the seeds gave it: GPT-3.5 Turbo at 002's per-1K figures, no GPT-4o base output."""
    target = tmp_path / "seed"
    shutil.copytree(BUILTIN, target)
    data = yaml.safe_load((target / "openai.yaml").read_text())
    for offering in data["offerings"]:
        prices = offering["prices"]
        if offering["id"] == "openai/gpt-3.5-turbo":
            for name, usd in SEED_35.items():
                past = prices[name]["history"][0]
                prices[name] = {"usd": usd, "source": past["source"], "as_of": past["from"]}
            del prices["base_output"]
        if offering["id"] == "openai/gpt-4o":
            del prices["base_output"]
    (target / "openai.yaml").write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return target


def _rows(*args) -> tuple[int, dict]:
    result = run_cli("catalog", "reconcile", "--format", "json", *args)
    return result.code, {(r["offering"], r["price"]): r for r in json.loads(result.out)}


# --- reconcile ----------------------------------------------------------------------------


def test_reconcile_gpt_4o_mini_fine_tuned_input_agrees():
    code, rows = _rows()
    row = rows[("openai/gpt-4o-mini", "inference_input")]
    assert (row["ours"], row["theirs"], row["status"]) == ("0.30", "0.30", "agrees")
    assert row["theirs_source"].startswith(f"genai-prices {version('genai-prices')}: openai/ft:gpt-4o-mini")
    assert f"verified {_genai_verified('ft:gpt-4o-mini')}" in row["theirs_source"]
    assert set(row) == {"offering", "price", "ours", "theirs", "theirs_source", "status"}
    assert rows[("openai/gpt-4o", "base_input")]["theirs"] == "2.50"  # 002's base GPT-4o input
    assert code in (0, 1)  # 1 only once a newer genai-prices moves a price


def test_reconcile_shows_the_seed_per_1k_figure_against_genai_prices(seed_catalog):
    code, rows = _rows("--catalog", str(seed_catalog))
    assert code == 1
    row = rows[("openai/gpt-3.5-turbo", "inference_input")]
    assert (row["ours"], row["theirs"], row["status"]) == ("0.003", "3.00", "differs")
    assert rows[("openai/gpt-3.5-turbo", "inference_output")]["theirs"] == "6.00"
    assert rows[("openai/gpt-4o", "base_output")]["status"] == "ours_missing"
    assert rows[("openai/gpt-4o", "base_output")]["theirs"] == "10.00"
    # genai-prices has no fine-tuned Llama 4: our price stands alone
    assert rows[("fireworks/llama-4-8b", "inference_flat")]["status"] == "theirs_missing"


def test_shipped_gpt_35_turbo_keeps_the_seed_figure_in_history(catalog):
    price = catalog.offerings["openai/gpt-3.5-turbo"].prices.inference_input
    assert price.usd == 3 and price.source.startswith("genai-prices")
    assert [(h.usd, h.from_) for h in price.history] == [(Decimal("0.003"), date(2026, 1, 1))]
    assert price.history[0].source.startswith("002_dea53b92ca302776.txt")


def test_reconcile_table_names_the_statuses(seed_catalog):
    result = run_cli("catalog", "reconcile", "--catalog", str(seed_catalog))
    assert result.code == 1 and "differs" in result.out and "catalog refresh" in result.out


# --- refresh ------------------------------------------------------------------------------


def test_refresh_writes_a_catalog_citing_genai_prices_with_history(seed_catalog, tmp_path):
    out = tmp_path / "fresh"
    result = run_cli("catalog", "refresh", "--out", str(out), "--catalog", str(seed_catalog))
    assert result.code == 0, result.err
    fresh, seed = load_catalog(out), load_catalog(seed_catalog)
    price = fresh.offerings["openai/gpt-3.5-turbo"].prices.inference_input
    assert price.usd == 3
    assert price.source.startswith("genai-prices ") and "openai/ft:gpt-3.5-turbo" in price.source
    assert price.as_of == _genai_verified("ft:gpt-3.5-turbo-")
    past = price.history[-1]
    assert (past.usd, past.from_, past.until) == (Decimal("0.003"), date(2026, 1, 1), price.as_of)
    assert past.source.startswith("002_dea53b92ca302776.txt")
    assert fresh.offerings["openai/gpt-4o"].prices.base_output.usd == 10
    for oid, offering in seed.offerings.items():  # training prices are never touched
        assert fresh.offerings[oid].prices.training == offering.prices.training
        assert fresh.offerings[oid].prices.training_hour == offering.prices.training_hour


def test_refresh_is_deterministic_and_refuses_a_non_empty_directory(seed_catalog, tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    assert run_cli("catalog", "refresh", "--out", str(first), "--catalog", str(seed_catalog)).code == 0
    assert run_cli("catalog", "refresh", "--out", str(second), "--catalog", str(seed_catalog)).code == 0
    assert {p.name: p.read_bytes() for p in first.iterdir()} == {p.name: p.read_bytes() for p in second.iterdir()}
    again = run_cli("catalog", "refresh", "--out", str(first), "--catalog", str(seed_catalog))
    assert again.code == 2 and "--force" in again.err
    assert run_cli("catalog", "refresh", "--out", str(first), "--catalog", str(seed_catalog), "--force").code == 0
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left behind


def test_refresh_keeps_unchanged_files_as_they_are(tmp_path):
    out = tmp_path / "fresh"
    assert run_cli("catalog", "refresh", "--out", str(out)).code == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in BUILTIN.glob("*.yaml"))
    for name in ("aws-bedrock.yaml", "fireworks.yaml", "hidden-costs.yaml"):  # no genai-prices refs: comments and all
        assert (out / name).read_text() == (BUILTIN / name).read_text()


def test_diff_lists_the_refreshed_prices_and_recommend_uses_them(seed_catalog, tmp_path):
    out = tmp_path / "fresh"
    run_cli("catalog", "refresh", "--out", str(out), "--catalog", str(seed_catalog))
    result = run_cli("catalog", "diff", str(out), "--old", str(seed_catalog), "--format", "json")
    rows = {(r["offering"], r["price"]): r for r in json.loads(result.out)}
    assert rows[("openai/gpt-3.5-turbo", "inference_input")] == {
        "offering": "openai/gpt-3.5-turbo", "price": "inference_input", "old": "0.003", "new": "3.00", "change": "changed"}
    assert rows[("openai/gpt-4o", "base_output")]["change"] == "added"
    assert not any(name.startswith("training") for _, name in rows)
    assert "0.003" in run_cli("catalog", "diff", str(out), "--old", str(seed_catalog)).out
    decided = run_cli("recommend", str(ROOT / "examples" / "typical.yaml"), "--catalog", str(out), "--no-audit",
                      "--today", TODAY.isoformat(), "--format", "json")
    assert decided.code == 0, decided.err
    assert json.loads(decided.out)["recommendations"]


def test_diff_names_added_and_removed_offerings(tmp_path):
    other = tmp_path / "other"
    shutil.copytree(BUILTIN, other)
    (other / "aws-bedrock.yaml").unlink()
    rows = json.loads(run_cli("catalog", "diff", str(other), "--format", "json").out)
    assert rows == [{"offering": "aws-bedrock/claude-custom", "price": None, "old": None, "new": None,
                     "change": "removed"}]


# --- break-even against an offering id ----------------------------------------------------


def test_baseline_offering_id_breaks_even_on_base_input_and_output(catalog):
    # GPT-4o base $2.50 in (002) / $10.00 out (genai-prices): 0.8 × 2.50 + 0.2 × 10.00 = $4.00/1M;
    # GPT-4o mini fine-tuned 0.8 × 0.30 + 0.2 × 1.20 = $0.48/1M; $45 / $3.52 × 1M = 12,784,090.9 tokens.
    r = req(**TYPICAL, baseline="openai/gpt-4o")
    c = cost.compute(catalog.offerings["openai/gpt-4o-mini"], r, catalog, baseline=cost.resolve_baseline(r, catalog))
    assert c.break_even.baseline_rate == 4
    assert c.break_even.fine_tuned_rate == Decimal("0.48")
    assert c.break_even.training_only_tokens == 12_784_091  # training alone: one-time costs come on top


# --- as of a date -------------------------------------------------------------------------


def test_as_of_picks_the_price_in_force(catalog):
    before = as_of(catalog, date(2026, 6, 1)).offerings["openai/gpt-3.5-turbo"].prices
    assert (before.inference_input.usd, before.inference_output.usd) == (Decimal("0.003"), Decimal("0.006"))
    assert before.inference_input.source.startswith("002_")
    assert as_of(catalog, TODAY) is catalog  # nothing had changed since: the same catalog, the same sha256
    assert as_of(catalog, date(2026, 6, 1)).sha256 != catalog.sha256


def test_cost_as_of_uses_the_historical_rates():
    typical = str(ROOT / "examples" / "typical.yaml")
    then = json.loads(run_cli("cost", typical, "--offering", "openai/gpt-3.5-turbo", "--as-of", "2026-06-01",
                              "--today", TODAY.isoformat(), "--format", "json").out)
    now = json.loads(run_cli("cost", typical, "--offering", "openai/gpt-3.5-turbo",
                             "--today", TODAY.isoformat(), "--format", "json").out)
    assert then["cost"]["monthly"] == "0.36"  # 80M × $0.003 + 20M × $0.006
    assert now["cost"]["monthly"] == "360.00"  # 80M × $3 + 20M × $6
    assert then["as_of"] == "2026-06-01" and "as_of" not in now


def test_recommend_records_as_of_only_when_given_and_replays_identically(audit_log):
    typical = str(ROOT / "examples" / "typical.yaml")
    given = run_cli("recommend", typical, "--as-of", "2026-06-01", "--today", TODAY.isoformat(), "--format", "json")
    plain = run_cli("recommend", typical, "--today", TODAY.isoformat(), "--format", "json")
    decision, usual = json.loads(given.out), json.loads(plain.out)
    assert list(decision)[3:5] == ["today", "as_of"] and decision["as_of"] == "2026-06-01"
    assert "as_of" not in usual
    old = next(r for r in decision["recommendations"] if r["offering"] == "openai/gpt-3.5-turbo")
    assert old["cost"]["monthly"] == "0.36"
    assert run_cli("audit", "replay", decision["decision_id"]).out.strip() == "identical"
    assert run_cli("audit", "replay", usual["decision_id"]).out.strip() == "identical"


def test_bad_as_of_is_bad_input():
    result = run_cli("cost", str(ROOT / "examples" / "typical.yaml"), "--offering", "openai/gpt-4o", "--as-of", "June")
    assert result.code == 2 and result.err.startswith("--as-of: must be a date")


# --- the catalog format -------------------------------------------------------------------


def _with_openai(tmp_path, change) -> str:
    target = tmp_path / "cat"
    shutil.copytree(BUILTIN, target)
    data = yaml.safe_load((target / "openai.yaml").read_text())
    change(data["offerings"])
    (target / "openai.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    return str(target)


def test_overlapping_history_is_refused(tmp_path):
    def overlap(offerings):
        price = next(o for o in offerings if o["id"] == "openai/gpt-3.5-turbo")["prices"]["inference_input"]
        price["history"][0]["until"] = date(2026, 12, 1)  # after the current price's as_of

    with pytest.raises(InputError, match=r"prices.inference_input.*overlaps"):
        load_catalog(_with_openai(tmp_path, overlap))


def test_refs_forbid_unknown_fields(tmp_path):
    def typo(offerings):
        offerings[0]["refs"]["base"]["modle"] = "gpt-5-mini"

    result = run_cli("catalog", "list", "--catalog", _with_openai(tmp_path, typo))
    assert result.code == 2 and "refs.base.modle" in result.err


# --- retirement ---------------------------------------------------------------------------


def _retiring(tmp_path, day: str) -> str:
    def retire(offerings):
        next(o for o in offerings if o["id"] == "openai/gpt-4o")["retired_on"] = date.fromisoformat(day)

    return _with_openai(tmp_path, retire)


def test_a_retired_offering_is_excluded_after_its_day(tmp_path):
    directory = _retiring(tmp_path, "2026-06-30")
    typical = str(ROOT / "examples" / "typical.yaml")

    def excluded(today):
        d = json.loads(run_cli("recommend", typical, "--catalog", directory, "--no-audit", "--today", today,
                               "--format", "json").out)
        return {e["offering"]: e for e in d["excluded"]}

    after = excluded("2026-07-01")["openai/gpt-4o"]
    assert after == {"offering": "openai/gpt-4o", "rule": "offerings.retired", "message": "GPT-4o was retired on 2026-06-30"}
    assert "openai/gpt-4o" not in excluded("2026-06-29")
    check = json.loads(run_cli("catalog", "check", "--catalog", directory, "--today", "2026-07-01", "--format", "json").out)
    assert any(f["kind"] == "retired" and f["offering"] == "openai/gpt-4o" for f in check["findings"])


def test_refresh_retires_an_offering_genai_prices_marks_deprecated(tmp_path):
    from genai_prices.data import providers

    cohere = next(p for p in providers if p.id == "cohere")
    light = next(m for m in cohere.models if m.id == "command-light")
    assert light.deprecated
    deprecated_on = date.fromisoformat(re.search(r"Deprecated (\d{4}-\d{2}-\d{2})", light.price_comments).group(1))
    target = tmp_path / "cat"
    shutil.copytree(BUILTIN, target)
    data = yaml.safe_load((target / "cohere.yaml").read_text())
    data["offerings"][0]["refs"] = {"base": {"provider": "cohere", "model": "command-light"}}
    (target / "cohere.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    out = tmp_path / "fresh"
    assert run_cli("catalog", "refresh", "--out", str(out), "--catalog", str(target)).code == 0
    refreshed = load_catalog(out).offerings[data["offerings"][0]["id"]]
    assert refreshed.retired_on == deprecated_on
    assert any("genai-prices" in note and "deprecated" in note for note in refreshed.notes)


# --- the stale-price warning --------------------------------------------------------------


def test_stale_warning_is_one_line_naming_the_kind_and_the_commands(setup):
    from recommender.decision.decide import decide

    warnings = {w["rule"]: w["message"] for w in decide(req(), setup, TODAY)["warnings"]}
    message = warnings["warnings.stale_prices"]
    assert "\n" not in message
    assert message.startswith(f"{len(pricecheck.stale(setup.catalog, TODAY))} training")
    assert "(oldest as of 2026-01-01)" in message and "`ftrec catalog check`" in message
    assert "0 of them can be refreshed from genai-prices with `ftrec catalog refresh`" in message


def test_stale_warning_counts_the_prices_refresh_can_renew(setup):
    from recommender.decision.decide import decide

    later = date(2027, 6, 1)  # genai-prices' dates (2026-10-14, 2026-11-03) are stale too by then
    message = {w["rule"]: w["message"] for w in decide(req(), setup, later)["warnings"]}["warnings.stale_prices"]
    assert "training, inference, base model and hosting prices" in message
    assert re.search(r"; [1-9]\d* of them can be refreshed", message)


def test_as_of_before_retirement_keeps_the_offering(tmp_path):
    retiring = load_catalog(_retiring(tmp_path, "2026-06-30"))
    assert as_of(retiring, date(2026, 6, 1)).offerings["openai/gpt-4o"].retired_on is None
    assert as_of(retiring, date(2026, 7, 1)).offerings["openai/gpt-4o"].retired_on == date(2026, 6, 30)


def test_a_batch_as_of_stamps_every_decision(tmp_path):
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text("training: {tokens: 5M, epochs: 3}\n")
    second.write_text("inference: {monthly_tokens: 100M}\n")
    result = run_cli("recommend", str(first), str(second), "--as-of", "2026-06-01", "--no-audit",
                     "--today", TODAY.isoformat())
    lines = [json.loads(line) for line in result.out.splitlines()]
    assert result.code == 0 and len(lines) == 2
    assert all(d["as_of"] == "2026-06-01" and list(d)[3:5] == ["today", "as_of"] for d in lines)


def test_genai_prices_missing_is_an_environment_problem(monkeypatch):
    import builtins

    from recommender.domain import reference

    real_import = builtins.__import__

    def no_genai(name, *args, **kwargs):
        if name.startswith("genai_prices"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    reference._providers.cache_clear()
    monkeypatch.setattr(builtins, "__import__", no_genai)
    try:
        result = run_cli("catalog", "reconcile")
    finally:
        monkeypatch.undo()
        reference._providers.cache_clear()
    assert result.code == 3 and "genai-prices is not installed" in result.err


def test_refresh_edits_a_changed_file_in_place_keeping_its_comments(tmp_path):
    target = tmp_path / "cat"
    shutil.copytree(BUILTIN, target)
    text = (target / "openai.yaml").read_text()
    start = text.index("      base_output:", text.index("- id: openai/gpt-4o\n"))
    end = text.index("    published:", start)
    (target / "openai.yaml").write_text(text[:start] + text[end:])  # as the seeds had it: no GPT-4o base output
    out = tmp_path / "fresh"
    assert run_cli("catalog", "refresh", "--out", str(out), "--catalog", str(target)).code == 0
    refreshed = (out / "openai.yaml").read_text()
    assert "# OpenAI. GPT-5 mini: 001_90cd665d03d0a11e.txt" in refreshed  # the file's header
    assert 'methods: [lora]   # 001: "OpenAI\'s \'fine-tuning\' is technically LoRA-equivalent' in refreshed
    assert load_catalog(out).offerings["openai/gpt-4o"].prices.base_output.usd == 10
    assert len(refreshed.splitlines()) == len(text.splitlines())  # the block is back where it was, nothing else moved
