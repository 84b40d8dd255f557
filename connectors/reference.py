"""The LA reference list a connector ships with (``data/local_authorities.csv``)."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data"


@cache
def dfe_codes() -> dict[str, str]:
    """DfE's three-digit LA code -> the LA's ONS code, for every LA of the reference list."""
    with open(DATA / "local_authorities.csv", newline="") as fh:
        return {row["dfe_code"]: row["ons_code"] for row in csv.DictReader(fh)}
