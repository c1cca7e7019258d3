"""The first run, as a new user has it: bare `ftrec`, the `make demo` hint pasted as printed, the
record hint with and without a log of one's own."""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, run_cli

FTREC = Path(sys.prefix) / "bin" / "ftrec"


def test_bare_ftrec_shows_the_help_and_where_to_start():
    result = run_cli()
    assert result.code == 0 and result.err == ""
    assert "Usage: ftrec" in result.out and "Commands:" in result.out
    for start in ("ftrec ask", "ftrec recommend examples/typical.yaml", "ftrec explain ID"):
        assert start in result.out
    assert max(len(line) for line in result.out.splitlines()) <= 80


def demo_command() -> str:
    """The recipe `make demo` runs, as the Makefile spells it."""
    text = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^demo:.*\n\t(.+)$", text, re.M).group(1)
    return recipe.replace("$(VENV)", ".venv")


@pytest.mark.skipif(not FTREC.exists() or sys.prefix == sys.base_prefix, reason="needs ftrec installed in a venv")
def test_the_make_demo_hint_works_when_pasted(tmp_path):
    # A clone of our own: examples, and a .venv whose bin is the one running these tests.
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "bin").symlink_to(FTREC.parent)
    env = {k: v for k, v in os.environ.items() if k != "FTREC_AUDIT_LOG"}
    env.update(HOME=str(tmp_path / "home"), COLUMNS="80", PATH="/usr/bin:/bin")
    demo = subprocess.run(demo_command(), shell=True, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert demo.returncode == 0, demo.stderr
    hint = [line for line in demo.stderr.splitlines() if line.startswith("Why: ")]
    assert len(hint) == 1 and "--audit-log .venv/decisions.sqlite3" in hint[0]
    pasted = subprocess.run(hint[0].removeprefix("Why: "), shell=True, cwd=tmp_path, env=env,
                            capture_output=True, text=True)  # a new shell: no FTREC_AUDIT_LOG, ftrec not on PATH
    assert pasted.returncode == 0, pasted.stderr
    assert "What the rules did, in order:" in pasted.stdout
    assert not (tmp_path / "home" / ".local").exists()  # the demo never touched the user's own log


def test_the_hint_names_a_log_that_is_not_the_default_and_fits_80_columns(tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    log = tmp_path / "a log.sqlite3"
    result = run_cli("recommend", str(ROOT / "examples" / "typical.yaml"), "--audit-log", str(log))
    why = [line for line in result.err.splitlines() if line.startswith("Why: ")]
    assert why == [f"Why: ftrec explain {_id(log)} --audit-log {shlex.quote(str(log))}"]
    pasted = run_cli(*shlex.split(why[0].removeprefix("Why: "))[1:])
    assert pasted.code == 0 and "What the rules did" in pasted.out


def test_the_default_log_needs_no_option(tmp_path, monkeypatch):
    monkeypatch.delenv("FTREC_AUDIT_LOG")
    monkeypatch.setenv("HOME", str(tmp_path))
    result = run_cli("recommend", str(ROOT / "examples" / "typical.yaml"))
    log = tmp_path / ".local" / "share" / "ftrec" / "decisions.sqlite3"
    assert result.err.splitlines()[-2:] == [f"Recorded decision {_id(log)} in ~/.local/share/ftrec/decisions.sqlite3.",
                                           f"Why: ftrec explain {_id(log)}"]


def test_no_hint_without_a_record(audit_log):
    result = run_cli("recommend", str(ROOT / "examples" / "typical.yaml"), "--no-audit")
    assert result.code == 0 and "explain" not in result.err and "Recorded" not in result.err
    assert not audit_log.exists()


def test_warnings_go_to_stderr_in_a_table_and_stay_in_json(audit_log):
    table = run_cli("recommend", str(ROOT / "examples" / "typical.yaml"), "--no-audit", "--today", "2026-11-23")
    assert "Warnings:" in table.err and "Warnings:" not in table.out and "over 180 days old" in table.err
    import json

    data = json.loads(run_cli("recommend", str(ROOT / "examples" / "typical.yaml"), "--no-audit", "--format", "json",
                              "--today", "2026-11-23").out)
    assert any("over 180 days old" in w["message"] for w in data["warnings"])


def _id(log: Path) -> str:

    from conftest import recorded

    return recorded(log)[-1]["decision_id"]
