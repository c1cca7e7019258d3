"""The names rules may test, and the values behind them.

Three families of facts:
- requirement fields (`needs.citations`, `inference.monthly_tokens`, ...), from the Requirements model;
- context computed per decision (`catalog.stale_prices`, `catalog.implausible_prices`, ...);
- conclusions of other rules: `reasons`, and the decisions `approach`, `method`, `rank_by`.
Offering attributes (`offering.family`, `offering.regions`, ...) are tested by require/prefer/demote.
"""

from __future__ import annotations

import typing
from decimal import Decimal
from typing import Any, Optional

from pydantic import BaseModel, TypeAdapter

from recommender.domain.record import Record
from recommender.domain.requirements import Requirements

DECISIONS: dict[str, tuple[str, ...]] = {
    "approach": ("fine_tune", "rag", "hybrid", "prompt_engineering", "routing", "larger_base_model"),
    "method": ("lora", "full"),
    "rank_by": ("year_one", "monthly", "capability", "value"),
}
FINE_TUNING_APPROACHES = ("fine_tune", "hybrid")


class FactKind(Record):
    __slots__ = ("name", "kind", "choices", "annotation")

    def __init__(self, name: str, kind: str, choices: tuple[str, ...] = (), annotation: Any = None):
        self.name = name
        self.kind = kind  # tokens, count, decimal, bool, enum, text, list
        self.choices = choices
        self.annotation = annotation  # the requirements field's type, validators included

    @property
    def adapter(self) -> Optional[TypeAdapter]:
        # Built on first use: only parsing rule files needs them, and rules come from the cache.
        if self.annotation is None:
            return None
        if self.name not in _ADAPTERS:
            _ADAPTERS[self.name] = TypeAdapter(self.annotation)
        return _ADAPTERS[self.name]

    @property
    def numeric(self) -> bool:
        return self.kind in ("tokens", "count", "decimal")

    def coerce(self, value: Any) -> Any:
        """A rule's literal, checked and converted exactly as a requirements file's value would be."""
        if self.adapter is not None:
            return self.adapter.validate_python(value)
        if self.kind == "enum" and value not in self.choices:
            raise ValueError(f"must be one of {', '.join(self.choices)}, got {value!r}")
        if self.kind == "count" and (isinstance(value, bool) or not isinstance(value, int)):
            raise ValueError(f"must be a whole number, got {value!r}")
        if self.kind == "bool" and not isinstance(value, bool):
            raise ValueError(f"must be true or false, got {value!r}")
        if self.kind == "text" and not isinstance(value, str):
            raise ValueError(f"must be text, got {value!r}")
        return value


_ADAPTERS: dict[str, TypeAdapter] = {}


def _requirement_kinds() -> dict[str, FactKind]:
    kinds: dict[str, FactKind] = {}
    for name, info in Requirements.model_fields.items():
        annotation = _unwrap(info.annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            for sub, sub_info in annotation.model_fields.items():
                kinds[f"{name}.{sub}"] = _kind(f"{name}.{sub}", sub_info.annotation, sub_info.metadata)
        elif name == "baseline":
            kinds[name] = FactKind(name, "text")  # an offering id, or "custom rates"
        else:
            kinds[name] = _kind(name, info.annotation, info.metadata)
    return kinds


def _unwrap(annotation: Any) -> Any:
    if typing.get_origin(annotation) is typing.Union:
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return args[0] if len(args) == 1 else annotation
    return annotation


def _kind(name: str, annotation: Any, metadata: list) -> FactKind:
    # pydantic moves a field's Annotated validators into `metadata`; put them back.
    annotated = typing.Annotated[(annotation, *metadata)] if metadata else annotation
    base = _unwrap(annotation)
    if typing.get_origin(base) is typing.Annotated:
        base, *meta = typing.get_args(base)
        metadata = [*metadata, *meta]
    literal = base
    if typing.get_origin(literal) is typing.Literal:
        return FactKind(name, "enum", tuple(typing.get_args(literal)), annotated)
    if base is bool:
        return FactKind(name, "bool", annotation=annotated)
    if base is Decimal:
        return FactKind(name, "decimal", annotation=annotated)
    if base is int:
        tokens = any(getattr(m, "func", None).__name__ == "parse_tokens" for m in metadata if hasattr(m, "func"))
        return FactKind(name, "tokens" if tokens else "count", annotation=annotated)
    return FactKind(name, "text", annotation=annotated)


REQUIREMENT_FACTS = _requirement_kinds()
CONTEXT_FACTS = {
    "catalog.stale_prices": FactKind("catalog.stale_prices", "count"),
    "catalog.implausible_prices": FactKind("catalog.implausible_prices", "count"),
    # Asserted in a second pass when a rule weighs a cost heuristic (see decision/decide.py): the
    # cheapest allowed fine-tune, its year-one training and one-time costs, its year of inference.
    "costs.training_dominates": FactKind("costs.training_dominates", "bool"),
    "costs.offering": FactKind("costs.offering", "text"),
    "costs.training_year": FactKind("costs.training_year", "decimal"),
    "costs.inference_year": FactKind("costs.inference_year", "decimal"),
    "catalog.stale_kinds": FactKind("catalog.stale_kinds", "text"),  # "training and hosting"
    "catalog.stale_oldest": FactKind("catalog.stale_oldest", "text"),  # the oldest stale price's date
    "catalog.stale_refreshable": FactKind("catalog.stale_refreshable", "count"),  # genai-prices can renew them
    "catalog.retired_offerings": FactKind("catalog.retired_offerings", "count"),
}
DECISION_FACTS = {key: FactKind(key, "enum", values) for key, values in DECISIONS.items()}
FACTS: dict[str, FactKind] = {**REQUIREMENT_FACTS, **CONTEXT_FACTS, **DECISION_FACTS}

OFFERING_ATTRIBUTES: dict[str, FactKind] = {
    f"offering.{name}": FactKind(f"offering.{name}", kind)
    for name, kind in {
        "id": "text",
        "provider": "text",
        "model": "text",
        "family": "text",
        "params_b": "decimal",
        "capability": "text",
        "open_weights": "bool",
        "regions": "list",
        "methods": "list",
        "tuning": "list",
        "strengths": "list",
        "provisioned_throughput": "bool",
        "implausible_prices": "count",
        "implausible_inference_prices": "count",
        "stale_prices": "count",
        "retired": "bool",  # its retired_on day has come
        "retired_on": "text",
    }.items()
}
