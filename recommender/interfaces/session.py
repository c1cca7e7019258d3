"""The questionnaire as a conversation: re-ask on a bad answer, `back` to the previous question,
a summary to confirm before anything is written. The questions themselves are data (questions.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from recommender.interfaces.questions import BY_ID, QUESTIONS, Answers, Context, Question, default_of, validate

BACK = ("back", "<")


@dataclass
class Session:
    """Answers on the path taken so far, the ids in the order answered, and every raw answer given
    (a question returned to, or asked again after a change of path, offers it as the default)."""

    fine_tuning_possible: Callable[[Answers], bool]
    check: Optional[Callable[[Question, Any], None]] = None
    answers: Answers = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)
    remembered: dict = field(default_factory=dict)

    def run(self, prompter, from_last: bool = False) -> "Session":
        """Ask every question that still matters; `from_last` starts again at the last one answered.

        A bad answer is asked again with the reason, keeping every earlier answer; `back` (or `<`)
        returns to the previous question. `check` adds tests the requirements model cannot make
        (a baseline id against the catalog).
        """
        context = Context(self.fine_tuning_possible)
        index = self._back() if from_last and self.asked else 0
        while index < len(QUESTIONS):
            question = QUESTIONS[index]
            if not question.ask_if(self.answers, context):
                index += 1
                continue
            default = self.remembered.get(question.id, default_of(question))
            raw = prompter.ask(question, default)
            if isinstance(raw, str) and raw.strip().lower() in BACK:
                if not self.asked:
                    prompter.problem("this is the first question")
                    continue
                index = self._back()
                continue
            if (raw is None or str(raw).strip() == "") and default is not None:
                raw = default
            try:
                value = validate(question, raw)
                if self.check is not None:
                    self.check(question, value)
            except ValueError as exc:
                prompter.problem(str(exc))
                continue
            self.answers[question.id] = value
            self.remembered[question.id] = value if question.choices else raw  # "narrow", not "1"; "5M" stays
            self.asked.append(question.id)
            index += 1
        return self

    def _back(self) -> int:
        """Forget the last answer on the path (it stays remembered as the default); its position."""
        last = self.asked.pop()
        self.answers.pop(last, None)
        return next(i for i, q in enumerate(QUESTIONS) if q.id == last)

    def summary(self) -> list[tuple[str, str]]:
        """Each answered question with its answer as typed ("200M"; a choice by its name), in the order asked."""
        return [(BY_ID[qid].text, "(not given)" if self.answers[qid] is None else str(self.remembered[qid]))
                for qid in self.asked if qid in self.answers]


def offering_check(catalog) -> Callable[[Question, Any], None]:
    """A baseline offering id must name a catalog offering; a typo gets a did-you-mean."""
    def check(question: Question, value: Any) -> None:
        if question.id != "baseline" or value in catalog.offerings:
            return
        import difflib

        close = difflib.get_close_matches(str(value), list(catalog.offerings), n=1, cutoff=0.5)
        hint = f" (did you mean {close[0]!r}?)" if close else " (`ftrec catalog list` lists them)"
        raise ValueError(f"no offering {value!r} in the catalog{hint}")

    return check
