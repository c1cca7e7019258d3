"""What-if questions on one request: one offering's cost, offerings side by side, sweeps.

Heavy imports stay inside functions: the CLI loads this module only for these commands.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import combinations
from typing import Optional

import click

from recommender.clitools import catalog_option, emit, format_option, parse_today, rules_option, today_option


def cost_of(req, setup, offering_id: str, today: date, source: str) -> dict:
    """One offering's breakdown under the method the rules decide, with its rank or exclusion."""
    return compared(req, setup, [offering_id], today, source)["offerings"][0]


def compared(req, setup, offering_ids: list[str], today: date, source: str) -> dict:
    """Each offering costed under the decided method, excluded ones included and marked."""
    from recommender import cost
    from recommender.decision import break_even_reason, break_even_json, cost_json, decide

    offerings = [setup.catalog.get(o) for o in offering_ids]
    decision = decide(req, setup, today, source)
    ranked = {r["offering"]: r["rank"] for r in decision["recommendations"]}
    excluded = {e["offering"]: e for e in decision["excluded"]}
    method = decision["approach"]["method"]
    baseline = cost.resolve_baseline(req, setup.catalog, file=source)
    costs = {o.id: cost.compute(o, req, setup.catalog, method, baseline) for o in offerings}
    entries = [{
        "offering": o.id,
        "provider": setup.catalog.providers[o.id],
        "model": o.model,
        "rank": ranked.get(o.id),
        "excluded": excluded.get(o.id),
        "approach": decision["approach"]["choice"],
        "cost": cost_json(costs[o.id]),
        "break_even": break_even_json(costs[o.id].break_even),
        "break_even_reason": break_even_reason(costs[o.id]),
        "engine": decision["engine"],
        "today": decision["today"],
    } for o in offerings]
    pairs = [_pair(a, b, costs[a.id], costs[b.id], req) for a, b in combinations(offerings, 2)]
    return {"approach": decision["approach"], "offerings": entries, "between": pairs,
            "engine": decision["engine"], "today": decision["today"], "source": source}


def _pair(a, b, cost_a, cost_b, req) -> dict:
    """Where two offerings' year-1 lines cross, and how fast the cheaper-to-run one repays its training."""
    from recommender.cost import MILLION, MONTHS, blended_rate, usd

    out = {"a": a.id, "b": b.id, "year_one_difference": usd(cost_b.year_one - cost_a.year_one),
           "crossing_monthly_tokens": None, "payback_months": None, "payback_by": None, "note": None}
    if not (cost_a.complete and cost_b.complete):
        out["note"] = "a price is missing: no exact comparison"
        return out
    share = req.inference.input_share
    rate_a, rate_b = blended_rate(a, share), blended_rate(b, share)
    volume = Decimal(req.inference.monthly_tokens)
    if rate_a is not None and rate_b is not None and rate_a != rate_b:
        fixed_a = cost_a.year_one - MONTHS * rate_a * volume / MILLION
        fixed_b = cost_b.year_one - MONTHS * rate_b * volume / MILLION
        crossing = (fixed_b - fixed_a) / (MONTHS * (rate_a - rate_b)) * MILLION
        out["crossing_monthly_tokens"] = int(crossing.to_integral_value()) if crossing > 0 else None
    training_gap = cost_a.training.total - cost_b.training.total
    monthly_gap = cost_b.monthly.total - cost_a.monthly.total
    if training_gap and monthly_gap and (training_gap > 0) == (monthly_gap > 0):
        out["payback_months"] = format((training_gap / monthly_gap).quantize(Decimal("0.01")), "f")
        out["payback_by"] = a.id if training_gap > 0 else b.id  # the one that trains dearer and runs cheaper
    elif cost_a.year_one == cost_b.year_one:
        out["note"] = "the same year-1 cost"
    else:
        cheaper = a.id if cost_a.year_one < cost_b.year_one else b.id
        out["note"] = f"{cheaper} costs less to train and to run: it is cheaper at every volume"
    return out


@click.command()
@click.argument("requirements", type=click.Path(), metavar="REQ")
@click.option("--offering", "offerings", multiple=True, required=True, metavar="ID",
              help="An offering to compare; give two or more.")
@catalog_option
@rules_option
@format_option
@today_option
def compare(requirements, offerings, catalog_dir, rules_dir, fmt, today) -> None:
    """Offerings side by side: training, monthly, year-1, hidden costs, uplift, break-even against the
    baseline and between each other, each figure with its price sources. An offering the rules exclude
    is still compared, marked with the rule that excludes it."""
    from recommender.clitools import load_requirements, load_setup
    from recommender.errors import InputError

    if len(offerings) < 2:
        raise InputError("give two or more offerings to compare, e.g. --offering fireworks/llama-4-8b "
                         "--offering openai/gpt-4o-mini", path="--offering")
    req = load_requirements(requirements)
    setup = load_setup(catalog_dir, rules_dir)
    result = compared(req, setup, list(dict.fromkeys(offerings)), parse_today(today), requirements)
    from recommender import render

    emit(result, fmt, render.comparison_table, render.comparison_markdown)


# --- sweep ----------------------------------------------------------------------------------


@click.command()
@click.argument("requirements", type=click.Path(), metavar="REQ")
@click.option("--vary", required=True, metavar="FIELD=LOW..HIGH[:STEPS[:log]]",
              help="The numeric requirement to vary, e.g. inference.monthly_tokens=100K..1B:40:log")
@click.option("--top", type=click.IntRange(min=1), default=2, show_default=True, help="Offerings shown per point.")
@catalog_option
@rules_option
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "markdown"]), default="table",
              show_default=True)
@click.option("--plot", is_flag=True, help="Draw year-1 cost against the field in the terminal, crossovers marked.")
@click.option("--plot-file", default=None, metavar="PATH", help="Write the chart as PNG or SVG (needs ftrec[plot]).")
@today_option
def sweep(requirements, vary, top, catalog_dir, rules_dir, fmt, plot, plot_file, today) -> None:
    """How the approach and ranking change as one input varies, run through the same rules and cost
    core as `recommend`; then the exact crossover points: where the approach changes, where the top
    offering changes, and where fine-tuning pays back within 12 months against the baseline.

    Fields: inference.monthly_tokens, inference.monthly_queries, inference.input_share,
    training.tokens, training.epochs, training.validation_tokens, training.evaluations,
    operations.trainings_per_year, training.hours. Token counts take 100K, 5M, 1B.
    """
    from recommender import sweep as sweeping
    from recommender.clitools import load_requirements, load_setup
    from recommender.progress import progress_on_terminal

    spec = sweeping.parse_spec(vary)
    req = load_requirements(requirements)
    setup = load_setup(catalog_dir, rules_dir)
    sweeper = sweeping.Sweeper(req, spec, setup, parse_today(today), requirements)
    sweeper.requirements_at(spec.low)  # a value the file cannot take is refused before any work
    values = sweeping.grid(spec)
    with progress_on_terminal(len(values), "sweeping") as advance, sweeping.collector_paused():
        points = sweeper.grid_points(values, advance)
        crossings = sweeping.crossovers(sweeper, points)
    result = sweep_json(spec, points, crossings, top, setup, sweeper)
    if plot_file:
        from recommender.chart import save_chart

        save_chart(plot_file, points, crossings, spec.field, spec.log)
    _show_sweep(result, fmt, points, crossings, spec, plot)


def sweep_json(spec, points, crossings, top: int, setup, sweeper) -> dict:
    from recommender import __version__
    from recommender import sweep as sweeping
    from recommender.cost import usd

    return {
        "field": spec.field,
        "low": _plain(spec.low),
        "high": _plain(spec.high),
        "steps": spec.steps,
        "spacing": "log" if spec.log else "linear",
        "source": sweeper.source,
        "today": sweeper.today.isoformat(),
        "engine": {"version": __version__, "rules_sha256": setup.rules.sha256, "catalog_sha256": setup.catalog.sha256},
        "points": [{
            "value": _plain(p.value),
            "approach": p.approach,
            "method": p.method,
            "top": [{"offering": o, "training": usd(p.figures[o].training), "monthly": usd(p.figures[o].monthly),
                     "year_one": usd(p.figures[o].year_one), "complete": p.figures[o].complete} for o in p.order[:top]],
            "break_even_months": None if p.break_even_months is None else format(p.break_even_months.quantize(Decimal("0.01")), "f"),
        } for p in points],
        "throughout": [{"kind": kind, "value": value} for kind, value in sweeping.steady(points)],
        "crossovers": [{
            "kind": c.kind,
            "from": c.before,
            "to": c.after,
            "last_before": _plain(c.below),
            "first_after": _plain(c.at),
            "closed_form": None if c.closed_form is None else format(c.closed_form.quantize(Decimal("0.01")), "f"),
        } for c in crossings],
    }


def _plain(value: Decimal):
    return int(value) if value == value.to_integral_value() else format(value.normalize(), "f")


def _show_sweep(result: dict, fmt: str, points, crossings, spec, plot: bool) -> None:
    from recommender import render

    emit(result, fmt, render.sweep_table, render.sweep_markdown, render.sweep_csv)
    if plot:
        from recommender.chart import text_chart

        render.console().print(text_chart(points, crossings, spec.field, spec.log))
