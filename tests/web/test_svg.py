"""The report's SVG charts: well-formed, self-contained, every printed figure taken from the JSON."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

import pytest

import recommender
from recommender.presentation import svg

NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def decision():
    return recommender.recommend({}, today=date(2026, 11, 23)).model_dump(mode="json")


def _parse(text: str) -> ET.Element:
    return ET.fromstring(text)


def test_year_one_bars_with_hidden_cost_whiskers(decision):
    root = _parse(svg.year_one_chart(decision))
    bars = root.findall(f".//{NS}rect[{NS}title]")
    assert len(bars) == min(8, len(decision["recommendations"]))
    texts = " ".join(t.text or "" for t in root.iter(f"{NS}text"))
    # 001's worked example: GPT-4o mini, $45 training + 12 x $48 = $621.00 in year 1.
    assert "openai/gpt-4o-mini · $621.00" in texts
    whiskers = [line for line in root.iter(f"{NS}line") if line.get("stroke-width") == "1.5"]
    assert len(whiskers) == 3 * len(bars) + 1  # a span and two caps per bar, and the legend's
    assert "http" not in svg.year_one_chart(decision).replace("http://www.w3.org/2000/svg", "")


def test_the_hidden_range_is_year_one_plus_the_hidden_costs(decision):
    top = decision["recommendations"][0]
    title = _parse(svg.year_one_chart(decision)).find(f".//{NS}rect/{NS}title").text
    from decimal import Decimal

    low = Decimal(top["cost"]["year_one"]) + Decimal(top["cost"]["hidden"]["low"])
    assert f"${low:,.2f}" in title


def test_a_log_scale_when_figures_span_orders_of_magnitude(decision):
    assert "(log scale)" in svg.year_one_chart(decision)  # $120 beside whiskers past $10,000
    # the three cheapest ($135.00, $144.38, $247.50) without their hidden costs span less than 20×
    cheapest = sorted(decision["recommendations"], key=lambda r: float(r["cost"]["year_one"]))[:3]
    flat = dict(decision, recommendations=[dict(r, cost=dict(r["cost"], hidden=None)) for r in cheapest])
    assert "(log scale)" not in svg.year_one_chart(flat)


def test_volume_chart_marks_the_crossover(decision):
    sweep = recommender.sweep({"inference": {"monthly_tokens": "10M"}}, "inference.monthly_tokens=100000..1000000000:25:log",
                              top=3, today=date(2026, 11, 23))
    assert sweep["crossovers"], "the approach changes at 100M tokens a month (002's narrow, high-volume threshold)"
    text = svg.volume_chart(sweep, current=10_000_000)
    root = _parse(text)
    dashed = [line for line in root.iter(f"{NS}line") if line.get("stroke-dasharray")]
    assert len(dashed) == len(sweep["crossovers"])
    assert "approach: prompt_engineering → fine_tune at 100M tokens a month" in text
    assert len(root.findall(f".//{NS}polyline")) >= 1
    assert "you" in [t.text for t in root.iter(f"{NS}text")]


def test_nothing_to_draw_is_no_chart():
    assert svg.year_one_chart({"recommendations": []}) == ""
    assert svg.volume_chart({"points": [], "spacing": "log", "crossovers": [], "field": "x"}) == ""


def test_text_is_escaped():
    odd = {"recommendations": [{"rank": 1, "offering": "a/<b>&c", "provider": "p", "model": "m",
                                "cost": {"year_one": "10.00", "complete": True, "hidden": None}}]}
    assert "a/&lt;b&gt;&amp;c" in svg.year_one_chart(odd)
    _parse(svg.year_one_chart(odd))
