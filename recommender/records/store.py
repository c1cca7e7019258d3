"""The decision log's SQLite file: opening it safely, the schema, appending in one transaction.

The file is created 0600 in a directory created 0700; a log, or a side file SQLite keeps beside
it (`-wal`, `-shm`, `-journal`), that is a symbolic link is refused rather than followed. WAL mode,
`synchronous=FULL`: a committed decision survives a crash, an uncommitted one leaves no trace.
Appends take the write lock first (`BEGIN IMMEDIATE`), so the previous hash they chain onto is the
one they commit after, whatever other processes do.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from recommender.domain.errors import EnvironmentProblem, InputError
from recommender.records import chain

APPLICATION_ID = 0x66747263  # "ftrc": marks the file as an ftrec decision log
SCHEMA_VERSION = 1
SIDE_SUFFIXES = ("-wal", "-shm", "-journal")
WAYS_OUT = "use --no-audit, or --audit-log PATH / FTREC_AUDIT_LOG for another file"
BUSY_SECONDS = 60  # a writer waits this long for the others (a slow disk, many processes)

# `decisions` is narrow (ids, summary columns, the chain), so filtering, counting and paging never
# read the records themselves; `records` holds each record's canonical JSON under the same seq. The
# indexes cover `audit list`'s filters (approach or #1 offering, then a date range) and carry seq,
# so a count or a page is read from an index alone.
SCHEMA = """
CREATE TABLE IF NOT EXISTS decisions (
    decision_id   TEXT PRIMARY KEY NOT NULL,
    seq           INTEGER NOT NULL UNIQUE,
    created_at    TEXT NOT NULL,
    approach      TEXT,
    top           TEXT,
    year_one      TEXT,
    complete      INTEGER NOT NULL,
    source        TEXT,
    previous_hash TEXT NOT NULL,
    hash          TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS decisions_created ON decisions (created_at, seq);
CREATE INDEX IF NOT EXISTS decisions_approach ON decisions (approach, created_at, seq);
CREATE INDEX IF NOT EXISTS decisions_top ON decisions (top, created_at, seq);
CREATE TABLE IF NOT EXISTS records (
    seq    INTEGER PRIMARY KEY,
    record TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ranks (
    seq      INTEGER NOT NULL,
    offering TEXT NOT NULL,
    rank     INTEGER NOT NULL,
    PRIMARY KEY (seq, offering)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ranks_offering ON ranks (offering, seq);
CREATE TABLE IF NOT EXISTS head (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    count INTEGER NOT NULL,
    hash  TEXT NOT NULL
);
"""


def environment(problem: str, path: Path) -> EnvironmentProblem:
    return EnvironmentProblem(f"{problem} ({WAYS_OUT})", file=str(path))


def refuse_links(path: Path) -> None:
    """The log must be a regular file (or absent), and no side file of it a symbolic link."""
    for candidate in (path, *(Path(f"{path}{suffix}") for suffix in SIDE_SUFFIXES)):
        try:
            info = os.lstat(candidate)
        except (FileNotFoundError, NotADirectoryError):
            continue
        except OSError as exc:
            raise environment(f"cannot inspect the decision log: {exc.strerror or exc}", path) from None
        if stat.S_ISLNK(info.st_mode):
            raise environment(f"{candidate.name} is a symbolic link; the decision log never follows links", path)
        if candidate == path and stat.S_ISDIR(info.st_mode):
            raise environment("the decision log is a directory, expected a file", path)
        if not stat.S_ISREG(info.st_mode):
            raise environment(f"{candidate.name} is not a regular file", path)


def prepare_directory(path: Path) -> None:
    """Create the log's directory (0700) when it is missing."""
    parent = path.parent
    if parent.is_dir():
        return
    try:
        os.makedirs(parent, mode=0o700, exist_ok=True)
    except OSError as exc:
        raise environment(f"cannot create the decision log's directory: {exc.strerror or exc}", path) from None


def _create_file(path: Path) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        os.close(fd)
    except FileExistsError:
        pass  # another process made it first


def _tighten(path: Path) -> None:
    """A log readable by others (an older ftrec made them 0644) becomes 0600 when it is ours."""
    info = os.lstat(path)
    if info.st_mode & 0o077 and hasattr(os, "getuid") and info.st_uid == os.getuid():
        os.chmod(path, 0o600)


@contextmanager
def connect(path: Path, create: bool) -> Iterator[sqlite3.Connection]:
    """A connection to the log (made, with its schema, when CREATE); closed afterwards."""
    refuse_links(path)
    try:
        if create:
            prepare_directory(path)
            _create_file(path)
            _tighten(path)
        mode = "rw" if create or os.access(path, os.W_OK) else "ro"  # a shared log may be read-only to us
        db = sqlite3.connect(f"{path.absolute().as_uri()}?mode={mode}", uri=True, timeout=BUSY_SECONDS,
                             isolation_level=None, check_same_thread=False)
    except EnvironmentProblem:
        raise
    except (OSError, sqlite3.Error) as exc:
        raise environment(f"cannot open the decision log: {_why(exc)}", path) from None
    try:
        _check_format(db, path, create)
        yield db
    finally:
        db.close()


def _check_format(db: sqlite3.Connection, path: Path, create: bool) -> None:
    try:
        application_id, version, tables = _format_of(db)
        if application_id == APPLICATION_ID:
            if version > SCHEMA_VERSION:
                raise environment(f"written by a newer ftrec (log format {version})", path)
            return
        if tables or not create:
            raise _not_a_log(path)
        db.execute("PRAGMA journal_mode=WAL")
        with transaction(db, path):
            if db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID:
                return  # another process made the schema while this one waited for the write lock
            for statement in filter(str.strip, SCHEMA.split(";")):
                db.execute(statement)
            db.execute(f"PRAGMA application_id={APPLICATION_ID}")
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            db.execute("INSERT OR IGNORE INTO head (id, count, hash) VALUES (1, 0, ?)", (chain.GENESIS,))
    except sqlite3.DatabaseError as exc:
        if "not a database" in str(exc) or "malformed" in str(exc):
            raise _not_a_log(path) from None
        raise environment(f"cannot read the decision log: {_why(exc)}", path) from None


def _format_of(db: sqlite3.Connection) -> tuple[int, int, int]:
    """(application id, schema version, tables) read in one transaction: a log another process is
    making is seen either empty or made, never its id before its tables."""
    db.execute("BEGIN")
    try:
        return (db.execute("PRAGMA application_id").fetchone()[0], db.execute("PRAGMA user_version").fetchone()[0],
                db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0])
    finally:
        db.execute("COMMIT")


def _not_a_log(path: Path) -> EnvironmentProblem:
    return EnvironmentProblem("not an ftrec decision log (SQLite); a JSON Lines log from an earlier ftrec can be "
                              f"brought in with `ftrec audit import FILE` ({WAYS_OUT})", file=str(path))


@contextmanager
def transaction(db: sqlite3.Connection, path: Path) -> Iterator[None]:
    """BEGIN IMMEDIATE ... COMMIT: all or nothing; a failure rolls back and says what the machine lacked."""
    db.execute("PRAGMA synchronous=FULL")
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise


def insert(db: sqlite3.Connection, records: list[tuple[bytes, tuple, list]]) -> None:
    """Chain RECORDS (each as chain.prepared makes it) onto the log: inside a transaction."""
    count, previous = db.execute("SELECT count, hash FROM head WHERE id = 1").fetchone()
    rows, texts, ranks = [], [], []
    for text, (decision_id, *columns), ranked in records:
        count += 1
        digest = chain.link(previous, text)
        rows.append((decision_id, count, *columns, previous, digest))
        texts.append((count, text))
        ranks.extend((count, offering, rank) for rank, offering in ranked)
        previous = digest
    try:
        db.executemany("INSERT INTO decisions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    except sqlite3.IntegrityError:
        duplicate = _first_duplicate(db, [row[0] for row in rows])
        raise InputError(f"decision {duplicate!r} is already in the log: refused, nothing recorded") from None
    # The canonical UTF-8 bytes stored as TEXT as they are (decoding them here only for SQLite to encode them back cost more than the rest).
    db.executemany("INSERT INTO records VALUES (?, CAST(? AS TEXT))", texts)
    db.executemany("INSERT INTO ranks VALUES (?, ?, ?)", ranks)
    db.execute("UPDATE head SET count = ?, hash = ? WHERE id = 1", (count, previous))


def _first_duplicate(db: sqlite3.Connection, ids: list[str]) -> str:
    seen: set[str] = set()
    for decision_id in ids:
        if decision_id in seen or db.execute("SELECT 1 FROM decisions WHERE decision_id = ?", (decision_id,)).fetchone():
            return decision_id
        seen.add(decision_id)
    return ids[0]


def _why(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc)


def write_failure(exc: BaseException, path: Path, recorded: int = 0) -> EnvironmentProblem:
    """What to tell the user when the log could not take a decision (full disk, read-only, locked)."""
    done = f"{recorded} decision{'s' * (recorded != 1)} recorded before it, the rest not recorded" if recorded else \
        "nothing recorded"
    return environment(f"cannot write the decision record: {_why(exc)}; {done}", path)
