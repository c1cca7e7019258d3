"""Pydantic models rebuilt from JSON that ftrec itself wrote from validated models (the start-up cache).

Validating again would run every validator once more (a 20,000-offering catalog: seconds in the
money parser alone), so the data is converted field by field to the types the model declares
(Decimal from its exact text, date from ISO) and handed to `model_construct`, pydantic's way to
build a model from pre-validated data. Each class's plan is worked out once from its fields. A type
this module does not know makes `rebuilder` raise TypeError: the cache then keeps nothing.
"""

from __future__ import annotations

import copy
import types
import typing
from datetime import date
from decimal import Decimal
from typing import Any, Callable, Optional

from pydantic import BaseModel

Convert = Optional[Callable[[Any], Any]]  # None: the JSON value is already the value
_PLANS: dict[type, Callable[[dict], BaseModel]] = {}
_AS_IS = (str, bool, int, Any)


def rebuilder(model: type[BaseModel]) -> Callable[[dict], BaseModel]:
    """A function from the model's JSON data (`model_dump(mode="json")`, by field name) to the model."""
    if model not in _PLANS:
        _PLANS[model] = lambda data: _PLANS[model](data)  # a model that contains itself
        fields = [(name, _convert(info.annotation), _default(info)) for name, info in model.__pydantic_fields__.items()]
        _PLANS[model] = _builder(model, fields)
    return _PLANS[model]


def rebuilt_by_id(items: list, build: Callable[[dict], BaseModel]) -> dict:
    """{id: model} for the JSON ITEMS, each item let go once its model is built: a large catalog is
    never held twice."""
    built = {}
    for index, data in enumerate(items):
        items[index] = None
        built[data["id"]] = build(data)
    return built


def _builder(model: type[BaseModel], fields: list) -> Callable[[dict], BaseModel]:
    converters = {name: convert for name, convert, _ in fields}
    # every field in order, the fixed defaults filled in; fields with a factory get a fresh value each time
    template = {name: (None if default is None else default[0]) for name, _, default in fields}
    factories = [(name, default[1]) for name, _, default in fields if default is not None and default[1] is not None]
    required = frozenset(name for name, _, default in fields if default is None)
    plain = _plain(model)

    def values_of(data: dict) -> dict:
        if not data.keys() >= required:
            raise KeyError("a required field is missing")
        values = template.copy()
        for name, factory in factories:
            if name not in data:
                values[name] = factory()
        for name, value in data.items():
            convert = converters[name]
            values[name] = value if convert is None or value is None else convert(value)
        return values

    def construct(data: dict) -> BaseModel:
        return model.model_construct(_fields_set=set(data), **values_of(data))

    def fast(data: dict) -> BaseModel:
        made = new(model)
        setattr_(made, "__dict__", values_of(data))
        setattr_(made, "__pydantic_fields_set__", set(data))
        setattr_(made, "__pydantic_extra__", None)
        setattr_(made, "__pydantic_private__", None)
        return made

    def first(data: dict) -> BaseModel:
        """The first model of its class made both ways: the fast way is kept only if it gives what
        `model_construct` gives (the same state: fields, fields set, extra and private parts)."""
        made = construct(data)
        chosen[0] = fast if plain and fast(data).__getstate__() == made.__getstate__() else construct
        return made

    chosen = [first]
    return lambda data: chosen[0](data)


new, setattr_ = object.__new__, object.__setattr__
_ABSENT = object()


def _plain(model: type[BaseModel]) -> bool:
    """What `model_construct` does for this model is only to set its fields: no post-init, no
    private attributes, no extra fields kept, not a root model."""
    return (not model.__pydantic_post_init__ and not model.__private_attributes__
            and model.model_config.get("extra") != "allow" and not model.__pydantic_root_model__)


def _default(info) -> Optional[tuple[Any, Optional[Callable[[], Any]]]]:
    """None for a required field; else (the default, None) or (None, what makes a fresh one): a
    factory's value, or a copy of a mutable default, as pydantic would give it."""
    factory = info.default_factory
    if factory is not None:
        # asking pydantic would inspect the factory's signature (tokenizing a builtin's text signature)
        plain = factory in (list, dict, set, tuple) or (isinstance(factory, type) and issubclass(factory, BaseModel))
        if not plain and info.default_factory_takes_validated_data:
            raise TypeError("a default factory that reads other fields")
        return None, factory
    if info.is_required():
        return None
    value = info.default
    if value is None or isinstance(value, _IMMUTABLE):
        return value, None
    return None, lambda: copy.deepcopy(value)


_IMMUTABLE = (str, bytes, int, float, bool, Decimal, date, tuple, frozenset)


def _convert(annotation: Any) -> Convert:
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if annotation is Decimal:
        return Decimal
    if annotation is date:
        return date.fromisoformat
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return rebuilder(annotation)
    if annotation in _AS_IS or origin is typing.Literal:
        return None
    if origin is typing.Annotated:
        return _convert(args[0])
    if origin in (typing.Union, types.UnionType) and len(args) == 2 and type(None) in args:
        return _convert(next(a for a in args if a is not type(None)))  # None stays None
    if origin is list:
        item = _convert(args[0])
        return None if item is None else (lambda values: [item(v) for v in values])
    if origin is dict and args[0] is str:
        item = _convert(args[1])
        return None if item is None else (lambda values: {k: item(v) for k, v in values.items()})
    raise TypeError(f"no JSON rebuild for {annotation!r}")
