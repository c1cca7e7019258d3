"""The cost core (DOMAIN §1): pure functions over Decimal, every figure an itemized breakdown.

Each amount is quantity × rate, and each rate carries the catalog price it came from, with
its source and date. A price the request needs but the catalog lacks makes the cost
incomplete: the known part is a lower bound, and the missing price is named. Never a zero.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Optional

from recommender.domain.catalog import Catalog, Offering, Price
from recommender.domain.hidden import (  # noqa: F401 - hidden costs are part of this module's face
    Hidden,
    HiddenItem,
    hidden_costs,
    one_time_costs,
    project_hidden_costs,
)
from recommender.domain.memo import Memo
from recommender.domain.record import Record
from recommender.domain.requirements import BaselineRates, Requirements

MILLION = Decimal(1_000_000)
MONTHS = Decimal(12)
HOURS_PER_MONTH = Decimal(730)  # 8,760 hours a year / 12
CENT = Decimal("0.01")
PER_M = "per 1M tokens"


def usd(amount: Decimal) -> str:
    """Money as written in JSON: exact, two decimals. (Not remembered: most amounts are new objects,
    and hashing one to look it up costs more than formatting it. The rounding is passed by position:
    by keyword, quantize took twice as long.)"""
    return str(amount.quantize(CENT, ROUND_HALF_UP))


class Line(Record):  # built ~100 times a decision; nothing mutates it
    """One item: quantity × rate = amount. `rate` and `amount` are None when the catalog lacks the price."""

    __slots__ = ("item", "price", "quantity", "unit", "rate_unit", "rate", "amount", "source", "as_of", "note",
                 "origin", "amount_high")
    UNCOMPARED = frozenset({"origin"})

    def __init__(self, item: str, price: str, quantity: Decimal, unit: str, rate_unit: str,
                 rate: Optional[Decimal] = None, amount: Optional[Decimal] = None, source: Optional[str] = None,
                 as_of: Optional[date] = None, note: Optional[str] = None, origin: Optional[Price] = None,
                 amount_high: Optional[Decimal] = None):
        self.item = item
        self.price = price  # where the rate lives in the catalog, e.g. "training.lora.sft"
        self.quantity = quantity
        self.unit = unit  # what the quantity counts: tokens, months, hours
        self.rate_unit = rate_unit  # what the rate is per: per 1M tokens, per month, per hour
        self.rate, self.amount, self.source, self.as_of, self.note = rate, amount, source, as_of, note
        self.origin = origin  # the catalog price itself
        self.amount_high = amount_high  # the top of a price range the source gives ($2–$4/month)

    @property
    def missing(self) -> bool:
        return self.rate is None


def priced(item: str, price_name: str, price: Optional[Price], quantity, unit: str, rate_unit: str) -> Line:
    quantity = Decimal(quantity)
    if price is None:
        return Line(item, price_name, quantity, unit, rate_unit)
    per = MILLION if rate_unit == PER_M else 1
    amount = quantity * price.usd / per
    high = None if price.usd_high is None else quantity * price.usd_high / per
    return Line(item, price_name, quantity, unit, rate_unit, price.usd, amount, price.source, price.as_of, price.note,
                price, high)


class Part(Record):  # built ~100 times a decision; nothing mutates it
    """A sum of lines; its total is a lower bound when any line is missing its price."""

    __slots__ = ("lines", "total", "missing")

    def __init__(self, lines: tuple[Line, ...], total: Decimal, missing: tuple[str, ...]):
        self.lines, self.total, self.missing = lines, total, missing

    @property
    def high(self) -> Optional[Decimal]:
        """The total at the top of the price ranges, when a line has one."""
        if all(line.amount_high is None for line in self.lines):
            return None
        return sum((line.amount_high if line.amount_high is not None else line.amount or Decimal(0)
                    for line in self.lines), Decimal(0))


def part(lines) -> Part:
    total, missing = Decimal(0), []
    for line in lines:
        if line.amount is None:
            missing.append(line.price)
        else:
            total += line.amount
    return Part(tuple(lines), total, tuple(missing))


class BreakEven(Record):  # built per offering per decision; nothing mutates it
    """Against the baseline (002's method), counting one-time costs (001): what must be repaid is
    trainings a year × training + data preparation + evaluations, at the low end of the hidden-cost
    ranges (`tokens`, `months`) and at the high end (`tokens_high`, `months_high`); months are net of
    hosting. `training_only_tokens` is 002's own figure: training cost / per-1M saving. REASON: why
    there is no break-even, or none in months. METHOD: "blended", or "input_only" (002's method on
    input rates, the baseline's output rate unknown)."""

    __slots__ = ("baseline", "baseline_rate", "fine_tuned_rate", "tokens", "months", "reason", "monthly_saving",
                 "tokens_high", "months_high", "training_only_tokens", "repay_low", "repay_high", "method")

    def __init__(self, baseline: str, baseline_rate: Optional[Decimal] = None,
                 fine_tuned_rate: Optional[Decimal] = None, tokens: Optional[int] = None,
                 months: Optional[Decimal] = None, reason: Optional[str] = None,
                 monthly_saving: Optional[Decimal] = None, tokens_high: Optional[int] = None,
                 months_high: Optional[Decimal] = None, training_only_tokens: Optional[int] = None,
                 repay_low: Optional[Decimal] = None, repay_high: Optional[Decimal] = None, method: str = "blended"):
        self.baseline, self.baseline_rate, self.fine_tuned_rate = baseline, baseline_rate, fine_tuned_rate
        self.tokens, self.months, self.reason, self.monthly_saving = tokens, months, reason, monthly_saving
        self.tokens_high, self.months_high, self.training_only_tokens = tokens_high, months_high, training_only_tokens
        self.repay_low, self.repay_high, self.method = repay_low, repay_high, method


class Cost(Record):  # built per offering per decision; nothing mutates it
    """TRAINING: one training run. YEAR_ONE: trainings × training + 12 × monthly. BASIS: "fine_tuned",
    or "base_model" for an approach that does not fine-tune (domain/approach_cost.py)."""

    __slots__ = ("offering", "method", "training_type", "trainings_per_year", "training", "monthly", "hidden",
                 "uplift", "break_even", "notes", "year_one", "missing", "basis")

    def __init__(self, offering: str, method: str, training_type: str, trainings_per_year: int, training: Part,
                 monthly: Part, hidden: Optional[Hidden], uplift: Optional[Decimal], break_even: Optional[BreakEven],
                 notes: tuple[str, ...] = (), year_one: Decimal = Decimal(0), missing: tuple[str, ...] = (),
                 basis: str = "fine_tuned"):
        self.offering, self.method, self.training_type = offering, method, training_type
        self.trainings_per_year, self.training, self.monthly, self.hidden = trainings_per_year, training, monthly, hidden
        self.uplift, self.break_even, self.notes, self.year_one = uplift, break_even, notes, year_one
        self.missing, self.basis = missing, basis

    @property
    def complete(self) -> bool:
        return not self.missing


# --- training -----------------------------------------------------------------------------


def epochs(req: Requirements) -> int:
    """000: with context_length × batch_size × steps the steps are the whole job, so epochs multiply
    only when the request gives them."""
    t = req.training
    if t.context_length is not None and "epochs" not in t.model_fields_set:
        return 1
    return t.epochs


def billed_training_tokens(req: Requirements) -> int:
    """000: epochs × training tokens + evaluations × validation tokens."""
    t = req.training
    return epochs(req) * t.resolved_tokens + t.evaluations * t.validation_tokens


def training_part(offering: Offering, req: Requirements, method: str,
                  job: Optional[tuple] = None) -> tuple[Part, tuple[str, ...]]:
    """One training run's lines, and notes on what the offering does not document (JOB: the request's
    training_job(), when worked out already)."""
    key = (id(offering), method, *(job or training_job(req)))
    return _TRAINING.get(key, _training_part, offering, req, method, keep=offering)


def training_job(req: Requirements) -> tuple:
    """What a training run's cost depends on besides the offering and method."""
    t = req.training
    return t.type, epochs(req), t.resolved_tokens, t.evaluations, t.validation_tokens, t.hours


# The same offering trained on the same job costs the same for every request: build it once.
_TRAINING = Memo(20_000)


def _training_part(offering: Offering, req: Requirements, method: str) -> tuple[Part, tuple[str, ...]]:
    t = req.training
    key = f"{method}.{t.type}"
    price = offering.prices.training.get(key)
    name = f"training.{key}"
    passes = epochs(req)
    lines = [priced(f"training ({passes} × {t.resolved_tokens:,} tokens)", name, price,
                    passes * t.resolved_tokens, "tokens", PER_M)]
    if t.evaluations and t.validation_tokens:
        lines.append(priced(f"validation ({t.evaluations} × {t.validation_tokens:,} tokens)", name, price,
                            t.evaluations * t.validation_tokens, "tokens", PER_M))
    notes = []
    hour_price = offering.prices.training_hour
    if hour_price is not None:
        if t.hours is not None:
            lines.append(priced("training compute", "training_hour", hour_price, t.hours, "hours", "per hour"))
        else:
            notes.append(
                f"{offering.provider_slug} bills training compute at ${hour_price.usd}/hour; "
                "left out: give training.hours to include it"
            )
    if method not in offering.methods:
        notes.append(f"{offering.id} does not document {method} fine-tuning")
    if t.type not in offering.tuning:
        notes.append(f"{offering.id} does not document {t.type.upper()} tuning")
    return part(lines), tuple(notes)


# --- inference ----------------------------------------------------------------------------


def few_shot_saved(req: Requirements) -> int:
    """002: "Fine-tuned models need fewer examples in the prompt": the input tokens a month a fine-tune
    no longer sends (few-shot tokens per query × queries)."""
    i = req.inference
    if not i.few_shot_tokens or not i.monthly_queries:
        return 0
    return i.few_shot_tokens * i.monthly_queries


def inference_lines(offering: Offering, req: Requirements) -> list[Line]:
    v = volumes(req)
    shorter = f" (less {v.saved:,} few-shot tokens)" if v.saved else ""
    p = offering.prices
    if p.inference_flat is not None:
        return [priced(f"inference (flat rate){shorter}", "inference_flat", p.inference_flat, v.flat, "tokens", PER_M)]
    lines = []
    if v.input is not None:
        lines.append(priced(f"inference input{shorter}", "inference_input", p.inference_input, v.input, "tokens",
                            PER_M))
    if v.output is not None:
        lines.append(priced("inference output", "inference_output", p.inference_output, v.output, "tokens", PER_M))
    return lines


def monthly_part(offering: Offering, req: Requirements) -> Part:
    p = offering.prices
    if offering.provisioned_throughput:
        lines = [priced("provisioned throughput", "throughput_hour", p.throughput_hour, HOURS_PER_MONTH,
                        "hours", "per hour")]
    else:
        lines = inference_lines(offering, req)
    if p.hosting_month is not None:
        lines.append(priced("hosting", "hosting_month", p.hosting_month, 1, "months", "per month"))
    return part(lines)


def blended_rate(offering: Offering, share: Decimal) -> Optional[Decimal]:
    """Per 1M tokens: input_share × input + (1 − input_share) × output, or the flat rate."""
    p = offering.prices
    if p.inference_flat is not None:
        return p.inference_flat.usd
    return _blend(p.inference_input, p.inference_output, share)


def _blend(input_price: Optional[Price], output_price: Optional[Price], share: Decimal) -> Optional[Decimal]:
    total = Decimal(0)
    for price, weight in ((input_price, share), (output_price, 1 - share)):
        if not weight:
            continue
        if price is None:
            return None
        total += weight * price.usd
    return total


def uplift(offering: Offering) -> Optional[Decimal]:
    """Fine-tuned input rate / base input rate (001: 1.5–4×; 002: +0% to +100%)."""
    p = offering.prices
    tuned = p.inference_input or p.inference_flat
    if tuned is None or p.base_input is None or not p.base_input.usd:
        return None
    return tuned.usd / p.base_input.usd


# --- break-even ---------------------------------------------------------------------------


class Baseline(Record):
    __slots__ = ("label", "input", "output")

    def __init__(self, label: str, input: Optional[Price], output: Optional[Price]):  # noqa: A002 - its rates
        self.label, self.input, self.output = label, input, output


def resolve_baseline(req: Requirements, catalog: Catalog, file: str = "requirements") -> Optional[Baseline]:
    base = req.baseline
    if base is None:
        return None
    if isinstance(base, BaselineRates):  # the rates as written: 2.5 and 2.50 are labelled as given
        return _GIVEN_BASELINES.get((str(base.input_per_m), str(base.output_per_m)), _given_baseline, base)
    offering = catalog.get(base, file=file, path="baseline")
    return Baseline(f"{base} (base rates)", offering.prices.base_input, offering.prices.base_output)


_GIVEN_BASELINES = Memo(1_000)  # the same few rates recur across requests


def _given_baseline(base: BaselineRates) -> Baseline:
    given = "requirements: baseline"
    return Baseline(
        f"${base.input_per_m}/${base.output_per_m} per 1M (given)",
        Price.of(base.input_per_m, f"{given}.input_per_m", date(1970, 1, 1)),
        Price.of(base.output_per_m, f"{given}.output_per_m", date(1970, 1, 1)),
    )


def break_even(cost_training: Part, monthly: Part, offering: Offering, req: Requirements,
               baseline: Optional[Baseline], hidden: Optional[Hidden] = None) -> Optional[BreakEven]:
    if baseline is None:
        return None
    base_rate, share, method = _baseline_rate(baseline, req.inference.input_share)
    if base_rate is None:
        return BreakEven(baseline.label, reason=f"the catalog has no base input rate for {baseline.label}")
    tuned_rate = _tuned_rate(offering, req, share) if not offering.provisioned_throughput else None
    if tuned_rate is None:
        return BreakEven(baseline.label, base_rate, reason="the fine-tuned inference rate is missing", method=method)
    if cost_training.missing:
        return BreakEven(baseline.label, base_rate, tuned_rate, reason="the training price is missing", method=method)
    saving = base_rate - tuned_rate
    if saving <= 0:
        return BreakEven(
            baseline.label, base_rate, tuned_rate, method=method,
            reason=f"no saving: the fine-tuned rate ${_rate(tuned_rate)}/1M is not below the baseline's ${_rate(base_rate)}/1M",
        )
    runs = req.operations.trainings_per_year
    low, high = one_time_costs(hidden)
    repay_low = runs * cost_training.total + low
    repay_high = runs * cost_training.total + high
    figures = dict(tokens=_tokens(repay_low, saving), tokens_high=_tokens(repay_high, saving),
                   training_only_tokens=_tokens(cost_training.total, saving), repay_low=repay_low,
                   repay_high=repay_high, method=method)
    if monthly.missing:
        return BreakEven(baseline.label, base_rate, tuned_rate, reason="a monthly price is missing, so months "
                         "cannot be computed", **figures)
    fixed = sum((line.amount for line in monthly.lines if line.price == "hosting_month"), Decimal(0))
    monthly_saving = req.inference.monthly_tokens * saving / MILLION - fixed
    if monthly_saving <= 0:
        return BreakEven(baseline.label, base_rate, tuned_rate, reason="hosting and fees outweigh the "
                         "per-token saving: no monthly saving", monthly_saving=monthly_saving, **figures)
    return BreakEven(baseline.label, base_rate, tuned_rate, months=repay_low / monthly_saving,
                     months_high=repay_high / monthly_saving, monthly_saving=monthly_saving, **figures)


def _baseline_rate(baseline: Baseline, share: Decimal) -> tuple[Optional[Decimal], Decimal, str]:
    """(the baseline's rate per 1M, the input share it is blended at, the method): the same for every
    offering of a request."""
    return _BASELINE_RATES.get((id(baseline), share), _blended_baseline, baseline, share, keep=baseline)


def _blended_baseline(baseline: Baseline, share: Decimal) -> tuple[Optional[Decimal], Decimal, str]:
    rate = _blend(baseline.input, baseline.output, share)
    if rate is None and baseline.input is not None:
        return baseline.input.usd, Decimal(1), "input_only"  # 002's method works on input rates alone
    return rate, share, "blended"


_BASELINE_RATES = Memo(1_000)


def _tokens(amount: Decimal, saving_per_million: Decimal) -> int:
    return int((amount / saving_per_million * MILLION).to_integral_value(ROUND_HALF_UP))


def _tuned_rate(offering: Offering, req: Requirements, share: Decimal) -> Optional[Decimal]:
    """The fine-tuned rate per 1M of the baseline's tokens: the blended rate, less what shorter
    prompts save (the same work with fewer input tokens)."""
    rate = blended_rate(offering, share)
    saved, tokens = few_shot_saved(req), req.inference.monthly_tokens
    if rate is None or not saved or not tokens:
        return rate
    input_price = offering.prices.inference_flat or offering.prices.inference_input
    return rate - input_price.usd * saved / tokens if input_price is not None else rate


def _rate(rate: Decimal) -> str:
    return format(rate.normalize(), "f") if rate == rate.to_integral_value() else format(rate, "f")


# --- the whole offering -------------------------------------------------------------------


class Figures(Record):
    """What a ranking compares (year-1, monthly, complete): worked out before (and without) the whole
    cost, which is built only where it is shown."""

    __slots__ = ("training_total", "monthly_total", "year_one", "complete", "basis")

    def __init__(self, training_total: Decimal, monthly_total: Decimal, year_one: Decimal, complete: bool,
                 basis: str = "fine_tuned"):
        self.training_total, self.monthly_total, self.year_one = training_total, monthly_total, year_one
        self.complete, self.basis = complete, basis


class Volumes(Record):
    """A request's token quantities, as every offering's lines and figures multiply them (volumes()).
    INPUT and OUTPUT are None when the input share leaves no such tokens; BASE_INPUT is before the
    few-shot tokens a fine-tune SAVES; JOB is training_job()."""

    __slots__ = ("saved", "input", "output", "flat", "base_input", "job")

    def __init__(self, req: Requirements):
        tokens, share = req.inference.monthly_tokens, req.inference.input_share
        self.saved = few_shot_saved(req)
        self.input = Decimal(tokens * share - self.saved) if share > 0 else None
        self.base_input = Decimal(tokens * share) if share > 0 else None
        self.output = Decimal(tokens * (1 - share)) if share < 1 else None
        self.flat = Decimal(tokens - self.saved)
        self.job = training_job(req)


def volumes(req: Requirements) -> Volumes:
    """REQ's volumes, worked out once for all its offerings (a decision or sweep point asks for one
    request at a time: a few are kept)."""
    return _VOLUMES.get(id(req), Volumes, req, keep=req)


_VOLUMES = Memo(64)


def fine_tune_figures(offering: Offering, req: Requirements, method: str = "lora",
                      extra_monthly: tuple[Line, ...] = ()) -> Figures:
    v = volumes(req)
    training, _ = training_part(offering, req, method, v.job)
    monthly, complete = _monthly_total(offering, v)
    for line in extra_monthly:
        if line.amount is None:
            complete = False
        else:
            monthly += line.amount
    year_one = req.operations.trainings_per_year * training.total + MONTHS * monthly
    return Figures(training.total, monthly, year_one, complete and not training.missing)


def _monthly_total(offering: Offering, v: Volumes) -> tuple[Decimal, bool]:
    """monthly_part()'s total and whether every price is there: the same sums, in the same order,
    without building its lines."""
    p, total, complete = offering.prices, Decimal(0), True
    if offering.provisioned_throughput:
        amounts = [(p.throughput_hour, Decimal(HOURS_PER_MONTH), 1)]
    elif p.inference_flat is not None:
        amounts = [(p.inference_flat, v.flat, MILLION)]
    else:
        amounts = []
        if v.input is not None:
            amounts.append((p.inference_input, v.input, MILLION))
        if v.output is not None:
            amounts.append((p.inference_output, v.output, MILLION))
    if p.hosting_month is not None:
        amounts.append((p.hosting_month, Decimal(1), 1))
    for price, quantity, per in amounts:
        if price is None:
            complete = False
        else:
            total += quantity * price.usd / per
    return total, complete


def compute(offering: Offering, req: Requirements, catalog: Catalog, method: str = "lora",
            baseline: Optional[Baseline] = None, project_hidden: Optional[tuple[HiddenItem, ...]] = None,
            extra_monthly: tuple[Line, ...] = (), figures: Optional[Figures] = None) -> Cost:
    """The fine-tune's cost; EXTRA_MONTHLY lines (a hybrid's retrieval) are added to the monthly part.
    FIGURES, when given, are fine_tune_figures() for the same arguments, worked out already."""
    figures = figures or fine_tune_figures(offering, req, method, extra_monthly)
    training, notes = training_part(offering, req, method, volumes(req).job)
    monthly = monthly_part(offering, req)
    if extra_monthly:
        monthly = part((*monthly.lines, *extra_monthly))
    hidden = hidden_costs(offering, catalog, req, project_hidden) if req.operations.include_hidden_costs else None
    if baseline is not None and hidden is None:
        notes += ("break-even leaves out data preparation and evaluation (operations.include_hidden_costs: false)",)
    return Cost(
        offering=offering.id,
        method=method,
        training_type=req.training.type,
        trainings_per_year=req.operations.trainings_per_year,
        training=training,
        monthly=monthly,
        hidden=hidden,
        uplift=uplift(offering),
        break_even=break_even(training, monthly, offering, req, baseline, hidden),
        notes=notes,
        year_one=figures.year_one,
        missing=training.missing + monthly.missing,
    )
