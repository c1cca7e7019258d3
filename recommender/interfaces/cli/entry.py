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
from typing import Optional  # noqa: E402


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
            from recommender.interfaces.cli.steps import guarded

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


def _cleanups_pending() -> bool:
    """Whether exiting at once could lose something: exit handlers, other threads, worker processes, the log."""
    import atexit
    import threading

    handlers = getattr(atexit, "_ncallbacks", lambda: 1)()
    if threading.active_count() > 1 or any(name in sys.modules for name in ("concurrent.futures", "sqlite3", "logging")):
        return True
    if "multiprocessing" in sys.modules:
        return not _multiprocessing_closed(handlers)
    return bool(handlers)


def _multiprocessing_closed(handlers: int) -> bool:
    """For a command that ran worker processes (a sweep, a batch): when every worker is joined and
    multiprocessing's exit handler is the only one registered, that handler is run now and the process
    may end at once (True); tearing the interpreter down took a 1,000-point sweep a tenth of its time."""
    import atexit
    import multiprocessing

    run_handlers = getattr(atexit, "_run_exitfuncs", None)
    if handlers != 1 or run_handlers is None or "multiprocessing.util" not in sys.modules:
        return False  # some other exit handler, or not multiprocessing's: the usual exit runs them
    if multiprocessing.active_children():
        return False
    run_handlers()
    return True
