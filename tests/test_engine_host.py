"""The rules engine's host: durable_rules decides every request, and the lean host gives exactly the
sessions the previous host (durable's own Host, kept in engine_reference.py) gave."""

from __future__ import annotations

import json

import durable_rules_engine
import pytest

import engine_reference as reference
from engine_cases import engine_inputs
from recommender import api
from recommender.domain.errors import InputError
from recommender.engine import host
from recommender.engine.facts import DECISIONS
from recommender.engine.rules import Condition, RuleSet

CASES = 400


def trace(session) -> dict:
    """Everything a Session concluded, as plain values (the two hosts have their own classes)."""
    return {
        "facts": session.facts,
        "firings": [(f.rule, f.matched, f.asserted) for f in session.firings],
        "reasons": session.reasons,
        "decisions": session.decisions,
        "offering_rules": [rule.id for rule in session.offering_rules],
        "warnings": [(rule.id, text) for rule, text in session.warnings],
        "fired": session.fired,
        "error": session.error,
    }


@pytest.fixture(scope="module")
def inputs(ruleset, catalog):
    return engine_inputs(ruleset, catalog, CASES)


def test_every_rule_fires_somewhere_in_the_sample(ruleset, inputs):
    # The cross-check below is only as good as its sample: each rule must fire in it at least once.
    fired = {f.rule for fact, flat in inputs for f in host.run(ruleset, fact, flat).firings}
    assert fired == set(ruleset.by_id)


def test_the_host_gives_the_reference_sessions(ruleset, inputs):
    for fact, flat in inputs:
        assert trace(host.run(ruleset, fact, flat)) == trace(reference.run(ruleset, fact, flat)), fact


def test_a_session_without_a_trace_concludes_the_same(ruleset, inputs):
    # A sweep point shows no trace: the engine still decides it, and only the firings are not kept.
    for fact, flat in inputs:
        traced, untraced = trace(host.run(ruleset, fact, flat)), trace(host.run(ruleset, fact, flat, traced=False))
        assert untraced["firings"] == [] and traced["firings"]
        assert [rule for rule, _ in untraced["warnings"]] == [rule for rule, _ in traced["warnings"]]
        assert {**untraced, "firings": None, "warnings": None} == {**traced, "firings": None, "warnings": None}, fact


def test_the_same_request_twice_gives_the_same_session(ruleset, inputs):
    fact, flat = inputs[0]
    assert trace(host.run(ruleset, fact, flat)) == trace(host.run(ruleset, fact, flat))


def test_sessions_are_emptied_and_reused_not_piled_up(ruleset, inputs):
    # Creating a durable_rules session costs more than emptying one: each decision's facts are
    # retracted after it, and the next decision runs in the same session. The reference cross-check
    # above runs all its inputs that way; here a request decided after others still gives its own answer.
    program = host.host_for(ruleset)
    first = trace(host.run(ruleset, *inputs[0]))
    for fact, flat in inputs[1:60]:
        host.run(ruleset, fact, flat)
    assert len(program.idle) == 1
    assert trace(host.run(ruleset, *inputs[0])) == first


def _defaults_only(ruleset: RuleSet) -> RuleSet:
    """Only the rules that decide by default: no rule reads the requirements fact."""
    rules = tuple(r for r in ruleset.rules if r.decides and r.when == Condition())
    return RuleSet(rules, "d" * 64, ruleset.directory, ruleset.decision_order)


def test_a_fact_no_rule_reads_is_not_an_error(ruleset, inputs):
    defaults = _defaults_only(ruleset)
    for fact, flat in inputs[:20]:
        session = host.run(defaults, fact, flat)
        assert trace(session) == trace(reference.run(defaults, fact, flat))
        assert set(session.decisions) == set(DECISIONS) and session.reasons == []


def test_a_rule_set_that_cannot_decide_raises_rule_error(ruleset, inputs):
    no_default = [r for r in ruleset.rules if r.decides == "rank_by"][-1]
    broken = RuleSet(tuple(r for r in ruleset.rules if r is not no_default), "b" * 64, ruleset.directory,
                     ruleset.decision_order)
    for fact, flat in inputs:
        try:
            expected = trace(reference.run(broken, fact, flat))
        except reference.RuleError as error:
            with pytest.raises(host.RuleError, match="no rule decided rank_by") as raised:
                host.run(broken, fact, flat)
            assert str(raised.value) == str(error) and isinstance(raised.value, InputError)  # exit 2
            return
        assert trace(host.run(broken, fact, flat)) == expected
    pytest.fail("every request found a conditional rank_by rule: nothing was tested")


class Exploding(dict):
    """Flat facts whose lookup of one fact fails: an error inside the action of any rule showing it."""

    def get(self, name, default=None):
        if name == "task.knowledge_churn":
            raise ZeroDivisionError("inside an action")
        return super().get(name, default)


def test_an_error_inside_an_action_is_raised_after_the_session(ruleset, inputs, monkeypatch):
    fact, flat = next((fact, flat) for fact, flat in inputs
                      if any("task.knowledge_churn" in f.matched for f in host.run(ruleset, fact, flat).firings))
    deleted, delete = [], durable_rules_engine.delete_state
    monkeypatch.setattr(durable_rules_engine, "delete_state", lambda handle, sid: deleted.append(sid) or delete(handle, sid))
    for run in (host.run, reference.run):
        with pytest.raises(ZeroDivisionError, match="inside an action"):
            run(ruleset, fact, Exploding(flat))
    assert len(deleted) == 2  # each host freed the session of its failed decision
    with pytest.raises(durable_rules_engine.error):
        durable_rules_engine.get_state(host.host_for(ruleset).handle, deleted[0])
    # the failed decision's session was freed and the next one is whole
    assert trace(host.run(ruleset, fact, flat)) == trace(reference.run(ruleset, fact, flat))


def test_a_request_cannot_be_decided_without_durable_rules(monkeypatch):
    def unplugged(*args):
        raise RuntimeError("durable_rules is unplugged")

    for name in ("assert_fact", "assert_event"):
        monkeypatch.setattr(durable_rules_engine, name, unplugged)
    with pytest.raises(RuntimeError, match="unplugged"):
        api.recommend({})


def test_every_decision_is_an_event_durable_rules_hands_to_one_rule(monkeypatch):
    posted = []
    real = durable_rules_engine.assert_event

    def counting(handle, message):
        posted.append(message)
        return real(handle, message)

    monkeypatch.setattr(durable_rules_engine, "assert_event", counting)
    decision = api.recommend({})
    keys = [json.loads(m)["key"] for m in posted]
    assert keys and len(keys) % len(DECISIONS) == 0 and set(keys) == set(DECISIONS)
    assert decision.approach.choice == "fine_tune"


def test_an_engine_failure_mid_dispatch_is_raised_and_the_process_survives(ruleset, inputs, monkeypatch):
    # durable_rules crashes the process deleting a session with actions still queued: that session is
    # left behind instead, the error raised, and the next decision is whole.
    real = durable_rules_engine.start_action_for_state

    def failing(handle, state):
        raise durable_rules_engine.error("engine failure")

    fact, flat = inputs[0]
    monkeypatch.setattr(durable_rules_engine, "start_action_for_state", failing)
    with pytest.raises(durable_rules_engine.error, match="engine failure"):
        host.run(ruleset, fact, flat)
    monkeypatch.setattr(durable_rules_engine, "start_action_for_state", real)
    assert trace(host.run(ruleset, fact, flat)) == trace(reference.run(ruleset, fact, flat))


def test_decisions_are_the_same_through_either_host(setup, monkeypatch):
    from datetime import date

    from engine_cases import varied_requirements
    from recommender.decision.decide import decide, dumps
    from recommender.domain.requirements import Requirements

    requests = [Requirements.model_validate(data) for data in varied_requirements(30, seed=61)]

    def decisions() -> list[str]:
        made = [decide(req, setup, date(2026, 11, 23)) for req in requests]
        return [dumps({k: v for k, v in d.items() if k not in ("decision_id", "created_at")}) for d in made]

    lean = decisions()
    monkeypatch.setattr(host, "run", reference.run)
    assert lean == decisions()
