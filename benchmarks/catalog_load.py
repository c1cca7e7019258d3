"""Loading a generated catalog in one process: CPU time and resident memory, from the start-up cache
and from the YAML files (the first run, which fills the cache).

    .venv/bin/python benchmarks/catalog_load.py [OFFERINGS ...]   (default 2,000 and 20,000)

Each figure comes from a fresh process: `imports` is CPU time until the catalog module and its
readers are imported; `load` the CPU time of `load_catalog`; `catalog RSS` the resident memory after
loading less that after imports (freed parse buffers the decision reuses included); `live` what the
catalog's objects themselves take (sys.getsizeof over everything reachable, each object once).
Goal (issue 16, the catalog's part): 20,000 offerings, cache filled, load well under 0.5 s.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

MEASURE = r"""
import gc, json, os, resource, sys, time
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
started = time.process_time()
from recommender.domain import catalog, disk_cache, rebuild
import orjson, pydantic
imported = time.process_time()
before = rss()
loaded = catalog.load_catalog(sys.argv[1])
load = time.process_time() - imported
after = rss()
seen, live, pending = set(), 0, [loaded]
while pending:
    item = pending.pop()
    if id(item) in seen or isinstance(item, type):
        continue
    seen.add(id(item))
    live += sys.getsizeof(item)
    if isinstance(item, dict):
        pending.extend(item.keys()); pending.extend(item.values())
    elif isinstance(item, (list, tuple, set, frozenset)):
        pending.extend(item)
    elif hasattr(item, "__dict__"):
        pending.append(item.__dict__)
        pending.extend(getattr(item, name) for name in ("__pydantic_fields_set__",) if hasattr(item, name))
print(json.dumps({"offerings": len(loaded.offerings), "imports_s": imported - started, "load_s": load,
                  "catalog_rss_mb": after - before, "live_mb": live / 2**20,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure(directory: Path, cache: Path) -> dict:
    env = {**os.environ, "FTREC_CACHE_DIR": str(cache)}
    env.pop("FTREC_CACHE", None)
    done = subprocess.run([sys.executable, "-c", MEASURE, str(directory)], env=env, check=True,
                          capture_output=True, text=True)
    return json.loads(done.stdout)


def main() -> int:
    import bench_inputs

    counts = [int(arg) for arg in sys.argv[1:]] or [2_000, 20_000]
    print(f"{'offerings':>9}  {'run':<14} {'imports':>8} {'load':>8} {'catalog RSS':>12} {'live':>8} {'peak RSS':>9}")
    with tempfile.TemporaryDirectory(prefix="ftrec-catalog-load-") as work:
        for count in counts:
            directory, cache = Path(work) / f"catalog-{count}", Path(work) / f"cache-{count}"
            bench_inputs.write_catalog(directory, count)
            for run in ("first (YAML)", "cache filled"):
                got = measure(directory, cache)
                print(f"{got['offerings']:>9,}  {run:<14} {got['imports_s']:>7.2f}s {got['load_s']:>7.2f}s "
                      f"{got['catalog_rss_mb']:>9.0f} MB {got['live_mb']:>5.0f} MB {got['peak_rss_mb']:>6.0f} MB")
            entry = sum(p.stat().st_size for p in cache.glob("catalog-*.json"))
            print(f"{'':>9}  cache entry {entry / 2**20:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
