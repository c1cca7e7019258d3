"""Batch mode: several files or JSON Lines on stdin, one decision per line, input order kept."""

import json
import subprocess
import sys

from conftest import ROOT, recorded, run_cli

EXAMPLES = ROOT / "examples"


def _strip(decision: dict) -> dict:
    return {k: v for k, v in decision.items() if k not in ("decision_id", "created_at")}


def test_several_files_give_one_decision_per_line_in_order(audit_log):
    files = [str(EXAMPLES / "typical.yaml"), str(EXAMPLES / "math-tutor.yaml"), str(EXAMPLES / "support-bot-daily.yaml")]
    result = run_cli("recommend", *files, "--today", "2026-11-23")
    assert result.code == 0, result.err
    decisions = [json.loads(line) for line in result.out.splitlines()]
    assert [d["source"] for d in decisions] == files
    assert [d["approach"]["choice"] for d in decisions] == ["fine_tune", "larger_base_model", "rag"]
    assert recorded(audit_log) == decisions  # each decision recorded


def _ftrec(*args, stdin: str, timeout=120):
    return subprocess.run([sys.executable, "-m", "recommender", *args], input=stdin, capture_output=True,
                          text=True, timeout=timeout)


def test_stdin_json_lines_in_parallel_match_one_by_one(tmp_path):
    sets = [{"inference": {"monthly_tokens": 1_000_000 * (i + 1)}, "needs": {"style_tone": i % 3 == 0},
             "task": {"knowledge_churn": ["daily", "weekly", "monthly", "stable"][i % 4]}} for i in range(150)]
    stdin = "\n".join(json.dumps(s) for s in sets) + "\n"
    done = _ftrec("recommend", "-", "--no-audit", "--today", "2026-11-23", stdin=stdin)
    assert done.returncode == 0, done.stderr
    decisions = [json.loads(line) for line in done.stdout.splitlines()]
    assert [d["source"] for d in decisions] == [f"<stdin>:{i + 1}" for i in range(150)]
    assert len({d["decision_id"] for d in decisions}) == 150
    for i in (0, 1, 2, 77, 149):
        path = tmp_path / f"{i}.json"
        path.write_text(json.dumps(sets[i]))
        single = json.loads(run_cli("recommend", str(path), "--format", "json", "--no-audit", "--today", "2026-11-23").out)
        assert _strip(single) | {"source": None} == _strip(decisions[i]) | {"source": None}


def test_a_bad_line_anywhere_writes_nothing(audit_log):
    stdin = '{"needs": {"style_tone": true}}\n\n{"training": {"epochs": 0}}\n'
    done = _ftrec("recommend", "-", "--audit-log", str(audit_log), stdin=stdin)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == "<stdin>:3: training.epochs: must be between 1 and 1,000, got 0\n"
    assert not audit_log.exists()


def test_malformed_json_line():
    done = _ftrec("recommend", "-", "--no-audit", stdin='{"needs": }\n')
    assert done.returncode == 2
    assert done.stderr == "<stdin>:1: line 1, column 11: Expecting value\n"


def test_top_applies_to_each_line():
    stdin = "{}\n{}\n"
    done = _ftrec("recommend", "-", "--no-audit", "--top", "2", stdin=stdin)
    assert [len(json.loads(line)["recommendations"]) for line in done.stdout.splitlines()] == [2, 2]


def test_a_batch_records_every_decision_whole(tmp_path):
    log = tmp_path / "decisions.sqlite3"
    stdin = "\n".join(json.dumps({"inference": {"monthly_tokens": 1_000_000 + i}}) for i in range(130)) + "\n"
    done = _ftrec("recommend", "-", "--audit-log", str(log), "--today", "2026-11-23", stdin=stdin)
    assert done.returncode == 0, done.stderr
    printed = [json.loads(line) for line in done.stdout.splitlines()]
    assert recorded(log) == printed and len(printed) == 130
