"""Attacks on the start-up cache and the decision log (issue 14, "Code execution" and "The audit log
can be rewritten unseen"), each replayed against the fixed code."""

import io
import json
import os
import re
import sqlite3
import stat
import sys

import pytest

from recommender.records import chain, store

from conftest import ROOT, forget_loaded, recommend_typical as _recommend, recorded, run_cli

TYPICAL = str(ROOT / "examples" / "typical.yaml")
TODAY = ("--today", "2026-11-23")


def _without_id_and_time(decision: dict) -> dict:
    return {k: v for k, v in decision.items() if k not in ("decision_id", "created_at")}


# --- the start-up cache ---------------------------------------------------------------------


def test_no_module_can_load_code_from_disk():
    sources = "\n".join(p.read_text() for p in (ROOT / "recommender").rglob("*.py"))
    assert not re.search(r"^\s*(import|from)\s+(pickle|marshal|shelve|dill|cloudpickle)\b", sources, re.MULTILINE)


def test_rewriting_every_file_under_the_cache_directory_changes_no_output(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    forget_loaded()
    before = _without_id_and_time(_recommend("--no-audit"))
    poison = cache / "ftrec"
    for entry in poison.iterdir():  # the genuine entries, rewritten as well
        entry.write_bytes(b"\x80\x04cos\nsystem\n(S'touch /tmp/pwned'\ntR." + entry.name.encode())
    for name in ("catalog.pickle", "rules.pickle", "startup.pkl", "catalog.json", "index"):
        (poison / name).write_bytes(b"\x80\x04cos\nsystem\n(S'touch /tmp/pwned'\ntR." + name.encode())
    planted = {p: p.read_bytes() for p in poison.iterdir() if not p.name.startswith(("catalog-", "rules-"))}
    for _ in range(2):  # the first run rebuilds the poisoned entries, the second reads them back
        forget_loaded()
        after = _without_id_and_time(_recommend("--no-audit"))
        assert after == before  # the genuine prices, not the planted ones
    assert {p: p.read_bytes() for p in planted} == planted  # nothing read back into
    entries = [p for p in poison.iterdir() if p not in planted]
    assert entries and all(p.read_bytes().startswith(b"ftrec-cache 1\n") for p in entries)  # only JSON entries
    assert all(json.loads(p.read_bytes().split(b"\n", 3)[3]) for p in entries)
    assert not (tmp_path / "pwned").exists()


# --- the decision log -----------------------------------------------------------------------


def test_the_log_is_0600_in_a_0700_directory_it_creates(tmp_path):
    log = tmp_path / "new" / "ftrec" / "decisions.sqlite3"
    _recommend("--audit-log", str(log))
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert stat.S_IMODE(log.parent.stat().st_mode) == 0o700


def test_default_log_under_xdg_data_home(tmp_path, monkeypatch):
    monkeypatch.delenv("FTREC_AUDIT_LOG")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    _recommend()
    assert len(recorded(tmp_path / "data" / "ftrec" / "decisions.sqlite3")) == 1


def test_a_hand_edit_of_a_record_is_named_by_verify(audit_log):
    ids = [_recommend()["decision_id"] for _ in range(3)]
    with sqlite3.connect(audit_log) as db:
        db.execute("UPDATE records SET record = replace(record, '\"120.00\"', '\"99.00\"') WHERE seq = 2")
    result = run_cli("audit", "verify")
    assert result.code == 1
    assert f"record 2 ({ids[1]}) was changed" in result.out
    shown = run_cli("audit", "show", ids[1], "--format", "json")
    assert "does not match its hash" in shown.err  # show reads the record, and says it was changed


def test_a_summary_planted_for_audit_list_is_named_by_verify_and_not_shown_by_show(audit_log):
    decision = _recommend()
    with sqlite3.connect(audit_log) as db:
        db.execute("UPDATE decisions SET year_one = '999.99'")
    assert json.loads(run_cli("audit", "show", decision["decision_id"], "--format", "json").out) == decision
    result = run_cli("audit", "verify")
    assert result.code == 1 and "its year_one column disagrees with its record" in result.out


def test_a_deleted_record_is_named_by_verify(audit_log):
    ids = [_recommend()["decision_id"] for _ in range(3)]
    with sqlite3.connect(audit_log) as db:
        for table in ("decisions", "records", "ranks"):
            db.execute(f"DELETE FROM {table} WHERE seq = 2")
        db.execute("UPDATE head SET count = 2")
    result = run_cli("audit", "verify")
    assert result.code == 1 and f"a record before record 3 ({ids[2]}) was removed" in result.out


def test_the_last_record_deleted_is_named_by_verify(audit_log):
    ids = [_recommend()["decision_id"] for _ in range(2)]
    with sqlite3.connect(audit_log) as db:
        db.execute("DELETE FROM decisions WHERE decision_id = ?", (ids[1],))
    result = run_cli("audit", "verify")
    assert result.code == 1 and "the last record was removed" in result.out


def test_an_inserted_record_is_named_by_verify(audit_log):
    first, second = _recommend(), _recommend()
    forged = dict(first, decision_id="20261123-000000-forged0000", source="forged.yaml")
    text = chain.canonical(forged)
    with sqlite3.connect(audit_log) as db:
        previous = db.execute("SELECT hash FROM decisions WHERE seq = 1").fetchone()[0]
        for table in ("decisions", "records", "ranks"):  # make room at seq 2
            db.execute(f"UPDATE {table} SET seq = seq + 100 WHERE seq >= 2")
            db.execute(f"UPDATE {table} SET seq = seq - 99 WHERE seq >= 100")
        s = chain.summary(forged)
        db.execute("INSERT INTO decisions VALUES (?, 2, ?, ?, ?, ?, ?, ?, ?, ?)",
                   (s["decision_id"], s["created_at"], s["approach"], s["top"], s["year_one"], int(s["complete"]),
                    s["source"], previous, chain.link(previous, text)))
        db.execute("INSERT INTO records VALUES (2, ?)", (text.decode(),))
        db.executemany("INSERT INTO ranks VALUES (2, ?, ?)", [(offering, rank) for rank, offering in chain.ranked(forged)])
        db.execute("UPDATE head SET count = 3")
    result = run_cli("audit", "verify")
    assert result.code == 1
    assert "record 2 (20261123-000000-forged0000) was inserted" in result.out
    assert second["decision_id"] in result.out


def test_a_duplicate_decision_id_is_refused_not_silently_preferred(audit_log):
    genuine = _recommend()
    from recommender.records import log

    planted = json.loads(json.dumps(genuine))
    planted["recommendations"][0]["cost"]["year_one"] = "1.00"
    with pytest.raises(log.InputError, match="already in the log: refused"):
        log.append(planted, audit_log)
    assert json.loads(run_cli("audit", "show", genuine["decision_id"], "--format", "json").out) == genuine
    with sqlite3.connect(audit_log) as db, pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO decisions SELECT * FROM decisions")  # the schema itself refuses it


def test_a_damaged_record_is_one_line_not_a_traceback(audit_log):
    decision = _recommend()
    with sqlite3.connect(audit_log) as db:
        db.execute("UPDATE records SET record = substr(record, 40)")
    result = run_cli("audit", "show", decision["decision_id"])
    assert result.code == 2 and "is damaged" in result.err and "Traceback" not in result.err
    assert run_cli("audit", "verify").code == 1


@pytest.mark.parametrize("side", ["", "-wal", "-shm", "-journal"])
def test_symlinked_log_or_side_files_are_not_followed(tmp_path, audit_log, side):
    _recommend()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    link = audit_log.with_name(audit_log.name + side)
    if side == "":
        audit_log.unlink()
    link.symlink_to(victim)
    for argv in (("recommend", TYPICAL, *TODAY), ("audit", "list"), ("audit", "verify")):
        result = run_cli(*argv)
        assert result.code == 3, (argv, result)
        assert "symbolic link" in result.err and result.out == ""
    assert victim.read_text() == "precious\n"


def test_an_old_json_lines_log_named_as_the_log_points_to_import(tmp_path):
    old = tmp_path / "audit.jsonl"
    old.write_text(json.dumps({"decision_id": "x"}) + "\n")
    result = run_cli("recommend", TYPICAL, "--audit-log", str(old), *TODAY)
    assert result.code == 3 and "ftrec audit import" in result.err
    assert old.read_text() == json.dumps({"decision_id": "x"}) + "\n"


def test_audit_list_pages_in_sql(audit_log):
    from recommender.records import log

    base = _recommend()
    decisions = [dict(base, decision_id=f"20261123-0000{i:02d}-x", created_at=f"2026-11-{10 + i % 5:02d}T00:00:00Z")
                 for i in range(40)]
    log.append_many(decisions, audit_log)
    page, total = log.list_records(audit_log, limit=10, offset=5)
    assert total == 41 and [p["decision_id"] for p in page] == [d["decision_id"] for d in decisions[::-1][5:15]]
    page, total = log.list_records(audit_log, since="2026-11-12", until="2026-11-13", limit=100)
    assert total == 16 and all(p["created_at"][:10] in ("2026-11-12", "2026-11-13") for p in page)
    assert log.list_records(audit_log, offering="together/llama-3.1-8b", approach="fine_tune")[1] == 41
    assert log.list_records(audit_log, ranked="openai/gpt-4o-mini")[1] == 41
    assert log.list_records(audit_log, offering="openai/gpt-4o-mini")[1] == 0


# --- a full disk ----------------------------------------------------------------------------


def test_a_full_disk_midway_through_a_batch_exits_3_and_says_how_many_were_recorded(audit_log, monkeypatch):
    from recommender.interfaces.cli import main

    calls = {"n": 0}
    real_insert = store.insert

    def fill_up(db, records):
        calls["n"] += 1
        if calls["n"] == 3:
            raise sqlite3.OperationalError("database or disk is full")
        real_insert(db, records)

    lines = "".join(json.dumps({"inference": {"monthly_tokens": 1_000_000 + i}}) + "\n" for i in range(7))
    monkeypatch.setattr(main, "AUDIT_CHUNK", 2)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(lines.encode())))
    with monkeypatch.context() as patched:
        patched.setattr(store, "insert", fill_up)
        result = run_cli("recommend", "-", *TODAY)
    assert result.code == 3
    assert "database or disk is full" in result.err and "4 decisions recorded before it" in result.err
    assert "--no-audit" in result.err and result.err.count("\n") == 1
    assert len(recorded(audit_log)) == 4 and len(result.out.splitlines()) == 4
    assert run_cli("audit", "verify").code == 0


def test_an_unwritable_log_stops_before_deciding(tmp_path, audit_log):
    if os.geteuid() == 0:
        pytest.skip("root writes anywhere")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    result = run_cli("recommend", TYPICAL, "--audit-log", str(locked / "d.sqlite3"))
    assert result.code == 3 and "not writable" in result.err and result.out == ""
