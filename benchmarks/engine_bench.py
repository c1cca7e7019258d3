"""The rules engine alone: µs per `host.run`, before (durable's own Host, kept in
tests/engine_reference.py) and after (the lean host), side by side, beside the floor: the same
calls into durable_rules' C engine replayed with no Python action in between.

Each figure is the best of several rounds over the same varied requests (tests/engine_cases.py),
in CPU time of this process (`time.process_time`) and in wall time: the machine is shared, so the
best round is the one least disturbed. Rounds alternate between the two hosts.

Usage: python benchmarks/engine_bench.py [--requests N] [--rounds R]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import durable_rules_engine  # noqa: E402

import engine_reference  # noqa: E402
from engine_cases import engine_inputs  # noqa: E402
from recommender.domain.catalog import load_catalog  # noqa: E402
from recommender.engine import host  # noqa: E402
from recommender.engine.rules import load_rules  # noqa: E402

C_CALLS = ("assert_fact", "assert_event", "start_action_for_state", "complete_and_start_action", "retract_fact",
           "delete_state")


def timed(run, inputs, rules) -> tuple[float, float]:
    """(CPU µs, wall µs) per decision for one round."""
    cpu, wall = time.process_time(), time.perf_counter()
    for fact, flat in inputs:
        run(rules, fact, flat)
    count = len(inputs)
    return (time.process_time() - cpu) / count * 1e6, (time.perf_counter() - wall) / count * 1e6


def recorded_calls(rules, inputs) -> list[list[tuple[str, tuple]]]:
    """Every call the lean host makes into the C engine, decision by decision."""
    decisions: list[list[tuple[str, tuple]]] = []
    real = {name: getattr(durable_rules_engine, name) for name in C_CALLS}

    def recording(name):
        def call(*args):
            decisions[-1].append((name, args))
            return real[name](*args)
        return call

    try:
        for name in C_CALLS:
            setattr(durable_rules_engine, name, recording(name))
        for fact, flat in inputs:
            decisions.append([])
            host.run(rules, fact, flat)
    finally:
        for name, function in real.items():
            setattr(durable_rules_engine, name, function)
    return decisions


def replayable(decisions, round_number: int) -> list[list[tuple]]:
    """The recorded calls, with fresh session ids where a decision deleted its session (a deleted
    session's id could be reused, but fresh is what such a decision sees); a session the host empties
    and reuses is replayed as it is, emptied by the replayed retractions for the host's next decision.
    State offsets are taken from the replay itself."""
    calls = []
    for index, decision in enumerate(decisions):
        sid = next((args[1] for name, args in decision if name == "delete_state"), None)
        fresh = f"replay-{round_number}-{index}"
        rewritten = []
        for name, args in decision:
            if name == "delete_state":
                rewritten.append((getattr(durable_rules_engine, name), args[0], fresh, True))
            elif name in ("assert_fact", "assert_event", "retract_fact"):
                text = args[1].replace(f'"sid":"{sid}"', f'"sid":"{fresh}"') if sid else args[1]
                rewritten.append((getattr(durable_rules_engine, name), args[0], text, False))
            else:
                rewritten.append((getattr(durable_rules_engine, name), args[0], None, False))
        calls.append(rewritten)
    return calls


def replay(calls) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    for decision in calls:
        state = None
        for function, handle, text, is_delete in decision:
            if text is None:
                function(handle, state)
            elif is_delete:
                function(handle, text)
            elif function is durable_rules_engine.retract_fact:
                function(handle, text)
            else:
                result, offset = function(handle, text)
                if result == host.HANDLED:
                    state = offset
    count = len(calls)
    return (time.process_time() - cpu) / count * 1e6, (time.perf_counter() - wall) / count * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=9)
    options = parser.parse_args()
    rules, catalog = load_rules(), load_catalog()
    inputs = engine_inputs(rules, catalog, options.requests)
    for fact, flat in inputs:  # warm: rule sets compiled, caches filled
        engine_reference.run(rules, fact, flat)
        host.run(rules, fact, flat)
    decisions = recorded_calls(rules, inputs)
    best: dict[str, list[float]] = {"before": [1e9, 1e9], "after": [1e9, 1e9], "C floor": [1e9, 1e9]}
    for round_number in range(options.rounds):
        figures = {"before": timed(engine_reference.run, inputs, rules), "after": timed(host.run, inputs, rules),
                   "C floor": replay(replayable(decisions, round_number))}
        for name, (cpu, wall) in figures.items():
            best[name] = [min(best[name][0], cpu), min(best[name][1], wall)]
    calls = Counter(name for decision in decisions for name, _ in decision)
    firings = sum(len(host.run(rules, fact, flat).firings) for fact, flat in inputs)
    print(f"rules engine: {len(inputs)} varied requests, {len(rules.rules)} rules; per decision "
          f"{firings / len(inputs):.1f} firings, "
          + ", ".join(f"{calls[name] / len(inputs):.1f} {name}" for name in C_CALLS))
    print(f"best of {options.rounds} rounds, µs per host.run:")
    print(f"  {'':10} {'CPU µs':>8} {'wall µs':>8}   {'vs before':>9}   {'above C floor':>13}")
    floor = best["C floor"][0]
    for name, (cpu, wall) in best.items():
        print(f"  {name:10} {cpu:8.0f} {wall:8.0f}   {best['before'][0] / cpu:8.1f}×   {cpu - floor:10.0f} µs")


if __name__ == "__main__":
    main()
