"""`ftrec rules list|show`: each rule with its description and the sentence of the source it encodes."""

from __future__ import annotations

import json

import click
from rich.markup import escape
from rich.table import Table

from recommender.domain.vocabulary import source_words
from recommender.engine.rules import Condition, FactRef, Rule, RuleSet, Test
from recommender.presentation.layout import console

WIDE_RULES = 140  # from this width `rules list` gives "then" a column of its own


OPERATOR_WORDS = {"eq": "is", "ne": "is not", "in": "is one of", "not_in": "is none of", "lt": "<", "lte": "≤",
                  "gt": ">", "gte": "≥", "contains": "contains", "not_contains": "does not contain"}


def describe_test(test: Test) -> str:
    value = test.value
    shown = f"the request's {value.name}" if isinstance(value, FactRef) else value
    return describe(test.fact, test.op, shown)


def describe(fact: str, op: str, value) -> str:
    """`offering.regions contains eu`, `inference.monthly_tokens < 1000000`: a test as people read it."""
    if op == "exists":
        return f"{fact} is {'given' if value else 'not given'}"
    if isinstance(value, (tuple, list)):
        value = "[" + ", ".join(map(str, value)) + "]"
    elif isinstance(value, bool):
        value = "true" if value else "false"
    return f"{fact} {OPERATOR_WORDS[op]} {value}"


def describe_when(when: Condition) -> list[str]:
    parts = [describe_test(t) for t in when.tests]
    if when.any_of:
        parts.append("any of: " + " | ".join(" and ".join(describe_test(t) for t in g) for g in when.any_of))
    if when.reasons_all:
        parts.append("reasons include " + " and ".join(when.reasons_all))
    if when.reasons_any:
        parts.append("a reason among " + ", ".join(when.reasons_any))
    if when.reasons_none:
        parts.append("no reason " + ", ".join(when.reasons_none))
    parts += [describe_test(t) for t in when.decisions]
    return parts or ["always (the default)"]


def describe_then(rule: Rule) -> str:
    if rule.conclusion in ("require", "prefer", "demote"):
        return f"{rule.conclusion} offerings where " + " and ".join(describe_test(t) for t in rule.offering_tests)
    if rule.conclusion == "warn":
        return "warn"
    return f"{rule.conclusion} = {rule.value}"


def rule_json(rule: Rule) -> dict:
    return {
        "id": rule.id,
        "description": rule.description,
        "file": rule.file,
        "source": {"document": rule.source_document, "says": rule.source_says},
        "when": describe_when(rule.when),
        "then": describe_then(rule),
        "message": rule.message,
        "decides": rule.decides,
    }


def list_rules(ruleset: RuleSet, fmt: str, wide: bool = False) -> None:
    """Ids never wrap; the conclusion gets its own column on a wide terminal, else a dim line under
    the description."""
    if fmt == "json":
        click.echo(json.dumps([rule_json(r) for r in ruleset.rules], indent=2, ensure_ascii=False))
        return
    out = console(wide=wide)
    roomy = out.width >= WIDE_RULES
    table = Table(header_style="bold", pad_edge=False, title=escape(f"{len(ruleset.rules)} rules · {ruleset.directory}"))
    table.add_column("id", no_wrap=True)
    if roomy:
        table.add_column("then", overflow="fold")
    table.add_column("description" if roomy else "description, then what it concludes", overflow="fold")
    for rule in ruleset.rules:
        description = escape(source_words(rule.description))
        then = escape(describe_then(rule))
        table.add_row(rule.id, *((then, description) if roomy else (f"{description}\n[dim]→ {then}[/dim]",)))
    out.print(table)


def show_rule(ruleset: RuleSet, rule: Rule, fmt: str) -> None:
    if fmt == "json":
        click.echo(json.dumps(rule_json(rule), indent=2, ensure_ascii=False))
        return
    out = console()
    out.print(f"[bold]{rule.id}[/bold]  ({escape(rule.file)}, rule {rule.index + 1})")
    out.print(escape(source_words(rule.description)))
    out.print("[bold]when[/bold]  " + escape("; ".join(describe_when(rule.when))))
    out.print("[bold]then[/bold]  " + escape(describe_then(rule)))
    if rule.message:
        out.print("[bold]message[/bold]  " + escape(source_words(rule.message)))
    if rule.decides:
        rivals = [r.id for r in ruleset.rules if r.decides == rule.decides]
        out.print(f"[dim]decides {rule.decides}: position {rivals.index(rule.id) + 1} of {len(rivals)}; "
                  f"the first rule whose conditions hold wins[/dim]")
    out.print(f"[bold]source[/bold]  {escape(source_words(rule.source_document))}: “{escape(rule.source_says)}”")
