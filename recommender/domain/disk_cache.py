"""A start-up cache of what loading the catalog and the rules produces, as JSON: never code.

Parsing and checking the YAML files is most of what a short `ftrec` run does before deciding, and
the result only changes when a file (or ftrec) does. An entry is keyed by the sha256 of the files'
names and bytes, ftrec's version, a fingerprint of the code that shapes the result, and the pydantic
and Python versions. It lives in $FTREC_CACHE_DIR, else $XDG_CACHE_HOME/ftrec, else ~/.cache/ftrec;
FTREC_CACHE=off turns the cache off (nothing is read or written).

Nothing read back is trusted: an entry is used only if it is a regular file (not a symlink) owned
by this user and writable by no one else, in a directory that is the same, and its header names the
exact key and the sha256 of its body. Anything else (absent, truncated, corrupt, foreign, from
another version) is ignored and rebuilt; a cache that cannot be written costs only speed.
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
from pathlib import Path
from typing import Optional

MAGIC = b"ftrec-cache 1"
# An entry is read whole into memory: a 20,000-offering catalog's is some 2.5 MB (each distinct text
# and price once), its YAML 25 MB. A larger body is not written, as it would never be read.
MAX_ENTRY = 256 * 1024 * 1024
KEEP = 4  # entries of each kind
SHAPING = ("domain/catalog.py", "domain/requirements.py", "domain/files.py",
           "domain/disk_cache.py", "domain/rebuild.py", "engine/rules.py", "engine/ruleset.py", "engine/rules_codec.py", "engine/facts.py")
_FINGERPRINT: list[str] = []


def directory() -> Optional[Path]:
    """Where entries live, or None when FTREC_CACHE=off."""
    if os.environ.get("FTREC_CACHE", "").strip().lower() in ("off", "0", "no", "false"):
        return None
    chosen = os.environ.get("FTREC_CACHE_DIR")
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "ftrec"


def key(kind: str, content_sha256: str) -> str:
    """The entry's key: the files' content, and everything in ftrec and its stack that shapes the result."""
    import pydantic

    from recommender import __version__

    parts = (kind, content_sha256, __version__, _code_fingerprint(), pydantic.VERSION, sys.version)
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def read(kind: str, entry_key: str) -> Optional[bytes]:
    """The body stored under ENTRY_KEY, or None: never an error."""
    where = directory()
    if where is None or not _own_private_directory(where):
        return None
    try:
        fd = os.open(where / _name(kind, entry_key), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or not _own_and_private(info) or info.st_size > MAX_ENTRY:
            return None
        with os.fdopen(os.dup(fd), "rb") as fh:
            raw = fh.read(MAX_ENTRY + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    return _body(raw, entry_key)


def write(kind: str, entry_key: str, body: bytes) -> None:
    """Store BODY under ENTRY_KEY atomically (a temporary file renamed into place), or silently not at all."""
    where = directory()
    if where is None:
        return
    header = b"%s\n%s\n%s\n" % (MAGIC, entry_key.encode(), hashlib.sha256(body).hexdigest().encode())
    temporary = None
    try:
        where.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _own_private_directory(where, tighten=not os.environ.get("FTREC_CACHE_DIR")):
            return
        import tempfile

        fd, temporary = tempfile.mkstemp(prefix=f".{kind}-", suffix=".tmp", dir=where)  # 0600
        with os.fdopen(fd, "wb") as fh:
            fh.write(header)
            fh.write(body)
        os.replace(temporary, where / _name(kind, entry_key))
        temporary = None
        _prune(where, kind, _name(kind, entry_key))
    except OSError:
        pass  # read-only, full or foreign: the next run parses the files again
    finally:
        if temporary is not None:
            try:
                os.unlink(temporary)
            except OSError:
                pass


def _prune(where: Path, kind: str, written: str) -> None:
    """Keep the KEEP newest entries of a kind (each edit of a catalog is a new one), the one just
    WRITTEN among them, and no temporary file a crashed run left behind."""
    import time

    entries = []
    with os.scandir(where) as found:
        listed = list(found)
    for entry in listed:
        if not entry.is_file(follow_symlinks=False):
            continue
        if entry.name.startswith(f"{kind}-") and entry.name.endswith(".json") and entry.name != written:
            entries.append((entry.stat(follow_symlinks=False).st_mtime_ns, entry.path))
        elif entry.name.startswith(f".{kind}-") and entry.name.endswith(".tmp"):
            if entry.stat(follow_symlinks=False).st_mtime < time.time() - 3600:
                os.unlink(entry.path)
    for _, path in sorted(entries, reverse=True)[KEEP - 1:]:
        os.unlink(path)


def _name(kind: str, entry_key: str) -> str:
    return f"{kind}-{entry_key[:40]}.json"


def _body(raw: bytes, entry_key: str) -> Optional[bytes]:
    parts = raw.split(b"\n", 3)
    if len(parts) != 4 or parts[0] != MAGIC or parts[1] != entry_key.encode():
        return None
    body = parts[3]
    if hashlib.sha256(body).hexdigest().encode() != parts[2]:
        return None  # truncated or altered
    return body


def _own_private_directory(path: Path, tighten: bool = False) -> bool:
    """PATH is a real directory (not a symlink) of this user's that no one else may write to. With
    TIGHTEN (ftrec's own default directory, never one FTREC_CACHE_DIR names), it is made 0700 first."""
    try:
        info = os.lstat(path)
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid():
            return False
        if tighten and stat.S_IMODE(info.st_mode) & 0o077:
            os.chmod(path, 0o700)
            info = os.lstat(path)
    except OSError:
        return False
    return not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _own_and_private(info: os.stat_result) -> bool:
    return info.st_uid == os.geteuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _code_fingerprint() -> str:
    """The sha256 of the source of the modules that shape a cached result: a development checkout's
    edits (same version number) never read back an entry written by other code."""
    if not _FINGERPRINT:
        here = Path(__file__).resolve().parent.parent
        digest = hashlib.sha256()
        for name in SHAPING:
            try:
                digest.update((here / name).read_bytes())
            except OSError:
                digest.update(b"missing " + name.encode())
            digest.update(b"\0")
        _FINGERPRINT.append(digest.hexdigest())
    return _FINGERPRINT[0]


def cached(kind: str, content_sha256: str, build, encode, decode, exact=None):
    """What BUILD() returns, from the cache when an entry for these files is there. ENCODE(value) is
    the body to store; DECODE(body) the value back. A value is stored only when decoding its body
    gives it back exactly: EXACT(decoded, value, body) says so (by default, the same repr: Decimal
    exponents, types, defaults). Then the decoded value is returned, as every later run reads it."""
    if directory() is None:
        return build()
    entry_key = key(kind, content_sha256)
    body = read(kind, entry_key)
    if body is not None:
        try:
            return decode(body)
        except _NOT_OURS:
            pass  # not what this code writes: rebuilt below
    value = build()
    try:
        body = encode(value)
        if len(body) > MAX_ENTRY:
            return value  # never read back: not written
        decoded = decode(body)
        if not (exact or _same_repr)(decoded, value, body):
            return value
    except _NOT_OURS:
        return value  # a value this code cannot store as JSON and read back: not cached
    write(kind, entry_key, body)
    return decoded


def _same_repr(decoded, value, body: bytes) -> bool:
    return repr(decoded) == repr(value)


_NOT_OURS = (ValueError, TypeError, KeyError, IndexError, AttributeError, ArithmeticError, RecursionError)  # foreign JSON
