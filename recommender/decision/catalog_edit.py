"""Writing a changed catalog file back as YAML: edited in place where the layout allows, so its
comments (each figure's citation) survive; written afresh otherwise. Either way deterministic."""

from __future__ import annotations

import copy
import re
from typing import Any, Optional

import yaml


def dump_yaml(data: Any) -> str:
    """Plain block YAML, keys in the order given, no anchors: the same data always gives the same text."""

    class Plain(yaml.SafeDumper):
        def ignore_aliases(self, data: Any) -> bool:
            return True

        def choose_scalar_style(self) -> str:  # "..." as the catalog files quote, not '...'
            style = super().choose_scalar_style()
            return '"' if style == "'" else style

    return yaml.dump(data, Dumper=Plain, sort_keys=False, allow_unicode=True, width=10_000, default_flow_style=False)


def rewritten(text: str, old: dict, new: dict) -> str:
    """TEXT (whose data is OLD) holding NEW: edited in place, or the file's leading comments and NEW."""
    edited = _edited(text, old, new)
    return edited if edited is not None else _header(text) + dump_yaml(new)


def _header(text: str) -> str:
    """The comment lines a file starts with."""
    lines = []
    for line in text.splitlines(keepends=True):
        if not line.startswith("#"):
            break
        lines.append(line)
    return "".join(lines)


def _edited(text: str, old: dict, new: dict) -> Optional[str]:
    """Each changed price block replaced (or added), and `retired_on` and `notes` added, in the text;
    None when the result would not read back as NEW."""
    try:
        lines = text.split("\n")
        olds = {o.get("id"): o for o in old.get("offerings", [])}
        for offering in new.get("offerings", []):
            before = olds.get(offering.get("id"))
            if before is None or not _edit_offering(lines, before, offering):
                return None
        result = "\n".join(lines)
        return result if yaml.safe_load(result) == yaml.safe_load(dump_yaml(new)) else None
    except (StopIteration, ValueError, yaml.YAMLError):
        return None


def _edit_offering(lines: list[str], old: dict, new: dict) -> bool:
    start = next(i for i, line in enumerate(lines) if re.fullmatch(rf"( *)- id: {re.escape(str(new['id']))}\s*(#.*)?", line))
    field = " " * (_indent(lines[start]) + 2)
    end = next((i for i in range(start + 1, len(lines)) if _code(lines[i]) and _indent(lines[i]) < len(field)), len(lines))
    prices_at = next(i for i in range(start, end) if lines[i].rstrip() == f"{field}prices:")
    for key in new:
        if key != "prices" and new[key] != old.get(key):
            if key not in ("retired_on", "notes") or key in old:
                return False
            block = [field + line for line in dump_yaml({key: new[key]}).rstrip("\n").split("\n")]
            lines[prices_at:prices_at] = block
            prices_at += len(block)
            end += len(block)
    price_indent = field + "  "
    for name, price in new["prices"].items():
        if old["prices"].get(name) == price:
            continue
        block = [price_indent + line for line in dump_yaml({name: copy.deepcopy(price)}).rstrip("\n").split("\n")]
        prices_end = next((i for i in range(prices_at + 1, end) if _code(lines[i]) and _indent(lines[i]) < len(price_indent)), end)
        at = next((i for i in range(prices_at + 1, prices_end) if re.match(rf"{price_indent}{re.escape(name)}:", lines[i])), None)
        if at is None:
            last = max(i for i in range(prices_at, prices_end) if _code(lines[i]))
            lines[last + 1:last + 1] = block
            end += len(block)
            continue
        stop = next((i for i in range(at + 1, prices_end) if _code(lines[i]) and _indent(lines[i]) <= len(price_indent)), prices_end)
        while stop > at + 1 and not _code(lines[stop - 1]):
            stop -= 1
        lines[at:stop] = block
        end += len(block) - (stop - at)
    return True


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _code(line: str) -> bool:
    return bool(line.strip()) and not line.lstrip().startswith("#")
