"""The decision log: append-only JSON Lines, one complete record per decision (CONTRACT §7).

A record is written whole with one write() on an O_APPEND descriptor and fsynced, so records from
concurrent processes never interleave and a crash leaves at most one torn last line, which readers
skip and report instead of failing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Optional

import click

from recommender.errors import InputError

DEFAULT_PATH = Path("~/.local/share/ftrec/audit.jsonl")


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


def append(record: dict, path: Path) -> None:
    line = (json.dumps(record, ensure_ascii=False, separators=(",", ":"), sort_keys=False) + "\n").encode()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        written = os.write(fd, line)
        if written != len(line):  # a short write (disk full): take the partial line back out
            os.ftruncate(fd, os.fstat(fd).st_size - written)
            raise OSError("short write to the audit log")
        os.fsync(fd)
    finally:
        os.close(fd)


@click.group()
def audit() -> None:
    """Decision records: list, show, and replay one against the current rules and catalog."""


@audit.command("list")
def audit_list() -> None:
    """The recorded decisions, newest last."""
    raise click.ClickException("audit list is not implemented yet")
