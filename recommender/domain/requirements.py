"""The requirements fact set (CONTRACT §4) and the value types it is made of.

Token counts are integers (`54K`, `5M`, `1.5B` accepted); money and shares are exact Decimals.
Every field has a default, so an empty file is a valid, typical request: 001's typical
project (5M training tokens, 3 epochs, 100M inference tokens a month, 80/20 input/output).
"""

# No `from __future__ import annotations`: pydantic would parse every field's annotation text again
# when each model is defined.

import re
from decimal import Decimal
from typing import Annotated, Any, Literal, Optional, Union

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    model_validator,
)

MAX_TOKENS = 10**15  # a quadrillion: far beyond any fine-tuning set or monthly volume
MAX_DIGITS = 40  # significant digits a number may have
MAX_EXPONENT = 30  # |adjusted exponent|: 1e-30 .. 9.99e30
_SUFFIX = {"": 1, "K": 10**3, "M": 10**6, "B": 10**9, "T": 10**12}
_NUMBER_TEXT = re.compile(r"([+-]?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?)(?:[eE]([+-]?[0-9]+))?", re.ASCII)
_TOKEN_TEXT = re.compile(r"((?:0|[1-9][0-9]*)(?:\.[0-9]+)?)[ \t]*([KMBT]?)", re.ASCII | re.IGNORECASE)


def as_decimal(value: Any) -> Decimal:
    """An exact Decimal from what YAML or JSON gives: str, int, float (by its repr) or Decimal."""
    return parse_number(value)


def parse_number(value: Any, suffixes: bool = False) -> Decimal:
    """The one reading of a number, for money, shares, counts and (with SUFFIXES) token counts.

    Text is a plain ASCII decimal, optionally with an exponent (`2.5`, `1e6`) or, for token
    counts, a suffix K, M, B or T (`54K`, `1.5B`). Refused: thousands separators (`0,20`),
    underscores, leading zeros (`010`: octal in YAML 1.1), hex, octal, sexagesimal (`1:30`),
    digits outside ASCII (full-width `５`), non-finite values, more than 40 significant digits
    and exponents beyond ±30."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise ValueError(f"must be a number, got {_show(value)}")
    if isinstance(value, str):
        number = _from_text(value, suffixes)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"must be a finite number, got {_show(value)}")
        number = Decimal(repr(value))
    elif isinstance(value, int):
        if abs(value) >= 10**MAX_DIGITS:
            raise ValueError(f"is out of range (over {MAX_DIGITS} digits), got {str(value)[:20]}…")
        number = Decimal(value)
    else:
        number = value
    return _bounded(number, value)


def _from_text(text: str, suffixes: bool) -> Decimal:
    stripped = text.strip()
    suffixed = _TOKEN_TEXT.fullmatch(stripped) if suffixes else None
    if suffixed:
        return Decimal(suffixed.group(1)) * _SUFFIX[suffixed.group(2).upper()]
    match = _NUMBER_TEXT.fullmatch(stripped)
    if not match:
        raise ValueError(_why_not_a_number(stripped, text))
    exponent = match.group(2)
    if exponent is not None and (len(exponent.lstrip("+-")) > 4 or abs(int(exponent)) > 10 * MAX_EXPONENT):
        raise ValueError(f"is out of range (exponent beyond ±{MAX_EXPONENT}), got {_show(text)}")
    return Decimal(stripped)


def _why_not_a_number(stripped: str, text: str) -> str:
    got = f"got {_show(text)}"
    if not stripped.isascii():
        return f"must be written with ASCII digits 0-9, {got}"
    if "," in stripped:
        return f"must not contain commas (no thousands separators; the decimal point is '.'), {got}"
    if "_" in stripped:
        return f"must not contain underscores, {got}"
    if ":" in stripped:
        return f"must be a plain decimal (not sexagesimal), {got}"
    if re.match(r"[+-]?0[xXoObB]", stripped):
        return f"must be a plain decimal (not hex, octal or binary), {got}"
    if re.match(r"[+-]?0[0-9]", stripped):
        return f"must not start with 0 (in YAML 1.1 that was octal): write it without the leading zero, {got}"
    if stripped.lower().lstrip("+-.") in ("inf", "infinity", "nan"):
        return f"must be a finite number, {got}"
    return f"must be a number, {got}"


def _bounded(number: Decimal, value: Any) -> Decimal:
    if not number.is_finite():
        raise ValueError(f"must be a finite number, got {_show(value)}")
    if number and (len(number.as_tuple().digits) > MAX_DIGITS or abs(number.adjusted()) > MAX_EXPONENT):
        raise ValueError(f"is out of range (at most {MAX_DIGITS} digits, exponent within ±{MAX_EXPONENT}), "
                         f"got {_show(value)}")
    return number


def parse_tokens(value: Any, what: str = "token count", unit: str = "tokens") -> int:
    """`5000000`, `5M`, `1.5B`, `54K` → an integer count of tokens (at most 1e15)."""
    if isinstance(value, bool) or value is None:
        raise ValueError(f"must be a {what} such as 5000000 or 5M, got {_show(value)}")
    try:
        number = parse_number(value, suffixes=isinstance(value, str))
    except ValueError as exc:
        if isinstance(value, str) and str(exc).startswith("must be a number"):
            raise ValueError(f"must be a {what} such as 5000000 or 5M, got {_show(value)}") from None
        raise
    if number != number.to_integral_value():
        raise ValueError(f"must be a whole number of {unit}, got {_show(value)}")
    if number < 0:
        raise ValueError(f"must not be negative, got {_show(value)}")
    if number > MAX_TOKENS:
        raise ValueError(f"must be at most 1e15 {unit}, got {_show(value)}")
    return int(number)


def parse_requests(value: Any) -> int:
    """A count of requests, written like token counts: `2000000`, `2M`."""
    return parse_tokens(value, "count of requests", "requests")


def _show(value: Any) -> str:
    if isinstance(value, str):
        return '"' + value + '"' if len(value) <= 60 else f'"{value[:40]}…" ({len(value):,} characters)'
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing"
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    return str(value)


MAX_AMOUNT = Decimal("1e12")  # beyond any budget, and well inside Decimal's 28 digits once multiplied


def _money(value: Any) -> Decimal:
    number = as_decimal(value)
    if number < 0:
        raise ValueError(f"must not be negative, got {_show(value)}")
    if number > MAX_AMOUNT:
        raise ValueError(f"must be at most 1e12, got {_show(value)}")
    return number


def _share(value: Any) -> Decimal:
    number = as_decimal(value)
    if not 0 <= number <= 1:
        raise ValueError(f"must be between 0 and 1, got {_show(value)}")
    return number


def _count(low: int, high: int):
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise ValueError(f"must be a whole number, got {_show(value)}")
        try:
            number = as_decimal(value)
        except ValueError:
            raise ValueError(f"must be a whole number, got {_show(value)}") from None
        if number != number.to_integral_value():
            raise ValueError(f"must be a whole number, got {_show(value)}")
        if not low <= number <= high:
            raise ValueError(f"must be between {low:,} and {high:,}, got {_show(value)}")
        return int(number)

    return check


def _yes_no_unknown(value: Any) -> Any:
    # YAML 1.1 reads a bare `yes` / `no` as a boolean.
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return value


def _strict_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "yes", "on"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("false", "no", "off"):
        return False
    raise ValueError(f"must be true or false, got {_show(value)}")


_as_string = PlainSerializer(lambda d: format(d, "f"), return_type=str)
Tokens = Annotated[int, BeforeValidator(parse_tokens)]
Requests = Annotated[int, BeforeValidator(parse_requests)]
Money = Annotated[Decimal, BeforeValidator(_money), _as_string]
Share = Annotated[Decimal, BeforeValidator(_share), _as_string]
Flag = Annotated[bool, BeforeValidator(_strict_bool)]


def Count(low: int, high: int):  # noqa: N802 - reads as a type
    return Annotated[int, BeforeValidator(_count(low, high))]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=False, frozen=True)


DEFAULT_TRAINING_TOKENS = 5_000_000


class Training(_Section):
    tokens: Optional[Tokens] = Field(
        None, description="Tokens in the training set (default 5M when no other form is given)."
    )
    examples: Optional[Count(1, 10**12)] = Field(None, description="Training examples; with tokens_per_example.")
    tokens_per_example: Optional[Count(1, 10**9)] = Field(None, description="Average tokens per example.")
    context_length: Optional[Count(1, 10**9)] = Field(None, description="Context length; with batch_size and steps.")
    batch_size: Optional[Count(1, 10**9)] = Field(None, description="Batch size; with context_length and steps.")
    steps: Optional[Count(1, 10**12)] = Field(None, description="Training steps; with context_length and batch_size.")
    epochs: Count(1, 1000) = Field(3, description="Passes over the training set.")
    validation_tokens: Tokens = Field(0, description="Tokens in the validation set.")
    evaluations: Count(0, 100_000) = Field(0, description="How many times the validation set is evaluated.")
    type: Literal["sft", "dpo"] = Field("sft", description="Supervised fine-tuning or direct preference optimization.")
    method: Literal["lora", "full", "auto"] = Field("auto", description="LoRA, full fine-tuning, or auto (rules decide).")
    hours: Optional[Money] = Field(
        None, description="Training compute hours, where a provider bills them (OpenAI); left out when not given."
    )

    @model_validator(mode="after")
    def _one_size_form(self) -> "Training":
        products = {
            "training.examples × training.tokens_per_example": (self.examples, self.tokens_per_example),
            "training.context_length × training.batch_size × training.steps": (
                self.context_length,
                self.batch_size,
                self.steps,
            ),
        }
        for form, factors in products.items():
            given = [f for f in factors if f is not None]
            if given and len(given) != len(factors):
                raise ValueError(f"give all of {form}, or none")
            if given:
                _product(factors)  # bounded: over 1e15 tokens is refused here, not when costing
            if given and self.tokens is not None and self.tokens != _product(factors):
                raise ValueError(f"training.tokens ({self.tokens:,}) disagrees with {form} ({_product(factors):,})")
        if self.examples is not None and self.context_length is not None:
            raise ValueError("give the training size one way: tokens, examples × tokens_per_example, or steps")
        return self

    @property
    def resolved_tokens(self) -> int:
        if self.tokens is not None:
            return self.tokens
        if self.examples is not None:
            return _product((self.examples, self.tokens_per_example))
        if self.context_length is not None:
            return _product((self.context_length, self.batch_size, self.steps))
        return DEFAULT_TRAINING_TOKENS

    @property
    def size_form(self) -> str:
        if self.tokens is not None:
            return "tokens"
        if self.examples is not None:
            return f"examples × tokens_per_example = {self.examples:,} × {self.tokens_per_example:,}"
        if self.context_length is not None:
            return (
                f"context_length × batch_size × steps = "
                f"{self.context_length:,} × {self.batch_size:,} × {self.steps:,}"
            )
        return "default"


def _product(factors) -> int:
    result = 1
    for factor in factors:
        result *= factor
    if result > MAX_TOKENS:
        raise ValueError(f"training size {result:,} tokens is over 1e15")
    return result


class Inference(_Section):
    monthly_tokens: Tokens = Field(100_000_000, description="Production inference tokens per month.")
    input_share: Share = Field(Decimal("0.8"), description="Fraction of inference tokens that are input (0–1).")
    monthly_queries: Optional[Requests] = Field(
        None, description="Requests per month, where known (thresholds on queries use it); 2M is 2,000,000."
    )
    few_shot_tokens: Optional[Tokens] = Field(
        None, description="Prompt tokens per query spent today on examples that a fine-tune no longer needs "
                          "(002: 'reduced prompt length'); needs monthly_queries."
    )

    @model_validator(mode="after")
    def _few_shot_fits(self) -> "Inference":
        if self.few_shot_tokens is None:
            return self
        if self.monthly_queries is None:
            raise ValueError("inference.few_shot_tokens needs inference.monthly_queries (few-shot tokens are per query)")
        saved, inputs = self.few_shot_tokens * self.monthly_queries, self.monthly_tokens * self.input_share
        if saved > inputs:
            raise ValueError(f"inference.few_shot_tokens × monthly_queries ({saved:,}) is more than the monthly "
                             f"input tokens ({int(inputs):,})")
        return self


class Needs(_Section):
    data_residency: Literal["any", "eu", "us"] = Field("any", description="Where data must stay.")
    model_family: Literal["any", "claude", "gpt", "llama", "mistral", "gemini", "command"] = Field(
        "any", description="A model family the team must use."
    )
    openai_ecosystem: Flag = Field(False, description="Must work with OpenAI's ecosystem (Realtime, Assistants API).")
    self_hosting: Flag = Field(False, description="Must be able to self-host (open weights).")
    citations: Flag = Field(False, description="Answers must cite verifiable sources.")
    style_tone: Flag = Field(False, description="A particular style or tone is required.")
    new_knowledge: Flag = Field(False, description="The model must learn genuinely new factual knowledge.")
    tokenizer_change: Flag = Field(False, description="The tokenizer or vocabulary must change.")
    merge_adapters: Flag = Field(False, description="Several LoRA adapters must be merged into one served model.")
    reasoning: Flag = Field(False, description="The task needs better reasoning.")
    output_format: Flag = Field(False, description="A strict output format (JSON schema, table, code) is required.")


class Task(_Section):
    knowledge_churn: Literal["daily", "weekly", "monthly", "stable"] = Field(
        "stable", description="How often the knowledge the model needs changes."
    )
    kind: Literal["narrow", "general", "multi_task", "retrieval_chat", "mixed_complexity"] = Field(
        "narrow", description="What the model does: one narrow task, general chat/Q&A, several tasks, ..."
    )
    prompt_suffices: Annotated[Literal["yes", "no", "unknown"], BeforeValidator(_yes_no_unknown)] = Field(
        "unknown", description="Does a well-crafted prompt on a base model already solve the task?"
    )


class BaselineRates(_Section):
    input_per_m: Money = Field(description="Today's input rate, USD per 1M tokens.")
    output_per_m: Money = Field(description="Today's output rate, USD per 1M tokens.")


class Operations(_Section):
    trainings_per_year: Count(1, 366) = Field(1, description="Training runs a year: 1 once, 4 quarterly.")
    include_hidden_costs: Flag = Field(True, description="Report data preparation, evaluation and storage ranges.")


class Requirements(BaseModel):
    """A requirements fact set. Unknown fields are errors; every field has a default."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="ftrec requirements")

    training: Training = Field(default_factory=Training)
    inference: Inference = Field(default_factory=Inference)
    needs: Needs = Field(default_factory=Needs)
    task: Task = Field(default_factory=Task)
    priority: Literal["cost", "quality", "inference_cost", "balanced"] = Field(
        "balanced", description="What to optimise: year-1 cost, quality, monthly inference cost, or a balance."
    )
    baseline: Union[BaselineRates, Annotated[str, Field(min_length=1, max_length=200)], None] = Field(
        None, description="Today's model: an offering id or {input_per_m, output_per_m}; break-even is against it."
    )
    operations: Operations = Field(default_factory=Operations)

    def given(self) -> dict:
        """Only what the user gave (JSON-ready): replaying it gives the same defaults."""
        return self.model_dump(mode="json", exclude_unset=True)

    def normalized(self) -> dict:
        """Every field, defaults filled, training size resolved to tokens (JSON-ready)."""
        data = self.model_dump(mode="json", exclude_none=True)
        data["training"]["tokens"] = self.training.resolved_tokens
        data["baseline"] = data.get("baseline")
        return data

    def defaulted(self, name: str) -> bool:
        """Whether the request left the field NAME (`section.field` or a top-level field) to its default."""
        section, _, field = name.partition(".")
        if section not in type(self).model_fields:
            return False
        if section not in self.model_fields_set:
            return True
        if not field:
            return False
        if section == "training" and field == "tokens":
            return self.training.size_form == "default"
        return field not in getattr(self, section).model_fields_set

    def defaults_assumed(self) -> list[str]:
        """The decision-relevant fields the user did not give."""
        assumed = []
        for section, names in _DECISION_FIELDS.items():
            part = getattr(self, section)
            given = part.model_fields_set if section in self.model_fields_set else set()
            for name in names:
                if name not in given and not (section == "training" and name == "tokens" and self.training.size_form != "default"):
                    assumed.append(f"{section}.{name}")
        if "priority" not in self.model_fields_set:
            assumed.append("priority")
        return assumed


_DECISION_FIELDS = {
    "training": ("tokens", "epochs"),
    "inference": ("monthly_tokens", "input_share"),
    "task": ("knowledge_churn", "kind", "prompt_suffices"),
}


def load_requirements(path: str) -> Requirements:
    """A requirements file (YAML or JSON); an empty file is a typical request."""
    from recommender.domain import files

    label = files.printable(path)
    return requirements_from(files.load(path, label), label)


def requirements_from(data: Any, label: str) -> Requirements:
    from pydantic import ValidationError

    from recommender.domain.errors import InputError
    from recommender.domain.validation import first_error

    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError(f"expected a mapping of requirement fields, got {_show(data)}", file=label)
    try:
        return Requirements.model_validate(data)
    except ValidationError as exc:
        raise first_error(exc, label, Requirements) from None
