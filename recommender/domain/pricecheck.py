"""What `ftrec catalog check` reports, and what decisions warn about: prices to doubt.

- stale: older than 180 days (001: prices change "every 3–6 months for major providers");
- implausible: more than 100× below the catalog's median for that kind of price (per-1K figures
  printed as per-1M, DOMAIN §4); a documented free price ("0") is not implausible;
- conflicting: another passage of the sources gives a different value (kept under `conflicts`);
- published: a figure a source prints that the catalog's own rates do not reproduce;
- retired: an offering whose `retired_on` day has come.
A price's `history` counts as conflicting: an earlier value another source gave.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from statistics import median
from typing import Iterator, Optional

from pydantic import ValidationError

from recommender.domain.catalog import PRICE_FIELDS, Catalog, Offering, Price, PublishedFigure
from recommender.domain.memo import Memo
from recommender.domain.record import Record

STALE_AFTER_DAYS = 180
IMPLAUSIBLE_FACTOR = Decimal(100)
MIN_PEERS = 5  # too few prices of a kind to call one of them implausible

# Prices compared with each other: a base input rate is still an input rate.
_GROUPS = {
    "inference_flat": "input",
    "inference_input": "input",
    "base_input": "input",
    "inference_output": "output",
    "base_output": "output",
}


class Finding(Record):
    __slots__ = ("kind", "offering", "price", "message")

    def __init__(self, kind: str, offering: str, price: str, message: str):
        self.kind = kind  # stale, implausible, conflict, published
        self.offering = offering
        self.price = price  # price name, or the published figure
        self.message = message

    def to_dict(self) -> dict:
        return {"kind": self.kind, "offering": self.offering, "price": self.price, "message": self.message}


def iter_prices(offering: Offering) -> Iterator[tuple[str, Price]]:
    p = offering.prices
    for key, price in p.training.items():
        yield f"training.{key}", price
    for name in PRICE_FIELDS:
        price = getattr(p, name)
        if price is not None:
            yield name, price


def catalog_prices(catalog: Catalog) -> tuple[tuple[str, str, Price], ...]:
    """(offering id, price name, price) for every price in the catalog, in catalog order: listed once
    for the checks that each walk all of them (a large catalog has a hundred thousand)."""
    return _LISTED.get(catalog.sha256, _list_prices, catalog, keep=catalog)


def _list_prices(catalog: Catalog) -> tuple[tuple[str, str, Price], ...]:
    return tuple((offering.id, name, price) for offering in catalog.offerings.values()
                 for name, price in iter_prices(offering))


_LISTED = Memo(2)
_STALE: dict[tuple[str, date], tuple[Finding, ...]] = {}  # per catalog and day: decisions ask more than once


def stale(catalog: Catalog, today: date) -> tuple[Finding, ...]:
    key = (catalog.sha256, today)
    if key not in _STALE:
        if len(_STALE) > 64:
            _STALE.clear()
        _STALE[key] = _find_stale(catalog, today)
    return _STALE[key]


def _find_stale(catalog: Catalog, today: date) -> tuple[Finding, ...]:
    found, said = [], {}  # said: as_of → the message, or None when not stale (a catalog has few dates)
    for offering, name, price in catalog_prices(catalog):
        as_of = price.as_of
        message = said[as_of] if as_of in said else said.setdefault(as_of, _stale_message(as_of, today))
        if message is not None:
            found.append(Finding("stale", offering, name, message))
    return tuple(found)


def _stale_message(as_of: date, today: date) -> Optional[str]:
    age = (today - as_of).days
    if age <= STALE_AFTER_DAYS:
        return None
    return f"as of {as_of} ({age} days before {today}; stale after {STALE_AFTER_DAYS})"


_IMPLAUSIBLE: dict[str, tuple[Finding, ...]] = {}  # by catalog sha256: decisions ask once per catalog


def implausible(catalog: Catalog) -> tuple[Finding, ...]:
    if catalog.sha256 not in _IMPLAUSIBLE:
        _IMPLAUSIBLE[catalog.sha256] = _find_implausible(catalog)
    return _IMPLAUSIBLE[catalog.sha256]


def _find_implausible(catalog: Catalog) -> tuple[Finding, ...]:
    prices = catalog_prices(catalog)
    groups = {name: _group(name) for name in {name for _, name, _ in prices}}
    peers: dict[str, list[Decimal]] = {}
    for _, name, price in prices:
        group = groups[name]
        if group and price.usd > 0:
            peers.setdefault(group, []).append(price.usd)
    medians = {g: median(sorted(values)) for g, values in peers.items() if len(values) >= MIN_PEERS}
    below = {g: typical / IMPLAUSIBLE_FACTOR for g, typical in medians.items()}  # at or under: implausible
    found = []
    for offering, name, price in prices:
        usd = price.usd
        if not usd and not price.provider_page:
            found.append(Finding("implausible", offering, name,
                                 "$0 is a claim, not a price: only the provider's own pricing page can say a "
                                 f"price is free ({price.source})"))
            continue
        limit = below.get(groups[name])
        if limit is not None and 0 < usd <= limit:  # inclusive: 1/100 is flagged
            typical = medians[groups[name]]
            ratio = (typical / usd).quantize(Decimal(1), rounding=ROUND_HALF_UP)
            found.append(Finding(
                "implausible", offering, name,
                f"${price.usd}/1M is {ratio}× below the catalog median ${typical} for {_group(name)} prices"
                + (f" ({price.note})" if price.note else ""),
            ))
    return tuple(found)


def _group(price_name: str) -> Optional[str]:
    # Training rates are compared like with like: LoRA SFT with LoRA SFT (a $300/M full fine-tune is
    # another product, not a sign that $3/M LoRA is cheap).
    return price_name if price_name.startswith("training.") else _GROUPS.get(price_name)


def conflicts(catalog: Catalog) -> list[Finding]:
    found = []
    for offering, name, price in catalog_prices(catalog):
        for other in price.conflicts:
            found.append(Finding("conflict", offering, name,
                                 f"catalog ${price.usd} ({price.source}) vs ${other.usd} ({other.source})"))
        for past in price.history:
            if past.usd != price.usd:
                found.append(Finding("conflict", offering, name,
                                     f"catalog ${price.usd} ({price.source}) vs ${past.usd} held {past.from_}"
                                     f" until {past.until} ({past.source})"))
    return found


def retired(catalog: Catalog, today: date) -> list[Finding]:
    """Offerings whose `retired_on` day has come."""
    return [Finding("retired", o.id, "retired_on", f"retired on {o.retired_on} (on or before {today})")
            for o in catalog.offerings.values() if o.retired_on is not None and o.retired_on <= today]


def published(catalog: Catalog) -> list[Finding]:
    """Published figures the catalog's rates do not reproduce, at the precision they were printed."""
    found = []
    for offering in catalog.offerings.values():
        for index, figure in enumerate(offering.published):
            computed = recompute(figure, offering, catalog)
            if isinstance(computed, str):
                found.append(Finding("published", offering.id, f"published[{index}]", computed))
                continue
            shown = (computed / figure.precision).to_integral_value(rounding=ROUND_HALF_UP) * figure.precision
            if shown != figure.value:
                found.append(Finding(
                    "published", offering.id, f"published[{index}] {figure.figure}",
                    f"source prints {figure.printed}; the catalog's rates give {_plain(computed, figure)}"
                    f" ({figure.source})" + (f"; {figure.note}" if figure.note else ""),
                ))
    return found


def recompute(figure: PublishedFigure, offering: Offering, catalog: Catalog) -> Decimal | str:
    """The figure computed from the catalog for the source's workload, or why it cannot be."""
    from recommender.domain import cost
    from recommender.domain.requirements import Requirements

    try:
        req = Requirements.model_validate(figure.workload)
    except ValidationError as exc:
        return f"workload is not a valid requirements set: {exc.errors()[0]['msg']}"
    method = req.training.method if req.training.method != "auto" else "lora"
    baseline = cost.resolve_baseline(req, catalog, file=f"{offering.id} published workload")
    result = cost.compute(offering, req, catalog, method, baseline)
    if figure.figure == "break_even_tokens":
        # a source's break-even is 002's method: the training cost alone over the per-1M saving
        if result.break_even is None or result.break_even.training_only_tokens is None:
            return "no break-even can be computed for this workload"
        return Decimal(result.break_even.training_only_tokens)
    if result.missing:
        return f"missing price {', '.join(result.missing)}"
    return {"training": result.training.total, "monthly": result.monthly.total, "year_one": result.year_one}[figure.figure]


def _plain(value: Decimal, figure: PublishedFigure) -> str:
    if figure.figure == "break_even_tokens":
        return f"{value:,} tokens"
    return f"${value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"


def check(catalog: Catalog, today: date) -> list[Finding]:
    return [*stale(catalog, today), *implausible(catalog), *conflicts(catalog), *published(catalog),
            *retired(catalog, today)]


_KINDS = (("training", "training"), ("inference", "inference"), ("base", "base model"),
          ("hosting", "hosting"), ("throughput", "throughput"))
_CONTEXT: dict[tuple[str, date], dict] = {}  # per catalog and day: the same for every decision


def context_facts(catalog: Catalog, today: date) -> dict:
    """What decisions say about old prices and retired offerings: the `catalog.*` context facts."""
    key = (catalog.sha256, today)
    if key not in _CONTEXT:
        if len(_CONTEXT) > 64:
            _CONTEXT.clear()
        found = stale(catalog, today)
        names, messages = {f.price for f in found}, {f.message for f in found}  # a few of each
        kinds = [shown for prefix, shown in _KINDS if any(name.startswith(prefix) for name in names)]
        _CONTEXT[key] = {
            "catalog.stale_kinds": _words(kinds),
            "catalog.stale_oldest": min((message.split(" ")[2] for message in messages), default=None),
            "catalog.stale_refreshable": sum(_refreshable(catalog.offerings[f.offering], f.price) for f in found
                                             if f.price.startswith(_REFRESHABLE)),
            "catalog.retired_offerings": len(retired(catalog, today)),
        }
    return _CONTEXT[key]


_REFRESHABLE = ("inference_", "base_")  # the prices genai-prices has


def _refreshable(offering: Offering, price: str) -> bool:
    """Whether `ftrec catalog refresh` can renew the price: genai-prices is named for it."""
    refs = offering.refs
    if refs is None:
        return False
    return bool(refs.inference if price.startswith("inference_") else refs.base if price.startswith("base_") else None)


def _words(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" and {items[-1]}" if items else ""
