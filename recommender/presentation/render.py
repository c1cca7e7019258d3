"""Showing decisions and costs: a rich table for the terminal, markdown for design documents.

Renderers read the decision's JSON object only, so what is printed, stored and replayed is one thing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Optional

from rich.console import Console, Group
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from recommender.domain.units import dollars, tokens  # noqa: F401 - re-exported for the views
from recommender.domain.vocabulary import APPROACH_NAMES, FIGURES


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


def break_even_text(rec: dict) -> str:
    b = rec["break_even"]
    if b is None:
        return "—"
    if b["tokens"] == 0:
        return "immediate"
    return f"{tokens(b['tokens'])} tok{_period(b['months'])}"


def _period(months: Optional[str]) -> str:
    if months is None:
        return ""
    value = Decimal(months)
    if value < 1:
        days = value * Decimal("30.44")  # 365.25 / 12
        whole = int(days.to_integral_value())
        return " · < 1 day" if days < 1 else f" · {whole} day{'s' if whole != 1 else ''}"
    return f" · {value:.1f} months"


def _row(rec: dict) -> list[str]:
    c = rec["cost"]
    lower = not c["complete"]
    training_missing = any(m.startswith("training") for m in c["missing"])
    return [str(rec["rank"]), rec["offering"], dollars(c["training"], lower and training_missing),
            dollars(c["monthly"], lower and not all(m.startswith("training") for m in c["missing"])),
            dollars(c["year_one"], lower), break_even_text(rec), short_why(rec)]


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
            tags.append(f"≥ missing {', '.join(rec['cost']['missing'])}")
        else:
            tags.append(f"↑ {b['message']}")
    return "; ".join(tags)


def approach_title(decision: dict) -> str:
    a = decision["approach"]
    title = APPROACH_NAMES[a["choice"]]
    if a["fine_tunes"]:
        title += f" · {'LoRA' if a['method'] == 'lora' else 'full fine-tuning'}"
    return title


# --- recommend ----------------------------------------------------------------------------


def decision_table(decision: dict, top: Optional[int] = None) -> Group:
    a = decision["approach"]
    parts: list[Any] = []
    head = Text()
    head.append("Approach: ", style="bold")
    head.append(approach_title(decision), style="bold green" if a["fine_tunes"] else "bold yellow")
    parts.append(head)
    parts.append(Text(f"  {a['summary']}", style="dim"))
    parts.append(Text(f"  because {', '.join(a['because'])}", style="dim"))
    parts.append(Text(f"  method {a['method']}: because {', '.join(a['method_because'])}", style="dim"))
    rank_by = decision["rank_by"]
    parts.append(Text(f"Ranked by {FIGURES[rank_by['figure']]} ({', '.join(rank_by['because'])})", style="dim"))

    recs = decision["recommendations"][: top or None]
    rows = [_row(rec) for rec in recs]
    notes = any(row[-1] for row in rows)
    table = Table(show_lines=False, header_style="bold", pad_edge=False)
    for index, (column, justify) in enumerate((("#", "right"), ("offering", "left"), ("training", "right"),
                                              ("monthly", "right"), ("year-1", "right"), ("break-even", "right"),
                                              ("notes", "left"))[: 7 if notes else 6]):
        # Figures and ids are never cut or wrapped: break-even and notes give way instead.
        widest = max([len(column), *(len(row[index]) for row in rows)])
        fixed = column in ("#", "offering", "training", "monthly", "year-1")
        table.add_column(column, justify=justify, no_wrap=fixed, min_width=widest if fixed else None,
                         overflow="fold")
    for row in rows:
        table.add_row(*(escape(cell) for cell in row[: 7 if notes else 6]))
    parts.append(table if recs else Text("No offering is allowed: see the exclusions below.", style="bold red"))
    hidden = recs[0]["cost"]["hidden"] if recs else None
    if hidden:
        items = [*(decision.get("hidden_costs") or {}).get("items", []), *hidden["items"]]
        parts.append(Text(
            f"Hidden costs beside year-1 for {recs[0]['offering']} (001, not included above): "
            f"{dollars(hidden['low'])} – {dollars(hidden['high'])} "
            f"({', '.join(i['id'].replace('_', ' ') for i in items if i['low'] is not None)})",
            style="dim",
        ))
    shown = len(recs)
    if shown < len(decision["recommendations"]):
        parts.append(Text(f"… {len(decision['recommendations']) - shown} more allowed offerings (--top to show more)", style="dim"))
    if decision["excluded"]:
        parts.append(Text(f"Excluded ({len(decision['excluded'])}):", style="bold"))
        parts.append(_bullets("✗", [f"{ex['offering']}: {ex['message']} [{ex['rule']}]" for ex in decision["excluded"]]))
    if decision["warnings"]:
        parts.append(Text("Warnings:", style="bold"))
        parts.append(_bullets("!", [w["message"] for w in decision["warnings"]], style="yellow"))
    return Group(*parts)


def _bullets(mark: str, lines: list[str], style: str = "") -> Table:
    """Marked lines whose wrapped continuations stay indented under the text."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=3, justify="right", style=style)
    grid.add_column(style=style)
    for line in lines:
        grid.add_row(mark, Text(line))
    return grid


def decision_markdown(decision: dict, top: Optional[int] = None) -> str:
    a = decision["approach"]
    lines = [
        f"## ftrec decision `{decision['decision_id']}`",
        "",
        f"**Approach:** {approach_title(decision)}. {a['summary']}",
        f"Because: {', '.join(f'`{r}`' for r in a['because'])}; method: {', '.join(f'`{r}`' for r in a['method_because'])}.",
        f"Ranked by {FIGURES[decision['rank_by']['figure']]}. Prices as of the catalog `{decision['engine']['catalog_sha256'][:12]}`, "
        f"rules `{decision['engine']['rules_sha256'][:12]}`, ftrec {decision['engine']['version']}, today {decision['today']}.",
        "",
        "| # | offering | training | monthly | year-1 | hidden (low–high) | break-even | why |",
        "|---:|---|---:|---:|---:|---:|---:|---|",
    ]
    for rec in decision["recommendations"][: top or None]:
        c = rec["cost"]
        lower = not c["complete"]
        hidden = f"{dollars(c['hidden']['low'])}–{dollars(c['hidden']['high'])}" if c["hidden"] else "—"
        why = "; ".join(b["message"] for b in rec["because"]).replace("|", "\\|")
        lines.append(
            f"| {rec['rank']} | `{rec['offering']}` ({rec['provider']} {rec['model']}) | {dollars(c['training'])} "
            f"| {dollars(c['monthly'])} | {dollars(c['year_one'], lower)} | {hidden} | {break_even_text(rec)} | {why} |"
        )
    if decision["excluded"]:
        lines += ["", "**Excluded**", ""]
        lines += [f"- `{e['offering']}`: {e['message']} (`{e['rule']}`)" for e in decision["excluded"]]
    if decision["warnings"]:
        lines += ["", "**Warnings**", ""]
        lines += [f"- {w['message']}" for w in decision["warnings"]]
    return "\n".join(lines) + "\n"


# --- cost ---------------------------------------------------------------------------------


def cost_table(rec: dict) -> Group:
    c = rec["cost"]
    parts: list[Any] = [Text(f"{rec['offering']} · {rec['provider']} {rec['model']} · {c['method']} {c['type']}", style="bold")]
    table = Table(header_style="bold", pad_edge=False)
    for column, justify in (("part", "left"), ("item", "left"), ("quantity", "right"), ("rate", "right"),
                            ("amount", "right"), ("source", "left")):
        table.add_column(column, justify=justify, overflow="fold")
    for line in c["breakdown"]:
        table.add_row(
            escape(line["part"]), escape(line["item"]), quantity(line["quantity"], line["unit"]),
            rate(line["rate"], line["rate_unit"]),
            dollars(line["amount"]) if line["amount"] is not None else "[red]missing[/red]",
            escape(f"{line['source']} (as of {line['as_of']})" if line["source"] else f"no {line['price']} price in the catalog"),
        )
    parts.append(table)
    lower = not c["complete"]
    summary = Table.grid(padding=(0, 2))
    summary.add_column(style="bold")
    summary.add_column(justify="right")
    summary.add_column(style="dim")
    summary.add_row("training (one run)", dollars(c["training"], lower and any(m.startswith("training") for m in c["missing"])), "")
    summary.add_row("monthly", dollars(c["monthly"]), "")
    runs = c["trainings_per_year"]
    summary.add_row("year-1", dollars(c["year_one"], lower), f"{runs} × training + 12 × monthly")
    if c["hidden"]:
        summary.add_row("hidden (001)", f"{dollars(c['hidden']['low'])} – {dollars(c['hidden']['high'])}", "beside year-1, not in it")
    if c["uplift"]:
        summary.add_row("uplift", f"{Decimal(c['uplift']).normalize():f}×", "fine-tuned / base input rate")
    summary.add_row("break-even", break_even_text(rec), rec["break_even_reason"] or _against(rec))
    parts.append(summary)
    if c["hidden"]:
        parts.append(_bullets("·", [_hidden_line(item) for item in c["hidden"]["items"]], style="dim"))
    if lower:
        parts.append(Text(f"Incomplete: missing {', '.join(c['missing'])}; figures marked ≥ are lower bounds.", style="bold yellow"))
    for note in c["notes"]:
        parts.append(Text(f"! {note}", style="yellow"))
    return Group(*parts)


def _hidden_line(item: dict) -> str:
    figure = f"{dollars(item['low'])} – {dollars(item['high'])}" if item["low"] is not None else item.get("note", "")
    return f"hidden: {item['description']}: {figure} ({item['per']} × {item['times']}); {item['source']}"


def _against(rec: dict) -> str:
    b = rec["break_even"]
    if not b:
        return ""
    return (f"against {b['against']}: {per_million(b['baseline_rate'])} vs "
            f"{per_million(b['fine_tuned_rate'])} blended")


def per_million(text: Optional[str]) -> str:
    """A rate as a person writes it: $4.00/1M, $0.08625/1M (never $4.000/1M)."""
    if text is None:
        return "—"
    value = Decimal(text).normalize()
    shown = f"{value:.2f}" if value.as_tuple().exponent >= -2 else format(value, "f")
    return f"${shown}/1M"


def cost_markdown(rec: dict) -> str:
    c = rec["cost"]
    lines = [
        f"### `{rec['offering']}` ({rec['provider']} {rec['model']}), {c['method']} {c['type']}",
        "",
        "| part | item | quantity | rate | amount | source |",
        "|---|---|---:|---:|---:|---|",
    ]
    for line in c["breakdown"]:
        amount = dollars(line["amount"]) if line["amount"] is not None else "missing"
        source = f"{line['source']} (as of {line['as_of']})" if line["source"] else f"no {line['price']} price"
        lines.append(f"| {line['part']} | {line['item']} | {quantity(line['quantity'], line['unit'])} | "
                     f"{rate(line['rate'], line['rate_unit'])} | {amount} | {source.replace('|', '/')} |")
    lower = not c["complete"]
    lines += [
        "",
        f"- training (one run): {dollars(c['training'])}",
        f"- monthly: {dollars(c['monthly'])}",
        f"- year-1: {dollars(c['year_one'], lower)} ({c['trainings_per_year']} × training + 12 × monthly)",
    ]
    if c["hidden"]:
        lines.append(f"- hidden costs (001), beside year-1: {dollars(c['hidden']['low'])} – {dollars(c['hidden']['high'])}")
    lines.append(f"- break-even: {break_even_text(rec)} {rec['break_even_reason'] or _against(rec)}".rstrip())
    if lower:
        lines.append(f"- incomplete: missing {', '.join(c['missing'])}")
    lines += [f"- note: {n}" for n in c["notes"]]
    return "\n".join(lines) + "\n"


def console(stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False, soft_wrap=False)


# --- compare --------------------------------------------------------------------------------


def _status(entry: dict) -> str:
    if entry["excluded"]:
        return f"excluded by\n{entry['excluded']['rule']}"
    return f"rank {entry['rank']}" if entry["rank"] else "—"


def _comparison_rows(result: dict) -> list[tuple[str, list[str]]]:
    entries = result["offerings"]

    def each(fn) -> list[str]:
        return [fn(e) for e in entries]

    lower = {e["offering"]: not e["cost"]["complete"] for e in entries}
    return [
        ("model", each(lambda e: f"{e['provider']} {e['model']}")),
        ("status", each(_status)),
        ("training", each(lambda e: dollars(e["cost"]["training"], lower[e["offering"]]))),
        ("monthly", each(lambda e: dollars(e["cost"]["monthly"], lower[e["offering"]]))),
        ("year-1", each(lambda e: dollars(e["cost"]["year_one"], lower[e["offering"]]))),
        ("hidden (001)", each(lambda e: f"{dollars(e['cost']['hidden']['low'])} – {dollars(e['cost']['hidden']['high'])}"
                               if e["cost"]["hidden"] else "—")),
        ("uplift", each(lambda e: f"{Decimal(e['cost']['uplift']).normalize():f}×" if e["cost"]["uplift"] else "—")),
        ("break-even", each(lambda e: break_even_text(e) if e["break_even"] else (e["break_even_reason"] or "—"))),
        ("missing", each(lambda e: ", ".join(e["cost"]["missing"]) or "—")),
    ]


def _between(result: dict) -> list[str]:
    lines = []
    for pair in result["between"]:
        parts = [f"{pair['b']} costs {dollars(pair['year_one_difference'])} more than {pair['a']} in year 1"
                 if not pair["year_one_difference"].startswith("-") else
                 f"{pair['a']} costs {dollars(pair['year_one_difference'][1:])} more than {pair['b']} in year 1"]
        if pair["crossing_monthly_tokens"]:
            parts.append(f"their year-1 costs are equal at {tokens(pair['crossing_monthly_tokens'])} tokens a month")
        if pair["payback_months"]:
            months = Decimal(pair["payback_months"]).normalize()
            parts.append(f"{pair['payback_by']}'s extra training pays back in {months:f} months")
        if pair["note"]:
            parts.append(pair["note"])
        lines.append("; ".join(parts))
    return lines


def comparison_table(result: dict) -> Group:
    table = Table(header_style="bold", pad_edge=False)
    table.add_column("")
    for entry in result["offerings"]:
        table.add_column(entry["offering"], justify="right", overflow="fold")
    for name, cells in _comparison_rows(result):
        table.add_row(name, *(escape(c) for c in cells))
    parts: list[Any] = [Text(f"Approach: {approach_title({'approach': result['approach']})}", style="bold"), table]
    parts.append(Text("Between them:", style="bold"))
    parts.append(_bullets("·", _between(result)))
    parts.append(Text("Sources:", style="bold"))
    for entry in result["offerings"]:
        parts.append(_bullets("·", [f"{entry['offering']} {line['price']}: {rate(line['rate'], line['rate_unit'])} — "
                                    f"{line['source'] or 'no price in the catalog'}"
                                    + (f" (as of {line['as_of']})" if line["as_of"] else "")
                                    for line in entry["cost"]["breakdown"]]))
        if entry["excluded"]:
            parts.append(_bullets("✗", [f"{entry['offering']}: {entry['excluded']['message']} [{entry['excluded']['rule']}]"]))
    return Group(*parts)


def comparison_markdown(result: dict) -> str:
    names = [e["offering"] for e in result["offerings"]]
    lines = ["| | " + " | ".join(f"`{n}`" for n in names) + " |", "|---|" + "---:|" * len(names)]
    for name, cells in _comparison_rows(result):
        lines.append(f"| {name} | " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    lines += ["", "**Between them**", ""] + [f"- {line}" for line in _between(result)]
    lines += ["", "**Sources**", ""]
    for entry in result["offerings"]:
        for line in entry["cost"]["breakdown"]:
            lines.append(f"- `{entry['offering']}` {line['price']}: {rate(line['rate'], line['rate_unit'])}, "
                         f"{line['source'] or 'no price in the catalog'}")
    return "\n".join(lines) + "\n"


# --- sweep ----------------------------------------------------------------------------------


def _value_text(field: str, value) -> str:
    from recommender.decision.sweep import SWEEPABLE

    return tokens(int(value)) if SWEEPABLE.get(field) in ("tokens", "requests") else str(value)


_THROUGHOUT = {
    ("break-even within 12 months", True): "fine-tuning pays back within 12 months at every point",
    ("break-even within 12 months", False): "fine-tuning never pays back within 12 months in this range",
    ("break-even within 12 months", None): "no break-even: give a `baseline` (today's model) to see where it pays",
}


def _crossing_lines(result: dict) -> list[str]:
    lines = [_THROUGHOUT.get((t["kind"], t["value"]), f"{t['kind']}: {t['value']} throughout this range")
             for t in result.get("throughout", [])]
    for c in result["crossovers"]:
        exact = f" (closed form: {Decimal(c['closed_form']):,} tokens)" if c["closed_form"] else ""
        lines.append(f"{c['kind']}: {c['from']} → {c['to']} between {c['last_before']:,} and {c['first_after']:,}{exact}"
                     if isinstance(c["first_after"], int) else
                     f"{c['kind']}: {c['from']} → {c['to']} between {c['last_before']} and {c['first_after']}{exact}")
    return lines


def sweep_table(result: dict) -> Group:
    field = result["field"]
    table = Table(header_style="bold", pad_edge=False,
                  title=f"{field} from {_value_text(field, result['low'])} to {_value_text(field, result['high'])}, "
                        f"{result['steps']} points ({result['spacing']})")
    table.add_column(field, justify="right")
    table.add_column("approach")
    top = max((len(p["top"]) for p in result["points"]), default=0)
    for i in range(top):
        table.add_column(f"#{i + 1}", no_wrap=True)
        table.add_column("year-1", justify="right", no_wrap=True)
    table.add_column("pays back", justify="right")
    for point in result["points"]:
        cells = [_value_text(field, point["value"]), point["approach"]]
        for i in range(top):
            entry = point["top"][i] if i < len(point["top"]) else None
            cells += [entry["offering"], dollars(entry["year_one"], not entry["complete"])] if entry else ["", ""]
        months = point["break_even_months"]
        cells.append("—" if months is None else _period(months).strip(" ·"))
        table.add_row(*cells)
    return Group(table, Text("Crossovers:", style="bold"), _bullets("┊", _crossing_lines(result)))


def sweep_csv(result: dict) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    top = max((len(p["top"]) for p in result["points"]), default=0)
    header = [result["field"], "approach", "method"]
    for i in range(1, top + 1):
        header += [f"top{i}", f"top{i}_training", f"top{i}_monthly", f"top{i}_year_one", f"top{i}_complete"]
    writer.writerow(header + ["break_even_months"])
    for point in result["points"]:
        row = [point["value"], point["approach"], point["method"]]
        for i in range(top):
            e = point["top"][i] if i < len(point["top"]) else None
            row += [e["offering"], e["training"], e["monthly"], e["year_one"], e["complete"]] if e else [""] * 5
        writer.writerow(row + [point["break_even_months"] or ""])
    return out.getvalue()


def sweep_markdown(result: dict) -> str:
    field = result["field"]
    top = max((len(p["top"]) for p in result["points"]), default=0)
    header = f"| {field} | approach | " + " | ".join(f"#{i + 1} | year-1" for i in range(top)) + " |"
    lines = [header, "|---:|---|" + "---|---:|" * top]
    for point in result["points"]:
        cells = [f"`{e['offering']}` | {dollars(e['year_one'], not e['complete'])}" for e in point["top"]]
        cells += [" | "] * (top - len(point["top"]))
        lines.append(f"| {_value_text(field, point['value'])} | {point['approach']} | " + " | ".join(cells) + " |")
    lines += ["", "**Crossovers**", ""] + [f"- {line}" for line in _crossing_lines(result)]
    return "\n".join(lines) + "\n"
