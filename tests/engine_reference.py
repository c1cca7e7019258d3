"""The rules engine's previous host, kept verbatim as the reference the lean host is checked against.

This is how `recommender.engine.host.run` worked before it talked to durable_rules' C engine
directly: through durable's own Host, Ruleset and Closure (every fact, state and message passed
through json.dumps / json.loads, actions dispatched by durable's Python layer). Same rule set, same
facts: both must give exactly the same Session. Its machinery and message rendering are the old
code verbatim; the containers (Session, Firing, RuleError) are the package's. Used by
tests/test_engine_host.py and benchmarks/engine_bench.py; not part of the package.
"""

from __future__ import annotations

import copy
import itertools
import threading
from typing import Optional

from durable.engine import Host, MessageNotHandledException

from recommender.engine.durable import ruleset_json
from recommender.engine.host import Firing, RuleError, Session  # the containers: shared, not the machinery
from recommender.engine.rules import PLACEHOLDER, FactRef, Rule, RuleSet


class _Host(Host):
    def __init__(self) -> None:
        self.sessions: dict[str, Session] = {}
        self.rulesets: dict[str, RuleSet] = {}
        super().__init__()

    def _run(self) -> None:
        # Host normally starts timer threads that dispatch queued actions in the background.
        # Every action here runs synchronously inside assert_fact/post, and a background
        # dispatcher could take one of them away from the decision it belongs to: none started.
        pass

    def get_action(self, action_name: str):
        ruleset_name, rule_id = action_name.split(":", 1)
        rule = self.rulesets[ruleset_name].by_id[rule_id]
        return lambda c: self._fire(rule, c)

    def _fire(self, rule: Rule, c) -> None:
        session = self.sessions[c.s.sid]
        try:
            _apply(rule, session, c)
        except BaseException as exc:  # recorded and re-raised after the session, not swallowed
            session.error = session.error or exc


_HOST: Optional[_Host] = None
_LOCK = threading.Lock()
_SIDS = itertools.count(1)


def host_for(ruleset: RuleSet) -> _Host:
    global _HOST
    with _LOCK:
        if _HOST is None:
            _HOST = _Host()
        if ruleset.name not in _HOST.rulesets:
            _HOST.rulesets[ruleset.name] = ruleset
            # durable's Ruleset deletes `run` from the dict it is given: hand it a copy.
            _HOST.set_rulesets(copy.deepcopy(ruleset_json(ruleset)))
        return _HOST


def run(ruleset: RuleSet, fact: dict, flat_facts: dict, traced: bool = True) -> Session:
    """Assert the requirements fact, take each decision, and return what the rules concluded (always
    with the trace: TRACED is the lean host's)."""
    host = host_for(ruleset)
    sid = str(next(_SIDS))
    session = Session(ruleset, flat_facts)
    host.sessions[sid] = session
    established = False  # durable_rules crashes deleting a session no message was ever handled in
    try:
        established = _assert(host, ruleset.name, {**fact, "t": "req", "sid": sid})
        for key in ruleset.decision_order:
            try:
                host.post(ruleset.name, {"t": "decide", "key": key, "sid": sid})
            except MessageNotHandledException:
                raise RuleError(f"no rule decided {key}", file=ruleset.directory) from None
            established = True
            if key not in session.decisions and session.error is None:
                raise RuleError(f"no rule decided {key}", file=ruleset.directory)
        if session.error is not None:
            raise session.error
        return session
    finally:
        if established:
            host.delete_state(ruleset.name, sid)
        del host.sessions[sid]


def _assert(host: _Host, name: str, fact: dict) -> bool:
    """Assert a fact; False when no rule reads it (nothing to do then)."""
    try:
        host.assert_fact(name, fact)
        return True
    except MessageNotHandledException:
        return False


def _assert_inside(c, fact: dict) -> None:
    try:
        c.assert_fact(fact)
    except MessageNotHandledException:
        pass


def _apply(rule: Rule, session: Session, c) -> None:
    # A rule whose `any:` alternatives both hold is matched once per alternative; it concludes
    # the same thing each time, so only its first firing counts.
    if rule.id in session.fired:
        return
    session.fired.add(rule.id)
    matched = _matched(rule, session, c._m)
    kind = rule.conclusion
    if kind == "reason":
        session.reasons.append((rule.value, rule.id))
        asserted = {"reason": rule.value}
        session.firings.append(Firing(rule.id, matched, asserted))
        _assert_inside(c, {"t": "reason", "name": rule.value, "rule": rule.id})
    elif rule.decides:
        session.decisions[kind] = (rule.value, rule.id)
        session.firings.append(Firing(rule.id, matched, {kind: rule.value}))
        if kind in session.ruleset.decisions_read:
            _assert_inside(c, {"t": "decision", "key": kind, "value": rule.value, "rule": rule.id})
    elif kind == "warn":
        text = render_message(rule.message, session.values())
        session.warnings.append((rule, text))
        session.firings.append(Firing(rule.id, matched, {"warning": text}))
    else:
        session.offering_rules.append(rule)
        tests = {t.fact: _describe_test(t, session.facts) for t in rule.offering_tests}
        session.firings.append(Firing(rule.id, matched, {kind: tests}))


def _matched(rule: Rule, session: Session, message: dict) -> dict:
    """The facts that made the rule fire: the tested requirement values, reasons and decisions."""
    matched: dict = {name: session.facts.get(name) for name in rule.when.facts_read()}
    reasons = [
        {"reason": fact["name"], "from": fact["rule"]}
        for key, fact in sorted(message.items())
        if key.startswith("r") and isinstance(fact, dict) and fact.get("t") == "reason"
    ]
    if reasons:
        matched["reasons"] = reasons
    for key, fact in sorted(message.items()):
        if isinstance(fact, dict) and fact.get("t") == "decision":
            matched[fact["key"]] = fact["value"]
    return matched


def _describe_test(test, facts: dict) -> dict:
    value = facts.get(test.value.name) if isinstance(test.value, FactRef) else test.value
    if isinstance(value, tuple):
        value = list(value)
    return {test.op: value}


def render_message(text: str, values: dict) -> str:
    def replace(match) -> str:
        value = values.get(match.group(1))
        if isinstance(value, (list, tuple)):
            return ", ".join(map(str, value)) or "none"
        return str(value) if value is not None else "unknown"

    return PLACEHOLDER.sub(replace, text)
