"""The questionnaire as one HTML form, generated from the questions `ftrec ask` asks.

Same order, defaults, help texts and one-line messages. Every question is rendered; the browser
hides those whose condition is false for the current answers (static/form.js reads each field's
`data-when`), and the server requires only the questions whose `ask_if` holds for what was posted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Optional

from recommender.domain.errors import InputError
from recommender.interfaces.questions import (
    QUESTIONS,
    Answers,
    Context,
    condition_of,
    default_of,
    fine_tuning_check,
    requirements_data,
    validate,
)

TOP = "_form"  # where messages that belong to no one question go
RADIO_UP_TO = 3  # choices shown as radio buttons up to this many; a drop-down beyond


@dataclass
class Field:
    id: str
    text: str
    help: str
    value: str
    choices: tuple = ()
    optional: bool = False
    when: Optional[str] = None  # the condition as JSON, for static/form.js
    error: Optional[str] = None
    suggestions: tuple = ()  # offered as a datalist, any text still allowed

    @property
    def widget(self) -> str:
        if not self.choices:
            return "text"
        return "radio" if len(self.choices) <= RADIO_UP_TO else "select"

    @property
    def dom_id(self) -> str:
        return "q-" + self.id.replace(".", "-").replace("_", "-")


@dataclass
class Section:
    title: str
    note: str
    fields: list[Field] = field(default_factory=list)


@dataclass
class Outcome:
    answers: Answers
    errors: dict[str, str]
    fine_tuning_possible: bool = True


def sections(raw: Optional[dict] = None, errors: Optional[dict] = None, fine_tuning_possible: bool = True,
             offerings: tuple = ()) -> list[Section]:
    """The form's fields in the questionnaire's order, holding what was typed (or the defaults);
    the baseline question suggests the catalog's offering ids."""
    raw, errors = raw or {}, errors or {}
    found: list[Section] = []
    for question in QUESTIONS:
        condition = condition_of(question)
        default = default_of(question)
        shown = raw.get(question.id, "" if default is None else str(default))
        entry = Field(question.id, question.text, question.help, shown, question.choices, question.optional,
                      json.dumps(condition) if condition else None, errors.get(question.id),
                      offerings if question.id == "baseline" else ())
        training = "fine_tuning" in json.dumps(condition or {})
        if not found or (found[-1].title == TRAINING) != training:
            found.append(_section(training, bool(found), fine_tuning_possible))
        found[-1].fields.append(entry)
    return found


TRAINING = "Training data"


def _section(training: bool, later: bool, fine_tuning_possible: bool) -> Section:
    """Questions come in runs: the project, then training (while fine-tuning is possible), then the rest."""
    if not training:
        return Section("And finally" if later else "Your project", "")
    if fine_tuning_possible:
        return Section(TRAINING, "Asked while the rules still leave fine-tuning on the table; ignored when your "
                                 "other answers rule it out.")
    return Section(TRAINING, "With the answers above the rules rule fine-tuning out: these answers are ignored.")


def read(posted: dict[str, str], setup, today: date) -> Outcome:
    """Validate the posted answers as `ftrec ask` would, question by question, skipping the ones
    that do not apply; every problem is kept, next to its question."""
    possible = _fine_tuning_test(setup, today)
    context = Context(possible)
    answers: Answers = {}
    errors: dict[str, str] = {}
    for question in QUESTIONS:
        if not question.ask_if(answers, context):
            continue
        raw = posted.get(question.id, "")
        default = default_of(question)
        if raw.strip() == "" and default is not None:
            raw = default
        try:
            answers[question.id] = validate(question, raw)
        except ValueError as exc:
            errors[question.id] = str(exc)
    return Outcome(answers, errors, possible(answers))


def _fine_tuning_test(setup, today: date):
    check = fine_tuning_check(setup, today)

    def possible(answers: Answers) -> bool:
        try:
            return check(answers)
        except InputError:  # a half-valid set of answers: keep asking; the full check says what is wrong
            return True

    return possible


def field_for(error: InputError) -> str:
    """The question an InputError from the requirements or the decision belongs to."""
    path = error.path or ""
    for question in QUESTIONS:
        if path and (question.id == path or path in question.fields):
            return question.id
    return TOP


def decide(site, answers: Answers, today: Optional[date] = None) -> tuple[Optional[dict], dict[str, str]]:
    """The decision for valid answers, or the messages that stop it (by question)."""
    try:
        return site.decide(requirements_data(answers), "web form", today), {}
    except InputError as exc:
        where = field_for(exc)
        return None, {where: exc.problem if where != TOP else str(exc)}
