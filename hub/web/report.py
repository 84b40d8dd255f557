"""The quarterly governance pack of a region: its agenda's sections as HTML (Jinja) and PDF
(WeasyPrint). The region page shows the same sections, read the same way."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from flask import render_template
from markupsafe import Markup
from sqlalchemy.orm import Session

from hub.errors import HubError
from hub.web import breakdowns, dashboard
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
                     slug="national-headline")
    regional = Table(f"{name} beside {dashboard.ENGLAND}, {period}",
                     ["Measure", name, dashboard.ENGLAND], slug="regional-headline")
    for measure, answer in reading.many(HEADLINE, period).items():
        england = answer["national"] if answer else None
        national.add(MEASURES[measure].title, [national.figure(england, measure)])
        regional.add(MEASURES[measure].title, [
            regional.figure(region_row(answer, code), measure, emphasis=True),
            regional.figure(england, measure)])
    return national, regional


def region_sections(session: Session, reading: Reading, region: tuple[str, str], period: str,
                    known: list[str]) -> dict[str, Any]:
    """Every section of the agenda for ``region`` in ``period``, as its reader may see it."""
    national, regional = _headline(reading, region, period)
    price_cap = dashboard.region_table(
        reading, region, period, ("agency_above_cap", "agency_above_cap_share"),
        f"Agency workers above the price cap, {region[1]}'s LAs, {period}")
    return {
        "sections": SECTIONS,
        "national": national,
        "national_panel": dashboard.regions_bars(reading, "agency_rate", period),
        "regional": regional,
        "collection": dashboard.collection_status(session, region[0], period),
        "price_cap": price_cap,
        "price_cap_panel": dashboard.la_bars(reading, region, "agency_above_cap_share", period,
                                             "price-cap-share"),
        "la_updates": dashboard.region_table(reading, region, period),
        "breaches_by_type": breakdowns.by_category(reading, region, "mou_breaches", period,
                                                   "Breaches by type", "breaches-by-type"),
        "breaches_panel": dashboard.la_bars(reading, region, "mou_breaches", period,
                                            "breaches"),
        "conversions_panel": dashboard.la_bars(reading, region, "agency_conversions", period,
                                               "conversions"),
        "trends": dashboard.region_trends(reading, region, period, known),
    }


class PdfUnavailable(HubError):
    """The host lacks what WeasyPrint needs to lay out a PDF."""

    status = 503


def build(session: Session, reading: Reading, region: tuple[str, str], period: str,
          known: list[str]) -> str:
    """The pack as one self-contained HTML document (styles and charts inline)."""
    # The hub's own file, inlined so the HTML pack stands alone; not user input.
    css = (resources.files("hub.web") / "static" / "hub.css").read_text()
    stylesheet = Markup(css)  # noqa: S704
    return render_template(
        "pack.html", region_code=region[0], region_name=region[1], period=period,
        stylesheet=stylesheet, generated_at=datetime.now(UTC).strftime("%d %B %Y %H:%M UTC"),
        **region_sections(session, reading, region, period, known))


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
