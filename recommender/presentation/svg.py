"""Charts as inline SVG for the web page: no script, no external file, readable on a phone.

`year_one_chart` draws each ranked offering's year-1 total as a bar with the hidden-cost range as
a whisker beside it; `volume_chart` draws year-1 against monthly volume from a sweep, with the
crossovers marked. They read the decision's and the sweep's JSON objects. Coordinates are floats:
they place marks, they are never money (every figure printed comes from the JSON's text).
"""

from __future__ import annotations

import math
from decimal import Decimal
from html import escape
from typing import Callable, Optional

from recommender.domain.units import dollars, tokens

WIDTH = 520
PALETTE = ("#1f6feb", "#c2410c", "#15803d", "#7e22ce", "#be123c", "#0e7490")
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
LOG_WHEN = 20  # a log scale once the largest figure is this many times the smallest


# --- scales ---------------------------------------------------------------------------------


class Scale:
    """Maps values in [low, high] onto [start, end] pixels, linearly or on a log scale."""

    def __init__(self, low: float, high: float, start: float, end: float, log: bool):
        self.log = log
        self.low, self.high = (math.log10(low), math.log10(high)) if log else (low, high)
        if self.high <= self.low:
            self.high = self.low + 1
        self.start, self.end = start, end

    def __call__(self, value: float) -> float:
        x = math.log10(max(value, 10 ** self.low)) if self.log else value
        return self.start + (x - self.low) / (self.high - self.low) * (self.end - self.start)


def _log_bounds(values: list[float]) -> tuple[float, float]:
    """The nearest 1-2-5 steps around the values (e.g. $100 to $20K), so little of the axis is empty."""
    positive = [v for v in values if v > 0] or [1.0]
    steps = [m * 10.0 ** e for e in range(-3, 16) for m in (1, 2, 5)]
    low = max((s for s in steps if s <= min(positive)), default=steps[0])
    high = min((s for s in steps if s >= max(positive)), default=steps[-1])
    return low, high


def _nice_step(span: float) -> float:
    raw = span / 4
    magnitude = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)


def _ticks(low: float, high: float, log: bool) -> list[float]:
    if log:
        powers = [10.0 ** e for e in range(math.ceil(math.log10(low) - 1e-9), math.floor(math.log10(high) + 1e-9) + 1)]
        ends = [end for end in (low, high) if all(max(end, p) / min(end, p) >= 2 for p in powers)]
        return sorted(powers + ends)
    step = _nice_step(high - low)
    return [i * step for i in range(int(high // step) + 2) if i * step <= high * 1.0001]


def _money_tick(value: float) -> str:
    if value >= 1000:
        return f"${tokens(int(value))}"
    return f"${value:g}"


def _money_scale(values: list[float], start: float, end: float) -> tuple[Scale, list[float]]:
    positive = [v for v in values if v > 0]
    log = bool(positive) and max(positive) / min(positive) > LOG_WHEN
    if log:
        low, high = _log_bounds(values)
    else:
        low, high = 0.0, max(values + [1.0])
        high = _ticks(0, high * 1.05, False)[-1] if high else 1.0
        high = max(high, max(values + [1.0]))
    return Scale(low, high, start, end, log), _ticks(low, high, log)


# --- SVG pieces -----------------------------------------------------------------------------


def _svg(height: float, title: str, body: list[str], description: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}" role="img" '
            f'aria-labelledby="t d" class="chart" font-family="{FONT}" font-size="13">'
            f'<title id="t">{escape(title)}</title><desc id="d">{escape(description)}</desc>'
            + "".join(body) + "</svg>")


def _text(x: float, y: float, text: str, anchor: str = "start", size: int = 13, fill: str = "#1f2328",
          weight: str = "normal", extra: str = "") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" fill="{fill}" '
            f'font-weight="{weight}"{extra}>{escape(text)}</text>')


def _line(x1: float, y1: float, x2: float, y2: float, stroke: str, width: float = 1, dash: str = "") -> str:
    dashed = f' stroke-dasharray="{dash}"' if dash else ""
    return (f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{stroke}" '
            f'stroke-width="{width}"{dashed}/>')


def _x_axis(scale: Scale, ticks: list[float], top: float, bottom: float, label: Callable[[float], str]) -> list[str]:
    parts = []
    for tick in ticks:
        x = scale(tick)
        parts.append(_line(x, top, x, bottom, "#d0d7de", 1))
        parts.append(_text(x, bottom + 16, label(tick), "middle", 12, "#57606a"))
    return parts


# --- year-1 per offering --------------------------------------------------------------------


def _hidden_range(rec: dict) -> Optional[tuple[Decimal, Decimal]]:
    hidden = rec["cost"].get("hidden")
    if not hidden:
        return None
    year_one = Decimal(rec["cost"]["year_one"])
    return year_one + Decimal(hidden["low"]), year_one + Decimal(hidden["high"])


def year_one_chart(decision: dict, limit: int = 8) -> str:
    """Horizontal bars: each ranked offering's year-1 total; a whisker spans year-1 plus the
    hidden-cost range (001's data preparation and evaluation), which year-1 leaves out."""
    recs = decision["recommendations"][:limit]
    if not recs:
        return ""
    left, right, row, top = 20.0, WIDTH - 28.0, 42.0, 28.0
    figures = [float(r["cost"]["year_one"]) for r in recs]
    ranges = {r["offering"]: _hidden_range(r) for r in recs}
    scale, ticks = _money_scale(figures + [float(h) for pair in ranges.values() if pair for h in pair], left, right)
    bottom = top + row * len(recs)
    body = [_text(left, 16, "Year-1 total per offering" + (" (log scale)" if scale.log else ""), weight="600")]
    body += _x_axis(scale, ticks, top - 4, bottom, _money_tick)
    for index, rec in enumerate(recs):
        body += _bar(rec, ranges[rec["offering"]], scale, left, top + index * row)
    legend_y = bottom + 38
    body += [f'<rect x="{left}" y="{legend_y - 9}" width="14" height="10" fill="{PALETTE[0]}"/>',
             _text(left + 20, legend_y, "year-1 (training + 12 months)", size=12, fill="#57606a")]
    if any(ranges.values()):
        body += [_line(left, legend_y + 14, left + 14, legend_y + 14, "#57606a", 1.5),
                 _text(left + 20, legend_y + 18, "year-1 plus hidden costs, low – high (AITOT guide; not in year-1)",
                       size=12, fill="#57606a")]
        legend_y += 18
    description = "; ".join(f"#{r['rank']} {r['offering']}: year-1 {dollars(r['cost']['year_one'])}" for r in recs)
    return _svg(legend_y + 10, "Year-1 total per offering, hidden-cost range as whiskers", body, description)


def _bar(rec: dict, hidden: Optional[tuple[Decimal, Decimal]], scale: Scale, left: float, y: float) -> list[str]:
    cost = rec["cost"]
    lower = not cost["complete"]
    label = f"#{rec['rank']} {rec['offering']} · {dollars(cost['year_one'], lower)}"
    tip = label + (f" (with hidden costs {dollars(str(hidden[0]))} – {dollars(str(hidden[1]))})" if hidden else "")
    end = scale(float(cost["year_one"]))
    fill = PALETTE[0] if not lower else "#8fb8f5"
    parts = [_text(left, y + 12, label, size=12),
             f'<rect x="{left:.1f}" y="{y + 17:.1f}" width="{max(end - left, 1.5):.1f}" height="14" fill="{fill}" '
             f'rx="2"><title>{escape(tip)}</title></rect>']
    if hidden:
        low, high, middle = scale(float(hidden[0])), scale(float(hidden[1])), y + 24
        parts += [_line(low, middle, high, middle, "#57606a", 1.5), _line(low, middle - 5, low, middle + 5, "#57606a", 1.5),
                  _line(high, middle - 5, high, middle + 5, "#57606a", 1.5)]
    return parts


# --- year-1 over monthly volume -------------------------------------------------------------


def _series(sweep: dict, limit: int) -> dict[str, list[tuple[float, float]]]:
    """Each offering's year-1 at the points where it is among the sweep's leaders."""
    order: list[str] = []
    for point in sweep["points"]:
        order += [e["offering"] for e in point["top"] if e["offering"] not in order]
    series: dict[str, list[tuple[float, float]]] = {o: [] for o in order[:limit]}
    for point in sweep["points"]:
        for entry in point["top"]:
            if entry["offering"] in series:
                series[entry["offering"]].append((float(point["value"]), float(entry["year_one"])))
    return series


def volume_chart(sweep: dict, current: Optional[int] = None, limit: int = 4) -> str:
    """Year-1 of the leading offerings as monthly volume varies (log scale), crossovers dashed."""
    series = _series(sweep, limit)
    xs = [float(p["value"]) for p in sweep["points"]]
    if len(xs) < 2 or not series:
        return ""
    left, right, top = 58.0, WIDTH - 24.0, 30.0
    bottom = top + 250
    x_scale = Scale(min(xs), max(xs), left, right, sweep["spacing"] == "log")
    ys = [y for line in series.values() for _, y in line]
    y_scale, y_ticks = _money_scale(ys, bottom, top)
    body = [_text(12, 16, f"Year-1 total by monthly volume{' (log scales)' if y_scale.log else ''}", weight="600")]
    body += _y_axis(y_scale, y_ticks, left, right)
    body += _x_axis(x_scale, _volume_ticks(min(xs), max(xs)), bottom, bottom, lambda v: tokens(int(v)))
    body += [_line(left, bottom, right, bottom, "#57606a")]
    if current:
        x = x_scale(float(current))
        body += [_line(x, top, x, bottom, "#1f2328", 1.5), _text(x + 4, top + 10, "you", size=11, weight="600")]
    body += _crossings(sweep, x_scale, top, bottom)
    for index, (offering, points) in enumerate(series.items()):
        body += _polyline(points, x_scale, y_scale, PALETTE[index % len(PALETTE)], offering)
    legend_y = bottom + 40
    for index, offering in enumerate(series):
        y = legend_y + index * 18
        body += [_line(12, y - 4, 36, y - 4, PALETTE[index % len(PALETTE)], 3), _text(42, y, offering, size=12)]
    lines = _crossing_labels(sweep)
    for index, text in enumerate(lines):
        body.append(_text(12, legend_y + len(series) * 18 + index * 18, text, size=12, fill="#57606a"))
    height = legend_y + (len(series) + len(lines)) * 18
    description = f"{sweep['field']} from {tokens(int(min(xs)))} to {tokens(int(max(xs)))}; " + "; ".join(lines)
    return _svg(height, "Year-1 total of the leading offerings by monthly volume", body, description)


def _volume_ticks(low: float, high: float) -> list[float]:
    ticks = [10.0 ** e for e in range(math.ceil(math.log10(low)), math.floor(math.log10(high)) + 1)]
    return ticks if len(ticks) >= 2 else [low, high]


def _y_axis(scale: Scale, ticks: list[float], left: float, right: float) -> list[str]:
    parts = []
    for tick in ticks:
        y = scale(tick)
        parts += [_line(left, y, right, y, "#d0d7de"), _text(left - 6, y + 4, _money_tick(tick), "end", 12, "#57606a")]
    return parts


def _polyline(points: list[tuple[float, float]], x_scale: Scale, y_scale: Scale, colour: str, name: str) -> list[str]:
    placed = " ".join(f"{x_scale(x):.1f},{y_scale(y):.1f}" for x, y in points)
    dots = "".join(f'<circle cx="{x_scale(x):.1f}" cy="{y_scale(y):.1f}" r="2.5" fill="{colour}"/>' for x, y in points)
    return [f'<g><title>{escape(name)}</title><polyline points="{placed}" fill="none" stroke="{colour}" '
            f'stroke-width="2.5"/>{dots}</g>']


def _crossings(sweep: dict, x_scale: Scale, top: float, bottom: float) -> list[str]:
    parts = []
    for number, crossing in enumerate(sweep["crossovers"], start=1):
        x = x_scale(float(crossing["first_after"]))
        parts += [_line(x, top, x, bottom, "#6e7781", 1.2, "5 4"),
                  f'<g class="crossover">{_text(x, top - 4, str(number), "middle", 11, "#57606a", "600")}</g>']
    return parts


def _crossing_labels(sweep: dict) -> list[str]:
    return [f"{number}: {c['kind']}: {c['from']} → {c['to']} at {tokens(int(c['first_after']))} tokens a month"
            for number, c in enumerate(sweep["crossovers"], start=1)]
