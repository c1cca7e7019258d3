"""The requirements model: token counts, the three ways to size training, defaults, refusals."""

from decimal import Decimal

import pytest
from pydantic import ValidationError

from recommender.domain.errors import InputError
from recommender.domain.requirements import Requirements, parse_tokens, requirements_from


@pytest.mark.parametrize("text,tokens", [
    (5_000_000, 5_000_000), ("5M", 5_000_000), ("54K", 54_000), ("1.5B", 1_500_000_000),
    ("5m", 5_000_000), (" 2T ", 2 * 10**12), ("1.5e9", 1_500_000_000),
    (1.5e9, 1_500_000_000), ("0", 0),
])
def test_token_counts(text, tokens):
    assert parse_tokens(text) == tokens


@pytest.mark.parametrize("bad", ["five", "5X", "-3", "1.2345K", True, None, [1], "1e30", 10**16, -1, 0.5,
                                 "5_000_000", "5,000,000", "010", "0x10", "1:30", "５M", "1e-999999999"])
def test_bad_token_counts(bad):
    with pytest.raises(ValueError):
        parse_tokens(bad)


def test_empty_file_is_a_typical_request():
    r = requirements_from(None, "empty.yaml")
    assert r == Requirements()
    assert r.priority == "balanced" and r.baseline is None
    assert r.operations.trainings_per_year == 1 and r.operations.include_hidden_costs


def test_training_size_forms():
    assert Requirements.model_validate({"training": {"tokens": "4.8M"}}).training.resolved_tokens == 4_800_000
    assert Requirements.model_validate(
        {"training": {"examples": 500, "tokens_per_example": 10_000}}).training.resolved_tokens == 5_000_000
    assert Requirements.model_validate(
        {"training": {"context_length": 8192, "batch_size": 8, "steps": 1000}}).training.resolved_tokens == 65_536_000


def test_consistent_size_forms_may_be_given_together():
    r = Requirements.model_validate({"training": {"tokens": 4_800_000, "examples": 8000, "tokens_per_example": 600}})
    assert r.training.resolved_tokens == 4_800_000


@pytest.mark.parametrize("training,fragment", [
    ({"examples": 8000}, "give all of training.examples"),
    ({"context_length": 8192, "steps": 10}, "give all of training.context_length"),
    ({"tokens": 1, "examples": 8000, "tokens_per_example": 600}, "disagrees"),
    ({"examples": 1, "tokens_per_example": 1, "context_length": 1, "batch_size": 1, "steps": 1}, "one way"),
])
def test_inconsistent_size_forms_are_refused(training, fragment):
    with pytest.raises(ValidationError, match=fragment):
        Requirements.model_validate({"training": training})


def test_yaml_yes_no_reads_as_prompt_answer():
    assert Requirements.model_validate({"task": {"prompt_suffices": True}}).task.prompt_suffices == "yes"
    assert Requirements.model_validate({"task": {"prompt_suffices": False}}).task.prompt_suffices == "no"


def test_normalized_form_reloads_to_the_same_requirements():
    r = Requirements.model_validate({"training": {"examples": 8000, "tokens_per_example": 600},
                                     "baseline": {"input_per_m": 2.5, "output_per_m": "10"}})
    again = Requirements.model_validate(r.normalized())
    assert again.normalized() == r.normalized()
    assert again.baseline.input_per_m == Decimal("2.5")


def test_given_keeps_only_what_the_user_wrote():
    r = Requirements.model_validate({"needs": {"citations": True}})
    assert r.given() == {"needs": {"citations": True}}
    assert Requirements.model_validate(r.given()) == r


def test_defaults_assumed_lists_decision_relevant_defaults():
    assumed = Requirements.model_validate({"inference": {"monthly_tokens": "1B"}}).defaults_assumed()
    assert "inference.monthly_tokens" not in assumed
    assert "training.tokens" in assumed and "priority" in assumed
    sized = Requirements.model_validate({"training": {"examples": 1, "tokens_per_example": 1}}).defaults_assumed()
    assert "training.tokens" not in sized


@pytest.mark.parametrize("data,path,fragment", [
    ({"training": {"epochs": "three"}}, "training.epochs", 'must be a whole number, got "three"'),
    ({"training": {"epochs": 0}}, "training.epochs", "between 1"),
    ({"training": {"tokens": -5}}, "training.tokens", "must not be negative"),
    ({"training": {"tokens": "1e30"}}, "training.tokens", "at most 1e15"),
    ({"inference": {"input_share": "1.5"}}, "inference.input_share", "between 0 and 1"),
    ({"inference": {"monthly_tokens": 10**16}}, "inference.monthly_tokens", "at most 1e15"),
    ({"training": {"epoch": 3}}, "training.epoch", "unknown field (did you mean 'epochs'?)"),
    ({"colour": "red"}, "colour", "unknown field"),
    ({"needs": {"data_residency": "mars"}}, "needs.data_residency", "must be one of any, eu or us"),
    ({"needs": {"citations": "maybe"}}, "needs.citations", "must be true or false"),
    ({"priority": 3}, "priority", "must be one of"),
    ({"training": "lots"}, "training", "must be a mapping"),
    ({"baseline": {"input_per_m": "-1", "output_per_m": 1}}, "baseline.input_per_m", "must not be negative"),
    ({"baseline": {"input_per_m": 1}}, "baseline.output_per_m", "required field is missing"),
    ({"operations": {"trainings_per_year": 4.5}}, "operations.trainings_per_year", "whole number"),
])
def test_bad_fields_name_their_path(data, path, fragment):
    with pytest.raises(InputError) as caught:
        requirements_from(data, "x.yaml")
    assert caught.value.file == "x.yaml"
    assert caught.value.path == path
    assert fragment in caught.value.problem


def test_top_level_must_be_a_mapping():
    with pytest.raises(InputError, match="expected a mapping"):
        requirements_from([1, 2], "x.yaml")
