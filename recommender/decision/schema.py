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
    """`note` (and `amount_high`) are left out of the JSON when there is none, as `decide` writes it."""

    @model_serializer(mode="wrap")
    def _drop_empty_note(self, handler):
        data = handler(self)
        for key in ("note", "amount_high"):
            if data.get(key) is None:
                data.pop(key, None)
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
    assumed: list[str] = Field(description="Fields the request left to their defaults that a deciding rule tested")


class RankBy(_Shape):
    figure: Literal["year_one", "monthly", "capability", "value"]
    because: list[str]
    assumed: list[str]


class CapabilityShape(_Shape):
    class_: Literal["unknown", "small", "medium", "large", "frontier"] = Field(alias="class")
    source: str

    model_config = ConfigDict(extra="forbid", populate_by_name=True, serialize_by_alias=True)


class BreakdownLine(_NoteWhenGiven):
    part: Literal["training", "monthly"]
    item: str
    quantity: Union[int, str]
    unit: str
    rate: Optional[str]
    rate_unit: str
    amount: Optional[str] = Field(pattern=r"^-?\d+\.\d{2}$")
    amount_high: Optional[str] = None
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
    basis: Literal["fine_tuned", "base_model"]
    missing: list[str]
    method: str
    type: str
    training: str = MoneyText
    trainings_per_year: int
    monthly: str = MoneyText
    monthly_high: Optional[str] = Field(description="The monthly figure at the top of the price ranges (hosting floors)")
    year_one: str = MoneyText
    hidden: Optional[Hidden]
    uplift: Optional[str]
    breakdown: list[BreakdownLine]
    notes: list[str]


class Repay(_Shape):
    low: str = MoneyText
    high: str = MoneyText


class BreakEvenShape(_Shape):
    """What must be repaid (trainings a year × training + one-time costs, low and high ends) over the saving."""

    against: str
    method: Literal["blended", "input_only"]
    tokens: int = Field(ge=0)
    tokens_high: int = Field(ge=0)
    training_only_tokens: int = Field(ge=0, description="002's figure: training cost alone / per-1M saving")
    months: Optional[str]
    months_high: Optional[str]
    repay: Repay
    baseline_rate: Optional[str]
    fine_tuned_rate: Optional[str]
    monthly_saving: Optional[str]


class Because(_Shape):
    rule: Optional[str]
    effect: Literal["prefer", "demote", "rank", "incomplete"] = Field(
        description="What it did to the offering's place: preferred, demoted, the order's own reason, or incomplete")
    message: str


class Flags(_Shape):
    stale_prices: int
    implausible_prices: list[str]


class Recommendation(_Shape):
    rank: int = Field(ge=1)
    offering: str
    provider: str
    model: str
    capability: CapabilityShape
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


class BasisPart(_Shape):
    item: str
    amount: Optional[str]
    times: int = Field(description="How often a year: trainings a year for training, 12 for monthly parts")
    source: Optional[str]


class ApproachCost(_Shape):
    """One approach costed for the request, on the allowed offering that suits it best."""

    approach: Literal["fine_tune", "rag", "hybrid", "prompt_engineering", "routing", "larger_base_model"]
    chosen: bool
    offering: Optional[str]
    monthly: Optional[str]
    year_one: Optional[str]
    basis: list[BasisPart]
    note: Optional[str]


class Clash(_Shape):
    rule: str
    needs: dict[str, Any]
    excludes: int
    allowed_without_it: list[str]


class DeadEnd(_Shape):
    """When nothing is allowed: the needs that clash, and what relaxing each one would allow."""

    clashing: list[Clash]
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
    approaches: list[ApproachCost]
    excluded: list[Exclusion]
    dead_end: Optional[DeadEnd]
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
