"""The decision log: complete records, atomic appends under concurrency, torn lines, list/show/replay."""

import json
import shutil
import subprocess
import sys


from recommender.records import log as audit

from conftest import ROOT, run_cli

TYPICAL = str(ROOT / "examples" / "typical.yaml")
TODAY = ("--today", "2026-11-23")


def _recommend(*extra):
    result = run_cli("recommend", TYPICAL, "--format", "json", *TODAY, *extra)
    assert result.code == 0, result.err
    return json.loads(result.out)


def _lines(log):
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


def test_every_recommend_appends_one_complete_record(audit_log):
    printed = _recommend()
    records = _lines(audit_log)
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
    other = tmp_path / "elsewhere" / "log.jsonl"
    _recommend("--audit-log", str(other))
    assert len(_lines(other)) == 1 and not audit_log.exists()


def test_concurrent_appends_never_interleave(tmp_path):
    log = tmp_path / "audit.jsonl"
    record = json.loads(run_cli("recommend", TYPICAL, "--format", "json", "--no-audit", *TODAY).out)
    (tmp_path / "record.json").write_text(json.dumps(record))
    code = ("import json, sys; from pathlib import Path; from recommender.records import log as audit\n"
            "record = json.loads(Path(sys.argv[1]).read_text())\n"
            "for i in range(200):\n"
            "    record['decision_id'] = f'{sys.argv[2]}-{i:03d}'\n"
            "    audit.append(record, Path(sys.argv[3]))\n")
    workers = [subprocess.Popen([sys.executable, "-c", code, str(tmp_path / "record.json"), f"w{n}", str(log)])
               for n in range(4)]
    assert [w.wait(timeout=120) for w in workers] == [0, 0, 0, 0]
    records = _lines(log)  # every line parses: nothing interleaved
    assert len(records) == 800
    assert {r["decision_id"] for r in records} == {f"w{n}-{i:03d}" for n in range(4) for i in range(200)}
    assert all(r["recommendations"] == record["recommendations"] for r in records)


def test_a_torn_last_line_is_skipped_and_reported(audit_log):
    _recommend()
    _recommend()
    with open(audit_log, "ab") as fh:
        fh.write(b'{"decision_id": "20261123-000000-dead", "created_at": "2026-11-23T00:00:00Z", "engi')
    result = run_cli("audit", "list", "--format", "json")
    assert result.code == 0
    assert len(json.loads(result.out)) == 2
    assert "torn last line" in result.err and f"{audit_log}: line 3" in result.err
    _recommend()  # the next append starts on a line of its own
    assert len(json.loads(run_cli("audit", "list", "--format", "json").out)) == 3


def test_a_line_that_is_not_a_record_is_skipped_and_reported(audit_log):
    _recommend()
    with open(audit_log, "a") as fh:
        fh.write('{"hello": "world"}\n')
    _recommend()
    result = run_cli("audit", "list", "--format", "json")
    assert len(json.loads(result.out)) == 2
    assert "line 2: not a complete decision record" in result.err


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


def test_the_index_is_only_a_cache(audit_log):
    ids = [_recommend()["decision_id"] for _ in range(2)]
    run_cli("audit", "list")
    index = audit_log.with_name(audit_log.name + ".index")
    assert index.exists()
    index.write_text("garbage\n")
    assert [e["decision_id"] for e in json.loads(run_cli("audit", "list", "--format", "json").out)] == ids
    audit_log.write_text(audit_log.read_text().splitlines(keepends=True)[1])  # the log replaced under the index
    assert [e["decision_id"] for e in json.loads(run_cli("audit", "list", "--format", "json").out)] == ids[1:]


def test_empty_and_missing_logs(audit_log):
    result = run_cli("audit", "list")
    assert result.code == 0 and "No decisions recorded" in result.out
    assert run_cli("audit", "replay", "2026").code == 2
