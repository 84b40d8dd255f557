"""Parse and validate agreement YAML: an Agreement, or every problem with its file, line and path.

The caller reads the files and passes their text; the reference data (which LAs belong to which
region) is passed in too, so nothing here touches the disk.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from policies.agreement import (
    NATIONAL,
    Agreement,
    Retention,
)
from policies.clause_reader import check_single_grant, duty, permission, prohibition
from policies.measures import MEASURES
from policies.succession import succession_problems
from policies.yaml_reader import DOCUMENT, NodeReader, Problem, child, field, line_of

__all__ = ["Problem", "load_agreement", "load_agreements"]

_TOP_REQUIRED = ("region", "version", "effective_from", "owner", "parties", "purposes",
                 "measures", "retention", "permissions")
_TOP_OPTIONAL = ("title", "effective_to", "prohibitions", "duties")


def load_agreement(text: str, file: str, reference: Mapping[str, frozenset[str]],
                   loaded: Sequence[Agreement] = ()) -> Agreement | list[Problem]:
    """The agreement in ``text``, or all its problems; ``loaded`` are versions already accepted."""
    reader = NodeReader(file, text)
    try:
        root = reader.compose()
        agreement = _agreement(reader, root, reference) if root is not None else None
        if agreement is not None:
            lines = {key.value: line_of(key) for key, _ in root.value}
            reader.problems.extend(succession_problems(agreement, loaded, file, lines))
    finally:
        reader.close()
    if reader.problems or agreement is None:
        return sorted(reader.problems, key=lambda p: p.line)
    return agreement


def load_agreements(files: Iterable[tuple[str, str]], reference: Mapping[str, frozenset[str]],
                    loaded: Sequence[Agreement] = ()) -> tuple[list[Agreement], list[Problem]]:
    """Load (file, text) pairs in order, each checked against those accepted before it."""
    accepted = list(loaded)
    new: list[Agreement] = []
    problems: list[Problem] = []
    for file, text in files:
        result = load_agreement(text, file, reference, accepted)
        if isinstance(result, Agreement):
            accepted.append(result)
            new.append(result)
        else:
            problems.extend(result)
    return new, problems


def _agreement(r: NodeReader, root: Any, reference: Mapping[str, frozenset[str]]
               ) -> Agreement | None:
    f = r.mapping(root, DOCUMENT, _TOP_REQUIRED, _TOP_OPTIONAL)
    if f is None:
        return None
    region = _region(r, f, reference)
    version = field(f, "version", lambda n: r.scalar(
        n, "version", int, "a whole number", lambda v: None if v >= 1 else "must be at least 1"))
    start = field(f, "effective_from", lambda n: r.scalar(n, "effective_from", date,
                                                          "a date (YYYY-MM-DD)"))
    end = _effective_to(r, f, start)
    owner = field(f, "owner", lambda n: r.text(n, "owner"))
    title = field(f, "title", lambda n: r.text(n, "title")) or ""
    parties = _parties(r, f, region, reference)
    purposes = field(f, "purposes", lambda n: _texts(r, n, "purposes"))
    measures = field(f, "measures", lambda n: r.codes(
        n, "measures", frozenset(MEASURES), lambda c: f"unknown measure {c!r}"))
    retention = field(f, "retention", lambda n: _retention(r, n))
    national = region == NATIONAL
    seen: dict[str, str] = {}
    permissions = _clauses(r, f, "permissions",
                           lambda n, p: permission(r, n, p, seen, measures, national))
    prohibitions = _clauses(r, f, "prohibitions",
                            lambda n, p: prohibition(r, n, p, seen, measures))
    duties = _clauses(r, f, "duties", lambda n, p: duty(r, n, p, seen))
    check_single_grant(r, f, permissions)
    if (region is None or version is None or start is None or owner is None or parties is None
            or purposes is None or measures is None or retention is None or permissions is None
            or prohibitions is None or duties is None or r.problems):
        return None
    return Agreement(region, version, start, end, owner, parties, tuple(purposes), measures,
                     retention, tuple(permissions), tuple(prohibitions), tuple(duties), title)


def _region(r: NodeReader, f: dict[str, Any], reference: Mapping[str, frozenset[str]]
            ) -> str | None:
    known = set(reference) | {NATIONAL}
    return field(f, "region", lambda n: r.scalar(
        n, "region", str, "a region code",
        lambda v: None if v in known else f"unknown region {v!r} (expected an ONS code "
                                          f"E12… of the reference data, or {NATIONAL!r})"))


def _effective_to(r: NodeReader, f: dict[str, Any], start: date | None) -> date | None:
    node = f.get("effective_to")
    if node is None or node.tag == "tag:yaml.org,2002:null":
        return None
    end = r.scalar(node, "effective_to", date, "a date (YYYY-MM-DD) or null")
    if end is not None and start is not None and end < start:
        r.report(node, "effective_to", f"{end} is before effective_from {start}")
    return end


def _parties(r: NodeReader, f: dict[str, Any], region: str | None,
             reference: Mapping[str, frozenset[str]]) -> frozenset[str] | None:
    if "parties" not in f or region is None:
        return None
    if region == NATIONAL:
        known = frozenset().union(*reference.values())
        return r.codes(f["parties"], "parties", known,
                       lambda c: f"{c!r} is not a local authority of any region")
    return r.codes(f["parties"], "parties", reference[region],
                   lambda c: f"{c!r} is not a local authority of region {region}")


def _texts(r: NodeReader, node: Any, path: str) -> list[str] | None:
    items = r.sequence(node, path)
    if items is None:
        return None
    values = [r.text(item, child(path, i)) for i, item in enumerate(items)]
    return None if any(v is None for v in values) else [v for v in values if v is not None]


def _retention(r: NodeReader, node: Any) -> Retention | None:
    f = r.mapping(node, "retention", ("extract_months",))
    if f is None or "extract_months" not in f:
        return None
    months = r.scalar(f["extract_months"], "retention.extract_months", int, "a whole number",
                      lambda v: None if v >= 1 else "must be at least 1")
    return Retention(months) if months is not None else None


def _clauses(r: NodeReader, f: dict[str, Any], key: str, read: Any) -> list[Any] | None:
    if key not in f:
        return []
    items = r.sequence(f[key], key, allow_empty=True)
    if items is None:
        return None
    clauses = [read(item, child(key, i)) for i, item in enumerate(items)]
    return None if any(c is None for c in clauses) else clauses
