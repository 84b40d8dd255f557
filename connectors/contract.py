"""The extract contract: the JSON a connector serves and the hub accepts, built and validated here.

One module for both sides, so the connector cannot produce what the hub would refuse. Values come
only from the catalogue in ``policies.measures``: components are what the LA counted, measures are
``derive()`` of them, breakdowns split components by role or breach type.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from connectors.strictjson import StrictJsonError, loads_strict
from policies.measures import BREAKDOWNS, COMPONENTS, DATASETS, MEASURES, Unit, derive, is_period

CONTRACT = "workforce-extract/1"
#: Far above a real extract (a few kilobytes); refuses a body built to exhaust the hub.
MAX_EXTRACT_BYTES = 64 * 1024
MAX_DEPTH = 5
#: Tolerance, relative to the larger of 1 and the expected value, for derived figures and sums.
TOLERANCE = 1e-6

LA_CODE = re.compile(r"^E[0-9]{8}$")
RFC3339_UTC = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?Z$")

#: Longest reason an extract may give for a component it does not supply.
MAX_REASON = 200

#: For each breakdown dimension, the components an extract may split along it.
BREAKDOWN_COMPONENTS: dict[str, tuple[str, ...]] = {
    dim: tuple(dict.fromkeys(
        c for m in MEASURES.values() if dim in m.breakdowns for c in m.components
    ))
    for dim in BREAKDOWNS
}
_COUNTED_UNITS = (Unit.HEADCOUNT, Unit.COUNT)


class ContractError(ValueError):
    """An extract or datasets document that breaks the contract, with where and why."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path or '/'}: {message}")
        self.path = path or "/"
        self.message = message


@dataclass(frozen=True)
class MeasureValue:
    """One measure of an extract: its value and the counts it was derived from."""

    value: float | None
    unit: str
    numerator: float
    denominator: float | None


@dataclass(frozen=True)
class Extract:
    """One LA's aggregated extract for one dataset and period."""

    dataset: str
    la_code: str
    period: str
    generated_at: datetime
    components: Mapping[str, float]
    measures: Mapping[str, MeasureValue]
    breakdowns: Mapping[str, Mapping[str, Mapping[str, float]]]
    #: Component -> why the LA does not supply it (a DfE marker's meaning, not collected…).
    not_supplied: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DatasetsDocument:
    """What a connector's ``/datasets`` lists: for each dataset, the periods it can serve."""

    la_code: str
    datasets: Mapping[str, tuple[str, ...]]


def build_extract(
    la_code: str,
    period: str,
    components: Mapping[str, float],
    breakdowns: Mapping[str, Mapping[str, Mapping[str, float]]],
    generated_at: datetime,
    dataset: str = DATASETS[0],
    not_supplied: Mapping[str, str] | None = None,
) -> Extract:
    """An extract with measures derived from ``components``, every other component listed as
    not supplied (with the reason given, else "not in the LA's records"); ContractError if it
    is invalid."""
    reasons = {c: (not_supplied or {}).get(c, "x: not in the LA's records")
               for c in COMPONENTS if c not in components}
    extract = Extract(dataset, la_code, period, generated_at.astimezone(UTC),
                      dict(components), derive_measures(components), breakdowns, reasons)
    # Round-trip through the validator so a connector can never serve what the hub refuses.
    return parse_extract(extract_to_json(extract))


def derive_measures(components: Mapping[str, float]) -> dict[str, MeasureValue]:
    """Every catalogue measure whose components are all supplied, derived from them."""
    out: dict[str, MeasureValue] = {}
    for code, m in MEASURES.items():
        if not all(c in components for c in m.components):
            continue
        denominator = math.fsum(components[c] for c in m.denominator) if m.denominator else None
        value = derive(m, dict(components))
        if value is not None and not math.isfinite(value):
            raise ContractError(f"/measures/{code}/value", "overflows: the denominator is "
                                                           "too small")
        out[code] = MeasureValue(value, m.unit.value, components[m.numerator], denominator)
    return out


def extract_to_json(extract: Extract) -> bytes:
    """The extract as compact UTF-8 JSON with sorted keys: the bytes a connector signs."""
    doc = {
        "contract": CONTRACT,
        "dataset": extract.dataset,
        "la_code": extract.la_code,
        "period": extract.period,
        "generated_at": extract.generated_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "components": dict(extract.components),
        "measures": {code: {"value": mv.value, "unit": mv.unit, "numerator": mv.numerator,
                            "denominator": mv.denominator}
                     for code, mv in extract.measures.items()},
        "breakdowns": {dim: {cat: dict(vals) for cat, vals in cats.items()}
                       for dim, cats in extract.breakdowns.items()},
    }
    if extract.not_supplied:
        doc["not_supplied"] = dict(extract.not_supplied)
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), allow_nan=False).encode()


def datasets_to_json(document: DatasetsDocument) -> bytes:
    """The ``/datasets`` document as compact UTF-8 JSON."""
    doc = {"contract": CONTRACT, "la_code": document.la_code,
           "datasets": [{"dataset": d, "periods": list(p)} for d, p in document.datasets.items()]}
    return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()


def parse_extract(raw: bytes) -> Extract:
    """The extract in ``raw`` if it keeps every rule of the contract; ContractError otherwise."""
    doc = _load(raw)
    _keys(doc, "", required={"contract", "dataset", "la_code", "period", "generated_at",
                             "components", "measures", "breakdowns"},
          optional=frozenset({"not_supplied"}))
    _contract(doc)
    dataset = _string(doc, "dataset", "")
    if dataset not in DATASETS:
        raise ContractError("/dataset", f"unknown dataset {dataset!r}")
    la_code = _la_code(doc)
    period = _string(doc, "period", "")
    if not is_period(period):
        raise ContractError("/period", "not a period of the form YYYY-Qn")
    components = _components(doc["components"])
    return Extract(dataset, la_code, period, _generated_at(doc), components,
                   _measures(doc["measures"], components),
                   _breakdowns(doc["breakdowns"], components),
                   _not_supplied(doc.get("not_supplied", {}), components))


def parse_datasets(raw: bytes) -> DatasetsDocument:
    """The ``/datasets`` document in ``raw``; ContractError if it breaks the contract."""
    doc = _load(raw)
    _keys(doc, "", required={"contract", "la_code", "datasets"})
    _contract(doc)
    entries = doc["datasets"]
    if not isinstance(entries, list) or len(entries) > 32:
        raise ContractError("/datasets", "must be a list of at most 32 datasets")
    datasets: dict[str, tuple[str, ...]] = {}
    for i, entry in enumerate(entries):
        path = f"/datasets/{i}"
        _keys(entry, path, required={"dataset", "periods"})
        name = _string(entry, "dataset", path)
        periods = entry["periods"]
        if not isinstance(periods, list) or len(periods) > 400:
            raise ContractError(f"{path}/periods", "must be a list of at most 400 periods")
        for j, p in enumerate(periods):
            if not isinstance(p, str) or not is_period(p):
                raise ContractError(f"{path}/periods/{j}", "not a period of the form YYYY-Qn")
        datasets[name] = tuple(periods)
    return DatasetsDocument(_la_code(doc), datasets)


def _load(raw: bytes) -> dict[str, Any]:
    try:
        doc = loads_strict(raw, MAX_EXTRACT_BYTES, MAX_DEPTH)
    except StrictJsonError as exc:
        raise ContractError(exc.path, exc.message) from None
    if not isinstance(doc, dict):
        raise ContractError("", "must be a JSON object")
    return doc


def _keys(value: Any, path: str, required: set[str],
          optional: frozenset[str] = frozenset()) -> None:
    if not isinstance(value, dict):
        raise ContractError(path, "must be an object")
    if missing := sorted(required - value.keys()):
        raise ContractError(f"{path}/{missing[0]}", "is required")
    if unknown := sorted(value.keys() - required - optional):
        raise ContractError(f"{path}/{unknown[0]}", "is not part of the contract")


def _contract(doc: dict[str, Any]) -> None:
    if doc["contract"] != CONTRACT:
        raise ContractError("/contract", f"must be {CONTRACT!r}")


def _string(doc: dict[str, Any], key: str, path: str) -> str:
    value = doc[key]
    if not isinstance(value, str) or not 0 < len(value) <= 64:
        raise ContractError(f"{path}/{key}", "must be a string of 1 to 64 characters")
    return value


def _la_code(doc: dict[str, Any]) -> str:
    code = _string(doc, "la_code", "")
    if not LA_CODE.match(code):
        raise ContractError("/la_code", "not an ONS local authority code (E + 8 digits)")
    return code


def _generated_at(doc: dict[str, Any]) -> datetime:
    value = _string(doc, "generated_at", "")
    if not RFC3339_UTC.match(value):
        raise ContractError("/generated_at", "not an RFC 3339 UTC time (…Z)")
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise ContractError("/generated_at", "not a valid date and time") from None


def _number(value: Any, path: str, counted: bool = False) -> float:
    # bool is an int in Python but never a number in the contract.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ContractError(path, "must be a number")
    if not math.isfinite(value) or value < 0:
        raise ContractError(path, "must be a finite number, zero or more")
    if counted and not float(value).is_integer():
        raise ContractError(path, "must be a whole number")
    return float(value)


def _components(value: Any) -> dict[str, float]:
    if not isinstance(value, dict):
        raise ContractError("/components", "must be an object")
    for code in value:
        if code not in COMPONENTS:
            raise ContractError(f"/components/{code}", "unknown component")
    return {code: _number(v, f"/components/{code}", COMPONENTS[code].unit in _COUNTED_UNITS)
            for code, v in value.items()}


def _not_supplied(value: Any, components: dict[str, float]) -> dict[str, str]:
    # Any component may be missing; where the extract says why, each reason is short text
    # about a catalogue component it does not also supply.
    if not isinstance(value, dict):
        raise ContractError("/not_supplied", "must be an object")
    for code, reason in value.items():
        path = f"/not_supplied/{code}"
        if code not in COMPONENTS:
            raise ContractError(path, "unknown component")
        if code in components:
            raise ContractError(path, "the component is supplied")
        if not isinstance(reason, str) or not 0 < len(reason) <= MAX_REASON:
            raise ContractError(path, f"must be a reason of 1 to {MAX_REASON} characters")
    return dict(value)


def _close(actual: float | None, expected: float | None) -> bool:
    if actual is None or expected is None:
        return actual is expected
    return abs(actual - expected) <= TOLERANCE * max(1.0, abs(expected))


def _measures(value: Any, components: dict[str, float]) -> dict[str, MeasureValue]:
    expected = derive_measures(components)
    _keys(value, "/measures", required=set(expected))
    out: dict[str, MeasureValue] = {}
    for code, want in expected.items():
        path = f"/measures/{code}"
        entry = value[code]
        _keys(entry, path, required={"value", "unit", "numerator", "denominator"})
        if entry["unit"] != want.unit:
            raise ContractError(f"{path}/unit", f"must be {want.unit!r}")
        got = MeasureValue(
            None if entry["value"] is None else _number(entry["value"], f"{path}/value"),
            want.unit,
            _number(entry["numerator"], f"{path}/numerator"),
            None if entry["denominator"] is None
            else _number(entry["denominator"], f"{path}/denominator"),
        )
        for part in ("numerator", "denominator", "value"):
            if not _close(getattr(got, part), getattr(want, part)):
                raise ContractError(f"{path}/{part}",
                                    f"{getattr(got, part)} disagrees with the components")
        out[code] = got
    return out


def _breakdowns(value: Any, components: dict[str, float]) -> dict[str, dict[str, dict[str, float]]]:
    if not isinstance(value, dict):
        raise ContractError("/breakdowns", "must be an object")
    out: dict[str, dict[str, dict[str, float]]] = {}
    for dim, cats in value.items():
        path = f"/breakdowns/{dim}"
        if dim not in BREAKDOWNS:
            raise ContractError(path, "unknown breakdown dimension")
        if not isinstance(cats, dict):
            raise ContractError(path, "must be an object")
        sums: dict[str, float] = {}
        out[dim] = {}
        for cat, vals in cats.items():
            if cat not in BREAKDOWNS[dim]:
                raise ContractError(f"{path}/{cat}", f"unknown {dim}")
            if not isinstance(vals, dict):
                raise ContractError(f"{path}/{cat}", "must be an object")
            out[dim][cat] = {}
            for code, v in vals.items():
                vpath = f"{path}/{cat}/{code}"
                if code not in BREAKDOWN_COMPONENTS[dim] or code not in components:
                    raise ContractError(vpath, f"component cannot be broken down by {dim}")
                n = _number(v, vpath, COMPONENTS[code].unit in _COUNTED_UNITS)
                out[dim][cat][code] = n
                sums[code] = sums.get(code, 0.0) + n
        for code, total in sums.items():
            if not _close(total, components[code]):
                raise ContractError(f"{path}", f"{code} sums to {total}, not {components[code]}")
    return out
