"""Pydantic models stored as compact JSON tables and rebuilt without validating them again (the
start-up cache).

Validating what ftrec itself wrote from validated models would run every validator once more (a
20,000-offering catalog: seconds in the money parser alone), so the stored values are converted to
the types the fields declare (Decimal from its exact text, date from ISO) and the models are made
as pydantic's `model_construct` makes them. Each class's plan is worked out once from its fields;
a type this module does not know makes encoding raise TypeError, and the cache then keeps nothing.

What `Encoder.tables()` gives, as JSON, is one table per type, each distinct value once:
- "str", "decimal", "date": texts (a Decimal's exact text: the same digits and exponent back);
  "raw": JSON values as they are (bool, int and Any fields);
- one table per model class, named after it. A model is a row [mask, value, ...]: bit i of MASK
  says its i-th field was set (`model_fields_set`), and the set fields' values follow in order;
- "list:<item type>" tables of lists, "dict:<item type>" tables of {key: value}.
Every value is an index into its type's table, 1 for the first entry: 0 is null in every table.
Equal models, lists and texts read back as one object each: a catalog repeats its sources,
capability classes, hidden costs and many whole prices, and none of it is ever changed.
"""

from __future__ import annotations

import json as _json
import math
import types
import typing
from datetime import date
from decimal import Decimal
from functools import partial
from operator import getitem, itemgetter
from typing import Any, Callable, Optional

from pydantic import BaseModel

# A field's type as stored: ("str",) ("decimal",) ("date",) ("raw",) ("model", class) ("list", item) ("dict", item)
Spec = tuple
LEAVES = {"str": None, "decimal": Decimal, "date": date.fromisoformat, "raw": None}  # table → how to read an entry
_FIELDS: dict[type, tuple[tuple[str, Spec], ...]] = {}
_RAW = (bool, int, Any)


def fields(model: type[BaseModel]) -> tuple[tuple[str, Spec], ...]:
    """(name, spec) for each field of MODEL, in declaration order."""
    if model not in _FIELDS:
        if not _plain(model):
            raise TypeError(f"{model.__name__}: model_construct does more than set its fields")
        _FIELDS[model] = ()  # a model that contains itself: _order refuses it
        _FIELDS[model] = tuple((name, _spec(info.annotation)) for name, info in model.__pydantic_fields__.items())
        for info in model.__pydantic_fields__.values():
            _default(info)  # a default this module cannot give back raises TypeError now, not when read
    return _FIELDS[model]


def _spec(annotation: Any) -> Spec:
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if annotation is str or (origin is typing.Literal and all(isinstance(a, str) for a in args)):
        return ("str",)
    if annotation is Decimal:
        return ("decimal",)
    if annotation is date:
        return ("date",)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        fields(annotation)
        return ("model", annotation)
    if annotation in _RAW:
        return ("raw",)
    if origin is typing.Annotated:
        return _spec(args[0])
    if origin in (typing.Union, types.UnionType) and len(args) == 2 and type(None) in args:
        return _spec(next(a for a in args if a is not type(None)))  # None is stored as null
    if origin in (list, dict) and (origin is list or args[0] is str):
        return (origin.__name__, _spec(args[-1]))
    raise TypeError(f"no JSON table for {annotation!r}")


def table_name(spec: Spec) -> str:
    kind = spec[0]
    if kind == "model":
        return spec[1].__qualname__
    return f"{kind}:{table_name(spec[1])}" if kind in ("list", "dict") else kind


def _plain(model: type[BaseModel]) -> bool:
    """What `model_construct` does for this model is only to set its fields: no post-init, no
    private attributes, no extra fields kept, not a root model."""
    return (not model.__pydantic_post_init__ and not model.__private_attributes__
            and model.model_config.get("extra") != "allow" and not model.__pydantic_root_model__)


def _default(info) -> tuple[Any, Optional[Callable[[], Any]]]:
    """(the default, None) or (None, what makes a fresh one) for a field that may be left unset;
    (None, None) for a required one."""
    if info.is_required():
        return None, None
    factory = info.default_factory
    if factory is not None:
        if factory not in (list, dict):  # asking pydantic of a builtin would tokenize its text signature
            raise TypeError("a default made afresh each time by a factory other than list or dict")
        return None, factory
    value = info.default
    if value is None or isinstance(value, _IMMUTABLE):
        return value, None
    raise TypeError(f"a mutable default {value!r}")


_IMMUTABLE = (str, bytes, int, float, bool, Decimal, date, tuple, frozenset)


class Encoder:
    """Models into tables: each distinct value once. Only what reads back exactly is taken: the
    declared types themselves, finite JSON values for Any, unset fields at their defaults."""

    def __init__(self):
        self._tables: dict[str, list] = {}
        self._seen: dict[str, dict] = {}
        self._encoders: dict[Spec, Callable[[Any], int]] = {}
        self._known: dict[int, tuple[BaseModel, int]] = {}  # id(model) → (model, its index)

    def tables(self) -> dict[str, list]:
        return self._tables

    def model(self, value: BaseModel) -> int:
        return self._encoder(("model", type(value)))(value)

    def text(self, value: str) -> int:
        return self._encoder(("str",))(value)

    def _encoder(self, spec: Spec) -> Callable[[Any], int]:
        found = self._encoders.get(spec)
        if found is None:
            found = self._encoders[spec] = self._made_encoder(spec)
        return found

    def _made_encoder(self, spec: Spec) -> Callable[[Any], int]:
        kind, name = spec[0], table_name(spec)
        if kind == "model":
            return self._model_encoder(spec[1])
        if kind in ("list", "dict"):
            item = self._encoder(spec[1])
            if kind == "list":
                return lambda value: self._index(name, [0 if v is None else item(v) for v in _exactly(list, value)])
            return lambda value: self._index(name, {_exactly(str, k): 0 if v is None else item(v)
                                                    for k, v in _exactly(dict, value).items()})
        if kind == "raw":
            return lambda value: self._index(name, value, _json.dumps(_json_value(value)))  # True and 1 differ
        text = {"str": lambda value: _exactly(str, value),
                "decimal": lambda value: str(_exactly(Decimal, value)),  # exact: the same digits and exponent
                "date": lambda value: _exactly(date, value).isoformat()}[kind]
        return lambda value: self._text(name, text(value))

    def _model_encoder(self, model: type[BaseModel]) -> Callable[[BaseModel], int]:
        steps = []
        for bit, (name, spec) in enumerate(fields(model)):
            default, factory = _default(model.__pydantic_fields__[name])
            steps.append((name, 1 << bit, self._encoder(spec), factory() if factory else default))

        def encode(value: BaseModel) -> int:
            known = self._known.get(id(value))
            if known is not None and known[0] is value:  # shared (a catalog read back): encoded once
                return known[1]
            if type(value) is not model or value.__pydantic_extra__ or value.__pydantic_private__:
                raise TypeError(f"not a plain {model.__name__}")
            given, values, row = value.__pydantic_fields_set__, value.__dict__, [0]
            for name, bit, encoded, default in steps:
                field = values[name]
                if name in given:
                    row[0] |= bit
                    row.append(0 if field is None else encoded(field))
                elif field is not default and not _same(field, default):
                    raise TypeError(f"{model.__name__}.{name}: unset, yet not its default")
            index = self._index(model.__qualname__, row)
            self._known[id(value)] = (value, index)
            return index

        return encode

    def _text(self, name: str, text: str) -> int:
        return self._index(name, text, text)

    def _index(self, name: str, entry: Any, key: Any = None) -> int:
        """ENTRY's index in table NAME, added if new. KEY tells entries apart: by default the
        row, list or dict as a tuple (not orjson's bytes: each keeps a 4 KB buffer)."""
        seen = self._seen.get(name)
        if seen is None:
            seen, self._tables[name] = self._seen.setdefault(name, {}), []
        if key is None:
            key = tuple(entry.items()) if type(entry) is dict else tuple(entry)
        found = seen.get(key)
        if found is None:
            table = self._tables[name]
            table.append(entry)
            found = seen[key] = len(table)
        return found


def _same(value: Any, default: Any) -> bool:
    return type(value) is type(default) and value == default and repr(value) == repr(default)


def _exactly(kind: type, value: Any) -> Any:
    if type(value) is not kind:
        raise TypeError(f"{type(value).__name__} where {kind.__name__} was declared")
    return value


def _json_value(value: Any) -> Any:
    """VALUE if JSON gives it back as it is (finite numbers, text, lists, objects keyed by text)."""
    pending = [value]
    while pending:
        item = pending.pop()
        kind = type(item)
        if kind is dict:
            pending.extend(map(partial(_exactly, str), item))
            pending.extend(item.values())
        elif kind is list:
            pending.extend(item)
        elif not (kind in (str, int, bool) or item is None or kind is float and math.isfinite(item)):
            raise TypeError(f"{kind.__name__} in a value stored as JSON")
    return value


class Decoder:
    """Tables back into models, each table once, after the tables its entries point into."""

    def __init__(self, stored: dict, roots: tuple[type[BaseModel], ...]):
        self._empty: tuple[list, dict] = ([], {})  # every empty list and dict: none is ever changed
        self._built: dict[str, list] = {}
        for name, read in LEAVES.items():
            entries = stored.pop(name, [])
            self._built[name] = [None, *(entries if read is None else map(read, entries))]
        for spec in _order(roots):
            name = table_name(spec)
            entries, stored[name] = stored.get(name, []), None  # the JSON let go of as its objects are made
            if spec[0] == "model":
                self._built[name] = self._models(spec[1], entries)
            else:
                self._built[name] = self._containers(spec, entries)

    def models(self, model: type[BaseModel], indices: list[int]) -> list:
        if indices and min(indices) < 1:
            raise ValueError(f"a {model.__name__} that is null")
        return list(map(self._built[model.__qualname__].__getitem__, indices))

    def texts(self, indices: list[int]) -> list[str]:
        return list(map(self._built["str"].__getitem__, indices))

    def _models(self, model: type[BaseModel], rows: list) -> list:
        plans: dict[int, tuple] = {}
        made: list = [None]
        build = None  # the first row decides: made both ways, the fast way is kept if it gives the same
        for row in rows:
            plan = plans.get(row[0])
            if plan is None:
                plan = plans[row[0]] = self._plan(model, row[0])
            if build is None:
                build = _fast if _fast_is_exact(model, row, plan) else _constructed
            made.append(build(model, row, plan))
        return made

    def _plan(self, model: type[BaseModel], mask: int) -> tuple:
        """(every field's name, where its value is (its table or (None, its default)), which of the
        row's values each takes (its default's: the 1 appended to the row), the fields set, the
        row's length)."""
        names, sources, positions, given = [], [], [], set()
        width = bin(mask).count("1") + 1
        for bit, (name, spec) in enumerate(fields(model)):
            info = model.__pydantic_fields__[name]
            names.append(name)
            if mask >> bit & 1:
                given.add(name)
                sources.append(self._built[table_name(spec)])
                positions.append(len(given))
            elif info.is_required():
                raise KeyError(f"{model.__name__}.{name}: a required field is missing")
            else:
                default, factory = _default(info)
                sources.append((None, default if factory is None else self._empty[factory is dict]))
                positions.append(width)
        if mask >> len(names):
            raise ValueError("a field this model does not have")
        taken = itemgetter(*positions) if len(positions) > 1 else lambda row: (row[positions[0]],)
        return tuple(names), tuple(sources), taken, given, width

    def _containers(self, spec: Spec, entries: list) -> list:
        items = self._built[table_name(spec[1])]
        if spec[0] == "list":
            return [None, *([items[i] for i in entry] if entry else self._empty[0] for entry in entries)]
        return [None, *({key: items[i] for key, i in entry.items()} if entry else self._empty[1] for entry in entries)]


def _fast(model: type[BaseModel], row: list, plan: tuple) -> BaseModel:
    names, sources, taken, fields_set, width = plan
    if len(row) != width:
        raise ValueError(f"a {model.__name__} row of {len(row)} values, not {width}")
    row.append(1)  # what a field left at its default takes from (None, default)
    made = _new(model)
    # every field in declaration order, as model_construct orders them, into a dict that shares
    # its table of names with the other instances of the class
    made.__dict__.update(zip(names, map(getitem, sources, taken(row))))
    row.pop()
    _setattr(made, "__pydantic_fields_set__", fields_set)
    _setattr(made, "__pydantic_extra__", None)
    _setattr(made, "__pydantic_private__", None)
    return made


def _fast_is_exact(model: type[BaseModel], row: list, plan: tuple) -> bool:
    """The fast way gives what `model_construct` gives for ROW, the first of its class: the same
    fields in the same order, fields set, extra and private parts. (The defaults it fills in for
    other rows are the ones the encoder checked unset fields against.)"""
    fast, made = _fast(model, row, plan), _constructed(model, row, plan)
    return fast.__getstate__() == made.__getstate__() and list(fast.__dict__) == list(made.__dict__)


def _constructed(model: type[BaseModel], row: list, plan: tuple) -> BaseModel:
    values = dict(_fast(model, row, plan).__dict__)  # the values, looked up and defaulted
    return model.model_construct(_fields_set=set(plan[3]), **values)


def _order(roots: tuple[type[BaseModel], ...]) -> list[Spec]:
    """The model, list and dict tables ROOTS need, each after the tables its entries point into."""
    ordered: list[Spec] = []
    names: dict[str, Spec] = {}
    visiting: set = set()

    def visit(spec: Spec) -> None:
        if spec[0] in LEAVES or spec in ordered:
            return
        if spec in visiting or names.setdefault(table_name(spec), spec) != spec:
            raise TypeError(f"a model that contains itself, or two types stored as {table_name(spec)}")
        visiting.add(spec)
        for inner in ([s for _, s in fields(spec[1])] if spec[0] == "model" else [spec[1]]):
            visit(inner)
        ordered.append(spec)

    for root in roots:
        visit(("model", root))
    return ordered


_new, _setattr = object.__new__, object.__setattr__
