"""The figures pages: an LA's, a region's, the comparison of regions, NARE's national page,
and the region's governance pack. Each parses, reads as the person's organisation, renders."""

from __future__ import annotations

from flask import Response, abort, render_template, request

from hub.benchmarks.extension import get_benchmarks
from hub.db import get_session
from hub.decisions.store import get_policy_set
from hub.organisations import service as organisations
from hub.organisations.models import OrgKind
from hub.web import dashboard, report
from hub.web.reading import Reading, choose_period
from hub.web.views import blp, current_person, signed_in

LA, REGION, NARE = OrgKind.LOCAL_AUTHORITY, OrgKind.REGION, OrgKind.NARE


def _reading() -> Reading:
    return Reading(get_session(), get_benchmarks(), get_policy_set(),
                   current_person().principal)


def _own(code: str) -> None:
    # A person sees their own organisation's page; any other is refused, never shown.
    if code != current_person().org_code:
        abort(403)


def _period() -> tuple[str | None, list[str]]:
    return choose_period(get_session(), request.args.get("period"))


@blp.get("/la/<code>")
@signed_in(LA)
def la_page(code: str) -> str:
    """An LA's figures beside its region's and England's, its quartiles and its trends."""
    _own(code)
    session = get_session()
    la = organisations.get_organisation(session, code, LA)
    region = (la.region_code or "", la.region.name if la.region else "")
    period, known = _period()
    if period is None:
        return render_template("la.html", la=la, period=None, periods=known)
    reading = _reading()
    overview = dashboard.la_overview(reading, (la.code, la.name), region, period)
    panels = dashboard.la_panels(reading, (la.code, la.name), region, period, known)
    return render_template("la.html", la=la, period=period, periods=known, overview=overview,
                   panels=panels)


@blp.get("/region/<code>")
@signed_in(REGION)
def region_page(code: str) -> str:
    """One section of a region's governance agenda at a time, as its agreement permits."""
    _own(code)
    session = get_session()
    region = organisations.get_organisation(session, code, REGION)
    period, known = _period()
    section = request.args.get("section", report.SECTIONS[0][0])
    if section not in dict(report.SECTIONS):
        abort(404)
    if period is None:
        return render_template("region.html", region=region, period=None, periods=known,
                               sections=report.SECTIONS, current=section)
    return render_template("region.html", region=region, period=period, periods=known,
                           current=section, **report.region_sections(
                               session, _reading(), (region.code, region.name), period, known,
                               only=section))


@blp.get("/region/<code>/pack.<fmt>")
@signed_in(REGION)
def region_pack(code: str, fmt: str) -> Response:
    """The quarterly governance pack of the region, as HTML or PDF, to download."""
    _own(code)
    if fmt not in ("html", "pdf"):
        abort(404)
    session = get_session()
    region = organisations.get_organisation(session, code, REGION)
    period, known = _period()
    if period is None:
        abort(404)
    pack = report.build(session, _reading(), (region.code, region.name), period, known)
    body, mimetype = (report.to_pdf(pack), "application/pdf") if fmt == "pdf" \
        else (pack.encode(), "text/html")
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{report.file_name(code, period, fmt)}"'})


@blp.get("/compare")
@signed_in(REGION)
def compare_page() -> str:
    """Every region's aggregates side by side, as the reader's agreements permit."""
    period, known = _period()
    if period is None:
        return render_template("compare.html", period=None, periods=known)
    reading = _reading()
    table = dashboard.regions_table(reading, period, f"Regions compared, {period}")
    panels = [p for m in ("agency_rate", "agency_above_cap_share", "vacancy_rate")
              if (p := dashboard.regions_bars(reading, m, period)) is not None]
    return render_template("compare.html", period=period, periods=known, overview=table,
                           panels=panels)


@blp.get("/national")
@signed_in(NARE)
def national_page() -> str:
    """NARE's view: England's figures and each region's, and England's trends."""
    period, known = _period()
    if period is None:
        return render_template("national.html", period=None, periods=known)
    reading = _reading()
    table = dashboard.regions_table(reading, period, f"England and its regions, {period}")
    panels = [p for m in ("agency_rate", "agency_above_cap_share")
              if (p := dashboard.regions_bars(reading, m, period)) is not None]
    panels += dashboard.national_trends(reading, period, known)
    return render_template("national.html", period=period, periods=known, overview=table,
                           panels=panels)
