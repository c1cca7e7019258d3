"""Showing decisions: a rich table fitted to the terminal, markdown for design documents.

Renderers read the decision's JSON object only, so what is printed, stored and replayed is one thing.
Everything a person reads names the sources in words (vocabulary.source_words); JSON keeps file names.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Optional

from rich.console import Group
from rich.padding import Padding
from rich.text import Text

from recommender.domain.units import dollars, dollars_short, months_short, tokens, tokens_short  # noqa: F401 - re-exported
from recommender.domain.vocabulary import APPROACH_NAMES, APPROACH_SHORT, FIGURES, source_words
from recommender.presentation.layout import Column, bullets, console, fitted_table, left_out, width_of  # noqa: F401
from recommender.presentation.plain import PlainGroup

WIDE_TABLE = 120  # from this width the ranking shows every column


def rate(text: Optional[str], unit: str) -> str:
    if text is None:
        return "missing"
    per = {"per 1M tokens": "/1M", "per month": "/month", "per hour": "/hour"}.get(unit, f" {unit}")
    return f"${text}{per}"


def quantity(value: Any, unit: str) -> str:
    if unit == "tokens":
        number = Decimal(str(value))
        return f"{tokens(int(number))} tokens" if number == number.to_integral_value() else f"{number:,} tokens"
    return f"{value} {unit}"


def figure(value: Optional[str], lower_bound: bool = False, short: bool = False) -> str:
    """A money figure; a lower bound with nothing known yet reads "missing", never "≥ $0.00"."""
    if value is not None and lower_bound and Decimal(value) == 0:
        return "missing"
    return (dollars_short if short else dollars)(value, lower_bound)


def break_even_text(rec: dict, detail: bool = False) -> str:
    """One short cell: "< 1 mo", "5.3 mo", "5.3–26 mo", "> 1 yr"; with `detail`, the volume too."""
    b = rec["break_even"]
    if b is None:
        return "—"
    if b.get("months") is None:
        return tokens_short(b["tokens"])
    period = months_short(b["months"], b.get("months_high"))
    return f"{tokens_short(b['tokens'])} · {period}" if detail else period


def model_name(provider: str, model: str) -> str:
    """"Mistral Small 3", "OpenAI GPT-4o mini": the provider only when the model does not already say it."""
    return model if model.lower().startswith(provider.lower()) else f"{provider} {model}"


def short_why(rec: dict) -> str:
    """What moved this offering up or down, beyond the ranking figure (named in the headline)."""
    tags = []
    for b in rec["because"]:
        rule = b["rule"] or ""
        if rule.startswith("ranking.by_"):
            continue
        if "implausible" in rule:
            tags.append(f"↓ implausible {', '.join(rec['flags']['implausible_prices'])}")
        elif b["rule"] is None:
            tags.append(f"missing price: {', '.join(rec['cost']['missing'])}")
        else:
            arrow = "↓" if b.get("effect") == "demote" else "↑"
            tags.append(f"{arrow} {source_words(b['message'])}")
    return "; ".join(tags)


def approach_title(decision: dict) -> str:
    a = decision["approach"]
    title = APPROACH_NAMES[a["choice"]]
    if a["fine_tunes"]:
        title += f" · {'LoRA' if a['method'] == 'lora' else 'full fine-tuning'}"
    return title


MONEY_FIGURES = ("year_one", "monthly", "training")


def money_figure(rank_by: str) -> str:
    """The cost column a ranking rests on: its own figure, or year-1 for capability and value orders."""
    return rank_by if rank_by in MONEY_FIGURES else "year_one"


def ranking_line(decision: dict) -> str:
    """How the list is really ordered: by the figure alone only when the figures are in order."""
    figure_name = decision["rank_by"]["figure"]
    name = FIGURES.get(figure_name, figure_name)
    recs = decision["recommendations"]
    rules = list(decision["rank_by"]["because"])
    values = [Decimal(r["cost"][money_figure(figure_name)]) for r in recs]
    if figure_name not in MONEY_FIGURES:
        return f"Ranked by {name} ({', '.join(rules)})"
    if all(a <= b for a, b in zip(values, values[1:])):
        return f"Ranked by {name} ({', '.join(rules)})"
    first, last = [], []
    for rec in recs:
        for b in rec["because"]:
            rule = b["rule"]
            if rule and rule.startswith("ranking.by_"):
                continue
            kind = "incomplete" if rule is None else "implausible" if "implausible" in rule else "preferred"
            (first if kind == "preferred" else last).append(kind)
            if rule and rule not in rules:
                rules.append(rule)
    text = "Ranked " + ("preferred first, then " if first else "") + f"by {name}"
    tail = [words for kind, words in (("implausible", "implausible prices"), ("incomplete", "incomplete costs"))
            if kind in last]
    if tail:
        text += f"; {' and '.join(tail)} last"
    return f"{text} ({', '.join(rules)})"


# --- recommend ----------------------------------------------------------------------------


def _money_column(header: str, key: str, short: bool) -> Column:
    def cell(rec: dict) -> str:
        c = rec["cost"]
        if key == "training" and c.get("basis") == "base_model":
            return "—"  # the approach does not fine-tune: nothing to train
        missing = c["missing"]
        lower = {"training": any(m.startswith("training") for m in missing),
                 "monthly": any(not m.startswith("training") for m in missing),
                 "year_one": not c["complete"]}[key]
        return figure(c[key], lower, short)

    return Column(header, cell, "right")


def ranking_layouts(rank_by: str) -> list[list[Column]]:
    """Widest first: every column, then without notes, shorter money, then dropping what no decision
    rests on. The offering, the ranking figure and break-even are always kept."""
    rank = Column("#", lambda rec: str(rec["rank"]), "right")
    offering = Column("offering", lambda rec: rec["offering"])
    hidden = Column("hidden", lambda rec: (f"{dollars_short(rec['cost']['hidden']['low'])}–"
                                           f"{dollars_short(rec['cost']['hidden']['high'])}")
                    if rec["cost"]["hidden"] else "—", "right")
    notes = Column("notes", short_why)

    def money(short: bool, keep: tuple[str, ...]) -> list[Column]:
        names = {"training": "training", "monthly": "monthly", "year_one": "year-1"}
        return [_money_column(names[k], k, short) for k in names if k in keep or k == money_figure(rank_by)]

    every = ("training", "monthly", "year_one")
    be_detail = Column("break-even", lambda rec: break_even_text(rec, detail=True), "right")
    be = Column("break-even", break_even_text, "right")
    return [
        [rank, offering, *money(False, every), hidden, be_detail, notes],
        [rank, offering, *money(False, every), be],
        [rank, offering, *money(True, every), be],
        [rank, offering, *money(True, ("monthly", "year_one")), be],
        [rank, offering, *money(True, ("year_one",)), be],
        [rank, offering, *money(True, ()), be],
    ]


def decision_table(decision: dict, top: Optional[int] = None, width: Optional[int] = None,
                   warnings: bool = True) -> Group:
    """The decision fitted to `width` (default: the terminal); `warnings=False` when they go to stderr."""
    width = width_of(width)
    parts: list[Any] = _approach_lines(decision)
    parts.append(Text(ranking_line(decision), style="dim"))
    recs = decision["recommendations"][: top or None]
    if recs:
        layouts = ranking_layouts(decision["rank_by"]["figure"])
        table, shown = fitted_table(layouts if width >= WIDE_TABLE else layouts[1:], recs, width)
        parts.append(table)
        if not any(c.header == "notes" for c in shown):
            notes = [f"#{rec['rank']} {rec['offering']}: {short_why(rec)}" for rec in recs if short_why(rec)]
            parts += [bullets("·", notes, style="dim")] if notes else []
        reasons = {rec.get("break_even_reason") for rec in recs if rec["break_even"] is None}
        if len(reasons) == 1 and all(rec["break_even"] is None for rec in recs) and None not in reasons:
            parts.append(Text(f"No break-even: {source_words(reasons.pop())}", style="dim"))
        omitted = left_out([c.header for c in layouts[0] if c.header not in ("hidden", "notes")], shown)
        parts += [omitted] if omitted else []
    else:
        parts.append(Text("No offering is allowed: see the exclusions below.", style="bold red"))
        if decision.get("dead_end"):  # what relaxing each clashing need would allow (newer decisions)
            parts.append(Text(source_words(decision["dead_end"]["message"]), style="red"))
    parts += _hidden_line(decision, recs)
    shown_count = len(recs)
    if shown_count < len(decision["recommendations"]):
        parts.append(Text(f"… {len(decision['recommendations']) - shown_count} more allowed offerings "
                          "(--top to show more)", style="dim"))
    parts += approaches_lines(decision, width)
    if decision["excluded"]:
        parts.append(Text(f"Excluded ({len(decision['excluded'])}):", style="bold"))
        parts.append(bullets("✗", exclusion_lines(decision["excluded"], width)))
    if warnings and decision["warnings"]:
        parts.append(warnings_block(decision))
    return PlainGroup(*parts)


def _approach_lines(decision: dict) -> list[Any]:
    a = decision["approach"]
    head = Text()
    head.append("Approach: ", style="bold")
    head.append(approach_title(decision), style="bold green" if a["fine_tunes"] else "bold yellow")
    said = [(source_words(a["summary"]), "dim"), (f"because {', '.join(a['because'])}", "dim"),
            (f"method {a['method']}: because {', '.join(a['method_because'])}", "dim")]
    assumed = list(dict.fromkeys([*(a.get("assumed") or []), *(decision.get("rank_by", {}).get("assumed") or [])]))
    if assumed:
        shown = ", ".join(f"{name}={_assumed_value(decision, name)}" for name in assumed)
        said.append((f"decided on assumptions: {shown} (not given; set them to be sure)", "yellow"))
    return [head, *(Padding(Text(text, style=style), (0, 0, 0, 2)) for text, style in said)]


def _assumed_value(decision: dict, name: str) -> str:
    """The value a defaulted field took, as the request would write it ("narrow", "100M", "false")."""
    section, _, field = name.partition(".")
    value = decision.get("requirements", {}).get(section)
    value = value.get(field) if field and isinstance(value, dict) else value
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int) and value >= 1000:
        return tokens(value)
    return "?" if value is None else str(value)


def _hidden_line(decision: dict, recs: list) -> list[Any]:
    hidden = recs[0]["cost"]["hidden"] if recs else None
    if not hidden:
        return []
    items = [*(decision.get("hidden_costs") or {}).get("items", []), *hidden["items"]]
    named = ", ".join(i["id"].replace("_", " ") for i in items if i["low"] is not None)
    return [Text(f"Hidden costs beside year-1 for {recs[0]['offering']} ({source_words('001')}, not included "
                 f"above): {dollars(hidden['low'])} – {dollars(hidden['high'])} ({named})", style="dim")]


def approaches_lines(decision: dict, width: int) -> list[Any]:
    """Every approach on money, when the decision prices them (absent in older records)."""
    approaches = decision.get("approaches") or []
    if not approaches:
        return []
    columns = [Column("approach", lambda a: f"{'→ ' if a.get('chosen') else '  '}"
                                            f"{APPROACH_SHORT.get(a['approach'], a['approach'])}"),
               Column("monthly", lambda a: dollars_short(a.get("monthly")), "right"),
               Column("year-1", lambda a: dollars_short(a.get("year_one")), "right")]
    on = Column("on", lambda a: a.get("offering") or source_words(a.get("note") or ""))
    table, shown = fitted_table([[*columns, on], columns], approaches, width)
    parts: list[Any] = [Text("Approaches compared (→ the one chosen):", style="bold"), table]
    if on not in shown:
        parts.append(bullets("·", [f"{APPROACH_SHORT.get(a['approach'], a['approach'])}: {on.cell(a)}"
                                   for a in approaches if on.cell(a)], style="dim"))
    return parts


def exclusion_lines(excluded: list[dict], width: int) -> list[str]:
    """One line per rule: "15 offerings: no documented EU data residency [rule]: a, b, … (+9 more)"."""
    groups: dict[str, list[dict]] = {}
    for ex in excluded:
        groups.setdefault(ex["rule"], []).append(ex)
    lines = []
    room = max(width * 2 - 40, 60)  # about two lines of offering ids per rule
    for rule, group in groups.items():
        if len(group) == 1:
            lines.append(f"{group[0]['offering']}: {source_words(group[0]['message'])} [{rule}]")
            continue
        head = f"{len(group)} offerings: {common_reason(group) or 'excluded'} [{rule}]: "
        lines.append(head + _listed([ex["offering"] for ex in group], room))
    return lines


def _listed(ids: list[str], room: int) -> str:
    shown: list[str] = []
    for index, offering in enumerate(ids):
        if shown and len(", ".join([*shown, offering])) > room:
            return ", ".join(shown) + f", … (+{len(ids) - index} more)"
        shown.append(offering)
    return ", ".join(shown)


def common_reason(group: list[dict]) -> str:
    """What a rule's messages share once each model's name and details are taken out:
    "no documented EU data residency", "the request needs claude"."""
    import re

    plain = [re.sub(r"\s*\([^)]*\)", "", source_words(ex["message"])).split() for ex in group]
    shared: list[str] = []
    for words in zip(*(reversed(p) for p in plain)):
        if len(set(words)) != 1:
            break
        shared.insert(0, words[0])
    clauses = " ".join(shared).split("; ")
    first = clauses[0].split()
    while first and first[0] in ("has", "is", "a", "an"):
        first.pop(0)
    chosen = first if len(first) >= 2 else clauses[-1].split()
    return " ".join(chosen) if len(chosen) >= 2 else ""


def warnings_block(decision: dict) -> Group:
    return PlainGroup(Text("Warnings:", style="bold"),
                 bullets("!", [source_words(w["message"]) for w in decision["warnings"]], style="yellow"))


def decision_markdown(decision: dict, top: Optional[int] = None) -> str:
    a = decision["approach"]
    lines = [
        f"## ftrec decision `{decision['decision_id']}`",
        "",
        f"**Approach:** {approach_title(decision)}. {source_words(a['summary'])}",
        f"Because: {', '.join(f'`{r}`' for r in a['because'])}; method: {', '.join(f'`{r}`' for r in a['method_because'])}.",
    ]
    if a.get("assumed"):
        lines.append(f"Decided on assumptions: {', '.join(f'`{f}`' for f in a['assumed'])}.")
    lines += [
        f"{ranking_line(decision)}. Prices as of the catalog `{decision['engine']['catalog_sha256'][:12]}`, "
        f"rules `{decision['engine']['rules_sha256'][:12]}`, ftrec {decision['engine']['version']}, today {decision['today']}.",
        "",
        "| # | offering | training | monthly | year-1 | hidden (low–high) | break-even | why |",
        "|---:|---|---:|---:|---:|---:|---:|---|",
    ]
    for rec in decision["recommendations"][: top or None]:
        c = rec["cost"]
        lower = not c["complete"]
        hidden = f"{dollars(c['hidden']['low'])}–{dollars(c['hidden']['high'])}" if c["hidden"] else "—"
        why = "; ".join(source_words(b["message"]) for b in rec["because"]).replace("|", "\\|")
        lines.append(
            f"| {rec['rank']} | `{rec['offering']}` ({model_name(rec['provider'], rec['model'])}) "
            f"| {figure(c['training'], lower and any(m.startswith('training') for m in c['missing']))} "
            f"| {dollars(c['monthly'])} | {figure(c['year_one'], lower)} | {hidden} "
            f"| {break_even_text(rec, detail=True)} | {why} |"
        )
    if decision.get("approaches"):
        lines += ["", "**Approaches compared**", "", "| approach | monthly | year-1 | on |", "|---|---:|---:|---|"]
        lines += [f"| {APPROACH_SHORT.get(x['approach'], x['approach'])}{' (chosen)' if x.get('chosen') else ''} "
                  f"| {dollars(x.get('monthly'))} | {dollars(x.get('year_one'))} "
                  f"| {x.get('offering') or source_words(x.get('note') or '')} |" for x in decision["approaches"]]
    if decision["excluded"]:
        lines += ["", "**Excluded**", ""]
        lines += [f"- `{e['offering']}`: {source_words(e['message'])} (`{e['rule']}`)" for e in decision["excluded"]]
    if decision["warnings"]:
        lines += ["", "**Warnings**", ""]
        lines += [f"- {source_words(w['message'])}" for w in decision["warnings"]]
    return "\n".join(lines) + "\n"
