"""`ftrec explain`: the story of a decision in plain words, and why an offering was not chosen."""

from __future__ import annotations

import click


@click.command()
@click.argument("target", metavar="ID|REQ")
@click.option("--why-not", "why_not", default=None, metavar="OFFERING",
              help="Why this offering was excluded or ranked below the winner.")
def explain(target, why_not) -> None:
    """The rules that fired, in order, each with the facts that made it fire."""
    raise click.ClickException("explain is not implemented yet")
