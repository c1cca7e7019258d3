"""A batch validates each stdin request once: the check pass keeps its state, the decide pass
rebuilds the same requirements from it without validating again."""

import io
import json
from decimal import Decimal

import pytest
from conftest import ROOT, TODAY

from recommender.decision import batch
from recommender.domain import requirements_state
from recommender.domain.files import load
from recommender.domain.requirements import Requirements
from recommender.domain.requirements_state import requirements_from_state, state_of

CRAFTED = [
    {},
    {"training": {"examples": 20_000, "tokens_per_example": 500, "hours": "12.5"}, "priority": "cost"},
    {"training": {"context_length": 4096, "batch_size": 8, "steps": 1000, "type": "dpo", "method": "full"}},
    {"inference": {"monthly_tokens": "5M", "input_share": "0.65", "monthly_queries": "2M", "few_shot_tokens": 1}},
    {"baseline": {"input_per_m": "1.25", "output_per_m": "10.00"}, "operations": {"trainings_per_year": 4}},
    {"baseline": "openai/gpt-4o-mini", "operations": {"include_hidden_costs": False}},
    {"needs": {"data_residency": "eu", "model_family": "llama", "self_hosting": "yes", "citations": True},
     "task": {"knowledge_churn": "daily", "kind": "retrieval_chat", "prompt_suffices": False}},
]


def _requests() -> list[Requirements]:
    examples = sorted((ROOT / "examples").glob("*.yaml"))
    return [Requirements.model_validate(load(path) or {}) for path in examples] + \
        [Requirements.model_validate(data) for data in CRAFTED]


def _types(model) -> list:
    return [type(value) for value in model.__dict__.values()]


@pytest.mark.parametrize("requirements", _requests(), ids=lambda r: r.given().__repr__()[:60])
def test_a_state_gives_back_the_same_requirements_field_for_field(requirements):
    rebuilt = requirements_from_state(state_of(requirements))
    assert rebuilt == requirements and _types(rebuilt) == _types(requirements)
    assert rebuilt.model_fields_set == requirements.model_fields_set
    for section in ("training", "inference", "needs", "task", "operations", "baseline"):
        mine, theirs = getattr(rebuilt, section), getattr(requirements, section)
        assert type(mine) is type(theirs) and mine == theirs
        if hasattr(theirs, "model_fields_set"):
            assert mine.model_fields_set == theirs.model_fields_set and _types(mine) == _types(theirs)
    assert rebuilt.normalized() == requirements.normalized() and rebuilt.given() == requirements.given()
    assert rebuilt.defaults_assumed() == requirements.defaults_assumed()


def test_decimals_keep_their_exact_digits():
    requirements = Requirements.model_validate({"inference": {"input_share": "0.50"}, "training": {"hours": "1e3"}})
    rebuilt = requirements_from_state(state_of(requirements))
    assert str(rebuilt.inference.input_share) == "0.50" and rebuilt.training.hours == Decimal("1e3")
    assert str(rebuilt.training.hours) == str(requirements.training.hours)


def test_what_the_form_cannot_carry_has_no_state():
    assert state_of(Requirements.model_construct(priority=frozenset())) is None  # never in validated requirements

    class Text(str):
        pass

    assert state_of(Requirements.model_construct(priority=Text("cost"))) is None  # nor a subclass of text


@pytest.mark.parametrize("state", [b"", b"[]", b"[9,0]", b"[0,0,1]", b'{"a":1}', b"[1,0,3]"])
def test_anything_else_is_not_a_state(state):
    with pytest.raises(ValueError, match="not a requirements state|values for"):
        requirements_from_state(state)


def _stdin(lines: list[dict]) -> io.BytesIO:
    return io.BytesIO(b"".join(json.dumps(line).encode() + b"\n" for line in lines))


def _decided(setup, stdin) -> list[dict]:
    with batch.Inputs(["-"], stdin) as inputs, batch.Workers(1, setup=setup, today=TODAY) as workers:
        assert batch.check_all(inputs, workers) == len(CRAFTED)
        return [json.loads(bytes(chunk.lines(i, i + 1))) for chunk in batch.decide_all(inputs, workers)
                for i in range(len(chunk))]


def _strip(decision: dict) -> dict:
    return {k: v for k, v in decision.items() if k not in ("decision_id", "created_at")}


def test_stdin_is_validated_once_and_decided_from_the_states_kept(setup, monkeypatch):
    validated = []
    real = batch.requirements_from
    monkeypatch.setattr(batch, "requirements_from", lambda data, label: validated.append(label) or real(data, label))
    from_states = _decided(setup, _stdin(CRAFTED))
    assert validated == [f"<stdin>:{i + 1}" for i in range(len(CRAFTED))]  # the check pass only
    validated.clear()
    monkeypatch.setattr(batch, "state_of", lambda requirements: None)  # no state: the line is kept instead
    from_lines = _decided(setup, _stdin(CRAFTED))
    assert len(validated) == 2 * len(CRAFTED)  # then validated again in the decide pass
    assert [_strip(d) for d in from_states] == [_strip(d) for d in from_lines]
    assert [d["source"] for d in from_states] == [f"<stdin>:{i + 1}" for i in range(len(CRAFTED))]


def test_a_damaged_copy_is_an_environment_problem_not_a_traceback():
    from recommender.domain.errors import EnvironmentProblem

    with pytest.raises(EnvironmentProblem, match="temporary copy of stdin was changed"):
        batch.requirements_of(batch.Source("<stdin>:1", state=b"[0,1]"))


def test_every_model_of_the_requirements_is_one_a_state_can_carry():
    def models(model) -> set:
        found = {model}
        for field in model.model_fields.values():
            for candidate in requirements_state.MODELS:
                if candidate is not model and candidate.__name__ in repr(field.annotation):
                    found |= models(candidate)
        return found

    assert models(Requirements) == set(requirements_state.MODELS)
