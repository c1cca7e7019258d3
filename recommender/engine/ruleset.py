"""What a rule set is once parsed: rules, their conditions and tests (rules.py reads them from YAML)."""

from __future__ import annotations

from typing import Any, Optional

from recommender.domain.errors import InputError
from recommender.domain.record import Record
from recommender.engine.facts import DECISIONS


class FactRef(Record):
    """A value taken from the request at decision time: `{fact: needs.model_family}`."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name


class Test(Record):
    __slots__ = ("fact", "op", "value")

    def __init__(self, fact: str, op: str, value: Any = None):
        self.fact, self.op = fact, op
        self.value = value  # a literal, a tuple of literals for in/not_in, or a FactRef


class Condition(Record):
    """TESTS: on the requirements fact; ANY_OF: groups of tests, one of which holds; DECISIONS: tests
    on approach / method / rank_by. READS, derived: the requirement facts tested."""

    __slots__ = ("tests", "any_of", "reasons_all", "reasons_any", "reasons_none", "decisions", "reads")
    UNCOMPARED = frozenset({"reads"})

    def __init__(self, tests: tuple[Test, ...] = (), any_of: tuple[tuple[Test, ...], ...] = (),
                 reasons_all: tuple[str, ...] = (), reasons_any: tuple[str, ...] = (),
                 reasons_none: tuple[str, ...] = (), decisions: tuple[Test, ...] = ()):
        self.tests, self.any_of, self.decisions = tests, any_of, decisions
        self.reasons_all, self.reasons_any, self.reasons_none = reasons_all, reasons_any, reasons_none
        # Asked on every firing for the trace, so worked out once.
        self.reads = tuple(dict.fromkeys([t.fact for t in tests] + [t.fact for g in any_of for t in g]))

    def facts_read(self) -> tuple[str, ...]:
        return self.reads


class Rule(Record):
    """INDEX: its position in its file; ORDER: across all files (it decides precedence between
    decision rules); CONCLUSION: one of CONCLUSIONS; VALUE: a reason name, decision value or warning text."""

    __slots__ = ("id", "description", "source_document", "source_says", "file", "index", "order", "when",
                 "conclusion", "value", "offering_tests", "message")

    def __init__(self, id: str, description: str, source_document: str, source_says: str, file: str,  # noqa: A002
                 index: int, order: int, when: Condition, conclusion: str, value: Any = None,
                 offering_tests: tuple[Test, ...] = (), message: Optional[str] = None):
        self.id, self.description, self.source_document, self.source_says = id, description, source_document, source_says
        self.file, self.index, self.order, self.when = file, index, order, when
        self.conclusion, self.value, self.offering_tests, self.message = conclusion, value, offering_tests, message

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


class RuleSet(Record):
    """FACTS_TESTED: the requirement and context facts some rule tests; DECISIONS_READ: the decisions
    some rule reads (both asked on every decision). BUILTIN: the rules shipped with ftrec (trusted to
    compile quickly)."""

    __slots__ = ("rules", "sha256", "directory", "decision_order", "builtin", "by_id", "facts_tested",
                 "decisions_read", "_cost_rules")
    UNCOMPARED = frozenset({"by_id", "facts_tested", "decisions_read", "_cost_rules"})

    def __init__(self, rules: tuple[Rule, ...], sha256: str, directory: str, decision_order: tuple[str, ...],
                 builtin: bool = False):
        self.rules, self.sha256, self.directory, self.decision_order = rules, sha256, directory, decision_order
        self.builtin = builtin
        self.by_id = {rule.id: rule for rule in rules}
        self.facts_tested = frozenset(name for rule in rules for name in rule.when.facts_read())
        self.decisions_read = frozenset(test.fact for rule in rules for test in rule.when.decisions)
        self._cost_rules: Optional[tuple] = None

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
