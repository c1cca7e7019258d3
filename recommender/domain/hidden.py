"""001's forgotten costs (data preparation, evaluation, monitoring, ...): the catalog's project-wide
items and each offering's own, as a range beside year-1 (never folded into it), and the one-time
part of them that break-even repays. What depends only on the catalog and trainings a year is built
once and shared across offerings and requests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Optional

from recommender.domain.catalog import Catalog, HiddenCost, Offering
from recommender.domain.requirements import Requirements


@dataclass(frozen=True)
class HiddenItem:
    id: str
    description: str
    per: str
    times: int
    low: Optional[Decimal]
    high: Optional[Decimal]
    source: Optional[str]
    note: Optional[str]


@dataclass(frozen=True)
class Hidden:
    """001's forgotten costs, as a range beside year-1 (never folded into it)."""

    items: tuple[HiddenItem, ...]
    shared: int = field(default=0, compare=False)  # how many of the items, first, are the project's

    @cached_property
    def low(self) -> Decimal:
        return sum((i.low * i.times for i in self.items if i.low is not None), Decimal(0))

    @cached_property
    def high(self) -> Decimal:
        return sum((i.high * i.times for i in self.items if i.high is not None), Decimal(0))

    @cached_property
    def one_time(self) -> tuple[Decimal, Decimal]:
        """(low, high) of the items paid per project and per training run."""
        items = [i for i in self.items if i.per in ("project", "training_run")]
        return (sum((i.low * i.times for i in items if i.low is not None), Decimal(0)),
                sum((i.high * i.times for i in items if i.high is not None), Decimal(0)))


def hidden_costs(offering: Offering, catalog: Catalog, req: Requirements,
                 project: Optional[tuple[HiddenItem, ...]] = None) -> Hidden:
    """The catalog's project-wide hidden costs (pass them in to share them across offerings)
    and the offering's own."""
    project = project_hidden_costs(catalog, req) if project is None else project
    own = _own_hidden(offering, req.operations.trainings_per_year)
    key = (id(project), id(own))
    found = _HIDDEN.get(key)
    if found is None or found[0] is not project or found[1] is not own:
        if len(_HIDDEN) > 10_000:
            _HIDDEN.clear()
        found = _HIDDEN[key] = (project, own, Hidden(project + own, len(project)))
    return found[2]


_HIDDEN: dict[tuple, tuple] = {}  # (project items, the offering's own) → their Hidden, its sums worked out once


_OWN_HIDDEN: dict[tuple, tuple] = {}  # (offering, trainings a year) → its items: the same for every request


def _own_hidden(offering: Offering, trainings: int) -> tuple[HiddenItem, ...]:
    key = (id(offering), trainings)
    cached = _OWN_HIDDEN.get(key)
    if cached is None or cached[0] is not offering:
        if len(_OWN_HIDDEN) > 10_000:
            _OWN_HIDDEN.clear()
        times = {"project": 1, "training_run": trainings, "month": 12}
        cached = _OWN_HIDDEN[key] = (offering, tuple(_hidden_item(c, times[c.per]) for c in offering.hidden_costs))
    return cached[1]


def project_hidden_costs(catalog: Catalog, req: Requirements) -> tuple[HiddenItem, ...]:
    """The catalog's project-wide items for the request's trainings a year: the same tuple each time."""
    key = (id(catalog.hidden_costs), req.operations.trainings_per_year)
    found = _PROJECT_HIDDEN.get(key)
    if found is None or found[0] is not catalog.hidden_costs:
        if len(_PROJECT_HIDDEN) > 1_000:
            _PROJECT_HIDDEN.clear()
        times = _times(req)
        found = _PROJECT_HIDDEN[key] = (catalog.hidden_costs,
                                        tuple(_hidden_item(c, times[c.per]) for c in catalog.hidden_costs))
    return found[1]


_PROJECT_HIDDEN: dict[tuple, tuple] = {}


def _times(req: Requirements) -> dict[str, int]:
    return {"project": 1, "training_run": req.operations.trainings_per_year, "month": 12}


def _hidden_item(cost: HiddenCost, times: int) -> HiddenItem:
    low = cost.range.usd_low if cost.range else None
    high = cost.range.usd_high if cost.range else None
    source = cost.range.source if cost.range else cost.source
    return HiddenItem(cost.id, cost.description, cost.per, times, low, high, source, cost.note)


def one_time_costs(hidden: Optional[Hidden]) -> tuple[Decimal, Decimal]:
    """(low, high): the hidden costs paid per project and per training run, for year one (001)."""
    return (Decimal(0), Decimal(0)) if hidden is None else hidden.one_time
