"""Batch decisions: several requirement files, or JSON Lines on stdin (`-`), one decision per line out.

A batch streams in two passes, in chunks, with a bounded window of chunks in flight, so memory does
not grow with the input:
1. check: every input is read and validated (nothing decided, nothing kept but a count), so bad
   input anywhere stops the batch before anything is printed or recorded (one line naming
   `file:line` and the field). Stdin is copied to an anonymous temporary file as it is read;
2. decide: the inputs are read again (stdin from that copy), validated and decided.
Both passes run in forked workers once there is more than a chunk: the catalog, rules and compiled
engine are loaded and warmed in the parent first, so the workers inherit them; output keeps input
order.
"""

from __future__ import annotations

import gc
import os
import sys
from collections import deque
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Optional


from recommender.decision import shared
from recommender.domain import collector, files
from recommender.domain.errors import EnvironmentProblem, InputError
from recommender.domain.requirements import Requirements, requirements_from
from recommender.domain.units import json_bytes

PARALLEL_FROM = 64  # below this, starting workers costs more than it saves
CHUNK = 64  # inputs per task a worker takes
WINDOW = 4  # chunks in flight per worker: what bounds memory, whatever the input's size


@dataclass(frozen=True)
class Source:
    """One input not yet read: a requirements file, or one raw line of stdin."""

    label: str  # where it came from: a file, or <stdin>:LINE
    path: Optional[str] = None
    line: Optional[bytes] = None
    problem: Optional[str] = None  # stdin could not be read this far: reported in its turn


def requirements_of(source: Source) -> Optional[Requirements]:
    """The validated requirements of SOURCE (None for a blank line); InputError when bad."""
    if source.problem is not None:
        raise InputError(source.problem)
    if source.path is not None:
        return requirements_from(files.load(source.path, source.label), source.label)
    text = files.decode(source.line, source.label, files.MAX_LINE + 2)
    if not text.strip():
        return None
    return requirements_from(files.parse(text, source.label, json_text=True), source.label)


class Inputs:
    """The batch's inputs, readable twice: files by path; stdin (JSON Lines, read once) from a copy
    in an anonymous temporary file. No line is read past files.MAX_LINE bytes and no more than
    files.MAX_BATCH_BYTES in all (`- < /dev/zero` ends at once)."""

    def __init__(self, arguments: Iterable[str], stdin=None):
        self.arguments = tuple(arguments)
        self.stdin = stdin
        self.copy = None  # stdin as first read

    def __enter__(self) -> "Inputs":
        return self

    def __exit__(self, *exc) -> None:
        if self.copy is not None:
            self.copy.close()

    def sources(self) -> Iterator[Source]:
        """Each input in order; the first time through, stdin is read and copied."""
        stdin_done = False
        for argument in self.arguments:
            if argument != "-":
                yield Source(files.printable(argument), path=argument)
            elif not stdin_done:
                stdin_done = True
                yield from self._stdin_lines()

    def _stdin_lines(self) -> Iterator[Source]:
        if self.copy is None:
            self.copy = _temporary()
            stream = getattr(self.stdin or sys.stdin, "buffer", self.stdin or sys.stdin)
            lines = files.bounded_lines(stream, files.MAX_LINE, "<stdin>", files.MAX_BATCH_BYTES)
            copy = self.copy
        else:
            self.copy.seek(0)
            lines = iter(self.copy.readline, b"")
            copy = None
        try:
            for number, raw in enumerate(lines, start=1):
                if isinstance(raw, str):
                    raw = raw.encode("utf-8", "surrogateescape")
                if copy is not None:
                    _write(copy, raw)
                if raw.strip():
                    yield Source(f"<stdin>:{number}", line=raw)
        except InputError as exc:  # too long, too much: after the lines before it are checked
            if isinstance(exc, EnvironmentProblem):
                raise
            yield Source("<stdin>", problem=str(exc))


def _temporary():
    import tempfile  # only a batch read from stdin needs it (not a sweep's workers)

    try:
        return tempfile.TemporaryFile(prefix="ftrec-batch-")
    except OSError as exc:
        raise EnvironmentProblem(f"cannot make a temporary copy of stdin ({exc.strerror}): set TMPDIR to a "
                                 "writable directory", file=tempfile.gettempdir()) from None


def _write(copy, raw: bytes) -> None:
    try:
        copy.write(raw if raw.endswith(b"\n") else raw + b"\n")
    except OSError as exc:
        import tempfile

        raise EnvironmentProblem(f"cannot copy stdin to a temporary file ({exc.strerror}): set TMPDIR to a "
                                 "directory with room", file=tempfile.gettempdir()) from None


def chunks(sources: Iterable[Source], size: int = CHUNK) -> Iterator[list[Source]]:
    chunk: list[Source] = []
    for source in sources:
        chunk.append(source)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# --- running ---------------------------------------------------------------------------------

_STATE: dict = {}  # what forked workers inherit: setup, day, the function a pool runs


class Workers:
    """Runs a function over chunks, in order: here for a single chunk, else on a pool of forked
    workers (started at the first second chunk, kept for the next pass) with at most WINDOW chunks
    per worker in flight."""

    def __init__(self, workers: Optional[int] = None, **inherited):
        self.count = workers if workers is not None else (os.cpu_count() or 1)
        self.pool = None
        _STATE.clear()
        _STATE.update(inherited)

    def __enter__(self) -> "Workers":
        return self

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            self.pool.terminate() if exc[0] else self.pool.close()
            self.pool.join()
            self.pool = None

    def map(self, function: Callable, chunked: Iterable[list]) -> Iterator:
        chunked = iter(chunked)
        first = next(chunked, None)
        if first is None:
            return
        second = next(chunked, None)
        if second is None or self.count <= 1 or not _can_fork():
            yield function(first)
            if second is not None:
                yield function(second)
                for chunk in chunked:
                    yield function(chunk)
            return
        yield from self._in_parallel(function, _prepend((first, second), chunked))

    def _in_parallel(self, function: Callable, chunked: Iterable[list]) -> Iterator:
        pool = self._pool()
        pending: deque = deque()
        for chunk in chunked:
            pending.append(pool.apply_async(_call, (function, chunk)))
            if len(pending) >= self.count * WINDOW:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()

    def _pool(self):
        if self.pool is None:
            import multiprocessing

            if "setup" in _STATE:
                warm(_STATE["setup"])
            # What the workers inherit stays shared: the collector never touches it, so its pages are not copied.
            context = multiprocessing.get_context("fork")
            rings = {}
            if "setup" in _STATE:  # decisions: each worker returns them through a ring it shares with the parent
                _STATE["rings"] = [shared.Ring() for _ in range(self.count)]
                rings = dict(initializer=_take_a_ring, initargs=(context.Value("i", 0),))
            gc.collect()
            gc.freeze()
            self.pool = context.Pool(self.count, **rings)
        return self.pool


def _take_a_ring(taken) -> None:
    """In a worker as it starts: the first ring no other worker has (none for a replacement worker)."""
    with taken.get_lock():
        index = taken.value
        taken.value += 1
    rings = _STATE.get("rings") or ()
    _STATE["ring"] = (index, rings[index]) if index < len(rings) else None


def _prepend(head: tuple, rest: Iterator) -> Iterator:
    yield from head
    yield from rest


def _call(function: Callable, chunk: list):
    return function(chunk)


def warm(setup) -> None:
    """Compile the rule set here, before workers fork, so that each inherits the compiled engine."""
    from recommender.engine import host

    host.host_for(setup.rules)


def check_chunk(chunk: list[Source]) -> tuple[int, Optional[str]]:
    """(how many decisions the chunk holds, the first problem's message or None)."""
    count = 0
    for source in chunk:
        try:
            if requirements_of(source) is not None:
                count += 1
        except InputError as exc:
            return count, str(exc)
    return count, None


def decide_chunk(chunk: list[Source]) -> tuple:
    """The chunk's decisions, packed for the parent (see `Decided.unpack`): (their bytes, or where they
    are in this worker's ring; where each decision's printed line ends; when recording, each one's
    record made ready for the log (its canonical text's length, summary columns and ranks) or why it
    cannot be stored; a problem met on the way or None). The bytes are the printed lines, then the
    records' canonical texts.

    The workers do all the per-decision work (serializing, the canonical record, its summary), so the
    parent only writes the bytes and chains the records."""
    from recommender.decision.decide import decide

    setup, today, as_of, log = _STATE["setup"], _STATE["today"], _STATE.get("as_of"), _STATE.get("log")
    lines: list[bytes] = []
    records: Optional[list] = None if log is None else []
    problem = None
    # A decision makes many short-lived objects and almost no cycles: the cyclic collector, left on, took
    # a third of the time. It is paused for the chunk (validating and serializing too) and runs after.
    with collector.paused():
        for source in chunk:
            try:
                requirements = requirements_of(source)
            except InputError as exc:  # the input changed since it was checked
                problem = str(exc)
                break
            if requirements is not None:
                decision = decide(requirements, setup, today, source.label)
                lines.append(_line(decision, as_of))
                if records is not None:
                    records.append(_ready(decision, as_of, log))
    return _pack(lines, records, problem)


def _pack(lines: list[bytes], records: Optional[list], problem: Optional[str]) -> tuple:
    texts = [record[0] for record in records or () if not isinstance(record, str)]
    ends, end = [], 0
    for line in lines:
        end += len(line)
        ends.append(end)
    total = end + sum(len(text) for text in texts)
    ring = _STATE.get("ring")
    where = ring and ring[1].put(lines + texts, total)
    payload = (ring[0], *where) if where else b"".join(lines + texts)
    meta = None if records is None else [
        record if isinstance(record, str) else (len(record[0]), record[1], record[2]) for record in records]
    return payload, ends, meta, problem


@dataclass
class Decided:
    """A chunk of decisions as the parent reads them: each one's printed line and, when recording,
    its record ready for the log (canonical text, summary columns, ranks) or why it cannot be
    stored. Lines and texts are views of the worker's bytes: used before `free()`."""

    blob: memoryview
    ends: list[int]
    records: Optional[list]
    free: Callable[[], None]

    @classmethod
    def unpack(cls, payload, ends: list[int], meta: Optional[list]) -> "Decided":
        if isinstance(payload, tuple):
            index, start, end = payload
            ring = _STATE["rings"][index]
            blob, free = ring.view(start, end), (lambda: ring.free(end))
        else:
            blob, free = memoryview(payload), (lambda: None)
        records, offset = None, (ends[-1] if ends else 0)
        if meta is not None:
            records = []
            for item in meta:
                if isinstance(item, str):
                    records.append(item)
                else:
                    size, columns, ranks = item
                    records.append((blob[offset:offset + size], columns, ranks))
                    offset += size
        return cls(blob, ends, records, free)

    def __len__(self) -> int:
        return len(self.ends)

    def lines(self, first: int, last: int) -> memoryview:
        """The printed lines of decisions FIRST to LAST (excluded), one after the other."""
        return self.blob[self.ends[first - 1] if first else 0:self.ends[last - 1] if last else 0]


def _line(decision: dict, as_of) -> bytes:
    """The decision as `recommend --format json` prints it in a batch: one compact line."""
    from recommender.decision.as_of import stamped_line
    from recommender.decision.shapes import dumps

    if as_of is None:
        return json_bytes(decision) + b"\n"
    return (stamped_line(dumps(decision, indent=None), as_of) + "\n").encode("utf-8", "surrogateescape")


def _ready(decision: dict, as_of, log: str):
    """The record as the log stores it (log.prepare), or why it cannot be stored (a str)."""
    from recommender.decision.as_of import stamp_as_of
    from recommender.records import log as audit

    try:
        return audit.prepare(stamp_as_of(decision, as_of), log)
    except InputError as exc:
        return str(exc)


def check_all(inputs: Inputs, workers: Workers) -> int:
    """How many decisions the inputs hold; InputError at the first bad one, before anything is decided."""
    total = 0
    for count, problem in workers.map(check_chunk, chunks(inputs.sources())):
        if problem:
            raise InputError(problem)
        total += count
    return total


def decide_all(inputs: Inputs, workers: Workers, on_done=None) -> Iterator[Decided]:
    """The decisions, a chunk at a time (`Decided`, freed by the caller once used), in input order,
    against the setup, day, `as_of` and log WORKERS were made with (`Workers(setup=..., today=...,
    as_of=..., log=...)`; with no log, nothing is prepared for one); `on_done()` after each (progress)."""
    for payload, ends, meta, problem in workers.map(decide_chunk, chunks(inputs.sources())):
        if on_done:
            for _ in ends:
                on_done()
        yield Decided.unpack(payload, ends, meta)
        if problem:
            raise InputError(f"{problem} (it changed after it was checked)")


def in_parallel(function, values: list, on_done=None) -> Iterator:
    """function(value) for each value, on every core, in order; `function` and what it returns must
    be picklable, and what it reads is inherited through fork."""
    workers = os.cpu_count() or 1
    size = max(1, min(CHUNK, len(values) // (workers * 8)))
    with Workers(workers, function=function) as pool:
        for results in pool.map(_each, chunks(values, size)):
            for result in results:
                if on_done:
                    on_done()
                yield result


def _each(values: list) -> list:
    return [_STATE["function"](value) for value in values]


def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()
