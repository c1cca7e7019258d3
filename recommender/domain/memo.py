"""Remembering what depends only on the catalog, the rules or a few request values, across decisions.

A Memo maps a key to what was made for it, and forgets everything at once when it holds LIMIT
entries, so it never grows without bound. Where a key holds an object's id(), the object is kept
with the entry (KEEP): it lives as long as the entry does, so no other object can take its id.
"""

from __future__ import annotations

from typing import Any, Callable, Hashable


class Memo:
    __slots__ = ("_found", "_limit")

    def __init__(self, limit: int):
        self._found: dict = {}
        self._limit = limit

    def get(self, key: Hashable, make: Callable[..., Any], *args: Any, keep: Any = None) -> Any:
        """What make(*args) gave for KEY, made now if not yet (KEEP: what the key's ids name)."""
        found = self._found.get(key)
        if found is None:
            if len(self._found) >= self._limit:
                self._found.clear()
            found = self._found[key] = (make(*args), keep)
        return found[0]

    def __len__(self) -> int:
        return len(self._found)

    def clear(self) -> None:
        self._found.clear()
