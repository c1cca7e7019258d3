"""`make bench` still runs: `benchmarks/bench.py --quick` (small counts) exits 0 and reports every figure.

A smoke run only: the figures themselves are measured by `make bench`, never asserted here.
"""

import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow

# Each figure of issue 16 (and issue 17's serve start), in the order printed.
FIGURES = (
    "cold recommend / import floor",
    "--no-audit",
    "every one recorded",
    ": peak RSS, process tree",
    ": peak RSS vs ",
    "batch floor, --no-audit",
    "batch floor, recorded",
    "offerings: peak RSS",
    "recommend time, ",
    "sweep, ",
    "audit list, ",
    "serve, launch to first page",
)


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "results.json"
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench.py"), "--quick", "--out", str(out)],
                          capture_output=True, text=True, timeout=240, cwd=ROOT)
    return done, json.loads(out.read_text()) if out.exists() else None


def test_quick_run_exits_zero_and_prints_every_figure(quick_run):
    done, _ = quick_run
    assert done.returncode == 0, done.stderr[-2000:]
    rows = [line for line in done.stdout.splitlines() if any(figure in line for figure in FIGURES)]
    for figure in FIGURES:
        assert any(figure in row for row in rows), f"no row for {figure!r}:\n{done.stdout}"
    assert "load average" in done.stdout
    assert not [row for row in rows if " failed " in row], done.stdout


def test_quick_run_writes_each_row_as_json_with_its_target_and_verdict(quick_run):
    done, results = quick_run
    assert results is not None, done.stdout
    assert results["mode"] == "quick" and results["load_before"] and results["load_after"]
    names = [row["name"] for row in results["rows"]]
    for figure in FIGURES:
        assert any(figure in name for name in names), names
    judged = [row for row in results["rows"] if row["target"]]
    assert judged and all(row["met"] in (True, False) for row in judged)
    assert all(row["value"] != "failed" for row in results["rows"]), results["rows"]


# The side benchmarks that explain the figures above: each still runs on a tiny input.
SIDE_BENCHMARKS = (
    ("engine_bench.py", "--requests", "20", "--rounds", "2"),
    ("floors.py", "--requests", "30", "--rounds", "1"),
    ("batch_pipeline.py", "--count", "200"),
    ("batch_pipeline.py", "--count", "200", "--log"),
    ("catalog_load.py", "100"),
    ("audit_bench.py", "--count", "500"),
)


@pytest.mark.parametrize("script", SIDE_BENCHMARKS, ids=lambda s: " ".join((s[0], *s[3:])))
def test_side_benchmark_runs(script, tmp_path):
    env = {**os.environ, "FTREC_CACHE_DIR": str(tmp_path / "cache"), "XDG_DATA_HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script[0]), *script[1:]],
                          capture_output=True, text=True, timeout=240, cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stdout[-1000:] + done.stderr[-2000:]
    assert done.stdout.strip()
