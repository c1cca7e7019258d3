"""Varied inputs for the rules engine alone: (matcher fact, flat facts) pairs as decide.py builds them.

A seeded generator, so the cross-check test and the engine benchmark see the same requests every run.
Every fact some rule tests is varied: needs, task kind and churn, volumes and queries around the
rules' thresholds, priorities, residency, model families, baselines, training type and method,
trainings a year, the catalog's counts (stale prices through the day, and at random), and the
`costs.*` facts the second pass asserts when a rule weighs a cost heuristic.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from pathlib import Path

import yaml

from recommender.decision.decide import flat_facts, matcher_fact
from recommender.domain.catalog import Catalog
from recommender.domain.requirements import Requirements
from recommender.engine.rules import RuleSet

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
DAYS = (date(2026, 1, 2), date(2026, 11, 23), date(2027, 9, 1))
TOKENS = ("50K", "900K", "1M", "20M", "99M", "100M", "101M", "2B")
FLAGS = ("openai_ecosystem", "self_hosting", "citations", "style_tone", "new_knowledge", "tokenizer_change",
         "merge_adapters", "reasoning", "output_format")


def varied_requirements(count: int, seed: int = 16) -> list[dict]:
    rng = random.Random(seed)
    return [_one(rng) for _ in range(count)]


def _one(rng: random.Random) -> dict:
    inference: dict = {"monthly_tokens": rng.choice(TOKENS), "input_share": rng.choice(["0.5", "0.8", "0.95"])}
    if rng.random() < 0.4:
        inference["monthly_queries"] = rng.choice([10_000, 999_999, 1_000_000, 5_000_000, 20_000_000])
    data = {
        "training": {"tokens": rng.choice(["1M", "5M", "100M"]), "epochs": rng.randint(1, 5),
                     "validation_tokens": rng.choice([0, 0, 500_000]), "evaluations": rng.choice([0, 0, 3]),
                     "type": rng.choice(["sft", "sft", "dpo"]), "method": rng.choice(["auto", "auto", "lora", "full"])},
        "inference": inference,
        "needs": {**{flag: rng.random() < 0.2 for flag in FLAGS},
                  "data_residency": rng.choice(["any", "any", "eu", "us"]),
                  "model_family": rng.choice(["any"] * 4 + ["claude", "gpt", "llama", "mistral", "gemini", "command"])},
        "task": {"knowledge_churn": rng.choice(["daily", "weekly", "monthly", "stable"]),
                 "kind": rng.choice(["narrow", "general", "multi_task", "retrieval_chat", "mixed_complexity"]),
                 "prompt_suffices": rng.choice(["yes", "no", "unknown"])},
        "priority": rng.choice(["cost", "quality", "inference_cost", "balanced"]),
        "operations": {"trainings_per_year": rng.choice([1, 1, 4, 12])},
    }
    baseline = rng.choice([None, "openai/gpt-4o", {"input_per_m": "2.50", "output_per_m": "10.00"}])
    if baseline is not None:
        data["baseline"] = baseline
    for section in ("training", "needs", "task", "operations"):  # leave some fields to their defaults
        for name in list(data[section]):
            if rng.random() < 0.25:
                del data[section][name]
    return data


def cost_facts(rng: random.Random) -> dict:
    """What decide.py's second pass adds: the cheapest fine-tune's year of training against inference."""
    training, inference = Decimal(rng.randint(0, 20_000)) / 100, Decimal(rng.randint(0, 20_000)) / 100
    return {"costs.training_dominates": training > inference, "costs.offering": "together/llama-3.1-8b",
            "costs.training_year": f"{training:.2f}", "costs.inference_year": f"{inference:.2f}"}


def engine_inputs(rules: RuleSet, catalog: Catalog, count: int, seed: int = 16) -> list[tuple[dict, dict]]:
    """`count` varied requests, then every shipped example: (matcher fact, flat facts) for `host.run`."""
    rng = random.Random(seed + 1)
    requests = varied_requirements(count, seed)
    requests += [yaml.safe_load(path.read_text()) or {} for path in sorted(EXAMPLES.glob("*.yaml"))]
    inputs = []
    for data in requests:
        flat = flat_facts(Requirements.model_validate(data), catalog, rng.choice(DAYS))
        for name, value in flat.items():  # counts the catalog gives (stale, implausible, retired...)
            if name.startswith("catalog.") and type(value) is int and rng.random() < 0.2:
                flat[name] = rng.choice([0, 1, 3])
        if rng.random() < 0.3:
            flat = {**flat, **cost_facts(rng)}
        inputs.append((matcher_fact(flat, rules.facts_tested), flat))
    return inputs
