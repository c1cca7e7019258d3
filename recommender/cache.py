"""A start-up cache of the validated catalog and rules, keyed by the sha256 of their files.

Parsing and validating some twenty YAML files is most of what `ftrec` does before deciding; the
result only changes when a file does. Entries live under $XDG_CACHE_HOME/ftrec (or ~/.cache/ftrec),
one per content hash, ftrec build and Python version; a file that cannot be read back is rebuilt.
The build is a fingerprint of the source of the modules whose objects are cached, so an entry
written by other code (a development checkout, an upgrade) is never read back.
FTREC_NO_CACHE=1 turns the cache off. Only what ftrec itself wrote there is ever loaded.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import Callable, Optional, TypeVar

from recommender import __version__

T = TypeVar("T")


def cache_dir() -> Optional[Path]:
    if os.environ.get("FTREC_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "ftrec"


def cached(kind: str, key: str, build: Callable[[], T]) -> T:
    """What `build()` returns for this key (where the files are, and their content hash), from the
    cache when it is there."""
    directory = cache_dir()
    if directory is None:
        return build()
    version = f"{sys.version_info[0]}{sys.version_info[1]}"
    digest = hashlib.sha256(f"{key}\0{_build()}".encode()).hexdigest()[:32]
    path = directory / f"{kind}-{digest}-{__version__}-py{version}.pickle"
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        pass  # absent, unreadable or from an incompatible build: rebuild it
    value = build()
    _store(directory, path, value)
    return value


_BUILD: list[str] = []


def _build() -> str:
    """A fingerprint of the code that defines what is cached (its classes' shapes and parsing)."""
    if not _BUILD:
        here = Path(__file__).resolve().parent
        digest = hashlib.sha256()
        for name in ("catalog.py", "rules.py", "facts.py", "models.py", "cost.py"):
            digest.update((here / name).read_bytes())
        _BUILD.append(digest.hexdigest())
    return _BUILD[0]


def _store(directory: Path, path: Path, value) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=directory, prefix=".tmp-")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except OSError:
        pass  # a read-only or full cache only costs speed
