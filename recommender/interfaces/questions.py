"""`ftrec ask`: the questionnaire that writes a requirements file, then recommends.

Questions are data: each has an id (the field it sets, or a name for a helper question), plain
words, a one-line help, the default taken from the requirements model, and a test saying when it
no longer matters. Answers are validated by the requirements model's own validators, so a typed
answer is held to exactly the rules a file is. Training questions are skipped when the rules,
run on the answers so far, already rule fine-tuning out.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable, Optional

from recommender.domain.errors import InputError

Answers = dict  # question id → answer (validated)


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    help: str
    fields: tuple[str, ...] = ()  # the requirement fields this question can set
    choices: tuple[tuple[str, str], ...] = ()  # (value, plain words)
    default: Any = None  # None: the requirements model's default for the field
    optional: bool = False  # an empty answer means "not known"
    ask_if: Callable[[Answers, "Context"], bool] = lambda answers, context: True

    @property
    def field(self) -> Optional[str]:
        return self.fields[0] if len(self.fields) == 1 and self.fields[0] == self.id else None


@dataclass
class Context:
    """What skip tests may consult: whether the rules still leave fine-tuning on the table."""

    fine_tuning_possible: Callable[[Answers], bool]


# Skip tests are small callables rather than lambdas, so the web form can describe them to the
# browser (`describe`): it hides questions that no longer apply as the answers change.


@dataclass(frozen=True)
class _FineTuning:
    def __call__(self, answers: Answers, context: Context) -> bool:
        return context.fine_tuning_possible(answers)

    def describe(self) -> dict:
        return {"fine_tuning": True}


@dataclass(frozen=True)
class _Is:
    question_id: str
    values: tuple

    def __call__(self, answers: Answers, context: Context) -> bool:
        return answers.get(self.question_id) in self.values

    def describe(self) -> dict:
        return {"is": self.question_id, "values": [str(v) for v in self.values]}


@dataclass(frozen=True)
class _NotZero:
    question_id: str

    def __call__(self, answers: Answers, context: Context) -> bool:
        return str(answers.get(self.question_id, 0)) != "0"

    def describe(self) -> dict:
        return {"not_zero": self.question_id}


@dataclass(frozen=True)
class _AnyGiven:
    question_ids: tuple

    def __call__(self, answers: Answers, context: Context) -> bool:
        return any(answers.get(question_id) for question_id in self.question_ids)

    def describe(self) -> dict:
        return {"any_given": list(self.question_ids)}


@dataclass(frozen=True)
class _Both:
    tests: tuple

    def __call__(self, answers: Answers, context: Context) -> bool:
        return all(test(answers, context) for test in self.tests)

    def describe(self) -> dict:
        return {"all": [test.describe() for test in self.tests]}


_fine_tuning = _FineTuning()


def _is(question_id: str, *values) -> _Is:
    return _Is(question_id, values)


def _both(*tests) -> _Both:
    return _Both(tests)


def condition_of(question: "Question") -> Optional[dict]:
    """When QUESTION applies, as data ({"is": id, "values": [...]}, {"not_zero": id},
    {"fine_tuning": true}, {"all": [...]}); None when it always applies."""
    describe = getattr(question.ask_if, "describe", None)
    return describe() if describe else None


YES_NO = (("yes", "yes"), ("no", "no"))

# The facts the approach rules test most (what the task is, whether a prompt already does it, how
# often its knowledge changes, the volume) come first: left to their defaults they decide on assumptions.
QUESTIONS: tuple[Question, ...] = (
    Question("task.kind", "What must the model do?",
             "One narrow task suits fine-tuning; general or mixed work usually suits a capable base model.",
             ("task.kind",), (("narrow", "one narrow task: classify, extract, a fixed format"),
                              ("general", "general chat, Q&A, summaries"),
                              ("multi_task", "several different tasks"),
                              ("retrieval_chat", "answer questions over documents or a knowledge base"),
                              ("mixed_complexity", "a mix of easy and hard requests"))),
    Question("task.prompt_suffices", "Does a well-crafted prompt on a good base model already do the job?",
             "If it does, fine-tuning costs more than it saves (002).", ("task.prompt_suffices",),
             (("unknown", "not tried yet"), ("yes", "yes"), ("no", "no"))),
    Question("task.knowledge_churn", "How often does the knowledge the model needs change?",
             "Knowledge that changes daily goes stale in a fine-tune; RAG keeps it current (001).",
             ("task.knowledge_churn",), (("stable", "stable for months"), ("monthly", "monthly"),
                                         ("weekly", "weekly"), ("daily", "daily"))),
    Question("volume_unit", "Do you know your monthly volume in tokens, or in requests?",
             "With requests, ftrec works out tokens from requests × tokens per request.", (),
             (("tokens", "tokens a month"), ("requests", "requests a month")), default="tokens"),
    Question("inference.monthly_tokens", "How many tokens a month in production (input + output)?",
             "e.g. 100M; 001's typical project runs 100M tokens a month.", ("inference.monthly_tokens",),
             ask_if=_is("volume_unit", "tokens")),
    Question("inference.monthly_queries", "How many requests a month, if you know?",
             "Thresholds on requests come from 001 (under 1M, over 10M a month); leave empty if unknown.",
             ("inference.monthly_queries",), optional=True, ask_if=_is("volume_unit", "tokens")),
    Question("requests_per_month", "How many requests a month?",
             "001's thresholds: under 1M requests a month RAG is usually cheaper; over 10M fine-tuning pays.",
             ("inference.monthly_queries",), default=1_000_000, ask_if=_is("volume_unit", "requests")),
    Question("tokens_per_request", "About how many tokens per request (prompt + answer)?",
             "Monthly tokens = requests × tokens per request.", ("inference.monthly_tokens",), default=1000,
             ask_if=_is("volume_unit", "requests")),
    Question("inference.few_shot_tokens", "How many prompt tokens per request are examples (few-shot) that a "
             "fine-tune would no longer need?", "002: fine-tuned models need fewer examples in the prompt; "
             "leave empty if none.", ("inference.few_shot_tokens",), optional=True,
             ask_if=_AnyGiven(("inference.monthly_queries", "requests_per_month"))),
    Question("inference.input_share", "What share of those tokens is input (the prompt), from 0 to 1?",
             "Input and output are priced differently; 0.8 means 80% input, 20% output.", ("inference.input_share",)),
    Question("needs.citations", "Must answers cite verifiable sources?",
             "Retrieval shows its source; a fine-tune bakes knowledge in (001).", ("needs.citations",), YES_NO),
    Question("needs.style_tone", "Does it need a particular style or tone of voice?",
             "Fine-tuning does style and tone much better than a system prompt (001).", ("needs.style_tone",), YES_NO),
    Question("needs.output_format", "Must it produce a strict output format (a JSON schema, a table, code)?",
             "Formats prompting can't reliably produce are a reason to fine-tune (002).", ("needs.output_format",), YES_NO),
    Question("needs.reasoning", "Does the task need better multi-step reasoning than today's model has?",
             "Fine-tuning does not improve reasoning; a larger base model does (002).", ("needs.reasoning",), YES_NO),
    Question("needs.data_residency", "Where must the data stay?",
             "Only Mistral documents EU residency in the sources (001).", ("needs.data_residency",),
             (("any", "anywhere"), ("eu", "in the EU"), ("us", "in the US"))),
    Question("needs.model_family", "Must you use a particular model family?",
             "Leave 'any' unless a family is required.", ("needs.model_family",),
             (("any", "any"), ("claude", "Claude"), ("gpt", "GPT (OpenAI)"), ("llama", "Llama"),
              ("mistral", "Mistral"), ("gemini", "Gemini"), ("command", "Command (Cohere)"))),
    Question("claude_bedrock", "A custom Claude runs only on AWS Bedrock Custom Model Import, with $15+/month "
             "hosting and provisioned throughput the sources give no rate for. Keep Claude?",
             "Answer no to open up the other families.", (), YES_NO, default="yes",
             ask_if=_is("needs.model_family", "claude")),
    Question("needs.openai_ecosystem", "Do you depend on OpenAI's ecosystem (Assistants API, Realtime)?",
             "Then only OpenAI fine-tunes fit, GPT-4o mini first (001).", ("needs.openai_ecosystem",), YES_NO,
             ask_if=_is("needs.model_family", "any", "gpt")),
    Question("needs.self_hosting", "Must you be able to host the model yourself (open weights)?",
             "Then only open-weight models fit (Llama, per the sources).", ("needs.self_hosting",), YES_NO),
    Question("priority", "What matters most?", "Ranks the allowed offerings.", ("priority",),
             (("balanced", "a balance: the year-1 total"), ("cost", "the lowest year-1 cost"),
              ("quality", "the best quality"), ("inference_cost", "the lowest monthly inference cost"))),
    Question("baseline_kind", "What do you run today? (break-even is measured against it)",
             "An offering id from `ftrec catalog list`, or your own per-1M rates.", (),
             (("none", "nothing to compare with"), ("offering", "a catalog model at its base rates"),
              ("rates", "my own rates per 1M tokens")), default="none"),
    Question("baseline", "Which catalog model (offering id)?", "e.g. openai/gpt-4o", ("baseline",),
             ask_if=_is("baseline_kind", "offering")),
    Question("baseline.input_per_m", "Your input rate today, USD per 1M tokens?", "e.g. 2.50",
             ("baseline.input_per_m",), ask_if=_is("baseline_kind", "rates")),
    Question("baseline.output_per_m", "Your output rate today, USD per 1M tokens?", "e.g. 10.00",
             ("baseline.output_per_m",), ask_if=_is("baseline_kind", "rates")),
    # --- training: only while fine-tuning is still on the table -----------------------------------
    Question("training_size", "How do you want to size the training data?",
             "Billed tokens = epochs × training tokens + evaluations × validation tokens (000).", (),
             (("tokens", "in tokens"), ("examples", "examples × tokens per example"),
              ("steps", "context length × batch size × steps")), default="tokens", ask_if=_fine_tuning),
    Question("training.tokens", "How many tokens in the training set?", "e.g. 5M (001's typical corpus).",
             ("training.tokens",), default="5M", ask_if=_both(_fine_tuning, _is("training_size", "tokens"))),
    Question("training.examples", "How many training examples?", "e.g. 8000", ("training.examples",), default=8000,
             ask_if=_both(_fine_tuning, _is("training_size", "examples"))),
    Question("training.tokens_per_example", "About how many tokens per example?", "e.g. 600",
             ("training.tokens_per_example",), default=600, ask_if=_both(_fine_tuning, _is("training_size", "examples"))),
    Question("training.context_length", "Context length (tokens)?", "e.g. 8192", ("training.context_length",),
             default=8192, ask_if=_both(_fine_tuning, _is("training_size", "steps"))),
    Question("training.batch_size", "Batch size?", "e.g. 8", ("training.batch_size",), default=8,
             ask_if=_both(_fine_tuning, _is("training_size", "steps"))),
    Question("training.steps", "Training steps?", "e.g. 1000", ("training.steps",), default=1000,
             ask_if=_both(_fine_tuning, _is("training_size", "steps"))),
    Question("training.epochs", "How many passes (epochs) over the training set?", "001's example uses 3.",
             ("training.epochs",), ask_if=_fine_tuning),
    Question("training.validation_tokens", "Tokens in the validation set (0 if none)?", "e.g. 1M",
             ("training.validation_tokens",), ask_if=_fine_tuning),
    Question("training.evaluations", "How many times is the validation set evaluated?", "Each evaluation is billed (000).",
             ("training.evaluations",), ask_if=_both(_fine_tuning, _NotZero("training.validation_tokens"))),
    Question("training.type", "Plain examples (SFT) or preference pairs, chosen vs rejected (DPO)?",
             "Only Together documents DPO, and the sources give no DPO price (000).", ("training.type",),
             (("sft", "plain examples (SFT)"), ("dpo", "preference pairs (DPO)")), ask_if=_fine_tuning),
    Question("training.method", "LoRA, full fine-tuning, or let the rules decide?",
             "LoRA wins for 95% of use cases (001).", ("training.method",),
             (("auto", "let the rules decide"), ("lora", "LoRA"), ("full", "full fine-tuning")), ask_if=_fine_tuning),
    Question("needs.new_knowledge", "Must it learn genuinely new facts (not style, format or tone)?",
             "One of the three reasons for full fine-tuning (001).", ("needs.new_knowledge",), YES_NO,
             ask_if=_both(_fine_tuning, _is("training.method", "auto"))),
    Question("needs.tokenizer_change", "Must the tokenizer or vocabulary change?",
             "Another reason for full fine-tuning (001).", ("needs.tokenizer_change",), YES_NO,
             ask_if=_both(_fine_tuning, _is("training.method", "auto"))),
    Question("needs.merge_adapters", "Must several LoRA adapters be merged into one served model?",
             "The third reason for full fine-tuning (001).", ("needs.merge_adapters",), YES_NO,
             ask_if=_both(_fine_tuning, _is("training.method", "auto"))),
    Question("training.hours", "Training compute hours, if you know them?",
             "OpenAI bills training compute per hour (002); leave empty to leave it out.", ("training.hours",),
             optional=True, ask_if=_fine_tuning),
    Question("operations.trainings_per_year", "How many times a year will you re-train?",
             "001 advises planning quarterly re-training: 4.", ("operations.trainings_per_year",), ask_if=_fine_tuning),
    Question("operations.include_hidden_costs", "Show hidden costs (data preparation, evaluation) beside year-1?",
             "001: teams routinely under-budget these.", ("operations.include_hidden_costs",), YES_NO),
)
BY_ID = {q.id: q for q in QUESTIONS}


# --- defaults and validation, from the requirements model -----------------------------------


def default_of(question: Question) -> Any:
    if question.default is not None or not question.field:
        return question.default
    from recommender.domain.requirements import Requirements

    section, _, name = question.field.partition(".")
    factory = Requirements.model_fields[section].default_factory
    if name and factory is None:
        return None  # baseline rates: no default
    value = getattr(factory(), name) if name else Requirements.model_fields[section].default
    if isinstance(value, bool):
        return "yes" if value else "no"
    from recommender.engine.facts import FACTS

    if FACTS[question.field].kind == "tokens" and value:
        from recommender.domain.units import tokens

        return tokens(value)
    return value


def validate(question: Question, raw: Any) -> Any:
    """The answer as the requirements file will hold it, or ValueError with the reason."""
    if isinstance(raw, str):
        raw = raw.strip()
    if raw in ("", None) and question.optional:
        return None
    if question.choices:
        values = [value for value, _ in question.choices]
        raw = {True: "yes", False: "no"}.get(raw, raw) if isinstance(raw, bool) else raw
        chosen = _choose(str(raw), question.choices)
        if chosen is None:
            raise ValueError(f"choose one of {', '.join(values)}")
        return chosen
    return _checked(_validator(question), raw)


def _validator(question: Question):
    """The requirements model's own validator for what this question sets."""
    from pydantic import TypeAdapter

    from recommender.engine.facts import FACTS
    from recommender.domain.requirements import BaselineRates, Tokens

    if question.id == "tokens_per_request":
        return TypeAdapter(Tokens)
    if question.id.startswith("baseline."):
        return TypeAdapter(BaselineRates.model_fields[question.id.split(".")[1]].annotation)
    if question.id == "baseline":
        return TypeAdapter(str)
    return FACTS[question.fields[0]].adapter


def _checked(adapter, raw: Any) -> Any:
    from pydantic import ValidationError

    from recommender.domain.validation import first_error

    try:
        return adapter.validate_python(raw)
    except ValidationError as exc:
        raise ValueError(first_error(exc, None).problem) from None


YES_NO_WORDS = {"y": "yes", "n": "no"}


def _choose(raw: str, choices) -> Optional[str]:
    text = raw.lower()
    values = [value for value, _ in choices]
    if "yes" in values and text in YES_NO_WORDS:
        return YES_NO_WORDS[text]
    for number, (value, words) in enumerate(choices, start=1):
        if text in (value, str(number), words.lower()):
            return value
    return None


# --- turning answers into requirements ------------------------------------------------------


def requirements_data(answers: Answers) -> dict:
    """The requirements mapping the answers say, nested as a requirements file is."""
    data: dict = {}
    for question in QUESTIONS:
        if question.id not in answers or answers[question.id] is None:
            continue
        value = answers[question.id]
        if question.id == "tokens_per_request":
            _put(data, "inference.monthly_tokens", answers["requests_per_month"] * value)
        elif question.id == "requests_per_month":
            _put(data, "inference.monthly_queries", value)
        elif question.id == "claude_bedrock":
            if value == "no":
                _put(data, "needs.model_family", "any")
        elif question.field or question.id == "baseline" or question.id.startswith("baseline."):
            _put(data, question.fields[0], _file_value(value, question))
    return data


def _file_value(value: Any, question: Question) -> Any:
    if question.choices == YES_NO:
        return value == "yes"
    from decimal import Decimal

    if isinstance(value, Decimal):
        return format(value, "f")
    return value


def _put(data: dict, path: str, value: Any) -> None:
    section, _, name = path.partition(".")
    if name:
        data.setdefault(section, {})[name] = value
    else:
        data[section] = value


def answers_from_file(path: str) -> Answers:
    """--answers FILE: a mapping of question ids to answers; the rest take their defaults."""
    from recommender.domain import files

    data = files.load(path) or {}
    if not isinstance(data, dict):
        raise InputError("expected a mapping of question ids to answers", file=path)
    answers: Answers = {}
    for key, raw in data.items():
        question = BY_ID.get(key)
        if question is None:
            import difflib

            close = difflib.get_close_matches(str(key), list(BY_ID), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise InputError(f"unknown question{hint}; the questions are listed by `ftrec ask --help`", file=path,
                             path=str(key))
        try:
            answers[key] = validate(question, raw)
        except ValueError as exc:
            raise InputError(str(exc), file=path, path=str(key)) from None
    return answers


def fine_tuning_check(setup, today: date) -> Callable[[Answers], bool]:
    """Runs the real rules on the answers so far (defaults for the rest)."""
    from recommender.decision.decide import decide
    from recommender.domain.requirements import requirements_from

    def possible(answers: Answers) -> bool:
        # The approach never depends on training answers, and a half-given training size would not validate.
        known = {key: value for key, value in answers.items() if not key.startswith("training")}
        requirements = requirements_from(requirements_data(known), "answers")
        return decide(requirements, setup, today, "answers")["approach"]["fine_tunes"]

    return possible


# --- the file -------------------------------------------------------------------------------


def requirements_yaml(answers: Answers, today: date) -> str:
    import yaml

    lines = [
        f"# Requirements written by `ftrec ask` on {today.isoformat()}.",
        "# Recommend again with: ftrec recommend THIS_FILE   (fields are listed by `ftrec schema requirements`)",
    ]
    from recommender.domain.requirements import Requirements

    data = requirements_data(answers)
    comments = {q.fields[0]: q.text for q in reversed(QUESTIONS) if q.fields}  # first question wins
    comments.update({q.id: q.text for q in QUESTIONS if q.field})  # and a field's own question wins outright
    for section in (name for name in Requirements.model_fields if name in data):
        value = data[section]
        if isinstance(value, dict):
            lines.append(f"{section}:")
            for name, item in value.items():
                lines.append(f"  # {comments.get(f'{section}.{name}', '')}".rstrip())
                lines.append(f"  {name}: {_scalar(yaml, item)}")
        else:
            lines.append(f"# {comments.get(section, '')}".rstrip())
            lines.append(f"{section}: {_scalar(yaml, value)}")
    return "\n".join(lines) + "\n"


def _scalar(yaml, value: Any) -> str:
    return yaml.safe_dump(value, default_flow_style=True, width=10_000).strip().removesuffix("...").strip()


def write_atomically(path: Path, text: str) -> None:
    """The whole file or none of it: Ctrl-C or a full disk never leave half a file."""
    import tempfile

    directory = path.parent if str(path.parent) else Path(".")
    fd, temporary = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
