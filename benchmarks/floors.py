"""What a batch decision costs, part by part, and what the parts no Python tuning can shrink allow.

Issue 16 asks for 5,000 decisions/s on 2 cores with `--no-audit` (0.4 ms of one core's time a
decision) and 4,000/s with every decision recorded. This measures, in one process on the same
varied requests `make bench` uses (bench_inputs.py), CPU µs per decision for:

- validating a request (a batch does it twice: its check pass, then again where it decides);
- the rules engine alone (durable-rules through the host: every evaluation, the cost-facts second
  pass included);
- the whole decision (rules, costs, ranking, the record), and writing it as a JSON line;
- the decision log alone: the record's canonical text, its hash link and its rows in SQLite, in
  chunks as a batch appends them (in the parent: one writer), CPU and wall.

It then prints the rates these allow on 2 cores: the floor (validation twice, the engine, the
JSON line: the parts a decision cannot skip while durable-rules decides it and the record stays as
it is), the same were a batch to validate once, a recorded decision's CPU (validating once, the
engine, the line, its record made ready and appended: costing 18 offerings aside), and today's whole. Each figure is the best of several rounds: the machine is shared.

Usage: python benchmarks/floors.py [--requests N] [--rounds R]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_inputs  # noqa: E402
from recommender.api import setup_for  # noqa: E402
from recommender.decision import decide as deciding  # noqa: E402
from recommender.decision.shapes import dumps_bytes  # noqa: E402
from recommender.domain import collector, files  # noqa: E402
from recommender.domain.requirements import requirements_from  # noqa: E402
from recommender.engine import host  # noqa: E402
from recommender.records import chain, log  # noqa: E402

CORES = 2
CHUNK = 64  # as a batch appends: one transaction a chunk


def best(rounds: int, count: int, work) -> tuple[float, float]:
    """(CPU µs, wall µs) per item of WORK's best round."""
    cpu = wall = float("inf")
    for _ in range(rounds):
        with collector.paused():
            started_cpu, started = time.process_time(), time.perf_counter()
            work()
            cpu = min(cpu, time.process_time() - started_cpu)
            wall = min(wall, time.perf_counter() - started)
    return cpu / count * 1e6, wall / count * 1e6


def engine_inputs(requests: list, setup, today: date) -> list[tuple]:
    """The (matcher fact, flat facts) of every engine run the decisions make, second passes included."""
    runs, real = [], host.run

    def recording(ruleset, fact, flat, traced=True):
        runs.append((fact, flat))
        return real(ruleset, fact, flat, traced)

    deciding.engine.run = recording
    try:
        for req in requests:
            deciding.evaluate(req, setup, today)
    finally:
        deciding.engine.run = real
    return runs


def log_append(prepared: list[tuple], rounds: int) -> tuple[float, float]:
    """(CPU µs, wall µs) per record to append PREPARED records (chain.prepared) to a fresh log, a chunk
    a transaction: what a batch's parent does, alone, for each decision its workers prepared."""
    cpu = wall = float("inf")
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as scratch:
            path = Path(scratch) / "decisions.sqlite3"
            started_cpu, started = time.process_time(), time.perf_counter()
            with log.appending(path) as append:
                for start in range(0, len(prepared), CHUNK):
                    append(prepared[start:start + CHUNK])
            cpu = min(cpu, time.process_time() - started_cpu)
            wall = min(wall, time.perf_counter() - started)
    return cpu / len(prepared) * 1e6, wall / len(prepared) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object (bench.py reads it)")
    options = parser.parse_args()
    count, rounds, today = options.requests, options.rounds, date.today()
    rng = random.Random(16)
    ids = [offering["id"] for _, offering in bench_inputs.builtin_offerings()]
    lines = [json.dumps(bench_inputs.request(rng, ids), separators=(",", ":")) for _ in range(count)]
    setup = setup_for(None, None)
    requests = [requirements_from(files.parse(line, "<stdin>", json_text=True), "<stdin>") for line in lines]
    decisions = [deciding.decide(req, setup, today) for req in requests]
    runs = engine_inputs(requests, setup, today)
    # stamped records: a log refuses the same decision id twice, and each round writes a fresh log
    records = [dict(d, decision_id=f"floor-{i:07d}") for i, d in enumerate(decisions)]

    validate, _ = best(rounds, count, lambda: [requirements_from(files.parse(line, "<stdin>", json_text=True),
                                                                 "<stdin>") for line in lines])
    engine_total, _ = best(rounds, count, lambda: [host.run(setup.rules, fact, flat) for fact, flat in runs])
    decide, _ = best(rounds, count, lambda: [deciding.decide(req, setup, today) for req in requests])
    line, _ = best(rounds, count, lambda: [dumps_bytes(d, None) for d in decisions])
    prepare, _ = best(rounds, count, lambda: [chain.prepared(r, "log") for r in records])
    append_cpu, append_wall = log_append([chain.prepared(r, "log") for r in records], max(1, rounds // 2))

    floor = 2 * validate + engine_total + line
    once = validate + engine_total + line  # were a batch to validate each request once
    recorded = once + prepare + append_cpu  # and record it: the CPU two cores share, costing aside
    whole = 2 * validate + decide + line
    size = sum(len(dumps_bytes(d, None)) for d in decisions) / count
    if options.json:
        print(json.dumps(dict(requests=count, engine_runs=len(runs) / count, record_bytes=size, validate_us=validate,
                              engine_us=engine_total, decide_us=decide, line_us=line, prepare_us=prepare,
                              append_cpu_us=append_cpu, append_wall_us=append_wall, floor_us=floor, whole_us=whole,
                              floor_rate=CORES * 1e6 / floor, once_us=once, once_rate=CORES * 1e6 / once,
                              recorded_us=recorded, recorded_rate=CORES * 1e6 / recorded, whole_rate=CORES * 1e6 / whole,
                              writer_rate=1e6 / append_wall)))
        return
    print(f"{count:,} varied requests; {len(runs) / count:.2f} engine runs a decision; "
          f"a record is {size / 1024:.1f} KB")
    print("CPU µs a decision (best of {} rounds):".format(rounds))
    for name, value in (("validate (a batch does it twice)", validate), ("rules engine alone", engine_total),
                        ("the whole decision", decide), ("its JSON line", line),
                        ("its record made ready (canonical text)", prepare),
                        ("appending it (the one writer), CPU", append_cpu), ("appending it, wall", append_wall)):
        print(f"  {name:40} {value:7.0f}")
    print(f"on {CORES} cores, the pipeline free:")
    print(f"  --no-audit floor {floor:5.0f} µs: at most {CORES * 1e6 / floor:6,.0f}/s "
          "(target 5,000/s: 400 µs a decision)")
    print(f"  validating once  {once:5.0f} µs: at most {CORES * 1e6 / once:6,.0f}/s")
    print(f"  --no-audit today {whole:5.0f} µs: at most {CORES * 1e6 / whole:6,.0f}/s")
    print(f"  recorded, validating once, costing aside: {recorded:5.0f} µs of CPU: at most "
          f"{CORES * 1e6 / recorded:6,.0f}/s (target 4,000/s: 500 µs a decision)")
    print(f"  recorded: the one writer appends at most {1e6 / append_wall:6,.0f}/s, deciding aside")


if __name__ == "__main__":
    os.environ.setdefault("FTREC_CACHE", "off")  # measure the work, not a start-up cache
    main()
