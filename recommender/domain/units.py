"""Money, token counts and durations as people read them: "$1,125.00", "$1.1K", "96.6K", "5.3 mo"."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any
from typing import Optional


def dollars(text: Optional[str], lower_bound: bool = False) -> str:
    """"1125.00" → "$1,125.00"; a lower bound reads "≥ $15.00"."""
    if text is None:
        return "—"
    amount = Decimal(text)
    shown = f"-${-amount:,.2f}" if amount < 0 else f"${amount:,.2f}"
    return f"≥ {shown}" if lower_bound else shown


def dollars_short(text: Optional[str], lower_bound: bool = False) -> str:
    """For narrow columns: "$247.50" below $1,000, then "$1.1K", "$110K", "$2.5M"; "≥ $15.00" for a lower bound."""
    if text is None:
        return "—"
    amount = Decimal(text)
    if abs(amount) < 1000:
        return dollars(text, lower_bound)
    sign = "-" if amount < 0 else ""
    shown = f"{sign}${_scaled(abs(amount))}"
    return f"≥ {shown}" if lower_bound else shown


def tokens(count: Optional[int]) -> str:
    if count is None:
        return "—"
    return _scaled(Decimal(count)) if count >= 1000 else str(count)


def tokens_short(count: Optional[int]) -> str:
    """"96.6K tok": a token count in a table cell."""
    return "—" if count is None else f"{tokens(count)} tok"


def _scaled(value: Decimal) -> str:
    for size, suffix in ((10**12, "T"), (10**9, "B"), (10**6, "M"), (10**3, "K")):
        if value >= size:
            scaled = value / size
            shown = f"{scaled:.1f}".rstrip("0").rstrip(".") if scaled < 100 else f"{scaled:.0f}"
            return f"{shown}{suffix}"
    return f"{value:.0f}"


YEAR = Decimal(12)


def months_short(months: Optional[str], months_high: Optional[str] = None) -> str:
    """A payback period as one short cell: "< 1 mo", "5.3 mo", "11 mo", "> 1 yr"; a range "5.3–26 mo"."""
    if months is None:
        return "—"
    low = Decimal(months)
    high = None if months_high is None else Decimal(months_high)
    if high is None or high <= low:
        if low < 1:
            return "< 1 mo"
        return "> 1 yr" if low > YEAR else f"{_month_number(low)} mo"
    if low > YEAR:
        return "> 1 yr"
    return f"{'<1' if low < 1 else _month_number(low)}–{_month_number(high)} mo"


def _month_number(value: Decimal) -> str:
    """One decimal under 10 months, whole months above; halves round up, as people round."""
    from decimal import ROUND_HALF_UP

    return str(value.quantize(Decimal("0.1") if value < 10 else Decimal(1), rounding=ROUND_HALF_UP))


def json_bytes(data: Any, indent: bool = False, sort_keys: bool = False) -> bytes:
    """DATA as UTF-8 JSON, compact or indented by two, decimals and dates as json_default writes them:
    orjson, or json for an integer past 64 bits (a break-even on a vanishing saving), which orjson
    cannot write; both give the same text. What neither can write (a lone surrogate) raises orjson's
    TypeError."""
    import orjson

    try:
        return orjson.dumps(data, default=json_default,
                            option=(orjson.OPT_INDENT_2 if indent else 0) | (orjson.OPT_SORT_KEYS if sort_keys else 0))
    except TypeError as problem:
        import json

        try:
            return json.dumps(data, indent=2 if indent else None, separators=None if indent else (",", ":"),
                              sort_keys=sort_keys, ensure_ascii=False, default=json_default).encode("utf-8")
        except (TypeError, ValueError):
            raise problem from None


def json_loads(text) -> Any:
    """Decision JSON (bytes, text or a view of them) back to data, integers exact: orjson reads an
    integer past 64 bits (a break-even on a vanishing saving) as a float, so text holding a run of 19
    digits is read with json instead."""
    import orjson

    data = text.encode() if isinstance(text, str) else bytes(text)
    if _LONG_DIGITS.search(data):
        import json

        return json.loads(data)
    return orjson.loads(data)


_LONG_DIGITS = re.compile(rb"[0-9]{19}")


def json_default(value: Any) -> Any:
    """What JSON writers make of the values decisions hold: exact decimals as text, dates as ISO days."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not JSON serializable: {type(value).__name__}")
