"""The README's console examples are real runs: each `$ ftrec ...` line is run at 80 columns on a fixed
date and its output compared with what the README shows (decision ids and times normalized).

When the output changes on purpose, regenerate the examples from real runs:

    FTREC_UPDATE_README=1 .venv/bin/python -m pytest -q tests/test_readme.py
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess

import pytest

from recommender.domain.vocabulary import GLOSSARY
from recommender.presentation.glossary import glossary_text

from conftest import ROOT, run_cli

README = ROOT / "README.md"
TODAY = "2026-11-23"
BLOCK = re.compile(r"```console\n(.*?)```", re.S)
DECISION_ID = re.compile(r"\b\d{8}-\d{6}(?:-[0-9a-f]{10})?\b")
RECORDED_AT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
DATED = {("recommend",), ("cost",), ("compare",), ("sweep",), ("explain",), ("catalog", "check")}
UPDATE = os.environ.get("FTREC_UPDATE_README") == "1"


def examples(text: str) -> list[list[tuple[str, str]]]:
    """Each console block as (command, output shown) pairs."""
    found = []
    for block in BLOCK.finditer(text):
        pairs: list[tuple[str, list[str]]] = []
        for line in block.group(1).splitlines():
            if line.startswith("$ "):
                pairs.append((line[2:], []))
            elif pairs:
                pairs[-1][1].append(line)
        found.append([(command, "\n".join(lines)) for command, lines in pairs])
    return found


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """A directory with the examples and catalog in it, a home of its own (so the log is the default
    one), 80 columns."""
    import shutil

    (tmp_path / "examples").symlink_to(ROOT / "examples")
    shutil.copytree(ROOT / "catalog", tmp_path / "catalog")  # a copy: examples may edit a copy of it
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.delenv("FTREC_AUDIT_LOG", raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.chdir(tmp_path)
    return tmp_path


class Ids:
    """Decision ids as the README shows them and as this run made them, in the order they appeared,
    so `ftrec explain 20261124-004207` in the README runs on the decision this run recorded there."""

    def __init__(self) -> None:
        self.shown: list[str] = []
        self.made: list[str] = []

    def saw(self, shown: str, made: str) -> None:
        for seen, text in ((self.shown, shown), (self.made, made)):
            for found in DECISION_ID.findall(text):
                if len(found) > 15 and found not in seen:
                    seen.append(found)

    def in_command(self, command: str) -> str:
        def made(match: re.Match) -> str:
            prefix = match.group(0)
            index = next((i for i, shown in enumerate(self.shown) if shown.startswith(prefix)), None)
            if index is None or index >= len(self.made):
                return prefix
            return self.made[index][: len(prefix)]

        return DECISION_ID.sub(made, command)


def run(command: str, workdir) -> str:
    """The command as a person would type it; ftrec runs in this process, anything else in a shell."""
    words = shlex.split(command, comments=True)
    if words[0] != "ftrec":
        done = subprocess.run(command, shell=True, cwd=workdir, capture_output=True, text=True)
        return done.stdout + done.stderr
    args = words[1:]
    if tuple(args[:1]) in DATED or tuple(args[:2]) in DATED:
        if "--today" not in args:
            args += ["--today", TODAY]
    result = run_cli(*args)
    return result.out + result.err


def tidy(output: str, workdir) -> str:
    """What the README shows: paths as a reader would have them, no trailing blanks."""
    text = output.replace(str(workdir / "home"), "~").replace(str(workdir) + "/", "").replace(str(ROOT) + "/", "")
    return "\n".join(line.rstrip() for line in text.rstrip("\n").splitlines())


def normalized(output: str) -> str:
    return RECORDED_AT.sub("TIME", DECISION_ID.sub("ID", output))


def test_readme_console_examples_are_real_runs(workdir):
    text = README.read_text(encoding="utf-8")
    blocks = examples(text)
    assert len(blocks) >= 5
    rewritten, problems, ids = [], [], Ids()
    for pairs in blocks:
        lines = []
        for command, shown in pairs:
            typed = ids.in_command(command)
            actual = tidy(run(typed, workdir), workdir)
            ids.saw(shown, actual)
            lines += [f"$ {typed}", *([actual] if actual else [])]
            if normalized(actual) != normalized(shown):
                problems.append(f"$ {command}\n--- README shows:\n{shown}\n--- it prints:\n{actual}")
        rewritten.append("\n".join(lines) + "\n")
    if UPDATE:
        parts = iter(rewritten)
        README.write_text(BLOCK.sub(lambda m: f"```console\n{next(parts)}```", text), encoding="utf-8")
        return
    assert not problems, ("README examples differ from real runs (regenerate: FTREC_UPDATE_README=1 "
                          "pytest tests/test_readme.py):\n\n" + "\n\n".join(problems))


def test_every_file_the_readme_names_is_shipped():
    text = README.read_text(encoding="utf-8")
    named = set(re.findall(r"\b(examples/[\w./-]+\.ya?ml)\b", text))
    assert named and {n for n in named if not (ROOT / n).is_file()} == set()


def test_the_readme_carries_the_glossary_of_ftrec_help_terms():
    text = README.read_text(encoding="utf-8")
    assert glossary_text() in text
    result = run_cli("help", "terms")
    assert result.code == 0 and result.out.rstrip("\n") == glossary_text()
    assert {term for term, _ in GLOSSARY} >= {"uplift", "break-even", "hidden costs", "LoRA / full", "year-1",
                                             "approach"}
