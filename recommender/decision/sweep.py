"""Sweeps: how the approach and the ranking change as one numeric requirement varies.

Each grid point runs the same rules and cost core as `recommend` (through decision.evaluate, with
one engine for the whole sweep). Between grid points whose approach, top offering, or break-even
within the year differ, the exact switching value is found by bisection: to the token for counts,
to 0.0001 for shares. Where the top offering changes along monthly volume and year-1 (or monthly
cost) is linear in it, the closed-form crossing is reported too:
    volume = (fixed_B − fixed_A) / (rate_A − rate_B) per 1M tokens.
"""

from __future__ import annotations

import contextlib
import gc
import math
import re
from datetime import date
from decimal import Decimal, localcontext
from typing import Any, Callable, Optional

import orjson

from recommender.domain.errors import InputError
from recommender.domain.record import Record

HORIZON_MONTHS = 12  # break-even "within the horizon": training paid back within year one
EXAMPLE = "inference.monthly_tokens=100K..1B:40:log"
DEFAULT_STEPS = 20
MAX_STEPS = 10_000

# field → kind: how LOW..HIGH are read and how finely a crossover is located
SWEEPABLE = {
    "inference.monthly_tokens": "tokens",
    "inference.monthly_queries": "requests",
    "inference.input_share": "share",
    "training.tokens": "tokens",
    "training.epochs": "count",
    "training.validation_tokens": "tokens",
    "training.evaluations": "count",
    "operations.trainings_per_year": "count",
    "training.hours": "decimal",
}
RESOLUTION = {"tokens": Decimal(1), "requests": Decimal(1), "count": Decimal(1), "share": Decimal("0.0001"),
              "decimal": Decimal("0.01")}
_SPEC = re.compile(r"^(?P<field>[a-z_.]+)=(?P<range>[^:]+?)(?::(?P<steps>[^:]*))?(?::(?P<spacing>[^:]*))?$")


class Spec(Record):
    __slots__ = ("field", "low", "high", "steps", "log")

    def __init__(self, field: str, low: Decimal, high: Decimal, steps: int, log: bool):
        self.field, self.low, self.high, self.steps, self.log = field, low, high, steps, log

    @property
    def kind(self) -> str:
        return SWEEPABLE[self.field]

    @property
    def integral(self) -> bool:
        return self.kind in ("tokens", "requests", "count")


def parse_spec(text: str) -> Spec:
    def bad(problem: str) -> InputError:
        return InputError(f"{problem}: expected FIELD=LOW..HIGH[:STEPS[:log]], e.g. {EXAMPLE}", path="--vary")

    match = _SPEC.match(text.strip())
    if not match or ".." not in match["range"]:
        raise bad(f"cannot read {text!r}")
    name = match["field"]
    if name not in SWEEPABLE:
        raise bad(f"{name!r} is not a numeric requirement ({', '.join(SWEEPABLE)})")
    low_text, _, high_text = match["range"].partition("..")
    low, high = (_number(name, t.strip(), bad) for t in (low_text, high_text))
    if low >= high:
        raise bad(f"LOW must be below HIGH, got {low_text}..{high_text}")
    steps = match["steps"] or str(DEFAULT_STEPS)
    if not steps.isdigit() or not 2 <= int(steps) <= MAX_STEPS:
        raise bad(f"STEPS must be a whole number from 2 to {MAX_STEPS:,}, got {steps!r}")
    spacing = match["spacing"]
    if spacing not in (None, "", "log", "linear"):
        raise bad(f"spacing must be log or linear, got {spacing!r}")
    if spacing == "log" and low <= 0:
        raise bad("log spacing needs LOW above 0")
    return Spec(name, low, high, int(steps), spacing == "log")


def _number(name: str, text: str, bad) -> Decimal:
    from pydantic import ValidationError

    from recommender.engine.facts import FACTS

    try:
        value = FACTS[name].adapter.validate_python(text)
    except ValidationError as exc:
        from recommender.domain.validation import first_error

        raise bad(f"{name} {first_error(exc, None).problem}") from None
    if value is None:
        raise bad(f"{name} needs a number, got {text!r}")
    return Decimal(value)


def grid(spec: Spec) -> list[Decimal]:
    """STEPS values from LOW to HIGH (both included), evenly or log-spaced; counts rounded, repeats dropped."""
    n = spec.steps - 1
    if spec.log:
        inner = _log_spaced(spec, n)
    else:
        with localcontext() as context:
            context.prec = 34
            inner = [spec.low + (spec.high - spec.low) * i / n for i in range(1, n)]
        inner = [_round(spec, v) for v in inner]
    return list(dict.fromkeys([_round(spec, spec.low), *inner, _round(spec, spec.high)]))


NEAR_HALF = 1e-9  # a float this close (relative) to halfway between two grid values is worked out exactly


def _log_spaced(spec: Spec, n: int) -> list[Decimal]:
    """The inner log-spaced values, rounded to the field's resolution: low × e^(ln(high/low) × i/n) at
    34 digits, as Decimal computes it. Each is estimated in floating point first (a thousand
    34-digit exponentials took longer than the sweep's output); the estimate, off by about 1e-14 of
    itself, rounds to the same value unless it lies within NEAR_HALF of halfway, and then the value
    is computed exactly."""
    step = RESOLUTION[spec.kind]
    with localcontext() as context:
        context.prec = 34
        ratio = (spec.high / spec.low).ln()
    low, rate, per = float(spec.low), float(ratio), float(step)
    values = []
    for i in range(1, n):
        estimate = low * math.exp(rate * i / n) / per
        if abs(estimate - math.floor(estimate) - 0.5) > NEAR_HALF * (1 + estimate):
            values.append(Decimal(math.floor(estimate + 0.5)) * step)
        else:
            values.append(_exact_log_point(spec, ratio, i, n))
    return values


def _exact_log_point(spec: Spec, ratio: Decimal, i: int, n: int) -> Decimal:
    with localcontext() as context:
        context.prec = 34
        value = spec.low * (ratio * i / n).exp()
    return _round(spec, value)


def _round(spec: Spec, value: Decimal) -> Decimal:
    step = RESOLUTION[spec.kind]
    return (value / step).to_integral_value() * step


@contextlib.contextmanager
def collector_paused():
    """Each evaluation allocates thousands of short-lived objects, and every cyclic-GC pass would
    rescan the catalog, the rules and the points kept so far. None of them hold reference cycles:
    reference counting frees them, and the collector runs again afterwards."""
    from recommender.domain import collector

    gc.freeze()
    try:
        with collector.paused():
            yield
    finally:
        gc.unfreeze()


# --- evaluating points ----------------------------------------------------------------------


class Figures(Record):
    __slots__ = ("training", "monthly", "year_one", "complete", "rank_class")

    def __init__(self, training: Decimal, monthly: Decimal, year_one: Decimal, complete: bool, rank_class: tuple):
        self.training, self.monthly, self.year_one, self.complete = training, monthly, year_one, complete
        self.rank_class = rank_class  # what ranks before the figure: completeness, demotion, preferences


KEPT_RANKS = 4  # a point keeps the figures of this many offerings at least: the chart plots up to four


class Point(Record):
    """One grid value's outcome, kept small whatever the catalog: a long sweep holds thousands and
    sends them between processes. Only the first offerings (as many as are shown, at least
    KEPT_RANKS) keep their figures."""

    __slots__ = ("value", "approach", "method", "rank_by", "share", "order", "figures", "break_even_months",
                 "has_baseline")

    def __init__(self, value: Decimal, approach: str, method: str, rank_by: str, share: Decimal,
                 order: tuple[str, ...], figures: dict, break_even_months: Optional[Decimal], has_baseline: bool):
        self.value, self.approach, self.method, self.rank_by = value, approach, method, rank_by
        self.share = share  # the input share at this point
        self.order = order  # the first allowed offerings, best first
        self.figures = figures  # offering id → Figures, for those in `order`
        self.break_even_months = break_even_months  # the top offering's, against the baseline
        self.has_baseline = has_baseline

    @property
    def top(self) -> Optional[str]:
        return self.order[0] if self.order else None

    @property
    def pays_within_horizon(self) -> Optional[bool]:
        if not self.order or not self.has_baseline:
            return None
        return self.break_even_months is not None and self.break_even_months <= HORIZON_MONTHS

    def packed(self) -> bytes:
        """The point as compact JSON (decimals as their exact text): what a worker sends back, a
        fraction of what pickling its records and decimals costs either side."""
        figures = [(oid, str(f.training), str(f.monthly), str(f.year_one), f.complete, f.rank_class)
                   for oid, f in self.figures.items()]
        return orjson.dumps((str(self.value), self.approach, self.method, self.rank_by, str(self.share), self.order,
                             figures, _text(self.break_even_months), self.has_baseline))

    @classmethod
    def unpacked(cls, data: bytes) -> "Point":
        value, approach, method, rank_by, share, order, figures, months, has_baseline = orjson.loads(data)
        return cls(Decimal(value), approach, method, rank_by, Decimal(share), tuple(order),
                   {oid: Figures(Decimal(t), Decimal(m), Decimal(y), complete, tuple(rank_class))
                    for oid, t, m, y, complete, rank_class in figures},
                   None if months is None else Decimal(months), has_baseline)


def _text(value: Optional[Decimal]) -> Optional[str]:
    return None if value is None else str(value)


def figures_of(ranked) -> Figures:
    c = ranked.figures
    return Figures(c.training_total, c.monthly_total, c.year_one, c.complete,
                   (c.complete, bool(ranked.demoted), len(ranked.preferred)))


def summarize(value: Decimal, result, share: Decimal, keep: int = KEPT_RANKS) -> Point:
    first = result.ranked[:keep]
    top = first[0].cost.break_even if first else None
    return Point(value, result.approach, result.decided["method"], result.rank_by, share,
                 tuple(r.offering.id for r in first), {r.offering.id: figures_of(r) for r in first},
                 None if top is None else top.months, result.baseline is not None)


class Sweeper:
    """Evaluates the request with one field set to a value; remembers the small outcome of each
    value it has evaluated (each point keeps the figures of its first KEEP offerings)."""

    def __init__(self, req, spec: Spec, setup, today: date, source: str, keep: int = KEPT_RANKS):
        self.spec, self.setup, self.today, self.source = spec, setup, today, source
        self.keep = max(keep, KEPT_RANKS)
        self.base = _without_other_size_forms(req.given(), spec.field)
        self.seen: dict[Decimal, Point] = {}
        self._unvaried = None  # the request without the varied field, validated once (see requirements_at)
        self._unvaried_normalized = None

    def at(self, value: Decimal) -> Point:
        value = _round(self.spec, value)
        if value not in self.seen:
            self.seen[value] = self._evaluate(value)
        return self.seen[value]

    def grid_points(self, values: list[Decimal], on_done=None) -> list[Point]:
        """Every grid value, on every core for long sweeps (bisection then runs here, with the same engine)."""
        from recommender.decision.batch import PARALLEL_FROM, in_parallel

        pending = [v for v in values if v not in self.seen]
        if len(pending) >= PARALLEL_FROM * 4:
            # The first point here: the engine compiled and the catalog's views worked out once, in
            # the parent, for every worker to inherit rather than each to repeat.
            self.seen[pending[0]] = self._evaluate(pending[0])
            if on_done:
                on_done()
            for packed in in_parallel(self._evaluate_packed, pending[1:], on_done):
                point = Point.unpacked(packed)
                self.seen[point.value] = point
        done_before = set(values) - set(pending)  # a set: asked once per value
        for value in values:
            self.at(value)
            if on_done and value in done_before:
                on_done()
        return [self.seen[v] for v in values]

    def figures_at(self, value: Decimal, offerings: tuple[str, ...]) -> dict:
        """The figures of OFFERINGS (those allowed) at VALUE, whatever their rank: evaluated again, not kept."""
        from recommender.decision.decide import evaluate

        result = evaluate(self.requirements_at(value), self.setup, self.today, self.source, traced=False)
        return {r.offering.id: figures_of(r) for r in result.ranked if r.offering.id in offerings}

    def requirements_at(self, value: Decimal):
        """The request with the varied field at VALUE: only its section is validated again, and the
        others are the ones validated once; any error is reported by validating the whole request."""
        section, _, name = self.spec.field.partition(".")
        part = {**self.base.get(section, {}), name: int(value) if self.spec.integral else format(value, "f")}
        unvaried = self._unvaried_request()
        if unvaried is not None:
            try:
                validated = type(getattr(unvaried, section)).model_validate(part)
            except ValueError:
                pass
            else:
                return unvaried.model_copy(update={section: validated})
        from recommender.domain.requirements import requirements_from

        return requirements_from({**self.base, section: part}, f"{self.source} with {self.spec.field}={value}")

    def _unvaried_request(self):
        if self._unvaried is None:
            from pydantic import ValidationError

            from recommender.domain.requirements import Requirements

            try:
                self._unvaried = Requirements.model_validate(self.base)
            except ValidationError:
                self._unvaried = False  # the base alone is refused (a check across the varied field): validate whole
        return self._unvaried or None

    def _evaluate_packed(self, value: Decimal) -> bytes:
        return self._evaluate(value).packed()

    def normalized_at(self, requirements) -> dict:
        """requirements.normalized() for a request from requirements_at(): the unvaried sections'
        as worked out once, the varied section's afresh (tests check it against normalized())."""
        unvaried = self._unvaried_request()
        if unvaried is None or requirements is unvaried:
            return requirements.normalized()
        if self._unvaried_normalized is None:
            self._unvaried_normalized = unvaried.normalized()
        section = self.spec.field.partition(".")[0]
        part = getattr(requirements, section).model_dump(mode="json", exclude_none=True)
        if section == "training":
            part["tokens"] = requirements.training.resolved_tokens
        return {**self._unvaried_normalized, section: part}

    def _evaluate(self, value: Decimal) -> Point:
        from recommender.decision.decide import evaluate

        requirements = self.requirements_at(value)
        result = evaluate(requirements, self.setup, self.today, self.source, self.normalized_at(requirements),
                          traced=False)
        return summarize(value, result, requirements.inference.input_share, self.keep)


def _without_other_size_forms(given: dict, field: str) -> dict:
    """Varying training.tokens replaces any other way the file sized the training set."""
    if field != "training.tokens" or "training" not in given:
        return given
    training = {k: v for k, v in given["training"].items()
                if k not in ("examples", "tokens_per_example", "context_length", "batch_size", "steps")}
    return {**given, "training": training}


# --- crossovers -----------------------------------------------------------------------------

KINDS: dict[str, Callable[[Point], Any]] = {
    "approach": lambda p: p.approach,
    "top offering": lambda p: p.top,
    "break-even within 12 months": lambda p: p.pays_within_horizon,
}


class Crossover(Record):
    __slots__ = ("kind", "before", "after", "below", "at", "closed_form", "note")

    def __init__(self, kind: str, before: Any, after: Any, below: Decimal, at: Decimal,
                 closed_form: Optional[Decimal] = None, note: Optional[str] = None):
        self.kind, self.before, self.after = kind, before, after
        self.below = below  # the last value with `before`
        self.at = at  # the first value with `after`
        self.closed_form, self.note = closed_form, note


def crossovers(sweeper: Sweeper, points: list[Point]) -> list[Crossover]:
    found = []
    for left, right in zip(points, points[1:]):
        for kind, key in KINDS.items():
            if key(left) != key(right) and not (kind.startswith("break-even") and None in (key(left), key(right))):
                found.append(_locate(sweeper, kind, key, left, right))
    return found


def steady(points: list[Point]) -> list[tuple[str, Any]]:
    """What holds at every point: said outright, so that no crossover reads as an answer, not a gap."""
    held = []
    for kind, key in KINDS.items():
        values = {key(p) for p in points}
        if len(values) == 1:
            held.append((kind, values.pop()))
    return held


def _locate(sweeper: Sweeper, kind: str, key, left: Point, right: Point) -> Crossover:
    step = RESOLUTION[sweeper.spec.kind]
    low, high = left, right
    while high.value - low.value > step:
        middle = sweeper.at((low.value + high.value) / 2)
        if middle.value in (low.value, high.value):
            break
        if key(middle) == key(low):
            low = middle
        else:
            high = middle
    crossing = Crossover(kind, key(low), key(high), low.value, high.value)
    if kind == "top offering" and sweeper.spec.field == "inference.monthly_tokens":
        crossing.closed_form = _closed_form(low, high, sweeper)
    return crossing


def _closed_form(low: Point, high: Point, sweeper: Sweeper) -> Optional[Decimal]:
    """The volume where the two offerings' ranking figures are equal, when both are linear in it:
    figure = fixed + k × rate × volume / 1M (k = 12 for year-1, 1 for monthly)."""
    from recommender.domain.cost import MILLION, blended_rate

    catalog = sweeper.setup.catalog
    slope = {"year_one": 12, "monthly": 1}.get(low.rank_by)
    figures = low.figures
    if high.top is not None and high.top not in figures:  # ranked below what the point keeps
        figures = sweeper.figures_at(low.value, (low.top, high.top))
    a, b = figures.get(low.top), figures.get(high.top)
    if slope is None or a is None or b is None or a.rank_class != b.rank_class:
        return None
    rate_a = blended_rate(catalog.offerings[low.top], low.share)
    rate_b = blended_rate(catalog.offerings[high.top], low.share)
    if rate_a is None or rate_b is None or rate_a == rate_b:
        return None
    fixed_a = _figure(a, low.rank_by) - slope * rate_a * low.value / MILLION
    fixed_b = _figure(b, low.rank_by) - slope * rate_b * low.value / MILLION
    volume = (fixed_b - fixed_a) / (slope * (rate_a - rate_b)) * MILLION
    return volume if low.value <= volume <= high.value else None


def _figure(figures: Figures, rank_by: str) -> Decimal:
    return figures.year_one if rank_by == "year_one" else figures.monthly
