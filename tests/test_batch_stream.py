"""Batches stream: checked in a first pass, decided in a second, a bounded window of chunks in flight."""

import io
import json
import os
import subprocess
import sys
import tracemalloc

import pytest
from conftest import TODAY, recorded

from recommender.decision import batch
from recommender.domain import files
from recommender.domain.errors import InputError


def _ftrec(*args, stdin: str, timeout=180, **kwargs):
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **kwargs}
    return subprocess.run([sys.executable, "-m", "recommender", *args], input=stdin, text=True, timeout=timeout,
                          **streams)


def test_a_bad_line_after_many_chunks_writes_nothing(audit_log):
    lines = [json.dumps({"inference": {"monthly_tokens": 1_000_000 + i}}) for i in range(300)]
    lines[249] = '{"operations": {"trainings_per_year": -1}}'
    done = _ftrec("recommend", "-", "--audit-log", str(audit_log), stdin="\n".join(lines) + "\n")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("<stdin>:250: operations.trainings_per_year: ")
    assert not audit_log.exists()


def test_an_earlier_bad_line_is_named_before_a_later_line_too_long():
    lines = ["{}"] * 150 + ['{"training": {"epochs": 0}}'] + ["{}"] * 150 + ["[" * (files.MAX_LINE + 10)]
    done = _ftrec("recommend", "-", "--no-audit", stdin="\n".join(lines) + "\n")
    assert done.returncode == 2
    assert done.stderr == "<stdin>:151: training.epochs: must be between 1 and 1,000, got 0\n"


def test_a_line_too_long_is_named_after_the_good_lines_before_it():
    lines = ["{}"] * 200 + ["[" * (files.MAX_LINE + 10)]
    done = _ftrec("recommend", "-", "--no-audit", stdin="\n".join(lines) + "\n")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == f"<stdin>: line 201: too long (over {files.MAX_LINE:,} bytes)\n"


def test_several_chunks_are_each_recorded_and_printed_in_order(tmp_path):
    log = tmp_path / "decisions.sqlite3"
    count = batch.CHUNK * 3 + 5
    stdin = "\n".join(json.dumps({"inference": {"monthly_tokens": 2_000_000 + i}}) for i in range(count))
    done = _ftrec("recommend", "-", "--audit-log", str(log), "--today", "2026-11-23", stdin=stdin + "\n\n")
    assert done.returncode == 0, done.stderr
    printed = [json.loads(line) for line in done.stdout.splitlines()]
    assert [d["source"] for d in printed] == [f"<stdin>:{i + 1}" for i in range(count)]
    assert recorded(log) == printed


def _chunks_counted(pulled: list, total: int):
    for i in range(total):
        pulled[0] += 1
        yield [i]


def test_no_more_than_a_window_of_chunks_is_read_ahead():
    pulled = [0]
    with batch.Workers(2, function=abs) as workers:
        for given, result in enumerate(workers.map(batch._each, _chunks_counted(pulled, 400))):
            assert result == [given]
            assert pulled[0] - given <= 2 * batch.WINDOW + 1


def _stdin_of(lines: int) -> io.BytesIO:
    return io.BytesIO(b'{"needs": {"style_tone": true}}\n' * lines)


def _check_peak(lines: int) -> int:
    tracemalloc.start()
    with batch.Inputs(["-"], _stdin_of(lines)) as inputs, batch.Workers(1) as workers:
        assert batch.check_all(inputs, workers) == lines
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def test_checking_holds_no_input_it_has_checked():
    small, large = _check_peak(300), _check_peak(3_000)
    assert large < small * 1.5 + 200_000, (small, large)


def test_stdin_is_read_once_and_decided_from_its_copy(setup):
    stdin = _stdin_of(3)
    with batch.Inputs(["-"], stdin) as inputs, batch.Workers(1, setup=setup, today=TODAY) as workers:
        assert batch.check_all(inputs, workers) == 3
        decided = [json.loads(bytes(chunk.lines(i, i + 1))) for chunk in batch.decide_all(inputs, workers)
                   for i in range(len(chunk))]
    assert [d["source"] for d in decided] == ["<stdin>:1", "<stdin>:2", "<stdin>:3"]
    assert stdin.read() == b""


def test_a_file_changed_after_it_was_checked_stops_the_batch_there(setup, tmp_path):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    first.write_text("{}")
    second.write_text("{}")
    with batch.Inputs([str(first), str(second)]) as inputs, batch.Workers(1, setup=setup, today=TODAY) as workers:
        assert batch.check_all(inputs, workers) == 2
        second.write_text('{"training": {"epochs": 0}}')
        decided = batch.decide_all(inputs, workers)
        assert json.loads(bytes(next(decided).lines(0, 1)))["source"] == str(first)
        with pytest.raises(InputError, match="b.json: training.epochs: .*changed after it was checked"):
            next(decided)


def _read_all(fd: int, into: list) -> None:
    while True:
        try:
            data = os.read(fd, 65536)
        except OSError:
            return
        if not data:
            return
        into.append(data)


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a terminal")
def test_the_progress_bar_shows_on_a_terminal():
    import threading

    primary, secondary = os.openpty()
    shown: list = []
    reader = threading.Thread(target=_read_all, args=(primary, shown), daemon=True)
    reader.start()
    try:
        done = _ftrec("recommend", "-", "--no-audit", stdin="{}\n" * 120, stderr=secondary,
                      env={**os.environ, "COLUMNS": "100", "TERM": "xterm"})
    finally:
        os.close(secondary)
        reader.join(timeout=10)
        os.close(primary)
    assert done.returncode == 0
    assert len(done.stdout.splitlines()) == 120
    assert b"deciding" in b"".join(shown)


def test_json_lines_without_a_log_are_printed_as_the_workers_wrote_them(monkeypatch):
    # Nothing to record and nothing to cut: the parent writes the workers' bytes in one write, unparsed.
    from recommender.interfaces.cli import main as cli_main

    monkeypatch.setattr(cli_main, "_parsed", lambda line: (_ for _ in ()).throw(AssertionError("parsed")))
    written = []
    monkeypatch.setattr(cli_main, "write_bytes", lambda data: written.append(bytes(data)))
    decided = batch.Decided.unpack(b'{"a":1}\n{"b":2}\n{"c":3}\n', [8, 16, 24], None)
    assert cli_main._record_and_print(decided, 0, 2, "json", None, None, 0) == 2
    assert written == [b'{"a":1}\n{"b":2}\n']


def test_a_chunk_is_decided_with_the_collector_paused_and_left_as_it_was(monkeypatch):
    import gc

    from recommender.decision import batch

    seen = []
    monkeypatch.setattr(batch, "requirements_of", lambda source: seen.append(gc.isenabled()))
    monkeypatch.setitem(batch._STATE, "setup", None)
    monkeypatch.setitem(batch._STATE, "today", None)
    assert gc.isenabled()
    batch.decide_chunk([object(), object()])
    assert seen == [False, False] and gc.isenabled()
