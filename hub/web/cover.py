"""The governance pack's front matter: what its figures stand on (agreements, figures
version, disclosure rules, said in words) and what changed since the last quarter."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hub.web.reading import HEADLINE, Reading, region_row
from hub.web.tables import Cell, Table, format_value
from policies.agreement import Agreement
from policies.measures import MEASURES, period_key

#: The protective marking of every pack: figures below the disclosure rules' level of a
#: region's LAs, shared under agreements, not for publication.
MARKING = "OFFICIAL-SENSITIVE"

_RULE_WORDS = {
    "min_cell_count": "counts below {} are withheld",
    "rounding_base": "counts are rounded to the nearest {}",
    "min_contributors": "a figure needs at least {} contributing LAs",
    "dominance_share": "no one LA may make up more than {:.0%} of a figure",
    "rate_decimals": "rates are shown to {} decimal place(s)",
}
#: Each audience of an agreement in words (policies.agreement.AUDIENCES).
AUDIENCE_WORDS = {"self": "the LA itself", "region_parties": "the region's own parties",
                  "other_regions": "other regions", "nare": "NARE, for the national picture"}
#: Each grain in words (policies.agreement.GRAINS).
GRAIN_WORDS = {"own": "an LA's own figures", "la": "each LA's figures",
               "region": "regional totals", "national": "England's figures"}


def rules_in_words(rules: dict[str, Any]) -> str:
    """One disclosure rule set as a sentence a board member reads."""
    whom = AUDIENCE_WORDS.get(rules.get("audience", ""), str(rules.get("audience", "")))
    grain = GRAIN_WORDS.get(rules.get("grain", ""), "figures")
    if rules.get("unrounded"):
        return f"{_first_upper(grain)} for {whom}: shown unrounded."
    parts = [words.format(rules[name]) for name, words in _RULE_WORDS.items()
             if rules.get(name) is not None]
    return f"{_first_upper(grain)} for {whom}: " + "; ".join(parts) + "."


def agreement_in_words(agreement: Agreement, names: dict[str, str]) -> dict[str, list[str]]:
    """An agreement's parties, permissions, prohibitions and duties as sentences."""
    def titles(measures: frozenset[str]) -> str:
        return ", ".join(sorted(MEASURES[m].title for m in measures if m in MEASURES))

    permissions = []
    for p in agreement.permissions:
        rules = rules_in_words({"audience": p.audience, "grain": p.grain,
                                **(vars(p.constraints) if p.constraints else {}),
                                "unrounded": p.constraints is None})
        permissions.append(f"{rules} Measures: {titles(p.measures)}.")
    prohibitions = [f"{_first_upper(AUDIENCE_WORDS.get(p.audience, p.audience))} may never "
                    f"read: {titles(p.measures)}{f' ({p.reason})' if p.reason else ''}."
                    for p in agreement.prohibitions]
    return {"Parties": sorted(names.get(code, code) for code in agreement.parties),
            "Permissions": permissions, "Prohibitions": prohibitions,
            "Duties": [f"{d.action}{f': {d.note}' if d.note else ''}" for d in agreement.duties]}


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class Basis:
    """What a pack's figures stand on."""

    agreements: list[str]
    figures_version: int | None
    rules: list[str]


def basis(reading: Reading, period: str) -> Basis:
    """The agreements, figures version and disclosure rules of ``period``'s answers."""
    agreements: set[str] = set()
    versions: set[int] = set()
    rules: dict[str, None] = {}
    for answer in reading.many(HEADLINE, period).values():
        if answer is None:
            continue
        agreements.update(answer.get("agreements", ()))
        versions.add(answer["figures_version"])
        for rule in answer.get("rules", ()):
            rules[rules_in_words(rule)] = None
    return Basis(sorted(agreements), max(versions) if versions else None, list(rules))


def _previous(period: str, known: list[str]) -> str | None:
    earlier = [p for p in known if period_key(p) < period_key(period)]
    return max(earlier, key=period_key) if earlier else None


def change_since_last_quarter(reading: Reading, region: tuple[str, str], period: str,
                              known: list[str]) -> tuple[Table, str | None]:
    """The region's headline figures now and a quarter before, with the change in words."""
    code, name = region
    before = _previous(period, known)
    table = Table(f"{name}: what changed since {before or 'the last quarter'}",
                  ["Measure", before or "Last quarter", period, "Change"], slug="change",
                  measures=HEADLINE)
    now = reading.many(HEADLINE, period)
    then = reading.many(HEADLINE, before) if before else {m: None for m in HEADLINE}
    for measure in HEADLINE:
        old = table.figure(region_row(then[measure], code), measure) if before else \
            table.marker("x", "not available: no earlier quarter has figures")
        new = table.figure(region_row(now[measure], code), measure, emphasis=True)
        change = Cell(change_words(old.value, new.value, measure) or "–")
        table.add(MEASURES[measure].title, [old, new, change])
    return table, before


def change_words(old: float | None, new: float | None, measure: str) -> str:
    """'up 1.2 points', 'down 3', 'no change', or '' when either figure is withheld."""
    if old is None or new is None:
        return ""
    unit = MEASURES[measure].unit
    delta = round(new - old, 6)  # the difference of two rounded figures, without float noise
    if delta == 0:
        return "no change"
    size = format_value(abs(delta), unit)
    if size.endswith("%"):
        size = size[:-1] + " points"
    return f"{'up' if delta > 0 else 'down'} {size}"
