"""What ``connector check`` prints: the extracts a records file would give, component by
component, with what is not supplied and why. Nothing else of the records is shown."""

from __future__ import annotations

from datetime import UTC, datetime

from connectors.contract import Extract, build_extract
from connectors.extract import RecordsSource
from connectors.records import AggregateRecords
from policies.measures import COMPONENTS, period_key


def describe_source(source: RecordsSource) -> str:
    """Every period's extract as text; ContractError where one would break the contract."""
    records = source.records
    held = records.rows if isinstance(records, AggregateRecords) else records.periods()
    served = set(source.periods())
    out: list[str] = []
    for period in sorted(held, key=period_key):
        components, breakdowns, not_supplied = source.contents(period)
        extract = build_extract(source.la_code, period, components, breakdowns,
                                datetime.now(UTC), not_supplied=not_supplied)
        out += _describe(extract)
        if period not in served:
            out.append("  (served once the connector's configuration gives its vacancies)")
    return "".join(line + "\n" for line in out)


def _describe(extract: Extract) -> list[str]:
    lines = [f"{extract.la_code} {extract.period} ({extract.dataset} extract)"]
    width = max(len(c) for c in COMPONENTS)
    for code in COMPONENTS:
        if code in extract.components:
            lines.append(f"  {code:<{width}}  {extract.components[code]:g}")
        else:
            lines.append(f"  {code:<{width}}  not supplied: {extract.not_supplied[code]}")
    for dimension, categories in extract.breakdowns.items():
        split = sorted({c for values in categories.values() for c in values})
        lines.append(f"  by {dimension}: {', '.join(split)}")
    measures = ", ".join(
        f"{code} {m.value:.1f}" if m.value is not None else f"{code} z"
        for code, m in extract.measures.items() if m.denominator is not None)
    lines.append(f"  rates: {measures or 'none'}")
    return lines
