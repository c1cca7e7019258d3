"""What the approaches and ranking figures are called where a person reads them."""

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
