"""`ftrec ask`: the questionnaire in a terminal, one question at a time, then a recommendation."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Any, Optional

import click

from recommender.domain.errors import InputError
from recommender.interfaces.cli.common import (audit_log_option, catalog_option, format_option, parse_today, rules_option,
                                              today_option)
from recommender.interfaces.questions import (
    QUESTIONS,
    YES_NO,
    Answers,
    Question,
    answers_from_file,
    fine_tuning_check,
    requirements_data,
    requirements_yaml,
    write_atomically,
)
from recommender.interfaces.session import Session, offering_check


# --- the session ----------------------------------------------------------------------------


class Prompter:
    """Asks one question at a time in the terminal (rich); tests replace it with scripted answers."""

    def __init__(self) -> None:
        from rich.console import Console

        self.console = Console(stderr=True, highlight=False)
        self.last: Optional[Question] = None
        self.again: Optional[Question] = None  # the question just answered wrongly: only its prompt again

    def ask(self, question: Question, default: Any) -> str:
        from rich.markup import escape as escaped

        if question is not self.again:
            self._show(question)
        self.last, self.again = question, None
        return self.console.input(escaped(prompt_text(question, default)))

    def _show(self, question: Question) -> None:
        from rich.markup import escape

        from recommender.domain.vocabulary import source_words

        self.console.print(f"[bold]{escape(question.text)}[/bold]")
        self.console.print(f"  [dim]{escape(source_words(question.help))}[/dim]")
        for number, (value, words) in enumerate(() if question.choices == YES_NO else question.choices, start=1):
            self.console.print(f"  [cyan]{number}[/cyan]. {escape(words)} [dim]({value})[/dim]")

    def problem(self, text: str) -> None:
        from rich.markup import escape

        self.again = self.last
        self.console.print(f"  [red]{escape(text)}[/red]; try again (or `back` for the previous question).")

    def say(self, text: str) -> None:
        self.console.print(text, highlight=False, markup=False)

    def reply(self, text: str) -> str:
        from rich.markup import escape

        self.again = None
        return self.console.input(escape(text))


def prompt_text(question: Question, default: Any) -> str:
    """"  yes or no [no]: ", "  1–5 or a name [narrow]: ", "  answer (Enter to leave it out): "."""
    if question.choices == YES_NO:
        ask = "yes or no"
    elif question.choices:
        ask = f"1–{len(question.choices)} or a name"
    else:
        ask = "answer"
    if default is not None and str(default) != "":
        return f"  {ask} [{default}]: "
    return f"  {ask}{' (Enter to leave it out)' if question.optional else ''}: "


# --- the command ----------------------------------------------------------------------------


def stdin_is_terminal() -> bool:
    return sys.stdin.isatty()


@click.command(epilog="Question ids for --answers: " + ", ".join(q.id for q in QUESTIONS) + ".")
@click.option("--out", default="requirements.yaml", show_default=True, metavar="REQ.yaml",
              help="Where to write the answers as a requirements file.")
@click.option("--answers", "answers_file", default=None, metavar="FILE",
              help="Answer from a YAML/JSON file of question ids to answers (the rest take their defaults).")
@click.option("--force", is_flag=True, help="Overwrite --out without asking.")
@click.option("--no-recommend", is_flag=True, help="Only write the requirements file.")
@catalog_option
@rules_option
@format_option
@click.option("--top", type=click.IntRange(min=1), default=None,
              help="Show only the first N offerings [default: 10 in the table; all in JSON and markdown].")
@today_option
@click.option("--no-audit", is_flag=True, help="Do not record the decision in the audit log.")
@audit_log_option
def ask(out, answers_file, force, no_recommend, catalog_dir, rules_dir, fmt, top, today, no_audit, audit_log) -> None:
    """The questionnaire: asks about the task, traffic, knowledge, constraints and training data,
    writes the answers as a commented requirements file, then recommends.

    Press Enter to take a question's default; y and n do for yes and no; `back` (or <) returns
    to the previous question. A summary of the answers asks to confirm before anything is written. Questions that no longer matter are skipped: no
    training questions once the rules rule fine-tuning out. Without a terminal, answer from a file
    with --answers.
    """
    from recommender.records import log as audit
    from recommender.interfaces.cli.common import load_setup, run_recommendation
    from recommender.domain.requirements import requirements_from

    when = parse_today(today)
    target = Path(out)
    if answers_file is None and not stdin_is_terminal():
        raise InputError("no terminal to ask questions on: answer from a file with --answers FILE "
                         "(question ids are listed by `ftrec ask --help`)", path="ftrec ask")
    answers = answers_from_file(answers_file) if answers_file else None
    if target.is_dir():
        raise InputError("is a directory, expected a file name", file=out, path="--out")
    if target.exists() and not force and answers is not None:
        raise InputError("already exists: use --force to overwrite it, or --out for another file", file=out)
    setup = load_setup(catalog_dir, rules_dir)
    log = None if no_audit else audit.log_path(audit_log)
    if log is not None and not no_recommend:
        audit.check_writable(log)
    if answers is None:
        prompter = Prompter()
        try:
            target = target if force else _free_name(prompter, target)
            answers = _interactive(prompter, setup, when, target) if target is not None else None
        except (KeyboardInterrupt, EOFError):
            raise click.exceptions.Abort() from None
        if answers is None:
            click.echo("nothing written", err=True)
            return
    out = str(target)
    requirements = requirements_from(requirements_data(answers), out)
    write_atomically(target, requirements_yaml(answers, when))
    click.echo(f"wrote {target}", err=True)
    if not no_recommend:
        run_recommendation(requirements, out, setup, when, fmt or "table", top, log)


def _free_name(prompter, target: Path) -> Optional[Path]:
    """TARGET, or another name when it exists and is not to be overwritten; None: stop, nothing written."""
    while target.exists():
        reply = prompter.reply(f"{target} exists. Overwrite it at the end? yes, no, or another file name [no]: ").strip()
        if reply.lower() in ("y", "yes"):
            return target
        if reply.lower() in ("", "n", "no"):
            return None
        target = Path(reply)
    return target


def _interactive(prompter, setup, when: date, target: Path) -> Optional[Answers]:
    """The questions, then the answers to confirm: yes writes, back returns to the last question, no stops."""
    session = Session(fine_tuning_check(setup, when), offering_check(setup.catalog)).run(prompter)
    while True:
        prompter.say("Your answers:")
        for text, answer in session.summary():
            prompter.say(f"  {text} {answer}")
        reply = prompter.reply(f"Write them to {target}? yes, no, or back [yes]: ").strip().lower()
        if reply in ("", "y", "yes"):
            return session.answers
        if reply in ("n", "no"):
            return None
        if reply in ("b", "back", "<"):
            session.run(prompter, from_last=True)
        else:
            prompter.problem("answer yes, no or back")
