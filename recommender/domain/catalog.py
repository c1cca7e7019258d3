"""The price catalog (CONTRACT §5): one YAML file per provider, every price with source and date.

A price the sources don't give is absent, never zero. Published figures that a source prints
are kept beside the offering with the workload they describe, so `catalog check` can recompute
them from the catalog's own rates and report where the sources disagree.
"""

# No `from __future__ import annotations`: pydantic would parse every field's annotation text again
# when each model is defined (some 100 fields on every start-up).

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from recommender.domain import files
from recommender.domain.errors import InputError
from recommender.domain.memo import Memo
from recommender.domain.requirements import Money
from recommender.domain.validation import first_error

OFFERING_ID = re.compile(r"[a-z0-9][a-z0-9._-]*/[a-z0-9][a-z0-9._-]*\Z")  # \Z: no trailing newline
TRAINING_KEYS = ("lora.sft", "lora.dpo", "full.sft", "full.dpo")
PRICE_FIELDS = ("training_hour", "inference_flat", "inference_input", "inference_output", "base_input", "base_output",
                "hosting_month", "throughput_hour")
RECONCILED = ("inference_flat", "inference_input", "inference_output", "base_input", "base_output")


class _Strict(BaseModel):
    # defer_build: a catalog read from the start-up cache is never validated again, so the
    # validators are only built when a catalog file is actually parsed.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class OtherValue(_Strict):
    """A value another passage of the sources gives for the same price."""

    usd: Money
    source: str = Field(min_length=1)
    note: Optional[str] = None


class PastValue(_Strict):
    """A value the price had before: from its source, in force from `from` until (not including) `until`."""

    model_config = ConfigDict(populate_by_name=True)

    usd: Money
    source: str = Field(min_length=1)
    from_: date = Field(alias="from", description="The first day it held.")
    until: date = Field(description="The day the next value took over.")
    note: Optional[str] = None

    @model_validator(mode="after")
    def _ordered(self) -> "PastValue":
        if self.from_ > self.until:
            raise ValueError(f"from {self.from_} is after until {self.until}")
        return self


class Price(_Strict):
    usd: Money = Field(description='USD as a string, e.g. "0.50"; "0" only for a documented free price.')
    usd_high: Optional[Money] = Field(
        None, description="The top of a range the source gives ($2–$4/month): figures use `usd`, the low end."
    )
    provider_page: bool = Field(
        False, description="The source is the provider's own pricing page: only then is a $0 price taken as free."
    )
    source: str = Field(min_length=1, description="Seed document and what it says.")
    as_of: date = Field(description="When the source gave this price.")
    note: Optional[str] = None
    conflicts: list[OtherValue] = Field(default_factory=list, description="Other values the sources give.")
    history: list[PastValue] = Field(default_factory=list, description="Earlier values, oldest first.")

    @model_validator(mode="after")
    def _history_in_order(self) -> "Price":
        ends = [(h.from_, h.until) for h in self.history] + [(self.as_of, None)]
        for (start, until), (next_start, _) in zip(ends, ends[1:]):
            if until > next_start:
                raise ValueError(f"history: the value held until {until} overlaps the next one, from {next_start}")
        return self

    def in_force(self, day: date) -> "Price":
        """This price as it stood on DAY: the latest value that had begun by then (the earliest if none had)."""
        if day >= self.as_of or not self.history:
            return self
        began = [h for h in self.history if h.from_ <= day] or self.history[:1]
        past = began[-1]
        return Price.of(past.usd, past.source, past.from_, note=past.note)

    @classmethod
    def of(cls, usd: Decimal, source: str, as_of: date, **note: Optional[str]) -> "Price":
        """A price from values already checked (a past value, a rate the request gives): the same as
        `Price(usd=..., source=..., as_of=...[, note=...])` without validating them again, which
        spares a short run building the catalog's validators when the catalog came from the cache."""
        given = {"usd": usd, "source": source, "as_of": as_of, **note}
        return cls.model_construct(_fields_set=set(given), **{**_price_defaults(), **given})

    @model_validator(mode="after")
    def _range_ordered(self) -> "Price":
        if self.usd_high is not None and self.usd_high < self.usd:
            raise ValueError("usd_high is below usd")
        return self


def _price_defaults() -> dict:  # every other field of Price: model_construct has no default to work out
    return {"usd_high": None, "provider_page": False, "note": None, "conflicts": [], "history": []}


class Prices(_Strict):
    """USD per 1M tokens unless the name says otherwise."""

    training: dict[str, Price] = Field(default_factory=dict, description="Keyed method.type: lora.sft, full.dpo, ...")
    training_hour: Optional[Price] = Field(None, description="Training compute per hour (OpenAI).")
    inference_flat: Optional[Price] = None
    inference_input: Optional[Price] = None
    inference_output: Optional[Price] = None
    base_input: Optional[Price] = None
    base_output: Optional[Price] = None
    hosting_month: Optional[Price] = Field(None, description="Per deployed model, per month.")
    throughput_hour: Optional[Price] = Field(None, description="Provisioned throughput, per hour.")

    @field_validator("training")
    @classmethod
    def _training_keys(cls, value: dict[str, Price]) -> dict[str, Price]:
        for key in value:
            if key not in TRAINING_KEYS:
                raise ValueError(f"unknown training price {key!r}: use one of {', '.join(TRAINING_KEYS)}")
        return value

    @model_validator(mode="after")
    def _one_inference_form(self) -> "Prices":
        if self.inference_flat and (self.inference_input or self.inference_output):
            raise ValueError("give inference_flat or inference_input + inference_output, not both")
        return self


class Range(_Strict):
    usd_low: Money
    usd_high: Money
    source: str = Field(min_length=1)
    as_of: date

    @model_validator(mode="after")
    def _ordered(self) -> "Range":
        if self.usd_low > self.usd_high:
            raise ValueError("usd_low is above usd_high")
        return self


class HiddenCost(_Strict):
    """A cost 001 says teams forget: reported as a range beside year-1, never folded in."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    description: str
    per: Literal["project", "training_run", "month"]
    range: Optional[Range] = Field(None, description="Absent when the sources give no figure.")
    note: Optional[str] = None
    source: Optional[str] = None

    @model_validator(mode="after")
    def _figure_or_note(self) -> "HiddenCost":
        if self.range is None and not (self.note and self.source):
            raise ValueError("a hidden cost without a range needs a note and a source")
        return self


class PublishedFigure(_Strict):
    """A figure a source prints, with the workload it describes, to be recomputed by `catalog check`."""

    figure: Literal["training", "monthly", "year_one", "break_even_tokens"]
    value: Money = Field(description="As printed, in USD or tokens.")
    precision: Money = Field(Decimal("1"), description="The rounding the source printed with, e.g. 1, 0.01, 1000.")
    printed: str = Field(description='How the source prints it, e.g. "$248" or "54K".')
    workload: dict[str, Any] = Field(description="A requirements fact set describing the source's workload.")
    source: str = Field(min_length=1)
    note: Optional[str] = None

    @field_validator("precision")
    @classmethod
    def _positive_precision(cls, value: Decimal) -> Decimal:
        if value <= 0:
            raise ValueError(f"must be greater than 0 (the rounding step the source printed with), got {value}")
        return value


CAPABILITY_TIERS = {"unknown": 0, "small": 1, "medium": 2, "large": 3, "frontier": 4}
SIZE_TIERS_SOURCE = ("000_19179cd3903228f0.txt prices by model size ('Up to 16B, 16.1-69B, etc.'): "
                     "up to 16B small, 16.1-69B medium, 70B and over large")


class Capability(_Strict):
    """How capable the model is, as a class with its source: the provider's size tier or model class,
    or what the sources say of its quality."""

    class_: Literal["small", "medium", "large", "frontier"] = Field(alias="class")
    source: str = Field(min_length=1)

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True, populate_by_name=True)
class Ref(_Strict):
    """A model in genai-prices' data: its provider id and model id."""

    provider: str = Field(min_length=1)
    model: str = Field(min_length=1)


class Refs(_Strict):
    inference: Optional[Ref] = Field(None, description="The fine-tuned model's inference price (inference_*).")
    base: Optional[Ref] = Field(None, description="The base model's price (base_input, base_output).")


_CAPABILITY = Memo(100_000)  # id(offering) → its class: asked on every decision


class Offering(_Strict):
    id: str = Field(description="provider/model, lower case, unique")
    model: str
    family: str = Field(pattern=r"^[a-z0-9_-]+$")
    params_b: Optional[Money] = None
    open_weights: bool = False
    regions: list[Literal["eu", "us"]] = Field(default_factory=list)
    methods: list[Literal["lora", "full"]] = Field(min_length=1)
    tuning: list[Literal["sft", "dpo"]] = Field(min_length=1)
    strengths: list[str] = Field(default_factory=list)
    provisioned_throughput: bool = Field(
        False, description="Inference is billed as provisioned throughput per hour, not per token."
    )
    capability: Optional[Capability] = Field(
        None, description="Capability class with its source; derived from params_b (000's size tiers) when absent."
    )
    refs: Optional[Refs] = Field(None, description="genai-prices ids for `ftrec catalog reconcile` and `refresh`.")
    retired_on: Optional[date] = Field(None, description="The provider retires the model on this day.")
    prices: Prices
    hidden_costs: list[HiddenCost] = Field(default_factory=list)
    published: list[PublishedFigure] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not OFFERING_ID.match(value):
            raise ValueError(f"must look like provider/model in lower case, got {value!r}")
        return value

    @property
    def provider_slug(self) -> str:
        return self.id.split("/", 1)[0]

    @property
    def capability_class(self) -> tuple[str, str]:
        """(class, source): the catalog's, or 000's size tier from params_b, or unknown."""
        return _CAPABILITY.get(id(self), self._capability_class, keep=self)

    def _capability_class(self) -> tuple[str, str]:
        if self.capability is not None:
            return self.capability.class_, self.capability.source
        if self.params_b is None:
            return "unknown", "no capability class or parameter count in the catalog"
        tier = "small" if self.params_b <= 16 else "medium" if self.params_b < 70 else "large"
        return tier, f"{self.params_b}B parameters; {SIZE_TIERS_SOURCE}"

    @property
    def capability_tier(self) -> int:
        return CAPABILITY_TIERS[self.capability_class[0]]


class ProviderFile(_Strict):
    provider: str = Field(min_length=1)
    offerings: list[Offering] = Field(min_length=1)


class HiddenCostsFile(_Strict):
    hidden_costs: list[HiddenCost] = Field(min_length=1)


class ApproachPrices(_Strict):
    """What the approaches other than fine-tuning cost beyond a base model's inference (002)."""

    embedding_per_m: Optional[Price] = Field(None, description="Embedding, USD per 1M tokens embedded (RAG).")
    vector_search_per_query: Optional[Price] = Field(None, description="Vector search, USD per query (RAG).")
    routing_per_m: Optional[Price] = Field(None, description="Multi-model routing's average rate, USD per 1M tokens.")


class ApproachPricesFile(_Strict):
    approach_prices: ApproachPrices


@dataclass(frozen=True)
class Catalog:
    offerings: dict[str, Offering]  # by id, sorted
    providers: dict[str, str]  # offering id -> provider display name
    hidden_costs: tuple[HiddenCost, ...]
    sha256: str
    directory: str
    files: tuple[str, ...] = field(default=())
    approach_prices: ApproachPrices = field(default_factory=ApproachPrices)

    def get(self, offering_id: str, file: str | None = None, path: str | None = "--offering") -> Offering:
        """The offering, or an InputError naming where the unknown id came from."""
        try:
            return self.offerings[offering_id]
        except KeyError:
            hint = _suggest(offering_id, self.offerings)
            raise InputError(f"unknown offering {offering_id!r}{hint}", file=file, path=path) from None


def _suggest(name: str, known) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def builtin_dir() -> Path:
    from recommender.domain.resources import data_dir

    return data_dir("catalog")


def load_catalog(directory: str | Path | None = None) -> Catalog:
    """Every *.yaml / *.yml / *.json file in the directory; the built-in catalog by default."""
    directory = Path(directory) if directory is not None else builtin_dir()
    label, texts, sha = files.read_directory(directory, "catalog", "--catalog", (".yaml", ".yml", ".json"))
    key = (str(directory.resolve()), sha)
    if key not in _LOADED:
        _LOADED.clear()  # one catalog at a time is what a process uses; a changed file is a new key
        _LOADED[key] = _without_collector(_cached_or_built, texts, sha, label)
    return _LOADED[key]


def _cached_or_built(texts: list, sha: str, label: str) -> Catalog:
    from recommender.domain import disk_cache

    # exact when what is read back is stored as the same bytes: rebuild.py takes only what reads back exactly
    return disk_cache.cached("catalog", sha, lambda: _build(texts, sha, label), _encode,
                             lambda body: _decode(body, sha, label), lambda again, _, body: _encode(again) == body)


def _encode(catalog: Catalog) -> bytes:
    """The catalog as rebuild.py's tables (each distinct text, price, source... once), and where they go."""
    import orjson

    from recommender.domain.rebuild import Encoder

    tables, ids = Encoder(), list(catalog.offerings)
    if ids != [o.id for o in catalog.offerings.values()]:
        raise ValueError("an offering kept under another id")  # read back, each is under its own
    index = dict(zip(ids, (tables.model(o) for o in catalog.offerings.values())))
    providers = [[index[oid] for oid in catalog.providers], [tables.text(name) for name in catalog.providers.values()]]
    return orjson.dumps({"offerings": list(index.values()), "providers": providers,
                         "hidden_costs": [tables.model(h) for h in catalog.hidden_costs],
                         "approach_prices": tables.model(catalog.approach_prices), "files": list(catalog.files),
                         "tables": tables.tables()})


def _decode(body: bytes, sha: str, label: str) -> Catalog:
    import orjson

    from recommender.domain.rebuild import Decoder

    stored = orjson.loads(body)
    tables = Decoder(stored.pop("tables"), (Offering, HiddenCost, ApproachPrices))  # what the tables hold
    provided = [o.id for o in tables.models(Offering, stored["providers"][0])]
    return Catalog(offerings={o.id: o for o in tables.models(Offering, stored["offerings"])},
                   providers=dict(zip(provided, tables.texts(stored["providers"][1]), strict=True)),
                   hidden_costs=tuple(tables.models(HiddenCost, stored["hidden_costs"])),
                   approach_prices=tables.models(ApproachPrices, [stored["approach_prices"]])[0], sha256=sha,
                   directory=label, files=tuple(stored["files"]))


def _without_collector(function, *args):
    """Building a large catalog makes millions of objects that all live on, and each full pass of the
    cyclic collector on the way rescanned every one made so far: loading grew with the square of
    the catalog. They hold no cycles to collect."""
    from recommender.domain import collector

    with collector.paused():
        return function(*args)


_LOADED: dict = {}  # in this process; on disk, the start-up cache (disk_cache.py) keeps it as JSON


def _build(texts: list, sha: str, label: str) -> Catalog:
    offerings: dict[str, Offering] = {}
    providers: dict[str, str] = {}
    seen_in: dict[str, str] = {}
    hidden: list[HiddenCost] = []
    approach_prices = ApproachPrices()
    hidden_in: dict[str, str] = {}  # hidden-cost id -> the file that has it: each is counted once
    for path, text in texts:
        part = _parse_catalog_file(files.parse(text, str(path)), str(path))
        if isinstance(part, HiddenCostsFile):
            _check_hidden_ids(part.hidden_costs, hidden_in, path.name, "hidden_costs", str(path))
            hidden.extend(part.hidden_costs)
            continue
        if isinstance(part, ApproachPricesFile):
            approach_prices = part.approach_prices
            continue
        for index, offering in enumerate(part.offerings):
            if offering.id in offerings:
                raise InputError(
                    f"duplicate offering id {offering.id!r} (also in {seen_in[offering.id]})",
                    file=str(path),
                    path=f"offerings[{index}].id",
                )
            offerings[offering.id] = offering
            providers[offering.id] = part.provider
            seen_in[offering.id] = path.name
    for offering in offerings.values():
        own = dict(hidden_in)
        _check_hidden_ids(offering.hidden_costs, own, seen_in[offering.id], f"{offering.id}: hidden_costs",
                          seen_in[offering.id])
    return Catalog(
        offerings=dict(sorted(offerings.items())),
        providers=providers,
        hidden_costs=tuple(hidden),
        approach_prices=approach_prices,
        sha256=sha,
        directory=label,
        files=tuple(path.name for path, _ in texts),
    )


def _check_hidden_ids(costs, seen: dict[str, str], name: str, where: str, label: str) -> None:
    """Refuse a hidden-cost id given twice (it would be counted twice)."""
    for index, cost in enumerate(costs):
        if cost.id in seen:
            raise InputError(f"duplicate hidden cost id {cost.id!r} (also in {seen[cost.id]}): it would be counted twice",
                             file=label, path=f"{where}[{index}].id")
        seen[cost.id] = name


def _parse_catalog_file(data: Any, label: str) -> ProviderFile | HiddenCostsFile | ApproachPricesFile:
    if data is None:
        raise InputError("empty catalog file", file=label)
    if not isinstance(data, dict):
        raise InputError(f"expected a mapping with provider and offerings, got {type(data).__name__}", file=label)
    model = ProviderFile
    if "provider" not in data:
        model = ApproachPricesFile if "approach_prices" in data else HiddenCostsFile if "hidden_costs" in data else model
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise first_error(exc, label) from None
