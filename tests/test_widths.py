"""Done when: every view a person reads fits 80 and 60 columns; no ranked row wraps; break-even stays;
sources are named in words, never as bare file numbers."""

import json
import re

import pytest

from recommender.domain.vocabulary import _SOURCE_REFERENCE

from conftest import ROOT, recorded, run_cli

EX = ROOT / "examples"
TODAY = ("--today", "2026-11-23")
FILE_NAME = re.compile(r"00[0-2]_[0-9a-f]{16}\.txt")


def shown(width: int, *args: str) -> str:
    result = run_cli(*args, env={"COLUMNS": str(width)})
    assert result.code in (0, 1), result.err
    return result.out + result.err


def assert_readable(text: str, width: int) -> None:
    wide = [line for line in text.splitlines() if len(line) > width]
    assert not wide, f"wider than {width}:\n" + "\n".join(wide)
    assert not FILE_NAME.search(text), FILE_NAME.search(text).group(0)
    bare = _SOURCE_REFERENCE.search(text)
    assert not bare, f"bare source number {bare.group(0)!r} in: {text[max(0, bare.start() - 60): bare.end() + 20]}"


def table_rows(text: str) -> list[str]:
    """The rows of the first table printed (the ranking; the approaches table follows it)."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("┡")), 0)
    end = next((i for i, line in enumerate(lines) if i > start and line.startswith("└")), len(lines))
    return [line for line in lines[start:end] if line.startswith("│")]


@pytest.mark.parametrize("width", [80, 60])
@pytest.mark.parametrize("example", ["typical.yaml", "eu-bank.yaml", "quality-first.yaml", "claude-shop.yaml",
                                     "dpo-alignment.yaml", "high-volume-classifier.yaml"])
def test_recommend_fits_and_keeps_each_ranked_row_on_one_line(width, example):
    text = shown(width, "recommend", str(EX / example), "--no-audit", *TODAY)
    assert_readable(text, width)
    decision = json.loads(run_cli("recommend", str(EX / example), "--no-audit", "--format", "json", *TODAY).out)
    offerings = [r["offering"] for r in decision["recommendations"][:10]]
    rows = table_rows(text)
    assert len(rows) == len(offerings)
    assert [next(o for o in offerings if f" {o} " in row) for row in rows] == offerings
    assert "break-even" in text.splitlines()[[i for i, line in enumerate(text.splitlines()) if line.startswith("┃")][0]]


@pytest.mark.parametrize("width", [80, 60])
def test_audit_list_and_show(width, audit_log):
    run_cli("recommend", str(EX / "eu-bank.yaml"), *TODAY)
    decision_id = recorded(audit_log)[-1]["decision_id"]
    for args in (("audit", "show", decision_id), ("audit", "list")):
        assert_readable(shown(width, *args), width)
    show = shown(width, "audit", "show", decision_id)
    assert len(table_rows(show)) == 3 and "break-even" in show


@pytest.mark.parametrize("width", [80, 60])
@pytest.mark.parametrize("args", [
    ("cost", str(EX / "typical.yaml"), "--offering", "openai/gpt-4o-mini"),
    ("cost", str(EX / "claude-shop.yaml"), "--offering", "aws-bedrock/claude-custom"),
    ("compare", str(EX / "typical.yaml"), "--offering", "fireworks/llama-4-8b", "--offering", "openai/gpt-4o-mini",
     "--offering", "together/llama-3.1-70b"),
    ("compare", str(EX / "eu-bank.yaml"), "--offering", "mistral/mistral-small-3", "--offering", "openai/gpt-4o"),
    ("explain", str(EX / "typical.yaml")),
    ("explain", str(EX / "quality-first.yaml"), "--why-not", "together/llama-3.1-8b"),
    ("explain", str(EX / "eu-bank.yaml"), "--why-not", "openai/gpt-4o"),
])
def test_what_if_and_explain_views_fit(width, args):
    text = shown(width, *args, *TODAY)
    assert_readable(text, width)
    if args[0] == "compare":
        assert "break-even" in text and len(table_rows(text)) == args.count("--offering")


@pytest.mark.parametrize("width", [80, 60])
def test_sweep_keeps_the_varied_value_and_the_crossover_columns(width):
    text = shown(width, "sweep", str(EX / "typical.yaml"), "--vary", "inference.monthly_tokens=100K..1B:6:log", *TODAY,
                 "--plot")
    assert_readable(text, width)
    header = next(line for line in text.splitlines() if line.startswith("┃"))
    assert all(name in header for name in ("tok/mo", "approach", "#1", "payback"))
    assert len(table_rows(text)) == 6 and "● " in text


@pytest.mark.parametrize("width", [80, 60])
@pytest.mark.parametrize("args", [("catalog", "list"), ("rules", "list"), ("rules", "show", "offerings.eu_residency"),
                                  ("help", "terms"), ()])
def test_listings_fit(width, args):
    text = shown(width, *args)
    wide = [line for line in text.splitlines() if len(line) > width]
    assert not wide, "\n".join(wide)
    if args != ("help", "terms"):  # the glossary names the files on purpose, beside their names in words
        assert_readable(text, width)


def test_wide_shows_every_column():
    text = shown(80, "recommend", str(EX / "quality-first.yaml"), "--no-audit", "--wide", *TODAY)
    header = next(line for line in text.splitlines() if line.startswith("┃"))
    assert all(name in header for name in ("training", "monthly", "year-1", "hidden", "break-even", "notes"))
