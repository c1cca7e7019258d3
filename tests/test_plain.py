"""Unstyled output written directly (presentation/plain.py) is what rich itself prints, byte for byte."""

import io
import json

import pytest
from rich import box
from rich.console import Console, Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from recommender.decision.decide import decide
from recommender.domain.requirements import load_requirements
from recommender.presentation import plain, render
from recommender.presentation.layout import bullets

from conftest import ROOT, TODAY

EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
WIDTHS = (40, 60, 80, 100, 120, 160)


def printed(renderable, width: int, color: bool = False) -> str:
    out = io.StringIO()
    console = Console(file=out, width=width, highlight=False, emoji=False, soft_wrap=False,
                      color_system="truecolor" if color else None, force_terminal=color)
    console.print(renderable)
    return out.getvalue()


def by_rich(group: Group) -> Group:
    """The same parts, every one laid out by rich."""
    return Group(*group.renderables)


def written_directly(group: Group, width: int) -> int:
    options = Console(file=io.StringIO(), width=width, color_system=None).options
    return sum(plain.plain_lines(part, Console(file=io.StringIO(), width=width), options) is not None
               for part in group.renderables)


@pytest.fixture(scope="module")
def decisions(setup):
    return {path.stem: json.loads(json.dumps(decide(load_requirements(str(path)), setup, TODAY, str(path))))
            for path in EXAMPLES}


@pytest.mark.parametrize("width", WIDTHS)
def test_every_example_prints_as_rich_prints_it(decisions, width):
    for name, decision in decisions.items():
        for top in (3, 10, None):
            shown = render.decision_table(decision, top, width)
            assert printed(shown, width) == printed(by_rich(shown), width), (name, top)
        warnings = render.warnings_block(decision)
        assert printed(warnings, width) == printed(by_rich(warnings), width), name


def test_the_typical_decision_is_mostly_written_directly(decisions):
    shown = render.decision_table(decisions["typical"], 10, 120)
    assert written_directly(shown, 120) >= len(shown.renderables) - 2  # the long hidden-costs line wraps


def test_styled_output_is_left_to_rich(decisions):
    shown = render.decision_table(decisions["typical"], 10, 120)
    assert printed(shown, 120, color=True) == printed(by_rich(shown), 120, color=True)
    assert "\x1b[" in printed(shown, 120, color=True)


def _table(**options) -> Table:
    table = Table(**{"header_style": "bold", "pad_edge": False, **options})
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("name")
    table.add_column("figure", justify="right")
    table.add_row("1", "alpha", "$1.00 ")
    table.add_row("10", "beta gamma", "$12.50")
    table.add_row("2", Text("delta"), "—")
    return table


@pytest.mark.parametrize("table", [
    _table(), _table(pad_edge=True), _table(box=box.ROUNDED), _table(box=box.ASCII), _table(show_header=False),
    _table(box=None), _table(collapse_padding=True, pad_edge=True), _table(padding=(0, 2)),
    _table(title="a title"), _table(show_lines=True), _table(expand=True), _table(box=box.HEAVY_HEAD, show_edge=False),
    bullets("·", ["short", "a somewhat longer line of words that wraps at a narrow width, " * 3]),
    bullets("!", ["one", "two"], style="yellow"),
])
@pytest.mark.parametrize("width", (12, 20, 30, 80))
def test_tables_print_as_rich_prints_them(table, width):
    assert printed(plain.PlainGroup(table), width) == printed(Group(table), width)


@pytest.mark.parametrize("part", [
    Text("plain words"), Text("x" * 30), Text("tab\there"), Text("two\nlines"), Text("wide 漢字"), Text("end", end=""),
    Text("[bold]not markup[/]"), Text("right", justify="right"), Padding(Text("indented"), (0, 0, 0, 2)),
    Padding(Text("y" * 40), (0, 0, 0, 2)), Padding(Text("both sides"), (0, 3, 0, 2)), Padding(Text("top"), (1, 0, 0, 2)),
    Padding("a string", (0, 0, 0, 2)), "a [bold]string[/]",
])
@pytest.mark.parametrize("width", (10, 30, 80))
def test_lines_print_as_rich_prints_them(part, width):
    assert printed(plain.PlainGroup(part, part), width) == printed(Group(part, part), width)


def test_markup_and_emoji_codes_in_cells_are_left_to_rich():
    table = Table()
    table.add_column("a")
    table.add_row("[bold]x[/]")
    table.add_row(":thumbs_up:")
    options = Console(file=io.StringIO(), width=80, color_system=None).options
    assert plain.plain_lines(table, Console(file=io.StringIO()), options) is None
    assert printed(plain.PlainGroup(table), 80) == printed(Group(table), 80)


from hypothesis import given, settings, strategies as st  # noqa: E402

WORDS = st.lists(st.sampled_from(["a", "to", "words", "  ", " ", "x" * 25, "$2,000.50", "–", "(data,", "prep)"]),
                 max_size=30).map("".join)


@settings(max_examples=150, deadline=None)
@given(text=WORDS, width=st.integers(min_value=3, max_value=50), indent=st.integers(min_value=0, max_value=4))
def test_wrapped_lines_print_as_rich_prints_them(text, width, indent):
    for part in (Text(text), Padding(Text(text), (0, 0, 0, indent)), bullets("!", [text, text[:7]])):
        assert printed(plain.PlainGroup(part), width) == printed(Group(part), width), repr(part)
