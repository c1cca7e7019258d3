"""001's forgotten costs (data preparation, evaluation, monitoring, ...): the catalog's project-wide
items and each offering's own, as a range beside year-1 (never folded into it), and the one-time
part of them that break-even repays. What depends only on the catalog and trainings a year is built
once and shared across offerings and requests.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Optional

from recommender.domain.catalog import Catalog, HiddenCost, Offering
from recommender.domain.memo import Memo
from recommender.domain.record import Record
from recommender.domain.requirements import Requirements


class HiddenItem(Record):
    """Looked up by value across offerings and decisions (equal items share one JSON shape): its
    fields are kept as one tuple too, hashed once."""

    __slots__ = ("id", "description", "per", "times", "low", "high", "source", "note", "_key", "_hash")
    UNCOMPARED = frozenset({"_key", "_hash"})

    def __init__(self, id: str, description: str, per: str, times: int, low: Optional[Decimal],  # noqa: A002
                 high: Optional[Decimal], source: Optional[str], note: Optional[str]):
        self.id, self.description, self.per, self.times = id, description, per, times
        self.low, self.high, self.source, self.note = low, high, source, note
        self._key = (id, description, per, times, low, high, source, note)
        self._hash = hash(self._key)

    def __eq__(self, other) -> bool:
        return self._key == other._key if type(other) is HiddenItem else NotImplemented

    def __hash__(self) -> int:
        return self._hash


class Hidden(Record):
    """001's forgotten costs, as a range beside year-1 (never folded into it). SHARED: how many of the
    items, first, are the project's. Built once per offering and trainings a year, and kept."""

    __slots__ = ("items", "shared", "low", "high", "one_time")
    UNCOMPARED = frozenset({"shared", "low", "high", "one_time"})

    def __init__(self, items: tuple[HiddenItem, ...], shared: int = 0):
        self.items, self.shared = items, shared
        self.low = sum((i.low * i.times for i in items if i.low is not None), Decimal(0))
        self.high = sum((i.high * i.times for i in items if i.high is not None), Decimal(0))
        once = [i for i in items if i.per in ("project", "training_run")]
        # (low, high) of the items paid per project and per training run
        self.one_time = (sum((i.low * i.times for i in once if i.low is not None), Decimal(0)),
                         sum((i.high * i.times for i in once if i.high is not None), Decimal(0)))


def hidden_costs(offering: Offering, catalog: Catalog, req: Requirements,
                 project: Optional[tuple[HiddenItem, ...]] = None) -> Hidden:
    """The catalog's project-wide hidden costs (pass them in to share them across offerings)
    and the offering's own."""
    project = project_hidden_costs(catalog, req) if project is None else project
    own = _OWN_HIDDEN.get((id(offering), req.operations.trainings_per_year), _items, offering.hidden_costs,
                          req.operations.trainings_per_year, keep=offering)
    return _HIDDEN.get((id(project), id(own)), _hidden, project, own, keep=(project, own))


def _hidden(project: tuple[HiddenItem, ...], own: tuple[HiddenItem, ...]) -> Hidden:
    return Hidden(project + own, len(project))


def project_hidden_costs(catalog: Catalog, req: Requirements) -> tuple[HiddenItem, ...]:
    """The catalog's project-wide items for the request's trainings a year: the same tuple each time."""
    trainings = req.operations.trainings_per_year
    return _PROJECT_HIDDEN.get((id(catalog.hidden_costs), trainings), _items, catalog.hidden_costs, trainings,
                               keep=catalog.hidden_costs)


# The same items, and the same sums over them, for every request: each is built once (the two kept
# per offering hold a large catalog's worth: a long-lived process does not rebuild them each decision).
_HIDDEN = Memo(100_000)  # (project items, an offering's own) → their Hidden
_OWN_HIDDEN = Memo(100_000)  # (offering, trainings a year) → its own items
_PROJECT_HIDDEN = Memo(1_000)  # (the catalog's hidden costs, trainings a year) → the project's items


def _items(costs, trainings: int) -> tuple[HiddenItem, ...]:
    times = {"project": 1, "training_run": trainings, "month": 12}
    return tuple(_hidden_item(c, times[c.per]) for c in costs)


def _hidden_item(cost: HiddenCost, times: int) -> HiddenItem:
    low = cost.range.usd_low if cost.range else None
    high = cost.range.usd_high if cost.range else None
    source = cost.range.source if cost.range else cost.source
    return HiddenItem(cost.id, cost.description, cost.per, times, low, high, source, cost.note)


def one_time_costs(hidden: Optional[Hidden]) -> tuple[Decimal, Decimal]:
    """(low, high): the hidden costs paid per project and per training run, for year one (001)."""
    return (Decimal(0), Decimal(0)) if hidden is None else hidden.one_time
