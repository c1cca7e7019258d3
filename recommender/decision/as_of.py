"""Decisions as of a date: the catalog as it stood then, and the decision stamped with the date."""

from __future__ import annotations

from datetime import date
from typing import Optional


def setup_as_of(setup, day: Optional[date]):
    """SETUP with its catalog as it stood on DAY (prices from their history); unchanged for None."""
    from dataclasses import replace

    from recommender.domain.catalog import as_of

    return setup if day is None else replace(setup, catalog=as_of(setup.catalog, day))


def stamp_as_of(decision: dict, day: Optional[date]) -> dict:
    """The decision with `as_of` after `today` when a date was given; as it is otherwise."""
    if day is None:
        return decision
    stamped = {}
    for key, value in decision.items():
        stamped[key] = value
        if key == "today":
            stamped["as_of"] = day.isoformat()
    return stamped


def stamped_line(line: str, day: Optional[date]) -> str:
    """A decision as one JSON line, stamped with `as_of` when a date was given."""
    if day is None:
        return line
    import json

    return json.dumps(stamp_as_of(json.loads(line), day), ensure_ascii=False)  # as decide.dumps writes a line
