"""`/api/v1/benchmarks/…` for LAs and regions, `/api/v1/national/…` for NARE; JSON or CSV."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import marshmallow as ma
from flask import Response, current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint

from hub.benchmarks import service
from hub.benchmarks.csv import metadata_headers, to_csv
from hub.benchmarks.extension import get_benchmarks
from hub.benchmarks.numbers import tidy
from hub.benchmarks.reading import national_point, trend_point
from hub.benchmarks.schemas import (
    LATEST,
    BenchmarkSchema,
    NationalSchema,
    NationalTrendSchema,
    PeriodQuerySchema,
    TrendQuerySchema,
    TrendSchema,
)
from hub.db import get_session
from hub.decisions.store import get_policy_set
from hub.identity.protect import current_principal, protected

blp = Blueprint("benchmarks", __name__, url_prefix="/api/v1",
                description="Benchmarks: each figure as the agreements let the caller see it")

CSV, JSON = "text/csv", "application/json"
_BENCHMARK, _NATIONAL = BenchmarkSchema(), NationalSchema()
# Argument schemas as instances: given a class, webargs builds a schema on every request.
_PERIOD_QUERY, _TREND_QUERY = PeriodQuerySchema(), TrendQuerySchema()
_CSV_DOC = {"responses": {200: {"content": {CSV: {"schema": {"type": "string"}}}}}}


def _reader(route: str) -> service.Reader:
    return service.Reader(current_principal(), route, get_policy_set())


def _wants_csv() -> bool:
    return request.accept_mimetypes.best_match(["application/json", CSV]) == CSV


def _csv(payloads: list[dict[str, Any]], name: str, metadata: bool) -> Response:
    return Response(to_csv(payloads, metadata), mimetype=CSV,
                    headers=_attachment(name) | metadata_headers(payloads))


def _period(period: str) -> str:
    """``period``, or the latest with figures where the caller asked for ``latest``."""
    if period == LATEST:
        return service.latest_period(get_session(), get_benchmarks())
    return period


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}.csv"'}


def _one(route: str, measure: str, args: dict[str, Any], schema: ma.Schema) -> Response:
    # The answer is cached with its renderings: a cache hit serialises nothing.
    period = _period(args["period"])
    answer = service.benchmark(get_session(), get_benchmarks(), _reader(route), measure, period)
    if _wants_csv():
        key = CSV if args["metadata"] else f"{CSV}; metadata=false"
        body = answer.rendered.get(key)
        if body is None:
            body = answer.rendered[key] = to_csv([answer.payload], args["metadata"]).encode()
        return Response(body, mimetype=CSV, headers=_attachment(f"{measure}-{period}")
                        | metadata_headers([answer.payload]))
    body = answer.rendered.get(JSON)
    if body is None:
        body = answer.rendered[JSON] = current_app.json.dumps(
            schema.dump(tidy(answer.payload))).encode()
    return Response(body, mimetype=JSON)


def _series(route: str, measure: str, args: dict[str, str],
            shape: Callable[[dict[str, Any]], dict[str, Any]]) -> Any:
    csv = _wants_csv()
    first, last = (_period(args[k]) if args.get(k) else None for k in ("first", "last"))
    points = service.trend(get_session(), get_benchmarks(), _reader(route), measure,
                           first, last, (lambda payload: payload) if csv
                           else (lambda payload: shape(tidy(payload))))
    if csv:
        return _csv(points, f"{measure}-trend", args["metadata"])
    return {"measure": measure, "periods": points}


@blp.route("/benchmarks/<string:measure>")
class Benchmark(MethodView):
    @protected(blp, "benchmarks:read")
    @blp.arguments(_PERIOD_QUERY, location="query")
    @blp.response(200, BenchmarkSchema)
    @blp.doc(**_CSV_DOC)
    @blp.alt_response(404, response="404")
    def get(self, args, measure: str):  # type: ignore[no-untyped-def]
        """A measure in a period as an LA or region may see it (CSV on Accept: text/csv)."""
        return _one(service.BENCHMARKS, measure, args, _BENCHMARK)


@blp.route("/benchmarks/<string:measure>/trend")
class BenchmarkTrend(MethodView):
    @protected(blp, "benchmarks:read")
    @blp.arguments(_TREND_QUERY, location="query")
    @blp.response(200, TrendSchema)
    @blp.doc(**_CSV_DOC)
    @blp.alt_response(404, response="404")
    def get(self, args, measure: str):  # type: ignore[no-untyped-def]
        """A measure over the periods from `from` to `to`: own, region, nation, spread."""
        return _series(service.BENCHMARKS, measure, args, trend_point)


@blp.route("/national/<string:measure>")
class National(MethodView):
    @protected(blp, "national:read")
    @blp.arguments(_PERIOD_QUERY, location="query")
    @blp.response(200, NationalSchema)
    @blp.doc(**_CSV_DOC)
    @blp.alt_response(404, response="404")
    def get(self, args, measure: str):  # type: ignore[no-untyped-def]
        """A measure in a period for NARE: the national and every region's aggregate."""
        return _one(service.NATIONAL, measure, args, _NATIONAL)


@blp.route("/national/<string:measure>/trend")
class NationalTrend(MethodView):
    @protected(blp, "national:read")
    @blp.arguments(_TREND_QUERY, location="query")
    @blp.response(200, NationalTrendSchema)
    @blp.doc(**_CSV_DOC)
    @blp.alt_response(404, response="404")
    def get(self, args, measure: str):  # type: ignore[no-untyped-def]
        """NARE's series of a measure: national and per-region aggregates per period."""
        return _series(service.NATIONAL, measure, args, national_point)
