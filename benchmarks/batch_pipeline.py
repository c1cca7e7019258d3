"""The batch's cost around the decisions: `ftrec recommend - --format json` with decide() replaced by
a canned decision (the first request's, copied with a fresh id and source), so what is measured is
the pipeline alone: reading and checking stdin, moving chunks and results between processes,
writing the output and, with --log, recording every decision. Prints the CPU time of the parent
and of the workers per decision (the parent's start-up included: compare runs of the same size).

Usage: python benchmarks/batch_pipeline.py [--count N] [--log] [--requests FILE]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path


def canned_decide(real):
    first: dict = {}

    def decide(req, setup, today, source="requirements"):
        from recommender.decision.decide import new_decision_id

        if not first:
            first["decision"] = real(req, setup, today, source)
        decision_id, created_at = new_decision_id()
        return dict(first["decision"], decision_id=decision_id, created_at=created_at, source=source)

    return decide


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5_000)
    parser.add_argument("--log", action="store_true", help="record every decision in a fresh decision log")
    parser.add_argument("--requests", type=Path, help="JSON Lines of requests (default: bench_inputs, seeded)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ftrec-pipeline-"))
    requests = args.requests or work / "requests.jsonl"
    if not args.requests:
        import bench_inputs

        bench_inputs.write_requests(requests, args.count)
    count = sum(1 for line in open(requests, "rb") if line.strip())
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    from recommender.decision import decide as deciding
    from recommender.interfaces.cli.main import main as ftrec

    deciding.decide = canned_decide(deciding.decide)
    audit = ["--audit-log", str(work / "decisions.sqlite3")] if args.log else ["--no-audit"]
    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    with open(requests, "rb") as stdin, open(os.devnull, "w") as out:
        sys.stdin, sys.stdout = stdin, out
        try:
            ftrec(["recommend", "-", "--format", "json", "--today", "2026-11-23", *audit])
        except SystemExit as exc:
            code = exc.code
        finally:
            sys.stdin, sys.stdout = sys.__stdin__, sys.__stdout__
    wall = time.perf_counter() - started
    parent, workers = (resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    parent_cpu = parent.ru_utime + parent.ru_stime - before.ru_utime - before.ru_stime
    workers_cpu = workers.ru_utime + workers.ru_stime
    print(f"{count:,} canned decisions{' recorded' if args.log else ''}: exit {code}, {wall:.1f} s; CPU per decision: "
          f"parent {parent_cpu / count * 1000:.3f} ms, workers {workers_cpu / count * 1000:.3f} ms; "
          f"load {os.getloadavg()[0]:.2f}")
    return 0 if code == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
