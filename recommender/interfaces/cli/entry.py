"""The `ftrec` program: how it starts, how errors become exit codes, and how it ends.

`ftrec recommend FILE` (with `--no-audit` or not, and nothing else) is the command people and
scripts run most. Its options are all at their defaults, so it goes straight to the command's own
steps (steps.recommend_file) without loading click and building the command line, a tenth of its
start-up; anything else goes through click (main.py). Errors are reported the same either way.
"""

from __future__ import annotations

from recommender.interfaces.cli.startup import fast_start

fast_start()  # first: see startup.py

import errno  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from typing import Callable, Optional  # noqa: E402

from recommender.domain.errors import EnvironmentProblem, InputError  # noqa: E402


def run() -> None:
    """`ftrec`: the command, then out of the process without tearing the interpreter down.

    Freeing every module and object one by one at exit costs a short command a few percent of its
    time, and nothing is left to do once the output is flushed: unless a command started worker
    processes or opened the decision log, whose clean-ups run at exit, the process ends at once."""
    try:
        quick = plain_recommend(sys.argv[1:])
        if quick is None:
            from recommender.interfaces.cli.main import main

            main()
        else:
            fast_start(one_shot=True)
            guarded(lambda: _recommend(*quick))
    except SystemExit as done:
        code = done.code
        if (code is None or isinstance(code, int)) and not _cleanups_pending():
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            except Exception:  # noqa: BLE001 - e.g. a closed pipe: the usual exit reports it
                raise done from None
            os._exit(code or 0)
        raise


def plain_recommend(args: list[str]) -> Optional[tuple[str, bool]]:
    """(FILE, no_audit) when ARGS are `recommend FILE`, with or without `--no-audit`; else None."""
    if "_FTREC_COMPLETE" in os.environ or not args or args[0] != "recommend":  # click's shell completion
        return None
    rest = args[1:]
    no_audit = "--no-audit" in rest
    files = [arg for arg in rest if arg != "--no-audit"]
    if len(files) != 1 or files[0].startswith("-") or len(rest) - len(files) > 1:
        return None
    return files[0], no_audit


def _recommend(path: str, no_audit: bool) -> None:
    """What click runs for `recommend PATH [--no-audit]`, every other option at its default, with
    click's handling of an interrupt (a new line, then `Abort`) and of a closed pipe (exit 1)."""
    from recommender.interfaces.cli.steps import parse_as_of, parse_today, recommend_file

    try:
        recommend_file(path, parse_today(None), parse_as_of(None), None, None, "table", None, no_audit, None, False)
    except (EOFError, KeyboardInterrupt):
        sys.stderr.write("\n")
        sys.stderr.flush()
        raise KeyboardInterrupt from None
    except OSError as exc:
        if exc.errno != errno.EPIPE:
            raise
        from click.utils import PacifyFlushWrapper

        sys.stdout = PacifyFlushWrapper(sys.stdout)
        sys.stderr = PacifyFlushWrapper(sys.stderr)
        sys.exit(1)


def guarded(command: Callable[[], object]) -> None:
    """COMMAND, its errors turned into exit codes: 1 a check found problems, 2 bad input or usage
    (one line), 3 the environment, 130 interrupted; 0 otherwise."""
    from recommender.interfaces.cli.steps import Failed

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


def _cleanups_pending() -> bool:
    """Whether exiting at once could lose something: exit handlers, other threads, worker pools, the log."""
    import atexit
    import threading

    handlers = getattr(atexit, "_ncallbacks", lambda: 1)()
    return bool(handlers) or threading.active_count() > 1 or any(
        name in sys.modules for name in ("multiprocessing", "concurrent.futures", "sqlite3", "logging"))


def _fail(message: str, code: int) -> None:
    import click

    click.echo(message.splitlines()[0] if message else "error", err=True)
    sys.exit(code)
