"""What a rule set is once parsed: rules, their conditions and tests (rules.py reads them from YAML)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from recommender.domain.errors import InputError
from recommender.engine.facts import DECISIONS


@dataclass(frozen=True)
class FactRef:
    """A value taken from the request at decision time: `{fact: needs.model_family}`."""

    name: str


@dataclass(frozen=True)
class Test:
    fact: str
    op: str
    value: Any = None  # a literal, a tuple of literals for in/not_in, or a FactRef


@dataclass(frozen=True)
class Condition:
    tests: tuple[Test, ...] = ()  # on the requirements fact
    any_of: tuple[tuple[Test, ...], ...] = ()  # one of these groups holds
    reasons_all: tuple[str, ...] = ()
    reasons_any: tuple[str, ...] = ()
    reasons_none: tuple[str, ...] = ()
    decisions: tuple[Test, ...] = ()  # on approach / method / rank_by

    reads: tuple[str, ...] = field(default=(), compare=False)  # derived: the requirement facts tested

    def __post_init__(self) -> None:
        # Asked on every firing for the trace, so worked out once.
        names = [t.fact for t in self.tests] + [t.fact for g in self.any_of for t in g]
        object.__setattr__(self, "reads", tuple(dict.fromkeys(names)))

    def facts_read(self) -> tuple[str, ...]:
        return self.reads


@dataclass(frozen=True)
class Rule:
    id: str
    description: str
    source_document: str
    source_says: str
    file: str
    index: int  # position in its file
    order: int  # position across all files: decides precedence between decision rules
    when: Condition
    conclusion: str  # one of CONCLUSIONS
    value: Any = None  # reason name, decision value or warning text
    offering_tests: tuple[Test, ...] = ()
    message: Optional[str] = None

    @property
    def decides(self) -> Optional[str]:
        return self.conclusion if self.conclusion in DECISIONS else None

    @property
    def where(self) -> str:
        return f"rules[{self.index}] {self.id}"

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "description": self.description,
            "source": {"document": self.source_document, "says": self.source_says},
            "file": self.file,
            "then": {self.conclusion: self.value} if self.value is not None else {self.conclusion: self.message},
        }


@dataclass
class RuleSet:
    rules: tuple[Rule, ...]
    sha256: str
    directory: str
    decision_order: tuple[str, ...]
    by_id: dict[str, Rule] = field(default_factory=dict)
    facts_tested: frozenset[str] = frozenset()  # requirement and context facts some rule tests
    decisions_read: frozenset[str] = frozenset()  # decisions some rule reads
    _cost_rules: Optional[tuple] = field(default=None, repr=False, compare=False)
    builtin: bool = False  # the rules shipped with ftrec (trusted to compile quickly)

    def __post_init__(self) -> None:
        self.by_id = {rule.id: rule for rule in self.rules}
        # what the matcher needs to see, and which decisions are asserted back: asked on every decision
        self.facts_tested = frozenset(name for rule in self.rules for name in rule.when.facts_read())
        self.decisions_read = frozenset(test.fact for rule in self.rules for test in rule.when.decisions)

    def weighs_costs(self, reasons: set[str]) -> bool:
        """Whether, with these reasons in, some rule that reads `costs.*` facts has its reasons met:
        then the costs are worked out and the rules run again on them."""
        return any(set(rule.when.reasons_all) <= reasons
                   and (not rule.when.reasons_any or reasons & set(rule.when.reasons_any))
                   for rule in self.cost_rules)

    @property
    def cost_rules(self) -> tuple["Rule", ...]:
        if self._cost_rules is None:
            self._cost_rules = tuple(rule for rule in self.rules
                                     if any(f.startswith("costs.") for f in rule.when.facts_read()))
        return self._cost_rules

    @property
    def name(self) -> str:
        return f"ftrec-{self.sha256[:16]}"

    def get(self, rule_id: str) -> Rule:
        try:
            return self.by_id[rule_id]
        except KeyError:
            named = [r for r in self.by_id if r.rpartition(".")[2] == rule_id]  # the id without its file part
            import difflib  # only on the way to an error message

            close = named or difflib.get_close_matches(rule_id, list(self.by_id), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise InputError(f"unknown rule {rule_id!r}{hint}", file=self.directory) from None
