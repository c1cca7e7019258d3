"""ftrec: should we fine-tune an LLM, and if so, where?

The public API (see README, "Use from Python"):

    import recommender
    decision = recommender.recommend({"inference": {"monthly_tokens": "100M"}})
    decision.approach.choice, decision.recommendations[0].offering

Names load on first use, so `ftrec --help` does not pay for the decision machinery.
"""

__version__ = "0.1.0"

__all__ = [
    "recommend", "explain", "cost", "sweep", "load_catalog", "load_rules",
    "Decision", "Requirements", "Catalog", "RuleSet", "InputError",
]

_FROM = {
    "recommend": "recommender.api", "explain": "recommender.api", "cost": "recommender.api",
    "sweep": "recommender.api", "load_catalog": "recommender.api", "load_rules": "recommender.api",
    "Decision": "recommender.decision.schema", "Requirements": "recommender.domain.requirements",
    "Catalog": "recommender.domain.catalog", "RuleSet": "recommender.engine.rules",
    "InputError": "recommender.domain.errors",
}


def __getattr__(name: str):
    if name in _FROM:
        import importlib

        value = getattr(importlib.import_module(_FROM[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'recommender' has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *__all__])
