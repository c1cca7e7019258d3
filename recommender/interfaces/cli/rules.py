"""`ftrec rules list|show|check`: the rules with their description and source; validating rule files."""

from __future__ import annotations

import click

from recommender.interfaces.cli.common import rules_option, table_or_json, wide_option


@click.group()
def rules() -> None:
    """Rules with their description and source; `check` validates rule files."""


@rules.command("list")
@rules_option
@table_or_json
@wide_option
def rules_list(rules_dir, fmt, wide) -> None:
    """Every rule: id, what it concludes, description."""
    from recommender.presentation import rules_view
    from recommender.engine.rules import load_rules

    rules_view.list_rules(load_rules(rules_dir), fmt, wide)


@rules.command("show")
@click.argument("rule_id", metavar="ID")
@rules_option
@table_or_json
def rules_show(rule_id, rules_dir, fmt) -> None:
    """One rule: its conditions, conclusion, source and the sentence it encodes."""
    from recommender.presentation import rules_view
    from recommender.engine.rules import load_rules

    loaded = load_rules(rules_dir)
    rules_view.show_rule(loaded, loaded.get(rule_id), fmt)


@rules.command("check")
@rules_option
def rules_check(rules_dir) -> None:
    """Validate rule files: facts, operators, actions, ids, cycles, and that durable_rules accepts them."""
    from recommender.engine import host as engine
    from recommender.engine.rules import load_rules

    loaded = load_rules(rules_dir)
    engine.host_for(loaded)
    decisions = ", ".join(loaded.decision_order)
    click.echo(f"{len(loaded.rules)} rules in {loaded.directory}: ok (decisions taken in order: {decisions}; "
               f"sha256 {loaded.sha256[:12]})")
