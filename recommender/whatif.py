"""What-if questions on one request: one offering's cost, offerings side by side, sweeps.

Heavy imports stay inside functions: the CLI imports this module at start-up.
"""

from __future__ import annotations

from datetime import date

import click

from recommender.clitools import catalog_option, rules_option, today_option


def cost_of(req, setup, offering_id: str, today: date, source: str) -> dict:
    """One offering's breakdown under the method the rules decide, with its rank or exclusion."""
    from recommender import cost
    from recommender.decision import _break_even_reason, break_even_json, cost_json, decide

    offering = setup.catalog.get(offering_id)
    decision = decide(req, setup, today, source)
    ranked = {r["offering"]: r for r in decision["recommendations"]}
    excluded = {e["offering"]: e for e in decision["excluded"]}
    method = decision["approach"]["method"]
    baseline = cost.resolve_baseline(req, setup.catalog, file=source)
    c = cost.compute(offering, req, setup.catalog, method, baseline)
    return {
        "offering": offering.id,
        "provider": setup.catalog.providers[offering.id],
        "model": offering.model,
        "rank": ranked[offering.id]["rank"] if offering.id in ranked else None,
        "excluded": excluded.get(offering.id),
        "approach": decision["approach"]["choice"],
        "cost": cost_json(c),
        "break_even": break_even_json(c.break_even),
        "break_even_reason": _break_even_reason(c),
        "engine": decision["engine"],
        "today": decision["today"],
    }


@click.command()
@click.argument("requirements", type=click.Path(), metavar="REQ")
@click.option("--offering", "offerings", multiple=True, required=True, metavar="ID",
              help="An offering to compare; give two or more.")
@catalog_option
@rules_option
@today_option
def compare(requirements, offerings, catalog_dir, rules_dir, today) -> None:
    """Offerings side by side, with break-even between them."""
    raise click.ClickException("compare is not implemented yet")


@click.command()
@click.argument("requirements", type=click.Path(), metavar="REQ")
@click.option("--vary", required=True, metavar="FIELD=LOW..HIGH[:STEPS[:log]]",
              help="The numeric requirement to vary, e.g. inference.monthly_tokens=100K..1B:40:log")
@catalog_option
@rules_option
@today_option
def sweep(requirements, vary, catalog_dir, rules_dir, today) -> None:
    """How the approach and ranking change as one input varies; prints the crossover points."""
    raise click.ClickException("sweep is not implemented yet")
