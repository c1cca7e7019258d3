"""The story of a decision and the answer to "why not X?" in plain lines."""

from __future__ import annotations

from typing import Any

from decimal import Decimal

from recommender.domain.units import dollars
from recommender.domain.vocabulary import FIGURES, source_words


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
    from recommender.presentation.rules_view import describe

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
    """The story, sources named in words."""
    return [source_words(line) for line in _story(data)]


def _story(data: dict) -> list[str]:
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
    if data.get("assumed"):
        lines += ["", "Decided on assumptions (defaults: the request did not give these; set them to be sure):"]
        lines += [f"  {name} = {_plain(value)}" for name, value in data["assumed"].items()]
    if data.get("cost_checks"):
        lines += ["", "Heuristics checked against the costs:"]
        lines += [f"  {message}" for message in data["cost_checks"]]
    if data.get("approaches"):
        lines += ["", "Every approach on money (year-1):"]
        for a in data["approaches"]:
            shown = dollars(a["year_one"]) if a["year_one"] is not None else "not priced"
            on = f" on {a['offering']}" if a["offering"] else f" ({a['note']})" if a.get("note") else ""
            lines.append(f"  {'→' if a['chosen'] else ' '} {a['approach']}: {shown}{on}")
    lines += ["", _ranked_heading(data)]
    for r in data["ranking"][:5]:
        lines.append(f"  #{r['rank']} {r['offering']}: year-1 {dollars(r['year_one'], not r['complete'])}, "
                     f"monthly {dollars(r['monthly'])}, training {dollars(r['training'])}")
    if len(data["ranking"]) > 5:
        lines.append(f"  … {len(data['ranking']) - 5} more")
    if data["excluded"]:
        lines.append(f"Excluded: {len(data['excluded'])} (ftrec explain ID --why-not OFFERING says why)")
    return lines


def _ranked_heading(data: dict) -> str:
    name = FIGURES.get(data["ranked_by"], data["ranked_by"])
    if data["ranked_by"] not in ("year_one", "monthly", "training"):
        return f"Ranked by {name}:"
    values = [Decimal(r[data["ranked_by"]]) for r in data["ranking"]]
    if all(a <= b for a, b in zip(values, values[1:])):
        return f"Ranked by {name}:"
    return f"Ranked by preference and price flags first, then {name} (`ftrec recommend` names the rules):"


def why_not_lines(data: dict) -> list[str]:
    """Why an offering is not first, sources named in words."""
    return [source_words(line) for line in _why_not(data)]


def _why_not(data: dict) -> list[str]:
    from recommender.presentation.render import break_even_text

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
             f"(ranked by {FIGURES.get(data['ranked_by'], data['ranked_by'])}).",
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
    lines.append("  Why lower: " + "; ".join(data["reasons"]) + _despite(data))
    return lines


def _despite(data: dict) -> str:
    """When something other than the figure put it lower, say what the winner costs more, too."""
    figure = data["ranked_by"] if data["ranked_by"] in data["figures"] else "year_one"
    gap = Decimal(data["figures"][figure]["difference"])
    if gap >= 0:
        return ""
    named = {"year_one": "year-1 total", "monthly": "monthly cost", "training": "training cost"}[figure]
    return f"; so the winner ranks first although its {named} is {dollars(str(-gap))} higher"


def _signed(difference: str) -> str:

    return f"+{dollars(difference)}" if not difference.startswith("-") else f"−{dollars(difference[1:])}"
