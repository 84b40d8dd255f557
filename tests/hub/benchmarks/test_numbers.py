"""No float noise in answers: every released number leaves the hub to its unit's places, and
rounding can neither undo disclosure rounding nor touch a marker."""

from __future__ import annotations

import copy
import csv
import io
import json
from decimal import Decimal
from typing import Any

import pytest
from flask import json as flask_json
from hypothesis import given
from hypothesis import strategies as st

from hub.benchmarks.extension import get_benchmarks
from hub.benchmarks.numbers import DECIMALS, decimals, tidy, to_places
from hub.benchmarks.schemas import SummarySchema
from policies.disclosure.rounding import round_count, round_rate
from policies.measures import COMPONENTS, MEASURES, Unit
from policies.rules import DisclosureRules
from tests.hub.benchmarks.conftest import CAMDEN, LONDON, PERIOD

#: Numbers as large as any the hub holds (England's working days available, say), either sign.
NUMBERS = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)
UNITS = st.sampled_from(list(Unit))
MARKERS = st.sampled_from(["c", "x", "z"])


def places_written(text: str) -> int:
    """How many decimal places a number's JSON text has."""
    exponent = Decimal(text).as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)


@given(NUMBERS, UNITS, st.integers(0, 4))
def test_any_number_serialises_to_its_units_places_and_equals_round(x, unit, released):
    d = decimals(unit, released)
    quartiles = SummarySchema().dump({"count": 3, "lower_quartile": to_places(x, d),
                                      "median": to_places(x, d), "upper_quartile": 0.0})
    text = json.dumps(quartiles["median"])
    assert places_written(text) <= d
    assert float(text) == round(x, d)
    assert d == (max(DECIMALS[unit], released) if unit in (Unit.PERCENT, Unit.CASES_PER_FTE)
                 else DECIMALS[unit])


@given(st.floats(min_value=0, max_value=1e7, allow_nan=False), st.integers(2, 20),
       st.sampled_from([1, 2, 5, 10]), UNITS)
def test_a_disclosure_rounded_count_comes_out_as_released(x, k, base, unit):
    released = round_count(x, DisclosureRules(min_cell_count=k, rounding_base=base))
    assert to_places(released, decimals(unit)) == released
    assert to_places(float(released), decimals(unit)) == released


@given(st.floats(min_value=0, max_value=1e5, allow_nan=False), st.integers(0, 4),
       st.sampled_from([Unit.PERCENT, Unit.CASES_PER_FTE]))
def test_a_rate_keeps_the_places_its_rules_released_it_at(x, rate_decimals, unit):
    released = round_rate(x, DisclosureRules(rate_decimals=rate_decimals))
    assert to_places(released, decimals(unit, rate_decimals)) == released


def _figure(value: Any, marker: str | None) -> dict[str, Any]:
    return {"value": None if marker else value, "marker": marker,
            "reason": "withheld" if marker else None}


@given(st.sampled_from(sorted(MEASURES)), NUMBERS, NUMBERS, NUMBERS,
       st.one_of(st.none(), MARKERS), st.integers(0, 4))
def test_tidy_rounds_every_figure_and_leaves_markers_and_rules(code, x, y, z, marker, released):
    measure = MEASURES[code]
    rules = [{"grain": "la", "area": LONDON, "audience": None, "agreements": [],
              "unrounded": False, "min_cell_count": 5, "rounding_base": 5,
              "min_contributors": 3, "dominance_share": 0.123456789, "rate_decimals": released}]
    payload = {"measure": code, "period": PERIOD, "figures_version": 1,
               "caller": {"org_code": CAMDEN, "kind": "la", "region_code": LONDON},
               "own": {**_figure(x, None), "numerator": y, "denominator": z},
               "local_authorities": [{**_figure(y, marker), "code": "E1", "name": "A",
                                      "region_code": LONDON, "own": False}],
               "regions": [{**_figure(z, marker), "code": LONDON, "name": "London",
                            "counted": ["E1"]}],
               "national": {**_figure(x, None), "counted": ["E1"]},
               "summary": {"count": 3, "lower_quartile": x, "median": y, "upper_quartile": z},
               "position": {"rank": 1, "of": 3, "quartile": 4},
               "agreements": [], "rules": rules, "breakdown": None}
    before = copy.deepcopy(payload)
    tidied = tidy(payload)
    assert payload == before  # the cached answer is never changed
    d = decimals(measure.unit, released)
    assert tidied["own"]["value"] == round(x, d)
    assert tidied["own"]["numerator"] == round(y, decimals(COMPONENTS[measure.numerator].unit))
    assert [tidied["summary"][k] for k in ("lower_quartile", "median", "upper_quartile")] == [
        round(v, d) for v in (x, y, z)]
    for shown, raw in ((tidied["local_authorities"][0], y), (tidied["regions"][0], z)):
        if marker:
            assert (shown["value"], shown["marker"]) == (None, marker)
        else:
            assert shown["value"] == round(raw, d) and shown["marker"] is None
    assert tidied["rules"] == rules and tidied["position"] == payload["position"]


def _numbers(node: Any, path: str = "") -> list[tuple[str, str]]:
    """Every number of a JSON document as (path, its text), read as text."""
    if isinstance(node, dict):
        return [n for k, v in node.items() for n in _numbers(v, f"{path}.{k}")]
    if isinstance(node, list):
        return [n for i, v in enumerate(node) for n in _numbers(v, f"{path}[{i}]")]
    return [(path, node)] if isinstance(node, str) and path.endswith(
        ("value", "quartile", "median", "numerator", "denominator")) else []


def _raw(app, org: str, measure: str) -> dict[str, Any]:
    """The answer as the release made it, before it left the hub."""
    cache = get_benchmarks(app).cache
    return next(e.payload for key, e in cache._entries.items()
                if key == ("benchmarks", measure, PERIOD, org))


@pytest.mark.parametrize("org", [CAMDEN, LONDON])
def test_a_real_answer_has_quartiles_and_own_counts_without_noise(figures_app, as_org, org):
    noisy = 0
    for code, measure in MEASURES.items():
        response = as_org(org).get(f"/api/v1/benchmarks/{code}?period={PERIOD}")
        assert response.status_code == 200
        # Read with every number as its text, as a client's parser sees the digits.
        body = json.loads(response.text, parse_float=str, parse_int=str)
        raw = _raw(figures_app, org, code)
        d = decimals(measure.unit)
        for path, text in _numbers(body):
            places = decimals(COMPONENTS[measure.numerator].unit) if path.endswith(
                "numerator") else decimals(COMPONENTS[measure.denominator[0]].unit) \
                if path.endswith("denominator") else d
            assert places_written(text) <= places, (code, path, text)
        if raw["summary"] is not None:
            shown = body["summary"]
            for key in ("lower_quartile", "median", "upper_quartile"):
                assert float(shown[key]) == round(raw["summary"][key], d)
                noisy += len(repr(raw["summary"][key]).partition(".")[2]) > max(d, 2)
        if raw["own"] is not None and raw["own"]["numerator"] is not None:
            noisy += len(repr(float(raw["own"]["numerator"])).partition(".")[2]) > 2
    # The release's own numbers do carry noise: the test reads answers where it showed.
    assert noisy > 0


def test_the_csv_gives_every_value_to_its_places(as_org):
    response = as_org(CAMDEN).get(f"/api/v1/benchmarks/agency_rate?period={PERIOD}&"
                                  "metadata=false", headers={"Accept": "text/csv"})
    rows = list(csv.DictReader(io.StringIO(response.text)))
    values = [r["value"] for r in rows if r["value"] not in ("c", "x", "z")]
    assert values and all(places_written(v) <= 1 for v in values)
    own = next(r for r in rows if r["level"] == "own")
    api = as_org(CAMDEN).get(f"/api/v1/benchmarks/agency_rate?period={PERIOD}").json
    assert float(own["value"]) == api["own"]["value"]


def test_the_trend_gives_every_value_to_its_places(as_org):
    body = json.loads(as_org(CAMDEN).get("/api/v1/benchmarks/agency_fte/trend").text,
                      parse_float=str, parse_int=str)
    numbers = _numbers(body)
    assert numbers and all(places_written(text) <= 1 for _, text in numbers)


def test_a_count_is_written_whole():
    summary = {"count": 4, "lower_quartile": 5, "median": 7.5, "upper_quartile": 10}
    text = flask_json.dumps(SummarySchema().dump(summary))
    assert json.loads(text, parse_float=str, parse_int=str) == {
        "count": "4", "lower_quartile": "5", "median": "7.5", "upper_quartile": "10"}
