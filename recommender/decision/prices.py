"""Keeping prices current: our inference and base prices against genai-prices' (reconcile), a catalog
with genai-prices' values taken and the replaced ones kept in `history` (refresh), and what changed
between two catalogs (diff). Training prices are never touched: genai-prices has none.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Optional

from recommender.domain import files, reference
from recommender.domain.catalog import PRICE_FIELDS, RECONCILED, Catalog, Offering, Price, Ref
from recommender.domain.pricecheck import iter_prices

STATUSES = ("agrees", "differs", "ours_missing", "theirs_missing")
CHANGES = ("differs", "ours_missing")  # what refresh takes from genai-prices
CONFIRMED = "; confirmed by "


def rate_text(value: Optional[Decimal]) -> Optional[str]:
    """A per-1M rate as JSON text: at least two decimals, never rounded ($0.30, $0.003, $3.00)."""
    if value is None:
        return None
    return format(value.quantize(Decimal("0.01")) if value == value.quantize(Decimal("0.01")) else value.normalize(), "f")


@dataclass(frozen=True)
class Row:
    offering: str
    price: str  # the catalog key: inference_input, base_output, ...
    ours: Optional[Price]
    theirs: Optional[Decimal]
    theirs_source: str
    status: str
    reference: Optional[reference.TheirPrice] = None

    def to_dict(self) -> dict:
        return {"offering": self.offering, "price": self.price, "ours": rate_text(self.ours.usd) if self.ours else None,
                "theirs": rate_text(self.theirs), "theirs_source": self.theirs_source, "status": self.status}


# --- reconcile ----------------------------------------------------------------------------


def reconcile(catalog: Catalog, day: date) -> list[Row]:
    """Every inference and base price either side gives, ours against genai-prices' on DAY."""
    return [row for offering in catalog.offerings.values() for row in _offering_rows(offering, day)]


def _offering_rows(offering: Offering, day: date) -> list[Row]:
    refs = offering.refs
    inference = ("inference_flat",) if offering.prices.inference_flat else ("inference_input", "inference_output")
    return [*_rows(offering, refs.inference if refs else None, "refs.inference", inference, day),
            *_rows(offering, refs.base if refs else None, "refs.base", ("base_input", "base_output"), day)]


def _rows(offering: Offering, ref: Optional[Ref], field: str, names: tuple[str, ...], day: date) -> list[Row]:
    theirs = reference.lookup(ref, day) if ref else None
    if theirs is None:
        why = f"no model {ref.provider}/{ref.model}" if ref else f"no {field} in the catalog"
        source = f"{reference.PACKAGE} {reference.version()}: {why}"
        return [Row(offering.id, name, getattr(offering.prices, name), None, source, "theirs_missing")
                for name in names if getattr(offering.prices, name) is not None]
    rows = []
    for name in names:
        ours, value, source = getattr(offering.prices, name), _their_value(theirs, name), theirs.source
        if name == "inference_flat" and value is None:
            source += f" gives ${rate_text(theirs.input)} in / ${rate_text(theirs.output)} out, not one flat rate"
        if ours is None and value is None:
            continue
        rows.append(Row(offering.id, name, ours, value, source, _status(ours, value), theirs))
    return rows


def _their_value(theirs: reference.TheirPrice, name: str) -> Optional[Decimal]:
    if name == "inference_flat":
        return theirs.input if theirs.input is not None and theirs.input == theirs.output else None
    return theirs.input if name.endswith("_input") else theirs.output


def _status(ours: Optional[Price], theirs: Optional[Decimal]) -> str:
    if ours is None:
        return "ours_missing"
    if theirs is None:
        return "theirs_missing"
    return "agrees" if ours.usd == theirs else "differs"


# --- refresh ------------------------------------------------------------------------------


def refresh(directory: Path, catalog: Catalog, day: date) -> dict[str, str]:
    """The catalog files of DIRECTORY with genai-prices' values taken: file name -> YAML text.

    Files with nothing to change are kept as they are; changed ones are edited in place, so their
    comments stay, unless their layout asks for writing them afresh."""
    from recommender.decision.catalog_edit import rewritten

    rows = reconcile(catalog, day)
    _, texts, _ = files.read_directory(directory, "catalog", "--catalog", (".yaml", ".yml", ".json"))
    out = {}
    for path, text in texts:
        original = files.parse(text, str(path))
        data = copy.deepcopy(original)
        changed = isinstance(data, dict) and "offerings" in data and _refresh_file(data, rows)
        if not changed:
            out[path.name] = text
            continue
        out[path.with_suffix(".yaml").name] = rewritten(text, original, data)
    return out


def _refresh_file(data: dict, rows: list[Row]) -> bool:
    changed = False
    by_offering: dict[str, list[Row]] = {}
    for row in rows:
        by_offering.setdefault(row.offering, []).append(row)
    for offering in data["offerings"]:
        for row in by_offering.get(offering.get("id"), ()):
            changed |= _apply(offering, row)
        changed |= _retire(offering, by_offering.get(offering.get("id"), ()))
    return changed


def _apply(offering: dict, row: Row) -> bool:
    theirs = row.reference
    if theirs is None or row.status == "theirs_missing":
        return False
    prices = offering.setdefault("prices", {})
    old = prices.get(row.price)
    if row.status == "agrees":
        return _confirm(old, theirs)
    start = theirs.as_of
    if old is not None and start <= _date(old["as_of"]):
        start = max(reference.data_date(), _date(old["as_of"]))
    new = {"usd": rate_text(row.theirs), "source": theirs.source, "as_of": start}
    if old is not None:
        past = {"usd": str(old["usd"]), "source": old["source"], "from": _date(old["as_of"]), "until": start}
        if old.get("note"):
            past["note"] = old["note"]
        new["note"] = f"{theirs.ref} in genai-prices; the catalog's earlier ${rate_text(Decimal(str(old['usd'])))} is in history"
        for key in ("conflicts",):
            if old.get(key):
                new[key] = copy.deepcopy(old[key])
        new["history"] = [*copy.deepcopy(old.get("history") or []), past]
    prices[row.price] = new
    _order_prices(prices)
    return True


def _confirm(old: dict, theirs: reference.TheirPrice) -> bool:
    """An agreeing price keeps its value and source, now dated by genai-prices' confirmation."""
    if theirs.as_of <= _date(old["as_of"]):
        return False
    old["source"] = old["source"].split(CONFIRMED)[0] + CONFIRMED + theirs.source
    old["as_of"] = theirs.as_of
    return True


def _retire(offering: dict, rows) -> bool:
    deprecated = next((r.reference for r in rows if r.reference is not None and r.reference.deprecated), None)
    if deprecated is None or offering.get("retired_on"):
        return False
    offering["retired_on"] = deprecated.retired_on
    offering.setdefault("notes", []).append(f"retired on {deprecated.retired_on}: {deprecated.source}")
    return True


def _order_prices(prices: dict) -> None:
    order = ["training", *PRICE_FIELDS]
    ordered = sorted(prices.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order))
    prices.clear()
    prices.update(ordered)


def _date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


# --- diff ---------------------------------------------------------------------------------


def diff(old: Catalog, new: Catalog) -> list[dict]:
    """Offerings added and removed, and every price (and retirement) whose value changed."""
    rows = []
    for oid in sorted(old.offerings.keys() | new.offerings.keys()):
        a, b = old.offerings.get(oid), new.offerings.get(oid)
        if a is None or b is None:
            rows.append({"offering": oid, "price": None, "old": None, "new": None,
                         "change": "added" if a is None else "removed"})
            continue
        before, after = _values(a), _values(b)
        for name in sorted(before.keys() | after.keys(), key=_price_order):
            if before.get(name) != after.get(name):
                change = "added" if name not in before else "removed" if name not in after else "changed"
                rows.append({"offering": oid, "price": name, "old": before.get(name), "new": after.get(name),
                             "change": change})
    return rows


def _values(offering: Offering) -> dict[str, str]:
    values = {name: rate_text(price.usd) for name, price in iter_prices(offering)}
    if offering.retired_on is not None:
        values["retired_on"] = offering.retired_on.isoformat()
    return values


def _price_order(name: str) -> tuple:
    order = [*RECONCILED, *PRICE_FIELDS]
    return (name.startswith("training."), order.index(name) if name in order else len(order), name)


# --- writing ------------------------------------------------------------------------------


def write_catalog(out: Path, texts: dict[str, str], force: bool = False) -> None:
    """Write the catalog files into OUT all at once: built beside it, checked to load, then moved in.
    A non-empty OUT is replaced only with FORCE."""
    import shutil
    import tempfile

    from recommender.domain.catalog import load_catalog
    from recommender.domain.errors import EnvironmentProblem, InputError

    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not force)):
        what = "is not a directory" if not out.is_dir() else "is not empty: give --force to replace it"
        raise InputError(what, file=str(out), path="--out")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
        for name in sorted(texts):
            (staging / name).write_text(texts[name], encoding="utf-8")
        load_catalog(staging)  # what is written must load: a bad refresh never lands
        old = None
        if out.exists():
            old = out.with_name(f"{staging.name}.old")
            out.rename(old)
        staging.rename(out)
        if old is not None:
            shutil.rmtree(old)
    except OSError as exc:
        raise EnvironmentProblem(f"{out}: cannot write the catalog ({exc.strerror or exc}); "
                                 "check the directory is writable and the disk has room") from None
    finally:
        if "staging" in locals() and staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
