"""Charts drawn on the server as SVG with matplotlib: no script, nothing fetched, the same
picture in the browser, the HTML pack and the PDF (and, drawn again as PNG, in the editable
copy). Each chart carries a <title> and a <desc> (its text alternative) and is shown beside a
table of the same figures."""

from __future__ import annotations

import hashlib
import html
import io
import json
import os
import re
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path

import matplotlib
from flask import current_app, has_app_context
from markupsafe import Markup
from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure

from hub.web.tables import format_value
from policies.measures import Unit

# Okabe and Ito's palette: told apart by people with any common colour-vision deficiency.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
PLAIN, HIGHLIGHT, INK = "#8da9c4", "#0b3c5d", "#222222"
STYLES = ("-", "--", ":", "-.")
CACHED_CHARTS = 512
# rc_context changes matplotlib's global settings: one chart is drawn at a time.
_LOCK = threading.Lock()
_OPENING = re.compile(r"^.*?<svg\b[^>]*?>", re.DOTALL)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)
_MARKER_WORDS = {"c": "withheld", "x": "not available", "z": "not applicable"}
_IDS = re.compile(r'(\bid="|url\(#|href="#)([^"\)]+)')
#: What else a drawn chart depends on: this module's code and the drawing library's version.
_DRAWN_BY = hashlib.sha256(Path(__file__).read_bytes()
                           + matplotlib.__version__.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Chart:
    """An SVG chart, its title, and the sentence a reader gets in place of the picture."""

    slug: str
    title: str
    description: str
    svg: Markup
    #: Draws the same picture again, for a format other than SVG (the DOCX's PNG).
    redraw: Callable[[], Figure] = field(compare=False, repr=False)


#: Resolution of a chart drawn as PNG: sharp when printed at the page's width.
PNG_DPI = 200


def png(chart: Chart, dpi: int = PNG_DPI) -> bytes:
    """``chart`` drawn as a PNG by the same code as its SVG (Word documents take no SVG)."""
    buffer = io.BytesIO()
    figure = chart.redraw()
    figure.patch.set_alpha(1)  # a transparent background prints grey in some viewers
    figure.set_dpi(dpi)
    with _LOCK:
        FigureCanvasAgg(figure).print_png(buffer, metadata={"Software": None})
    return buffer.getvalue()


def _render(figure: Figure, slug: str, title: str, description: str,
            redraw: Callable[[], Figure]) -> Chart:
    buffer = io.StringIO()
    with _LOCK, rc_context({"svg.fonttype": "none", "svg.hashsalt": "hub"}):
        FigureCanvasSVG(figure).print_svg(buffer, metadata={"Date": None})
    body = _local_ids(_METADATA.sub("", buffer.getvalue()), slug)
    opening = _OPENING.match(body)
    assert opening is not None
    view_box = re.search(r'viewBox="([^"]+)"', opening.group(0))
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" '
            f'xmlns:xlink="http://www.w3.org/1999/xlink" class="chart" role="img" '
            f'viewBox="{view_box.group(1) if view_box else "0 0 460 230"}" '
            f'aria-labelledby="{slug}-title {slug}-desc">'
            f'<title id="{slug}-title">{html.escape(title)}</title>'
            f'<desc id="{slug}-desc">{html.escape(description)}</desc>')
    # matplotlib escapes the labels it writes, and the title and description are escaped above.
    return Chart(slug, title, description,
                 Markup(head + body[opening.end():]), redraw)  # noqa: S704


def _local_ids(svg: str, slug: str) -> str:
    """Every id (and reference to one) prefixed with ``slug``: matplotlib numbers its ids from
    1 in each chart, and a page holds many charts."""
    return _IDS.sub(lambda m: f"{m.group(1)}{slug}-{m.group(2)}", svg)


def _figure(width: float, height: float) -> Figure:
    # Margins are set by hand: matplotlib's automatic layout costs as much as the drawing.
    figure = Figure(figsize=(width, height))
    figure.patch.set_alpha(0)
    return figure


def _tidy(axes: object) -> None:
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)  # type: ignore[attr-defined]
    axes.tick_params(colors=INK, labelsize=8)  # type: ignore[attr-defined]


def _kept(kind: str, data: object, draw: Callable[[], Chart],
          redraw: Callable[[], Figure]) -> Chart:
    """The chart ``draw`` makes of ``data``, kept as a file under the hub's data directory
    (where there is an app) by the exact data drawn: the hub's other processes, and this one
    after a restart, read it rather than draw it again (a region of 330 LAs takes matplotlib
    seconds)."""
    if not has_app_context():
        return draw()
    key = hashlib.sha256(repr((kind, _DRAWN_BY, data)).encode()).hexdigest()
    directory = Path(current_app.config["HUB_SETTINGS"].var_dir) / "charts"
    path = directory / f"{key}.json"
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
        return Chart(kept["slug"], kept["title"], kept["description"],
                     Markup(kept["svg"]),  # noqa: S704 -- written by _kept below, from _render
                     redraw)
    except (OSError, ValueError, KeyError):
        pass  # not drawn yet, or unreadable: drawn again below
    chart = draw()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        # Written whole then renamed: a reader in another process never sees half a chart.
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=directory,
                                         suffix=".tmp", delete=False) as out:
            json.dump({"slug": chart.slug, "title": chart.title,
                       "description": chart.description, "svg": str(chart.svg)}, out)
        os.replace(out.name, path)
    except OSError:
        pass  # a data directory that cannot be written costs a redraw, nothing else
    return chart


# Charts depend only on their arguments, and the same figures are drawn for every reader of an
# organisation: a drawn chart is kept (in this process, and as a file for the others), and
# redrawn only when a figure changes.
@lru_cache(maxsize=CACHED_CHARTS)
def bars(slug: str, title: str, unit: Unit, rows: tuple[tuple[str, float | None, str], ...],
         highlight: frozenset[str] = frozenset()) -> Chart:
    """Horizontal bars, one per row (label, value or None, marker text); ``highlight`` labels
    are drawn darker. Rows with no value show their marker at zero."""
    redraw = partial(_bars_figure, unit, rows, highlight)
    # A frozenset's order differs between processes: the key holds it sorted.
    return _kept("bars", (slug, title, unit.value, rows, sorted(highlight)),
                 lambda: _render(redraw(), slug, title, _describe_bars(title, unit, rows),
                                 redraw), redraw)


def _bars_figure(unit: Unit, rows: tuple[tuple[str, float | None, str], ...],
                 highlight: frozenset[str]) -> Figure:
    width, height = 6.4, 0.24 * len(rows) + 0.8
    figure = _figure(width, height)
    # Room for the longest label at 8 points (about 0.07 inch a character), and the axis below.
    left = min(0.5, (0.2 + 0.07 * max((len(r[0]) for r in rows), default=1)) / width)
    figure.subplots_adjust(left=left, right=0.97, top=1 - 0.1 / height, bottom=0.6 / height)
    axes = figure.add_subplot()
    labels = [label for label, _, _ in rows]
    positions = range(len(rows))
    values = [value or 0.0 for _, value, _ in rows]
    colours = [HIGHLIGHT if label in highlight else PLAIN for label in labels]
    axes.barh(list(positions), values, color=colours, height=0.7)
    for position, (_, value, marker) in zip(positions, rows, strict=True):
        # A withheld figure is written out, never drawn as a short bar, and a zero says so:
        # the two must not look alike.
        if value is None:
            axes.text(0, position, f" {marker}: {_MARKER_WORDS.get(marker, 'not shown')}",
                      va="center", fontsize=7, color=INK, style="italic")
        elif value == 0:
            axes.text(0, position, " 0", va="center", fontsize=7, color=INK)
    axes.set_yticks(list(positions), labels)
    axes.invert_yaxis()
    axes.set_xlabel(_axis_label(unit), fontsize=8)
    _tidy(axes)
    return figure


@lru_cache(maxsize=CACHED_CHARTS)
def lines(slug: str, title: str, unit: Unit, periods: tuple[str, ...],
          series: tuple[tuple[str, tuple[float | None, ...]], ...]) -> Chart:
    """One line per series over ``periods``; a period with no value leaves a gap."""
    redraw = partial(_lines_figure, unit, periods, series)
    return _kept("lines", (slug, title, unit.value, periods, series),
                 lambda: _render(redraw(), slug, title,
                                 _describe_lines(title, unit, periods, series), redraw), redraw)


def _lines_figure(unit: Unit, periods: tuple[str, ...],
                  series: tuple[tuple[str, tuple[float | None, ...]], ...]) -> Figure:
    figure = _figure(6.4, 2.8)
    figure.subplots_adjust(left=0.1, right=0.98, top=0.95, bottom=0.25)
    axes = figure.add_subplot()
    for index, (name, values) in enumerate(series):
        points = [float("nan") if v is None else v for v in values]
        axes.plot(list(periods), points, label=name, color=PALETTE[index % len(PALETTE)],
                  linestyle=STYLES[index % len(STYLES)], marker="o", markersize=4, linewidth=2)
    axes.set_ylabel(_axis_label(unit), fontsize=8)
    axes.set_ylim(bottom=0)
    axes.legend(fontsize=8, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.12),
                ncols=min(4, len(series)))
    _tidy(axes)
    return figure


def _axis_label(unit: Unit) -> str:
    return {Unit.PERCENT: "per cent", Unit.FTE: "full-time equivalent",
            Unit.HEADCOUNT: "people", Unit.COUNT: "number",
            Unit.CASES_PER_FTE: "cases per FTE", Unit.DAYS: "days"}[unit]


def _describe_bars(title: str, unit: Unit, rows: Sequence[tuple[str, float | None, str]]
                   ) -> str:
    known = [(label, value) for label, value, _ in rows if value is not None]
    withheld = len(rows) - len(known)
    if not known:
        return f"{title}: no figure can be shown ({withheld} withheld or not available)."
    high = max(known, key=lambda pair: pair[1])
    low = min(known, key=lambda pair: pair[1])
    text = (f"{title}: {len(known)} figures, highest {high[0]} at "
            f"{format_value(high[1], unit)}, lowest {low[0]} at {format_value(low[1], unit)}")
    return text + (f"; {withheld} withheld or not available." if withheld else ".")


def _describe_lines(title: str, unit: Unit, periods: Sequence[str],
                    series: Sequence[tuple[str, Sequence[float | None]]]) -> str:
    parts = []
    for name, values in series:
        known = [(p, v) for p, v in zip(periods, values, strict=True) if v is not None]
        if known:
            parts.append(f"{name} from {format_value(known[0][1], unit)} in {known[0][0]} to "
                         f"{format_value(known[-1][1], unit)} in {known[-1][0]}")
        else:
            parts.append(f"{name} not available")
    if not periods:
        return f"{title}: no periods yet."
    return f"{title}, {periods[0]} to {periods[-1]}: " + "; ".join(parts) + "."
