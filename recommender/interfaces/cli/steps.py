"""What the commands do once their options are read, and how their errors end the program, without click: the plainest `ftrec recommend
FILE` runs through here without loading click at all (cli/entry.py), a tenth of its start-up."""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path
from typing import Callable, Optional

from recommender.domain.errors import EnvironmentProblem, InputError


class Failed(Exception):
    """A check found problems, or a replay differs: exit 1 after the output is printed."""


TABLE_ROWS = 10  # the table's default length; JSON and markdown list every allowed offering


def parse_today(value: Optional[str], option: str = "--today") -> date:
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"must be a date such as 2026-11-23, got {value!r}", path=option) from None


def load_setup(catalog_dir: Optional[str], rules_dir: Optional[str]):
    import gc

    from recommender.api import setup_for
    from recommender.interfaces.cli.startup import started

    setup = setup_for(catalog_dir, rules_dir)
    gc.freeze()  # the catalog and rules live as long as the process: keep the collector off them
    started()
    return setup


def load_requirements(path: str):
    from recommender.api import as_requirements

    return as_requirements(path)[0]


def parse_as_of(value: Optional[str]) -> Optional[date]:
    return None if value is None else parse_today(value, "--as-of")


def recommend_file(path: str, when: date, as_of: Optional[date], catalog_dir: Optional[str], rules_dir: Optional[str],
                   fmt: str, top: Optional[int], no_audit: bool, audit_log: Optional[str], wide: bool) -> None:
    """`ftrec recommend PATH`: one requirements file decided, recorded unless NO_AUDIT, and shown."""
    req = load_requirements(path)
    setup = load_setup(catalog_dir, rules_dir)
    log = None
    if not no_audit:  # the decision log's module loads only when a decision is recorded
        from recommender.records import log as audit

        log = audit.log_path(audit_log)
        audit.check_writable(log)
    from recommender.domain.files import printable

    run_recommendation(req, printable(path), setup, when, fmt, top, log, as_of, wide)


def run_recommendation(req, source: str, setup, when: date, fmt: str, top: Optional[int], log: Optional[Path],
                       as_of: Optional[date] = None, wide: bool = False) -> None:
    """Decide, record (unless `log` is None) and show one decision: what `recommend` and `ask` do.

    The collector stays off throughout: a large catalog's decision is millions of objects, which
    reference counting frees (they make no cycles), and one pass of the collector over them, and
    over what deciding remembers for the process's next decisions, cost a large catalog's
    `recommend` a tenth of its time."""
    import gc

    from recommender.decision.decide import decide
    from recommender.decision.as_of import setup_as_of, stamp_as_of
    from recommender.domain import collector

    with collector.paused():
        decision = stamp_as_of(decide(req, setup_as_of(setup, as_of), when, source=source), as_of)
        if log is not None:
            from recommender.records import log as audit

            audit.append(decision, log)
        show_decision(decision, fmt, top, log, wide)
        del decision
        gc.freeze()  # what deciding remembered (the catalog's views, its costs) lives as long as the process


def show_decision(decision: dict, fmt: str, top: Optional[int], log: Optional[Path], wide: bool = False) -> None:
    """The decision on stdout; in a table, its warnings and the way to its record on stderr."""
    if fmt == "json":
        from recommender.decision.shapes import dumps_bytes

        shown = dict(decision, recommendations=decision["recommendations"][: top or None])
        write_bytes(dumps_bytes(shown))
        write_bytes(b"\n")  # after, not appended: that would copy the whole text
        return
    from recommender.presentation import render
    from recommender.presentation.layout import console

    if fmt == "markdown":
        import click

        click.echo(render.decision_markdown(decision, top), nl=False)
    else:
        out = console(wide=wide)
        out.print(render.decision_table(decision, top or TABLE_ROWS, out.width, warnings=False))
        if decision["warnings"]:
            console(stderr=True).print(render.warnings_block(decision))
        if log is not None:
            import click

            for line in record_hint(decision["decision_id"], log):
                click.echo(line, err=True)


def write_bytes(data) -> None:
    """DATA (bytes, or a view of them: UTF-8 lines) on stdout as it is: through its binary buffer when it
    has one (a large catalog's decision is tens of megabytes: not copied into text first)."""
    if not data:
        return
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:  # a text-only stream (a test's capture)
        sys.stdout.write(bytes(data).decode("utf-8", "surrogateescape"))
        return
    sys.stdout.flush()
    buffer.write(data)


def record_hint(decision_id: str, log: Path) -> list[str]:
    """Where the decision went and the command that explains it, pasteable as printed: it names the
    log unless it is the built-in default, and the program as it was run when that is not on PATH."""
    import shlex

    from recommender.records.log import default_path

    elsewhere = "" if log == default_path() else f" --audit-log {shlex.quote(str(log))}"
    return [f"Recorded decision {decision_id} in {_home_as_tilde(log)}.",
            f"Why: {program()} explain {decision_id}{elsewhere}"]


def _home_as_tilde(path: Path) -> str:
    home = Path("~").expanduser()
    try:
        return f"~/{path.relative_to(home)}" if path.is_absolute() and home != Path("/") else str(path)
    except ValueError:
        return str(path)


def program() -> str:
    """`ftrec`, or the path it was run by (`.venv/bin/ftrec`) when a plain `ftrec` would not find it."""
    import os
    import shlex
    import shutil
    import sys

    invoked = sys.argv[0] if sys.argv else ""
    if os.path.basename(invoked) != "ftrec" or os.sep not in invoked:
        return "ftrec"
    found = shutil.which("ftrec")
    if found and os.path.realpath(found) == os.path.realpath(invoked):
        return "ftrec"
    return shlex.quote(invoked)


def guarded(command: Callable[[], object]) -> None:
    """COMMAND, its errors turned into exit codes: 1 a check found problems, 2 bad input or usage
    (one line), 3 the environment, 130 interrupted; 0 otherwise."""
    try:
        command()
    except EnvironmentProblem as exc:
        _fail(str(exc), 3)
    except InputError as exc:
        _fail(str(exc), 2)
    except Failed:
        sys.exit(1)
    except KeyboardInterrupt:
        _fail("interrupted: nothing written", 130)
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    except Exception as exc:  # noqa: BLE001 - click's own, when click ran the command
        _click_failure(exc)
        raise
    sys.exit(0)


def _click_failure(exc: Exception) -> None:
    click = sys.modules.get("click")
    if click is None:
        return
    if isinstance(exc, click.exceptions.Abort):
        _fail("interrupted: nothing written", 130)
    if isinstance(exc, click.UsageError):
        hint = f" (try '{exc.ctx.command_path} --help')" if exc.ctx else ""
        _fail(f"{exc.format_message()}{hint}", 2)
    if isinstance(exc, click.ClickException):
        _fail(exc.format_message(), exc.exit_code)


def _fail(message: str, code: int) -> None:
    import click

    click.echo(message.splitlines()[0] if message else "error", err=True)
    sys.exit(code)
