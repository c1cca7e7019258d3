"""A parsed rule set as JSON and back, for the start-up cache (domain/disk_cache.py).

Rules keep the path of their file; the cache keeps only the file's name (the same files in another
directory are the same entry) and the rules get the directory they were read from back. Values
other than JSON's own are tagged: a tuple {"t": [...]}, a fact reference {"f": name}, a Decimal
{"d": "0.50"} (its exact text). Anything else cannot be stored: encoding raises TypeError.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson

from recommender.engine.ruleset import Condition, FactRef, Rule, RuleSet, Test


def encode(ruleset: RuleSet) -> bytes:
    return orjson.dumps({"decision_order": list(ruleset.decision_order), "rules": [_rule(r) for r in ruleset.rules]})


def decode(body: bytes, sha: str, label: str) -> RuleSet:
    stored, paths = orjson.loads(body), {}
    rules = tuple(_rule_back(item, label, paths) for item in stored["rules"])
    return RuleSet(rules, sha, label, tuple(stored["decision_order"]))


def _rule(rule: Rule) -> list:
    return [rule.id, rule.description, rule.source_document, rule.source_says, Path(rule.file).name, rule.index,
            rule.order, _condition(rule.when), rule.conclusion, _value(rule.value), _tests(rule.offering_tests),
            rule.message]


def _rule_back(item: list, label: str, paths: dict) -> Rule:
    (rule_id, description, document, says, name, index, order, when, conclusion, value, offering_tests,
     message) = item
    path = paths.get(name) or paths.setdefault(name, str(Path(label) / name))
    return Rule(rule_id, description, document, says, path, index, order, _condition_back(when),
                conclusion, _value_back(value), _tests_back(offering_tests), message)


def _condition(when: Condition) -> list:
    return [_tests(when.tests), [_tests(group) for group in when.any_of], list(when.reasons_all),
            list(when.reasons_any), list(when.reasons_none), _tests(when.decisions)]


def _condition_back(item: list) -> Condition:
    tests, any_of, reasons_all, reasons_any, reasons_none, decisions = item
    return Condition(_tests_back(tests), tuple(_tests_back(group) for group in any_of), tuple(reasons_all),
                     tuple(reasons_any), tuple(reasons_none), _tests_back(decisions))


def _tests(tests: tuple[Test, ...]) -> list:
    return [[test.fact, test.op, _value(test.value)] for test in tests]


def _tests_back(items: list) -> tuple[Test, ...]:
    return tuple(Test(fact, op, _value_back(value)) for fact, op, value in items)


def _value(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, tuple):
        return {"t": [_value(v) for v in value]}
    if isinstance(value, FactRef):
        return {"f": value.name}
    if isinstance(value, Decimal):
        return {"d": str(value)}
    raise TypeError(f"a rule value of type {type(value).__name__} is not cached")


def _value_back(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    (tag, inner), = value.items()
    if tag == "t":
        return tuple(_value_back(v) for v in inner)
    if tag == "f":
        return FactRef(inner)
    if tag == "d":
        return Decimal(inner)
    raise ValueError(f"unknown tag {tag!r}")
