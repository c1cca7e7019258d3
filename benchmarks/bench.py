"""ftrec benchmarks: each figure beside its floor, measured in the same run (`make bench`).

1. cold start: `ftrec recommend examples/typical.yaml` vs the import floor
   `python -c "import durable.lang, yaml, rich.console, rich.table; from pydantic import BaseModel"`
   (goal: ≤ 1.5×);
2. batch throughput: requirement sets through rules and cost, JSON Lines in and out, on all cores
   (goal: ≥ 2,000 sets/s on 2 cores), beside the floor of reading and writing the same lines;
3. memory: peak RSS after 100,000 decisions in one process (goal: flat: no growth from
   durable_rules sessions), beside the RSS after the first 1,000;
4. the decision log (audit_bench.py): `audit list` over 100,000 records (goal: < 0.5 s), appends
   flat (the last 1,000 no slower than 1.5× the first 1,000);
5. a 1,000-point `ftrec sweep` (goal: < 2 s), beside one `recommend` of the same request;
6. `ftrec serve` from launch to the first page served (goal: < 2 s), beside importing its web stack.

Usage: python benchmarks/bench.py [--quick]   (--quick: smaller counts, for a smoke run)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
FTREC = str(BIN / "ftrec")
FLOOR = "import durable.lang, yaml, rich.console, rich.table; from pydantic import BaseModel"
# What any program on this stack pays beyond FLOOR: pydantic builds its schema machinery on the first
# model (FLOOR only imports BaseModel), and the CLI library.
STACK_FLOOR = FLOOR + "\nimport click\nclass First(BaseModel):\n    x: int"
TYPICAL = str(ROOT / "examples" / "typical.yaml")
ENV = {**os.environ, "FTREC_AUDIT_LOG": os.devnull}


def timed(argv: list[str], runs: int, stdin: bytes | None = None, env: dict | None = None) -> float:
    """Median wall time of a command over `runs` runs (after one warm-up run)."""
    samples = []
    for i in range(runs + 1):
        started = time.perf_counter()
        subprocess.run(argv, input=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True,
                       env=env or ENV)
        if i:
            samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def report(name: str, value: str, floor: str, goal: str, met: bool | None) -> None:
    verdict = "" if met is None else ("  ✓ goal met" if met else "  ✗ goal missed")
    print(f"{name:<34} {value:>22}   floor {floor:<28} goal {goal}{verdict}", flush=True)


def cold_start(runs: int) -> None:
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "recommender")], check=True)  # as pip would
    floor = timed([sys.executable, "-c", FLOOR], runs)
    stack = timed([sys.executable, "-c", STACK_FLOOR], runs)
    ours = timed([FTREC, "recommend", TYPICAL, "--no-audit", "--today", "2026-11-23"], runs)
    ratio = ours / floor
    report("cold `ftrec recommend`", f"{ours * 1000:.0f} ms ({ratio:.2f}×)", f"{floor * 1000:.0f} ms imports",
           "≤ 1.5× floor", ratio <= 1.5)
    report("", "", f"{stack * 1000:.0f} ms + click, 1st model", f"({ours / stack:.2f}× this floor)", None)


def requirement_sets(count: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    sets = []
    for _ in range(count):
        sets.append({
            "training": {"tokens": rng.choice(["1M", "5M", "20M", "100M"]), "epochs": rng.randint(1, 5)},
            "inference": {"monthly_tokens": rng.randint(10**5, 3 * 10**9), "input_share": str(rng.choice([0.5, 0.8, 0.95]))},
            "needs": {"style_tone": rng.random() < 0.3, "citations": rng.random() < 0.2,
                      "data_residency": rng.choice(["any"] * 8 + ["eu"]),
                      "model_family": rng.choice(["any"] * 9 + ["claude", "llama"])},
            "task": {"knowledge_churn": rng.choice(["daily", "weekly", "monthly", "stable"]),
                     "kind": rng.choice(["narrow", "narrow", "general", "retrieval_chat", "mixed_complexity"])},
            "priority": rng.choice(["cost", "quality", "inference_cost", "balanced"]),
            "baseline": rng.choice([None, "openai/gpt-4o", {"input_per_m": "2.50", "output_per_m": "10.00"}]),
        })
    return [{k: v for k, v in s.items() if v is not None} for s in sets]


def batch_throughput(count: int) -> None:
    lines = "".join(json.dumps(s) + "\n" for s in requirement_sets(count)).encode()
    floor_code = ("import sys, json\nfor line in sys.stdin:\n    sys.stdout.write(json.dumps(json.loads(line)) + '\\n')")
    floor = timed([sys.executable, "-c", floor_code], 1, stdin=lines)
    ours = timed([FTREC, "recommend", "-", "--format", "json", "--no-audit", "--today", "2026-11-23"], 1, stdin=lines)
    rate = count / ours
    report(f"batch: {count:,} sets, {os.cpu_count()} cores", f"{rate:,.0f} sets/s", f"{count / floor:,.0f} lines/s read+write",
           "≥ 2,000 sets/s", rate >= 2000)


MEMORY_PROBE = """
import json, resource, sys
from datetime import date
from recommender.decision.decide import Setup, decide
from recommender.domain.catalog import load_catalog
from recommender.engine.rules import load_rules
from recommender.domain.requirements import Requirements
sets = [Requirements.model_validate(s) for s in json.loads(sys.stdin.read())]
setup = Setup(load_catalog(), load_rules())
marks = {}
for i in range(int(sys.argv[1])):
    decide(sets[i % len(sets)], setup, date(2026, 11, 23))
    if i + 1 in (1000, 10000, 100000) or i + 1 == int(sys.argv[1]):
        marks[i + 1] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps(marks))
"""


def memory(count: int) -> None:
    sets = json.dumps(requirement_sets(500)).encode()
    done = subprocess.run([sys.executable, "-c", MEMORY_PROBE, str(count)], input=sets, capture_output=True, check=True)
    marks = {int(k): v for k, v in json.loads(done.stdout).items()}
    first, last = marks[min(marks)], marks[max(marks)]
    growth = (last - first) / 1024
    shown = ", ".join(f"{n:,}: {kb / 1024:.0f} MB" for n, kb in sorted(marks.items()))
    report(f"peak RSS after {count:,} decisions", f"{last / 1024:.0f} MB (+{growth:.1f} MB)", f"{first / 1024:.0f} MB after 1,000",
           "flat (< 5 MB growth)", growth < 5)
    print(f"{'':34}   ({shown})")


def audit_list(count: int) -> None:
    """The decision log's figures: see audit_bench.py."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import audit_bench

    audit_bench.run(count, 60 if count < 10_000 else 300)


def sweep(points: int) -> None:
    one = timed([FTREC, "recommend", TYPICAL, "--no-audit", "--format", "json"], 3)
    ours = timed([FTREC, "sweep", TYPICAL, "--vary", f"inference.monthly_tokens=100K..1B:{points}:log",
                  "--format", "json"], 1)
    report(f"{points:,}-point sweep", f"{ours:.2f} s", f"{one * 1000:.0f} ms one recommend", "< 2 s", ours < 2)


def serve_start(runs: int) -> None:
    import socket
    import urllib.request

    floor = timed([sys.executable, "-c", "import fastapi, uvicorn, jinja2"], runs)
    samples = []
    for _ in range(runs):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        started = time.perf_counter()
        server = subprocess.Popen([FTREC, "serve", "--port", str(port)], env=ENV, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        try:
            while time.perf_counter() - started < 30:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1).read()
                    break
                except OSError:
                    time.sleep(0.02)
            samples.append(time.perf_counter() - started)
        finally:
            server.terminate()
            server.wait()
    ours = statistics.median(samples)
    report("ftrec serve to the first page", f"{ours:.2f} s", f"{floor * 1000:.0f} ms import web stack", "< 2 s",
           ours < 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small counts: a smoke run, not a measurement")
    args = parser.parse_args()
    quick = args.quick
    print(f"ftrec benchmarks · Python {sys.version.split()[0]} · {os.cpu_count()} cores · "
          f"{'quick run' if quick else 'full run'}\n")
    cold_start(3 if quick else 10)
    batch_throughput(500 if quick else 20_000)
    memory(3_000 if quick else 100_000)
    audit_list(4_000 if quick else 100_000)
    sweep(1_000)
    serve_start(3 if quick else 5)


if __name__ == "__main__":
    main()
