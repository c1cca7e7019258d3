"""The `ftrec` command line (CONTRACT §3).

Output goes to stdout, messages and warnings to stderr. Exit codes: 0 success; 1 a check found
problems or a replay differs; 2 bad input or usage (one line naming file, field and problem).
"""

from __future__ import annotations

from typing import Optional

from recommender.interfaces.cli.startup import fast_start

fast_start()  # before pydantic or the catalog load: see startup.py

import click  # noqa: E402

from recommender import __version__  # noqa: E402
from recommender.interfaces.cli.common import (
    as_of_option,
    audit_log_option,
    catalog_option,
    emit,
    format_option,
    load_requirements,
    load_setup,
    parse_as_of,
    parse_today,
    guarded,
    recommend_file,
    rules_option,
    show_decision,
    today_option,
    wide_option,
)
from recommender.interfaces.cli.steps import write_bytes  # noqa: E402
from recommender.domain.errors import EnvironmentProblem, InputError



class LazyGroup(click.Group):
    """Commands that live with their feature are imported only when used (or listed by --help)."""

    lazy = {
        "ask": "recommender.interfaces.cli.ask:ask",
        "audit": "recommender.interfaces.cli.audit:audit",
        "catalog": "recommender.interfaces.cli.catalog:catalog",
        "compare": "recommender.interfaces.cli.whatif:compare",
        "explain": "recommender.interfaces.cli.explain:explain",
        "rules": "recommender.interfaces.cli.rules:rules",
        "serve": "recommender.interfaces.cli.serve:serve",
        "sweep": "recommender.interfaces.cli.whatif:sweep",
    }

    def list_commands(self, ctx) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.lazy])

    def get_command(self, ctx, name):
        if name in self.lazy:
            import importlib

            from recommender.interfaces.cli.startup import started

            started()  # only `recommend` and `cost` hold the collector back until the catalog is loaded

            module, attribute = self.lazy[name].split(":")
            return getattr(importlib.import_module(module), attribute)
        return super().get_command(ctx, name)


START_HERE = """To start:
  ftrec ask                              answer questions
  ftrec recommend examples/typical.yaml  rank for a file
  ftrec explain ID                       why a decision
  ftrec help terms                       the words used"""


@click.group(cls=LazyGroup, invoke_without_command=True,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="ftrec")
@click.pass_context
def cli(ctx) -> None:
    """Should we fine-tune an LLM, and if so, where?

    Rules decide the approach and which offerings are allowed; a cost core ranks them; every
    decision is recorded so anyone can audit why a choice was made.
    """
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())
        click.echo("")
        click.echo(START_HERE)


@cli.command("help")
@click.argument("topic", type=click.Choice(["terms"]), required=False, default="terms")
def help_topic(topic) -> None:
    """The words ftrec uses (uplift, break-even, hidden costs, LoRA/full, year-1, approaches)."""
    from recommender.presentation.glossary import glossary_text
    from recommender.presentation.layout import console

    click.echo(glossary_text(console().width))


# --- recommend ----------------------------------------------------------------------------


@cli.command()
@click.argument("requirements", nargs=-1, required=True, metavar="REQ...")
@catalog_option
@rules_option
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]), default=None,
              help="Output format [default: table for one file; JSON Lines for several or for -].")
@click.option("--top", type=click.IntRange(min=1), default=None,
              help="Show only the first N offerings [default: 10 in the table; all in JSON and markdown].")
@today_option
@as_of_option
@click.option("--no-audit", is_flag=True, help="Do not record the decision in the audit log.")
@audit_log_option
@wide_option
def recommend(requirements, catalog_dir, rules_dir, fmt, top, today, as_of, no_audit, audit_log, wide) -> None:
    """Decide the approach and rank the allowed offerings for the requirements in REQ.

    REQ is a YAML or JSON requirements file; an empty file is a typical request. Give several
    files, or - to read JSON Lines (one requirements object per line) from stdin, for a batch: one
    decision per line, using every core. Prints each decision and records it in the audit log.
    """
    when, as_of = parse_today(today), parse_as_of(as_of)
    if len(requirements) == 1 and requirements[0] != "-":
        recommend_file(requirements[0], when, as_of, catalog_dir, rules_dir, fmt or "table", top, no_audit, audit_log, wide)
        return
    setup = load_setup(catalog_dir, rules_dir)
    log = None
    if not no_audit:  # the decision log's module loads only when a decision is recorded
        from recommender.records import log as audit

        log = audit.log_path(audit_log)
    recommend_batch(requirements, setup, when, fmt or "json", top, log, as_of, wide)


def recommend_batch(arguments, setup, when, fmt: str, top, log, as_of=None, wide: bool = False, stdin=None) -> None:
    """Every input checked first (bad input anywhere: nothing printed or recorded), then decided in
    chunks, each chunk recorded (one transaction) and printed. When the log fails midway, the
    message says how many decisions were recorded (and printed) before it."""
    from contextlib import nullcontext

    from recommender.decision import batch
    from recommender.decision.as_of import setup_as_of
    from recommender.presentation.progress import progress_on_terminal
    from recommender.records import log as audit

    recorded = 0
    with batch.Inputs(arguments, stdin) as inputs, \
            batch.Workers(setup=setup_as_of(setup, as_of), today=when, as_of=as_of,
                          log=None if log is None else str(log)) as workers:
        total = batch.check_all(inputs, workers)
        if log is not None:
            audit.check_writable(log)
        with progress_on_terminal(total, "deciding") as advance, \
                (nullcontext(None) if log is None else audit.appending(log)) as append:
            try:
                for decided in batch.decide_all(inputs, workers, on_done=advance):
                    for first in range(0, len(decided), AUDIT_CHUNK):
                        last = min(first + AUDIT_CHUNK, len(decided))
                        recorded += _record_and_print(decided, first, last, fmt, top, append, recorded, wide, log)
                    decided.free()
            except InputError as exc:
                if isinstance(exc, EnvironmentProblem) or log is None:
                    raise
                raise InputError(f"{exc}; {recorded} decisions recorded before it, the rest not recorded") from None


AUDIT_CHUNK = 64  # decisions per transaction in the log, and per write to stdout


def _parsed(line) -> dict:
    """A decision line back as data, integers exact (units.json_loads)."""
    from recommender.domain.units import json_loads

    return json_loads(line)


def _record_and_print(decided, first: int, last: int, fmt: str, top, append, recorded_before: int,
                      wide: bool = False, log=None) -> int:
    """Record (APPEND, one transaction; None: nothing to record) and print decisions FIRST to LAST
    (excluded) of a chunk, each as the workers made it (batch.Decided)."""
    import json

    if append is not None and last > first:
        records = decided.records[first:last]
        unstorable = next((record for record in records if isinstance(record, str)), None)
        if unstorable is not None:
            raise InputError(unstorable)
        append(records, recorded_before)
    if fmt == "json" and not top:  # printed as the workers wrote them: nothing to parse
        write_bytes(decided.lines(first, last))
        return last - first
    for index in range(first, last):
        decision = _parsed(decided.lines(index, index + 1))
        if fmt == "json":
            click.echo(json.dumps(dict(decision, recommendations=decision["recommendations"][:top]),
                                  ensure_ascii=False, separators=(",", ":")))
        else:
            show_decision(decision, fmt, top, log, wide)
    return last - first


# --- cost ---------------------------------------------------------------------------------


@cli.command()
@click.argument("requirements", type=click.Path(), metavar="REQ")
@click.option("--offering", "offering_id", required=True, metavar="ID", help="Offering id, e.g. fireworks/llama-4-8b.")
@catalog_option
@rules_option
@format_option
@today_option
@as_of_option
@wide_option
def cost(requirements, offering_id, catalog_dir, rules_dir, fmt, today, as_of, wide) -> None:
    """One offering's full cost breakdown: every amount as quantity × rate, each rate with its source.

    The method (LoRA or full) is the one the rules decide for REQ; the offering is costed even
    if the rules would exclude it.
    """
    from recommender.presentation import whatif_view
    from recommender.decision.as_of import setup_as_of, stamp_as_of
    from recommender.decision.whatif import cost_of

    req = load_requirements(requirements)
    day = parse_as_of(as_of)
    setup = setup_as_of(load_setup(catalog_dir, rules_dir), day)
    rec = stamp_as_of(cost_of(req, setup, offering_id, parse_today(today), requirements), day)
    emit(rec, fmt, whatif_view.cost_table, whatif_view.cost_markdown, wide=wide)


# --- schema -------------------------------------------------------------------------------


@cli.command()
@click.argument("kind", type=click.Choice(["requirements", "catalog", "decision"]))
def schema(kind) -> None:
    """JSON Schema of each file format."""
    import json

    from recommender.decision.schema import schema_for

    click.echo(json.dumps(schema_for(kind), indent=2, ensure_ascii=False))


# --- entry point --------------------------------------------------------------------------


def main(argv: Optional[list[str]] = None) -> None:
    guarded(lambda: cli.main(args=argv, prog_name="ftrec", standalone_mode=False))
