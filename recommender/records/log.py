"""The decision log: append-only JSON Lines, one complete record per decision (CONTRACT §7).

Writing: a record is written whole with one write() on an O_APPEND descriptor and fsynced, under an
exclusive flock. O_APPEND alone keeps whole writes from interleaving on a local disk; the lock also
covers filesystems that do not honour O_APPEND atomically (NFS), and makes "does the file end in a
newline?" and the write one step, so a line torn by a crash is closed off instead of gluing itself
to the next record. A short write (full disk) is truncated away again.

Reading: a line that does not parse or is not a complete record is skipped and reported on stderr
with its line number; an unterminated last line (a write cut off) is reported and left alone.

`audit list` has to stay under a second on a log of 100,000 decisions (several GB), so readers keep
a sidecar index, `<log>.index`: one short summary per line of the log with its offset and length.
The log stays the only truth: the index is checked against it on every read (same file, last
indexed record still in place), extended with whatever was appended since, and rebuilt from the log
when it does not match. Nothing is lost by deleting it.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, Optional

from recommender.domain.errors import InputError

try:
    import fcntl
except ImportError:  # not POSIX: O_APPEND single writes only
    fcntl = None  # type: ignore[assignment]

DEFAULT_PATH = Path("~/.local/share/ftrec/audit.jsonl")
RECORD_KEYS = ("decision_id", "created_at", "engine", "today", "source", "requirements", "requirements_given",
               "approach", "rank_by", "hidden_costs", "recommendations", "excluded", "trace", "warnings")
_HEAD_KEYS = RECORD_KEYS[: RECORD_KEYS.index("recommendations")]
_TAIL_KEYS = RECORD_KEYS[RECORD_KEYS.index("recommendations") + 1:]
INDEX_SUFFIX = ".index"
INDEX_VERSION = 1


def log_path(override: Optional[str] = None) -> Path:
    chosen = override or os.environ.get("FTREC_AUDIT_LOG") or DEFAULT_PATH
    return Path(chosen).expanduser()


def check_writable(path: Path) -> None:
    """Fail before deciding anything, so a log we cannot write never leaves half a job done."""
    label = str(path)
    if path.is_dir():
        raise InputError("audit log is a directory, expected a file", file=label)
    parent = path.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the audit log's directory: {exc.strerror or exc}", file=label) from None
    target = path if path.exists() else parent
    if not os.access(target, os.W_OK):
        raise InputError("audit log is not writable (use --audit-log PATH, FTREC_AUDIT_LOG, or --no-audit)", file=label)


# --- writing ------------------------------------------------------------------------------


def append(record: dict, path: Path) -> None:
    """Append one record: whole, or (on a full disk) not at all."""
    append_lines([json.dumps(record, ensure_ascii=False, separators=(",", ":"), sort_keys=False)], path)


def append_lines(lines: list[str], path: Path) -> None:
    """Append records already serialized one per line (a batch): one locked write, one fsync."""
    line = "".join(text + "\n" for text in lines).encode()
    try:
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
    except OSError as exc:
        raise InputError(f"cannot open the audit log: {exc.strerror or exc}", file=str(path)) from None
    try:
        _lock(fd, exclusive=True)
        _write_whole(fd, line if _ends_with_newline(fd) else b"\n" + line)
    except OSError as exc:
        raise InputError(f"cannot write the audit record, nothing recorded: {exc.strerror or exc}",
                         file=str(path)) from None
    finally:
        os.close(fd)  # releases the lock


def _write_whole(fd: int, data: bytes) -> None:
    written = os.write(fd, data)
    if written != len(data):  # a short write (disk full): take the partial line back out
        os.ftruncate(fd, os.fstat(fd).st_size - written)
        raise OSError(28, "short write (disk full?)")
    os.fsync(fd)


def _ends_with_newline(fd: int) -> bool:
    size = os.fstat(fd).st_size
    return size == 0 or os.pread(fd, 1, size - 1) == b"\n"


def _lock(fd: int, exclusive: bool) -> None:
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)


def _unlock(fd: int) -> None:
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_UN)


# --- reading ------------------------------------------------------------------------------


class Entry:
    """One line of the log as the index keeps it: where it is, and what `audit list` shows."""

    __slots__ = ("line", "offset", "length", "decision_id", "created_at", "approach", "top", "year_one",
                 "complete", "source", "problem")

    def __init__(self, line, offset, length, decision_id=None, created_at=None, approach=None, top=None,
                 year_one=None, complete=True, source=None, problem=None):
        self.line, self.offset, self.length = line, offset, length
        self.decision_id, self.created_at, self.approach = decision_id, created_at, approach
        self.top, self.year_one, self.complete, self.source = top, year_one, complete, source
        self.problem = problem

    def row(self) -> list:
        return [self.line, self.offset, self.length, self.decision_id, self.created_at, self.approach, self.top,
                self.year_one, self.complete, self.source, self.problem]

    def summary(self) -> dict:
        return {"decision_id": self.decision_id, "created_at": self.created_at, "approach": self.approach,
                "top": self.top, "year_one": self.year_one, "complete": self.complete, "source": self.source}


class Log:
    """The readable records of one log file, in the order they were written."""

    def __init__(self, path: Path, entries: list[Entry], problems: list[str]):
        self.path = path
        self.entries = entries
        self.problems = problems  # one line each, already naming the file and line

    @property
    def records(self) -> list[Entry]:
        return [e for e in self.entries if e.problem is None]

    def report(self) -> None:
        for problem in self.problems:
            print(f"warning: {problem}", file=sys.stderr)

    def find(self, prefix: str) -> Entry:
        """The record whose id is PREFIX or starts with it (unique prefixes are enough)."""
        label = str(self.path)
        prefix = prefix.strip()
        if not prefix:
            raise InputError("a decision id is needed", file=label)
        found = [e for e in self.records if e.decision_id.startswith(prefix)]
        ids = list(dict.fromkeys(e.decision_id for e in found))
        if not ids:
            raise InputError(f"no decision {prefix!r} in the audit log", file=label)
        if len(ids) > 1:
            more = f" and {len(ids) - 5} more" if len(ids) > 5 else ""
            raise InputError(f"decision id prefix {prefix!r} is ambiguous: {', '.join(ids[:5])}{more}", file=label)
        return found[-1]

    def load(self, entry: Entry) -> dict:
        with open(self.path, "rb") as f:
            f.seek(entry.offset)
            raw = f.read(entry.length)
        record = json.loads(raw)
        problem = record_problem(record)
        if problem:
            raise InputError(f"line {entry.line}: {problem}", file=str(self.path))
        return record


def record_problem(record: Any) -> Optional[str]:
    """Why RECORD is not a complete decision record, or None."""
    if not isinstance(record, dict):
        return "not a JSON object"
    missing = [k for k in RECORD_KEYS if k not in record]
    if missing:
        return f"not a complete decision record (missing {', '.join(missing)})"
    if not isinstance(record["decision_id"], str) or not record["decision_id"]:
        return "not a complete decision record (decision_id is not text)"
    return None


def read(path: Path) -> Log:
    """Every line of the log, through the index when one can be kept beside it."""
    if not path.exists():
        return Log(path, [], [])
    if path.is_dir():
        raise InputError("audit log is a directory, expected a file", file=str(path))
    if not path.is_file():  # /dev/null and the like: nothing to index
        entries, torn = _scan(path, 0, 1)
        return _log(path, entries, torn)
    try:
        index_fd = os.open(_index_path(path), os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:  # a read-only place: read the whole log every time
        entries, torn = _scan(path, 0, 1)
        return _log(path, entries, torn)
    try:
        _lock(index_fd, exclusive=True)
        entries, torn = _indexed(path, index_fd)
    finally:
        os.close(index_fd)
    return _log(path, entries, torn)


def _log(path: Path, entries: list[Entry], torn: Optional[str]) -> Log:
    problems = [f"{path}: line {e.line}: {e.problem}, skipped" for e in entries if e.problem]
    if torn:
        problems.append(f"{path}: {torn}")
    return Log(path, entries, problems)


def _index_path(path: Path) -> Path:
    return path.with_name(path.name + INDEX_SUFFIX)


def _indexed(path: Path, index_fd: int) -> tuple[list[Entry], Optional[str]]:
    stat = os.stat(path)
    identity = {"ftrec_audit_index": INDEX_VERSION, "dev": stat.st_dev, "ino": stat.st_ino}
    entries = _read_index(index_fd, identity)
    if entries is None or not _still_in_place(path, entries):
        os.ftruncate(index_fd, 0)
        entries = []
    start, line = (entries[-1].offset + entries[-1].length, entries[-1].line + 1) if entries else (0, 1)
    new, torn = _scan(path, start, line)
    if new:
        header = [] if entries or os.fstat(index_fd).st_size else [json.dumps(identity)]
        rows = header + [json.dumps(e.row(), ensure_ascii=False, separators=(",", ":")) for e in new]
        _save_index(index_fd, ("\n".join(rows) + "\n").encode())
    return entries + new, torn


def _save_index(index_fd: int, data: bytes) -> None:
    try:
        os.lseek(index_fd, 0, os.SEEK_END)
        os.write(index_fd, data)
    except OSError:  # the index is only a cache: a torn one is rebuilt on the next read
        pass


def _read_index(index_fd: int, identity: dict) -> Optional[list[Entry]]:
    """The index's entries, or None when it belongs to another file or is damaged."""
    os.lseek(index_fd, 0, os.SEEK_SET)
    with os.fdopen(os.dup(index_fd), "rb") as f:
        lines = f.read().splitlines()
    if not lines:
        return []
    try:
        if json.loads(lines[0]) != identity:
            return None
        return [Entry(*json.loads(line)) for line in lines[1:]]
    except (ValueError, TypeError):
        return None


def _still_in_place(path: Path, entries: list[Entry]) -> bool:
    """The log still holds the last indexed line where the index says: it was only appended to."""
    if not entries:
        return True
    last = entries[-1]
    with open(path, "rb") as f:
        f.seek(last.offset)
        raw = f.read(last.length)
    if len(raw) != last.length or not raw.endswith(b"\n"):
        return False
    return last.decision_id is None or f'"{last.decision_id}"'.encode() in raw[:200]


def _scan(path: Path, start: int, line_no: int) -> tuple[list[Entry], Optional[str]]:
    """Entries for the newline-terminated lines from START to the end the writers have finished."""
    entries: list[Entry] = []
    with open(path, "rb") as f:
        end = _settled_size(f)
        f.seek(start)
        offset = start
        while offset < end:
            raw = f.readline(end - offset)
            if not raw.endswith(b"\n"):
                return entries, f"line {line_no}: torn last line ({len(raw)} bytes, no newline: a write was cut off), skipped"
            if raw.strip():
                entries.append(_entry(raw, line_no, offset))
            offset += len(raw)
            line_no += 1
    return entries, None


def _settled_size(f) -> int:
    """The log's size between two appends: writers hold the exclusive lock while they write."""
    try:
        _lock(f.fileno(), exclusive=False)
    except OSError:
        return os.fstat(f.fileno()).st_size
    try:
        return os.fstat(f.fileno()).st_size
    finally:
        _unlock(f.fileno())


def _entry(raw: bytes, line_no: int, offset: int) -> Entry:
    try:
        return _summarize(raw.rstrip(b"\r\n"), line_no, offset, len(raw))
    except ValueError as exc:  # json errors and undecodable bytes are ValueErrors too
        return Entry(line_no, offset, len(raw), problem=_short(str(exc)))


def _short(problem: str) -> str:
    return problem if problem.startswith("not a") else f"not a complete record ({problem.split(':')[0]})"


_DECODER = json.JSONDecoder()
_RECS = b',"recommendations":['


def _summarize(text: bytes, line_no: int, offset: int, length: int) -> Entry:
    """What `audit list` needs from one record, without parsing its (long) recommendations.

    Records written in the usual key order are read up to their first recommendation; anything
    else is parsed whole. A record must end its object and carry every key.
    """
    if not text.endswith(b"}"):
        raise ValueError("not a complete record (cut off)")
    cut = text.find(_RECS)
    if cut < 0:
        record = json.loads(text)
        problem = record_problem(record)
        if problem:
            raise ValueError(problem)
        head, recs = record, record["recommendations"]
    else:
        head = json.loads(text[:cut] + b"}")
        _check_keys(head, _HEAD_KEYS, text[cut:])
        rest = text[cut + len(_RECS):]
        recs = [] if rest.startswith(b"]") else [_DECODER.raw_decode(rest.decode())[0]]
    return _entry_from(head, recs, line_no, offset, length)


def _check_keys(head: Any, keys: tuple, tail: bytes) -> None:
    present = set(head) if isinstance(head, dict) else set()
    missing = [k for k in keys if k not in present] + [k for k in _TAIL_KEYS if f',"{k}":'.encode() not in tail]
    if missing:
        raise ValueError(f"not a complete decision record (missing {', '.join(missing)})")


def _entry_from(head: dict, recs: list, line_no: int, offset: int, length: int) -> Entry:
    if not isinstance(head.get("decision_id"), str) or not isinstance(head.get("approach"), dict):
        raise ValueError("not a complete decision record (decision_id or approach malformed)")
    first = recs[0] if recs and isinstance(recs[0], dict) else {}
    cost = first.get("cost") if isinstance(first.get("cost"), dict) else {}
    return Entry(line_no, offset, length, head["decision_id"], head.get("created_at"), head["approach"].get("choice"),
                 first.get("offering"), cost.get("year_one"), cost.get("complete", True), head.get("source"))


def open_log(override: Optional[str]) -> Log:
    """The log, read and its skipped lines reported on stderr."""
    log = read(log_path(override))
    log.report()
    return log


def load_record(decision_id: str, override: Optional[str]) -> dict:
    log = open_log(override)
    return log.load(log.find(decision_id))


def list_records(path: Path, *, since: Optional[str] = None, until: Optional[str] = None,
                 approach: Optional[str] = None, offering: Optional[str] = None,
                 limit: int = 50, offset: int = 0, newest_first: bool = True) -> tuple[list[dict], int]:
    """(one page of record summaries, how many match): what `audit list` and the web log show.

    A summary is {decision_id, created_at, approach, top, year_one, complete, source}; `since` and
    `until` are ISO dates (inclusive, UTC); `offering` matches the top-ranked offering."""
    log = read(path)
    log.report()
    found = [e.summary() for e in log.records
             if (since is None or (e.created_at or "")[:10] >= since)
             and (until is None or (e.created_at or "")[:10] <= until)
             and (approach is None or e.approach == approach)
             and (offering is None or e.top == offering)]
    if newest_first:
        found.reverse()
    return found[offset:offset + limit], len(found)
