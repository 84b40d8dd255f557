"""How versions of one region's agreement follow each other, and which one is in force on a day.

Versions of a region's agreement form a line: each new version has a higher version number and
starts strictly after every earlier version started. A version without effective_to stays in
force until the day before the next version's effective_from; a version with an effective_to
(inclusive) ends that day, and may leave a gap in which no agreement is in force. Two versions
overlap, which is refused, when they start on the same day or when an earlier version's explicit
effective_to falls on or after the new version's effective_from.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from policies.agreement import Agreement
from policies.yaml_reader import Problem


def succession_problems(new: Agreement, loaded: Sequence[Agreement], file: str,
                        lines: Mapping[str, int]) -> list[Problem]:
    """Problems with ``new`` following the versions of its region already loaded."""
    problems: list[Problem] = []
    for old in loaded:
        if old.region != new.region:
            continue
        if new.version <= old.version:
            problems.append(Problem(file, lines["version"], "version",
                                    f"version {new.version} does not follow version "
                                    f"{old.version} already loaded for {new.region}: "
                                    "versions must increase"))
        if new.effective_from <= old.effective_from:
            problems.append(Problem(file, lines["effective_from"], "effective_from",
                                    f"{new.effective_from} overlaps version {old.version} of "
                                    f"{new.region}, which starts {old.effective_from}: a new "
                                    "version must start after the versions before it"))
        elif old.effective_to is not None and old.effective_to >= new.effective_from:
            problems.append(Problem(file, lines["effective_from"], "effective_from",
                                    f"{new.effective_from} overlaps version {old.version} of "
                                    f"{new.region}, in force until {old.effective_to}"))
    return problems


def in_force(agreements: Iterable[Agreement], day: date) -> dict[str, Agreement]:
    """Per region, the version in force on ``day``: the latest started, unless it has ended."""
    latest: dict[str, Agreement] = {}
    for agreement in agreements:
        if agreement.effective_from > day:
            continue
        current = latest.get(agreement.region)
        if current is None or agreement.version > current.version:
            latest[agreement.region] = agreement
    return {region: a for region, a in latest.items() if not a.ends_before(day)}
