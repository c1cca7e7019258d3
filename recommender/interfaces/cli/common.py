"""What every command shares: options, loading, showing a decision, the exit-1 signal."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Optional

import click

from recommender.domain.errors import InputError


class Failed(Exception):
    """A check found problems, or a replay differs: exit 1 after the output is printed."""


FORMATS = click.Choice(["table", "json", "markdown"])
TABLE_ROWS = 10  # the table's default length; JSON and markdown list every allowed offering


def parse_today(value: Optional[str]) -> date:
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"must be a date such as 2026-11-23, got {value!r}", path="--today") from None


catalog_option = click.option("--catalog", "catalog_dir", type=click.Path(), default=None,
                              help="Directory of catalog YAML files (replaces the built-in catalog).")
rules_option = click.option("--rules", "rules_dir", type=click.Path(), default=None,
                            help="Directory of rule YAML files (replaces the built-in rules).")
today_option = click.option("--today", default=None, metavar="DATE",
                            help="Date to judge price staleness by (default: today).")
format_option = click.option("--format", "fmt", type=FORMATS, default="table", show_default=True,
                             help="Output format.")
AUDIT_LOG_HELP = ("Decision log (SQLite) [default: $FTREC_AUDIT_LOG, else "
                  "$XDG_DATA_HOME/ftrec/decisions.sqlite3, else ~/.local/share/ftrec/decisions.sqlite3].")
audit_log_option = click.option("--audit-log", type=click.Path(), default=None, metavar="PATH", help=AUDIT_LOG_HELP)
table_or_json = click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
                             show_default=True, help="Output format.")


def emit(data: dict, fmt: str, table, markdown=None, csv=None) -> None:
    """DATA as JSON, or through the renderer its format names (a rich table, markdown, CSV)."""
    from recommender.presentation import render
    from recommender.decision.decide import dumps

    if fmt == "json":
        click.echo(dumps(data))
    elif fmt == "table":
        render.console().print(table(data))
    else:
        click.echo({"markdown": markdown, "csv": csv}[fmt](data), nl=False)


def load_setup(catalog_dir: Optional[str], rules_dir: Optional[str]):
    from recommender.api import setup_for

    return setup_for(catalog_dir, rules_dir)


def load_requirements(path: str):
    from recommender.api import as_requirements

    return as_requirements(path)[0]


def run_recommendation(req, source: str, setup, when: date, fmt: str, top: Optional[int], log: Optional[Path]) -> dict:
    """Decide, record (unless `log` is None) and show one decision: what `recommend` and `ask` do."""
    from recommender.records import log as audit
    from recommender.decision.decide import decide

    decision = decide(req, setup, when, source=source)
    if log is not None:
        audit.append(decision, log)
    show_decision(decision, fmt, top, log)
    return decision


def show_decision(decision: dict, fmt: str, top: Optional[int], log: Optional[Path]) -> None:
    from recommender.presentation import render
    from recommender.decision.decide import dumps

    if fmt == "json":
        shown = dict(decision, recommendations=decision["recommendations"][: top or None])
        click.echo(dumps(shown))
    elif fmt == "markdown":
        click.echo(render.decision_markdown(decision, top), nl=False)
    else:
        from rich.markup import escape

        from recommender.records.log import log_path

        out = render.console()
        out.print(render.decision_table(decision, top or TABLE_ROWS))
        where = f"recorded in {log}" if log is not None else "not recorded (--no-audit)"
        elsewhere = f" --audit-log {log}" if log is not None and log != log_path() else ""
        out.print(f"Decision [bold]{escape(decision['decision_id'])}[/bold] {escape(where)}. "
                  f"Why: ftrec explain {escape(decision['decision_id'] + elsewhere)}", highlight=False)
