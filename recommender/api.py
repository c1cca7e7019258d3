"""The public Python API: what `import recommender` offers, and what the CLI and the web page call.

Every function takes requirements as a mapping, a path to a YAML/JSON file, or a `Requirements`;
a catalog or rule set as a loaded object, a directory, or None for the built-in one. Bad input
raises `InputError` (its text is the one-line message the CLI prints).
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Union

from recommender.decision.decide import Setup, decide
from recommender.domain.catalog import Catalog
from recommender.domain.catalog import load_catalog as _load_catalog
from recommender.domain.errors import InputError
from recommender.domain.requirements import Requirements, load_requirements, requirements_from
from recommender.engine.rules import RuleSet
from recommender.engine.rules import load_rules as _load_rules

if TYPE_CHECKING:  # the Decision model is built on first use: the CLI never needs it
    from recommender.decision.schema import Decision

RequirementsLike = Union[Requirements, dict, str, os.PathLike]
CatalogLike = Union[Catalog, str, os.PathLike, None]
RulesLike = Union[RuleSet, str, os.PathLike, None]


def load_catalog(directory: Union[str, os.PathLike, None] = None) -> Catalog:
    """The price catalog in DIRECTORY (one YAML file per provider), or the built-in one.

    >>> catalog = load_catalog()
    >>> catalog.offerings["openai/gpt-4o-mini"].prices.training["lora.sft"].usd
    Decimal('3.00')
    """
    return _load_catalog(directory)


def load_rules(directory: Union[str, os.PathLike, None] = None) -> RuleSet:
    """The rule set in DIRECTORY (YAML rule files), or the built-in one.

    >>> len(load_rules().rules) > 0
    True
    """
    return _load_rules(directory)


def recommend(requirements: RequirementsLike, *, catalog: CatalogLike = None, rules: RulesLike = None,
              record: Union[bool, str, os.PathLike] = False, today: Optional[date] = None,
              as_of: Optional[date] = None) -> Decision:
    """Decide the approach and rank the allowed offerings; the same object as `ftrec recommend --format json`.

    `record=True` appends the decision to the default decision log; a path names another log.
    `as_of` prices the decision with the prices in force on that day (from each price's history).

    >>> d = recommend({"inference": {"monthly_tokens": "100M"}, "task": {"kind": "narrow"}})
    >>> d.approach.choice
    'fine_tune'
    """
    from recommender.decision.as_of import setup_as_of, stamp_as_of

    req, source = as_requirements(requirements)
    setup = setup_as_of(setup_for(catalog, rules), as_of)
    decision = stamp_as_of(decide(req, setup, today or date.today(), source=source), as_of)
    if record:
        from recommender.records import log

        target = log.log_path(None if record is True else str(record))
        log.check_writable(target)
        log.append(decision, target)
    from recommender.decision.schema import Decision

    return Decision.model_validate(decision)


def cost(requirements: RequirementsLike, offering: str, *, catalog: CatalogLike = None, rules: RulesLike = None,
         today: Optional[date] = None) -> dict:
    """One offering's full cost breakdown (the `ftrec cost --format json` object).

    >>> cost({}, "openai/gpt-4o-mini")["cost"]["year_one"]
    '621.00'
    """
    from recommender.decision.whatif import cost_of

    req, source = as_requirements(requirements)
    return cost_of(req, setup_for(catalog, rules), offering, today or date.today(), source)


def explain(decision: Union["Decision", dict], *, why_not: Optional[str] = None, rules: RulesLike = None) -> dict:
    """The rules that fired, in order, with the facts that made each fire; or, with `why_not`, why
    that offering was excluded or ranked lower (the `ftrec explain --format json` object).

    >>> d = recommend({"needs": {"data_residency": "eu"}})
    >>> explain(d, why_not="openai/gpt-4o")["status"]
    'excluded'
    """
    from recommender.decision.explain import story
    from recommender.decision.explain import why_not as why_not_of

    data = decision if isinstance(decision, dict) else decision.model_dump(mode="json")
    ruleset = rules if isinstance(rules, RuleSet) else _load_rules(rules)
    return why_not_of(data, why_not, ruleset) if why_not else story(data, ruleset)


def sweep(requirements: RequirementsLike, vary: str, *, top: int = 2, catalog: CatalogLike = None,
          rules: RulesLike = None, today: Optional[date] = None) -> dict:
    """How the approach and ranking change as one input varies (the `ftrec sweep --format json` object).

    >>> s = sweep({}, "inference.monthly_tokens=1M..1B:10:log")
    >>> len(s["points"])
    10
    """
    from recommender.decision import sweep as sweeping
    from recommender.decision.whatif import sweep_json

    spec = sweeping.parse_spec(vary)
    req, source = as_requirements(requirements)
    setup = setup_for(catalog, rules)
    sweeper = sweeping.Sweeper(req, spec, setup, today or date.today(), source, keep=top)
    sweeper.requirements_at(spec.low)
    with sweeping.collector_paused():
        points = sweeper.grid_points(sweeping.grid(spec))
        crossings = sweeping.crossovers(sweeper, points)
    return sweep_json(spec, points, crossings, top, setup, sweeper)


# --- helpers the interfaces share -------------------------------------------------------------


def as_requirements(requirements: RequirementsLike, label: str = "requirements") -> tuple[Requirements, str]:
    """(Requirements, the source label decisions record) from a mapping, a path or a model."""
    if isinstance(requirements, Requirements):
        return requirements, label
    if isinstance(requirements, dict):
        return requirements_from(requirements, label), label
    if isinstance(requirements, (str, os.PathLike)):
        path = str(requirements)
        return load_requirements(path), path
    raise InputError(f"requirements must be a mapping, a file path or a Requirements, got {type(requirements).__name__}")


def setup_for(catalog: CatalogLike = None, rules: RulesLike = None) -> Setup:
    loaded_catalog = catalog if isinstance(catalog, Catalog) else _load_catalog(_path(catalog))
    loaded_rules = rules if isinstance(rules, RuleSet) else _load_rules(_path(rules))
    return Setup(loaded_catalog, loaded_rules)


def _path(value: Any) -> Optional[Path]:
    return None if value is None else Path(value)
