"""Rules as durable_rules sees them: JSON patterns; and the tests evaluated in Python on offerings."""

from __future__ import annotations

from typing import Any, Callable

from recommender.domain.memo import Memo
from recommender.engine.rules import PLACEHOLDER, FactRef, Rule, RuleSet, Test


def ruleset_json(ruleset: RuleSet) -> dict:
    """The durable_rules JSON ruleset; each rule's action is named after the rule."""
    return {ruleset.name: {rule.id: compile_rule(rule, ruleset) for rule in ruleset.rules}}


_DURABLE_OP = {"lt": "$lt", "lte": "$lte", "gt": "$gt", "gte": "$gte", "ne": "$neq"}


def compile_rule(rule: Rule, ruleset: RuleSet) -> dict:
    patterns: list[dict] = []
    if rule.decides:
        patterns.append({"e": {"$and": [{"t": "decide"}, {"key": rule.decides}]}})
    for i, name in enumerate(rule.when.reasons_all):
        patterns.append({f"r{i}": _reason_pattern([name])})
    if rule.when.reasons_any:
        patterns.append({"ra": _reason_pattern(list(rule.when.reasons_any))})
    for i, test in enumerate(rule.when.decisions):
        patterns.append({f"d{i}": {"$and": [{"t": "decision"}, {"key": test.fact}, _test(Test("value", test.op, test.value))]}})
    for i, name in enumerate(rule.when.reasons_none):
        patterns.append({f"n{i}$not": _reason_pattern([name])})
    if rule.when.tests or rule.when.any_of or not patterns:
        req = [{"t": "req"}, *(_test(t) for t in rule.when.tests)]
        if rule.when.any_of:
            req.append({"$or": [_all(group) for group in rule.when.any_of]})
        patterns.insert(1 if rule.decides else 0, {"m": {"$and": req}})
    compiled: dict = {"all": patterns, "run": f"{ruleset.name}:{rule.id}"}
    if rule.decides:
        compiled["pri"] = rule.order + 1  # lower fires first: the first matching rule in file order decides
    return compiled


def _reason_pattern(names: list[str]) -> dict:
    if len(names) == 1:
        return {"$and": [{"t": "reason"}, {"name": names[0]}]}
    return {"$and": [{"t": "reason"}, {"$or": [{"name": n} for n in names]}]}


def _all(tests: tuple[Test, ...]) -> dict:
    return {"$and": [_test(t) for t in tests]} if len(tests) > 1 else _test(tests[0])


def _test(test: Test) -> dict:
    value = matcher_value(test.value)
    if test.op == "eq":
        return {test.fact: value}
    if test.op == "exists":
        return {"$ex" if value else "$nex": {test.fact: 1}}
    if test.op == "in":
        return {"$or": [{test.fact: v} for v in value]}
    if test.op == "not_in":
        return {"$and": [{"$neq": {test.fact: v}} for v in value]}
    return {_DURABLE_OP[test.op]: {test.fact: value}}


def matcher_value(value: Any) -> Any:
    """What the C matcher compares: JSON numbers, text, booleans (never used for money)."""
    from decimal import Decimal

    if isinstance(value, tuple):
        return [matcher_value(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


# --- offering tests, evaluated in Python against each catalog offering ----------------------


def offering_passes(tests: tuple[Test, ...], attributes: dict, facts: dict) -> bool:
    return all(_holds(test, attributes.get(test.fact), facts) for test in tests)


_PASSING = Memo(10_000)  # (rule, catalog view, the facts its tests read) → {offering id: passes}


def passing(rule: Rule, all_attributes: dict, facts: dict) -> dict:
    """Offering id → whether it passes RULE's offering tests, for every offering in ALL_ATTRIBUTES
    (a catalog's view, kept alive by the caller). Worked out once per rule, catalog view and value
    of the facts the tests read: the same for every request that agrees on those."""
    read = tuple(facts.get(t.value.name) for t in rule.offering_tests if isinstance(t.value, FactRef))
    try:
        hash(read)
    except TypeError:  # a fact value that cannot be a key (a list): work it out afresh
        return _passing(rule, all_attributes, facts)
    return _PASSING.get((id(rule), id(all_attributes), read), _passing, rule, all_attributes, facts,
                        keep=(rule, all_attributes))


def _passing(rule: Rule, all_attributes: dict, facts: dict) -> dict:
    return {oid: offering_passes(rule.offering_tests, a, facts) for oid, a in all_attributes.items()}


def _holds(test: Test, actual: Any, facts: dict) -> bool:
    expected = facts.get(test.value.name) if isinstance(test.value, FactRef) else test.value
    op = test.op
    if op == "exists":
        return (actual is not None and actual != []) == expected
    if op == "contains":
        return expected in (actual or ())
    if op == "not_contains":
        return expected not in (actual or ())
    if op == "eq":
        return actual == expected
    if op == "ne":
        return actual != expected
    if op == "in":
        return actual in expected
    if op == "not_in":
        return actual not in expected
    if actual is None:
        return False
    return {"lt": actual < expected, "lte": actual <= expected, "gt": actual > expected, "gte": actual >= expected}[op]


def render_message(text: str, values: dict) -> str:
    return render_parts(message_parts(text), values.get)


def message_parts(text: str) -> tuple[str, ...]:
    """A message split once: literal text at even places, the names it quotes at odd places."""
    return _PARTS.get(text, _split, text)


def _split(text: str) -> tuple[str, ...]:
    return tuple(PLACEHOLDER.split(text))


_PARTS = Memo(10_000)


def render_parts(parts: tuple[str, ...], value_of: Callable[[str], Any]) -> str:
    if len(parts) == 1:
        return parts[0]
    return "".join(part if i % 2 == 0 else _shown(value_of(part)) for i, part in enumerate(parts))


def _shown(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value)) or "none"
    return str(value) if value is not None else "unknown"
