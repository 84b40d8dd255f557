"""Released numbers as they leave the hub: each to the decimal places of its unit, as DfE's
children's social work workforce statistics publish them, so no answer carries float noise
(a median of 14.749999999999998, an FTE sum of 47.800000000000004).

Figures are computed and disclosure-controlled unrounded (``policies``); this is the last
step, applied to the JSON and CSV answers, and the pages format with the same places. It only
ever drops digits a released number should not have: a count released to a multiple of its
base is an integer already and stays the same, a rate released to its rules' decimals keeps
them (a rate's places are never fewer than the rules'), and a marker (c, x, z) is no number
and is left as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from policies.measures import COMPONENTS, MEASURES, Measure, Unit

#: Decimal places per unit, as DfE publishes them: FTE, days, rates and caseloads to one
#: place, people and counts whole.
DECIMALS: dict[Unit, int] = {Unit.FTE: 1, Unit.DAYS: 1, Unit.PERCENT: 1,
                             Unit.CASES_PER_FTE: 1, Unit.HEADCOUNT: 0, Unit.COUNT: 0}
#: The units of rates and ratios, whose released places the rules set (``rate_decimals``).
_RATES = (Unit.PERCENT, Unit.CASES_PER_FTE)
#: Keys of an answer's figures (and its quartiles) that hold a value of the measure's unit.
_VALUES = ("value", "lower_quartile", "median", "upper_quartile")
#: Parts of an answer that hold no figures: the rules' own numbers (a dominance share of 0.5)
#: and who asked are left alone.
_NOT_FIGURES = frozenset({"rules", "caller", "position"})


def decimals(unit: Unit, rate_decimals: int = 0) -> int:
    """The places a number of ``unit`` is given to; for a rate or ratio, never fewer than
    the ``rate_decimals`` it was released at."""
    places = DECIMALS[unit]
    return max(places, rate_decimals) if unit in _RATES else places


def to_places(value: Any, places: int) -> Any:
    """``value`` rounded to ``places`` (an int at 0 places: a count is a whole number);
    anything not a number (None, a marker) as it is."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if places == 0:
        return int(round(value))
    return round(float(value), places)


def _places_of(measure: Measure, rules: list[Mapping[str, Any]]) -> dict[str, int]:
    released = max((int(r.get("rate_decimals", 0)) for r in rules), default=0)
    places = dict.fromkeys(_VALUES, decimals(measure.unit, released))
    # The caller's own counts are of the components' units (FTE, days, people, cases).
    places["numerator"] = decimals(COMPONENTS[measure.numerator].unit)
    if measure.denominator:
        places["denominator"] = decimals(COMPONENTS[measure.denominator[0]].unit)
    return places


def _tidied(node: Any, places: Mapping[str, int]) -> Any:
    if isinstance(node, list):
        return [_tidied(item, places) for item in node]
    if not isinstance(node, Mapping):
        return node
    return {key: node[key] if key in _NOT_FIGURES
            else to_places(value, places[key]) if key in places and not isinstance(
                value, Mapping | list)
            else _tidied(value, places)
            for key, value in node.items()}


def tidy(payload: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a benchmark answer with every number to its unit's places (the answer
    itself, shared by the cache, is left as it is)."""
    measure = MEASURES[payload["measure"]]
    tidied: dict[str, Any] = _tidied(payload, _places_of(measure, payload.get("rules", [])))
    return tidied
