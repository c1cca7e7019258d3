"""Hostile catalog and rule files (issue 14): bounded rules, strict ids, no double-counted hidden
costs, and data printed literally, never as rich markup."""

import shutil
import subprocess
import sys
import textwrap

import pytest

from conftest import ROOT, run_cli

TYPICAL = str(ROOT / "examples" / "typical.yaml")
TODAY = ("--today", "2026-11-23")


def _rules_with(tmp_path, body: str):
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    (rules / "zz.yaml").write_text(body)
    return str(rules)


def _catalog(tmp_path, edit):
    catalog = tmp_path / "catalog"
    shutil.copytree(ROOT / "catalog", catalog)
    fireworks = catalog / "fireworks.yaml"
    fireworks.write_text(edit(fireworks.read_text()))
    return str(catalog)


def _rule(rule_id: str, when: str, then: str = "warn: w") -> str:
    return textwrap.dedent(f"""\
          - id: {rule_id}
            description: d
            source: {{document: d.txt, says: s}}
            when: {when}
            then: {{{then}}}
        """)


def _refused(result, *fragments):
    assert result.code == 2, result
    assert result.err.count("\n") == 1 and "Traceback" not in result.err, result.err
    for fragment in fragments:
        assert fragment in result.err, result.err


# --- rules ---------------------------------------------------------------------------------


def test_a_rule_comparing_text_with_gt_is_refused_at_load(tmp_path):
    rules = _rules_with(tmp_path, "rules:\n" + _rule("zz.a", "{needs.model_family: {gt: 3}}"))
    _refused(run_cli("rules", "check", "--rules", rules), "needs.model_family is not a number")


def test_a_rule_on_an_unknown_fact_is_refused_at_load(tmp_path):
    rules = _rules_with(tmp_path, "rules:\n" + _rule("zz.a", "{needs.teleport: true}"))
    _refused(run_cli("recommend", TYPICAL, "--rules", rules, "--no-audit"), "when.needs.teleport: unknown fact")


def test_more_than_300_rules_are_refused_at_load(tmp_path):
    body = "rules:\n" + "".join(_rule(f"zz.r{i}", f"{{inference.monthly_tokens: {{gt: {i}}}}}") for i in range(260))
    rules = _rules_with(tmp_path, body)  # 56 built in + 260
    _refused(run_cli("rules", "check", "--rules", rules), "more than 300 rules")


def test_a_rule_set_durable_rules_cannot_compile_is_stopped_by_the_time_limit(tmp_path, monkeypatch):
    from recommender.engine import host

    monkeypatch.setattr(host, "COMPILE_SECONDS", 1)
    values = lambda i: ", ".join(str(i * 1000 + j) for j in range(5))  # noqa: E731
    body = "rules:\n" + "".join(_rule(f"zz.r{i}", f"{{inference.monthly_tokens: {{in: [{values(i)}]}}}}")
                                for i in range(100))  # spins for ever in durable_rules' create_ruleset
    _refused(run_cli("rules", "check", "--rules", _rules_with(tmp_path, body)), "did not finish compiling")


def test_a_rule_id_with_a_trailing_newline_is_refused(tmp_path):
    rules = _rules_with(tmp_path, "rules:\n" + _rule('"zz.a\\n"', "{}"))
    _refused(run_cli("rules", "check", "--rules", rules), "id must be lower-case text")


# --- catalog -------------------------------------------------------------------------------


def test_an_offering_id_with_a_trailing_newline_is_refused(tmp_path):
    catalog = _catalog(tmp_path, lambda t: t.replace("id: fireworks/llama-4-8b", 'id: "fireworks/llama-4-8b\\n"', 1))
    _refused(run_cli("catalog", "list", "--catalog", catalog), "must look like provider/model")


def test_duplicate_hidden_cost_ids_are_refused_not_counted_twice(tmp_path):
    catalog = tmp_path / "catalog"
    shutil.copytree(ROOT / "catalog", catalog)
    hidden = next(p for p in catalog.iterdir() if "hidden_costs:" in p.read_text() and "provider:" not in p.read_text())
    shutil.copy(hidden, catalog / "zz-again.yaml")
    _refused(run_cli("recommend", TYPICAL, "--catalog", str(catalog), "--no-audit"), "duplicate hidden cost id")


def test_a_published_figure_with_precision_0_is_refused_not_a_traceback(tmp_path):
    catalog = tmp_path / "catalog"
    shutil.copytree(ROOT / "catalog", catalog)
    target = next(p for p in sorted(catalog.iterdir()) if "precision:" in p.read_text())
    text = target.read_text()
    start = text.index("precision:")
    end = text.index("\n", start)
    target.write_text(text[:start] + 'precision: "0"' + text[end:])
    _refused(run_cli("catalog", "check", "--catalog", str(catalog), *TODAY), "precision: must be greater than 0")


# --- rich markup in data -----------------------------------------------------------------------

MARKUP = "[/bold]x [red]Llama[/red]"


@pytest.mark.parametrize("argv", [
    ("catalog", "list"), ("catalog", "show", "fireworks/llama-4-8b"),
    ("cost", TYPICAL, "--offering", "fireworks/llama-4-8b"),
    ("recommend", TYPICAL, "--format", "markdown", "--no-audit"),
])
def test_model_names_with_markup_are_printed_literally(tmp_path, argv):
    catalog = _catalog(tmp_path, lambda t: t.replace("model: Llama 4 8B", f'model: "{MARKUP}"', 1))
    done = subprocess.run([sys.executable, "-m", "recommender", *argv, "--catalog", catalog],
                          capture_output=True, text=True, timeout=60, env={"COLUMNS": "300", "PATH": ""})
    assert done.returncode == 0, done.stderr
    assert MARKUP in done.stdout


def test_rule_messages_and_file_names_with_markup_are_printed_literally(tmp_path):
    rules = _rules_with(tmp_path, "rules:\n" + _rule("zz.a", "{}", 'warn: "[/red]careful [bold]here"'))
    request = tmp_path / "[bold]req.yaml"
    shutil.copy(TYPICAL, request)
    log = tmp_path / "[red]log.sqlite3"
    done = subprocess.run([sys.executable, "-m", "recommender", "recommend", str(request), "--rules", rules,
                           "--audit-log", str(log), *TODAY], capture_output=True, text=True, timeout=60,
                          env={"COLUMNS": "400", "PATH": ""})
    assert done.returncode == 0, done.stderr
    shown = done.stdout + done.stderr  # warnings and the record hint go to stderr in table mode
    assert "[/red]careful [bold]here" in shown and "[red]log.sqlite3" in shown
    listed = subprocess.run([sys.executable, "-m", "recommender", "audit", "list", "--audit-log", str(log)],
                            capture_output=True, text=True, timeout=60, env={"COLUMNS": "400", "PATH": ""})
    assert listed.returncode == 0 and "[bold]req.yaml" in listed.stdout and "[red]log.sqlite3" in listed.stdout
