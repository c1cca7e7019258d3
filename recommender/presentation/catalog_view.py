"""`ftrec catalog list|show|check`: prices with their source and date, and what to doubt."""

from __future__ import annotations

import json
from datetime import date

import click
from rich.markup import escape
from rich.table import Table

from recommender.domain.vocabulary import source_words

from recommender.domain import pricecheck
from recommender.domain.catalog import Catalog, Offering
from recommender.presentation.render import console


def _inference(offering: Offering) -> str:
    p = offering.prices
    if p.inference_flat:
        return f"${p.inference_flat.usd} flat"
    parts = [f"${x.usd}" if x else "?" for x in (p.inference_input, p.inference_output)]
    return " / ".join(parts) if any(x for x in (p.inference_input, p.inference_output)) else "—"


def _training(offering: Offering) -> str:
    if not offering.prices.training:
        return "—"
    return ", ".join(f"{k} ${v.usd}" for k, v in sorted(offering.prices.training.items()))


def list_offerings(catalog: Catalog, fmt: str) -> None:
    if fmt == "json":
        rows = offerings_json(catalog)
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    table = Table(header_style="bold", pad_edge=False, title=escape(f"{len(catalog.offerings)} offerings · {catalog.directory}"))
    for column in ("offering", "model", "family", "training /1M", "inference /1M (in / out)", "hosting /mo", "regions", "as of"):
        table.add_column(column, overflow="fold")
    for o in catalog.offerings.values():
        dates = sorted({price.as_of for _, price in pricecheck.iter_prices(o)})
        hosting = f"${o.prices.hosting_month.usd}" if o.prices.hosting_month else "—"
        cells = (o.id, o.model, o.family, _training(o), _inference(o), hosting, ", ".join(o.regions) or "—",
                 f"{dates[0]}" if dates else "—")
        table.add_row(*map(escape, cells))
    console().print(table)


def show_offering(catalog: Catalog, offering: Offering, fmt: str) -> None:
    if fmt == "json":
        click.echo(json.dumps(_offering_json(catalog, offering, brief=False), indent=2, ensure_ascii=False))
        return
    out = console()
    out.print(f"[bold]{offering.id}[/bold] · {escape(catalog.providers[offering.id])} {escape(offering.model)} · "
              f"family {offering.family}" + (f" · {offering.params_b}B params" if offering.params_b else ""))
    if offering.retired_on:
        out.print(f"[yellow]retired on {offering.retired_on}[/yellow]")
    if offering.refs:
        refs = [f"{k} {r.provider}/{r.model}" for k, r in (("inference", offering.refs.inference), ("base", offering.refs.base)) if r]
        out.print(f"genai-prices refs: {escape(', '.join(refs))}")
    out.print(f"open weights: {'yes' if offering.open_weights else 'no'} · regions: {', '.join(offering.regions) or 'none documented'}"
              f" · methods: {', '.join(offering.methods)} · tuning: {', '.join(offering.tuning)}"
              f" · strengths: {', '.join(offering.strengths) or '—'}"
              + (" · provisioned throughput" if offering.provisioned_throughput else ""))
    table = Table(header_style="bold", pad_edge=False)
    for column in ("price", "USD", "as of", "source"):
        table.add_column(column, overflow="fold")
    for name, price in pricecheck.iter_prices(offering):
        extra = "".join(f"\n[yellow]other value ${c.usd}: {escape(source_words(c.source))}[/yellow]" for c in price.conflicts)
        note = f"\n[dim]{escape(source_words(price.note))}[/dim]" if price.note else ""
        extra += "".join(f"\n[dim]was ${h.usd} from {h.from_} until {h.until}: {escape(source_words(h.source))}[/dim]"
                         for h in reversed(price.history))
        table.add_row(name, price.usd and f"${price.usd}" or "$0", str(price.as_of), escape(source_words(price.source)) + note + extra)
    out.print(table)
    for h in offering.hidden_costs:
        figure = f"${h.range.usd_low}–${h.range.usd_high}" if h.range else (h.note or "")
        out.print(f"[dim]hidden · {escape(h.description)}: {escape(figure)} per {h.per} — "
                  f"{escape(source_words(h.range.source if h.range else h.source or ''))}[/dim]")
    for note in offering.notes:
        out.print(f"[dim]note · {escape(note)}[/dim]")
    if offering.published:
        out.print(f"[bold]Published figures[/bold] ({len(offering.published)}), recomputed by `ftrec catalog check`:")
        for fig in offering.published:
            out.print(f"  {fig.figure} {escape(fig.printed)} — {escape(source_words(fig.source))}")


def offerings_json(catalog: Catalog, brief: bool = True) -> list[dict]:
    """Every offering as `catalog list --format json` (brief) or `catalog show --format json` gives it."""
    return [_offering_json(catalog, o, brief) for o in catalog.offerings.values()]


def _offering_json(catalog: Catalog, offering: Offering, brief: bool) -> dict:
    data = offering.model_dump(mode="json", by_alias=True, exclude_defaults=brief,
                               exclude={"published"} if brief else set())
    data["provider"] = catalog.providers[offering.id]
    return data


def check(catalog: Catalog, today: date, fmt: str) -> bool:
    """Print the findings; True when there are any (exit 1)."""
    findings = pricecheck.check(catalog, today)
    if fmt == "json":
        click.echo(json.dumps({"today": today.isoformat(), "catalog_sha256": catalog.sha256,
                               "findings": [f.to_dict() for f in findings]}, indent=2, ensure_ascii=False))
        return bool(findings)
    out = console()
    titles = {
        "published": "Published figures the catalog's rates do not reproduce",
        "conflict": "Conflicting sources",
        "implausible": "Implausible prices",
        "stale": f"Stale prices (older than {pricecheck.STALE_AFTER_DAYS} days on {today})",
        "retired": "Retired offerings",
    }
    for kind, title in titles.items():
        group = [f for f in findings if f.kind == kind]
        if not group:
            continue
        out.print(f"[bold]{title}[/bold] ({len(group)})")
        if kind == "stale" and len(group) > 12:
            by_offering: dict[str, int] = {}
            for f in group:
                by_offering[f.offering] = by_offering.get(f.offering, 0) + 1
            oldest = min(f.message.split(" ")[2] for f in group)
            out.print(f"  {len(group)} prices in {len(by_offering)} offerings, oldest as of {oldest}: "
                      + ", ".join(f"{k} ({v})" for k, v in by_offering.items()), soft_wrap=True)
            continue
        for f in group:
            out.print(f"  ! {f.offering} {f.price}: {escape(source_words(f.message))}", soft_wrap=True)
    if not findings:
        out.print(f"catalog ok: {len(catalog.offerings)} offerings, nothing stale, conflicting or implausible")
    else:
        counts = ", ".join(f"{sum(f.kind == k for f in findings)} {k}" for k in titles if any(f.kind == k for f in findings))
        out.print(f"[bold]{len(findings)} findings[/bold]: {counts}")
    return bool(findings)


_STATUS_STYLE = {"agrees": "green", "differs": "bold red", "ours_missing": "yellow", "theirs_missing": "dim"}


def reconcile(rows, fmt: str) -> None:
    """Ours against genai-prices', one row a price."""
    if fmt == "json":
        click.echo(json.dumps([row.to_dict() for row in rows], indent=2, ensure_ascii=False))
        return
    prefix = rows[0].theirs_source.split(": ", 1)[0] if rows else "genai-prices"
    table = Table(header_style="bold", pad_edge=False,
                  title=f"Inference and base prices, USD per 1M tokens: ours vs {prefix}")
    for column in ("offering", "price", "ours", "theirs", "status", "theirs: model (date)"):
        table.add_column(column, overflow="fold", justify="right" if column in ("ours", "theirs") else "left")
    for row in rows:
        shown = row.to_dict()
        style = _STATUS_STYLE[row.status]
        table.add_row(row.offering, row.price.replace("inference_", "inference ").replace("base_", "base "),
                      _dollars(shown["ours"]), _dollars(shown["theirs"]), f"[{style}]{row.status}[/{style}]",
                      escape(row.theirs_source.split(": ", 1)[-1]))
    out = console()
    out.print(table)
    counts = {status: sum(r.status == status for r in rows) for status in _STATUS_STYLE}
    out.print(", ".join(f"{n} {status}" for status, n in counts.items() if n)
              + ("; `ftrec catalog refresh --out DIR` takes genai-prices' values" if counts["differs"] + counts["ours_missing"] else ""))


def diff(rows: list[dict], old: str, new: str, fmt: str) -> None:
    """What changed from one catalog to another."""
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    out = console()
    if not rows:
        out.print(f"no offering or price differs between {escape(old)} and {escape(new)}")
        return
    table = Table(header_style="bold", pad_edge=False, title=f"{escape(old)} → {escape(new)}")
    for column in ("offering", "price", "old", "new", "change"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(row["offering"], row["price"] or "(offering)", _dollars(row["old"], row["price"]),
                      _dollars(row["new"], row["price"]), row["change"])
    out.print(table)


def _dollars(value, price: str | None = "") -> str:
    if value is None:
        return "—"
    return value if price in (None, "retired_on") else f"${value}"
