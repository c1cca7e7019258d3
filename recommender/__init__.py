"""ftrec: should we fine-tune an LLM, and if so, where?"""

__version__ = "0.1.0"
