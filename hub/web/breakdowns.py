"""A count by category (breaches by type) for the region's LAs: the table of each LA's cells
and totals as the benchmark service released them, and a chart of the totals by category."""

from __future__ import annotations

from dataclasses import dataclass

from hub.web.panels import Panel, bar_panel
from hub.web.reading import Reading
from hub.web.tables import Table
from policies.disclosure import NOT_GIVEN
from policies.measures import CATEGORY_TITLES, NOT_GIVEN_TITLES


@dataclass(frozen=True)
class ByCategory:
    """The LAs' table by category, and the chart (with its data) of the totals."""

    table: Table
    panel: Panel


def category_title(dimension: str, category: str) -> str:
    """How a reader sees a breakdown category: "Price cap", "Type not given"."""
    if category == NOT_GIVEN:
        return NOT_GIVEN_TITLES[dimension]
    return CATEGORY_TITLES[category]


def by_category(reading: Reading, region: tuple[str, str], measure: str, period: str,
                title: str, slug: str) -> ByCategory | None:
    """``measure`` by its breakdown for each LA of ``region`` as the reader may see them, or
    None when the answer has no breakdown (no figures, or no LA the reader may see)."""
    answer = reading.one(measure, period)
    breakdown = answer.get("breakdown") if answer else None
    if breakdown is None:
        return None
    _, name = region
    categories = breakdown["categories"]
    titles = [category_title(breakdown["dimension"], c) for c in categories]
    table = Table(f"{title}, {name}'s LAs, {period}", ["Local authority", *titles, "Total"],
                  slug=slug, measures=(measure,))
    for row in breakdown["local_authorities"]:
        table.add(row["name"], [*(table.figure(row["cells"][c], measure) for c in categories),
                                table.figure(row["total"], measure)])
    total = breakdown["total"]
    # An LA reader's totals leave its own LA out: the label says whose they are.
    label = f"{name} (all LAs)" if total["of"] == "region" else f"Other LAs of {name}"
    table.add(label, [*(table.figure(total["cells"][c], measure, emphasis=True)
                        for c in categories), table.figure(total["value"], measure, True)])
    if total["of"] == "region" and any(
            c["value"] is not None for c in total["cells"].values()):
        # Each type's total is controlled (rounded, suppressed) apart from the region's total.
        table.notes.append("Each type's total is rounded apart from the region's total, "
                           "so the types may not add up to it exactly.")
    panel = bar_panel(f"{slug}-totals", f"{title}, {label}, {period}", measure,
                      [(t, total["cells"][c]) for t, c in zip(titles, categories, strict=True)],
                      label="Type" if breakdown["dimension"] == "breach_type" else "Role")
    return ByCategory(table, panel)
