"""Printing without rich's layout machinery when nothing would be styled (output to a file or a pipe).

Where the console styles nothing, what rich prints for a one-line text, an indented text or a table
whose cells fit unwrapped is plain text that can be written out directly, at a fraction of the cost
of rich measuring and rendering every cell (a third of a short command's run). `PlainGroup` prints
those parts as rich would and hands every other part (wrapped text, tables that must shrink, anything
styled) to rich itself, so the output is the same byte for byte (tests/test_plain.py compares them).
"""

from __future__ import annotations

from typing import Optional

from rich.cells import cell_len
from rich.console import Group
from rich.padding import Padding
from rich.segment import Segment
from rich.table import Table
from rich.text import Text


class PlainGroup(Group):
    """A rich Group whose plain parts skip rich's layout when the console styles nothing."""

    def __rich_console__(self, console, options):
        unstyled = console.color_system is None and not console.record
        for part in self.renderables:
            lines = plain_lines(part, console, options) if unstyled else None
            if lines is None:
                yield part
                continue
            for line in lines:
                yield Segment(line)
                yield Segment.line()


def plain_lines(part, console, options) -> Optional[list[str]]:
    """PART as the lines rich prints for it with OPTIONS, styles left out, or None where only rich can tell."""
    width = options.max_width
    if options.justify not in (None, "default", "left"):
        return None
    if isinstance(part, Text):
        text = _plain(part)
        fits = text is not None and len(text) <= width and part.end == "\n" and options.justify != "left"
        return [text] if fits else None
    if isinstance(part, Padding):
        return _padded(part, width)
    if isinstance(part, Table):
        return _table(part, console, options)
    return None


def _plain(text) -> Optional[str]:
    """The text of a cell or a line that prints as it is: one line, no tabs, one cell per character."""
    if isinstance(text, Text):
        if text.justify not in (None, "default"):
            return None
        plain = text.plain
    elif isinstance(text, str):
        if "[" in text or ":" in text or "\\" in text:  # markup or an emoji code
            return None
        plain = text
    else:
        return None
    if "\n" in plain or "\t" in plain or cell_len(plain) != len(plain):
        return None
    return plain


def _padded(part: Padding, width: int) -> Optional[list[str]]:
    if part.top or part.bottom or not part.expand or not isinstance(part.renderable, Text):
        return None
    text = _plain(part.renderable)
    room = width - part.left - part.right
    if text is None or room < 1 or len(text) > room or part.renderable.end != "\n":
        return None
    return [" " * part.left + text.ljust(room) + " " * part.right]


def _table(table: Table, console, options) -> Optional[list[str]]:
    """The lines of a table whose cells all fit unwrapped at their natural widths."""
    columns = table.columns
    if (not columns or not table.rows or table.title or table.caption or table.show_footer or table.expand
            or table.width is not None or table.min_width is not None or table.show_lines or table.leading
            or table.row_styles or any(row.end_section for row in table.rows)
            or (table.box and not table.show_edge)):
        return None
    top, right, bottom, left = table.padding
    if top or bottom:
        return None
    pads, texts = [], []
    for index, column in enumerate(columns):
        if column.min_width is not None or column.max_width is not None or column.ratio \
                or column.justify not in ("left", "right", "default"):
            return None
        cells = [*([column.header] if table.show_header else []), *column.cells]
        plain = [_plain(cell) for cell in cells]
        if any(text is None for text in plain):
            return None
        pad_left = 0 if not table.pad_edge and index == 0 else (
            max(0, left - right) if table.collapse_padding and index else left)
        pad_right = 0 if not table.pad_edge and index == len(columns) - 1 else right
        pads.append((pad_left, pad_right))
        texts.append(plain)
    widths = []
    for index, (column, (pad_left, pad_right), plain) in enumerate(zip(columns, pads, texts)):
        if column.width is not None:  # as rich pads a column of fixed width
            size = column.width + table._get_padding_width(index)
        else:
            size = max(len(text) for text in plain) + pad_left + pad_right or 1
        if any(len(text) > size - pad_left - pad_right for text in plain):
            return None
        widths.append(size)
    if sum(widths) + table._extra_width > options.max_width:
        return None
    rows = [[_cell(text, column.justify, size, pads[i]) for i, (column, size, text)
             in enumerate(zip(columns, widths, row))] for row in zip(*texts)]
    return _boxed(table, rows, widths, console, options) if table.box else ["".join(row) for row in rows]


def _cell(text: str, justify: str, size: int, pads: tuple[int, int]) -> str:
    pad_left, pad_right = pads
    room = size - pad_left - pad_right
    body = text.rstrip().rjust(room) if justify == "right" else text.ljust(room)
    return " " * pad_left + body + " " * pad_right


def _boxed(table: Table, rows: list[list[str]], widths: list[int], console, options) -> list[str]:
    box = table.box.substitute(options, safe=console.safe_box if table.safe_box is None else table.safe_box)
    if not table.show_header:
        box = box.get_plain_headed_box()
    lines = [box.get_top(widths)]
    for index, row in enumerate(rows):
        first, last = index == 0, index == len(rows) - 1
        left, right, divider = ((box.head_left, box.head_right, box.head_vertical) if first else
                                (box.foot_left, box.foot_right, box.foot_vertical) if last else
                                (box.mid_left, box.mid_right, box.mid_vertical))
        lines.append(left + divider.join(row) + right)
        if first and table.show_header:
            lines.append(box.get_row(widths, "head", edge=True))
    lines.append(box.get_bottom(widths))
    return lines
