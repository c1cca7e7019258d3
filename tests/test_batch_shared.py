"""A batch's workers hand their decisions to the parent as bytes: through a ring of shared memory
when there is room, else inline; the records come ready for the log, so the parent parses nothing."""

import io
import json
import sys

from conftest import TODAY, recorded

from recommender.decision import batch, shared
from recommender.interfaces.cli import main as cli_main
from recommender.records import chain


def test_a_ring_gives_back_what_was_put_in_order_and_refuses_what_has_no_room():
    ring = shared.Ring(100)
    first = ring.put([b"abc", b"de"], 5)
    assert first == (0, 5) and bytes(ring.view(*first)) == b"abcde"
    second = ring.put([b"x" * 90], 90)
    assert second == (5, 95)
    assert ring.put([b"y" * 10], 10) is None  # 5 bytes free at the end, none freed yet
    ring.free(first[1])
    assert ring.put([b"y" * 10], 10) is None  # still no room: only 5 bytes were freed
    ring.free(second[1])
    third = ring.put([b"y" * 10], 10)  # never wraps round the end: starts over at the beginning
    assert third == (100, 110) and bytes(ring.view(*third)) == b"y" * 10
    assert ring.put([b"z" * 101], 101) is None  # larger than the ring


def test_unpacked_chunks_split_lines_and_records_as_packed(monkeypatch):
    monkeypatch.setitem(batch._STATE, "ring", None)
    records = [(b'{"a":1}', ("id-1",), [(1, "x")]), "cannot be stored: too big", (b'{"c":3}', ("id-3",), [])]
    packed = batch._pack([b"L1\n", b"L22\n", b"L333\n"], records, None)
    assert isinstance(packed[0], bytes)  # no ring here: inline
    decided = batch.Decided.unpack(*packed[:3])
    assert len(decided) == 3
    assert bytes(decided.lines(0, 3)) == b"L1\nL22\nL333\n" and bytes(decided.lines(1, 2)) == b"L22\n"
    texts = [r if isinstance(r, str) else (bytes(r[0]), r[1], r[2]) for r in decided.records]
    assert texts == [(b'{"a":1}', ("id-1",), [(1, "x")]), "cannot be stored: too big", (b'{"c":3}', ("id-3",), [])]


def _stdin(count: int) -> io.BytesIO:
    return io.BytesIO(b"".join(json.dumps({"inference": {"monthly_tokens": 3_000_000 + i}}).encode() + b"\n"
                               for i in range(count)))


def _decided_in_workers(setup, count: int, log=None) -> tuple[list[dict], list]:
    """Every decision of a forked batch and how each chunk travelled (a tuple: through a ring)."""
    ways, decisions = [], []
    with batch.Inputs(["-"], _stdin(count)) as inputs, \
            batch.Workers(2, setup=setup, today=TODAY, log=log) as workers:
        assert batch.check_all(inputs, workers) == count
        for payload, ends, meta, problem in workers.map(batch.decide_chunk, batch.chunks(inputs.sources())):
            ways.append(payload)
            decided = batch.Decided.unpack(payload, ends, meta)
            decisions += [json.loads(bytes(decided.lines(i, i + 1))) for i in range(len(decided))]
            if log is not None:
                for record, decision in zip(decided.records, decisions[-len(decided):]):
                    assert bytes(record[0]) == chain.canonical(decision)
                    assert record[1][0] == decision["decision_id"]
            decided.free()
    return decisions, ways


def _strip(decision: dict) -> dict:
    return {k: v for k, v in decision.items() if k not in ("decision_id", "created_at")}


def test_forked_workers_hand_decisions_through_their_rings_or_inline_when_full(setup, tmp_path, monkeypatch):
    count = batch.CHUNK * 5
    roomy, roomy_ways = _decided_in_workers(setup, count, log=str(tmp_path / "log"))
    monkeypatch.setattr(shared, "RING_BYTES", 1000)
    cramped, cramped_ways = _decided_in_workers(setup, count)
    assert all(isinstance(way, tuple) for way in roomy_ways)
    assert all(isinstance(way, bytes) for way in cramped_ways)
    assert [_strip(d) for d in roomy] == [_strip(d) for d in cramped]
    assert [d["source"] for d in roomy] == [f"<stdin>:{i + 1}" for i in range(count)]


def test_a_recorded_batch_is_never_parsed_by_the_parent(audit_log, monkeypatch):
    monkeypatch.setattr(cli_main, "_parsed", lambda line: (_ for _ in ()).throw(AssertionError("parsed")))
    printed = io.StringIO()
    monkeypatch.setattr(sys, "stdout", printed)
    cli_main.recommend_batch(["-"], _setup(), TODAY, "json", None, audit_log, stdin=_stdin(3))
    decisions = [json.loads(line) for line in printed.getvalue().splitlines()]
    assert [d["source"] for d in decisions] == ["<stdin>:1", "<stdin>:2", "<stdin>:3"]
    assert recorded(audit_log) == decisions
    import sqlite3

    with sqlite3.connect(audit_log) as db:  # the canonical bytes went in as they are, stored as text
        assert db.execute("SELECT DISTINCT typeof(record) FROM records").fetchall() == [("text",)]


def test_a_record_chains_the_same_from_bytes_or_a_view_of_them():
    text = chain.canonical({"decision_id": "x", "figure": "1.00"})
    assert chain.link(chain.GENESIS, memoryview(b"..." + text)[3:]) == chain.link(chain.GENESIS, text)
    import hashlib

    assert chain.link(chain.GENESIS, text) == hashlib.sha256(chain.GENESIS.encode() + text).hexdigest()


def _setup():
    from recommender.api import setup_for

    return setup_for(None, None)
