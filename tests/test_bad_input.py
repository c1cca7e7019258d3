"""The bad-input matrix: every case exits 2 with one line naming where and what, no traceback,
nothing written (no audit record, no output), in well under 2 s each."""

import os
import shutil
import time

import pytest

from conftest import ROOT, run_cli

TYPICAL = str(ROOT / "examples" / "typical.yaml")
CATALOG = ROOT / "catalog"
RULES = ROOT / "rules"
DEEP = "a: " + "[" * 60 + "]" * 60 + "\n"
BOMB = "".join(f"{c}: &{c} [{', '.join(['*' + p] * 9) if p else ', '.join(['x'] * 9)}]\n"
               for p, c in zip(["", "a", "b", "c", "d", "e", "f"], "abcdefg"))


def write(tmp, name, content):
    path = tmp / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return str(path)


def catalog_with(tmp, name, content):
    directory = tmp / "cat"
    shutil.copytree(CATALOG, directory)
    (directory / name).write_text(content)
    return str(directory)


def rules_with(tmp, name, content):
    directory = tmp / "rules"
    shutil.copytree(RULES, directory)
    (directory / name).write_text(content)
    return str(directory)


PRICE = '{usd: "1.00", source: "x", as_of: 2026-01-01}'
OFFERING = ("provider: X\nofferings:\n  - id: {id}\n    model: M\n    family: llama\n    methods: [lora]\n"
            "    tuning: [sft]\n    prices:\n      inference_flat: {price}\n")

# name → (build(tmp) → argv, fragment the single stderr line must contain)
CASES = {
    # requirements files
    "wrong type": (lambda t: ["recommend", write(t, "r.yaml", "training:\n  epochs: three\n")], 'training.epochs: must be a whole number, got "three"'),
    "negative count": (lambda t: ["recommend", write(t, "r.yaml", "training:\n  tokens: -1\n")], "training.tokens: must not be negative"),
    "zero epochs": (lambda t: ["recommend", write(t, "r.yaml", "training:\n  epochs: 0\n")], "training.epochs: must be between 1"),
    "share above 1": (lambda t: ["recommend", write(t, "r.yaml", "inference:\n  input_share: 1.2\n")], "inference.input_share: must be between 0 and 1"),
    "share below 0": (lambda t: ["recommend", write(t, "r.yaml", "inference:\n  input_share: -0.1\n")], "inference.input_share: must be between 0 and 1"),
    "absurd tokens": (lambda t: ["recommend", write(t, "r.yaml", "inference:\n  monthly_tokens: 1e30\n")], "inference.monthly_tokens:"),
    "absurd training hours": (lambda t: ["recommend", write(t, "r.yaml", "training:\n  hours: 1e400\n")], "training.hours: is out of range"),
    "absurd tokens suffix": (lambda t: ["recommend", write(t, "r.yaml", "training:\n  tokens: 999999T\n")], "training.tokens: must be at most 1e15"),
    "unknown field": (lambda t: ["recommend", write(t, "r.yaml", "trainin:\n  tokens: 5M\n")], "trainin: unknown field (did you mean 'training'?)"),
    "unknown nested field": (lambda t: ["recommend", write(t, "r.yaml", "task:\n  churn: daily\n")], "task.churn: unknown field"),
    "unknown enum": (lambda t: ["recommend", write(t, "r.yaml", "task:\n  knowledge_churn: hourly\n")], "task.knowledge_churn: must be one of daily, weekly, monthly or stable"),
    "malformed yaml": (lambda t: ["recommend", write(t, "r.yaml", "training: {tokens: 5M\n")], "invalid YAML"),
    "malformed json": (lambda t: ["recommend", write(t, "r.json", '{"training": [}')], "r.json: line 1, column 15"),
    "alias bomb": (lambda t: ["recommend", write(t, "r.yaml", BOMB)], "alias bomb"),
    # data that contains itself: walking it for escapes once never ended
    "anchor inside itself": (lambda t: ["recommend", write(t, "r.yaml", 'needs: &x ["\\u0041", *x]\n')],
                             "line 1, column 8: invalid YAML: an anchor used inside its own value"),
    "catalog: anchor inside itself": (lambda t: ["recommend", TYPICAL, "--catalog",
                                                 catalog_with(t, "x.yaml", "provider: &p {name: *p}\n")],
                                      "x.yaml: line 1, column 11: invalid YAML: an anchor used inside its own value"),
    "deep nesting": (lambda t: ["recommend", write(t, "r.yaml", DEEP)], "nested deeper than 40 levels"),
    "deep json": (lambda t: ["recommend", write(t, "r.json", '{"a": ' + "[" * 5000 + "]" * 5000 + "}")], "r.json:"),
    # tagged or date-like scalars PyYAML's constructors cannot read: a traceback before
    "impossible date": (lambda t: ["recommend", write(t, "r.yaml", "baseline: 2026-13-45\n")],
                        "line 1, column 11: invalid YAML: '2026-13-45' is not a real date or time"),
    "tagged integer that is not one": (lambda t: ["recommend", write(t, "r.yaml", "priority: !!int 5x\n")],
                                       "line 1, column 11: invalid YAML: '5x' is not an integer"),
    "tagged number that is not one": (lambda t: ["recommend", write(t, "r.yaml", "priority: !!float abc\n")],
                                      "line 1, column 11: invalid YAML: 'abc' is not a number"),
    "tagged bool that is not one": (lambda t: ["recommend", write(t, "r.yaml", "priority: !!bool maybe\n")],
                                    "line 1, column 11: invalid YAML: 'maybe' is not true or false"),
    "catalog: impossible date": (lambda t: ["recommend", TYPICAL, "--catalog", catalog_with(t, "x.yaml", OFFERING.format(id="x/m", price='{usd: "1.00", source: "x", as_of: 2026-02-30}'))], "x.yaml: line "),
    "duplicate key": (lambda t: ["recommend", write(t, "r.yaml", "priority: cost\npriority: quality\n")], "line 2: duplicate key 'priority'"),
    "non-utf8": (lambda t: ["recommend", write(t, "r.yaml", b"priority: co\xfft\n")], "not UTF-8 text (byte 0xff at offset 12)"),
    "binary": (lambda t: ["recommend", write(t, "r.yaml", b"\x89PNG\r\n\x1a\n\x00\x00")], "binary data"),
    "top-level list": (lambda t: ["recommend", write(t, "r.yaml", "- training\n")], "expected a mapping"),
    "top-level text": (lambda t: ["recommend", write(t, "r.yaml", "hello\n")], 'expected a mapping of requirement fields, got "hello"'),
    "directory as file": (lambda t: ["recommend", str(t)], "is a directory, expected a file"),
    "missing file": (lambda t: ["recommend", str(t / "nope.yaml")], "nope.yaml: file not found"),
    "too large": (lambda t: ["recommend", write(t, "r.yaml", "# " + "x" * (11 * 1024 * 1024) + "\n")], "too large"),
    "unknown baseline": (lambda t: ["recommend", write(t, "r.yaml", "baseline: openai/gpt-5\n")], "baseline: unknown offering 'openai/gpt-5'"),
    "half a training form": (lambda t: ["recommend", write(t, "r.yaml", "training:\n  examples: 8000\n")], "training: give all of training.examples × training.tokens_per_example"),
    # catalog files
    "catalog: price without source": (lambda t: ["recommend", TYPICAL, "--catalog", catalog_with(t, "x.yaml", OFFERING.format(id="x/m", price='{usd: "1.00", as_of: 2026-01-01}'))], "offerings[0].prices.inference_flat.source: required field is missing"),
    "catalog: price without date": (lambda t: ["recommend", TYPICAL, "--catalog", catalog_with(t, "x.yaml", OFFERING.format(id="x/m", price='{usd: "1.00", source: "x"}'))], "offerings[0].prices.inference_flat.as_of: required field is missing"),
    "catalog: duplicate offering id": (lambda t: ["recommend", TYPICAL, "--catalog", catalog_with(t, "x.yaml", OFFERING.format(id="fireworks/llama-4-8b", price=PRICE))], "offerings[0].id: duplicate offering id 'fireworks/llama-4-8b' (also in fireworks.yaml)"),
    "catalog: negative price": (lambda t: ["catalog", "check", "--catalog", catalog_with(t, "x.yaml", OFFERING.format(id="x/m", price='{usd: "-1", source: "x", as_of: 2026-01-01}'))], "inference_flat.usd: must not be negative"),
    "catalog: bad id": (lambda t: ["catalog", "list", "--catalog", catalog_with(t, "x.yaml", OFFERING.format(id="Not An Id", price=PRICE))], "offerings[0].id: must look like provider/model"),
    "catalog: empty file": (lambda t: ["catalog", "list", "--catalog", catalog_with(t, "x.yaml", "   \n")], "x.yaml: empty catalog file"),
    "catalog: not a directory": (lambda t: ["catalog", "list", "--catalog", TYPICAL], "is not a directory"),
    "catalog: missing directory": (lambda t: ["catalog", "list", "--catalog", str(t / "none")], "catalog directory not found"),
    "catalog: unknown price name": (lambda t: ["catalog", "list", "--catalog", catalog_with(t, "x.yaml", OFFERING.format(id="x/m", price=PRICE).replace("inference_flat", "inference_flatt"))], "prices.inference_flatt: unknown field"),
    # rule files
    "rules: unknown fact": (lambda t: ["rules", "check", "--rules", rules_with(t, "zz.yaml", "rules:\n  - id: zz.a\n    description: d\n    source: {document: d.txt, says: s}\n    when: {needs.colour: red}\n    then: {warn: w}\n")], "rules[0] zz.a: when.needs.colour: unknown fact"),
    "rules: cycle": (lambda t: ["rules", "check", "--rules", rules_with(t, "zz.yaml", "rules:\n  - id: zz.a\n    description: d\n    source: {document: d.txt, says: s}\n    when: {method: full}\n    then: {reason: fine_tune}\n")], "zz.a: cycle:"),
    "rules: empty file": (lambda t: ["rules", "check", "--rules", rules_with(t, "zz.yaml", "")], "zz.yaml: empty rule file"),
    "rules: not a list": (lambda t: ["rules", "check", "--rules", rules_with(t, "zz.yaml", "rules: {a: 1}\n")], "rules: `rules` must be a non-empty list"),
    # command-line arguments
    "unknown offering": (lambda t: ["cost", TYPICAL, "--offering", "openai/gpt-4"], "--offering: unknown offering 'openai/gpt-4'"),
    "bad format": (lambda t: ["recommend", TYPICAL, "--format", "yaml"], "'yaml' is not one of"),
    "bad top": (lambda t: ["recommend", TYPICAL, "--top", "0"], "--top"),
    "bad date": (lambda t: ["recommend", TYPICAL, "--today", "2026-13-01"], "--today: must be a date"),
    "unknown command": (lambda t: ["recomend", TYPICAL], "No such command 'recomend'"),
    "unknown rule": (lambda t: ["rules", "show", "approach.nope"], "unknown rule 'approach.nope'"),
}

ENVIRONMENT = {
    "audit log not writable": (lambda t: ["recommend", TYPICAL, "--audit-log", write(t, "afile", "") + "/d.sqlite3"],
                               "cannot create the decision log's directory"),
    "audit log is a directory": (lambda t: ["recommend", TYPICAL, "--audit-log", str(t)], "the decision log is a directory"),
}


@pytest.mark.parametrize("case", sorted(ENVIRONMENT))
def test_a_log_that_cannot_be_written_is_an_environment_problem(tmp_path, audit_log, case):
    build, fragment = ENVIRONMENT[case]
    work = tmp_path / "work"
    work.mkdir()
    result = run_cli(*build(work))
    assert (result.code, result.out) == (3, "")
    assert result.err.count("\n") == 1 and fragment in result.err and "--no-audit" in result.err
    assert not audit_log.exists()


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input(tmp_path, audit_log, case):
    build, fragment = CASES[case]
    work = tmp_path / "work"
    work.mkdir()
    argv = build(work)
    started = time.perf_counter()
    result = run_cli(*argv)
    assert time.perf_counter() - started < 2
    assert result.code == 2, (case, result)
    assert result.out == "", result.out
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, lines
    assert fragment in lines[0], lines[0]
    assert "Traceback" not in result.err
    assert not audit_log.exists()


def test_there_are_at_least_thirty_cases():
    assert len(CASES) >= 30


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_unreadable_file(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text("priority: cost\n")
    path.chmod(0)
    result = run_cli("recommend", str(path), "--no-audit")
    assert result.code == 2 and result.err.strip() == f"{path}: cannot read: permission denied"


def test_whitespace_only_requirements_are_a_typical_request(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text("  \n\n# nothing but a comment\n")
    assert run_cli("recommend", str(path), "--no-audit", "--format", "json").code == 0
