"""Rule files: YAML under rules/, one file per concern, compiled to durable_rules rulesets.

A rule reads like this:

    - id: approach.citations
      description: Verifiable citations are needed; retrieval shows its source.
      source: {document: 001_90cd665d03d0a11e.txt, says: "Need verifiable citations"}
      when: {needs.citations: true}
      then: {reason: rag}

`when` tests facts (see facts.py); `then` concludes exactly one thing:
- `reason: NAME`: a reason the decision rules weigh (forward chaining);
- `approach:` / `method:` / `rank_by:`: a decision. For each decision, the first rule in file
  order whose conditions hold decides, after every reason is in;
- `require:` / `prefer:` / `demote:` a test on offering attributes, with a `message`:
  offerings failing a requirement are excluded, preferred ones rank first, demoted ones last;
- `warn: MESSAGE`.
Messages may quote facts: "{needs.model_family}", "{offering.model}".
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Optional

from pydantic import ValidationError

from recommender.domain import disk_cache, files
from recommender.domain.errors import InputError
from recommender.engine import rules_codec
from recommender.engine.facts import DECISIONS, FACTS, OFFERING_ATTRIBUTES, FactKind
from recommender.engine.ruleset import Condition, FactRef, Rule, RuleSet, Test  # noqa: F401 - their home for callers

OPERATORS = ("eq", "ne", "in", "not_in", "lt", "lte", "gt", "gte", "exists", "contains", "not_contains")
LIST_OPERATORS = ("contains", "not_contains", "exists")
CONCLUSIONS = ("reason", *DECISIONS, "require", "prefer", "demote", "warn")
RULE_KEYS = ("id", "description", "source", "when", "then")
THEN_EXTRAS = ("message",)
REASON_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
RULE_ID = re.compile(r"[a-z0-9][a-z0-9_.-]*\Z")
MAX_RULES = 300  # durable_rules slows sharply past a few hundred rules and spins for ever past ~500
PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_.]*)\}")


# --- loading --------------------------------------------------------------------------------


def builtin_dir() -> Path:
    from recommender.domain.resources import data_dir

    return data_dir("rules")


def load_rules(directory: str | Path | None = None) -> RuleSet:
    directory = Path(directory) if directory is not None else builtin_dir()
    label, texts, sha = files.read_directory(directory, "rule", "--rules", (".yaml", ".yml"))
    key = (str(directory.resolve()), sha)
    if key not in _LOADED:
        _LOADED.clear()  # one rule set at a time is what a process uses; a changed file is a new key
        _LOADED[key] = disk_cache.cached("rules", sha, lambda: _build(texts, sha, label), rules_codec.encode,
                                         lambda body: rules_codec.decode(body, sha, label))
        _LOADED[key].builtin = directory.resolve() == builtin_dir().resolve()
    return _LOADED[key]


_LOADED: dict = {}  # in this process; on disk, the start-up cache (disk_cache.py) keeps it as JSON


def _build(texts: list, sha: str, label: str) -> RuleSet:
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for path, text in texts:
        for rule in _parse_file(files.parse(text, str(path)), str(path), len(rules)):
            if rule.id in seen:
                raise InputError(f"duplicate rule id (also in {seen[rule.id]})", file=str(path), path=rule.where)
            seen[rule.id] = path.name
            rules.append(rule)
            if len(rules) > MAX_RULES:
                raise InputError(f"more than {MAX_RULES} rules: durable_rules cannot compile that many in "
                                 "reasonable time", file=str(path), path=rule.where)
    order = _check_whole(rules, label)
    return RuleSet(tuple(rules), sha, label, order)


def _parse_file(data: Any, label: str, offset: int) -> list[Rule]:
    if data is None:
        raise InputError("empty rule file", file=label)
    if not isinstance(data, dict) or "rules" not in data:
        raise InputError("expected a mapping with a `rules:` list", file=label)
    unknown = set(data) - {"rules", "concern", "description"}
    if unknown:
        raise InputError(f"unknown top-level field {sorted(unknown)[0]!r}", file=label)
    items = data["rules"]
    if not isinstance(items, list) or not items:
        raise InputError("`rules` must be a non-empty list", file=label, path="rules")
    return [_parse_rule(item, label, index, offset + index) for index, item in enumerate(items)]


def _parse_rule(item: Any, label: str, index: int, order: int) -> Rule:
    where = f"rules[{index}]"
    if not isinstance(item, dict):
        raise InputError("a rule must be a mapping", file=label, path=where)
    rule_id = item.get("id")
    if not isinstance(rule_id, str) or not RULE_ID.match(rule_id):
        raise InputError(f"id must be lower-case text like approach.citations, got {rule_id!r}", file=label, path=where)
    where = f"{where} {rule_id}"

    def fail(path: str, problem: str) -> InputError:
        return InputError(problem, file=label, path=f"{where}: {path}")

    for key in item:
        if key not in RULE_KEYS:
            raise fail(key, f"unknown field{_hint(key, RULE_KEYS)}")
    for key in ("description", "source", "then"):
        if key not in item:
            raise fail(key, "required field is missing")
    description = item["description"]
    if not isinstance(description, str) or not description.strip():
        raise fail("description", "must be a one-line text")
    document, says = _parse_source(item["source"], fail)
    when = _parse_when(item.get("when") or {}, fail)
    conclusion, value, offering_tests, message = _parse_then(item["then"], fail)
    rule = Rule(rule_id, description.strip(), document, says, label, index, order, when, conclusion, value,
                offering_tests, message)
    _check_placeholders(rule, fail)
    return rule


def _parse_source(source: Any, fail) -> tuple[str, str]:
    if not isinstance(source, dict) or set(source) != {"document", "says"}:
        raise fail("source", "must be {document: FILE, says: QUOTE}")
    if not all(isinstance(v, str) and v.strip() for v in source.values()):
        raise fail("source", "document and says must be non-empty text")
    return source["document"].strip(), " ".join(source["says"].split())


def _parse_when(when: Any, fail) -> Condition:
    if not isinstance(when, dict):
        raise fail("when", "must be a mapping of fact: test")
    tests, any_of, decisions = [], (), []
    reasons = {"all": (), "any": (), "none": ()}
    for name, spec in when.items():
        if name == "any":
            if not isinstance(spec, list) or len(spec) < 2 or not all(isinstance(g, dict) and g for g in spec):
                raise fail("when.any", "must be a list of two or more mappings of fact: test")
            any_of = tuple(_group(g, f"when.any[{i}]", fail) for i, g in enumerate(spec))
        elif name == "reasons":
            reasons = _parse_reasons(spec, fail)
        elif name in DECISIONS:
            decisions.extend(_parse_tests(name, spec, FACTS[name], f"when.{name}", fail))
        elif name in FACTS:
            tests.extend(_parse_tests(name, spec, FACTS[name], f"when.{name}", fail))
        else:
            raise fail(f"when.{name}", f"unknown fact{_hint(name, [*FACTS, 'reasons', 'any'])}")
    return Condition(tuple(tests), any_of, reasons["all"], reasons["any"], reasons["none"], tuple(decisions))


def _group(group: dict, path: str, fail) -> tuple[Test, ...]:
    tests = []
    for name, spec in group.items():
        if name not in FACTS or name in DECISIONS:
            raise fail(f"{path}.{name}", f"unknown requirement fact{_hint(name, FACTS)}")
        tests.extend(_parse_tests(name, spec, FACTS[name], f"{path}.{name}", fail))
    return tuple(tests)


def _parse_reasons(spec: Any, fail) -> dict:
    if isinstance(spec, str):
        spec = {"all": [spec]}
    if isinstance(spec, list):
        spec = {"all": spec}
    if not isinstance(spec, dict) or not spec or set(spec) - {"all", "any", "none"}:
        raise fail("when.reasons", "must be a reason name, a list, or {all: [...], any: [...], none: [...]}")
    out = {"all": (), "any": (), "none": ()}
    for key, names in spec.items():
        names = [names] if isinstance(names, str) else names
        if not isinstance(names, list) or not names or not all(isinstance(n, str) and REASON_NAME.match(n) for n in names):
            raise fail(f"when.reasons.{key}", "must list reason names (lower_case words)")
        out[key] = tuple(names)
    return out


def _parse_tests(name: str, spec: Any, kind: FactKind, path: str, fail) -> list[Test]:
    if not isinstance(spec, dict) or "fact" in spec:
        spec = {"eq": spec}
    if not spec:
        raise fail(path, "empty test")
    tests = []
    for op, raw in spec.items():
        if op == "not":
            op = "ne"
        if op not in OPERATORS:
            raise fail(f"{path}.{op}", f"unknown operator{_hint(str(op), OPERATORS)}; use one of {', '.join(OPERATORS)}")
        tests.append(Test(name, op, _parse_value(op, raw, kind, f"{path}.{op}", fail)))
    return tests


def _parse_value(op: str, raw: Any, kind: FactKind, path: str, fail) -> Any:
    if isinstance(raw, dict) and set(raw) == {"fact"}:
        ref = raw["fact"]
        if ref not in FACTS:
            raise fail(path, f"unknown fact {ref!r}{_hint(str(ref), FACTS)}")
        return FactRef(ref)
    if op == "exists":
        if not isinstance(raw, bool):
            raise fail(path, "exists takes true or false")
        return raw
    if kind.kind == "list":
        if op not in LIST_OPERATORS:
            raise fail(path, f"{kind.name} is a list: use contains, not_contains or exists")
        return _literal(raw, FactKind(kind.name, "text"), path, fail)
    if op in ("contains", "not_contains"):
        raise fail(path, f"{kind.name} is not a list: use eq, ne, in or not_in")
    if op in ("lt", "lte", "gt", "gte") and not kind.numeric:
        raise fail(path, f"{kind.name} is not a number: use eq, ne, in or not_in")
    if op in ("in", "not_in"):
        if not isinstance(raw, list) or not raw:
            raise fail(path, f"{op} takes a non-empty list")
        return tuple(_literal(v, kind, path, fail) for v in raw)
    return _literal(raw, kind, path, fail)


def _literal(raw: Any, kind: FactKind, path: str, fail) -> Any:
    if raw is None:
        raise fail(path, "a test needs a value (use exists: false for absence)")
    try:
        return kind.coerce(raw)
    except ValidationError as exc:
        from recommender.domain.validation import first_error

        raise fail(path, first_error(exc, None).problem) from None
    except ValueError as exc:
        raise fail(path, str(exc)) from None


def _parse_then(then: Any, fail) -> tuple[str, Any, tuple[Test, ...], Optional[str]]:
    if not isinstance(then, dict):
        raise fail("then", f"must be a mapping with one of {', '.join(CONCLUSIONS)}")
    kinds = [k for k in then if k in CONCLUSIONS]
    unknown = [k for k in then if k not in CONCLUSIONS and k not in THEN_EXTRAS]
    if unknown:
        raise fail(f"then.{unknown[0]}", f"unknown action{_hint(str(unknown[0]), CONCLUSIONS)}; use one of {', '.join(CONCLUSIONS)}")
    if len(kinds) != 1:
        raise fail("then", f"must conclude exactly one of {', '.join(CONCLUSIONS)}")
    kind = kinds[0]
    value, message = then[kind], then.get("message")
    if message is not None and (not isinstance(message, str) or not message.strip()):
        raise fail("then.message", "must be text")
    if kind == "reason":
        if not isinstance(value, str) or not REASON_NAME.match(value):
            raise fail("then.reason", "must be a reason name (a lower_case word)")
        return kind, value, (), message
    if kind in DECISIONS:
        return kind, _literal(value, FACTS[kind], f"then.{kind}", fail), (), message
    if kind == "warn":
        if not isinstance(value, str) or not value.strip():
            raise fail("then.warn", "must be the warning's text")
        return kind, None, (), " ".join(value.split())
    if not isinstance(value, dict) or not value:
        raise fail(f"then.{kind}", "must be a mapping of offering.attribute: test")
    tests = []
    for name, spec in value.items():
        if name not in OFFERING_ATTRIBUTES:
            raise fail(f"then.{kind}.{name}", f"unknown offering attribute{_hint(str(name), OFFERING_ATTRIBUTES)}")
        tests.extend(_parse_tests(name, spec, OFFERING_ATTRIBUTES[name], f"then.{kind}.{name}", fail))
    if kind in ("require", "demote") and not message:
        raise fail("then.message", f"a {kind} rule needs a message saying why")
    return kind, None, tuple(tests), message


def _check_placeholders(rule: Rule, fail) -> None:
    text = rule.message or ""
    allowed = set(FACTS) | (set(OFFERING_ATTRIBUTES) if rule.conclusion in ("require", "prefer", "demote") else set())
    for name in PLACEHOLDER.findall(text):
        if name not in allowed:
            raise fail("then.message", f"unknown placeholder {{{name}}}{_hint(name, allowed)}")


def _hint(name: str, known) -> str:
    import difflib  # only on the way to an error message

    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


# --- whole-set checks ---------------------------------------------------------------------


def _check_whole(rules: list[Rule], label: str) -> tuple[str, ...]:
    """Every reason weighed is concluded somewhere; each decision has a default; no cycles.

    Returns the order in which decisions are taken (each after what it reads).
    """
    concluded = {r.value for r in rules if r.conclusion == "reason"}
    for rule in rules:
        for name in (*rule.when.reasons_all, *rule.when.reasons_any, *rule.when.reasons_none):
            if name not in concluded:
                raise InputError(f"when.reasons: no rule concludes reason {name!r}{_hint(name, concluded)}",
                                 file=rule.file, path=rule.where)
        if rule.when.reasons_none and not rule.decides:
            raise InputError("when.reasons.none is only allowed in rules that decide approach, method or rank_by "
                             "(they run after every reason is in)", file=rule.file, path=rule.where)
    for key in DECISIONS:
        deciders = [r for r in rules if r.decides == key]
        if not deciders:
            raise InputError(f"no rule decides {key}", file=label)
        last = deciders[-1]
        if last.when != Condition():
            raise InputError(f"the last rule deciding {key} must have no conditions (the default)",
                             file=last.file, path=last.where)
    return _decision_order(rules, label)


def _decision_order(rules: list[Rule], label: str) -> tuple[str, ...]:
    """Topological order of decisions; a cycle (a decision that reads itself through reasons) is an error."""
    reads: dict[str, set[str]] = {node: set() for node in ("reasons", *DECISIONS)}
    culprit: dict[tuple[str, str], Rule] = {}
    for rule in rules:
        node = rule.decides or ("reasons" if rule.conclusion == "reason" else None)
        if node is None:
            continue
        inputs = {t.fact for t in rule.when.decisions}
        if (rule.when.reasons_all or rule.when.reasons_any or rule.when.reasons_none) and node != "reasons":
            inputs.add("reasons")  # a reason concluded from reasons is ordinary forward chaining
        for source in inputs:
            reads[node].add(source)
            culprit.setdefault((node, source), rule)
    order: list[str] = []
    state: dict[str, str] = {}

    def visit(node: str, path: list[str]) -> None:
        if state.get(node) == "done":
            return
        if state.get(node) == "visiting":
            raise _cycle_error(path[path.index(node):] + [node], culprit)
        state[node] = "visiting"
        for source in sorted(reads[node]):
            visit(source, [*path, node])
        state[node] = "done"
        order.append(node)

    for node in ("reasons", *DECISIONS):
        visit(node, [])
    return tuple(n for n in order if n in DECISIONS)


def _cycle_error(cycle: list[str], culprit: dict) -> InputError:
    """Name every rule on the loop; blame a rule concluding a reason from a decision if there is one
    (decisions reading reasons is the normal direction)."""
    edges = [culprit[(cycle[i], cycle[i + 1])] for i in range(len(cycle) - 1)]
    reads = [f"{rule.id} reads {cycle[i + 1]} to conclude {cycle[i]}" for i, rule in enumerate(edges)]
    blamed = next((rule for rule in edges if not rule.decides), edges[0])
    flow = " → ".join(reversed(cycle))
    return InputError(f"cycle: {flow} ({'; '.join(reads)})", file=blamed.file, path=blamed.where)
