"""Ordering the allowed offerings by what `rank_by` names (rules/ranking.yaml says what each means).

Every order puts fully priced offerings before incomplete ones, then offerings no rule demoted, and
breaks ties by offering id, so the same inputs always give the same order.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Optional, Sequence

from recommender.domain.catalog import CAPABILITY_TIERS
from recommender.domain.memo import Memo
from recommender.domain.vocabulary import FIGURES


def order(ranked: Sequence, rank_by: str, frontier: Optional[frozenset] = None) -> list:
    """RANKED (items with .offering, .figures, .preferred, .demoted, .attributes) in the order RANK_BY
    names; the cost–capability frontier may be passed in when the caller has it already."""
    if frontier is None:
        frontier = cost_capability_frontier(ranked) if rank_by == "value" else frozenset()
    tier = _tiers(ranked) if rank_by == "capability" else None

    def key(r) -> tuple:
        figures, oid, preferred = r.figures, r.offering.id, -len(r.preferred)
        first = (not figures.complete, bool(r.demoted))
        if rank_by == "monthly":
            middle: tuple = (figures.monthly_total, preferred)
        elif rank_by == "capability":
            middle = (-tier[oid], preferred, figures.year_one)
        elif rank_by == "value":
            middle = (oid not in frontier, preferred, figures.year_one)
        else:
            middle = (preferred, figures.year_one)
        return (*first, *middle, oid)

    return sorted(ranked, key=key)


def cost_capability_frontier(ranked: Sequence) -> frozenset[str]:
    """Ids of the fully priced, undemoted offerings that no other is at least as capable as and cheaper
    than in year 1: walking from the cheapest up, each one that is more capable than all before it."""
    tier = _tiers(ranked)
    candidates = sorted((r for r in ranked if r.figures.complete and not r.demoted),
                        key=lambda r: (r.figures.year_one, -tier[r.offering.id], r.offering.id))
    best, found = -1, set()
    for r in candidates:
        if tier[r.offering.id] > best:
            found.add(r.offering.id)
            best = tier[r.offering.id]
    return frozenset(found)


def _tiers(ranked: Sequence) -> dict[str, int]:
    """Each offering's capability tier, from its class as the rules see it (its attributes)."""
    return {r.offering.id: CAPABILITY_TIERS[r.attributes["offering.capability"]] for r in ranked}


def figure_of(c, rank_by: str) -> Decimal:
    """The money figure an order compares within a step: monthly for `monthly`, else year-1."""
    return c.monthly.total if rank_by == "monthly" else c.year_one


def rank_message(rank_by: str, offering, frontier: frozenset[str]) -> str:
    """One of a few texts, each made once and shared (a large catalog's decision holds thousands)."""
    tier, _ = offering.capability_class
    on_frontier = offering.id in frontier if rank_by == "value" else None
    return _RANK_MESSAGES.get((rank_by, on_frontier, tier), _rank_message, rank_by, on_frontier, tier)


_RANK_MESSAGES = Memo(64)


def _rank_message(rank_by: str, on_frontier: Optional[bool], tier: str) -> str:
    if rank_by == "capability":
        return f"ranked by capability class ({tier}), then year-1 total"
    if rank_by == "value":
        where = "on" if on_frontier else "below"
        return f"ranked by value: {where} the cost–capability frontier ({tier} model), then year-1 total"
    return f"ranked by {FIGURES[rank_by]}"
