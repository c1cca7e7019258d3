"""`ftrec ask`: the questionnaire that writes a requirements file, then recommends."""

from __future__ import annotations

import click


@click.command()
@click.option("--out", default="requirements.yaml", show_default=True, metavar="REQ.yaml",
              help="Where to write the answers as a requirements file.")
@click.option("--answers", default=None, metavar="FILE", help="Answer from a file instead of the terminal.")
@click.option("--no-recommend", is_flag=True, help="Only write the requirements file.")
def ask(out, answers, no_recommend) -> None:
    """The questionnaire: writes a requirements file, then recommends."""
    raise click.ClickException("ask is not implemented yet")
