"""The figures pages: an LA's, a region's, the comparison of regions, NARE's national page,
and the region's governance pack. Each parses, reads as the person's organisation, renders;
each table on them downloads as CSV or XLSX."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for

from hub.benchmarks.extension import get_benchmarks
from hub.db import get_session
from hub.decisions.store import get_policy_set
from hub.errors import InvalidInput
from hub.organisations import service as organisations
from hub.organisations.models import OrgKind
from hub.web import commentary, dashboard, definitions, downloads, editable, report
from hub.web.pageviews import page_reads
from hub.web.reading import Reading, choose_period
from hub.web.views import blp, current_person, signed_in

LA, REGION, NARE = OrgKind.LOCAL_AUTHORITY, OrgKind.REGION, OrgKind.NARE
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# Every page and the pack say what a measure means from the catalogue the API serves.
blp.add_app_template_global(definitions.definitions, "measure_definitions")


def _reading() -> Reading:
    return Reading(get_session(), get_benchmarks(), get_policy_set(),
                   current_person().principal, page_reads())


def _own(code: str) -> None:
    # A person sees their own organisation's page; any other is refused, never shown.
    if code != current_person().org_code:
        abort(403)


def _period() -> tuple[str | None, list[str]]:
    return choose_period(get_session(), request.args.get("period"))


def _table_url(endpoint: str, period: str, **values: str) -> Callable[[str, str], str]:
    """How a page's template names the download of one of its tables."""
    return lambda slug, fmt: url_for(endpoint, slug=slug, fmt=fmt, period=period, **values)


def _download(content: dict[str, Any], slug: str, fmt: str, period: str) -> Response:
    """One table of a page's content as a file."""
    if fmt not in downloads.FORMATS:
        abort(404)
    table = downloads.find(content, slug)
    if table is None:
        abort(404)
    return Response(downloads.render(table, fmt), mimetype=downloads.FORMATS[fmt], headers={
        "Content-Disposition": f'attachment; filename="{slug}-{period}.{fmt}"'})


def _la_content(code: str, period: str, known: list[str]) -> tuple[Any, dict[str, Any]]:
    la = organisations.get_organisation(get_session(), code, LA)
    region = (la.region_code or "", la.region.name if la.region else "")
    reading = _reading()
    return la, {"overview": dashboard.la_overview(reading, (la.code, la.name), region, period),
                "panels": dashboard.la_panels(reading, (la.code, la.name), region, period,
                                              known)}


@blp.get("/la/<code>")
@signed_in(LA)
def la_page(code: str) -> str:
    """An LA's figures beside its region's and England's, its quartiles and its trends."""
    _own(code)
    period, known = _period()
    if period is None:
        la = organisations.get_organisation(get_session(), code, LA)
        return render_template("la.html", la=la, period=None, periods=known)
    la, content = _la_content(code, period, known)
    # The region's parties read its commentary: its LAs among them.
    notes = commentary.latest(get_session(), la.region_code or "", period)
    return render_template("la.html", la=la, period=period, periods=known,
                           region_commentary=[(h, notes[a]) for a, h in report.SECTIONS
                                              if a in notes],
                           table_url=_table_url("web.la_table", period, code=code), **content)


@blp.get("/la/<code>/tables/<slug>.<fmt>")
@signed_in(LA)
def la_table(code: str, slug: str, fmt: str) -> Response:
    """One table of the LA's page as CSV or XLSX."""
    _own(code)
    period, known = _period()
    if period is None:
        abort(404)
    return _download(_la_content(code, period, known)[1], slug, fmt, period)


def _region_content(code: str, period: str, known: list[str], only: str | None = None
                    ) -> tuple[Any, dict[str, Any]]:
    session = get_session()
    region = organisations.get_organisation(session, code, REGION)
    return region, report.region_sections(session, _reading(), (region.code, region.name),
                                          period, known, only=only)


def _region_page(code: str, section: str, **extra: Any) -> str:
    period, known = _period()
    if section not in dict(report.SECTIONS):
        abort(404)
    if period is None:
        region = organisations.get_organisation(get_session(), code, REGION)
        return render_template("region.html", region=region, period=None, periods=known,
                               sections=report.SECTIONS, current=section)
    region, content = _region_content(code, period, known, only=section)
    return render_template("region.html", region=region, period=period, periods=known,
                           current=section, editable=True,
                           commentary=commentary.latest(get_session(), code, period),
                           table_url=_table_url("web.region_table", period, code=code),
                           **content, **extra)


@blp.get("/region/<code>")
@signed_in(REGION)
def region_page(code: str) -> str:
    """One section of a region's governance agenda at a time, as its agreement permits."""
    _own(code)
    return _region_page(code, request.args.get("section", report.SECTIONS[0][0]))


@blp.post("/region/<code>/commentary")
@signed_in(REGION)
def region_commentary(code: str) -> Any:
    """Save a new version of the region's commentary on one section of its pack."""
    _own(code)
    period, _ = _period()
    section = request.args.get("section", "")
    if period is None:
        abort(404)
    session = get_session()
    text = request.form.get("text", "")
    try:
        commentary.write(session, region=code, period=period, section=section, text=text,
                         author=current_person().actor, sections=dict(report.SECTIONS))
    except InvalidInput as refused:
        session.rollback()
        return _region_page(code, section, commentary_error=refused.message,
                            commentary_text=text), 422
    session.commit()
    flash("Your commentary is saved; it is in the pack from now on.")
    return redirect(url_for("web.region_page", code=code, period=period, section=section))


@blp.get("/region/<code>/tables/<slug>.<fmt>")
@signed_in(REGION)
def region_table(code: str, slug: str, fmt: str) -> Response:
    """One table of the region's page as CSV or XLSX."""
    _own(code)
    period, known = _period()
    if period is None:
        abort(404)
    return _download(_region_content(code, period, known)[1], slug, fmt, period)


@blp.get("/region/<code>/pack.<fmt>")
@signed_in(REGION)
def region_pack(code: str, fmt: str) -> Response:
    """The quarterly governance pack of the region, as HTML, PDF or editable DOCX."""
    _own(code)
    if fmt not in ("html", "pdf", "docx"):
        abort(404)
    session = get_session()
    region = organisations.get_organisation(session, code, REGION)
    period, known = _period()
    if period is None:
        abort(404)
    notes = commentary.latest(session, code, period)
    if fmt == "docx":
        body, mimetype = editable.build(session, _reading(), (region.code, region.name),
                                        period, known, notes), DOCX
    else:
        pack = report.build(session, _reading(), (region.code, region.name), period, known,
                            notes)
        body, mimetype = (report.to_pdf(pack), "application/pdf") if fmt == "pdf" \
            else (pack.encode(), "text/html")
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{report.file_name(code, period, fmt)}"'})


def _compare_content(period: str) -> dict[str, Any]:
    reading = _reading()
    return {"overview": dashboard.regions_table(reading, period, f"Regions compared, {period}"),
            "panels": [p for m in ("agency_rate", "agency_above_cap_share", "vacancy_rate")
                       if (p := dashboard.regions_bars(reading, m, period)) is not None]}


@blp.get("/compare")
@signed_in(REGION)
def compare_page() -> str:
    """Every region's aggregates side by side, as the reader's agreements permit."""
    period, known = _period()
    if period is None:
        return render_template("compare.html", period=None, periods=known)
    return render_template("compare.html", period=period, periods=known,
                           table_url=_table_url("web.compare_table", period),
                           **_compare_content(period))


@blp.get("/compare/tables/<slug>.<fmt>")
@signed_in(REGION)
def compare_table(slug: str, fmt: str) -> Response:
    """One table of the comparison of regions as CSV or XLSX."""
    period, _ = _period()
    if period is None:
        abort(404)
    return _download(_compare_content(period), slug, fmt, period)


def _national_content(period: str, known: list[str]) -> dict[str, Any]:
    reading = _reading()
    panels = [p for m in ("agency_rate", "agency_above_cap_share")
              if (p := dashboard.regions_bars(reading, m, period)) is not None]
    return {"overview": dashboard.regions_table(reading, period,
                                                f"England and its regions, {period}"),
            "panels": panels + dashboard.national_trends(reading, period, known)}


@blp.get("/national")
@signed_in(NARE)
def national_page() -> str:
    """NARE's view: England's figures and each region's, and England's trends."""
    period, known = _period()
    if period is None:
        return render_template("national.html", period=None, periods=known)
    return render_template("national.html", period=period, periods=known,
                           table_url=_table_url("web.national_table", period),
                           **_national_content(period, known))


@blp.get("/national/tables/<slug>.<fmt>")
@signed_in(NARE)
def national_table(slug: str, fmt: str) -> Response:
    """One table of NARE's national page as CSV or XLSX."""
    period, known = _period()
    if period is None:
        abort(404)
    return _download(_national_content(period, known), slug, fmt, period)
