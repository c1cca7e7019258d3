"""Running a rule set on durable_rules: one engine ruleset per rule set, one session per decision.

The requirements are asserted as one fact; rules concluding reasons assert reason facts, which
other rules match (forward chaining). Then, decision by decision in dependency order, a `decide`
event is posted: durable_rules hands an event to one rule only, the matching rule with the lowest
`pri`, i.e. the first in file order. The decision is asserted as a fact in turn, and rules that
read it fire. Everything a rule concludes is recorded here, in firing order, for the audit trail:
durable_rules itself says nothing about rules that did not fire.

This talks to durable_rules' C engine (the `durable_rules_engine` extension) the way durable's own
Ruleset does, minus its Host and Closure: every fact and event goes in as compact JSON built once,
the engine matches it and queues the rules it fires, and each queued action is run here in turn
(`start_action_for_state`, then `complete_and_start_action` until none is left). An action's
message is parsed only when the trace needs what it carries (the reasons and decisions matched).
What depends only on the rule set (the engine ruleset, each action's facts read and the fact it
asserts) is worked out once per rule set.
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from typing import Any, Optional

import durable_rules_engine as engine  # called through the module: a test unplugs it to show it decides
import orjson

from recommender.domain.errors import InputError
from recommender.domain.record import Record
from recommender.engine.durable import message_parts, render_parts, ruleset_json
from recommender.engine.rules import FactRef, Rule, RuleSet


class Firing(Record):  # ~15 a decision; nothing mutates it
    __slots__ = ("rule", "matched", "asserted")

    def __init__(self, rule: str, matched: dict, asserted: dict):
        self.rule, self.matched, self.asserted = rule, matched, asserted


class Session(Record):
    """What one decision's rules concluded, in firing order."""

    __slots__ = ("ruleset", "facts", "firings", "reasons", "decisions", "offering_rules", "warnings", "error",
                 "fired", "asserted", "traced")

    def __init__(self, ruleset: RuleSet, facts: dict, traced: bool = True):
        self.ruleset = ruleset
        self.facts = facts  # flat fact name -> value, as the trace shows it
        self.firings: list[Firing] = []
        self.reasons: list[tuple[str, str]] = []  # (reason, rule id)
        self.decisions: dict[str, tuple[Any, str]] = {}  # key -> (value, rule id)
        self.offering_rules: list[Rule] = []  # require / prefer / demote, in order
        self.warnings: list[tuple[Rule, str]] = []  # (rule, rendered message)
        self.error: Optional[BaseException] = None
        self.fired: set[str] = set()
        self.asserted: list[str] = []  # the facts asserted, as sent: retracted after
        self.traced = traced  # False: no `firings`, and warnings without their text (a sweep point shows neither)

    def values(self) -> dict:
        """The facts, with the decisions taken so far: what messages may quote."""
        return {**self.facts, **{key: value for key, (value, _) in self.decisions.items()}}

    def value(self, name: str) -> Any:
        """One of `values()`, without building them all."""
        decided = self.decisions.get(name)
        return decided[0] if decided is not None else self.facts.get(name)

    def reason_rules(self, names) -> list[str]:
        return [rule for reason, rule in self.reasons if reason in names]


class RuleError(InputError):
    """The rule set could not reach a decision: the rule files are at fault (exit 2)."""


HANDLED, NOT_HANDLED = 0, 1  # durable_rules' result codes (rules.h: RULES_OK, ERR_EVENT_NOT_HANDLED)


def _compact(value: Any) -> str:
    # orjson: several times faster than json.dumps, and this runs for every requirements fact
    return orjson.dumps(value).decode()


def _open(value: dict) -> str:
    """A JSON object left open for the session id: append the sid and '"}'."""
    text = _compact(value)
    return (text[:-1] + "," if value else "{") + '"sid":"'


def _result(result: int, message: str) -> int:
    if result not in (HANDLED, NOT_HANDLED):  # observed twice or deferred: never, with one sid per decision
        raise RuntimeError(f"durable_rules returned {result} for {message}")
    return result


class _Action(Record):
    """What firing one rule does, worked out once per rule set."""

    __slots__ = ("rule", "kind", "reads", "carries", "asserts", "message")

    def __init__(self, rule: Rule, kind: str, reads: tuple[str, ...], carries: bool, asserts: Optional[str],
                 message: tuple[str, ...] = ()):
        self.rule = rule
        self.kind = kind  # reason, decision, warn or offering
        self.reads = reads  # the requirement facts shown as matched
        self.carries = carries  # its message holds reason or decision facts the trace shows
        self.asserts = asserts  # the fact it asserts, open for the sid; None: nothing
        self.message = message  # a warning's text, split around the facts it quotes


def _action(rule: Rule, ruleset: RuleSet) -> _Action:
    asserts, kind = None, rule.conclusion
    if kind == "reason":
        asserts = _open({"t": "reason", "name": rule.value, "rule": rule.id})
    elif rule.decides:
        kind = "decision"
        if rule.decides in ruleset.decisions_read:
            asserts = _open({"t": "decision", "key": rule.conclusion, "value": rule.value, "rule": rule.id})
    elif kind != "warn":
        kind = "offering"
    carries = bool(rule.when.reasons_all or rule.when.reasons_any or rule.when.decisions)
    message = message_parts(rule.message) if kind == "warn" else ()
    return _Action(rule, kind, rule.when.facts_read(), carries, asserts, message)


class Program:
    """A rule set compiled into durable_rules' C engine, and what each of its actions does."""

    def __init__(self, ruleset: RuleSet) -> None:
        definition = ruleset_json(ruleset)[ruleset.name]
        for compiled in definition.values():
            del compiled["run"]  # actions run here, found by rule id: the engine only names them
        self.handle = engine.create_ruleset(ruleset.name, _compact(definition))
        self.actions = {rule.id: _action(rule, ruleset) for rule in ruleset.rules}
        self.events = {key: _open({"t": "decide", "key": key}) for key in ruleset.decision_order}
        self.idle: list[str] = []  # sessions emptied after their decision, ready for the next

    def release(self, sid: str, state: int, session: Session) -> None:
        """Empty SID's session for the next decision (creating one costs more than emptying one), or
        delete it when emptying it leaves anything to do."""
        try:
            for fact in session.asserted:
                engine.retract_fact(self.handle, fact)
            if engine.start_action_for_state(self.handle, state) is None:
                self.idle.append(sid)
                return
        except Exception:  # noqa: BLE001 - a session that cannot be emptied is not reused
            pass
        engine.delete_state(self.handle, sid)

    def requirements(self, fact: dict, sid: str) -> str:
        body = _compact(fact)
        return (body[:-1] + "," if fact else "{") + '"t":"req","sid":"' + sid + '"}'

    def dispatch(self, session: Session, state: int, sid: str, requirements: str) -> bool:
        """Run every action the engine has queued for this session, in its order; True when done."""
        started = engine.start_action_for_state(self.handle, state)
        message = started[1] if started else None
        while message is not None:
            try:
                self._fire(session, message, sid, requirements)
            except BaseException as exc:  # recorded and re-raised after the session, not swallowed
                session.error = session.error or exc
            message = engine.complete_and_start_action(self.handle, state)
        return True

    def _fire(self, session: Session, message: str, sid: str, requirements: str) -> None:
        name = message[2:message.index('"', 2)]  # {"rule.id":{"m":{...},"r0":{...}}}: the facts matched
        # A rule whose `any:` alternatives both hold is matched once per alternative; it concludes
        # the same thing each time, so only its first firing counts.
        if name in session.fired:
            return
        session.fired.add(name)
        action = self.actions[name]
        shown = _conclude(session, action)
        if session.traced:
            facts = session.facts
            matched = {fact: facts.get(fact) for fact in action.reads}
            if action.carries:
                _add_conclusions(matched, orjson.loads(_without(message, requirements))[name])
            session.firings.append(Firing(name, matched, shown if shown is not None else _offering_tests(action.rule, facts)))
        if action.asserts is not None:
            fact = action.asserts + sid + '"}'
            _result(engine.assert_fact(self.handle, fact)[0], fact)  # not handled: no rule reads it
            session.asserted.append(fact)


def _conclude(session: Session, action: _Action) -> Optional[dict]:
    """Record what ACTION's rule concludes; what the trace shows it asserted (None for an offering
    rule: its tests, described only when a trace is kept)."""
    rule, kind = action.rule, action.kind
    if kind == "reason":
        session.reasons.append((rule.value, rule.id))
        return {"reason": rule.value}
    if kind == "decision":
        session.decisions[rule.conclusion] = (rule.value, rule.id)
        return {rule.conclusion: rule.value}
    if kind == "warn":
        text = render_parts(action.message, session.value) if session.traced else None  # shown only with a trace
        session.warnings.append((rule, text))
        return {"warning": text}
    session.offering_rules.append(rule)
    return None


def _offering_tests(rule: Rule, facts: dict) -> dict:
    return {rule.conclusion: {t.fact: _describe_test(t, facts) for t in rule.offering_tests}}


_PROGRAMS: dict[str, Program] = {}
_LOCK = threading.Lock()
_SIDS = itertools.count(1)


def host_for(ruleset: RuleSet) -> Program:
    """The rule set compiled into durable_rules, once per process (raises if durable_rules rejects it)."""
    program = _PROGRAMS.get(ruleset.name)
    if program is None:
        with _LOCK:
            program = _PROGRAMS.get(ruleset.name)
            if program is None:
                if not ruleset.builtin:
                    _compiles_in_time(ruleset)
                program = _PROGRAMS[ruleset.name] = Program(ruleset)
    return program


COMPILE_SECONDS = 10


def _compiles_in_time(ruleset: RuleSet) -> None:
    """durable_rules can spin for ever creating a ruleset whose patterns overflow its tables (a few
    hundred rules or `in:` alternatives). Rules from a user's directory are first compiled in a
    forked child that is killed after COMPILE_SECONDS; only then in this process."""
    if not hasattr(os, "fork"):
        return
    pid = os.fork()
    if pid == 0:  # the child: compile, report by exit status, never return into the caller
        code = 1
        try:
            Program(ruleset)
            code = 0
        finally:
            os._exit(code)
    deadline = time.monotonic() + COMPILE_SECONDS
    while os.waitpid(pid, os.WNOHANG) == (0, 0):
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            raise InputError(f"durable_rules did not finish compiling these rules in {COMPILE_SECONDS} s: "
                             "use fewer rules or shorter in: lists", file=ruleset.directory)
        time.sleep(0.005)


def run(ruleset: RuleSet, fact: dict, flat_facts: dict, traced: bool = True) -> Session:
    """Assert the requirements fact, take each decision, and return what the rules concluded (with
    every firing, unless not TRACED)."""
    program = host_for(ruleset)
    sid = program.idle.pop() if program.idle else str(next(_SIDS))
    session = Session(ruleset, flat_facts, traced=traced)
    # durable_rules crashes deleting a session that never handled a message, or one with actions
    # still queued (only when an error cut the dispatch short): such a session is left, not deleted.
    state, settled = None, True
    try:
        requirements = program.requirements(fact, sid)
        result, offset = engine.assert_fact(program.handle, requirements)
        session.asserted.append(requirements)
        if _result(result, requirements) == HANDLED:
            state, settled = offset, False
            settled = program.dispatch(session, state, sid, requirements)
        for key in ruleset.decision_order:
            message = program.events[key] + sid + '"}'
            result, offset = engine.assert_event(program.handle, message)
            if _result(result, message) == NOT_HANDLED:
                raise RuleError(f"no rule decided {key}", file=ruleset.directory)
            state, settled = offset, False
            settled = program.dispatch(session, state, sid, requirements)
            if key not in session.decisions and session.error is None:
                raise RuleError(f"no rule decided {key}", file=ruleset.directory)
        if session.error is not None:
            raise session.error
        program.release(sid, state, session)
        state = None
        return session
    finally:
        if state is not None and settled:
            engine.delete_state(program.handle, sid)


def _without(message: str, requirements: str) -> str:
    """The message with the requirements fact, most of it and nothing the trace shows, cut out unparsed.

    Found by its first characters (a whole-text search costs more than parsing it); the engine
    copies a fact's text verbatim, and no other fact starts like it."""
    at = message.find(requirements[:48])
    if at < 0 or not message.startswith(requirements, at):
        return message
    return message[:at] + "0" + message[at + len(requirements):]


def _add_conclusions(matched: dict, message: dict) -> None:
    """The reasons and decisions that made the rule fire, from the facts the engine matched."""
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


def _describe_test(test, facts: dict) -> dict:
    value = facts.get(test.value.name) if isinstance(test.value, FactRef) else test.value
    if isinstance(value, tuple):
        value = list(value)
    return {test.op: value}
