"""What every command shares: options, loading, showing a decision, the exit-1 signal."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Optional

import click

from recommender.domain.errors import InputError


class Failed(Exception):
    """A check found problems, or a replay differs: exit 1 after the output is printed."""


FORMATS = click.Choice(["table", "json", "markdown"])
TABLE_ROWS = 10  # the table's default length; JSON and markdown list every allowed offering


def parse_today(value: Optional[str], option: str = "--today") -> date:
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"must be a date such as 2026-11-23, got {value!r}", path=option) from None


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


def load_setup(catalog_dir: Optional[str], rules_dir: Optional[str]):
    import gc

    from recommender.api import setup_for
    from recommender.interfaces.cli.startup import started

    setup = setup_for(catalog_dir, rules_dir)
    gc.freeze()  # the catalog and rules live as long as the process: keep the collector off them
    started()
    return setup


def load_requirements(path: str):
    from recommender.api import as_requirements

    return as_requirements(path)[0]


def parse_as_of(value: Optional[str]) -> Optional[date]:
    return None if value is None else parse_today(value, "--as-of")


def run_recommendation(req, source: str, setup, when: date, fmt: str, top: Optional[int], log: Optional[Path],
                       as_of: Optional[date] = None, wide: bool = False) -> dict:
    """Decide, record (unless `log` is None) and show one decision: what `recommend` and `ask` do."""
    from recommender.decision.decide import decide
    from recommender.decision.as_of import setup_as_of, stamp_as_of

    decision = stamp_as_of(decide(req, setup_as_of(setup, as_of), when, source=source), as_of)
    if log is not None:
        from recommender.records import log as audit

        audit.append(decision, log)
    show_decision(decision, fmt, top, log, wide)
    return decision


def show_decision(decision: dict, fmt: str, top: Optional[int], log: Optional[Path], wide: bool = False) -> None:
    """The decision on stdout; in a table, its warnings and the way to its record on stderr."""
    if fmt == "json":
        from recommender.decision.shapes import dumps_bytes

        shown = dict(decision, recommendations=decision["recommendations"][: top or None])
        echo_bytes(dumps_bytes(shown))
        return
    from recommender.presentation import render
    from recommender.presentation.layout import console

    if fmt == "markdown":
        click.echo(render.decision_markdown(decision, top), nl=False)
    else:
        out = console(wide=wide)
        out.print(render.decision_table(decision, top or TABLE_ROWS, out.width, warnings=False))
        if decision["warnings"]:
            console(stderr=True).print(render.warnings_block(decision))
        if log is not None:
            for line in record_hint(decision["decision_id"], log):
                click.echo(line, err=True)


def echo_bytes(data: bytes) -> None:
    """DATA and a newline on stdout, written as they are (click.echo would copy tens of megabytes to
    add the newline)."""
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:  # a text-only stream (a test's capture)
        click.echo(data.decode())
        return
    sys.stdout.flush()
    buffer.write(data)
    buffer.write(b"\n")
    buffer.flush()


def record_hint(decision_id: str, log: Path) -> list[str]:
    """Where the decision went and the command that explains it, pasteable as printed: it names the
    log unless it is the built-in default, and the program as it was run when that is not on PATH."""
    import shlex

    from recommender.records.log import default_path

    elsewhere = "" if log == default_path() else f" --audit-log {shlex.quote(str(log))}"
    return [f"Recorded decision {decision_id} in {_home_as_tilde(log)}.",
            f"Why: {program()} explain {decision_id}{elsewhere}"]


def _home_as_tilde(path: Path) -> str:
    home = Path("~").expanduser()
    try:
        return f"~/{path.relative_to(home)}" if path.is_absolute() and home != Path("/") else str(path)
    except ValueError:
        return str(path)


def program() -> str:
    """`ftrec`, or the path it was run by (`.venv/bin/ftrec`) when a plain `ftrec` would not find it."""
    import os
    import shlex
    import shutil
    import sys

    invoked = sys.argv[0] if sys.argv else ""
    if os.path.basename(invoked) != "ftrec" or os.sep not in invoked:
        return "ftrec"
    found = shutil.which("ftrec")
    if found and os.path.realpath(found) == os.path.realpath(invoked):
        return "ftrec"
    return shlex.quote(invoked)
