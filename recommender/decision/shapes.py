"""The decision's JSON shapes: costs, breakdown lines with their sources, hidden costs, break-even.

Money is written as exact two-decimal strings, token counts as integers, rates as their exact decimals.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Optional


from recommender.domain import cost
from recommender.domain.memo import Memo
from recommender.domain.units import json_bytes


money = cost.usd


def rate(value: Optional[Decimal]) -> Optional[str]:
    return None if value is None else format(value, "f")


def quantity(value: Decimal) -> Any:
    return int(value) if value == value.to_integral_value() else format(value.normalize(), "f")


def cost_json(c: cost.Cost, shared_hidden=()) -> dict:
    """The cost as JSON; hidden items in `shared_hidden` are listed once per decision, not here."""
    monthly_high = c.monthly.high
    return {
        "complete": c.complete,
        "basis": c.basis,
        "missing": list(c.missing),
        "method": c.method,
        "type": c.training_type,
        "training": money(c.training.total),
        "trainings_per_year": c.trainings_per_year,
        "monthly": money(c.monthly.total),
        "monthly_high": None if monthly_high is None else money(monthly_high),
        "year_one": money(c.year_one),
        "hidden": hidden_json(c.hidden, shared_hidden),
        "uplift": None if c.uplift is None else _uplift(c.uplift),
        "breakdown": [
            *(line_json("training", line) for line in c.training.lines),
            *(line_json("monthly", line) for line in c.monthly.lines),
        ],
        "notes": list(c.notes),
    }


def _uplift(value: Decimal) -> str:
    return _UPLIFT.get(value, _two_places, value)


def _two_places(value: Decimal) -> str:
    return format(value.quantize(Decimal("0.01")), "f")


_UPLIFT = Memo(10_000)  # an offering's uplift is the same in every decision


def line_json(part: str, line: cost.Line) -> dict:
    shown = {
        "part": part,
        "item": line.item,
        "quantity": quantity(line.quantity),
        "unit": line.unit,
        "rate_unit": line.rate_unit,
        "amount": None if line.amount is None else money(line.amount),
    }
    if line.amount_high is not None:
        shown["amount_high"] = money(line.amount_high)
    shown["price"] = line.price
    shown.update(_price_json(line))
    return shown


_MISSING = {"rate": None, "source": None, "as_of": None}
_PRICE_JSON = Memo(50_000)  # id(catalog price) → its JSON: built once, not per line


def _price_json(line: cost.Line) -> dict:
    price = line.origin
    if price is None:
        return _MISSING
    return _PRICE_JSON.get(id(price), _price_shown, price, keep=price)


def _price_shown(price) -> dict:
    shown = {"rate": rate(price.usd), "source": price.source, "as_of": price.as_of.isoformat()}
    if price.note:
        shown["note"] = price.note
    return shown


def hidden_json(hidden: Optional[cost.Hidden], shared=()) -> Optional[dict]:
    if hidden is None:
        return None
    items = hidden.items
    if shared and hidden.shared == len(shared) and items[0] is shared[0]:  # the usual case: the project's first
        items = items[len(shared):]
    own = [hidden_item_json(i) for i in items if not any(i is s for s in shared)]
    return {"low": money(hidden.low), "high": money(hidden.high), "items": own}


_HIDDEN_JSON = Memo(10_000)  # items repeat across offerings and decisions: build each shape once


def hidden_item_json(item: cost.HiddenItem) -> dict:
    return _HIDDEN_JSON.get(item, _hidden_item_shown, item)


def _hidden_item_shown(item: cost.HiddenItem) -> dict:
    return {
        "id": item.id,
        "description": item.description,
        "per": item.per,
        "times": item.times,
        "low": None if item.low is None else money(item.low * item.times),
        "high": None if item.high is None else money(item.high * item.times),
        "source": item.source,
        **({"note": item.note} if item.note else {}),
    }


def break_even_json(b: Optional[cost.BreakEven]) -> Optional[dict]:
    if b is None or b.tokens is None:
        return None
    return {
        "against": b.baseline,
        "method": b.method,
        "tokens": b.tokens,
        "tokens_high": b.tokens_high,
        "training_only_tokens": b.training_only_tokens,
        "months": _months(b.months),
        "months_high": _months(b.months_high),
        "repay": {"low": money(b.repay_low), "high": money(b.repay_high)},
        "baseline_rate": rate(b.baseline_rate),
        "fine_tuned_rate": rate(b.fine_tuned_rate),
        "monthly_saving": None if b.monthly_saving is None else money(b.monthly_saving),
    }


def _months(value: Optional[Decimal]) -> Optional[str]:
    return None if value is None else format(value.quantize(_FOUR_PLACES), "f")


_FOUR_PLACES = Decimal("0.0001")


def dumps(decision: dict, indent: Optional[int] = 2) -> str:
    """The decision as JSON text: indented by two, or compact (`indent=None`) for JSON Lines and records."""
    return dumps_bytes(decision, indent).decode()


def dumps_bytes(decision: dict, indent: Optional[int] = 2) -> bytes:
    """dumps() as UTF-8, made once (a large catalog's decision is tens of megabytes: not copied into
    text to be encoded again), by units.json_bytes."""
    return json_bytes(decision, indent=bool(indent))
