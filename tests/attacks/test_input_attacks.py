"""Hostile and careless input (issue 14: "Unbounded work", "Tracebacks instead of exit 2", "Wrong
numbers accepted"), each replayed: a one-line message naming file and field, exit 2, nothing written,
and quickly."""

import os
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT, recorded, run_cli

TYPICAL = str(ROOT / "examples" / "typical.yaml")


def _ftrec(*args, stdin=None, timeout=30):
    return subprocess.run([sys.executable, "-m", "recommender", *args], stdin=stdin, capture_output=True,
                          timeout=timeout)


def _refused(result, *fragments):
    assert result.code == 2, result
    assert result.out == ""
    assert result.err.count("\n") == 1 and "Traceback" not in result.err, result.err
    for fragment in fragments:
        assert fragment in result.err, result.err


# --- unbounded work ---------------------------------------------------------------------------


def test_stdin_of_endless_zeros_ends_at_once_with_exit_2():
    with open("/dev/zero", "rb") as zeros:
        done = _ftrec("recommend", "-", "--no-audit", stdin=zeros)
    assert done.returncode == 2 and b"too long (over 1,048,576 bytes)" in done.stderr


def test_a_batch_over_its_bound_is_refused_while_reading(tmp_path):
    # The bound is 1 GiB (spooled to a temporary file, never in memory); lowered here to 10 MB so the
    # test need not write a gigabyte: 12 MB of blank lines are skipped, but counted.
    big = tmp_path / "big.jsonl"
    big.write_bytes((b" " * 1023 + b"\n") * (12 * 1024))
    code = ("import sys, recommender.domain.files as files; files.MAX_BATCH_BYTES = 10 * 1024 * 1024\n"
            "from recommender.interfaces.cli.main import main; main(['recommend', '-', '--no-audit'])")
    with open(big, "rb") as stdin:
        done = subprocess.run([sys.executable, "-c", code], stdin=stdin, capture_output=True, timeout=60)
    assert done.returncode == 2 and b"too large (over 10,485,760 bytes)" in done.stderr
    from recommender.domain import files

    assert files.MAX_BATCH_BYTES == 1024 ** 3


def test_a_fifo_as_input_is_refused_without_waiting(tmp_path):
    fifo = tmp_path / "req.yaml"
    os.mkfifo(fifo)
    done = _ftrec("recommend", str(fifo), "--no-audit", timeout=20)  # nobody ever writes to it
    assert done.returncode == 2 and done.stderr.decode() == f"{fifo}: is a FIFO (named pipe), expected a file\n"


@pytest.mark.parametrize("path,problem", [("/dev/zero", "is a device"), ("/", "is a directory")])
def test_devices_and_directories_are_refused(path, problem):
    _refused(run_cli("recommend", path, "--no-audit"), problem)


def test_a_fifo_in_the_catalog_directory_is_refused(tmp_path):
    catalog = tmp_path / "catalog"
    shutil.copytree(ROOT / "catalog", catalog)
    (catalog / "fireworks.yaml").unlink()
    os.mkfifo(catalog / "fireworks.yaml")
    done = _ftrec("catalog", "list", "--catalog", str(catalog), timeout=20)
    assert done.returncode == 2 and b"is a FIFO" in done.stderr


def test_tiny_training_hours_are_refused_quickly(audit_log):
    path = audit_log.with_name("hours.yaml")
    path.write_text('training: {hours: "1e-999999999"}\n')
    _refused(run_cli("recommend", str(path)), "training.hours: is out of range")
    assert not audit_log.exists()


# --- tracebacks that became exit 2 -------------------------------------------------------------

CASES = {
    "yaml int over 4,300 digits": ("r.yaml", "training:\n  epochs: 1" + "0" * 5000 + "\n", "training.epochs"),
    "json int over 4,300 digits": ("r.json", '{"training": {"tokens": 1' + "0" * 5000 + "}}", "training.tokens"),
    "1e400": ("r.yaml", "inference:\n  monthly_tokens: 1e400\n", "out of range"),
    "huge decimal money": ("r.yaml", 'baseline: {input_per_m: "1' + "0" * 60 + '", output_per_m: 1}\n', "baseline.input_per_m"),
    "json 1e400": ("r.json", '{"baseline": {"input_per_m": 1e400, "output_per_m": 1}}', "baseline.input_per_m"),
    "lone surrogate in json": ("r.json", '{"priority": "\\ud800"}', "not valid Unicode"),
    "training product over 1e15": ("r.yaml", "training: {examples: 1000000000000, tokens_per_example: 1000000000}\n",
                                   "is over 1e15"),
    "steps product over 1e15": ("r.yaml", "training: {context_length: 1000000, batch_size: 1000000, steps: 1000000}\n",
                                "is over 1e15"),
    # wrong numbers that used to be accepted
    "0,20 dollars": ("r.yaml", 'baseline: {input_per_m: "0,20", output_per_m: "1"}\n', "must not contain commas"),
    "1,5 share": ("r.yaml", 'inference: {input_share: "0,5"}\n', "must not contain commas"),
    "1,5 tokens": ("r.yaml", 'training: {tokens: "1,5M"}\n', "must not contain commas"),
    "underscores": ("r.yaml", "training: {tokens: 5_000_000}\n", "must not contain underscores"),
    "yaml 1.1 octal": ("r.yaml", "training: {epochs: 010}\n", 'got "010"'),
    "yaml 1.1 sexagesimal": ("r.yaml", "inference: {monthly_tokens: 1:30}\n", "not sexagesimal"),
    "yaml hex": ("r.yaml", "inference: {monthly_tokens: 0x10}\n", "not hex"),
    "full-width digits": ("r.yaml", 'training: {tokens: "５M"}\n', "ASCII digits"),
    "full-width plain": ("r.yaml", "training: {epochs: ３}\n", "training.epochs"),
    "yaml .inf": ("r.yaml", "training: {hours: .inf}\n", "training.hours"),
    "json NaN": ("r.json", '{"training": {"hours": NaN}}', "NaN is not a number"),
    "duplicate keys in json": ("r.json", '{"priority": "cost", "priority": "quality"}', "duplicate key 'priority'"),
    "duplicate keys in yaml": ("r.yaml", "priority: cost\npriority: quality\n", "duplicate key 'priority'"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_numbers_and_text_exit_2_naming_the_field(tmp_path, audit_log, case):
    name, body, fragment = CASES[case]
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    _refused(run_cli("recommend", str(path)), str(path), fragment)
    assert not audit_log.exists()


def test_a_non_utf8_file_name_is_recorded_not_a_traceback(tmp_path, audit_log):
    name = os.fsdecode(b"req\xff.yaml")
    path = tmp_path / name
    shutil.copy(TYPICAL, path)
    result = run_cli("recommend", str(path), "--today", "2026-11-23")
    assert result.code == 0, result.err
    assert recorded(audit_log)[0]["source"].endswith("req\\xff.yaml")
    assert run_cli("audit", "verify").code == 0


def test_a_huge_sweep_range_is_bounded():
    result = run_cli("sweep", TYPICAL, "--vary", "inference.monthly_tokens=1M..1e400:5")
    assert result.code == 2 and "Traceback" not in result.err
