"""What the benchmarks feed ftrec: varied requests (seeded) and generated catalogs.

`requests(n)` gives N requirement sets mixing every kind of need, task kind, churn, volume (tokens
and queries, few-shot savings), priority, residency, baseline (none, an offering id, rates) and
operations; `write_catalog(dir, n)` writes a catalog of N offerings, copies of the built-in
catalog's under new ids with prices jittered by up to ±20%, in provider files of at most 500.
"""

from __future__ import annotations

import json
import random
import shutil
from decimal import Decimal
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BUILTIN = ROOT / "catalog"
PER_FILE = 500
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's: ten times faster
FLAGS = ("openai_ecosystem", "self_hosting", "citations", "style_tone", "new_knowledge", "tokenizer_change",
         "merge_adapters", "reasoning", "output_format")


def builtin_offerings() -> list[tuple[str, dict]]:
    """(provider, offering) for every offering in the built-in catalog's provider files."""
    found = []
    for path in sorted(BUILTIN.glob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        if "provider" in data:
            found.extend((data["provider"], offering) for offering in data["offerings"])
    return found


def _training(rng: random.Random) -> dict:
    if rng.random() < 0.2:
        part = {"examples": rng.choice([500, 2_000, 8_000, 50_000]), "tokens_per_example": rng.choice([300, 625, 1_500])}
    else:
        part = {"tokens": rng.choice(["1M", "5M", "20M", "100M", 2_500_000, "1B"])}
    part["epochs"] = rng.randint(1, 5)
    if rng.random() < 0.15:
        part["method"] = rng.choice(["lora", "full"])
    if rng.random() < 0.1:
        part["type"] = "dpo"
    return part


def _inference(rng: random.Random) -> dict:
    tokens = int(10 ** rng.uniform(5, 9.5))
    part = {"monthly_tokens": rng.choice([tokens, f"{max(tokens // 1_000_000, 1)}M"])}
    share = rng.choice([None, "0.5", "0.8", "0.95"])
    if share:
        part["input_share"] = share
    if rng.random() < 0.3:
        monthly = tokens if isinstance(part["monthly_tokens"], int) else max(tokens // 1_000_000, 1) * 1_000_000
        part["monthly_queries"] = max(monthly // rng.choice([500, 1_000, 4_000]), 1)
        if rng.random() < 0.5:  # at most 200 of ≥ 500 tokens a query, all input: within the input tokens
            part["few_shot_tokens"] = rng.choice([50, 200])
    return part


def _needs(rng: random.Random) -> dict:
    needs = {flag: True for flag in FLAGS if rng.random() < 0.08}
    needs["data_residency"] = rng.choice(["any"] * 14 + ["eu"] * 5 + ["us"])  # no built-in offering is in the US
    if rng.random() < 0.1:
        needs["model_family"] = rng.choice(["claude", "gpt", "llama", "mistral", "gemini", "command"])
    return needs


def request(rng: random.Random, offering_ids: list[str]) -> dict:
    req = {
        "training": _training(rng),
        "inference": _inference(rng),
        "needs": _needs(rng),
        "task": {"knowledge_churn": rng.choice(["daily", "weekly", "monthly", "stable", "stable"]),
                 "kind": rng.choice(["narrow", "narrow", "general", "multi_task", "retrieval_chat", "mixed_complexity"]),
                 "prompt_suffices": rng.choice(["yes", "no", "unknown", "unknown"])},
        "priority": rng.choice(["cost", "quality", "inference_cost", "balanced"]),
    }
    baseline = rng.choice([None, None, "id", "rates"])
    if baseline == "id":
        req["baseline"] = rng.choice(offering_ids)
    elif baseline == "rates":
        req["baseline"] = {"input_per_m": rng.choice(["2.50", "0.15", "1.25"]), "output_per_m": rng.choice(["10.00", "0.60", "5"])}
    if rng.random() < 0.3:
        req["operations"] = {"trainings_per_year": rng.choice([1, 4, 12]), "include_hidden_costs": rng.random() < 0.8}
    return req


def write_requests(path: Path, count: int, seed: int = 16) -> int:
    """COUNT requests as JSON Lines in PATH (written as they are made: a million stay off the heap); bytes."""
    rng = random.Random(seed)
    ids = [offering["id"] for _, offering in builtin_offerings()]
    with open(path, "w") as out:
        for _ in range(count):
            out.write(json.dumps(request(rng, ids), separators=(",", ":")) + "\n")
    return path.stat().st_size


def _jitter(prices, rng: random.Random):
    """Every `usd`/`usd_high` figure times 0.8–1.2, at the same number of decimals (at least two)."""
    if isinstance(prices, dict):
        return {key: (_jittered(value, rng) if key in ("usd", "usd_high") else _jitter(value, rng))
                for key, value in prices.items()}
    if isinstance(prices, list):
        return [_jitter(value, rng) for value in prices]
    return prices


def _jittered(value, rng: random.Random) -> str:
    figure = Decimal(str(value))
    places = max(-figure.as_tuple().exponent, 2)
    return str((figure * Decimal(rng.randint(80, 120)) / 100).quantize(Decimal(1).scaleb(-places)))


def write_catalog(directory: Path, count: int, seed: int = 20) -> None:
    """A catalog of COUNT offerings in DIRECTORY (made afresh), with the built-in hidden costs and approach prices."""
    rng = random.Random(seed)
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    for name in ("approaches.yaml", "hidden-costs.yaml"):
        shutil.copy(BUILTIN / name, directory / name)
    templates = builtin_offerings()
    files: dict[str, list] = {}
    for number in range(count):
        provider, template = templates[number % len(templates)]
        offering = {key: value for key, value in template.items() if key not in ("published", "refs")}
        offering["id"] = f"{template['id']}-g{number:06d}"
        offering["prices"] = _jitter(template["prices"], rng)
        files.setdefault(provider, []).append(offering)
    for provider, offerings in files.items():
        slug = offerings[0]["id"].split("/")[0]
        for part, start in enumerate(range(0, len(offerings), PER_FILE)):
            text = yaml.dump({"provider": provider, "offerings": offerings[start:start + PER_FILE]},
                             Dumper=DUMPER, sort_keys=False, allow_unicode=True)
            (directory / f"{slug}-{part:03d}.yaml").write_text(text)
