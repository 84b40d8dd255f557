"""LA codes over time: every code DfE's files used resolves, reorganised LAs say why."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from policies.geography import (
    JOINT_RETURNS,
    RECODED,
    REORGANISATIONS,
    ReorganisedLA,
    joint_lead,
    resolve,
    same_la,
)

REFERENCE = Path(__file__).parents[2] / "hub" / "data" / "local_authorities.csv"
DFE_FILE = Path(__file__).parents[1] / "data" / "dfe" / "csww_indicators_2017_to_2023.csv"


def reference() -> dict[str, str]:
    with REFERENCE.open(newline="") as fh:
        return {row["dfe_code"]: row["ons_code"] for row in csv.DictReader(fh)}


def test_every_code_in_dfes_files_names_a_reference_la_or_a_reorganised_one() -> None:
    dfe_codes = reference()
    ended = {code for r in REORGANISATIONS for code, _ in r.ended}
    with DFE_FILE.open(newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["geographic_level"] == "Local authority"]
    for row in rows:
        for code in row["new_la_code"].split(" / ") + row["old_la_code"].split(" / "):
            if code in ended or code in {"837", "836", "835", "928", "909"}:
                with pytest.raises(ReorganisedLA):
                    resolve(code, dfe_codes)
            else:
                assert resolve(code, dfe_codes).code in dfe_codes.values(), (row, code)


def test_recodings_name_the_same_la_both_ways() -> None:
    for old, (new, _, _) in RECODED.items():
        assert new in reference().values()
        assert same_la(old, new) and same_la(new, old) and not same_la(old, "E09000001")
        assert resolve(old, {}).code == new and resolve(old, {}).note


def test_every_successor_of_a_reorganisation_is_a_reference_la() -> None:
    for reorganisation in REORGANISATIONS:
        assert all(code in reference().values() for code, _ in reorganisation.successors)


def test_joint_returns_have_a_lead() -> None:
    for lead, partner in JOINT_RETURNS:
        assert joint_lead(partner) == lead and joint_lead(lead) is None
