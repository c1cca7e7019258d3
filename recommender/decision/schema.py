"""JSON Schemas of the three file formats (`ftrec schema`), and the decision's shape as pydantic models.

The decision models describe what `decide` produces; tests validate real output against them.
"""

from __future__ import annotations

from typing import Any, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, model_serializer

MoneyText = Field(pattern=r"^-?\d+\.\d{2}$", description="USD, exact, two decimals")


class _Shape(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _NoteWhenGiven(_Shape):
    """`note` is left out of the JSON when there is none, as `decide` writes it."""

    @model_serializer(mode="wrap")
    def _drop_empty_note(self, handler):
        data = handler(self)
        if data.get("note") is None:
            data.pop("note", None)
        return data


class Engine(_Shape):
    version: str
    rules_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    catalog_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class Approach(_Shape):
    choice: Literal["fine_tune", "rag", "hybrid", "prompt_engineering", "routing", "larger_base_model"]
    method: Literal["lora", "full"]
    fine_tunes: bool
    summary: str
    because: list[str] = Field(min_length=1)
    method_because: list[str] = Field(min_length=1)


class RankBy(_Shape):
    figure: Literal["year_one", "monthly", "training"]
    because: list[str]


class BreakdownLine(_NoteWhenGiven):
    part: Literal["training", "monthly"]
    item: str
    quantity: Union[int, str]
    unit: str
    rate: Optional[str]
    rate_unit: str
    amount: Optional[str] = Field(pattern=r"^-?\d+\.\d{2}$")
    price: str
    source: Optional[str]
    as_of: Optional[str]
    note: Optional[str] = None


class HiddenItem(_NoteWhenGiven):
    id: str
    description: str
    per: str
    times: int
    low: Optional[str]
    high: Optional[str]
    source: Optional[str]
    note: Optional[str] = None


class Hidden(_Shape):
    low: str = MoneyText
    high: str = MoneyText
    items: list[HiddenItem]


class CostShape(_Shape):
    complete: bool
    missing: list[str]
    method: str
    type: str
    training: str = MoneyText
    trainings_per_year: int
    monthly: str = MoneyText
    year_one: str = MoneyText
    hidden: Optional[Hidden]
    uplift: Optional[str]
    breakdown: list[BreakdownLine]
    notes: list[str]


class BreakEvenShape(_Shape):
    against: str
    tokens: int = Field(ge=0)
    months: Optional[str]
    baseline_rate: Optional[str]
    fine_tuned_rate: Optional[str]
    monthly_saving: Optional[str]


class Because(_Shape):
    rule: Optional[str]
    message: str


class Flags(_Shape):
    stale_prices: int
    implausible_prices: list[str]


class Recommendation(_Shape):
    rank: int = Field(ge=1)
    offering: str
    provider: str
    model: str
    cost: CostShape
    break_even: Optional[BreakEvenShape]
    break_even_reason: Optional[str]
    because: list[Because]
    flags: Flags


class SharedHidden(_Shape):
    note: str
    items: list[HiddenItem]


class Exclusion(_Shape):
    offering: str
    rule: str
    message: str


class Step(_Shape):
    step: int
    rule: str
    matched: dict[str, Any]
    asserted: dict[str, Any]


class Warning(_Shape):
    rule: Optional[str]
    message: str


class Decision(_Shape):
    """One decision, as printed by `ftrec recommend --format json` and stored in the audit log."""

    model_config = ConfigDict(extra="forbid", title="ftrec decision")

    decision_id: str
    created_at: str
    engine: Engine
    today: str
    as_of: Optional[str] = Field(None, description="The prices' date, when `--as-of` gave one (else today's prices).")
    source: str
    requirements: dict[str, Any]
    requirements_given: dict[str, Any]
    approach: Approach
    rank_by: RankBy
    hidden_costs: Optional["SharedHidden"]
    recommendations: list[Recommendation]
    excluded: list[Exclusion]
    trace: list[Step]
    warnings: list[Warning]

    @model_serializer(mode="wrap")
    def _drop_absent_as_of(self, handler):
        data = handler(self)
        if data.get("as_of") is None:
            data.pop("as_of", None)
        return data


def schema_for(kind: str) -> dict:
    if kind == "requirements":
        from recommender.domain.requirements import Requirements

        return Requirements.model_json_schema()
    if kind == "catalog":
        from pydantic import TypeAdapter

        from recommender.domain.catalog import HiddenCostsFile, ProviderFile

        schema = TypeAdapter(Union[ProviderFile, HiddenCostsFile]).json_schema()
        schema["title"] = "ftrec catalog file (one provider's offerings, or project-wide hidden costs)"
        return schema
    return Decision.model_json_schema()
