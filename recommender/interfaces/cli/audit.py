"""`ftrec audit`: list, show and replay recorded decisions."""

from __future__ import annotations

import json
from typing import Any, Optional

import click

from recommender.decision.replay import differences, replay
from recommender.domain.errors import InputError
from recommender.interfaces.cli.common import format_option, table_or_json
from recommender.records.log import Entry, Log, load_record, open_log


# --- the `audit` commands -------------------------------------------------------------------


audit_log_option = click.option("--audit-log", type=click.Path(), default=None, metavar="PATH",
                                help="Audit log file (default $FTREC_AUDIT_LOG or ~/.local/share/ftrec/audit.jsonl).")





@click.group()
def audit() -> None:
    """Decision records: list, show, and replay one against the current rules and catalog."""


@audit.command("list")
@click.option("--since", default=None, metavar="DATE", help="Only decisions made on or after DATE (UTC), e.g. 2026-11-01.")
@click.option("--limit", type=click.IntRange(min=1), default=None, metavar="N", help="Only the newest N decisions.")
@table_or_json
@audit_log_option
def audit_list(since, limit, fmt, audit_log) -> None:
    """The recorded decisions, oldest first (in the order they were recorded)."""
    since_day = _since(since)
    log = open_log(audit_log)
    shown = [e for e in log.records if since_day is None or (e.created_at or "")[:10] >= since_day]
    if limit is not None:
        shown = shown[-limit:]
    if fmt == "json":
        click.echo(json.dumps([e.summary() for e in shown], indent=2, ensure_ascii=False))
        return
    _print_list(log, shown)


def _since(value: Optional[str]) -> Optional[str]:
    if value is None:
        return None
    from datetime import date

    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise InputError(f"must be a date such as 2026-11-23, got {value!r}", path="--since") from None


def _print_list(log: Log, shown: list[Entry]) -> None:
    from rich.markup import escape
    from rich.table import Table

    from recommender.presentation import render

    if not shown:
        click.echo(f"No decisions recorded in {log.path}." if not log.records else "No decision matches.")
        return
    out = render.console()
    wide = out.width >= 110  # the id already says when: the source file gets a column when there is room
    table = Table(header_style="bold", pad_edge=False, title=f"{len(shown)} of {len(log.records)} decisions · {log.path}")
    for column, justify in (("id (UTC time)", "left"), ("approach", "left"), ("#1 offering", "left"),
                            ("year-1", "right"), *((("source", "left"),) if wide else ())):
        table.add_column(column, justify=justify, no_wrap=column != "source", overflow="fold")
    for e in shown:
        year_one = render.dollars(e.year_one, lower_bound=not e.complete) if e.year_one else "—"
        cells = [e.decision_id, _SHORT.get(e.approach, e.approach or "—"), e.top or "—", year_one]
        table.add_row(*cells, *((escape(str(e.source or "")),) if wide else ()))
    out.print(table)


_SHORT = {"fine_tune": "fine-tune", "prompt_engineering": "prompt", "larger_base_model": "larger model"}


@audit.command("show")
@click.argument("decision_id", metavar="ID")
@format_option
@audit_log_option
def audit_show(decision_id, fmt, audit_log) -> None:
    """One recorded decision, as `recommend` printed it (`--format json`: the stored record)."""
    from recommender.presentation import render
    from recommender.decision.decide import dumps

    record = load_record(decision_id, audit_log)
    if fmt == "json":
        click.echo(dumps(record))
    elif fmt == "markdown":
        click.echo(render.decision_markdown(record), nl=False)
    else:
        out = render.console()
        engine = record["engine"]
        out.print(f"Decision [bold]{record['decision_id']}[/bold] · recorded {record['created_at']} · "
                  f"source {_escape(record['source'])} · today {record['today']} · ftrec {engine['version']} · "
                  f"rules {engine['rules_sha256'][:12]} · catalog {engine['catalog_sha256'][:12]}", highlight=False)
        out.print(render.decision_table(record))


def _escape(text: Any) -> str:
    from rich.markup import escape

    return escape(str(text))


@audit.command("replay")
@click.argument("decision_id", metavar="ID")
@click.option("--catalog", "catalog_dir", type=click.Path(), default=None,
              help="Directory of catalog YAML files (default: the built-in catalog).")
@click.option("--rules", "rules_dir", type=click.Path(), default=None,
              help="Directory of rule YAML files (default: the built-in rules).")
@table_or_json
@audit_log_option
def audit_replay(decision_id, catalog_dir, rules_dir, fmt, audit_log) -> None:
    """Decide a recorded request again, with today's rules and catalog (or --catalog/--rules),
    on the date it was decided. Prints `identical` (exit 0) or what changed (exit 1)."""
    from recommender.interfaces.cli.common import Failed, load_setup

    record = load_record(decision_id, audit_log)
    setup = load_setup(catalog_dir, rules_dir)
    changes = differences(record, replay(record, setup))
    if fmt == "json":
        click.echo(json.dumps({"decision_id": record["decision_id"], "identical": not changes,
                               "catalog": setup.catalog.directory, "rules": setup.rules.directory,
                               "changes": changes}, indent=2, ensure_ascii=False))
    elif not changes:
        click.echo("identical")
    else:
        _print_changes(record, setup, changes)
    if changes:
        raise Failed()


def _print_changes(record: dict, setup, changes: list[dict]) -> None:
    click.echo(f"different: {len(changes)} change{'s' * (len(changes) != 1)} replaying {record['decision_id']} "
               f"(today {record['today']}) with rules {setup.rules.directory} and catalog {setup.catalog.directory}")
    heading = None
    for change in changes:
        group = _GROUPS.get(change["kind"].split(".")[0], "other")
        if group != heading:
            click.echo(f"{group}:")
            heading = group
        click.echo(f"  {change['text']}")


_GROUPS = {"engine": "engine", "requirements": "requirements", "approach": "approach", "rank_by": "approach",
           "price": "prices", "allowed": "allowed and excluded", "rank": "ranks", "figures": "figures",
           "warning": "warnings", "trace": "rules fired", "recommendation": "other"}
