"""A progress bar on stderr for long work, shown only when stderr is a terminal."""

from __future__ import annotations

import contextlib
import sys
from typing import Callable, Iterator

SHOW_FROM = 50  # fewer items finish before a bar is worth drawing


@contextlib.contextmanager
def progress_on_terminal(total: int, what: str) -> Iterator[Callable[[], None]]:
    """Yields `advance()`; draws a rich bar on a terminal, does nothing otherwise."""
    if total < SHOW_FROM or not sys.stderr.isatty():
        yield lambda: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn(f"[bold]{what}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(what, total=total)
        yield lambda: bar.advance(task)
