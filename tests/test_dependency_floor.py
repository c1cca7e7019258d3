"""The pydantic floor in pyproject.toml is one the suite runs on: 2.5–2.7 fail and 2.8–2.9 warn."""

import re

import pydantic

from conftest import ROOT


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])


def test_installed_pydantic_meets_the_declared_floor():
    declared = re.search(r'"pydantic>=([0-9.]+),<3"', (ROOT / "pyproject.toml").read_text())
    assert declared, "pyproject.toml declares pydantic>=X,<3"
    floor = _version(declared.group(1))
    assert floor >= (2, 10), "2.5–2.9 fail or warn with this code"
    assert _version(pydantic.VERSION) >= floor
