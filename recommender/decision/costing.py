"""One request's costs: each offering costed once per way it is run, and in full only where needed.

Ranking compares year-1, monthly and completeness; the whole cost (hidden costs, uplift, break-even)
is built the first time something asks for it: for every offering a decision shows, but for only the
few a sweep point keeps, and for only the cheapest fine-tune when the rules weigh costs.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Callable, Optional

from recommender.domain import approach_cost, cost
from recommender.domain.catalog import Catalog, Offering
from recommender.domain.requirements import Requirements


class Costed:
    """An offering's figures now, its whole cost when first asked for."""

    __slots__ = ("offering", "figures", "_make", "_cost")

    def __init__(self, offering: Offering, figures: cost.Figures, make: Callable[[], cost.Cost]):
        self.offering, self.figures, self._make, self._cost = offering, figures, make, None

    @property
    def cost(self) -> cost.Cost:
        if self._cost is None:
            self._cost = self._make()
        return self._cost

    def shown_once(self) -> cost.Cost:
        """The whole cost, not kept: a decision shows each offering's once, and a large catalog's
        would otherwise all stay alive until the decision is done."""
        return self._cost if self._cost is not None else self._make()

    @property
    def complete(self) -> bool:
        return self.figures.complete

    @property
    def year_one(self) -> Decimal:
        return self.figures.year_one


class RequestCosts:
    """One request's costs, each offering costed once per method and approach (both rule passes and
    the approaches compared share them)."""

    def __init__(self, req: Requirements, catalog: Catalog, baseline: Optional[cost.Baseline], project_hidden: tuple):
        self.req, self.catalog, self.baseline, self.project_hidden = req, catalog, baseline, project_hidden
        self._done: dict = {}
        self._retrieval: Optional[tuple] = None

    def fine_tuned(self, offering: Offering, method: str, retrieval: tuple = ()) -> Costed:
        key = (offering.id, method, bool(retrieval))
        found = self._done.get(key)
        if found is None:
            # The closures hold what they need, not self: no cycle is left for the collector (often paused).
            req, catalog, baseline, hidden = self.req, self.catalog, self.baseline, self.project_hidden
            figures = cost.fine_tune_figures(offering, req, method, retrieval)
            found = self._done[key] = Costed(offering, figures, lambda: cost.compute(
                offering, req, catalog, method, baseline, hidden, retrieval, figures))
        return found

    def base_model(self, offering: Offering, retrieval: tuple = ()) -> Costed:
        key = (offering.id, "base model", bool(retrieval))
        found = self._done.get(key)
        if found is None:
            req = self.req
            figures = approach_cost.base_model_figures(offering, req, retrieval)
            whole = lambda: approach_cost.base_model_cost(offering, req, retrieval)  # noqa: E731
            found = self._done[key] = Costed(offering, figures, whole)
        return found

    def retrieval(self) -> tuple:
        """RAG's own monthly lines (embedding, vector search) for this request."""
        if self._retrieval is None:
            self._retrieval = approach_cost.retrieval_lines(self.catalog, self.req)
        return self._retrieval

    def hidden(self, offering: Offering) -> Optional[cost.Hidden]:
        """The hidden costs a fine-tune of OFFERING counts (None when the request leaves them out)."""
        if not self.req.operations.include_hidden_costs:
            return None
        return cost.hidden_costs(offering, self.catalog, self.req, self.project_hidden)
