"""ftrec benchmarks (issue 16): every figure beside its target, measured in one run (`make bench`).

1. cold `ftrec recommend examples/typical.yaml --no-audit` / the import floor
   (`python -c "import durable.lang, yaml, rich.console, rich.table; from pydantic import BaseModel"`),
   medians of interleaved runs (target ≤ 1.35×);
2. a batch of 20,000 varied requests (bench_inputs.py), JSON Lines on stdin to
   `ftrec recommend - --format json`: decisions/s with --no-audit (≥ 5,000/s) and with every decision
   recorded in a fresh decision log (≥ 4,000/s); the batch's peak memory, summed over its whole
   process tree (< 300 MB); and whether it stays flat at 100,000 (1,000,000 with --full);
3. `ftrec recommend` with a generated catalog of 2,000 and of 20,000 offerings: time (< 2 s at
   20,000), peak memory (< 400 MB at 20,000) and the ratio of the two times (linear: about 10×);
4. a 1,000-point `ftrec sweep` on the built-in catalog (< 1 s);
5. `ftrec audit list`, a cold process, over a log of 100,000 records (< 0.5 s);
6. (issue 17) `ftrec serve` from launch to the first page served (< 2 s).

Times are medians of several runs where a run is short (the machine is shared: the load average is
printed before and after). Results are also written as JSON (benchmarks/results.json by default).

Usage: python benchmarks/bench.py [--quick | --full] [--out PATH] [--json] [--strict]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import bench_inputs
from bench_measure import CommandFailed, checked, median, repeated, run

ROOT = Path(__file__).resolve().parent.parent
FTREC = str(Path(sys.executable).parent / "ftrec")
TYPICAL = str(ROOT / "examples" / "typical.yaml")
FLOOR = "import durable.lang, yaml, rich.console, rich.table; from pydantic import BaseModel"
ENV = {**os.environ, "FTREC_AUDIT_LOG": os.devnull, "COLUMNS": "120"}
FLAT_GROWTH = 0.10  # "flat": the larger batch's peak at most 10% above the smaller's

SIZES = {  # what each mode measures
    "quick": dict(cold_runs=2, batch=100, flat=(100, 300), catalogs=(50, 500), runs=1, points=100, audit=500,
                  floors=100),
    "normal": dict(cold_runs=10, batch=20_000, flat=(20_000, 100_000), catalogs=(2_000, 20_000), runs=3,
                   points=1_000, audit=100_000, floors=2_000),
}
SIZES["full"] = dict(SIZES["normal"], flat=(20_000, 100_000, 1_000_000))


class Table:
    def __init__(self, as_json: bool):
        self.rows: list[dict] = []
        self.quiet = as_json

    def add(self, name: str, value: str, target: str, met: bool | None, note: str = "", **figures) -> None:
        self.rows.append(dict(name=name, value=value, target=target, met=met, note=note, figures=figures,
                              load=round(os.getloadavg()[0], 2)))  # the 1-minute load as the row was measured
        if not self.quiet:
            verdict = {True: "✓", False: "✗", None: " "}[met]
            print(f"{name:<38} {value:>13}  {target:<13} {verdict}  {note}", flush=True)

    def failed(self, name: str, target: str, error: Exception) -> None:
        self.add(name, "failed", target, False, str(error))


def mb(value: float) -> str:
    return f"{value:,.0f} MB"


# --- 1. cold start --------------------------------------------------------------------------


def cold_start(table: Table, runs: int) -> None:
    compiled()
    floor_argv = [sys.executable, "-c", FLOOR]
    ours_argv = [FTREC, "recommend", TYPICAL, "--no-audit"]
    floors, ours = [], []
    for i in range(runs + 1):  # interleaved, so a burst of load hits both alike; the first pair warms up
        floor = checked(run(floor_argv, ENV, poll=False), "import floor")
        mine = checked(run(ours_argv, ENV, poll=False), "ftrec recommend")
        if i:
            floors.append(floor)
            ours.append(mine)
    wall = median(r.seconds for r in ours) / median(r.seconds for r in floors)
    cpu = median(r.cpu for r in ours) / median(r.cpu for r in floors)
    table.add("cold recommend / import floor", f"{wall:.2f}×", "≤ 1.35×", wall <= 1.35,
              f"{median(r.seconds for r in ours) * 1000:.0f} ms / {median(r.seconds for r in floors) * 1000:.0f} ms, "
              f"median of {runs} interleaved; CPU {cpu:.2f}×", ratio=wall, cpu_ratio=cpu,
              recommend_ms=median(r.seconds for r in ours) * 1000, floor_ms=median(r.seconds for r in floors) * 1000)


def compiled() -> None:
    """ftrec's modules byte-compiled, as pip leaves an installed wheel (and the floor's packages): with
    PYTHONDONTWRITEBYTECODE set, an edited checkout would otherwise parse its changed modules on every run."""
    import compileall

    compileall.compile_dir(str(ROOT / "recommender"), quiet=1)


# --- 2. batch --------------------------------------------------------------------------------


def batch_run(work: Path, count: int, log: Path | None = None):
    """One batch of COUNT requests; the run and its rate, after checking every decision came out (and was recorded)."""
    requests = work / f"requests-{count}.jsonl"
    if not requests.exists():
        bench_inputs.write_requests(requests, count)
    out = work / "decisions.jsonl"
    audit = ["--audit-log", str(log)] if log else ["--no-audit"]
    result = checked(run([FTREC, "recommend", "-", "--format", "json", *audit], ENV, requests, out),
                     f"batch of {count:,}")
    with open(out, "rb") as lines:
        decided = sum(1 for _ in lines)
    out.unlink()
    if decided != count:
        raise CommandFailed(f"batch of {count:,}: {decided:,} decisions printed")
    if log:
        with sqlite3.connect(log) as db:
            recorded = db.execute("SELECT count(*) FROM decisions").fetchone()[0]
        if recorded != count:
            raise CommandFailed(f"batch of {count:,}: {recorded:,} decisions recorded")
    return result, count / result.seconds


def floors(table: Table, work: Path, requests: int) -> None:
    """What the parts of a batch decision no tuning of ftrec's own Python can shrink allow (floors.py)."""
    rounds = 1 if requests < 1_000 else 3
    argv = [sys.executable, str(ROOT / "benchmarks" / "floors.py"), "--requests", str(requests), "--rounds",
            str(rounds), "--json"]
    checked(run(argv, ENV, stdout_path=work / "floors.json"), "floors")
    f = json.loads((work / "floors.json").read_text())
    table.add("batch floor, --no-audit", f"≤ {f['floor_rate']:,.0f}/s (validating once ≤ {f['once_rate']:,.0f}/s)",
              "", None, f"2 validations {f['validate_us'] * 2:.0f} µs + rules engine {f['engine_us']:.0f} µs + JSON "
              f"line {f['line_us']:.0f} µs a decision (floors.py); all of a batch decision now {f['whole_us']:.0f} µs",
              **f)
    table.add("batch floor, recorded", f"≤ {f['recorded_rate']:,.0f}/s (the one writer ≤ {f['writer_rate']:,.0f}/s)",
              "", None, f"validating once, the engine, the line, the record made ready and appended: "
              f"{f['recorded_us']:.0f} µs of CPU, costing aside; appending a {f['record_bytes'] / 1024:.0f} KB record "
              f"alone: {f['append_wall_us']:.0f} µs of wall ({f['append_cpu_us']:.0f} µs CPU)")


def cpu_bound(count: int, result) -> str:
    """What the batch's CPU time allows on idle cores: the rate other load on the machine cannot lower."""
    cores = os.cpu_count() or 1
    return f"CPU {result.cpu:.1f} s: ≤ {count / result.cpu * cores:,.0f}/s on {cores} idle cores"


def batch(table: Table, work: Path, count: int) -> dict:
    peaks = {}
    name = f"batch {count:,}, --no-audit"
    try:
        plain, rate = batch_run(work, count)
        peaks[count] = plain
        table.add(name, f"{rate:,.0f}/s", "≥ 5,000/s", rate >= 5_000, f"{plain.seconds:.1f} s; {cpu_bound(count, plain)}",
                  rate=rate, seconds=plain.seconds, cpu_seconds=plain.cpu)
    except CommandFailed as error:
        table.failed(name, "≥ 5,000/s", error)
    name = f"batch {count:,}, every one recorded"
    try:
        log = work / "decisions.sqlite3"
        recorded, rate = batch_run(work, count, log)
        size = log.stat().st_size
        log.unlink()
        table.add(name, f"{rate:,.0f}/s", "≥ 4,000/s", rate >= 4_000,
                  f"{recorded.seconds:.1f} s; {cpu_bound(count, recorded)}; fresh log, {size / 2**20:,.0f} MB",
                  rate=rate, seconds=recorded.seconds, cpu_seconds=recorded.cpu)
    except CommandFailed as error:
        table.failed(name, "≥ 4,000/s", error)
        recorded = None
    runs = [r for r in (peaks.get(count), recorded) if r]
    if runs:
        worst = max(runs, key=lambda r: r.tree_rss_mb)
        table.add(f"batch {count:,}: peak RSS, process tree", mb(worst.tree_rss_mb), "< 300 MB", worst.tree_rss_mb < 300,
                  f"PSS {mb(worst.tree_pss_mb)}; largest process {mb(worst.max_rss_mb)}",
                  rss_mb=worst.tree_rss_mb, pss_mb=worst.tree_pss_mb, largest_mb=worst.max_rss_mb)
    return peaks


def flat(table: Table, work: Path, counts: tuple[int, ...], known: dict) -> None:
    base = counts[0]
    for count in counts:
        if count in known:
            continue
        try:
            known[count], _ = batch_run(work, count)
        except CommandFailed as error:
            table.failed(f"batch {count:,}: peak RSS vs {base:,}", "flat", error)
            return
    if base not in known:
        return
    for count in counts[1:]:
        first, last = known[base], known[count]
        growth = last.tree_rss_mb / first.tree_rss_mb - 1
        table.add(f"batch {count:,}: peak RSS vs {base:,}", f"{growth:+.0%}", f"flat (≤ +{FLAT_GROWTH:.0%})",
                  growth <= FLAT_GROWTH,
                  f"{mb(first.tree_rss_mb)} → {mb(last.tree_rss_mb)} (PSS {mb(first.tree_pss_mb)} → "
                  f"{mb(last.tree_pss_mb)}); {count / last.seconds:,.0f}/s",
                  growth=growth, rss_mb=last.tree_rss_mb, pss_mb=last.tree_pss_mb, rate=count / last.seconds)


# --- 3. catalog scale ------------------------------------------------------------------------


def catalog_scale(table: Table, work: Path, counts: tuple[int, int], runs: int) -> None:
    small, large = counts
    times = {}
    for count in counts:
        directory = work / f"catalog-{count}"
        started = time.perf_counter()
        bench_inputs.write_catalog(directory, count)
        made = time.perf_counter() - started
        name = f"recommend, {count:,} offerings"
        env = {**ENV, "FTREC_CACHE_DIR": str(work / "cache")}  # not the user's: a 20,000-offering entry is 2.4 MB
        try:
            argv = [FTREC, "recommend", TYPICAL, "--no-audit", "--catalog", str(directory), "--format", "json"]
            filling = checked(run(argv, env), name)  # the first run parses the YAML and fills the start-up cache
            results = repeated(argv, env, runs, name)
        except CommandFailed as error:
            table.failed(name, "< 2 s" if count == large else "", error)
            continue
        finally:
            shutil.rmtree(directory, ignore_errors=True)
        times[count] = seconds = median(r.seconds for r in results)
        peak = max(r.tree_rss_mb for r in results)
        target = count == large
        table.add(name, f"{seconds:.2f} s", "< 2 s" if target else "", seconds < 2 if target else None,
                  f"median of {len(results)} with the start-up cache filled; the first run, filling it, "
                  f"{filling.seconds:.1f} s; catalog written in {made:.0f} s", seconds=seconds,
                  first_run_seconds=filling.seconds)
        table.add(f"recommend, {count:,} offerings: peak RSS", mb(peak), "< 400 MB" if target else "",
                  peak < 400 if target else None, f"largest process {mb(max(r.max_rss_mb for r in results))}; "
                  f"the first run {mb(filling.tree_rss_mb)}", rss_mb=peak, first_run_rss_mb=filling.tree_rss_mb)
    if len(times) == 2:
        ratio = times[large] / times[small]
        linear = large / small
        table.add(f"recommend time, {large:,} / {small:,}", f"{ratio:.1f}×", f"≈ {linear:.0f}× (≤ {linear * 1.2:.0f}×)",
                  ratio <= linear * 1.2, "linear in the catalog: about 10×; less when start-up dominates", ratio=ratio)


# --- 4. sweep, 5. audit list -----------------------------------------------------------------


def sweep(table: Table, runs: int, points: int) -> None:
    name = f"sweep, {points:,} points"
    argv = [FTREC, "sweep", TYPICAL, "--vary", f"inference.monthly_tokens=100K..1B:{points}:log", "--format", "json"]
    try:
        results = repeated(argv, ENV, runs, name)
    except CommandFailed as error:
        table.failed(name, "< 1 s", error)
        return
    seconds = median(r.seconds for r in results)
    peak = max(r.tree_rss_mb for r in results)
    table.add(name, f"{seconds:.2f} s", "< 1 s", seconds < 1, f"median of {len(results)}; peak RSS {mb(peak)}",
              seconds=seconds, rss_mb=peak)


def audit_list(table: Table, work: Path, count: int, runs: int = 5) -> None:
    """A log of COUNT records filled the way audit_bench.py fills it, then `ftrec audit list` cold."""
    import audit_bench

    log = work / "audit.sqlite3"
    started = time.perf_counter()
    stream = audit_bench.Stream(audit_bench.sample_decisions(20 if count < 1_000 else 60 if count < 10_000 else 300))
    audit_bench.bulk(log, stream, count)
    made = time.perf_counter() - started
    name = f"audit list, {count:,} records"
    env = {**ENV, "FTREC_AUDIT_LOG": str(log)}
    try:
        checked(run([FTREC, "audit", "list"], env, poll=False), name)
        results = [checked(run([FTREC, "audit", "list"], env, poll=False), name) for _ in range(runs)]
    except CommandFailed as error:
        table.failed(name, "< 0.5 s", error)
        return
    finally:
        size = log.stat().st_size
        log.unlink()
    seconds = median(r.seconds for r in results)
    table.add(name, f"{seconds * 1000:.0f} ms", "< 0.5 s", seconds < 0.5,
              f"cold process, median of {runs}; log {size / 2**30:.1f} GB, filled in {made:.0f} s", seconds=seconds)


def serve_start(table: Table, work: Path, runs: int) -> None:
    """Issue 17's figure, kept here: `ftrec serve` from launch to the first page served (< 2 s)."""
    import socket
    import subprocess
    import urllib.request

    samples, log = [], work / "serve.sqlite3"
    for _ in range(runs):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        started = time.perf_counter()
        server = subprocess.Popen([FTREC, "serve", "--port", str(port)], env={**ENV, "FTREC_AUDIT_LOG": str(log)},
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            while server.poll() is None and time.perf_counter() - started < 30:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1).read()
                    samples.append(time.perf_counter() - started)
                    break
                except OSError:
                    time.sleep(0.02)
            else:
                why = f"exit {server.returncode}: {server.stderr.read().decode(errors='replace').strip()[-160:]}" \
                    if server.returncode is not None else "no page within 30 s"
                table.failed("serve, launch to first page", "< 2 s", CommandFailed(why))
                return
        finally:
            server.terminate()
            server.wait()
    seconds = median(samples)
    table.add("serve, launch to first page", f"{seconds:.2f} s", "< 2 s", seconds < 2, f"median of {runs} (issue 17)",
              seconds=seconds)


# --- the run ---------------------------------------------------------------------------------


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def measure(table: Table, mode: str) -> None:
    sizes = SIZES[mode]
    work = Path(tempfile.mkdtemp(prefix="ftrec-bench-"))
    try:
        sections = (
            lambda: cold_start(table, sizes["cold_runs"]),
            lambda: flat(table, work, sizes["flat"], batch(table, work, sizes["batch"])),
            lambda: floors(table, work, sizes["floors"]),
            lambda: catalog_scale(table, work, sizes["catalogs"], sizes["runs"]),
            lambda: sweep(table, sizes["runs"], sizes["points"]),
            lambda: audit_list(table, work, sizes["audit"]),
            lambda: serve_start(table, work, sizes["runs"]),
        )
        for section in sections:
            try:
                section()
            except CommandFailed as error:
                table.failed("(section stopped)", "", error)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="small counts: a smoke run, not a measurement")
    size.add_argument("--full", action="store_true", help="also a batch of 1,000,000 (the issue's 'flat' figure)")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results.json"), help="where the JSON goes")
    parser.add_argument("--json", action="store_true", help="print the JSON instead of the table")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    mode = "quick" if args.quick else "full" if args.full else "normal"
    table = Table(args.json)
    header = dict(python=sys.version.split()[0], cores=os.cpu_count(), mode=mode, load_before=load(),
                  started=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    if not args.json:
        print(f"ftrec benchmarks · Python {header['python']} · {header['cores']} cores · {mode} run · "
              f"load average {header['load_before']}")
        if mode == "quick":
            print("quick run: small counts, so the verdicts say nothing about the targets")
        print()
        print(f"{'figure':<38} {'measured':>13}  {'target':<13}    note")
    started = time.perf_counter()
    measure(table, mode)
    header.update(load_after=load(), seconds=round(time.perf_counter() - started, 1))
    results = dict(header, rows=table.rows)
    Path(args.out).write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    if args.json:
        print(json.dumps(results, indent=2, ensure_ascii=False))
    else:
        missed = sum(row["met"] is False for row in table.rows)
        print(f"\nload average {header['load_after']} after {header['seconds']:.0f} s · "
              f"{missed} of {sum(row['met'] is not None for row in table.rows)} targets missed · JSON in {args.out}")
    return 1 if args.strict and any(row["met"] is False for row in table.rows) else 0


if __name__ == "__main__":
    sys.exit(main())
