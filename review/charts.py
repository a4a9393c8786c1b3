"""Server-rendered SVG charts for the dashboard: no JavaScript, no external resource, and every
label escaped (category, kecamatan and source names come from harvested or configured text).

The SVG uses presentation attributes only (``fill``, ``width`` ...): the CSP forbids inline styles.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

BAR = "#0b5cad"
TEXT = "#1d2433"
MUTED = "#5b6578"
GRID = "#d9dee7"


def _clip(label: str, size: int) -> str:
    return label if len(label) <= size else label[: size - 1] + "…"


def _number(value: int) -> str:
    return f"{value:,}".replace(",", ".")  # Indonesian thousands separator


def hbar_chart(title: str, rows: Sequence[tuple[str, int]], *, width: int = 340, bar_height: int = 22,
               label_width: int = 135, empty: str = "Belum ada data.") -> Markup:
    """A horizontal bar chart: one bar per (label, value), the value printed after the bar."""
    if not rows:
        return Markup('<p class="muted">{}</p>').format(empty)
    top = max(value for _, value in rows) or 1
    gap = 6
    height = len(rows) * (bar_height + gap) + gap
    plot = width - label_width - 40
    chars = max(6, label_width // 8)  # what fits left of the bars at font-size 14
    parts = [Markup('<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {w} {h}" '
                    'width="{w}" height="{h}" font-family="system-ui, sans-serif"><title>{t}</title>')
             .format(w=width, h=height, t=escape(title))]
    for index, (label, value) in enumerate(rows):
        y = gap + index * (bar_height + gap)
        length = max(1, round(plot * value / top)) if value else 0
        parts.append(Markup(
            '<g><title>{full}: {n}</title>'
            '<text x="{lx}" y="{ty}" text-anchor="end" fill="{text}" font-size="14">{label}</text>'
            '<rect x="{bx}" y="{y}" width="{bw}" height="{bh}" fill="{bar}" rx="2"></rect>'
            '<text x="{nx}" y="{ty}" fill="{text}" font-size="14">{n}</text></g>'
        ).format(full=escape(label), n=_number(value), lx=label_width - 8, ty=y + bar_height * 0.7, text=TEXT,
                 label=escape(_clip(label, chars)), bx=label_width, y=y, bw=length, bh=bar_height, bar=BAR,
                 nx=label_width + length + 6))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def trend_chart(title: str, rows: Sequence[tuple[str, int]], *, width: int = 960, height: int = 240) -> Markup:
    """Vertical bars (one per period, oldest first) joined by a line, each value printed above."""
    if not rows:
        return Markup('<p class="muted">Belum ada data.</p>')
    top = max(value for _, value in rows) or 1
    left, bottom, head = 10, 40, 22
    plot_h = height - bottom - head
    step = (width - 2 * left) / len(rows)
    bar_w = step * 0.6
    parts = [Markup('<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {w} {h}" '
                    'width="{w}" height="{h}" font-family="system-ui, sans-serif"><title>{t}</title>'
                    '<line x1="{l}" y1="{base}" x2="{r}" y2="{base}" stroke="{grid}"></line>')
             .format(w=width, h=height, t=escape(title), l=left, r=width - left, base=head + plot_h, grid=GRID)]
    points = []
    for index, (label, value) in enumerate(rows):
        bar_h = round(plot_h * value / top)
        x = left + index * step + (step - bar_w) / 2
        y = head + plot_h - bar_h
        cx = x + bar_w / 2
        points.append(f"{cx:.1f},{y}")
        parts.append(Markup(
            '<g><title>{label}: {n}</title>'
            '<rect x="{x:.1f}" y="{y}" width="{bw:.1f}" height="{bh}" fill="{bar}" fill-opacity="0.35"></rect>'
            '<text x="{cx:.1f}" y="{ny}" text-anchor="middle" fill="{text}" font-size="12">{n}</text>'
            '<text x="{cx:.1f}" y="{ly}" text-anchor="middle" fill="{muted}" font-size="11">{label}</text></g>'
        ).format(label=escape(label), n=_number(value), x=x, y=y, bw=bar_w, bh=bar_h, bar=BAR, cx=cx, ny=y - 5,
                 text=TEXT, ly=head + plot_h + 16, muted=MUTED))
    parts.append(Markup('<polyline points="{p}" fill="none" stroke="{bar}" stroke-width="2"></polyline>')
                 .format(p=" ".join(points), bar=BAR))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


__all__ = ["escape", "hbar_chart", "trend_chart"]
