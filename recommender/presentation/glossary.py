"""`ftrec help terms`: the words ftrec uses, in the same text the README carries."""

from __future__ import annotations

import textwrap

from recommender.domain.vocabulary import GLOSSARY

WIDTH = 78


def glossary_text(columns: int = WIDTH) -> str:
    """Each term, then its meaning indented: plain text, at most 78 columns wide (or the terminal's)."""
    lines = ["Terms ftrec uses", ""]
    for term, meaning in GLOSSARY:
        lines.append(term)
        lines += textwrap.wrap(meaning, min(WIDTH, columns), initial_indent="    ", subsequent_indent="    ")
    return "\n".join(lines)
