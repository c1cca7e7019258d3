"""A sweep keeps a few figures per point, not whole evaluations: memory independent of the catalog,
and growing with the number of steps only by what each point reports."""

import json
import subprocess
import sys
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from conftest import ROOT, TODAY

from recommender.api import as_requirements, setup_for
from recommender.decision import sweep as sweeping
from recommender.domain.errors import InputError
from recommender.domain.requirements import requirements_from

TWO = ROOT / "tests" / "data" / "two_offerings"
WORKLOAD = {"training": {"tokens": "5M", "epochs": 3}, "task": {"kind": "narrow", "knowledge_churn": "stable"},
            "needs": {"style_tone": True}, "priority": "cost",
            "baseline": {"input_per_m": "1.50", "output_per_m": "1.50"}}


def test_a_point_keeps_only_its_first_offerings(setup):
    req, source = as_requirements({})
    spec = sweeping.parse_spec("inference.monthly_tokens=1M..1B:2")
    point = sweeping.Sweeper(req, spec, setup, TODAY, source, keep=2).at(Decimal(5_000_000))
    assert len(setup.catalog.offerings) > sweeping.KEPT_RANKS + 2
    assert len(point.order) == sweeping.KEPT_RANKS and set(point.figures) == set(point.order)


def test_the_closed_form_crossing_finds_an_offering_ranked_below_what_a_point_keeps(monkeypatch):
    # Year-1: 15 + 12 × V × 0.50/1M  =  150 + 12 × V × 0.20/1M  →  V = 135 / (12 × 0.30) × 1M = 37,500,000.
    monkeypatch.setattr(sweeping, "KEPT_RANKS", 1)
    req, source = as_requirements(WORKLOAD)
    spec = sweeping.parse_spec("inference.monthly_tokens=2M..100M:6")
    sweeper = sweeping.Sweeper(req, spec, setup_for(TWO), TODAY, source, keep=1)
    points = sweeper.grid_points(sweeping.grid(spec))
    assert all(len(p.figures) == 1 for p in points)
    top = [c for c in sweeping.crossovers(sweeper, points) if c.kind == "top offering"]
    assert [(c.below, c.at, c.closed_form) for c in top] == [(37_499_999, 37_500_000, Decimal(37_500_000))]


PEAK = """
import json, resource
from recommender import api
result = api.sweep({{}}, "inference.monthly_tokens=1M..1B:{steps}:log", today=__import__("datetime").date(2026, 11, 23))
assert len(result["points"]) == {steps}
print(json.dumps([resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss]))
"""


def _peak_kb(steps: int) -> list[int]:
    done = subprocess.run([sys.executable, "-c", PEAK.format(steps=steps)], capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.slow
def test_sweep_memory_stays_flat_from_1000_to_10000_points():
    # What 9,000 more points may add: their reported figures (~2 KB each in the points, ~2 KB in
    # the JSON), with room to spare; whole evaluations kept per point took over 12 KB each.
    small, large = _peak_kb(1_000), _peak_kb(10_000)
    assert large[0] < small[0] + 9_000 * 6, (small, large)  # the parent, in KB
    assert large[1] < small[1] * 1.3 + 20_000, (small, large)  # the workers


@pytest.mark.parametrize("request_data, vary, values", [
    (WORKLOAD, "inference.monthly_tokens=1M..1B:2", [1_000_000, 37_500_000, 10**9]),
    ({"inference": {"monthly_tokens": "2M", "monthly_queries": 4_000, "few_shot_tokens": 50}},  # 200,000 ≤ 2M × 0.1
     "inference.input_share=0.1..0.9:2", [Decimal("0.1"), Decimal("0.5"), Decimal("0.9")]),
    ({"training": {"examples": 2_000, "tokens_per_example": 500}}, "training.tokens=1M..5M:2", [1_000_000, 5_000_000]),
    ({"operations": {"trainings_per_year": 4}}, "training.epochs=1..5:2", [1, 3, 5]),
    ({}, "operations.trainings_per_year=1..12:2", [1, 12]),
])
def test_a_point_revalidates_only_the_varied_section_and_equals_the_whole_request_validated(request_data, vary, values):
    req, source = as_requirements(request_data)
    spec = sweeping.parse_spec(vary)
    sweeper = sweeping.Sweeper(req, spec, setup_for(TWO), TODAY, source)
    section, _, name = spec.field.partition(".")
    for value in values:
        fast = sweeper.requirements_at(Decimal(value))
        whole = requirements_from({**sweeper.base, section: {**sweeper.base.get(section, {}), name: str(value)}}, source)
        assert fast == whole and fast.model_fields_set == whole.model_fields_set
        assert getattr(fast, section).model_fields_set == getattr(whole, section).model_fields_set
        assert fast.given() == whole.given() and fast.normalized() == whole.normalized()
        assert list(sweeper.normalized_at(fast).items()) == list(whole.normalized().items())
        assert fast.defaults_assumed() == whole.defaults_assumed()


def test_a_value_the_request_cannot_take_is_refused_as_when_validated_whole():
    # 200 few-shot tokens × 4,000 queries = 800,000 input tokens: more than 10% of 2M tokens (200,000).
    req, source = as_requirements({"inference": {"monthly_tokens": "2M", "monthly_queries": 4_000, "few_shot_tokens": 200}})
    sweeper = sweeping.Sweeper(req, sweeping.parse_spec("inference.input_share=0.1..0.9:2"), setup_for(TWO), TODAY, source)
    with pytest.raises(InputError, match=r"inference.*few_shot_tokens.*800,000.*200,000"):
        sweeper.requirements_at(Decimal("0.1"))


@pytest.mark.parametrize("request_data", [WORKLOAD, {}])  # with and without a baseline to break even against
def test_a_point_sent_back_by_a_worker_is_the_point_it_evaluated(request_data):
    req, source = as_requirements(request_data)
    spec = sweeping.parse_spec("inference.monthly_tokens=100K..1B:2:log")
    sweeper = sweeping.Sweeper(req, spec, setup_for(TWO), TODAY, source)
    for value in (Decimal(100_000), Decimal(37_500_000), Decimal(10**9)):
        point = sweeper.at(value)
        back = sweeping.Point.unpacked(point.packed())
        assert back == point
        assert [str(f.year_one) for f in back.figures.values()] == [str(f.year_one) for f in point.figures.values()]


def _grid_as_computed_exactly(spec) -> list:
    """The grid as first written: every value a 34-digit exponential, then rounded to the resolution."""
    from decimal import localcontext

    n = spec.steps - 1
    with localcontext() as context:
        context.prec = 34
        ratio = (spec.high / spec.low).ln()
        values = [spec.low * (ratio * i / n).exp() for i in range(spec.steps)]
    values[0], values[-1] = spec.low, spec.high
    step = sweeping.RESOLUTION[spec.kind]
    return list(dict.fromkeys((v / step).to_integral_value() * step for v in values))


@settings(max_examples=150, deadline=None)
@given(field=st.sampled_from(["inference.monthly_tokens", "inference.input_share", "training.hours", "training.epochs"]),
       low=st.integers(1, 10**6), span=st.integers(2, 10**6), steps=st.integers(2, 400))
def test_a_log_grid_estimated_in_floating_point_is_the_grid_computed_exactly(field, low, span, steps):
    scale = {"inference.input_share": Decimal("0.000001"), "training.hours": Decimal("0.01")}.get(field, Decimal(1))
    high = min(Decimal(low * span) * scale, Decimal(1)) if field == "inference.input_share" else Decimal(low * span) * scale
    spec = sweeping.Spec(field, Decimal(low) * scale, high, steps, True)
    if spec.low >= spec.high:
        return
    assert [str(v) for v in sweeping.grid(spec)] == [str(v) for v in _grid_as_computed_exactly(spec)]


def test_a_value_near_halfway_is_computed_exactly(monkeypatch):
    spec = sweeping.parse_spec("inference.monthly_tokens=100K..1B:1000:log")
    estimated = sweeping.grid(spec)
    monkeypatch.setattr(sweeping, "NEAR_HALF", 1.0)  # every value near halfway: all computed exactly
    assert sweeping.grid(spec) == estimated == _grid_as_computed_exactly(spec)


def test_progress_counts_every_grid_value_once_evaluated_here_or_by_the_workers():
    req, source = as_requirements(WORKLOAD)
    spec = sweeping.parse_spec("inference.monthly_tokens=2M..100M:300")
    sweeper = sweeping.Sweeper(req, spec, setup_for(TWO), TODAY, source)
    values = sweeping.grid(spec)
    sweeper.at(values[7])  # evaluated before the grid: counted as the grid reaches it
    ticks = []
    points = sweeper.grid_points(values, lambda: ticks.append(1))
    assert len(ticks) == len(values) == len(points) == 300
