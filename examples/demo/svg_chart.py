"""A small SVG line-chart writer (no plotting dependency).

A :class:`Figure` holds panels placed on a page; a :class:`Panel` draws lines on linear or
logarithmic axes with ticks, a title and a legend. ``Figure.svg()`` returns the document.

    fig = Figure(800, 300, title="demo")
    p = fig.panel(60, 40, 700, 220, title="a sine", xlabel="step")
    p.line(xs, ys, color="#1f77b4", label="sin")
    open("out.svg", "w").write(fig.svg())
"""

from __future__ import annotations

import math
from typing import List, Optional, Sequence, Tuple
from xml.sax.saxutils import escape

FONT = "font-family=\"Helvetica, Arial, sans-serif\""


def nice_ticks(lo: float, hi: float, count: int = 5) -> List[float]:
    """About `count` round tick values (1, 2 or 5 times a power of ten apart) in [lo, hi]."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [lo]
    raw = (hi - lo) / max(count, 1)
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(lo / step - 1e-9) * step
    ticks = []
    v = first
    while v <= hi + 1e-9 * step:
        ticks.append(0.0 if abs(v) < 1e-12 * step else v)
        v += step
    return ticks


def log_ticks(lo: float, hi: float) -> List[float]:
    """The powers of ten in [lo, hi] (lo > 0)."""
    return [10.0 ** e for e in range(math.ceil(math.log10(lo) - 1e-9), math.floor(math.log10(hi) + 1e-9) + 1)]


def format_tick(v: float) -> str:
    """A short label: 0.001, 0.5, 12, 1e+04."""
    if v == 0:
        return "0"
    if abs(v) >= 1e6 or abs(v) < 1e-3:
        return f"{v:.0e}"
    return f"{v:g}"


def thin(xs: Sequence[float], ys: Sequence[float], limit: int) -> Tuple[List[float], List[float]]:
    """At most about `limit` points, evenly spaced, the last one kept."""
    n = len(xs)
    if n <= limit:
        return list(xs), list(ys)
    k = math.ceil(n / limit)
    idx = list(range(0, n, k))
    if idx[-1] != n - 1:
        idx.append(n - 1)
    return [xs[i] for i in idx], [ys[i] for i in idx]


class Panel:
    """One chart: a plot area at (x, y) of size (w, h) on the page, axes, lines, legend."""

    def __init__(self, x: float, y: float, w: float, h: float, title: str = "", xlabel: str = "",
                 ylabel: str = "", log_y: bool = False) -> None:
        self.x, self.y, self.w, self.h = x, y, w, h
        self.title, self.xlabel, self.ylabel, self.log_y = title, xlabel, ylabel, log_y
        self.lines: List[Tuple[List[float], List[float], str, str, str, float]] = []
        self.x_range: Optional[Tuple[float, float]] = None
        self.y_range: Optional[Tuple[float, float]] = None

    def line(self, xs: Sequence[float], ys: Sequence[float], color: str, label: str = "",
             dash: str = "", width: float = 1.5, max_points: int = 1200) -> None:
        """Adds a polyline (non-finite points, and points <= 0 on a log axis, are skipped)."""
        keep = [(float(a), float(b)) for a, b in zip(xs, ys)
                if math.isfinite(a) and math.isfinite(b) and (b > 0 or not self.log_y)]
        px, py = thin([p[0] for p in keep], [p[1] for p in keep], max_points)
        self.lines.append((px, py, color, label, dash, width))

    def _ranges(self) -> Tuple[float, float, float, float]:
        xs = [v for line in self.lines for v in line[0]]
        ys = [v for line in self.lines for v in line[1]]
        x0, x1 = self.x_range or ((min(xs), max(xs)) if xs else (0.0, 1.0))
        if self.y_range:
            y0, y1 = self.y_range
        elif ys:
            y0, y1 = min(ys), max(ys)
            if self.log_y:
                y0, y1 = 10 ** math.floor(math.log10(y0)), 10 ** math.ceil(math.log10(y1))
            else:
                pad = 0.05 * (y1 - y0 or 1.0)
                y0, y1 = y0 - pad, y1 + pad
        else:
            y0, y1 = (0.1, 1.0) if self.log_y else (0.0, 1.0)
        if x1 <= x0:
            x1 = x0 + 1
        if y1 <= y0:
            y1 = y0 * 10 if self.log_y else y0 + 1
        return x0, x1, y0, y1

    def svg(self) -> str:
        x0, x1, y0, y1 = self._ranges()

        def sx(v: float) -> float:
            return self.x + (v - x0) / (x1 - x0) * self.w

        def sy(v: float) -> float:
            if self.log_y:
                f = (math.log10(v) - math.log10(y0)) / (math.log10(y1) - math.log10(y0))
            else:
                f = (v - y0) / (y1 - y0)
            return self.y + self.h - f * self.h

        out = [f'<rect x="{self.x:.1f}" y="{self.y:.1f}" width="{self.w:.1f}" height="{self.h:.1f}" '
               f'fill="#ffffff" stroke="#999999" stroke-width="1"/>']
        # Grid and tick labels.
        for v in nice_ticks(x0, x1, 6):
            px = sx(v)
            out.append(f'<line x1="{px:.1f}" y1="{self.y:.1f}" x2="{px:.1f}" y2="{self.y + self.h:.1f}" stroke="#eeeeee"/>')
            out.append(f'<text x="{px:.1f}" y="{self.y + self.h + 14:.1f}" font-size="10" text-anchor="middle" {FONT} fill="#444444">{format_tick(v)}</text>')
        for v in (log_ticks(y0, y1) if self.log_y else nice_ticks(y0, y1, 5)):
            py = sy(v)
            out.append(f'<line x1="{self.x:.1f}" y1="{py:.1f}" x2="{self.x + self.w:.1f}" y2="{py:.1f}" stroke="#eeeeee"/>')
            out.append(f'<text x="{self.x - 5:.1f}" y="{py + 3:.1f}" font-size="10" text-anchor="end" {FONT} fill="#444444">{format_tick(v)}</text>')
        # Lines, clipped to the plot area.
        clip = f"clip{int(self.x)}_{int(self.y)}"
        out.append(f'<clipPath id="{clip}"><rect x="{self.x:.1f}" y="{self.y:.1f}" width="{self.w:.1f}" height="{self.h:.1f}"/></clipPath>')
        for xs, ys, color, _label, dash, width in self.lines:
            if not xs:
                continue
            pts = " ".join(f"{sx(a):.1f},{sy(b):.1f}" for a, b in zip(xs, ys))
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            out.append(f'<polyline points="{pts}" fill="none" stroke="{color}" stroke-width="{width}"'
                       f'{dash_attr} stroke-linejoin="round" clip-path="url(#{clip})"/>')
        # Title, axis labels, legend.
        if self.title:
            out.append(f'<text x="{self.x:.1f}" y="{self.y - 8:.1f}" font-size="12" font-weight="bold" {FONT} fill="#222222">{escape(self.title)}</text>')
        if self.xlabel:
            out.append(f'<text x="{self.x + self.w / 2:.1f}" y="{self.y + self.h + 28:.1f}" font-size="10" text-anchor="middle" {FONT} fill="#444444">{escape(self.xlabel)}</text>')
        if self.ylabel:
            cx, cy = self.x - 38, self.y + self.h / 2
            out.append(f'<text x="{cx:.1f}" y="{cy:.1f}" font-size="10" text-anchor="middle" {FONT} fill="#444444" '
                       f'transform="rotate(-90 {cx:.1f} {cy:.1f})">{escape(self.ylabel)}</text>')
        labelled = [line for line in self.lines if line[3]]
        if labelled:
            width = 36 + 6 * max(len(line[3]) for line in labelled)
            out.append(f'<rect x="{self.x + self.w - 196:.1f}" y="{self.y + 4:.1f}" width="{width:.1f}" '
                       f'height="{14 * len(labelled) + 6:.1f}" fill="#ffffff" fill-opacity="0.85" stroke="#dddddd"/>')
        for i, (_xs, _ys, color, label, dash, _w) in enumerate(labelled):
            ly = self.y + 14 + 14 * i
            lx = self.x + self.w - 190
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            out.append(f'<line x1="{lx:.1f}" y1="{ly - 4:.1f}" x2="{lx + 22:.1f}" y2="{ly - 4:.1f}" stroke="{color}" stroke-width="2"{dash_attr}/>')
            out.append(f'<text x="{lx + 28:.1f}" y="{ly:.1f}" font-size="10" {FONT} fill="#222222">{escape(label)}</text>')
        return "\n".join(out)


class Figure:
    """A page of panels."""

    def __init__(self, width: int, height: int, title: str = "", subtitle: str = "") -> None:
        self.width, self.height, self.title, self.subtitle = width, height, title, subtitle
        self.panels: List[Panel] = []

    def panel(self, x: float, y: float, w: float, h: float, **kwargs) -> Panel:
        """Adds and returns a panel whose plot area is (x, y, w, h)."""
        p = Panel(x, y, w, h, **kwargs)
        self.panels.append(p)
        return p

    def svg(self) -> str:
        head = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.width}" height="{self.height}" '
                f'viewBox="0 0 {self.width} {self.height}">',
                f'<rect width="{self.width}" height="{self.height}" fill="#fafafa"/>']
        if self.title:
            head.append(f'<text x="20" y="24" font-size="15" font-weight="bold" {FONT} fill="#111111">{escape(self.title)}</text>')
        if self.subtitle:
            head.append(f'<text x="20" y="42" font-size="11" {FONT} fill="#444444">{escape(self.subtitle)}</text>')
        return "\n".join(head + [p.svg() for p in self.panels] + ["</svg>", ""])
