"""Validated requirements as compact JSON, and back without validating them again.

A batch validates every request before it decides any (bad input anywhere: nothing printed), then
decides them all: validating each twice cost more than everything else around a decision. The
first pass keeps each request's state here instead (the models' own pickling state, written as
JSON: nothing read back runs code) and the second rebuilds the same objects from it, equal field
for field, type for type, with the same fields marked as given.

A state is `[model, given, value...]`: the model's index in MODELS, a bit per field the request
gave, then every field's value in declaration order (a Decimal as `[text]`, a model as its state);
orjson writes it, calling back only for Decimals and models.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Optional, get_args

import orjson
from pydantic import BaseModel

from recommender.domain.requirements import (
    BaselineRates,
    Inference,
    Needs,
    Operations,
    Requirements,
    Task,
    Training,
)

MODELS: tuple[type[BaseModel], ...] = (Requirements, Training, Inference, Needs, Task, BaselineRates, Operations)
_INDEX = {model: index for index, model in enumerate(MODELS)}
_FIELDS = [tuple(model.model_fields) for model in MODELS]
_BITS = [{name: 1 << bit for bit, name in enumerate(fields)} for fields in _FIELDS]
_GIVEN: list[dict[int, frozenset]] = [{} for _ in MODELS]  # per model: bits → the field names they mark


def _may_hold_a_list(annotation: Any) -> bool:
    """Whether a field so annotated may hold a Decimal or a model (written as lists in a state)."""
    if isinstance(annotation, type) and issubclass(annotation, (Decimal, BaseModel)):
        return True
    return any(_may_hold_a_list(argument) for argument in get_args(annotation))


_LISTED = [tuple(position for position, field in enumerate(model.model_fields.values())
                 if _may_hold_a_list(field.annotation)) for model in MODELS]


def state_of(requirements: Requirements) -> Optional[bytes]:
    """The state of validated REQUIREMENTS, or None when it holds something this form cannot carry
    (then the request is validated again from its text)."""
    try:
        return orjson.dumps(requirements, default=_encoded, option=orjson.OPT_PASSTHROUGH_SUBCLASS)
    except (KeyError, TypeError, ValueError):
        return None


def requirements_from_state(state: bytes) -> Requirements:
    """The requirements a state was taken from; ValueError when it is not one."""
    try:
        requirements = _decoded(orjson.loads(state))
    except (IndexError, KeyError, TypeError, ValueError, ArithmeticError, orjson.JSONDecodeError) as exc:
        raise ValueError(f"not a requirements state ({exc})") from None
    if not isinstance(requirements, Requirements):
        raise ValueError("not a requirements state")
    return requirements


def _encoded(value: Any) -> list:
    """orjson's hook for what it cannot write itself: a Decimal, or one of MODELS (its fields' values
    in order, which orjson writes in turn); KeyError for anything else."""
    if type(value) is Decimal:
        return [str(value)]
    index = _INDEX[type(value)]
    state = value.__getstate__()
    if state["__pydantic_extra__"] or state["__pydantic_private__"] or tuple(state["__dict__"]) != _FIELDS[index]:
        raise ValueError("not the fields this form carries")
    bits = _BITS[index]
    return [index, sum(bits[name] for name in state["__pydantic_fields_set__"]), *state["__dict__"].values()]


def _decoded(encoded: list) -> BaseModel:
    index, bits, values = encoded[0], encoded[1], encoded[2:]
    model, fields = MODELS[index], _FIELDS[index]
    if len(values) != len(fields):
        raise ValueError(f"{len(values)} values for {model.__name__}'s {len(fields)} fields")
    for position in _LISTED[index]:
        value = values[position]
        if type(value) is list:
            values[position] = Decimal(value[0]) if type(value[0]) is str else _decoded(value)
    given = _GIVEN[index].get(bits)
    if given is None:
        given = _GIVEN[index][bits] = frozenset(name for name in fields if bits & _BITS[index][name])
    rebuilt = model.__new__(model)
    rebuilt.__setstate__({"__dict__": dict(zip(fields, values)), "__pydantic_fields_set__": set(given),
                          "__pydantic_extra__": None, "__pydantic_private__": None})
    return rebuilt
