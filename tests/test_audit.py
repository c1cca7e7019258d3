"""The decision log: complete records, atomic appends under concurrency, all-or-nothing writes,
list/show/replay, verify, export and import."""

import json
import shutil
import sqlite3
import subprocess
import sys

import pytest

from recommender.records import log as audit

from conftest import ROOT, recommend_typical as _recommend, recorded, run_cli

TYPICAL = str(ROOT / "examples" / "typical.yaml")
TODAY = ("--today", "2026-11-23")


def test_every_recommend_appends_one_complete_record(audit_log):
    printed = _recommend()
    records = recorded(audit_log)
    assert records == [printed]
    record = records[0]
    assert set(audit.RECORD_KEYS) <= set(record)
    assert record["requirements_given"] == {"training": {"tokens": 5_000_000, "epochs": 3},
                                            "inference": {"monthly_tokens": 100_000_000, "input_share": "0.8"},
                                            "task": {"kind": "narrow", "knowledge_churn": "stable"},
                                            "baseline": {"input_per_m": "2.50", "output_per_m": "10.00"}}
    assert record["today"] == "2026-11-23" and record["trace"] and record["engine"]["rules_sha256"]


def test_no_audit_and_audit_log_option(tmp_path, audit_log):
    _recommend("--no-audit")
    assert not audit_log.exists()
    other = tmp_path / "elsewhere" / "log.sqlite3"
    _recommend("--audit-log", str(other))
    assert len(recorded(other)) == 1 and not audit_log.exists()


def test_concurrent_appends_give_exactly_n_chained_records(tmp_path):
    log = tmp_path / "decisions.sqlite3"
    record = json.loads(run_cli("recommend", TYPICAL, "--format", "json", "--no-audit", *TODAY).out)
    (tmp_path / "record.json").write_text(json.dumps(record))
    code = ("import json, sys; from pathlib import Path; from recommender.records import log as audit\n"
            "record = json.loads(Path(sys.argv[1]).read_text())\n"
            "for i in range(100):\n"
            "    record['decision_id'] = f'{sys.argv[2]}-{i:03d}'\n"
            "    audit.append(record, Path(sys.argv[3]))\n")
    workers = [subprocess.Popen([sys.executable, "-c", code, str(tmp_path / "record.json"), f"w{n}", str(log)])
               for n in range(4)]
    assert [w.wait(timeout=120) for w in workers] == [0, 0, 0, 0]
    records = recorded(log)
    assert len(records) == 400
    assert run_cli("audit", "verify", "--audit-log", str(log)).code == 0  # one chain, in commit order
    assert {r["decision_id"] for r in records} == {f"w{n}-{i:03d}" for n in range(4) for i in range(100)}
    assert all(r["recommendations"] == record["recommendations"] for r in records)


def test_a_record_is_all_or_nothing(audit_log, monkeypatch):
    _recommend()
    from recommender.records import store

    real_insert = store.insert

    def insert_then_fail(db, records):
        real_insert(db, records)  # every row written inside the transaction ...
        raise sqlite3.OperationalError("disk I/O error")  # ... and then the commit never comes

    with monkeypatch.context() as patched:
        patched.setattr(store, "insert", insert_then_fail)
        result = run_cli("recommend", TYPICAL, *TODAY)
    assert result.code == 3 and "nothing recorded" in result.err and "--no-audit" in result.err
    assert len(recorded(audit_log)) == 1
    assert run_cli("audit", "verify").code == 0
    _recommend()  # the next append chains on as if nothing happened
    assert len(recorded(audit_log)) == 2 and run_cli("audit", "verify").code == 0


def test_an_incomplete_record_is_refused_and_nothing_written(audit_log):
    with pytest.raises(audit.InputError, match="not a complete decision record"):
        audit.append({"hello": "world"}, audit_log)
    assert not audit_log.exists()


def test_a_duplicate_decision_id_is_refused(audit_log):
    printed = _recommend()
    with pytest.raises(audit.InputError, match="already in the log: refused"):
        audit.append(dict(printed, created_at="2000-01-01T00:00:00Z"), audit_log)
    assert recorded(audit_log) == [printed]


def test_list_since_limit_show_and_prefixes(audit_log):
    ids = [_recommend()["decision_id"] for _ in range(3)]
    listed = json.loads(run_cli("audit", "list", "--format", "json").out)
    assert [e["decision_id"] for e in listed] == ids
    # Together Llama 3.1 8B: 5M × 3 × $1.00 = $15 training + 12 × 100M × $0.10 = $120 → $135
    assert listed[0]["top"] == "together/llama-3.1-8b" and listed[0]["year_one"] == "135.00"
    assert [e["decision_id"] for e in json.loads(run_cli("audit", "list", "--limit", "2", "--format", "json").out)] == ids[1:]
    assert json.loads(run_cli("audit", "list", "--since", "2999-01-01", "--format", "json").out) == []
    shown = json.loads(run_cli("audit", "show", ids[1][:-2], "--format", "json").out)
    assert shown["decision_id"] == ids[1]
    table = run_cli("audit", "show", ids[0])
    assert table.code == 0 and "$247.50" in table.out
    ambiguous = run_cli("audit", "show", "2")
    assert ambiguous.code == 2 and "is ambiguous" in ambiguous.err
    missing = run_cli("audit", "show", "19990101")
    assert missing.code == 2 and "no decision '19990101' in the audit log" in missing.err


def test_replay_is_identical_on_an_unchanged_catalog(audit_log):
    decision = _recommend()
    result = run_cli("audit", "replay", decision["decision_id"])
    assert (result.code, result.out) == (0, "identical\n")


def test_replay_after_one_price_changed_shows_what_moved(tmp_path, audit_log):
    decision = _recommend()
    catalog = tmp_path / "catalog"
    shutil.copytree(ROOT / "catalog", catalog)
    fireworks = catalog / "fireworks.yaml"
    fireworks.write_text(fireworks.read_text().replace('usd: "0.20"', 'usd: "0.25"', 1))
    result = run_cli("audit", "replay", decision["decision_id"], "--catalog", str(catalog))
    assert result.code == 1
    out = result.out
    assert "catalog sha256:" in out
    assert "fireworks/llama-4-8b inference_flat: $0.20/1M → $0.25/1M" in out
    # 100M tokens × $0.25/1M = $25 a month; $7.50 + 12 × $25 = $307.50 (was $247.50)
    assert "fireworks/llama-4-8b: monthly $20.00 → $25.00; year-1 $247.50 → $307.50" in out
    # balanced: the frontier (Together 3.1 8B, GPT-4o mini, GPT-4o) first, then by year-1: Gemini 1.5 Flash
    # $144.38, Fireworks 8B $247.50 → $307.50, Together Llama 4 8B $279: the last two swap.
    assert "rank fireworks/llama-4-8b: #5 → #6" in out and "rank together/llama-4-8b: #6 → #5" in out
    data = json.loads(run_cli("audit", "replay", decision["decision_id"], "--catalog", str(catalog), "--format", "json").out)
    assert data["identical"] is False
    price = next(c for c in data["changes"] if c["kind"] == "price")
    assert price["old"]["rate"] == "0.20" and price["new"]["rate"] == "0.25"


def test_replay_after_a_rule_changed_names_it(tmp_path, audit_log):
    decision = _recommend()
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    warnings = rules / "warnings.yaml"
    warnings.write_text(warnings.read_text().replace("Year-1 assumes one training run", "Year-1 counts one training run"))
    out = run_cli("audit", "replay", decision["decision_id"], "--rules", str(rules)).out
    assert "rules sha256:" in out and "warning added: Year-1 counts one training run" in out


def test_show_reads_the_stored_record_not_a_summary(audit_log):
    decision = _recommend()
    with sqlite3.connect(audit_log) as db:
        db.execute("UPDATE decisions SET year_one = '999.99'")
    shown = json.loads(run_cli("audit", "show", decision["decision_id"], "--format", "json").out)
    assert shown == decision


def test_verify_export_and_import_round_trip(tmp_path, audit_log):
    ids = [_recommend()["decision_id"] for _ in range(3)]
    assert run_cli("audit", "verify").out.endswith("3 records, hash chain intact\n")
    exported = run_cli("audit", "export", "--format", "jsonl").out.splitlines()
    lines = [json.loads(line) for line in exported]
    assert [line["decision_id"] for line in lines] == ids
    assert lines[0]["previous_hash"] == "0" * 64 and lines[1]["previous_hash"] == lines[0]["hash"]
    assert lines[0]["result"] == recorded(audit_log)[0] and lines[0]["input"] == lines[0]["result"]["requirements_given"]
    shipped = tmp_path / "shipped.jsonl"
    shipped.write_text("\n".join(exported) + "\n")
    other = tmp_path / "other.sqlite3"
    done = run_cli("audit", "import", str(shipped), "--audit-log", str(other))
    assert done.code == 0 and "imported 3 records" in done.out
    assert recorded(other) == recorded(audit_log)
    again = run_cli("audit", "import", str(shipped), "--audit-log", str(other))
    assert "imported 0 records" in again.out and "3 already in the log, skipped" in again.out
    assert len(recorded(other)) == 3


def test_import_reads_the_earlier_json_lines_log(tmp_path, audit_log):
    records = [_recommend() for _ in range(2)]
    old = tmp_path / "audit.jsonl"  # the format ftrec wrote before the SQLite log: a bare record a line
    old.write_text("".join(json.dumps(r) + "\n" for r in records))
    target = tmp_path / "new.sqlite3"
    assert run_cli("audit", "import", str(old), "--audit-log", str(target)).code == 0
    assert recorded(target) == records
    assert run_cli("audit", "verify", "--audit-log", str(target)).code == 0


def test_import_bad_input_imports_nothing(tmp_path, audit_log):
    record = _recommend()
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(dict(record, decision_id="x-1")) + "\n" + '{"hello": "world"}\n')
    target = tmp_path / "new.sqlite3"
    result = run_cli("audit", "import", str(bad), "--audit-log", str(target))
    assert result.code == 2 and f"{bad}:2: not a complete decision record" in result.err
    assert not target.exists()
    clash = tmp_path / "clash.jsonl"
    clash.write_text(json.dumps(dict(record, source="elsewhere")) + "\n")
    result = run_cli("audit", "import", str(clash))
    assert result.code == 2 and "already in the log with different content" in result.err
    assert recorded(audit_log) == [record]


def test_empty_and_missing_logs(audit_log):
    result = run_cli("audit", "list")
    assert result.code == 0 and "No decisions recorded" in result.out
    assert run_cli("audit", "replay", "2026").code == 2


def test_an_empty_file_left_by_an_interrupted_first_append_is_an_empty_log(audit_log):
    audit_log.touch(mode=0o600)
    assert run_cli("audit", "list").out.startswith("No decisions recorded")
    assert run_cli("audit", "verify").code == 0
    decision = _recommend()
    assert recorded(audit_log) == [decision]


def test_processes_making_the_same_new_log_at_once_all_record(tmp_path):
    # One process reading the log's id before another's schema committed and its tables after saw
    # "not an ftrec decision log"; the format is now read in one transaction and re-read under the
    # write lock. Six processes make a fresh log at once, several times over.
    record = json.loads(run_cli("recommend", TYPICAL, "--format", "json", "--no-audit", *TODAY).out)
    (tmp_path / "record.json").write_text(json.dumps(record))
    code = ("import json, sys; from pathlib import Path; from recommender.records import log as audit\n"
            "record = json.loads(Path(sys.argv[1]).read_text()); record['decision_id'] = sys.argv[2]\n"
            "audit.append(record, Path(sys.argv[3]))\n")
    for round_ in range(3):
        log = tmp_path / f"round{round_}" / "decisions.sqlite3"
        workers = [subprocess.Popen([sys.executable, "-c", code, str(tmp_path / "record.json"), f"r{round_}-{n}",
                                     str(log)]) for n in range(6)]
        assert [w.wait(timeout=120) for w in workers] == [0] * 6
        assert len(recorded(log)) == 6


# A valid request whose break-even needs more than 64 bits: a saving of a millionth of a dollar per 1M
# tokens against a training of 10^18 tokens. orjson writes no such integer and reads one as a float.
VANISHING_SAVING = """training: {tokens: 999999999999999, epochs: 1000, validation_tokens: 999999999999999}
inference: {monthly_tokens: 1T, input_share: "0.000001"}
needs: {merge_adapters: true, style_tone: true, output_format: true}
task: {knowledge_churn: monthly, kind: multi_task, prompt_suffices: "no"}
baseline: {input_per_m: "0.000001", output_per_m: "10"}
"""

def test_an_integer_past_64_bits_is_recorded_and_read_back_exactly(tmp_path, audit_log):
    request = tmp_path / "vanishing.yaml"
    request.write_text(VANISHING_SAVING)
    done = run_cli("recommend", str(request), "--format", "json", *TODAY)
    assert done.code == 0, done.err
    printed = json.loads(done.out)
    tokens = [r["break_even"]["tokens"] for r in printed["recommendations"] if r["break_even"]]
    assert tokens and max(tokens) > 2**64
    assert recorded(audit_log) == [printed]
    shown = run_cli("audit", "show", printed["decision_id"], "--format", "json")
    assert json.loads(shown.out) == printed
    assert run_cli("audit", "verify").out.endswith("1 record, hash chain intact\n")
    assert "identical" in run_cli("audit", "replay", printed["decision_id"]).out
    shipped = tmp_path / "shipped.jsonl"
    shipped.write_text(run_cli("audit", "export", "--format", "jsonl").out)
    other = tmp_path / "other.sqlite3"
    assert run_cli("audit", "import", str(shipped), "--audit-log", str(other)).code == 0
    assert recorded(other) == [printed]
