"""What the approaches, ranking figures and sources are called where a person reads them."""

import re

APPROACH_NAMES = {
    "fine_tune": "Fine-tune",
    "rag": "RAG (retrieval-augmented generation)",
    "hybrid": "Hybrid: fine-tune for style and core domain, RAG for current facts",
    "prompt_engineering": "Prompt engineering on a capable base model",
    "routing": "Multi-model routing",
    "larger_base_model": "A larger base model",
}
FIGURES = {  # what each `rank_by` orders by
    "year_one": "year-1 total",
    "monthly": "monthly cost",
    "capability": "capability class, then year-1 total",
    "value": "the cost–capability frontier (the best buy at each capability step), then year-1 total",
}
APPROACH_SHORT = {"fine_tune": "fine-tune", "rag": "RAG", "hybrid": "hybrid", "prompt_engineering": "prompt",
                  "routing": "routing", "larger_base_model": "larger model"}

# The seed documents, by file name (what JSON and rule files cite) and in words (what a person reads).
SOURCES = {
    "000_19179cd3903228f0.txt": "Together AI fine-tuning pricing page",
    "001_90cd665d03d0a11e.txt": "AITOT fine-tuning cost guide 2026",
    "002_dea53b92ca302776.txt": "API Cost Score blog 2026",
}
_BY_NUMBER = {name[:3]: words for name, words in SOURCES.items()}
# "001_90cd665d03d0a11e.txt", "001_…txt" (a shortened name) or a bare "001", but never the digits of
# a figure ("$1,000", "1,000,000", "10.001").
_SOURCE_REFERENCE = re.compile(r"(?<![\w$.,\-])(00[0-2])(?:_[0-9a-f]{16}\.txt|_…(?:txt)?)?(?!\w|[.,]\d)")


def source_words(text: str) -> str:
    """Every source file name or number in TEXT ("per 002", "(001, ...)", "000_….txt") named in words."""
    return _SOURCE_REFERENCE.sub(lambda match: _BY_NUMBER[match.group(1)], text)


GLOSSARY = (
    ("approach", "what to do: fine-tune; RAG (retrieval-augmented generation: look facts up at answer time); "
                 "hybrid (fine-tune for style, RAG for facts); prompt engineering on a capable base model; "
                 "multi-model routing (cheap model for easy requests, premium for hard ones); or a larger "
                 "base model."),
    ("LoRA / full", "LoRA trains small adapter weights on top of a frozen model: cheap, enough for style, "
                    "format and tone. Full fine-tuning trains every weight: for new knowledge, a new "
                    "tokenizer, or merging adapters, at many times the price."),
    ("training", "one training run: billed tokens (epochs × training tokens + evaluations × validation "
                 "tokens) × the training rate."),
    ("monthly", "a month of inference: monthly tokens × the blended input/output rate, plus any hosting fee."),
    ("year-1", "trainings a year × training + 12 × monthly. Hidden costs are not in it."),
    ("hidden costs", "what teams under-budget: data preparation ($2,000–$10,000 a project) and evaluation "
                     "runs, shown as a low–high range beside year-1, never added into it."),
    ("uplift", "how much more a fine-tuned model costs per token than its base model: fine-tuned rate / "
               "base rate (2.00× means twice the price)."),
    ("break-even", "how long until fine-tuning pays for itself against the model you run today (`baseline`): "
                   "a year's trainings plus the one-time costs (data preparation, evaluation) over the monthly "
                   "saving, in months (\"< 1 mo\", \"5.3 mo\", \"> 1 yr\"); a range from the low to the high "
                   "end of the one-time costs. \"—\" when there is no baseline or no saving."),
    ("capability", "how capable a model is: frontier, large, medium or small, from what the sources say of "
                   "its quality or the provider's size tier or model class; `quality` ranks by it."),
    ("value", "how `balanced` ranks: first the best buy at each capability step (no other allowed offering "
              "is at least as capable and cheaper in year 1), then the rest by year-1."),
    ("sources", "; ".join(f"{words} ({name})" for name, words in SOURCES.items()) + "."),
)
