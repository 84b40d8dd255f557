"""The content of each figures page: tables and panels built from what the reader may see."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from hub.benchmarks import figures
from hub.web.panels import Panel, bar_panel, trend_panel
from hub.web.reading import HEADLINE, TRENDS, Reading, region_row
from hub.web.tables import Cell, Table
from policies.measures import DATASET_WORKFORCE, MEASURES

#: The measures of a region's table of its LAs (and of the comparison of regions).
REGION_MEASURES = ("agency_rate", "vacancy_rate", "turnover_rate", "agency_conversions",
                   "agency_above_cap", "agency_above_cap_share", "mou_breaches")
ENGLAND = "England"


def _national(answer: dict[str, Any] | None) -> dict[str, Any] | None:
    return answer["national"] if answer else None


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


#: Quarters counted the same way as ranks, from the highest values down.
_QUARTERS = {4: "top quarter (highest values)", 3: "second quarter from the top",
             2: "third quarter from the top", 1: "bottom quarter (lowest values)"}


def _position(answer: dict[str, Any] | None) -> Cell:
    """The LA's rank and quarter said in one direction, from the highest value down, with
    the LAs it shares its value with (ties rank together)."""
    position = answer.get("position") if answer else None
    if not position or answer is None:
        return Cell("–")
    own = answer["own"]["value"]
    ties = sum(1 for la in answer["local_authorities"]
               if not la["own"] and la["value"] is not None and la["value"] == own)
    joint = f"joint {_ordinal(position['rank'])}" if ties else _ordinal(position["rank"])
    shared = f", level with {ties} other{'s' if ties > 1 else ''}" if ties else ""
    return Cell(f"{joint} highest of {position['of']}{shared}; "
                f"{_QUARTERS.get(position['quartile'], '')}")


def _spread(table: Table, answer: dict[str, Any] | None, measure: str) -> list[Cell]:
    summary = answer.get("summary") if answer else None
    if summary is None:
        return [table.marker("x", "not available: too few figures released for quartiles")] * 3
    return [table.figure({"value": summary[k]}, measure)
            for k in ("lower_quartile", "median", "upper_quartile")]


def la_overview(reading: Reading, la: tuple[str, str], region: tuple[str, str],
                period: str) -> Table:
    """An LA's own figures beside its region's and England's, with the spread and its rank."""
    (_, la_name), (region_code, region_name) = la, region
    table = Table(f"{la_name} beside {region_name} and {ENGLAND}, {period}",
                  ["Measure", la_name, region_name, ENGLAND, "Lower quartile", "Median",
                   "Upper quartile", f"{la_name}'s position among {region_name}'s LAs"],
                  slug="overview", measures=HEADLINE)
    for measure, answer in reading.many(HEADLINE, period).items():
        table.add(MEASURES[measure].title, [
            table.figure(answer["own"] if answer else None, measure, emphasis=True),
            table.figure(region_row(answer, region_code), measure),
            table.figure(_national(answer), measure), *_spread(table, answer, measure),
            _position(answer)])
    return table


def la_panels(reading: Reading, la: tuple[str, str], region: tuple[str, str], period: str,
              known: list[str]) -> list[Panel]:
    """Where the LA stands among its region's LAs, and its trends beside region and nation."""
    (_, la_name), (region_code, region_name) = la, region
    answer = reading.one("agency_rate", period)
    panels = []
    if answer is not None:
        rows = [(r["name"], r) for r in answer["local_authorities"]]
        panels.append(bar_panel("la-agency-rate", f"Agency worker rate of {region_name}'s "
                                f"LAs, {period}", "agency_rate", rows, frozenset({la_name})))
    for measure in TRENDS:
        answers = reading.trend(measure, period, known)
        panels.append(trend_panel(f"trend-{measure}", f"{MEASURES[measure].title} over time",
                                  measure, answers, [
                                      (la_name, lambda a: a["own"]),
                                      (region_name, lambda a: region_row(a, region_code)),
                                      (ENGLAND, _national)]))
    return panels


def region_table(reading: Reading, region: tuple[str, str], period: str,
                 measures: tuple[str, ...] = REGION_MEASURES, caption: str = "") -> Table:
    """Each LA of the region as the reader may see it, then the region's total and England's."""
    code, name = region
    answers = reading.many(measures, period)
    table = Table(caption or f"{name}'s local authorities, {period}",
                  ["Local authority", *(MEASURES[m].title for m in measures)],
                  slug=f"region-{'-'.join(measures)}", measures=measures)
    first = next((a for a in answers.values() if a is not None), None)
    # Each LA's row looked up by code: a region of 330 LAs would otherwise search its list
    # once per LA and measure.
    rows = {m: {r["code"]: r for r in a["local_authorities"]} if a else {}
            for m, a in answers.items()}
    for la in first["local_authorities"] if first else []:
        table.add(la["name"], [table.figure(rows[m].get(la["code"]), m) for m in measures])
    table.add(f"{name} (all LAs)", [table.figure(region_row(answers[m], code), m, True)
                                    for m in measures])
    table.add(ENGLAND, [table.figure(_national(answers[m]), m) for m in measures])
    return table


def la_bars(reading: Reading, region: tuple[str, str], measure: str, period: str,
            slug: str) -> Panel | None:
    """Bars of ``measure`` for each LA of the region as the reader may see them; the region's
    total is kept apart, so one large total does not flatten its LAs' bars."""
    answer = reading.one(measure, period)
    if answer is None:
        return None
    rows = [(r["name"], r) for r in answer["local_authorities"]]
    panel = bar_panel(slug, f"{MEASURES[measure].title}, {region[1]}'s LAs, {period}", measure,
                      rows, label="Local authority")
    total = panel.table.figure(region_row(answer, region[0]), measure, emphasis=True)
    return replace(panel, total=(f"{region[1]} (all LAs)", total))


def region_trends(reading: Reading, region: tuple[str, str], period: str,
                  known: list[str]) -> list[Panel]:
    """The region's total beside England's over time, per trend measure."""
    code, name = region
    return [trend_panel(f"trend-{m}", f"{MEASURES[m].title} over time", m,
                        reading.trend(m, period, known),
                        [(name, lambda a: region_row(a, code)), (ENGLAND, _national)])
            for m in TRENDS]


def regions_table(reading: Reading, period: str, caption: str) -> Table:
    """Every region's aggregate as the reader may see it, and England's."""
    answers = reading.many(REGION_MEASURES, period)
    table = Table(caption, ["Region", *(MEASURES[m].title for m in REGION_MEASURES)],
                  slug="regions", measures=REGION_MEASURES)
    first = next((a for a in answers.values() if a is not None), None)
    own = reading.principal.org_code
    for region in sorted(first["regions"], key=lambda r: r["name"]) if first else []:
        table.add(region["name"], [table.figure(region_row(answers[m], region["code"]), m,
                                                region["code"] == own)
                                   for m in REGION_MEASURES])
    table.add(ENGLAND, [table.figure(_national(answers[m]), m, True) for m in REGION_MEASURES])
    return table


def regions_bars(reading: Reading, measure: str, period: str) -> Panel | None:
    """Bars of ``measure`` for each region, the reader's own highlighted, and England."""
    answer = reading.one(measure, period)
    if answer is None:
        return None
    rows = [(r["name"], r) for r in sorted(answer["regions"], key=lambda r: r["name"])]
    own = {r["name"] for r in answer["regions"] if r["code"] == reading.principal.org_code}
    rows.append((ENGLAND, answer["national"]))
    return bar_panel(f"regions-{measure}", f"{MEASURES[measure].title} by region, {period}",
                     measure, rows, frozenset(own | {ENGLAND}))


def national_trends(reading: Reading, period: str, known: list[str]) -> list[Panel]:
    """England's figure over time, per trend measure."""
    return [trend_panel(f"trend-{m}", f"{MEASURES[m].title} over time", m,
                        reading.trend(m, period, known), [(ENGLAND, _national)])
            for m in TRENDS]


@dataclass(frozen=True)
class Supply:
    """Whether one LA supplied its extract for the period, and when it arrived."""

    code: str
    name: str
    revision: int | None
    received_at: datetime | None


def collection_status(session: Session, region: str, period: str) -> list[Supply]:
    """Which of ``region``'s LAs have supplied data for ``period`` (the latest revision)."""
    supplied = figures.supplied(session, DATASET_WORKFORCE, period)
    geo = figures.geography(session)
    return [Supply(la, geo.names.get(la, la), *supplied.get(la, (None, None)))
            for la in geo.regions.get(region, ())]


def collection_table(supplies: list[Supply], period: str) -> Table:
    """Which LAs supplied their extract for ``period``, as a table (shown and downloaded)."""
    table = Table(f"Extracts received for {period}",
                  ["Local authority", "Supplied", "Revision", "Received"], slug="collection")
    for s in supplies:
        table.add(s.name, [
            Cell("yes" if s.revision else "not yet"),
            Cell(str(s.revision), s.revision) if s.revision else Cell(""),
            Cell(s.received_at.strftime("%d %b %Y %H:%M UTC") if s.received_at else "")])
    return table
