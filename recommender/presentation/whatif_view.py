"""Showing what-if answers: one offering's cost, offerings side by side, sweeps; fitted to the terminal."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Optional

from rich.console import Group
from rich.table import Table
from rich.text import Text

from recommender.domain.units import dollars, dollars_short, months_short, tokens
from recommender.domain.vocabulary import APPROACH_SHORT, source_words
from recommender.presentation.layout import Column, bullets, fitted_table, left_out, width_of
from recommender.presentation.render import (
    approach_title,
    break_even_text,
    figure,
    model_name,
    quantity,
    rate,
)

# --- cost ---------------------------------------------------------------------------------


def _source(line: dict) -> str:
    if not line["source"]:
        return f"no {line['price']} price in the catalog"
    return f"{source_words(line['source'])} (as of {line['as_of']})"


def cost_layouts() -> list[list[Column]]:
    part = Column("part", lambda line: line["part"])
    item = Column("item", lambda line: line["item"])
    amount = Column("amount", lambda line: dollars(line["amount"]) if line["amount"] is not None else "missing",
                    "right")
    how_much = Column("quantity", lambda line: quantity(line["quantity"], line["unit"]), "right")
    per = Column("rate", lambda line: rate(line["rate"], line["rate_unit"]), "right")
    source = Column("source", _source)
    return [[part, item, how_much, per, amount, source], [part, item, how_much, per, amount],
            [item, how_much, per, amount], [item, per, amount], [item, amount]]


def cost_table(rec: dict, width: Optional[int] = None) -> Group:
    width = width_of(width)
    c = rec["cost"]
    title = f"{rec['offering']} · {model_name(rec['provider'], rec['model'])} · {c['method']} {c['type']}"
    parts: list[Any] = [Text(title, style="bold")]
    layouts = cost_layouts()
    table, shown = fitted_table(layouts, c["breakdown"], width)
    parts.append(table)
    if not any(col.header == "source" for col in shown):
        parts.append(bullets("·", [f"{line['item']}: {_source(line)}" for line in c["breakdown"]], style="dim"))
    omitted = left_out([col.header for col in layouts[0] if col.header != "source"], shown)
    parts += [omitted] if omitted else []
    parts.append(_cost_summary(rec))
    if c["hidden"]:
        parts.append(bullets("·", [_hidden_line(item) for item in c["hidden"]["items"]], style="dim"))
    if not c["complete"]:
        parts.append(Text(f"Incomplete: missing {', '.join(c['missing'])}; figures marked ≥ are lower bounds.",
                          style="bold yellow"))
    for note in c["notes"]:
        parts.append(Text(f"! {source_words(note)}", style="yellow"))
    return Group(*parts)


def _cost_summary(rec: dict) -> Table:
    c = rec["cost"]
    lower = not c["complete"]
    summary = Table.grid(padding=(0, 2))
    summary.add_column(style="bold", no_wrap=True)
    summary.add_column(justify="right", no_wrap=True)
    summary.add_column(style="dim")
    summary.add_row("training (one run)", figure(c["training"], lower and any(m.startswith("training") for m in c["missing"])), "")
    summary.add_row("monthly", dollars(c["monthly"]), "")
    summary.add_row("year-1", figure(c["year_one"], lower), f"{c['trainings_per_year']} × training + 12 × monthly")
    if c["hidden"]:
        summary.add_row("hidden costs", f"{dollars(c['hidden']['low'])} – {dollars(c['hidden']['high'])}",
                        f"beside year-1, not in it ({source_words('001')})")
    if c["uplift"]:
        summary.add_row("uplift", f"{Decimal(c['uplift']).normalize():f}×", "fine-tuned / base input rate")
    summary.add_row("break-even", break_even_text(rec, detail=True),
                    source_words(rec["break_even_reason"] or _against(rec)))
    return summary


def _hidden_line(item: dict) -> str:
    figure_text = f"{dollars(item['low'])} – {dollars(item['high'])}" if item["low"] is not None else item.get("note", "")
    return f"hidden: {item['description']}: {figure_text} ({item['per']} × {item['times']}); {source_words(item['source'])}"


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
        f"### `{rec['offering']}` ({model_name(rec['provider'], rec['model'])}), {c['method']} {c['type']}",
        "",
        "| part | item | quantity | rate | amount | source |",
        "|---|---|---:|---:|---:|---|",
    ]
    for line in c["breakdown"]:
        amount = dollars(line["amount"]) if line["amount"] is not None else "missing"
        lines.append(f"| {line['part']} | {line['item']} | {quantity(line['quantity'], line['unit'])} | "
                     f"{rate(line['rate'], line['rate_unit'])} | {amount} | {_source(line).replace('|', '/')} |")
    lower = not c["complete"]
    lines += [
        "",
        f"- training (one run): {figure(c['training'], lower and any(m.startswith('training') for m in c['missing']))}",
        f"- monthly: {dollars(c['monthly'])}",
        f"- year-1: {figure(c['year_one'], lower)} ({c['trainings_per_year']} × training + 12 × monthly)",
    ]
    if c["hidden"]:
        lines.append(f"- hidden costs ({source_words('001')}), beside year-1: "
                     f"{dollars(c['hidden']['low'])} – {dollars(c['hidden']['high'])}")
    reason = source_words(rec["break_even_reason"] or _against(rec))
    lines.append(f"- break-even: {break_even_text(rec, detail=True)} {reason}".rstrip())
    if lower:
        lines.append(f"- incomplete: missing {', '.join(c['missing'])}")
    lines += [f"- note: {source_words(n)}" for n in c["notes"]]
    return "\n".join(lines) + "\n"


# --- compare --------------------------------------------------------------------------------


def _status(entry: dict) -> str:
    if entry["excluded"]:
        return "excluded"
    return f"#{entry['rank']}" if entry["rank"] else "—"


def _money(key: str, short: bool):
    def cell(entry: dict) -> str:
        c = entry["cost"]
        lower = not c["complete"] and (key != "training" or any(m.startswith("training") for m in c["missing"]))
        return figure(c[key], lower, short)

    return cell


def comparison_layouts() -> list[list[Column]]:
    offering = Column("offering", lambda e: e["offering"])
    status = Column("rank", _status)
    hidden = Column("hidden", lambda e: f"{dollars_short(e['cost']['hidden']['low'])}–"
                                        f"{dollars_short(e['cost']['hidden']['high'])}" if e["cost"]["hidden"] else "—",
                    "right")
    uplift = Column("uplift", lambda e: f"{Decimal(e['cost']['uplift']).normalize():f}×" if e["cost"]["uplift"] else "—",
                    "right")
    be = Column("break-even", lambda e: break_even_text(e) if e["break_even"] else "—", "right")

    def money(short: bool, keys=("training", "monthly", "year_one")) -> list[Column]:
        names = {"training": "training", "monthly": "monthly", "year_one": "year-1"}
        return [Column(names[k], _money(k, short), "right") for k in keys]

    return [[offering, status, *money(False), hidden, uplift, be],
            [offering, status, *money(False), uplift, be],
            [offering, status, *money(False), be],
            [offering, status, *money(True), be],
            [offering, status, *money(True, ("monthly", "year_one")), be],
            [offering, status, *money(True, ("year_one",)), be]]


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


def comparison_table(result: dict, width: Optional[int] = None) -> Group:
    width = width_of(width)
    layouts = comparison_layouts()
    table, shown = fitted_table(layouts, result["offerings"], width)
    parts: list[Any] = [Text(f"Approach: {approach_title({'approach': result['approach']})}", style="bold"), table]
    omitted = left_out([c.header for c in layouts[0]], shown)
    parts += [omitted] if omitted else []
    parts += _no_break_even(result["offerings"])
    for entry in result["offerings"]:
        if entry["cost"]["missing"]:
            parts.append(Text(f"{entry['offering']}: missing {', '.join(entry['cost']['missing'])}", style="yellow"))
    parts.append(Text("Between them:", style="bold"))
    parts.append(bullets("·", _between(result)))
    parts.append(Text("Sources:", style="bold"))
    for entry in result["offerings"]:
        parts.append(bullets("·", [f"{entry['offering']} {line['price']}: {rate(line['rate'], line['rate_unit'])} — "
                                   f"{_source(line)}" for line in entry["cost"]["breakdown"]]))
        if entry["excluded"]:
            parts.append(bullets("✗", [f"{entry['offering']} excluded by {entry['excluded']['rule']}: "
                                       f"{source_words(entry['excluded']['message'])}"]))
    return Group(*parts)


def _no_break_even(entries: list[dict]) -> list[Text]:
    """Why an offering has no break-even, said once when every offering shares the reason."""
    reasons = {e["offering"]: source_words(e["break_even_reason"]) for e in entries
               if not e["break_even"] and e["break_even_reason"]}
    if len(reasons) == len(entries) and len(set(reasons.values())) == 1:
        return [Text(f"No break-even: {next(iter(reasons.values()))}", style="dim")]
    return [Text(f"{offering}: no break-even: {reason}", style="dim") for offering, reason in reasons.items()]


def _comparison_rows(result: dict) -> list[tuple[str, list[str]]]:
    entries = result["offerings"]
    rows = [("model", [model_name(e["provider"], e["model"]) for e in entries]),
            ("status", [f"excluded by {e['excluded']['rule']}" if e["excluded"] else _status(e) for e in entries])]
    for column in comparison_layouts()[0][2:]:
        rows.append((column.header, [column.cell(e) for e in entries]))
    rows[-1] = ("break-even", [break_even_text(e, detail=True) if e["break_even"] else (e["break_even_reason"] or "—")
                               for e in entries])
    rows.append(("missing", [", ".join(e["cost"]["missing"]) or "—" for e in entries]))
    return rows


def comparison_markdown(result: dict) -> str:
    names = [e["offering"] for e in result["offerings"]]
    lines = ["| | " + " | ".join(f"`{n}`" for n in names) + " |", "|---|" + "---:|" * len(names)]
    for name, cells in _comparison_rows(result):
        lines.append(f"| {name} | " + " | ".join(source_words(c).replace("|", "\\|") for c in cells) + " |")
    lines += ["", "**Between them**", ""] + [f"- {line}" for line in _between(result)]
    lines += ["", "**Sources**", ""]
    for entry in result["offerings"]:
        for line in entry["cost"]["breakdown"]:
            lines.append(f"- `{entry['offering']}` {line['price']}: {rate(line['rate'], line['rate_unit'])}, "
                         f"{_source(line)}")
    return "\n".join(lines) + "\n"


# --- sweep ----------------------------------------------------------------------------------

FIELD_HEADERS = {"inference.monthly_tokens": "tok/mo", "inference.monthly_queries": "req/mo",
                 "inference.input_share": "input", "training.tokens": "train tok", "training.epochs": "epochs",
                 "training.validation_tokens": "val tok", "training.evaluations": "evals",
                 "operations.trainings_per_year": "runs/yr", "training.hours": "hours"}


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
        lines.append(f"{c['kind']}: {c['from']} → {c['to']} between {_number(c['last_before'])} and "
                     f"{_number(c['first_after'])}{exact}")
    return lines


def _number(value) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def sweep_layouts(field: str, top: int) -> list[list[Column]]:
    value = Column(FIELD_HEADERS.get(field, field), lambda p: _value_text(field, p["value"]), "right")
    payback = Column("payback", lambda p: months_short(p["break_even_months"]), "right")

    def approach(short: bool) -> Column:
        return Column("approach", lambda p: APPROACH_SHORT.get(p["approach"], p["approach"]) if short else p["approach"])

    def ranked(i: int, short: bool, with_figure: bool = True) -> list[Column]:
        def offering(p: dict) -> str:
            return p["top"][i]["offering"] if i < len(p["top"]) else ""

        def year_one(p: dict) -> str:
            e = p["top"][i] if i < len(p["top"]) else None
            return figure(e["year_one"], not e["complete"], short) if e else ""

        return [Column(f"#{i + 1}", offering), *([Column("year-1", year_one, "right")] if with_figure else [])]

    every = [c for i in range(top) for c in ranked(i, False)]
    every_short = [c for i in range(top) for c in ranked(i, True)]
    return [[value, approach(False), *every, payback], [value, approach(True), *every, payback],
            [value, approach(True), *every_short, payback], [value, approach(True), *ranked(0, True), payback],
            [value, approach(True), *ranked(0, True, with_figure=False), payback]]


def sweep_table(result: dict, width: Optional[int] = None) -> Group:
    field = result["field"]
    width = width_of(width)
    top = max((len(p["top"]) for p in result["points"]), default=0)
    title = (f"{field} from {_value_text(field, result['low'])} to {_value_text(field, result['high'])}, "
             f"{result['steps']} points ({result['spacing']})")
    layouts = sweep_layouts(field, top)
    table, shown = fitted_table(layouts, result["points"], width)
    parts: list[Any] = [Text(title, style="bold"), table]
    if len(shown) < len(layouts[0]):
        parts.append(Text(f"(fewer offerings and shorter figures at this width; --wide shows #1–#{top} with "
                          "year-1; payback: how long fine-tuning takes to pay back against the baseline)",
                          style="dim"))
    return Group(*parts, Text("Crossovers:", style="bold"), bullets("┊", _crossing_lines(result)))


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
    header = f"| {field} | approach | " + " | ".join(f"#{i + 1} | year-1" for i in range(top)) + " | payback |"
    lines = [header, "|---:|---|" + "---|---:|" * top + "---:|"]
    for point in result["points"]:
        cells = [f"`{e['offering']}` | {figure(e['year_one'], not e['complete'])}" for e in point["top"]]
        cells += [" | "] * (top - len(point["top"]))
        lines.append(f"| {_value_text(field, point['value'])} | {point['approach']} | " + " | ".join(cells)
                     + f" | {months_short(point['break_even_months'])} |")
    lines += ["", "**Crossovers**", ""] + [f"- {line}" for line in _crossing_lines(result)]
    return "\n".join(lines) + "\n"

