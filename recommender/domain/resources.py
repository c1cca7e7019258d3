"""Where the built-in rules and catalog live: inside the wheel, or beside the package in a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent


def data_dir(name: str) -> Path:
    shipped = _PACKAGE / name  # placed there by the wheel build (pyproject force-include)
    if shipped.is_dir():
        return shipped
    return _PACKAGE.parent / name  # a source checkout or an editable install
