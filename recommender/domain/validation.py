"""Turning pydantic's validation errors into one plain line: `file: field.path: problem`."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from recommender.domain.errors import InputError


def first_error(exc: ValidationError, file: str | None, model: type[BaseModel] | None = None) -> InputError:
    error = exc.errors(include_url=False)[0]
    location = [part for part in error["loc"] if not _is_branch_name(part)]
    return InputError(_problem(error, location, model), file=file, path=_path(location) or None)


def _is_branch_name(part: Any) -> bool:
    # pydantic names union branches and validator functions in the location; users never wrote them.
    return isinstance(part, str) and (
        part.startswith(("function-", "lax-", "str", "int", "json-or-python", "union["))
        or part in ("BaselineRates",)
        or "[" in part and "]" in part
    )


def _path(location: list) -> str:
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _problem(error: dict, location: list, model: type[BaseModel] | None) -> str:
    kind, given = error["type"], error.get("input")
    if kind == "extra_forbidden":
        return "unknown field" + _suggestion(location, model)
    if kind == "missing":
        return "required field is missing"
    if kind in ("literal_error", "enum"):
        expected = error.get("ctx", {}).get("expected", "")
        return f"must be one of {expected.replace(chr(39), '')}, got {_show(given)}"
    if kind == "value_error":
        return str(error.get("ctx", {}).get("error", error["msg"]))
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"must be a mapping, got {_show(given)}"
    if kind == "list_type":
        return f"must be a list, got {_show(given)}"
    if kind in ("string_type", "string_too_short", "string_too_long", "string_pattern_mismatch"):
        return f"{error['msg'].lower()}, got {_show(given)}"
    if kind in ("bool_type", "bool_parsing"):
        return f"must be true or false, got {_show(given)}"
    if kind in ("date_type", "date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact"):
        return f"must be a date such as 2026-01-01, got {_show(given)}"
    if kind == "too_short":
        return "must not be empty"
    return f"{error['msg'].lower()}, got {_show(given)}"


def _suggestion(location: list, model: type[BaseModel] | None) -> str:
    if model is None or not location:
        return ""
    fields = _fields_at(model, location[:-1])
    import difflib  # only on the way to an error message

    close = difflib.get_close_matches(str(location[-1]), fields, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else f" (known: {', '.join(fields)})" if fields else ""


def _fields_at(model: type[BaseModel], parents: list) -> list[str]:
    current: Any = model
    for part in parents:
        info = getattr(current, "model_fields", {}).get(part)
        if info is None:
            return []
        current = info.annotation
        if not hasattr(current, "model_fields"):
            return []
    return list(getattr(current, "model_fields", {}))


def _show(value: Any) -> str:
    if isinstance(value, str):
        return '"' + (value if len(value) <= 40 else value[:37] + "...") + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return str(value)
