"""Plain records: classes whose fields are their __slots__, compared, hashed and shown by them.

A dataclass writes its methods as source text and compiles them when its module is imported: about a
millisecond a class on Python 3.11, and the two dozen on `recommend`'s path came to a twentieth of a
cold start. A Record writes its own __init__ (compiled with its module, into the byte-code cache)
and shares these generic methods, which no decision calls on its hot path.
"""

from __future__ import annotations

import copy
from typing import Any


class Record:
    __slots__ = ()
    UNCOMPARED: frozenset = frozenset()  # fields left out of ==, hash and repr (derived or cached values)

    def _compared(self) -> tuple:
        return tuple(getattr(self, name) for name in self.__slots__ if name not in self.UNCOMPARED)

    def __eq__(self, other: Any) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._compared() == other._compared()

    def __hash__(self) -> int:
        return hash(self._compared())

    def __repr__(self) -> str:
        shown = (f"{name}={getattr(self, name)!r}" for name in self.__slots__ if name not in self.UNCOMPARED)
        return f"{type(self).__name__}({', '.join(shown)})"

    def replaced(self, **changes: Any):
        """A copy with CHANGES (what dataclasses.replace does for a dataclass)."""
        new = copy.copy(self)
        for name, value in changes.items():
            setattr(new, name, value)
        return new
