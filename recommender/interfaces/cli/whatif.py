"""`ftrec compare` and `ftrec sweep`: what-if questions on one request."""

from __future__ import annotations

import click

from recommender.decision.sweep import DEFAULT_STEPS, EXAMPLE
from recommender.decision.whatif import compared, sweep_json
from recommender.interfaces.cli.common import (
    catalog_option,
    emit,
    format_option,
    parse_today,
    rules_option,
    today_option,
    wide_option,
)


@click.command()
@click.argument("requirements", type=click.Path(), metavar="REQ")
@click.option("--offering", "offerings", multiple=True, required=True, metavar="ID",
              help="An offering to compare; give two or more.")
@catalog_option
@rules_option
@format_option
@today_option
@wide_option
def compare(requirements, offerings, catalog_dir, rules_dir, fmt, today, wide) -> None:
    """Offerings side by side: training, monthly, year-1, hidden costs, uplift, break-even against the
    baseline and between each other, each figure with its price sources. An offering the rules exclude
    is still compared, marked with the rule that excludes it."""
    from recommender.interfaces.cli.common import load_requirements, load_setup
    from recommender.domain.errors import InputError

    if len(offerings) < 2:
        raise InputError("give two or more offerings to compare, e.g. --offering fireworks/llama-4-8b "
                         "--offering openai/gpt-4o-mini", path="--offering")
    req = load_requirements(requirements)
    setup = load_setup(catalog_dir, rules_dir)
    result = compared(req, setup, list(dict.fromkeys(offerings)), parse_today(today), requirements)
    from recommender.presentation import whatif_view

    emit(result, fmt, whatif_view.comparison_table, whatif_view.comparison_markdown, wide=wide)


@click.command()
@click.argument("requirements", type=click.Path(), metavar="REQ")
@click.option("--vary", required=True, metavar="FIELD=LOW..HIGH[:STEPS[:log]]",
              help=f"The numeric requirement to vary, e.g. {EXAMPLE}. STEPS: grid points "
                   f"[default: {DEFAULT_STEPS}]; spacing linear [default] or log.")
@click.option("--top", type=click.IntRange(min=1), default=2, show_default=True, help="Offerings shown per point.")
@catalog_option
@rules_option
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "markdown"]), default="table",
              show_default=True)
@click.option("--plot", is_flag=True, help="Draw year-1 cost against the field in the terminal, crossovers marked.")
@click.option("--plot-file", default=None, metavar="PATH", help="Write the chart as PNG or SVG (needs ftrec[plot]).")
@today_option
@wide_option
def sweep(requirements, vary, top, catalog_dir, rules_dir, fmt, plot, plot_file, today, wide) -> None:
    """How the approach and ranking change as one input varies, run through the same rules and cost
    core as `recommend`; then the exact crossover points: where the approach changes, where the top
    offering changes, and where fine-tuning pays back within 12 months against the baseline.

    Fields: inference.monthly_tokens, inference.monthly_queries, inference.input_share,
    training.tokens, training.epochs, training.validation_tokens, training.evaluations,
    operations.trainings_per_year, training.hours. Token counts take 100K, 5M, 1B.
    """
    from recommender.decision import sweep as sweeping
    from recommender.interfaces.cli.common import load_requirements, load_setup
    from recommender.presentation.progress import progress_on_terminal

    spec = sweeping.parse_spec(vary)
    req = load_requirements(requirements)
    setup = load_setup(catalog_dir, rules_dir)
    sweeper = sweeping.Sweeper(req, spec, setup, parse_today(today), requirements, keep=top)
    sweeper.requirements_at(spec.low)  # a value the file cannot take is refused before any work
    values = sweeping.grid(spec)
    with progress_on_terminal(len(values), "sweeping") as advance, sweeping.collector_paused():
        points = sweeper.grid_points(values, advance)
        crossings = sweeping.crossovers(sweeper, points)
    result = sweep_json(spec, points, crossings, top, setup, sweeper)
    if plot_file:
        from recommender.presentation.chart import save_chart

        save_chart(plot_file, points, crossings, spec.field, spec.log)
    _show_sweep(result, fmt, points, crossings, spec, plot, wide)


def _show_sweep(result: dict, fmt: str, points, crossings, spec, plot: bool, wide: bool) -> None:
    if fmt == "json":  # no table drawn: its renderers (and rich) are not even imported
        emit(result, fmt, table=None)
    else:
        from recommender.presentation import whatif_view

        emit(result, fmt, whatif_view.sweep_table, whatif_view.sweep_markdown, whatif_view.sweep_csv, wide=wide)
    if plot:
        from recommender.presentation.chart import text_chart
        from recommender.presentation.layout import console

        out = console(wide=wide)
        out.print(text_chart(points, crossings, spec.field, spec.log, width=chart_width(out.width)))


def chart_width(columns: int) -> int:
    """The plot area: 64 columns where there is room, less on a narrow terminal (its frame takes 16)."""
    return max(20, min(64, columns - 16))
