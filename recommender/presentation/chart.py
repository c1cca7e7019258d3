"""Charts of a sweep: year-1 cost against the varied field, crossovers marked.

`text_chart` draws with characters for the terminal (rich); `save_chart` writes PNG or SVG with
matplotlib, an optional extra (`pip install 'ftrec[plot]'`). Coordinates are floats: they place
marks on a chart, they are never money.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Optional

from rich.text import Text

from recommender.domain.errors import InputError

MARKS = "●▲■◆✚✱"
STYLES = ("cyan", "magenta", "yellow", "green", "blue", "red")


def series_of(points, offerings: list[str]) -> dict[str, list[tuple[Decimal, Optional[Decimal]]]]:
    """Each offering's year-1 at each point (None where it is not allowed)."""
    series = {}
    for offering in offerings:
        series[offering] = [(p.value, p.figures[offering].year_one if offering in p.figures else None)
                            for p in points]
    return series


def plotted_offerings(points, limit: int = 4) -> list[str]:
    """The offerings ranked first anywhere, then the runner-up at the start, up to `limit`."""
    chosen = list(dict.fromkeys(p.top for p in points if p.top))
    if len(chosen) < 2 and points and len(points[0].order) > 1:
        chosen.append(points[0].order[1])
    return chosen[:limit]


def _scale(values: list[float], log: bool):
    low, high = min(values), max(values)
    if log:
        low, high = math.log10(low), math.log10(high)
    span = (high - low) or 1.0

    def place(value: float, size: int) -> int:
        x = math.log10(value) if log else value
        return round((x - low) / span * (size - 1))

    return place


def text_chart(points, crossings, field: str, log_x: bool, width: int = 64, height: int = 16) -> Text:
    offerings = plotted_offerings(points)
    series = series_of(points, offerings)
    ys = [float(y) for line in series.values() for _, y in line if y is not None and y > 0]
    if not ys or len(points) < 2:
        return Text("(nothing to plot)")
    log_y = max(ys) / min(ys) > 20
    place_x = _scale([float(p.value) for p in points], log_x)
    place_y = _scale(ys, log_y)
    grid = [[" "] * width for _ in range(height)]
    colour = [[None] * width for _ in range(height)]
    for crossing in crossings:
        column = place_x(float(crossing.at), width)
        for row in range(height):
            grid[row][column] = "┊"
    for index, (offering, line) in enumerate(series.items()):
        for x, y in line:
            if y is None or y <= 0:
                continue
            row, column = height - 1 - place_y(float(y), height), place_x(float(x), width)
            grid[row][column], colour[row][column] = MARKS[index], STYLES[index]
    return _framed(grid, colour, ys, log_y, points, field, offerings, crossings, log_x, width)


def _framed(grid, colour, ys, log_y, points, field, offerings, crossings, log_x, width) -> Text:
    from recommender.presentation.render import dollars, tokens

    out = Text()
    labels = {0: max(ys), len(grid) - 1: min(ys)}
    for row, cells in enumerate(grid):
        label = dollars(str(Decimal(labels[row]).quantize(Decimal("0.01")))) if row in labels else ""
        out.append(f"{label:>12} │")
        for cell, style in zip(cells, colour[row]):
            out.append(cell, style=style)
        out.append("\n")
    out.append(" " * 13 + "└" + "─" * width + "\n")
    left, right = (tokens(int(points[0].value)), tokens(int(points[-1].value))) if points[0].value == int(points[0].value) \
        else (str(points[0].value), str(points[-1].value))
    out.append(f"{'':14}{left}{'':>{width - len(left) - len(right)}}{right}\n")
    out.append(f"{'':14}{field}{' (log scale)' if log_x else ''}; year-1 cost{' (log scale)' if log_y else ''}\n")
    for index, offering in enumerate(offerings):
        out.append(f"{'':14}{MARKS[index]} ", style=STYLES[index])
        out.append(f"{offering}\n")
    for crossing in crossings:
        out.append(f"{'':14}┊ {crossing.kind}: {crossing.before} → {crossing.after} at {crossing.at:,}\n")
    return out


def save_chart(path: str, points, crossings, field: str, log_x: bool) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise InputError("matplotlib is not installed: pip install 'ftrec[plot]'", path="--plot-file") from None
    if not path.lower().endswith((".png", ".svg")):
        raise InputError(f"must end in .png or .svg, got {path!r}", path="--plot-file")
    offerings = plotted_offerings(points)
    figure, axes = plt.subplots(figsize=(9, 5.5))
    for offering, line in series_of(points, offerings).items():
        xs = [float(x) for x, y in line if y is not None]
        axes.plot(xs, [float(y) for _, y in line if y is not None], marker="o", markersize=3, label=offering)
    for crossing in crossings:
        axes.axvline(float(crossing.at), linestyle=":", color="grey")
        axes.annotate(f"{crossing.before} → {crossing.after}", (float(crossing.at), axes.get_ylim()[1]),
                      rotation=90, va="top", ha="right", fontsize=7, color="dimgrey")
    if log_x:
        axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel(field)
    axes.set_ylabel("year-1 cost, USD")
    axes.set_title("ftrec sweep: year-1 cost of the leading offerings")
    axes.legend(fontsize=8)
    figure.tight_layout()
    try:
        figure.savefig(path)
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror or exc}", file=path) from None
    finally:
        plt.close(figure)
