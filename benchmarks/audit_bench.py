"""The decision log at scale: `audit list` over 100,000 records, and appends that stay flat.

A log is filled with 100,000 realistic records (a few hundred real decisions of varied requests,
each recorded many times under new ids and dates, ~50 KB each): the first 1,000 one by one with
`append` (one transaction each, as `recommend` does), then in bulk through `append_many`, then the
last 1,000 one by one again. Printed, each beside its goal:
- the median of the first and of the last 1,000 appends (goal: the last no slower than 1.5× the
  first: O(1) appends);
- `list_records`: the first page, and pages filtered by approach, #1 offering, date range and an
  offering ranked anywhere (goal: < 0.5 s each);
- `ftrec audit list` as a command, a cold process (goal: < 0.5 s), beside the cold import floor;
- with --verify, `ftrec audit verify` over the whole log (no goal: it reads every record).

Usage: python benchmarks/audit_bench.py [--quick] [--count N]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FTREC = str(Path(sys.executable).parent / "ftrec")
GOAL_SECONDS = 0.5
TIMED_APPENDS = 1_000
BULK_CHUNK = 1_000


def report(name: str, value: str, goal: str, met: bool | None, beside: str = "") -> None:
    verdict = "" if met is None else ("  ✓ goal met" if met else "  ✗ goal missed")
    print(f"{name:<44} {value:>12}   {beside:<30} goal {goal}{verdict}", flush=True)


def sample_decisions(count: int) -> list[dict]:
    """COUNT real decisions of varied requests (decided once, in this process)."""
    from recommender.decision.decide import Setup, decide
    from recommender.domain.catalog import load_catalog
    from recommender.domain.requirements import Requirements
    from recommender.engine.rules import load_rules

    rng = random.Random(14)
    setup = Setup(load_catalog(), load_rules())
    decisions = []
    for _ in range(count):
        req = Requirements.model_validate({
            "training": {"tokens": rng.choice(["1M", "5M", "20M", "100M"]), "epochs": rng.randint(1, 5)},
            "inference": {"monthly_tokens": rng.randint(10**5, 3 * 10**9)},
            "needs": {"style_tone": rng.random() < 0.3, "citations": rng.random() < 0.2,
                      "data_residency": rng.choice(["any"] * 8 + ["eu"])},
            "task": {"knowledge_churn": rng.choice(["daily", "weekly", "monthly", "stable"]),
                     "kind": rng.choice(["narrow", "narrow", "general", "retrieval_chat", "mixed_complexity"])},
            "priority": rng.choice(["cost", "quality", "inference_cost", "balanced"]),
        })
        decisions.append(decide(req, setup, date(2026, 11, 23), source="bench.yaml"))
    return decisions


class Stream:
    """Records to append: the samples in turn, each under a new id and a later time."""

    def __init__(self, samples: list[dict]):
        self.samples, self.n = samples, 0
        self.start = datetime(2026, 1, 1, tzinfo=timezone.utc)

    def next(self) -> dict:
        self.n += 1
        when = self.start + timedelta(seconds=self.n * 90)  # 100,000 records span ~104 days
        base = self.samples[self.n % len(self.samples)]
        return dict(base, decision_id=f"{when:%Y%m%d-%H%M%S}-{self.n:010x}", created_at=f"{when:%Y-%m-%dT%H:%M:%SZ}")


def settle() -> None:
    """Flush what the machine has still to write, so appends are timed on a quiet disk."""
    os.sync()
    time.sleep(2)


def timed_appends(log: Path, stream: Stream, count: int) -> tuple[float, float]:
    """(median, total) seconds of COUNT appends, one transaction each: the median is what the
    machine's other load (fsync stalls) cannot move much."""
    from recommender.records.log import append

    samples = []
    for _ in range(count):
        record = stream.next()
        started = time.perf_counter()
        append(record, log)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples), sum(samples)


def bulk(log: Path, stream: Stream, count: int) -> None:
    from recommender.records.log import append_many

    done = 0
    while done < count:
        size = min(BULK_CHUNK, count - done)
        append_many([stream.next() for _ in range(size)], log)
        done += size


def median_time(function, runs: int = 5) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def command_time(argv: list[str], env: dict, runs: int = 5) -> tuple[float, float]:
    """(median wall time, median CPU time) of a command: CPU time is what the machine's other load
    cannot inflate."""
    import resource

    walls, cpus = [], []
    for i in range(runs + 1):  # the first run warms the page cache and the bytecode
        before, started = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=env)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if i:
            walls.append(time.perf_counter() - started)
            cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def listing(log: Path, samples: list[dict], count: int) -> None:
    from recommender.records.log import list_records

    top = samples[0]["recommendations"][0]["offering"] if samples[0]["recommendations"] else None
    pages = {
        "first page (50 newest)": {},
        "approach = rag": {"approach": "rag"},
        f"#1 offering = {top}": {"offering": top},
        "dates 2026-02-01..2026-02-07": {"since": "2026-02-01", "until": "2026-02-07"},
        "ranked anywhere: openai/gpt-4o-mini": {"ranked": "openai/gpt-4o-mini"},
        "page 100 (offset 4,950)": {"offset": 4_950},
    }
    for name, filters in pages.items():
        seconds = median_time(lambda: list_records(log, **filters))
        total = list_records(log, **filters)[1]
        report(f"list_records: {name}", f"{seconds * 1000:.1f} ms", f"< {GOAL_SECONDS * 1000:.0f} ms",
               seconds < GOAL_SECONDS, f"{total:,} of {count:,} match")
    env = {**os.environ, "FTREC_AUDIT_LOG": str(log), "COLUMNS": "120"}
    floor, floor_cpu = command_time([sys.executable, "-c", "import click, rich.console, rich.table, sqlite3, orjson"],
                                    env)
    for argv, name in (([FTREC, "audit", "list"], "`ftrec audit list` (cold process)"),
                       ([FTREC, "audit", "list", "--approach", "rag", "--since", "2026-02-01"],
                        "`ftrec audit list --approach rag --since`")):
        seconds, cpu = command_time(argv, env)
        report(name, f"{seconds * 1000:.0f} ms", f"< {GOAL_SECONDS * 1000:.0f} ms", seconds < GOAL_SECONDS,
               f"cpu {cpu * 1000:.0f} ms; imports {floor * 1000:.0f} ms, cpu {floor_cpu * 1000:.0f}")


def run(count: int, samples_count: int = 300, verify: bool = False) -> None:
    work = Path(tempfile.mkdtemp(prefix="ftrec-audit-bench-"))
    try:
        log = work / "decisions.sqlite3"
        samples = sample_decisions(samples_count)
        stream = Stream(samples)
        timed = min(TIMED_APPENDS, count // 4)
        settle()
        first = timed_appends(log, stream, timed)
        started = time.perf_counter()
        bulk(log, stream, count - 2 * timed)
        filled = time.perf_counter() - started
        settle()  # gigabytes just written: their writeback would slow every fsync that follows
        last = timed_appends(log, stream, timed)
        size = log.stat().st_size
        report(f"fill: {count - 2 * timed:,} records via append_many", f"{filled:.1f} s", "(setup)", None,
               f"{(count - 2 * timed) / filled:,.0f} records/s, {size / 2**30:.2f} GB")
        report(f"first {timed:,} appends (one transaction each)", f"{first[0] * 1000:.2f} ms", "(baseline)", None,
               f"median; {first[1]:.1f} s in all")
        ratio = last[0] / first[0]
        report(f"last {timed:,} appends, log of {count:,}", f"{last[0] * 1000:.2f} ms", "≤ 1.5× the first",
               ratio <= 1.5, f"median, {ratio:.2f}× the first; {last[1]:.1f} s in all")
        listing(log, samples, count)
        if not verify:
            return
        started = time.perf_counter()
        subprocess.run([FTREC, "audit", "verify", "--audit-log", str(log)], check=True, stdout=subprocess.DEVNULL)
        report(f"`ftrec audit verify`, {count:,} records", f"{time.perf_counter() - started:.1f} s", "(none)", None)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="4,000 records: a smoke run, not a measurement")
    parser.add_argument("--count", type=int, default=None, help="records in the log (default 100,000)")
    parser.add_argument("--verify", action="store_true", help="also time `audit verify` (minutes at 100,000)")
    args = parser.parse_args()
    count = args.count or (4_000 if args.quick else 100_000)
    print(f"ftrec decision log benchmark · Python {sys.version.split()[0]} · SQLite "
          f"{__import__('sqlite3').sqlite_version} · {count:,} records\n")
    run(count, 60 if args.quick else 300, args.verify)


if __name__ == "__main__":
    main()
