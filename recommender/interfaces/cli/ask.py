"""`ftrec ask`: the questionnaire in a terminal, one question at a time, then a recommendation."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Any

import click

from recommender.domain.errors import InputError
from recommender.interfaces.cli.common import (audit_log_option, catalog_option, format_option, parse_today, rules_option,
                                              today_option)
from recommender.interfaces.questions import (
    QUESTIONS,
    Answers,
    Question,
    answers_from_file,
    fine_tuning_check,
    requirements_data,
    requirements_yaml,
    run_session,
    write_atomically,
)


# --- the session ----------------------------------------------------------------------------


class Prompter:
    """Asks one question at a time in the terminal (rich); tests replace it with scripted answers."""

    def __init__(self) -> None:
        from rich.console import Console

        self.console = Console(stderr=True, highlight=False)

    def ask(self, question: Question, default: Any) -> str:
        from rich.prompt import Prompt

        self.console.print(f"[bold]{question.text}[/bold]")
        self.console.print(f"  [dim]{question.help}[/dim]")
        for number, (value, words) in enumerate(question.choices, start=1):
            self.console.print(f"  [cyan]{number}[/cyan]. {words} [dim]({value})[/dim]")
        shown = "" if default is None else str(default)
        return Prompt.ask("  answer", console=self.console, default=shown, show_default=True)

    def problem(self, text: str) -> None:
        self.console.print(f"  [red]{text}[/red]; try again.")


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

    Press Enter to take a question's default. Questions that no longer matter are skipped: no
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
        answers, _ = _interactive(setup, when, target, force)
    requirements = requirements_from(requirements_data(answers), out)
    write_atomically(target, requirements_yaml(answers, when))
    click.echo(f"wrote {target}", err=True)
    if not no_recommend:
        run_recommendation(requirements, out, setup, when, fmt or "table", top, log)


def _interactive(setup, when: date, target: Path, force: bool) -> tuple[Answers, list[str]]:
    prompter = Prompter()
    if target.exists() and not force:
        from rich.prompt import Confirm

        if not Confirm.ask(f"{target} exists. Overwrite it at the end?", console=prompter.console, default=False):
            raise click.ClickException(f"kept {target}: nothing written (use --out for another file)")
    try:
        return run_session(prompter, fine_tuning_check(setup, when))
    except (KeyboardInterrupt, EOFError):
        raise click.exceptions.Abort() from None
