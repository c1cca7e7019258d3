"""`ftrec explain`: the story of a decision in plain words, and why an offering was not chosen.

The story comes from the decision's own trace (durable_rules says nothing about rules that did not
fire): each firing in order, with the rule's description, the facts that made it fire and what it
concluded; then the sentence of the source the deciding rules encode; then the ranking figures.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import click

from recommender.clitools import catalog_option, parse_today, rules_option, table_or_json, today_option
from recommender.errors import InputError


def story(decision: dict, rules) -> dict:
    """The explanation as data: steps in firing order, the decision with its sources, the ranking."""
    known = rules.by_id
    steps = [{
        "step": s["step"],
        "rule": s["rule"],
        "description": known[s["rule"]].description if s["rule"] in known else None,
        "matched": s["matched"],
        "concluded": s["asserted"],
    } for s in decision["trace"]]
    approach = decision["approach"]
    return {
        "decision_id": decision["decision_id"],
        "source": decision["source"],
        "today": decision["today"],
        "rules_changed_since": rules.sha256 != decision["engine"]["rules_sha256"],
        "steps": steps,
        "approach": {"choice": approach["choice"], "method": approach["method"],
                     "because": [_cited(r, known) for r in approach["because"]],
                     "method_because": [_cited(r, known) for r in approach["method_because"]]},
        "ranking": [{"rank": r["rank"], "offering": r["offering"], "year_one": r["cost"]["year_one"],
                     "monthly": r["cost"]["monthly"], "training": r["cost"]["training"],
                     "complete": r["cost"]["complete"]} for r in decision["recommendations"]],
        "ranked_by": decision["rank_by"]["figure"],
        "excluded": decision["excluded"],
    }


def _cited(rule_id: str, known: dict) -> dict:
    rule = known.get(rule_id)
    if rule is None:
        return {"rule": rule_id, "description": None, "source": None}
    return {"rule": rule_id, "description": rule.description,
            "source": {"document": rule.source_document, "says": rule.source_says}}


def why_not(decision: dict, offering_id: str, rules) -> dict:
    """Why OFFERING was not the first recommendation: the rule that excluded it, or the figures."""
    ranked = {r["offering"]: r for r in decision["recommendations"]}
    excluded = {e["offering"]: e for e in decision["excluded"]}
    if offering_id not in ranked and offering_id not in excluded:
        import difflib

        close = difflib.get_close_matches(offering_id, [*ranked, *excluded], n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise InputError(f"unknown offering {offering_id!r}{hint}", path="--why-not")
    if offering_id in excluded:
        exclusion = excluded[offering_id]
        rule = rules.by_id.get(exclusion["rule"])
        step = next((s for s in decision["trace"] if s["rule"] == exclusion["rule"]), None)
        return {"offering": offering_id, "status": "excluded", "rule": exclusion["rule"], "message": exclusion["message"],
                "description": rule.description if rule else None,
                "source": {"document": rule.source_document, "says": rule.source_says} if rule else None,
                "matched": step["matched"] if step else None}
    mine, first = ranked[offering_id], decision["recommendations"][0]
    if mine["rank"] == 1:
        return {"offering": offering_id, "status": "first", "rank": 1, "of": len(ranked)}
    return {
        "offering": offering_id, "status": "ranked lower", "rank": mine["rank"], "of": len(ranked),
        "winner": first["offering"], "ranked_by": decision["rank_by"]["figure"],
        "figures": {name: {"this": mine["cost"][name], "winner": first["cost"][name],
                           "difference": _difference(mine["cost"][name], first["cost"][name])}
                    for name in ("training", "monthly", "year_one")},
        "break_even": {"this": mine["break_even"], "winner": first["break_even"]},
        "reasons": _lower_because(mine, first, rules),
    }


def _difference(mine: str, theirs: str) -> str:
    from decimal import Decimal

    from recommender.cost import usd

    return usd(Decimal(mine) - Decimal(theirs))


def _lower_because(mine: dict, first: dict, rules) -> list[str]:
    """What put it below the winner, in the order the ranking weighs them: completeness, demotion,
    preferences, then the figure."""
    def concluding(rec: dict, kind: str) -> dict:
        return {b["rule"]: b["message"] for b in rec["because"]
                if b["rule"] in rules.by_id and rules.by_id[b["rule"]].conclusion == kind}

    reasons = []
    if first["cost"]["complete"] and not mine["cost"]["complete"]:
        reasons.append(f"its cost is incomplete (missing {', '.join(mine['cost']['missing'])}): "
                       "fully priced offerings rank first")
    reasons += [f"{message} [{rule}]" for rule, message in concluding(mine, "demote").items()]
    theirs, ours = concluding(first, "prefer"), concluding(mine, "prefer")
    reasons += [f"the winner is preferred: {message} [{rule}]" for rule, message in theirs.items() if rule not in ours]
    if not reasons:
        reasons.append("a higher figure by the ranking measure (ties go by offering id)")
    return reasons


# --- showing ---------------------------------------------------------------------------------


def _facts(matched: dict) -> str:
    parts = []
    for name, value in matched.items():
        if name == "reasons":
            parts.append("reasons " + ", ".join(f"{r['reason']} (from {r['from']})" for r in value))
        else:
            parts.append(f"{name} = {_plain(value)}")
    return "; ".join(parts) or "nothing (it always applies)"


def _concluded(concluded: dict) -> str:
    from recommender.rules_view import describe

    (kind, value), = concluded.items()
    if kind in ("require", "prefer", "demote"):
        tests = " and ".join(describe(attr, op, v) for attr, test in value.items() for op, v in test.items())
        return f"{kind} offerings where {tests}"
    if kind == "warning":
        return f"warn: {value}"
    return f"{kind} = {value}"


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    return "not given" if value is None else str(value)


def story_lines(data: dict) -> list[str]:
    from recommender.decision import FIGURES
    from recommender.render import dollars

    lines = [f"Decision {data['decision_id']} for {data['source']} (prices judged on {data['today']})."]
    if data["rules_changed_since"]:
        lines.append("Note: the rules have changed since this decision; descriptions and sources below are today's.")
    lines += ["", "What the rules did, in order:"]
    for step in data["steps"]:
        lines.append(f"{step['step']:>3}. {step['rule']}: {step['description'] or '(no longer in the rules)'}")
        lines.append(f"     because {_facts(step['matched'])}")
        lines.append(f"     → {_concluded(step['concluded'])}")
    approach = data["approach"]
    lines += ["", f"So the approach is {approach['choice']}, with {approach['method']}:"]
    for cited in approach["because"] + approach["method_because"]:
        source = cited["source"]
        lines.append(f"  {cited['rule']}: {cited['description'] or '(no longer in the rules)'}")
        if source:
            lines.append(f"    source: {source['document']}: “{source['says']}”")
    lines += ["", f"Ranked by {FIGURES[data['ranked_by']]}:"]
    for r in data["ranking"][:5]:
        lines.append(f"  #{r['rank']} {r['offering']}: year-1 {dollars(r['year_one'], not r['complete'])}, "
                     f"monthly {dollars(r['monthly'])}, training {dollars(r['training'])}")
    if len(data["ranking"]) > 5:
        lines.append(f"  … {len(data['ranking']) - 5} more")
    if data["excluded"]:
        lines.append(f"Excluded: {len(data['excluded'])} (ftrec explain ID --why-not OFFERING says why)")
    return lines


def why_not_lines(data: dict) -> list[str]:
    from recommender.decision import FIGURES
    from recommender.render import break_even_text, dollars

    offering = data["offering"]
    if data["status"] == "first":
        return [f"{offering} is the first recommendation (#1 of {data['of']})."]
    if data["status"] == "excluded":
        lines = [f"{offering} was excluded by rule {data['rule']}:", f"  {data['message']}"]
        if data["description"]:
            lines.append(f"  The rule: {data['description']}")
        if data["matched"] is not None:
            lines.append(f"  It fired because {_facts(data['matched'])}.")
        if data["source"]:
            lines.append(f"  It encodes {data['source']['document']}: “{data['source']['says']}”")
        return lines
    f = data["figures"]
    lines = [f"{offering} ranked #{data['rank']} of {data['of']}; #1 is {data['winner']} "
             f"(ranked by {FIGURES[data['ranked_by']]}).",
             f"  year-1:   {dollars(f['year_one']['this'])} vs {dollars(f['year_one']['winner'])} "
             f"({_signed(f['year_one']['difference'])})",
             f"  monthly:  {dollars(f['monthly']['this'])} vs {dollars(f['monthly']['winner'])} "
             f"({_signed(f['monthly']['difference'])})",
             f"  training: {dollars(f['training']['this'])} vs {dollars(f['training']['winner'])} "
             f"({_signed(f['training']['difference'])})"]
    be = data["break_even"]
    if be["this"] or be["winner"]:
        lines.append(f"  break-even against the baseline: {break_even_text({'break_even': be['this']})} vs "
                     f"{break_even_text({'break_even': be['winner']})}")
    lines.append("  Why lower: " + "; ".join(data["reasons"]))
    return lines


def _signed(difference: str) -> str:
    from recommender.render import dollars

    return f"+{dollars(difference)}" if not difference.startswith("-") else f"−{dollars(difference[1:])}"


# --- the command ----------------------------------------------------------------------------


@click.command()
@click.argument("target", metavar="ID|REQ")
@click.option("--why-not", "why_not_offering", default=None, metavar="OFFERING",
              help="Why this offering was excluded, or the figures that ranked it below the winner.")
@table_or_json
@catalog_option
@rules_option
@today_option
@click.option("--audit-log", type=click.Path(), default=None, metavar="PATH",
              help="Audit log to find ID in (default $FTREC_AUDIT_LOG or ~/.local/share/ftrec/audit.jsonl).")
def explain(target, why_not_offering, fmt, catalog_dir, rules_dir, today, audit_log) -> None:
    """The rules that fired, in order, each with the facts that made it fire and what it concluded;
    the sentence of the source each deciding rule encodes; the ranking.

    ID is a recorded decision (a unique prefix is enough). REQ is a requirements file, decided now
    (with --catalog, --rules, --today) and not recorded.
    """
    import json

    from recommender.rules import load_rules

    decision = _decision_for(target, catalog_dir, rules_dir, today, audit_log)
    rules = load_rules(rules_dir)
    data = why_not(decision, why_not_offering, rules) if why_not_offering else story(decision, rules)
    if fmt == "json":
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    lines = why_not_lines(data) if why_not_offering else story_lines(data)
    click.echo("\n".join(lines))


def _decision_for(target: str, catalog_dir: Optional[str], rules_dir: Optional[str], today: Optional[str],
                  audit_log: Optional[str]) -> dict:
    if Path(target).is_file() or target.endswith((".yaml", ".yml", ".json")):
        from recommender.clitools import load_requirements, load_setup
        from recommender.decision import decide

        req = load_requirements(target)
        return decide(req, load_setup(catalog_dir, rules_dir), parse_today(today), source=target)
    from recommender.audit import load_record

    return load_record(target, audit_log)
