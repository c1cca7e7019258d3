"""`ftrec audit`: list, show and replay recorded decisions; verify, export and import the log."""

from __future__ import annotations

import json
from typing import Any, Optional

import click

from recommender.domain.errors import InputError
from recommender.interfaces.cli.common import Failed, audit_log_option, format_option, table_or_json
from recommender.records import log as records
from recommender.records.log import load_record



@click.group()
def audit() -> None:
    """Decision records: list, show, replay one; verify the hash chain; export and import JSON Lines."""


@audit.command("list")
@click.option("--since", default=None, metavar="DATE", help="Only decisions made on or after DATE (UTC), e.g. 2026-11-01.")
@click.option("--until", default=None, metavar="DATE", help="Only decisions made on or before DATE (UTC).")
@click.option("--approach", default=None, metavar="NAME", help="Only decisions for this approach, e.g. fine_tune.")
@click.option("--offering", default=None, metavar="ID", help="Only decisions whose #1 offering is ID.")
@click.option("--ranked", default=None, metavar="ID", help="Only decisions that ranked offering ID anywhere.")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True, metavar="N",
              help="The newest N matching decisions.")
@click.option("--offset", type=click.IntRange(min=0), default=0, metavar="K", help="Skip the newest K first (paging).")
@table_or_json
@audit_log_option
def audit_list(since, until, approach, offering, ranked, limit, offset, fmt, audit_log) -> None:
    """The recorded decisions, oldest first: the newest --limit of those matching."""
    path = records.log_path(audit_log)
    page, total = records.list_records(path, since=_day(since, "--since"), until=_day(until, "--until"),
                                       approach=approach, offering=offering, ranked=ranked, limit=limit,
                                       offset=offset)
    page.reverse()
    if fmt == "json":
        click.echo(json.dumps(page, indent=2, ensure_ascii=False))
    else:
        _print_list(path, page, total, records.count(path))
    if total > offset + len(page) and fmt == "table":
        click.echo(f"{total - offset - len(page)} older matching decisions not shown (--offset {offset + len(page)})",
                   err=True)


def _day(value: Optional[str], option: str) -> Optional[str]:
    if value is None:
        return None
    from datetime import date

    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise InputError(f"must be a date such as 2026-11-23, got {value!r}", path=option) from None


def _print_list(path, shown: list[dict], matching: int, total: int) -> None:
    from rich.table import Table

    from recommender.presentation import render

    if not shown:
        click.echo(f"No decisions recorded in {path}." if not total else "No decision matches.")
        return
    out = render.console()
    wide = out.width >= 110  # the id already says when: the source file gets a column when there is room
    table = Table(header_style="bold", pad_edge=False,
                  title=_escape(f"{len(shown)} of {matching} matching, {total} decisions · {path}"))
    for column, justify in (("id (UTC time)", "left"), ("approach", "left"), ("#1 offering", "left"),
                            ("year-1", "right"), *((("source", "left"),) if wide else ())):
        table.add_column(column, justify=justify, no_wrap=column != "source", overflow="fold")
    for e in shown:
        year_one = _money(e["year_one"], not e["complete"]) if e["year_one"] else "—"
        cells = [e["decision_id"], _SHORT.get(e["approach"], e["approach"] or "—"), e["top"] or "—", year_one]
        table.add_row(*map(_escape, cells), *((_escape(e["source"] or ""),) if wide else ()))
    out.print(table)


def _money(text: str, lower_bound: bool) -> str:
    from recommender.presentation import render

    try:
        return render.dollars(text, lower_bound=lower_bound)
    except ArithmeticError:  # a summary column edited by hand: `audit verify` names it
        return str(text)


_SHORT = {"fine_tune": "fine-tune", "prompt_engineering": "prompt", "larger_base_model": "larger model"}


@audit.command("verify")
@audit_log_option
def audit_verify(audit_log) -> None:
    """Check the log's hash chain: exit 0 when every record is as recorded, 1 naming the first
    record changed, removed or inserted."""
    from recommender.records.verify import first_break

    path = records.log_path(audit_log)
    if records.absent(path):
        click.echo(f"{path}: no decision log yet: nothing to verify")
        return
    checked, problem = first_break(path)
    if problem:
        click.echo(f"{path}: {problem} ({checked} records before it verified)")
        raise Failed()
    click.echo(f"{path}: {checked} record{'s' * (checked != 1)}, hash chain intact")


@audit.command("export")
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl", show_default=True,
              help="JSON Lines, one object a line: decision_id, timestamp, path, labels, input, result, "
                   "previous_hash, hash (OPA decision-log style).")
@click.option("--out", "out", type=click.Path(), default=None, metavar="FILE", help="Write to FILE instead of stdout.")
@audit_log_option
def audit_export(fmt, out, audit_log) -> None:
    """Every record, oldest first, as JSON Lines for shipping (the format: README, "Why, months later")."""
    from recommender.records.transfer import export_lines

    path = records.log_path(audit_log)
    if out is None:
        for line in export_lines(path):
            click.echo(line.decode(), nl=False)
        return
    _export_to(path, out, export_lines)


def _export_to(path, out: str, export_lines) -> None:
    import os
    from pathlib import Path

    target = Path(out)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        with os.fdopen(os.open(temporary, flags, 0o600), "wb") as sink:  # records stay as private as the log
            count = sum(1 for line in export_lines(path) if sink.write(line) or True)
        os.replace(temporary, target)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise InputError(f"cannot write: {exc.strerror or exc}", file=out, path="--out") from None
    click.echo(f"exported {count} records to {out}", err=True)


@audit.command("import")
@click.argument("source", metavar="FILE.jsonl")
@audit_log_option
def audit_import(source, audit_log) -> None:
    """Bring records in from JSON Lines: `audit export` output, or a log from an earlier ftrec (a
    decision record a line). All or nothing; records already in the log are skipped."""
    from recommender.records.transfer import import_file

    path = records.log_path(audit_log)
    imported, skipped = import_file(source, path)
    already = f" ({skipped} already in the log, skipped)" if skipped else ""
    click.echo(f"imported {imported} record{'s' * (imported != 1)} into {path}{already}")


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
        out.print(f"Decision [bold]{_escape(record['decision_id'])}[/bold] · recorded {_escape(record['created_at'])} · "
                  f"source {_escape(record['source'])} · today {_escape(record['today'])} · "
                  f"ftrec {_escape(engine['version'])} · rules {_escape(engine['rules_sha256'][:12])} · "
                  f"catalog {_escape(engine['catalog_sha256'][:12])}", highlight=False)
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
    from recommender.decision.replay import differences, replay
    from recommender.interfaces.cli.common import load_setup

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
