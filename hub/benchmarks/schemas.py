"""Schemas of the benchmark routes: a figure is a number, or a DfE marker with its reason."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from hub.schemas import InputSchema
from policies.measures import BREAKDOWNS
from policies.release.breakdowns import OF_OTHERS, OF_REGION
from policies.rules import Marker

#: The word a caller may give in place of a period: the latest with figures.
LATEST = "latest"
# The catalogue's PERIOD_PATTERN without its named groups, which OpenAPI's regex dialect lacks.
_PERIOD: dict[str, Any] = {"validate": ma.validate.Regexp(
    r"^(20[0-9]{2}-Q[1-4]|latest)$", error="Not a period such as 2024-Q3, nor 'latest'."),
    "metadata": {"description": "A quarter, YYYY-Qn, or `latest`: the latest quarter with "
                 "figures", "example": "2024-Q4"}}
_METADATA = ma.fields.Boolean(load_default=True, metadata={
    "description": "CSV only. `true`: `#` lines naming the measure, figures versions, "
    "agreements and rules come before the header row. `false`: the header row first, as a "
    "spreadsheet expects; the same facts are in the response's `Hub-*` headers either way."})


class PeriodQuerySchema(InputSchema):
    period = ma.fields.String(required=True, **_PERIOD)
    metadata = _METADATA


class TrendQuerySchema(InputSchema):
    first = ma.fields.String(data_key="from", **_PERIOD)
    last = ma.fields.String(data_key="to", **_PERIOD)
    metadata = _METADATA


class Number(ma.fields.Float):
    """A released number, to its unit's places (``hub.benchmarks.numbers``): a count is
    written whole (25, not 25.0)."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        return super()._serialize(value, attr, obj, **kwargs)


class FigureSchema(ma.Schema):
    """A released figure: ``value``, or ``marker`` (c, x, z) and ``reason`` in its place."""

    value = Number(allow_none=True, required=True, metadata={
        "description": "To the unit's places, as DfE publishes: rates, ratios, FTE and days "
                       "to one decimal place (a rate never fewer than its rules' "
                       "rate_decimals), people and counts whole"})
    marker = ma.fields.String(allow_none=True, required=True,
                              validate=ma.validate.OneOf([m.value for m in Marker]),
                              metadata={"description": "c: confidential (disclosure control); "
                                        "x: not available or not permitted; z: not applicable"})
    reason = ma.fields.String(allow_none=True, required=True)


class OwnFigureSchema(FigureSchema):
    """The caller's own figure, unrounded, with the counts it is derived from."""

    numerator = Number(allow_none=True, required=True)
    denominator = Number(allow_none=True, required=True)


class AuthorityFigureSchema(FigureSchema):
    code = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    region_code = ma.fields.String(required=True)
    own = ma.fields.Boolean(required=True, metadata={"description": "The caller itself"})


class AggregateFigureSchema(FigureSchema):
    """An aggregate over LAs, and which LAs it counts."""

    counted = ma.fields.List(ma.fields.String(), required=True, metadata={
        "description": "The LAs counted in this aggregate (ONS codes): those that supplied "
                       "every component the measure needs and that the caller's agreements "
                       "let count. An LA that did not supply a component (x) is left out of "
                       "exactly the aggregates that need it, as DfE does"})


class RegionFigureSchema(AggregateFigureSchema):
    code = ma.fields.String(required=True)
    name = ma.fields.String(required=True)


class SummarySchema(ma.Schema):
    """Quartiles over the released numbers (markers left out), to the measure's places."""

    count = ma.fields.Integer(required=True)
    lower_quartile = Number(required=True)
    median = Number(required=True)
    upper_quartile = Number(required=True)


class PositionSchema(ma.Schema):
    """The caller's rank (1 = highest value) and quartile among the released LA figures."""

    rank = ma.fields.Integer(required=True)
    of = ma.fields.Integer(required=True)
    quartile = ma.fields.Integer(allow_none=True, required=True)


class RulesSchema(ma.Schema):
    """Disclosure rules applied to the figures of one grain and area, and their agreements."""

    grain = ma.fields.String(required=True)
    area = ma.fields.String(required=True)
    audience = ma.fields.String(allow_none=True, required=True)
    agreements = ma.fields.List(ma.fields.String(), required=True)
    unrounded = ma.fields.Boolean(required=True)
    min_cell_count = ma.fields.Integer()
    rounding_base = ma.fields.Integer()
    min_contributors = ma.fields.Integer()
    dominance_share = ma.fields.Float()
    rate_decimals = ma.fields.Integer()


class CallerSchema(ma.Schema):
    org_code = ma.fields.String(required=True)
    kind = ma.fields.String(required=True)
    region_code = ma.fields.String(allow_none=True, required=True)


class NationalSchema(ma.Schema):
    """A measure in a period: every region's aggregate and the nation's."""

    measure = ma.fields.String(required=True)
    period = ma.fields.String(required=True)
    figures_version = ma.fields.Integer(required=True)
    caller = ma.fields.Nested(CallerSchema, required=True)
    regions = ma.fields.List(ma.fields.Nested(RegionFigureSchema), required=True)
    national = ma.fields.Nested(AggregateFigureSchema, required=True)
    summary = ma.fields.Nested(SummarySchema, allow_none=True, required=True)
    agreements = ma.fields.List(ma.fields.String(), required=True, metadata={
        "description": "The agreement versions whose permissions shaped these figures"})
    rules = ma.fields.List(ma.fields.Nested(RulesSchema), required=True)


def _by_category(description: str) -> ma.fields.Dict:
    return ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Nested(FigureSchema),
                          required=True, metadata={"description": description})


class BreakdownRowSchema(ma.Schema):
    """One LA's figure by category; ``total`` is its figure in ``local_authorities``."""

    code = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    own = ma.fields.Boolean(required=True, metadata={
        "description": "The caller itself: its own figures, unrounded"})
    total = ma.fields.Nested(FigureSchema, required=True)
    cells = _by_category("Category -> the LA's figure in it. An LA that gave no breakdown "
                         "has its whole count under not_given and x in every category; one "
                         "the caller may not see has its marker in every cell")


class BreakdownTotalSchema(ma.Schema):
    """The totals of the LAs released in the table (the caller's own LA apart); withheld
    (``c``) wherever the region's own total is, which they would otherwise add up to."""

    of = ma.fields.String(required=True, validate=ma.validate.OneOf([OF_REGION, OF_OTHERS]),
                          metadata={"description": "region: every LA the caller may see; "
                                    "an LA caller's totals leave out its own LA"})
    cells = _by_category("Category -> the total of the table's LAs in it")
    value = ma.fields.Nested(FigureSchema, required=True)


class BreakdownSchema(ma.Schema):
    """A count by category (breaches by type, FTE by role) for the caller's own region's LAs,
    released as one table with their figures: each LA's total is its figure in
    ``local_authorities``, and nothing withheld is recoverable from the cells, the LAs'
    totals and the column totals together. Other regions are never broken down."""

    dimension = ma.fields.String(required=True, validate=ma.validate.OneOf(list(BREAKDOWNS)),
                                 metadata={"example": "breach_type"})
    categories = ma.fields.List(ma.fields.String(), required=True, metadata={
        "description": "The dimension's categories, then not_given: the whole count of an "
                       "LA that gave no breakdown (0 for an LA that gave one)"})
    local_authorities = ma.fields.List(ma.fields.Nested(BreakdownRowSchema), required=True,
                                       metadata={"description": "In the order of the "
                                                 "answer's local_authorities"})
    total = ma.fields.Nested(BreakdownTotalSchema, required=True)


class BenchmarkSchema(NationalSchema):
    """A measure in a period: own figure, the region's LAs as permitted, every aggregate, and
    for a count with a breakdown the region's LAs by category."""

    own = ma.fields.Nested(OwnFigureSchema, allow_none=True, required=True)
    local_authorities = ma.fields.List(ma.fields.Nested(AuthorityFigureSchema), required=True)
    position = ma.fields.Nested(PositionSchema, allow_none=True, required=True)
    breakdown = ma.fields.Nested(BreakdownSchema, allow_none=True, required=True, metadata={
        "description": "For a count with a breakdown (breaches by type, FTE by role): the "
                       "caller's own region's LAs by category, released as one table with "
                       "local_authorities, the caller's own LA unrounded. Other regions are "
                       "never broken down. Null for other measures, and when the caller may "
                       "see none of its region's other LAs"})


class TrendPointSchema(ma.Schema):
    period = ma.fields.String(required=True)
    figures_version = ma.fields.Integer(required=True)
    own = ma.fields.Nested(OwnFigureSchema, allow_none=True, required=True)
    region = ma.fields.Nested(RegionFigureSchema, allow_none=True, required=True)
    national = ma.fields.Nested(AggregateFigureSchema, required=True)
    summary = ma.fields.Nested(SummarySchema, allow_none=True, required=True)
    position = ma.fields.Nested(PositionSchema, allow_none=True, required=True)
    agreements = ma.fields.List(ma.fields.String(), required=True)


class NationalPointSchema(ma.Schema):
    period = ma.fields.String(required=True)
    figures_version = ma.fields.Integer(required=True)
    national = ma.fields.Nested(AggregateFigureSchema, required=True)
    regions = ma.fields.List(ma.fields.Nested(RegionFigureSchema), required=True)
    summary = ma.fields.Nested(SummarySchema, allow_none=True, required=True)
    agreements = ma.fields.List(ma.fields.String(), required=True)


class TrendSchema(ma.Schema):
    measure = ma.fields.String(required=True)
    periods = ma.fields.List(ma.fields.Nested(TrendPointSchema), required=True)


class NationalTrendSchema(ma.Schema):
    measure = ma.fields.String(required=True)
    periods = ma.fields.List(ma.fields.Nested(NationalPointSchema), required=True)
