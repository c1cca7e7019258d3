"""Fitting tables to the terminal: 80 columns first, 60 without losing a column that carries a decision.

A table is offered as a list of layouts, widest first; the first whose natural width fits the
terminal is printed, so columns are dropped (or figures shortened) instead of wrapped mid-cell.
`--wide` lays tables out for WIDE_COLUMNS whatever the terminal says.
"""

from __future__ import annotations

from typing import Callable, Optional, Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

WIDE_COLUMNS = 160


def console(stderr: bool = False, wide: bool = False) -> Console:
    """A console the size of the terminal (COLUMNS), or WIDE_COLUMNS with --wide."""
    return Console(stderr=stderr, highlight=False, emoji=False, soft_wrap=False, width=WIDE_COLUMNS if wide else None)


def width_of(width: Optional[int]) -> int:
    return width if width is not None else console().width


class Column:
    """A table column: its header, the text of its cell for a row's object, and its justification.
    (A plain class: a dataclass's generated methods cost every start-up a few million instructions.)"""

    __slots__ = ("header", "cell", "justify")

    def __init__(self, header: str, cell: Callable[[object], str], justify: str = "left"):
        self.header, self.cell, self.justify = header, cell, justify


def natural_width(columns: Sequence[Column], rows: Sequence[list[str]]) -> int:
    """The table's width with no cell wrapped: each column's widest cell, padding and box lines."""
    widths = [max([len(c.header), *(len(row[i]) for row in rows)]) for i, c in enumerate(columns)]
    return sum(widths) + 3 * len(columns) - 1  # pad_edge=False: one space each side inside, n + 1 bars


def fitted_table(layouts: Sequence[Sequence[Column]], items: Sequence[object], width: int,
                 title: Optional[str] = None) -> tuple[Table, Sequence[Column]]:
    """The first layout whose rows fit `width` unwrapped (else the last), as a rich table."""
    chosen: Sequence[Column] = layouts[-1]
    for layout in layouts:
        rows = [[column.cell(item) for column in layout] for item in items]
        if natural_width(layout, rows) <= width:
            chosen = layout
            break
    table = Table(header_style="bold", pad_edge=False, title=title)
    for column in chosen:
        table.add_column(column.header, justify=column.justify, no_wrap=True)
    for item in items:
        table.add_row(*(Text(column.cell(item)) for column in chosen))  # data, never markup
    return table, chosen


def bullets(mark: str, lines: list[str], style: str = "") -> Table:
    """Marked lines whose wrapped continuations stay indented under the text."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=3, justify="right", style=style)
    grid.add_column(style=style)
    for line in lines:
        grid.add_row(mark, Text(line))
    return grid


def left_out(all_columns: Sequence[str], shown: Sequence[Column]) -> Optional[Text]:
    """A dim line naming the columns this width left out, so nobody wonders where they went."""
    missing = [name for name in all_columns if name not in {c.header for c in shown}]
    if not missing:
        return None
    return Text(f"(not shown at this width: {', '.join(missing)}; --wide shows every column)", style="dim")


def wrapped(lines: list[str], width: int) -> list[str]:
    """Plain lines wrapped at `width`, continuations indented under the text (after "12. " too);
    words, ids and commands are never split."""
    import re
    import textwrap

    out: list[str] = []
    for line in lines:
        if len(line) <= width:
            out.append(line)
            continue
        lead = re.match(r"^(\s*(?:\d+\. |#\d+ |[·!✗→] )?)", line).group(1)
        out += textwrap.wrap(line, width, subsequent_indent=" " * min(len(lead), width // 2),
                             break_long_words=False, break_on_hyphens=False) or [""]
    return out
