"""What every command shares: options, loading, showing a decision, the exit-1 signal (the parts
that need no click live in steps.py)."""

from __future__ import annotations

import click

from recommender.interfaces.cli.steps import (  # noqa: F401 - what every command shares, without click
    TABLE_ROWS,
    Failed,
    guarded,
    load_requirements,
    load_setup,
    parse_as_of,
    parse_today,
    program,
    record_hint,
    recommend_file,
    run_recommendation,
    show_decision,
)

FORMATS = click.Choice(["table", "json", "markdown"])


catalog_option = click.option("--catalog", "catalog_dir", type=click.Path(), default=None,
                              help="Directory of catalog YAML files (replaces the built-in catalog).")
rules_option = click.option("--rules", "rules_dir", type=click.Path(), default=None,
                            help="Directory of rule YAML files (replaces the built-in rules).")
today_option = click.option("--today", default=None, metavar="DATE",
                            help="Date to judge price staleness by (default: today).")
as_of_option = click.option("--as-of", "as_of", default=None, metavar="DATE",
                             help="Use the prices in force on DATE (from each price's history); recorded in the decision.")
format_option = click.option("--format", "fmt", type=FORMATS, default="table", show_default=True,
                             help="Output format.")
AUDIT_LOG_HELP = ("Decision log (SQLite) [default: $FTREC_AUDIT_LOG, else "
                  "$XDG_DATA_HOME/ftrec/decisions.sqlite3, else ~/.local/share/ftrec/decisions.sqlite3].")
audit_log_option = click.option("--audit-log", type=click.Path(), default=None, metavar="PATH", help=AUDIT_LOG_HELP)
table_or_json = click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
                             show_default=True, help="Output format.")
wide_option = click.option("--wide", is_flag=True,
                           help="Lay tables out for a wide terminal: every column, full figures.")


def emit(data: dict, fmt: str, table, markdown=None, csv=None, wide: bool = False) -> None:
    """DATA as JSON, or through the renderer its format names (a rich table fitted to the terminal,
    or to a wide one with --wide; markdown, CSV)."""
    from recommender.decision.decide import dumps

    if fmt == "json":
        click.echo(dumps(data))
    elif fmt == "table":
        from recommender.presentation.layout import console

        out = console(wide=wide)
        out.print(table(data, out.width))
    else:
        click.echo({"markdown": markdown, "csv": csv}[fmt](data), nl=False)
