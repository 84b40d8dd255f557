"""The quarterly governance pack of a region: its agenda's sections as HTML (Jinja) and PDF
(WeasyPrint). The region page shows the same sections, read the same way."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from flask import render_template
from markupsafe import Markup
from sqlalchemy.orm import Session

from hub.errors import HubError
from hub.web import breakdowns, cover, dashboard, definitions, downloads
from hub.web.reading import HEADLINE, Reading, region_row
from hub.web.tables import Table
from policies.measures import MEASURES

#: The agenda of a quarterly governance meeting, in order: (anchor, heading).
SECTIONS = (
    ("national", "National update"),
    ("regional", "Regional update"),
    ("collection", "Data collection status"),
    ("price-cap", "Over-price-cap position"),
    ("la-updates", "Local authority updates"),
    ("breaches", "MoU breaches"),
    ("conversions", "Agency-to-permanent conversions"),
    ("trends", "Trends"),
)


def _headline(reading: Reading, region: tuple[str, str], period: str) -> tuple[Table, Table]:
    code, name = region
    national = Table(f"{dashboard.ENGLAND}, {period}", ["Measure", dashboard.ENGLAND],
                     slug="national-headline", measures=HEADLINE)
    regional = Table(f"{name} beside {dashboard.ENGLAND}, {period}",
                     ["Measure", name, dashboard.ENGLAND], slug="regional-headline",
                     measures=HEADLINE)
    for measure, answer in reading.many(HEADLINE, period).items():
        england = answer["national"] if answer else None
        national.add(MEASURES[measure].title, [national.figure(england, measure)])
        regional.add(MEASURES[measure].title, [
            regional.figure(region_row(answer, code), measure, emphasis=True),
            regional.figure(england, measure)])
    return national, regional


def _national_section(ctx: _Context) -> dict[str, Any]:
    national, _ = _headline(ctx.reading, ctx.region, ctx.period)
    return {"national": national,
            "national_panel": dashboard.regions_bars(ctx.reading, "agency_rate", ctx.period)}


def _regional_section(ctx: _Context) -> dict[str, Any]:
    return {"regional": _headline(ctx.reading, ctx.region, ctx.period)[1]}


def _collection_section(ctx: _Context) -> dict[str, Any]:
    supplies = dashboard.collection_status(ctx.session, ctx.region[0], ctx.period)
    return {"collection": supplies,
            "collection_table": dashboard.collection_table(supplies, ctx.period)}


# Each section's content is in the order the page shows it (the editable copy follows it).
def _price_cap_section(ctx: _Context) -> dict[str, Any]:
    return {
        "price_cap_panel": dashboard.la_bars(ctx.reading, ctx.region, "agency_above_cap_share",
                                             ctx.period, "price-cap-share"),
        "price_cap": dashboard.region_table(
            ctx.reading, ctx.region, ctx.period, ("agency_above_cap", "agency_above_cap_share"),
            f"Agency workers above the price cap, {ctx.region[1]}'s LAs, {ctx.period}")}


def _la_updates_section(ctx: _Context) -> dict[str, Any]:
    return {"la_updates": dashboard.region_table(ctx.reading, ctx.region, ctx.period)}


def _breaches_section(ctx: _Context) -> dict[str, Any]:
    return {
        "breaches_panel": dashboard.la_bars(ctx.reading, ctx.region, "mou_breaches",
                                            ctx.period, "breaches"),
        "breaches_by_type": breakdowns.by_category(ctx.reading, ctx.region, "mou_breaches",
                                                   ctx.period, "Breaches by type",
                                                   "breaches-by-type")}


def _conversions_section(ctx: _Context) -> dict[str, Any]:
    return {"conversions_panel": dashboard.la_bars(ctx.reading, ctx.region,
                                                   "agency_conversions", ctx.period,
                                                   "conversions")}


def _trends_section(ctx: _Context) -> dict[str, Any]:
    return {"trends": dashboard.region_trends(ctx.reading, ctx.region, ctx.period, ctx.known)}


@dataclass(frozen=True)
class _Context:
    session: Session
    reading: Reading
    region: tuple[str, str]
    period: str
    known: list[str]


_BUILDERS: dict[str, Callable[[_Context], dict[str, Any]]] = {
    "national": _national_section, "regional": _regional_section,
    "collection": _collection_section, "price-cap": _price_cap_section,
    "la-updates": _la_updates_section, "breaches": _breaches_section,
    "conversions": _conversions_section, "trends": _trends_section}


def region_sections(session: Session, reading: Reading, region: tuple[str, str], period: str,
                    known: list[str], only: str | None = None) -> dict[str, Any]:
    """The agenda's sections for ``region`` in ``period`` as its reader may see them: every
    one, or ``only`` that one (the region page shows one section at a time)."""
    ctx = _Context(session, reading, region, period, known)
    shown = [anchor for anchor, _ in SECTIONS if only in (None, anchor)]
    content: dict[str, Any] = {"sections": SECTIONS, "shown": shown}
    for anchor in shown:
        content.update(_BUILDERS[anchor](ctx))
    return content


class PdfUnavailable(HubError):
    """The host lacks what WeasyPrint needs to lay out a PDF."""

    status = 503


def build(session: Session, reading: Reading, region: tuple[str, str], period: str,
          known: list[str], commentary: dict[str, Any] | None = None) -> str:
    """The pack as one self-contained HTML document (styles and charts inline)."""
    # The hub's own files, inlined so the HTML pack stands alone; not user input.
    static = resources.files("hub.web") / "static"
    css = (static / "govuk" / "govuk-frontend.min.css").read_text() + \
        (static / "hub.css").read_text()
    stylesheet = Markup(css)  # noqa: S704
    change, previous = cover.change_since_last_quarter(reading, region, period, known)
    content = region_sections(session, reading, region, period, known)
    return render_template(
        "pack.html", region_code=region[0], region_name=region[1], period=period,
        stylesheet=stylesheet, generated_at=datetime.now(UTC).strftime("%d %B %Y %H:%M UTC"),
        marking=cover.MARKING, basis=cover.basis(reading, period), change=change,
        previous=previous, commentary=commentary or {}, pack=True,
        defined=defined_in([change, content]), **content)


def defined_in(content: Any) -> list[definitions.Definition]:
    """The definition of each measure whose figures ``content``'s tables hold: the pack's
    appendix, which the line under each of its tables points to."""
    return definitions.definitions(m for t in downloads.tables_in(content) for m in t.measures)


def to_pdf(html: str) -> bytes:
    """The pack's HTML laid out as an A4 PDF."""
    # Imported here: WeasyPrint loads Pango when imported, and only the pack needs it.
    try:
        from weasyprint import HTML
    except OSError as exc:
        raise PdfUnavailable("The PDF pack needs the Pango library on the hub's host "
                             "(Debian: libpango-1.0-0 libpangoft2-1.0-0); the HTML pack "
                             "works without it.") from exc

    # It warns of every browser-only CSS rule it skips (media queries, SVG presentation
    # properties it reads elsewhere): noise in the hub's log on each download.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


def file_name(region: str, period: str, fmt: str) -> str:
    """The name a downloaded or written pack gets."""
    return f"governance-pack-{region}-{period}.{fmt}"
