"""Running a command and measuring it: wall time, CPU time and the peak memory of its whole process tree.

The tree's memory is polled from /proc (the command and every descendant, e.g. batch workers) every
POLL seconds: the sum of their RSS (shared pages counted once per process: an upper bound) and of
their PSS (shared pages split between the processes that share them: what the tree really holds).
wait4 gives the largest single process's peak RSS exactly, which polling may undershoot.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

POLL = 0.02


@dataclass
class Run:
    seconds: float  # wall
    cpu: float  # user + system of the tree
    tree_rss_mb: float  # peak of the sum over the tree (polled)
    tree_pss_mb: float
    max_rss_mb: float  # the largest single process's peak (exact, from wait4)
    returncode: int
    stderr: str


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            text = Path(f"/proc/{pid}/task/{task}/children").read_text()
            found.extend(int(child) for child in text.split())
    except OSError:
        pass
    return found


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        todo.extend(_children(current))
    return pids


def _memory_kb(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in kB; (0, 0) when it has gone."""
    rss = pss = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss = int(line.split()[1])
            elif line.startswith("Pss:"):
                pss = int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return rss, pss


class TreePoller(threading.Thread):
    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak_rss, self.peak_pss = pid, 0, 0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            totals = [_memory_kb(pid) for pid in _tree(self.pid)]
            self.peak_rss = max(self.peak_rss, sum(rss for rss, _ in totals))
            self.peak_pss = max(self.peak_pss, sum(pss for _, pss in totals))
            self.stopped.wait(POLL)


def run(argv: list[str], env: dict, stdin_path: Path | None = None, stdout_path: Path | None = None,
        poll: bool = True) -> Run:
    """Run ARGV once; its stdout goes to STDOUT_PATH (or nowhere), its stdin comes from STDIN_PATH."""
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    stdout = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL
    try:
        started = time.perf_counter()
        process = subprocess.Popen(argv, stdin=stdin, stdout=stdout, stderr=subprocess.PIPE, env=env)
        poller = TreePoller(process.pid) if poll else None
        if poller:
            poller.start()
        stderr = process.stderr.read()  # a chatty command must not block on a full pipe
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if poller:
            poller.stopped.set()
            poller.join()
    finally:
        for handle in (stdin, stdout):
            if hasattr(handle, "close"):
                handle.close()
    return Run(seconds, usage.ru_utime + usage.ru_stime,
               (poller.peak_rss if poller else 0) / 1024, (poller.peak_pss if poller else 0) / 1024,
               usage.ru_maxrss / 1024, process.returncode, stderr.decode(errors="replace"))


class CommandFailed(Exception):
    pass


def checked(result: Run, what: str) -> Run:
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["(no message)"])[-1]
        raise CommandFailed(f"{what}: exit {result.returncode}: {last[:160]}")
    return result


def repeated(argv: list[str], env: dict, runs: int, what: str) -> list[Run]:
    """RUNS runs after a warm-up run (page cache, bytecode), each checked; when the warm-up takes
    longer than LONG seconds, it is the only run (what it warms is then lost in the noise)."""
    first = checked(run(argv, env), what)
    if first.seconds > LONG:
        return [first]
    return [checked(run(argv, env), what) for _ in range(runs)]


LONG = 10


def median(values) -> float:
    return statistics.median(list(values))
