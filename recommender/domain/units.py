"""Money and token counts as people read them: "$1,125.00", "96.6K"."""

from __future__ import annotations

from decimal import Decimal
from typing import Optional


def dollars(text: Optional[str], lower_bound: bool = False) -> str:
    """"1125.00" → "$1,125.00"; a lower bound reads "≥ $15.00"."""
    if text is None:
        return "—"
    amount = Decimal(text)
    shown = f"-${-amount:,.2f}" if amount < 0 else f"${amount:,.2f}"
    return f"≥ {shown}" if lower_bound else shown


def tokens(count: Optional[int]) -> str:
    if count is None:
        return "—"
    for size, suffix in ((10**12, "T"), (10**9, "B"), (10**6, "M"), (10**3, "K")):
        if count >= size:
            value = Decimal(count) / size
            shown = f"{value:.1f}".rstrip("0").rstrip(".") if value < 100 else f"{value:.0f}"
            return f"{shown}{suffix}"
    return str(count)
