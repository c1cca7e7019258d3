"""`ftrec help terms`: the words ftrec uses, in the same text the README carries."""

from __future__ import annotations

import textwrap

from recommender.domain.vocabulary import GLOSSARY

WIDTH = 78


def glossary_text() -> str:
    """Each term, then its meaning indented: plain text, at most 78 columns wide."""
    lines = ["Terms ftrec uses", ""]
    for term, meaning in GLOSSARY:
        lines.append(term)
        lines += textwrap.wrap(meaning, WIDTH, initial_indent="    ", subsequent_indent="    ")
    return "\n".join(lines)
