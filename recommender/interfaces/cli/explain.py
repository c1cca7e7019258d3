"""`ftrec explain`: why a decision came out as it did, or why an offering was not chosen."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import click

from recommender.decision.explain import story, why_not
from recommender.interfaces.cli.common import (
    audit_log_option,
    catalog_option,
    parse_today,
    rules_option,
    table_or_json,
    today_option,
    wide_option,
)
from recommender.presentation.explain_text import story_lines, why_not_lines


@click.command()
@click.argument("target", metavar="ID|REQ")
@click.option("--why-not", "why_not_offering", default=None, metavar="OFFERING",
              help="Why this offering was excluded, or the figures that ranked it below the winner.")
@table_or_json
@catalog_option
@rules_option
@today_option
@audit_log_option
@wide_option
def explain(target, why_not_offering, fmt, catalog_dir, rules_dir, today, audit_log, wide) -> None:
    """The rules that fired, in order, each with the facts that made it fire and what it concluded;
    the sentence of the source each deciding rule encodes; the ranking.

    ID is a recorded decision (a unique prefix is enough). REQ is a requirements file, decided now
    (with --catalog, --rules, --today) and not recorded.
    """
    import json

    from recommender.engine.rules import load_rules

    decision = _decision_for(target, catalog_dir, rules_dir, today, audit_log)
    rules = load_rules(rules_dir)
    data = why_not(decision, why_not_offering, rules) if why_not_offering else story(decision, rules)
    if fmt == "json":
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    from recommender.presentation.layout import console, wrapped

    lines = why_not_lines(data) if why_not_offering else story_lines(data)
    click.echo("\n".join(wrapped(lines, console(wide=wide).width)))


def _decision_for(target: str, catalog_dir: Optional[str], rules_dir: Optional[str], today: Optional[str],
                  audit_log: Optional[str]) -> dict:
    if Path(target).is_file() or target.endswith((".yaml", ".yml", ".json")):
        from recommender.interfaces.cli.common import load_requirements, load_setup
        from recommender.decision.decide import decide

        req = load_requirements(target)
        return decide(req, load_setup(catalog_dir, rules_dir), parse_today(today), source=target)
    from recommender.records.log import load_record

    return load_record(target, audit_log)
