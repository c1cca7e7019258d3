"""Decisions as of a date: the catalog as it stood then, and the decision stamped with the date."""

from __future__ import annotations

from datetime import date
from typing import Any, Optional

from recommender.domain.catalog import PRICE_FIELDS, Catalog, Offering


def setup_as_of(setup, day: Optional[date]):
    """SETUP with its catalog as it stood on DAY (prices from their history); unchanged for None."""
    return setup if day is None else setup.replaced(catalog=as_of(setup.catalog, day))


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


def as_of(catalog: Catalog, day: date) -> Catalog:
    """The catalog as it stood on DAY: every price the value then in force (from its `history`), and
    offerings retired after DAY not retired yet. The same catalog when nothing differs."""
    offerings = {oid: _offering_as_of(o, day) for oid, o in catalog.offerings.items()}
    if all(offerings[oid] is o for oid, o in catalog.offerings.items()):
        return catalog
    import hashlib
    from dataclasses import replace

    return replace(catalog, offerings=offerings, directory=f"{catalog.directory} as of {day}",
                   sha256=hashlib.sha256(f"{catalog.sha256} as of {day}".encode()).hexdigest())


def _offering_as_of(offering: Offering, day: date) -> Offering:
    p = offering.prices
    changed = {name: getattr(p, name).in_force(day) for name in PRICE_FIELDS
               if getattr(p, name) is not None and getattr(p, name).in_force(day) is not getattr(p, name)}
    training = {key: price.in_force(day) for key, price in p.training.items()}
    if any(training[key] is not price for key, price in p.training.items()):
        changed["training"] = training
    update: dict[str, Any] = {"prices": p.model_copy(update=changed)} if changed else {}
    if offering.retired_on is not None and offering.retired_on > day:
        update["retired_on"] = None
    return offering.model_copy(update=update) if update else offering
