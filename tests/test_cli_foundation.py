"""`ftrec cost`, `catalog`, `schema`, and how every command treats bad input."""

import json
import subprocess
import sys

import pytest

from conftest import ROOT, run_cli

TYPICAL = ROOT / "examples" / "typical.yaml"


def test_cost_prints_001s_figures(tmp_path):
    typical = tmp_path / "typical.yaml"
    typical.write_text("training: {tokens: 5M, epochs: 3}\ninference: {monthly_tokens: 100M, input_share: 0.8}\n")
    fireworks = run_cli("cost", str(typical), "--offering", "fireworks/llama-4-8b", "--today", "2026-11-23")
    assert fireworks.code == 0, fireworks.err
    assert "$247.50" in fireworks.out
    mini = run_cli("cost", str(typical), "--offering", "openai/gpt-4o-mini", "--format", "json")
    data = json.loads(mini.out)
    assert data["cost"]["year_one"] == "621.00"
    assert data["cost"]["training"] == "45.00" and data["cost"]["monthly"] == "48.00"
    lines = {line["item"]: line for line in data["cost"]["breakdown"]}
    assert lines["inference input"] == {
        "part": "monthly", "item": "inference input", "quantity": 80_000_000, "unit": "tokens",
        "rate": "0.30", "rate_unit": "per 1M tokens", "amount": "24.00", "price": "inference_input",
        "source": lines["inference input"]["source"], "as_of": "2026-10-14",
    }
    # 001's figure, confirmed by genai-prices (its ft:gpt-4o-mini comment: "verified on 2026-10-14")
    assert lines["inference input"]["source"].startswith("00")
    assert "confirmed by genai-prices" in lines["inference input"]["source"]


def test_cost_markdown(tmp_path):
    result = run_cli("cost", str(TYPICAL), "--offering", "openai/gpt-4o-mini", "--format", "markdown")
    assert result.code == 0
    assert "| part | item |" in result.out and "$621.00" in result.out


def test_cost_of_an_incomplete_offering_names_the_missing_prices():
    result = run_cli("cost", str(TYPICAL), "--offering", "aws-bedrock/claude-custom", "--format", "json")
    data = json.loads(result.out)
    assert data["cost"]["complete"] is False
    assert data["cost"]["missing"] == ["training.lora.sft", "throughput_hour"]
    assert data["cost"]["year_one"] == "180.00"


def test_cost_of_an_unknown_offering_is_bad_input():
    result = run_cli("cost", str(TYPICAL), "--offering", "fireworks/llama-4-8")
    assert result.code == 2
    assert result.err.strip() == "--offering: unknown offering 'fireworks/llama-4-8' (did you mean 'fireworks/llama-4-8b'?)"


def test_catalog_check_names_the_disagreements():
    result = run_cli("catalog", "check", "--today", "2026-11-23", "--format", "json")
    assert result.code == 1
    findings = json.loads(result.out)["findings"]
    published = [f for f in findings if f["kind"] == "published"]
    assert any(f["offering"] == "openai/gpt-4o-mini" and "$693" in f["message"] and "$621.00" in f["message"]
               for f in published)
    assert any(f["offering"] == "openai/gpt-4o" and "$510" in f["message"] and "$600.00" in f["message"]
               for f in published)
    implausible = {(f["offering"], f["price"]) for f in findings if f["kind"] == "implausible"}
    assert {("mistral/mistral-large-3", "training.lora.sft"), ("mistral/mistral-small-4", "training.lora.sft"),
            ("cohere/command-r-plus", "training.lora.sft")} <= implausible
    assert ("google/gemini-1.5-flash", "training.lora.sft") not in implausible
    # 002's per-1K GPT-3.5 Turbo figures were replaced by genai-prices' $3/$6/$0.50: they stay on record,
    # in the prices' history, and check reports them as historical conflicts.
    assert not any(offering == "openai/gpt-3.5-turbo" for offering, _ in implausible)
    conflicts = {(f["offering"], f["price"]): f["message"] for f in findings if f["kind"] == "conflict"}
    assert set(conflicts) == {("mistral/mistral-small-4", "inference_input"), ("openai/gpt-3.5-turbo", "inference_input"),
                              ("openai/gpt-3.5-turbo", "inference_output"), ("openai/gpt-3.5-turbo", "base_input"),
                              # 002's "Free" against Together's billing by size tier (000)
                              ("together/llama-3.1-8b", "training.lora.sft"), ("together/llama-3.1-70b", "training.lora.sft")}
    assert "$3.00" in conflicts[("openai/gpt-3.5-turbo", "inference_input")]
    assert "$0.003 held 2026-01-01 until 2026-10-14 (002_" in conflicts[("openai/gpt-3.5-turbo", "inference_input")]


def test_catalog_check_table_exits_1():
    result = run_cli("catalog", "check", "--today", "2026-11-23")
    assert result.code == 1
    assert "GPT-4o" not in result.err
    assert "$693" in result.out and "$510" in result.out


def test_every_price_is_stale_a_year_later_and_none_on_the_day():
    # the seeds' prices are dated 2026-01-01, genai-prices' at the latest 2026-11-03
    stale = json.loads(run_cli("catalog", "check", "--today", "2027-11-04", "--format", "json").out)["findings"]
    fresh = json.loads(run_cli("catalog", "check", "--today", "2026-01-02", "--format", "json").out)["findings"]
    assert sum(f["kind"] == "stale" for f in stale) > 50
    assert not any(f["kind"] == "stale" for f in fresh)


def test_catalog_list_and_show():
    listing = run_cli("catalog", "list", "--format", "json")
    ids = [o["id"] for o in json.loads(listing.out)]
    assert len(ids) == 18 and ids == sorted(ids)
    shown = run_cli("catalog", "show", "openai/gpt-4o-mini")
    assert shown.code == 0 and "0.30" in shown.out and "Published figures" in shown.out
    assert run_cli("catalog", "show", "nope/nope").code == 2


@pytest.mark.parametrize("kind", ["requirements", "catalog", "decision"])
def test_schema(kind):
    result = run_cli("schema", kind)
    schema = json.loads(result.out)
    assert result.code == 0
    assert "properties" in schema or "anyOf" in schema
    assert schema["title"].startswith("ftrec")


def test_requirements_schema_lists_every_field():
    schema = json.loads(run_cli("schema", "requirements").out)
    assert set(schema["properties"]) == {"training", "inference", "needs", "task", "priority", "baseline", "operations"}


# --- bad input: one line naming file and field, exit 2, no traceback, nothing written ------


BAD_FILES = {
    "wrong_type.yaml": ("training:\n  epochs: three\n", 'training.epochs: must be a whole number, got "three"'),
    "negative.yaml": ("training:\n  tokens: -5\n", "training.tokens: must not be negative"),
    "unknown.yaml": ("needs:\n  citation: true\n", "needs.citation: unknown field (did you mean 'citations'?)"),
    "malformed.yaml": ("training: [1, 2\n", "invalid YAML"),
    "bomb.yaml": ('a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n'
                  'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n'
                  'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n', "alias"),
    "list.yaml": ("- 1\n- 2\n", "expected a mapping"),
    "bad.json": ('{"training": {"epochs": }', "line 1, column 25: Expecting value"),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_bad_requirements_files(tmp_path, audit_log, name):
    text, fragment = BAD_FILES[name]
    path = tmp_path / name
    path.write_text(text)
    for command in (["recommend", str(path)], ["cost", str(path), "--offering", "fireworks/llama-4-8b"]):
        result = run_cli(*command)
        assert result.code == 2, result
        assert result.out == ""
        lines = result.err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"{path}: ") and fragment in lines[0], lines
        assert "Traceback" not in result.err
    assert not audit_log.exists()


def test_non_utf8_file(tmp_path, audit_log):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("training:\n  tokens: 5M # caf\xe9\n".encode("latin-1"))
    result = run_cli("recommend", str(path))
    assert result.code == 2 and result.err.strip() == f"{path}: not UTF-8 text (byte 0xe9 at offset 28)"
    assert not audit_log.exists()


def test_missing_file(tmp_path, audit_log):
    result = run_cli("recommend", str(tmp_path / "nope.yaml"))
    assert result.code == 2 and result.err.strip() == f"{tmp_path / 'nope.yaml'}: file not found"
    assert not audit_log.exists()


def test_directory_given_as_file(tmp_path):
    result = run_cli("recommend", str(tmp_path))
    assert result.code == 2 and "is a directory" in result.err


def test_usage_errors_are_one_line():
    result = run_cli("recommend")
    assert result.code == 2 and len(result.err.strip().splitlines()) == 1 and "--help" in result.err
    bad_option = run_cli("recommend", str(TYPICAL), "--colour")
    assert bad_option.code == 2 and "--colour" in bad_option.err


def test_bad_today():
    result = run_cli("catalog", "check", "--today", "yesterday")
    assert result.code == 2 and result.err.strip() == "--today: must be a date such as 2026-11-23, got 'yesterday'"


def test_help_everywhere():
    for command in (["--help"], ["recommend", "--help"], ["cost", "--help"], ["catalog", "--help"],
                    ["catalog", "check", "--help"], ["rules", "--help"], ["schema", "--help"]):
        result = run_cli(*command)
        assert result.code == 0 and "Usage:" in result.out, command


def test_console_script_and_module_run_from_another_directory(tmp_path):
    for command in ([sys.executable, "-m", "recommender", "--version"],
                    [str(ROOT / ".venv" / "bin" / "ftrec"), "--version"] if (ROOT / ".venv" / "bin" / "ftrec").exists() else None):
        if command is None:
            continue
        done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0 and "ftrec" in done.stdout


def test_bad_input_in_a_subprocess_has_no_traceback(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("training:\n  epochs: three\n")
    done = subprocess.run([sys.executable, "-m", "recommender", "recommend", str(path), "--no-audit"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr == f'{path}: training.epochs: must be a whole number, got "three"\n'
    assert done.stdout == ""


def test_a_decision_printed_as_json_to_a_real_stdout_is_the_same_json(tmp_path):
    # On a real stdout the JSON goes out as the bytes orjson made, not through click.echo (which would
    # copy a large catalog's tens of megabytes to add the newline): the same text, one newline after it.
    argv = ["recommend", str(TYPICAL), "--no-audit", "--format", "json", "--today", "2026-11-23"]
    done = subprocess.run([sys.executable, "-m", "recommender", *argv], capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    here = run_cli(*argv)
    assert done.stdout.endswith(b"}\n") and not done.stdout.endswith(b"\n\n")
    masked = [{**json.loads(text), "decision_id": None, "created_at": None} for text in (done.stdout, here.out)]
    assert masked[0] == masked[1]


def test_the_program_ends_at_once_with_its_output_flushed_and_its_exit_code(tmp_path):
    """`ftrec` (entry.run) leaves without tearing the interpreter down: the output is complete and the
    exit code kept, the same as `main` gives in this process."""
    env = {"FTREC_AUDIT_LOG": str(tmp_path / "log.sqlite3"), "COLUMNS": "100", "PATH": "/usr/bin:/bin"}
    for args, code in (([str(TYPICAL), "--no-audit"], 0), ([str(TYPICAL), "--format", "json", "--no-audit"], 0),
                       ([str(tmp_path / "missing.yaml")], 2)):
        done = subprocess.run([sys.executable, "-m", "recommender", "recommend", *args, "--today", "2026-12-01"],
                              cwd=tmp_path, capture_output=True, text=True, timeout=60, env=env)
        here = run_cli("recommend", *args, "--today", "2026-12-01", env=env)
        assert done.returncode == here.code == code
        if "json" not in args:
            assert done.stdout == here.out and done.stderr == here.err
    recorded = subprocess.run([sys.executable, "-m", "recommender", "recommend", str(TYPICAL)],
                              cwd=tmp_path, capture_output=True, text=True, timeout=60, env=env)
    assert recorded.returncode == 0 and "Recorded decision" in recorded.stderr  # the log open: the usual exit
    assert run_cli("audit", "list", env=env).out.count("\n") >= 1


SWEEP_ON_WORKERS = ["sweep", str(TYPICAL), "--vary", "inference.monthly_tokens=100K..1B:300:log", "--format", "json",
                    "--today", "2026-12-01"]  # 300 points: forked workers (batch.PARALLEL_FROM)
_AFTER_A_SWEEP = """
import atexit, os, sys, multiprocessing
from recommender.interfaces.cli import entry
from recommender.interfaces.cli.main import main
sys.argv = ["ftrec", *{argv!r}]
sys.stdout = open(os.devnull, "w")
{before}
try:
    main()
except SystemExit:
    pass
print(entry._cleanups_pending(), "multiprocessing" in sys.modules, file=sys.stderr)
"""


@pytest.mark.parametrize("before, pending", [
    ("", False),  # the workers joined, multiprocessing's exit handler the only one: it is run, then out at once
    ("atexit.register(print, 'bye', file=sys.stderr)", True),  # another exit handler: the usual exit runs it
    ("child = multiprocessing.get_context('fork').Process(target=__import__('time').sleep, args=(5,)); child.start()",
     True),  # a worker still alive
])
def test_a_command_that_ran_workers_ends_at_once_only_when_nothing_is_left_to_do(before, pending):
    code = _AFTER_A_SWEEP.format(argv=SWEEP_ON_WORKERS, before=before)
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[0] == f"{pending} True"


def test_a_sweep_on_workers_ends_with_its_output_whole(tmp_path):
    """The sweep's JSON through `ftrec` (entry.run, out at once) is what `main` prints in this process."""
    done = subprocess.run([sys.executable, "-m", "recommender", *SWEEP_ON_WORKERS], cwd=tmp_path, capture_output=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == json.loads(run_cli(*SWEEP_ON_WORKERS).out)


@pytest.mark.parametrize("args, quick", [
    (["recommend", "a.yaml"], ("a.yaml", False)), (["recommend", "a.yaml", "--no-audit"], ("a.yaml", True)),
    (["recommend", "--no-audit", "a.yaml"], ("a.yaml", True)), (["recommend", "a.yaml", "b.yaml"], None),
    (["recommend", "-"], None), (["recommend", "a.yaml", "--top", "3"], None), (["recommend", "--help"], None),
    (["recommend", "a.yaml", "--no-audit", "--no-audit"], None), (["recommend"], None), (["cost", "a.yaml"], None),
    (["--version"], None), ([], None),
])
def test_only_the_plainest_recommend_skips_click(args, quick):
    from recommender.interfaces.cli.entry import plain_recommend

    assert plain_recommend(args) == quick


def test_the_plainest_recommend_prints_what_click_would_without_loading_click(tmp_path):
    env = {"FTREC_AUDIT_LOG": str(tmp_path / "log.sqlite3"), "COLUMNS": "90", "PATH": "/usr/bin:/bin"}
    for args in ([str(TYPICAL), "--no-audit"], [str(tmp_path / "missing.yaml")], [str(ROOT / "examples" / "bad" / "typo.yaml")]):
        done = subprocess.run([sys.executable, "-X", "importtime", "-m", "recommender", "recommend", *args],
                              cwd=tmp_path, capture_output=True, text=True, timeout=60, env=env)
        here = run_cli("recommend", *args, env=env)
        imported = [line for line in done.stderr.splitlines() if line.startswith("import time:")]
        if here.code == 0:  # an error message is written with click.echo, as click's path writes it
            assert not any(line.split("|")[-1].strip().startswith("click") for line in imported)
        assert done.returncode == here.code and done.stdout == here.out
        assert [line for line in done.stderr.splitlines() if not line.startswith("import time:")] == here.err.splitlines()
