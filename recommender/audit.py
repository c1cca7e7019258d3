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
from pathlib import Path
from typing import Any, Optional

import click

from recommender.clitools import format_option, table_or_json
from recommender.errors import InputError

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
            click.echo(f"warning: {problem}", err=True)

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


# --- replay -------------------------------------------------------------------------------


def replay(record: dict, setup) -> dict:
    """The record's requirements decided again, on its `today`, with SETUP's rules and catalog."""
    from datetime import date

    from recommender.decision import decide, dumps
    from recommender.models import requirements_from

    label = f"audit record {record['decision_id']}"
    req = requirements_from(record["requirements_given"], label)
    try:
        today = date.fromisoformat(record["today"])
    except (TypeError, ValueError):
        raise InputError(f"not a date: {record['today']!r}", file=label, path="today") from None
    return json.loads(dumps(decide(req, setup, today, source=record["source"])))


def comparable(decision: dict) -> dict:
    return {k: v for k, v in decision.items() if k not in ("decision_id", "created_at")}


def differences(old: dict, new: dict) -> list[dict]:
    """What changed between a record and its replay, each change with a readable `text`."""
    if comparable(old) == comparable(new):
        return []
    changes = [
        *_engine_changes(old, new),
        *_field_changes("requirements", old.get("requirements"), new.get("requirements")),
        *_approach_changes(old, new),
        *_price_changes(old, new),
        *_allowed_changes(old, new),
        *_rank_changes(old, new),
        *_figure_changes(old, new),
        *_warning_changes(old, new),
        *_trace_changes(old, new),
    ]
    return changes + _unexplained(old, new, changes)


def _change(kind: str, text: str, **detail) -> dict:
    return {"kind": kind, **detail, "text": text}


def _engine_changes(old: dict, new: dict) -> list[dict]:
    changes = []
    for key in ("version", "rules_sha256", "catalog_sha256"):
        a, b = old["engine"].get(key), new["engine"].get(key)
        if a != b:
            shown = (a, b) if key == "version" else (_short_hash(a), _short_hash(b))
            changes.append(_change(f"engine.{key}", f"{key.replace('_', ' ')}: {shown[0]} → {shown[1]}", old=a, new=b))
    return changes


def _short_hash(value: Optional[str]) -> str:
    return f"{value[:12]}…" if isinstance(value, str) else str(value)


def _field_changes(kind: str, old: Any, new: Any) -> list[dict]:
    return [_change(kind, f"{kind} {path}: {_plain(a)} → {_plain(b)}", field=path, old=a, new=b)
            for path, a, b in _differing(old, new)]


def _approach_changes(old: dict, new: dict) -> list[dict]:
    changes = []
    pairs = [("approach", "choice"), ("approach", "method"), ("approach", "because"), ("approach", "method_because"),
             ("rank_by", "figure")]
    for part, key in pairs:
        a, b = old[part].get(key), new[part].get(key)
        if a != b:
            changes.append(_change(f"{part}.{key}", f"{part}.{key}: {_plain(a)} → {_plain(b)}", old=a, new=b))
    return changes


def _by_offering(decision: dict) -> dict:
    return {r["offering"]: r for r in decision["recommendations"]}


def _price_changes(old: dict, new: dict) -> list[dict]:
    changes = []
    before, after = _by_offering(old), _by_offering(new)
    for offering in sorted(before.keys() & after.keys()):
        a, b = _prices(before[offering]), _prices(after[offering])
        for name in sorted(a.keys() | b.keys()):
            if a.get(name) != b.get(name):
                changes.append(_price_change(offering, name, a.get(name), b.get(name)))
    return changes


def _prices(rec: dict) -> dict:
    return {line["price"] or line["item"]: line for line in rec["cost"]["breakdown"]}


def _price_change(offering: str, name: str, a: Optional[dict], b: Optional[dict]) -> dict:
    shown = f"{offering} {name}: {_rate(a)} → {_rate(b)}"
    if a and b and _rate(a) == _rate(b):
        shown = f"{offering} {name}: source {a['source']} ({a['as_of']}) → {b['source']} ({b['as_of']})"
    detail = {k: {"rate": x["rate"], "source": x["source"], "as_of": x["as_of"]} if x else None
              for k, x in (("old", a), ("new", b))}
    return _change("price", shown, offering=offering, price=name, **detail)


def _rate(line: Optional[dict]) -> str:
    if line is None:
        return "not used"
    if line["rate"] is None:
        return "missing"
    per = {"per 1M tokens": "/1M", "per month": "/month", "per hour": "/hour"}.get(line["rate_unit"], f" {line['rate_unit']}")
    return f"${line['rate']}{per}"


def _allowed_changes(old: dict, new: dict) -> list[dict]:
    changes = []
    ranked = (_by_offering(old), _by_offering(new))
    excluded = ({e["offering"]: e for e in old["excluded"]}, {e["offering"]: e for e in new["excluded"]})
    for offering in sorted(set(ranked[0]) | set(ranked[1]) | set(excluded[0]) | set(excluded[1])):
        was, now = _status(offering, ranked[0], excluded[0]), _status(offering, ranked[1], excluded[1])
        if was != now and not (was.startswith("#") and now.startswith("#")):
            changes.append(_change("allowed", f"{offering}: {was} → {now}", offering=offering, old=was, new=now))
    return changes


def _status(offering: str, ranked: dict, excluded: dict) -> str:
    if offering in ranked:
        return f"#{ranked[offering]['rank']}"
    if offering in excluded:
        e = excluded[offering]
        return f"excluded by {e['rule']} ({e['message']})"
    return "not in the catalog"


def _rank_changes(old: dict, new: dict) -> list[dict]:
    before, after = _by_offering(old), _by_offering(new)
    changes = []
    for offering in sorted(before.keys() & after.keys(), key=lambda o: after[o]["rank"]):
        a, b = before[offering]["rank"], after[offering]["rank"]
        if a != b:
            changes.append(_change("rank", f"rank {offering}: #{a} → #{b}", offering=offering, old=a, new=b))
    return changes


FIGURE_NAMES = {"training": "training", "monthly": "monthly", "year_one": "year-1", "complete": "complete",
                "hidden.low": "hidden low", "hidden.high": "hidden high",
                "break_even.tokens": "break-even tokens", "break_even.months": "break-even months"}


def _figures(rec: dict) -> dict:
    c, b = rec["cost"], rec["break_even"] or {}
    hidden = c.get("hidden") or {}
    return {"training": c["training"], "monthly": c["monthly"], "year_one": c["year_one"], "complete": c["complete"],
            "hidden.low": hidden.get("low"), "hidden.high": hidden.get("high"),
            "break_even.tokens": b.get("tokens"), "break_even.months": b.get("months")}


def _figure_changes(old: dict, new: dict) -> list[dict]:
    before, after = _by_offering(old), _by_offering(new)
    changes = []
    for offering in sorted(before.keys() & after.keys(), key=lambda o: after[o]["rank"]):
        a, b = _figures(before[offering]), _figures(after[offering])
        moved = [name for name in FIGURE_NAMES if a[name] != b[name]]
        if moved:
            shown = "; ".join(f"{FIGURE_NAMES[n]} {_figure(n, a[n])} → {_figure(n, b[n])}" for n in moved)
            changes.append(_change("figures", f"{offering}: {shown}", offering=offering,
                                   old={n: a[n] for n in moved}, new={n: b[n] for n in moved}))
    return changes


def _figure(name: str, value: Any) -> str:
    from recommender.render import dollars

    if value is None:
        return "—"
    if name in ("training", "monthly", "year_one", "hidden.low", "hidden.high"):
        return dollars(value)
    if name == "break_even.tokens":
        return f"{value:,}"
    return _plain(value)


def _warning_changes(old: dict, new: dict) -> list[dict]:
    a, b = [w["message"] for w in old["warnings"]], [w["message"] for w in new["warnings"]]
    changes = [_change("warning", f"warning removed: {m}", old=m, new=None) for m in a if m not in b]
    changes += [_change("warning", f"warning added: {m}", old=None, new=m) for m in b if m not in a]
    return changes


def _trace_changes(old: dict, new: dict) -> list[dict]:
    a, b = [s["rule"] for s in old["trace"]], [s["rule"] for s in new["trace"]]
    if a != b:
        gone, came = [r for r in a if r not in b], [r for r in b if r not in a]
        parts = [f"no longer fired: {', '.join(gone)}"] * bool(gone) + [f"now fired: {', '.join(came)}"] * bool(came)
        text = "rules fired: " + ("; ".join(parts) if parts else "same rules, another order")
        return [_change("trace", text, old=a, new=b)]
    changes = []
    for x, y in zip(old["trace"], new["trace"]):
        for path, va, vb in _differing({"matched": x["matched"], "asserted": x["asserted"]},
                                       {"matched": y["matched"], "asserted": y["asserted"]}):
            changes.append(_change("trace", f"step {x['step']} {x['rule']} {path}: {_plain(va)} → {_plain(vb)}",
                                   rule=x["rule"], field=path, old=va, new=vb))
    return changes


_EXPLAINED_BY = {"engine": "engine.", "requirements": "requirements", "approach": "approach.", "rank_by": "rank_by.",
                 "warnings": "warning", "trace": "trace", "excluded": "allowed"}


def _unexplained(old: dict, new: dict, changes: list[dict]) -> list[dict]:
    """Whatever differs that no change above names: nothing may differ unsaid."""
    kinds = {c["kind"] for c in changes}
    extra = []
    for key in sorted(comparable(old).keys() | comparable(new).keys()):
        if key == "recommendations" or old.get(key) == new.get(key):
            continue
        marker = _EXPLAINED_BY.get(key)
        if marker is None or not any(k.startswith(marker) for k in kinds):
            extra += _field_changes(key, old.get(key), new.get(key))
    return extra + _unexplained_recommendations(old, new, changes)


def _unexplained_recommendations(old: dict, new: dict, changes: list[dict]) -> list[dict]:
    named = {c.get("offering") for c in changes if c["kind"] in ("price", "figures", "rank", "allowed")}
    before, after = _by_offering(old), _by_offering(new)
    extra = []
    for offering in sorted(before.keys() & after.keys()):
        if offering in named:
            continue
        for path, a, b in _differing(before[offering], after[offering]):
            extra.append(_change("recommendation", f"{offering} {path}: {_plain(a)} → {_plain(b)}",
                                 offering=offering, field=path, old=a, new=b))
    return extra


def _differing(a: Any, b: Any, prefix: str = "") -> list[tuple[str, Any, Any]]:
    """Dotted paths where two JSON values differ (lists are compared whole)."""
    if isinstance(a, dict) and isinstance(b, dict):
        found = []
        for key in sorted(a.keys() | b.keys()):
            found += _differing(a.get(key), b.get(key), f"{prefix}.{key}" if prefix else key)
        return found
    return [] if a == b else [(prefix or "(whole)", a, b)]


def _plain(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 160 else text[:157] + "…"


# --- the `audit` commands -------------------------------------------------------------------


audit_log_option = click.option("--audit-log", type=click.Path(), default=None, metavar="PATH",
                                help="Audit log file (default $FTREC_AUDIT_LOG or ~/.local/share/ftrec/audit.jsonl).")


def open_log(override: Optional[str]) -> Log:
    """The log, read and its skipped lines reported on stderr."""
    log = read(log_path(override))
    log.report()
    return log


def load_record(decision_id: str, override: Optional[str]) -> dict:
    log = open_log(override)
    return log.load(log.find(decision_id))


@click.group()
def audit() -> None:
    """Decision records: list, show, and replay one against the current rules and catalog."""


@audit.command("list")
@click.option("--since", default=None, metavar="DATE", help="Only decisions made on or after DATE (UTC), e.g. 2026-11-01.")
@click.option("--limit", type=click.IntRange(min=1), default=None, metavar="N", help="Only the newest N decisions.")
@table_or_json
@audit_log_option
def audit_list(since, limit, fmt, audit_log) -> None:
    """The recorded decisions, oldest first (in the order they were recorded)."""
    since_day = _since(since)
    log = open_log(audit_log)
    shown = [e for e in log.records if since_day is None or (e.created_at or "")[:10] >= since_day]
    if limit is not None:
        shown = shown[-limit:]
    if fmt == "json":
        click.echo(json.dumps([e.summary() for e in shown], indent=2, ensure_ascii=False))
        return
    _print_list(log, shown)


def _since(value: Optional[str]) -> Optional[str]:
    if value is None:
        return None
    from datetime import date

    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise InputError(f"must be a date such as 2026-11-23, got {value!r}", path="--since") from None


def _print_list(log: Log, shown: list[Entry]) -> None:
    from rich.markup import escape
    from rich.table import Table

    from recommender import render

    if not shown:
        click.echo(f"No decisions recorded in {log.path}." if not log.records else "No decision matches.")
        return
    out = render.console()
    wide = out.width >= 110  # the id already says when: the source file gets a column when there is room
    table = Table(header_style="bold", pad_edge=False, title=f"{len(shown)} of {len(log.records)} decisions · {log.path}")
    for column, justify in (("id (UTC time)", "left"), ("approach", "left"), ("#1 offering", "left"),
                            ("year-1", "right"), *((("source", "left"),) if wide else ())):
        table.add_column(column, justify=justify, no_wrap=column != "source", overflow="fold")
    for e in shown:
        year_one = render.dollars(e.year_one, lower_bound=not e.complete) if e.year_one else "—"
        cells = [e.decision_id, _SHORT.get(e.approach, e.approach or "—"), e.top or "—", year_one]
        table.add_row(*cells, *((escape(str(e.source or "")),) if wide else ()))
    out.print(table)


_SHORT = {"fine_tune": "fine-tune", "prompt_engineering": "prompt", "larger_base_model": "larger model"}


@audit.command("show")
@click.argument("decision_id", metavar="ID")
@format_option
@audit_log_option
def audit_show(decision_id, fmt, audit_log) -> None:
    """One recorded decision, as `recommend` printed it (`--format json`: the stored record)."""
    from recommender import render
    from recommender.decision import dumps

    record = load_record(decision_id, audit_log)
    if fmt == "json":
        click.echo(dumps(record))
    elif fmt == "markdown":
        click.echo(render.decision_markdown(record), nl=False)
    else:
        out = render.console()
        engine = record["engine"]
        out.print(f"Decision [bold]{record['decision_id']}[/bold] · recorded {record['created_at']} · "
                  f"source {_escape(record['source'])} · today {record['today']} · ftrec {engine['version']} · "
                  f"rules {engine['rules_sha256'][:12]} · catalog {engine['catalog_sha256'][:12]}", highlight=False)
        out.print(render.decision_table(record))


def _escape(text: Any) -> str:
    from rich.markup import escape

    return escape(str(text))


@audit.command("replay")
@click.argument("decision_id", metavar="ID")
@click.option("--catalog", "catalog_dir", type=click.Path(), default=None,
              help="Directory of catalog YAML files (default: the built-in catalog).")
@click.option("--rules", "rules_dir", type=click.Path(), default=None,
              help="Directory of rule YAML files (default: the built-in rules).")
@table_or_json
@audit_log_option
def audit_replay(decision_id, catalog_dir, rules_dir, fmt, audit_log) -> None:
    """Decide a recorded request again, with today's rules and catalog (or --catalog/--rules),
    on the date it was decided. Prints `identical` (exit 0) or what changed (exit 1)."""
    from recommender.clitools import Failed, load_setup

    record = load_record(decision_id, audit_log)
    setup = load_setup(catalog_dir, rules_dir)
    changes = differences(record, replay(record, setup))
    if fmt == "json":
        click.echo(json.dumps({"decision_id": record["decision_id"], "identical": not changes,
                               "catalog": setup.catalog.directory, "rules": setup.rules.directory,
                               "changes": changes}, indent=2, ensure_ascii=False))
    elif not changes:
        click.echo("identical")
    else:
        _print_changes(record, setup, changes)
    if changes:
        raise Failed()


def _print_changes(record: dict, setup, changes: list[dict]) -> None:
    click.echo(f"different: {len(changes)} change{'s' * (len(changes) != 1)} replaying {record['decision_id']} "
               f"(today {record['today']}) with rules {setup.rules.directory} and catalog {setup.catalog.directory}")
    heading = None
    for change in changes:
        group = _GROUPS.get(change["kind"].split(".")[0], "other")
        if group != heading:
            click.echo(f"{group}:")
            heading = group
        click.echo(f"  {change['text']}")


_GROUPS = {"engine": "engine", "requirements": "requirements", "approach": "approach", "rank_by": "approach",
           "price": "prices", "allowed": "allowed and excluded", "rank": "ranks", "figures": "figures",
           "warning": "warnings", "trace": "rules fired", "recommendation": "other"}
