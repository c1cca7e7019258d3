"""What the approaches other than a plain fine-tune cost (002, "The Three Alternatives to Fine-Tuning").

- prompt engineering: a base model's inference ("Costs $0 extra — you're just using more input tokens");
- RAG: embedding + vector search + generation on a base model;
- routing: "Average cost: under $0.50/1M tokens" (an upper bound);
- a larger base model: that model's base inference;
- hybrid: the fine-tune plus RAG's retrieval.
Every amount is quantity × rate with the rate's source, as in the fine-tune's own breakdown.
"""

from __future__ import annotations

from decimal import Decimal


from recommender.domain.catalog import Catalog, Offering
from recommender.domain.cost import MILLION, MONTHS, PER_M, Cost, Figures, Line, part, priced, volumes
from recommender.domain.requirements import Requirements

TOKENS_PER_QUERY = 1_000  # when the request gives no query count: the questionnaire's default request size


def queries(req: Requirements) -> tuple[int, bool]:
    """(queries a month, whether that was assumed from the token volume)."""
    given = req.inference.monthly_queries
    if given is not None:
        return given, False
    return max(1, req.inference.monthly_tokens // TOKENS_PER_QUERY), True


def retrieval_lines(catalog: Catalog, req: Requirements) -> tuple[Line, ...]:
    """RAG's own monthly costs: every input token embedded, and one vector search per query."""
    prices = catalog.approach_prices
    count, assumed = queries(req)
    note = f" (assumed: {TOKENS_PER_QUERY:,} tokens a query; give inference.monthly_queries)" if assumed else ""
    return (
        priced("embedding (input tokens)", "approach_prices.embedding_per_m", prices.embedding_per_m,
               req.inference.monthly_tokens * req.inference.input_share, "tokens", PER_M),
        priced(f"vector search{note}", "approach_prices.vector_search_per_query", prices.vector_search_per_query,
               count, "queries", "per query"),
    )


def base_model_lines(offering: Offering, req: Requirements) -> list[Line]:
    """Inference on the base model, every token of today's prompts included."""
    v, p = volumes(req), offering.prices
    lines = []
    if v.base_input is not None:
        lines.append(priced("base model input", "base_input", p.base_input, v.base_input, "tokens", PER_M))
    if v.output is not None:
        lines.append(priced("base model output", "base_output", p.base_output, v.output, "tokens", PER_M))
    return lines


def base_model_figures(offering: Offering, req: Requirements, retrieval: tuple[Line, ...] = ()) -> Figures:
    """base_model_cost()'s figures, the same sums worked out without its lines."""
    v, p = volumes(req), offering.prices
    total, complete = Decimal(0), True
    for price, quantity in ((p.base_input, v.base_input), (p.base_output, v.output)):
        if quantity is not None:
            if price is None:
                complete = False
            else:
                total += quantity * price.usd / MILLION
    for line in retrieval:
        if line.amount is None:
            complete = False
        else:
            total += line.amount
    return Figures(Decimal(0), total, MONTHS * total, complete, basis="base_model")


def base_model_cost(offering: Offering, req: Requirements, retrieval: tuple[Line, ...] = ()) -> Cost:
    """An approach that does not fine-tune, on OFFERING's base model: no training, twelve months of inference."""
    monthly = part((*base_model_lines(offering, req), *retrieval))
    return Cost(
        offering=offering.id, method="none", training_type=req.training.type, trainings_per_year=0,
        training=part(()), monthly=monthly, hidden=None, uplift=None, break_even=None,
        year_one=MONTHS * monthly.total, missing=monthly.missing, basis="base_model",
    )


def routing_cost(catalog: Catalog, req: Requirements) -> Cost:
    """002's average for routing between a cheap and a premium model: an upper bound."""
    line = priced("routed inference (average)", "approach_prices.routing_per_m", catalog.approach_prices.routing_per_m,
                  req.inference.monthly_tokens, "tokens", PER_M)
    monthly = part((line,))
    return Cost(
        offering="routing", method="none", training_type=req.training.type, trainings_per_year=0,
        training=part(()), monthly=monthly, hidden=None, uplift=None, break_even=None,
        year_one=MONTHS * monthly.total, missing=monthly.missing, basis="base_model",
    )


