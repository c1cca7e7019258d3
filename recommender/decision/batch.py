"""Batch decisions: several requirement files, or JSON Lines on stdin (`-`), one decision per line out.

Every input is read and validated before anything is decided, so bad input anywhere writes nothing
(one line naming `file:line` and the field). Decisions then run on every core: the engine, catalog
and rules are loaded once and inherited by forked workers; output keeps input order.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from datetime import date
from typing import Iterator, Optional

from recommender.domain import files
from recommender.domain.requirements import Requirements, requirements_from

PARALLEL_FROM = 64  # below this, starting workers costs more than it saves
CHUNK = 32


@dataclass(frozen=True)
class Item:
    label: str  # where it came from: a file, or <stdin>:LINE
    requirements: Requirements


def read_inputs(sources: tuple[str, ...], stdin=None) -> list[Item]:
    items: list[Item] = []
    for source in sources:
        if source == "-":
            items.extend(read_lines(stdin or sys.stdin, "<stdin>"))
        else:
            label = files.printable(source)
            items.append(Item(label, requirements_from(files.load(source, label), label)))
    return items


def read_lines(stream, name: str) -> Iterator[Item]:
    """JSON Lines: one requirements object per line; blank lines are skipped. No line is read past
    files.MAX_LINE bytes and no more than files.MAX_BYTES in all (`- < /dev/zero` ends at once)."""
    stream = getattr(stream, "buffer", stream)
    for number, raw in enumerate(files.bounded_lines(stream, files.MAX_LINE, name, files.MAX_BYTES), start=1):
        label = f"{name}:{number}"
        text = files.decode(raw, label, files.MAX_LINE + 2) if isinstance(raw, bytes) else raw
        if not text.strip():
            continue
        yield Item(label, requirements_from(files.parse(text, label, json_text=True), label))


# --- running ---------------------------------------------------------------------------------

_STATE: dict = {}  # what forked workers inherit: setup and day


def decide_all(items: list[Item], setup, today: date, on_done=None, workers: Optional[int] = None) -> Iterator[str]:
    """Each decision as one line of compact JSON, in input order; `on_done()` after each (progress)."""
    workers = workers if workers is not None else (os.cpu_count() or 1)
    _STATE.update(setup=setup, today=today)
    if workers <= 1 or len(items) < PARALLEL_FROM or not _can_fork():
        results = map(_decide_line, items)
        yield from _counted(results, on_done)
        return
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(workers, initializer=_settle) as pool:
        yield from _counted(pool.imap(_decide_line, items, chunksize=CHUNK), on_done)


def _settle() -> None:
    # The inherited catalog, rules and engine live as long as the worker: keep the cyclic
    # collector from rescanning them after every few decisions.
    import gc

    gc.freeze()


def in_parallel(function, values: list, on_done=None) -> Iterator:
    """function(value) for each value, on every core, in order; `function` and what it returns must
    be picklable, and what it reads is inherited through fork."""
    import multiprocessing

    workers = os.cpu_count() or 1
    if workers <= 1 or not _can_fork():
        yield from _counted(map(function, values), on_done)
        return
    _STATE["function"] = function
    chunk = max(1, len(values) // (workers * 8))
    with multiprocessing.get_context("fork").Pool(workers, initializer=_settle) as pool:
        yield from _counted(pool.imap(_call, values, chunksize=chunk), on_done)


def _call(value):
    return _STATE["function"](value)


def _counted(lines, on_done) -> Iterator[str]:
    for line in lines:
        if on_done:
            on_done()
        yield line


def _decide_line(item: Item) -> str:
    from recommender.decision.decide import decide, dumps

    return dumps(decide(item.requirements, _STATE["setup"], _STATE["today"], item.label), indent=None)


def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()
