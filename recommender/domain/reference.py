"""Reference prices from genai-prices (pydantic's price data, shipped inside the package: no network).

genai-prices gives inference prices per 1M tokens for base and some fine-tuned models, with
"verified on <date>" comments and deprecation flags; it has no training prices. A catalog offering
names its models there with `refs` (provider id, model id).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from decimal import Decimal
from functools import lru_cache
from typing import Any, Optional

from recommender.domain.catalog import Ref

PACKAGE = "genai-prices"
_DATE = r"(\d{4}-\d{2}-\d{2})"
_VERIFIED = re.compile(r"(?i)\b(?:re-)?(?:verified|checked)\b[^.;]{0,40}?" + _DATE)
_RETIRED = re.compile(r"(?i)\b(?:retired|deprecated|shut down)\b[^.;]{0,20}?" + _DATE)


@dataclass(frozen=True)
class TheirPrice:
    """One model's standard (not batch, not priority) input and output rates in genai-prices."""

    provider: str
    model: str
    input: Optional[Decimal]
    output: Optional[Decimal]
    verified: Optional[date]  # the newest "verified on" date its comments give
    deprecated: bool
    retired_on: Optional[date]  # the day its comments say it was retired or deprecated
    tiered: bool  # the rates shown are the lowest tier's

    @property
    def ref(self) -> str:
        return f"{self.provider}/{self.model}"

    @property
    def source(self) -> str:
        """How a catalog price taken from here cites it."""
        details = [f"verified {self.verified}" if self.verified else f"data of {data_date()}"]
        if self.tiered:
            details.append("lowest context tier")
        if self.deprecated:
            details.append("deprecated")
        return f"{PACKAGE} {version()}: {self.ref} ({', '.join(details)})"

    @property
    def as_of(self) -> date:
        return self.verified or data_date()


@lru_cache(maxsize=1)
def version() -> str:
    from importlib.metadata import PackageNotFoundError, version as installed

    try:
        return installed(PACKAGE)
    except PackageNotFoundError:
        raise _not_installed() from None


@lru_cache(maxsize=1)
def _providers() -> dict[str, Any]:
    try:
        from genai_prices.data import providers
    except ImportError:
        raise _not_installed() from None
    return {p.id: p for p in providers}


def _not_installed() -> Exception:
    from recommender.domain.errors import EnvironmentProblem

    return EnvironmentProblem(f"{PACKAGE} is not installed: `pip install '{PACKAGE}>=0.1.13,<0.3'` "
                              "(ftrec depends on it for reconcile and refresh)")


@lru_cache(maxsize=1)
def data_date() -> date:
    """The package's data date: the newest verification date anywhere in its data."""
    found = [date.fromisoformat(d) for p in _providers().values()
             for text in (p.price_comments, *(m.price_comments for m in p.models)) if text
             for d in _VERIFIED.findall(text)]
    return max(found) if found else date(1970, 1, 1)


def lookup(ref: Ref, day: date) -> Optional[TheirPrice]:
    """The model REF names, with the prices in force on DAY; None when genai-prices has no such model."""
    provider = _providers().get(ref.provider)
    if provider is None:
        return None
    model = next((m for m in provider.models if m.id == ref.model), None) or provider.find_model(ref.model)
    if model is None:
        return None
    prices = model.get_prices(datetime.combine(day, time(12), tzinfo=timezone.utc))
    rates = {key: _rate(getattr(prices, key, None)) for key in ("input_mtok", "output_mtok")}
    comments = " ".join(t for t in (model.price_comments, provider.price_comments) if t)
    verified = [date.fromisoformat(d) for d in _VERIFIED.findall(model.price_comments or "")]
    retired = [date.fromisoformat(d) for d in _RETIRED.findall(comments)]
    return TheirPrice(
        provider=provider.id,
        model=model.id,
        input=rates["input_mtok"][0],
        output=rates["output_mtok"][0],
        verified=max(verified) if verified else None,
        deprecated=bool(model.deprecated),
        retired_on=(min(retired) if retired else data_date()) if model.deprecated else None,
        tiered=rates["input_mtok"][1] or rates["output_mtok"][1],
    )


def _rate(value: Any) -> tuple[Optional[Decimal], bool]:
    """A rate and whether it is tiered (then the base tier's rate)."""
    if value is None:
        return None, False
    if isinstance(value, Decimal):
        return value, False
    base = getattr(value, "base", None)
    return (base, True) if isinstance(base, Decimal) else (None, False)
