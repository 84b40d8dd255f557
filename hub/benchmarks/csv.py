"""Benchmarks as CSV: header rows naming the agreements and rules, then one flat table.

Header rows start with ``#`` (``pandas.read_csv(..., comment="#")`` skips them), or are left
out (``metadata=False``) for a spreadsheet, which reads them as data; the same facts go in HTTP
headers (``metadata_headers``). A withheld figure's value is its DfE marker (c, x, z) and its
reason is in the next column. Numbers are given to their unit's places (``numbers``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from hub.benchmarks.numbers import tidy

COLUMNS = ("period", "level", "code", "name", "region_code", "value", "reason")
_RULES = ("min_cell_count", "rounding_base", "min_contributors", "dominance_share",
          "rate_decimals")


def _value(figure: dict[str, Any]) -> Any:
    return figure["marker"] if figure["value"] is None else figure["value"]


def _rows(payload: dict[str, Any]) -> Iterable[tuple[Any, ...]]:
    period = payload["period"]
    own = payload.get("own")
    caller = payload["caller"]
    if own is not None:
        yield (period, "own", caller["org_code"], "", caller["region_code"], _value(own),
               own["reason"] or "")
    for la in payload.get("local_authorities", ()):
        yield (period, "la", la["code"], la["name"], la["region_code"], _value(la),
               la["reason"] or "")
    for region in payload["regions"]:
        yield (period, "region", region["code"], region["name"], "", _value(region),
               region["reason"] or "")
    national = payload["national"]
    yield (period, "national", "national", "England", "", _value(national),
           national["reason"] or "")


def _header(payloads: list[dict[str, Any]]) -> list[str]:
    first = payloads[0] if payloads else {}
    lines = [f"# measure: {first.get('measure', '')}"]
    lines += [f"# period {p['period']}: figures version {p['figures_version']}" for p in payloads]
    agreements = sorted({a for p in payloads for a in p["agreements"]})
    lines.append(f"# agreements: {', '.join(agreements) or 'none'}")
    seen: dict[str, None] = {}
    for payload in payloads:
        for rules in payload["rules"]:
            detail = "unrounded" if rules["unrounded"] else ", ".join(
                f"{name} {rules[name]}" for name in _RULES)
            seen[f"# rules {rules['grain']} {rules['area']} ({rules['audience']}; "
                 f"{', '.join(rules['agreements'])}): {detail}"] = None
    return lines + list(seen)


def metadata_headers(payloads: list[dict[str, Any]]) -> dict[str, str]:
    """What the ``#`` lines say, as HTTP headers (one line each, ASCII)."""
    first = payloads[0] if payloads else {}
    agreements = sorted({a for p in payloads for a in p["agreements"]})
    return {"Hub-Measure": str(first.get("measure", "")),
            "Hub-Figures-Versions": ", ".join(f"{p['period']}={p['figures_version']}"
                                              for p in payloads),
            "Hub-Agreements": ", ".join(agreements) or "none"}


def to_csv(payloads: list[dict[str, Any]], metadata: bool = True) -> str:
    """One or more periods' answers as CSV text, with its ``#`` lines unless ``metadata``
    is False."""
    out = io.StringIO()
    for line in _header(payloads) if metadata else ():
        out.write(line.replace("\n", " ") + "\r\n")
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for payload in payloads:
        writer.writerows(_rows(tidy(payload)))
    return out.getvalue()
