"""Shared fixtures: the built-in catalog and rules, loaded once; running the CLI in-process."""

from __future__ import annotations

import contextlib
import io
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from recommender.domain.catalog import load_catalog
from recommender.decision.decide import Setup
from recommender.domain.requirements import Requirements
from recommender.engine.rules import load_rules

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 23)
SEEDS = Path(os.environ.get("FTREC_SEEDS", ROOT.parent / "shared" / "seeds"))


@pytest.fixture(scope="session")
def catalog():
    return load_catalog()


@pytest.fixture(scope="session")
def ruleset():
    return load_rules()


@pytest.fixture(scope="session")
def setup(catalog, ruleset):
    return Setup(catalog, ruleset)


def req(**sections) -> Requirements:
    return Requirements.model_validate(sections)


@dataclass
class Result:
    code: int
    out: str
    err: str


def run_cli(*args: str, env: dict | None = None) -> Result:
    """`ftrec ARGS` in this process: exit code, stdout, stderr."""
    from recommender.interfaces.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    old_env = {k: os.environ.get(k) for k in (env or {})}
    os.environ.update(env or {})
    code = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main(list(args))
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        for k, v in old_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return Result(code, out.getvalue(), err.getvalue())


@pytest.fixture
def audit_log(tmp_path, monkeypatch):
    """Every test that records decisions writes to its own log, never the user's."""
    path = tmp_path / "decisions.sqlite3"
    monkeypatch.setenv("FTREC_AUDIT_LOG", str(path))
    return path


def recommend_typical(*extra: str) -> dict:
    """`ftrec recommend examples/typical.yaml --format json --today 2026-11-23 EXTRA...`: the decision."""
    import json

    result = run_cli("recommend", str(ROOT / "examples" / "typical.yaml"), "--format", "json", "--today",
                     TODAY.isoformat(), *extra)
    assert result.code == 0, result.err
    return json.loads(result.out)


def forget_loaded() -> None:
    """Drop the catalog and rules this process has loaded, so the next load reads the disk (and the
    start-up cache) as a fresh `ftrec` process would."""
    from recommender.domain import catalog as catalogs
    from recommender.engine import rules as rule_sets

    catalogs._LOADED.clear()
    rule_sets._LOADED.clear()


def recorded(log: Path) -> list[dict]:
    """Every record in the decision log LOG, in the order they were recorded."""
    import json

    from recommender.records import log as records

    return [json.loads(row[2]) for row in records.rows(log)]


@pytest.fixture(autouse=True)
def _no_user_audit_log(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("FTREC_AUDIT_LOG", str(tmp_path_factory.mktemp("audit") / "decisions.sqlite3"))


@pytest.fixture(autouse=True, scope="session")
def _no_user_cache(tmp_path_factory):
    """Tests never read or write the user's start-up cache."""
    old = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if old is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = old
