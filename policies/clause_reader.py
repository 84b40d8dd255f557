"""Read the clauses of an agreement: permissions, prohibitions and duties, with their checks."""

from __future__ import annotations

import re
from typing import Any

from policies.agreement import (
    AUDIENCES,
    DUTIES,
    GRAINS,
    LA,
    NATIONAL_GRAINS,
    OWN,
    REGIONAL_GRAINS,
    RESTRICTABLE_AUDIENCES,
    SELF,
    Duty,
    Permission,
    Prohibition,
)
from policies.measures import MEASURES
from policies.rules import DisclosureRules
from policies.yaml_reader import NodeReader, child, field

_CLAUSE_ID = re.compile(r"^[a-z][a-z0-9-]{0,31}$")
_CONSTRAINTS = ("min_cell_count", "rounding_base", "min_contributors", "dominance_share")


def _choice(r: NodeReader, node: Any, path: str, what: str, allowed: tuple[str, ...]
            ) -> str | None:
    def check(value: str) -> str | None:
        if value in allowed:
            return None
        # A known word in the wrong place deserves a different message than a misspelling.
        problem = f"{what} {value!r} is not allowed here" if value in AUDIENCES + GRAINS else (
            f"unknown {what} {value!r}")
        return f"{problem} (expected one of: {', '.join(allowed)})"

    return r.scalar(node, path, str, f"an {what}", check)


def _clause_id(r: NodeReader, f: dict[str, Any], path: str, seen: dict[str, str]) -> str | None:
    """Clause ids are citations, so they must be well formed and unique in the agreement."""
    if "id" not in f:
        return None
    here = child(path, "id")
    value = r.scalar(f["id"], here, str, "a clause id", lambda v: None if _CLAUSE_ID.match(v) else (
        "must be lower-case letters, digits and dashes, starting with a letter"))
    if value is not None and value in seen:
        r.report(f["id"], here, f"clause id {value!r} is already used by {seen[value]}")
        return None
    if value is not None:
        seen[value] = path
    return value


def _clause_measures(r: NodeReader, node: Any, path: str, covered: frozenset[str] | None
                     ) -> frozenset[str] | None:
    codes = r.codes(node, path, frozenset(MEASURES), lambda c: f"unknown measure {c!r}")
    if codes is None or covered is None:
        return None
    if node.value == "all":
        return covered
    for code in sorted(codes - covered):
        r.report(node, path, f"measure {code!r} is not among the agreement's measures")
    return codes if codes <= covered else None


def permission(r: NodeReader, node: Any, path: str, seen: dict[str, str],
               covered: frozenset[str] | None, national: bool) -> Permission | None:
    """The permission at ``node``; ``covered`` are the agreement's measures."""
    f = r.mapping(node, path, ("id", "audience", "grain", "measures"), ("constraints",))
    if f is None:
        return None
    grains = NATIONAL_GRAINS if national else REGIONAL_GRAINS
    audiences = tuple(a for a in AUDIENCES if not (national and a == SELF))
    audience = field(f, "audience", lambda n: _choice(r, n, child(path, "audience"), "audience",
                                                    audiences))
    grain = field(f, "grain", lambda n: _choice(r, n, child(path, "grain"), "grain", grains))
    if grain is not None and audience is not None and (
            (grain == OWN) != (audience == SELF) and not (audience == SELF and grain == LA)):
        r.report(f["grain"], child(path, "grain"),
                 f"audience {audience!r} cannot read at grain {grain!r} (own figures are the "
                 "LA's alone; self reads at grains own and la)")
        grain = None
    measures = field(f, "measures", lambda n: _clause_measures(r, n, child(path, "measures"),
                                                              covered))
    constraints = _constraints(r, f, path, grain)
    clause_id = _clause_id(r, f, path, seen)
    if clause_id is None or audience is None or grain is None or measures is None or (
            grain != OWN and constraints is None):
        return None
    return Permission(clause_id, audience, grain, measures, constraints)


def _constraints(r: NodeReader, f: dict[str, Any], path: str, grain: str | None
                 ) -> DisclosureRules | None:
    here = child(path, "constraints")
    if grain == OWN:
        if "constraints" in f:
            r.report(f["constraints"], here, "the own grain is unrounded: remove constraints")
        return None
    if "constraints" not in f:
        if grain is not None:
            r.report(f["grain"], here, f"missing field (grain {grain!r} needs disclosure rules)")
        return None
    c = r.mapping(f["constraints"], here, _CONSTRAINTS, ("rate_decimals",))
    if c is None:
        return None

    def whole(key: str, low: int, high: int = 10_000) -> int | None:
        if key not in c:
            return None
        return r.scalar(c[key], child(here, key), int, "a whole number",
                        lambda v: None if low <= v <= high else f"must be between {low} and "
                                                                f"{high}, got {v}")

    cells = whole("min_cell_count", 2)
    base = whole("rounding_base", 1)
    contributors = whole("min_contributors", 1)
    share = field(c, "dominance_share", lambda n: r.scalar(
        n, child(here, "dominance_share"), float, "a share between 0 and 1",
        lambda v: None if 0 < v <= 1 else f"must be above 0 and at most 1, got {v}"))
    decimals = whole("rate_decimals", 0, 4) if "rate_decimals" in c else 1
    if cells is None or base is None or contributors is None or decimals is None or share is None:
        return None
    return DisclosureRules(cells, base, contributors, share, decimals)


def prohibition(r: NodeReader, node: Any, path: str, seen: dict[str, str],
                covered: frozenset[str] | None) -> Prohibition | None:
    """The prohibition at ``node``; ``covered`` are the agreement's measures."""
    f = r.mapping(node, path, ("id", "audience", "measures"), ("reason",))
    if f is None:
        return None
    audience = field(f, "audience", lambda n: _choice(r, n, child(path, "audience"), "audience",
                                                    RESTRICTABLE_AUDIENCES))
    measures = field(f, "measures", lambda n: _clause_measures(r, n, child(path, "measures"),
                                                              covered))
    reason = field(f, "reason", lambda n: r.text(n, child(path, "reason"))) or ""
    clause_id = _clause_id(r, f, path, seen)
    if clause_id is None or audience is None or measures is None:
        return None
    return Prohibition(clause_id, audience, measures, reason)


def duty(r: NodeReader, node: Any, path: str, seen: dict[str, str]) -> Duty | None:
    """The duty at ``node``."""
    f = r.mapping(node, path, ("id", "action"), ("note",))
    if f is None:
        return None
    action = field(f, "action", lambda n: r.scalar(
        n, child(path, "action"), str, "a duty",
        lambda v: None if v in DUTIES else f"unknown duty {v!r} (expected one of: "
                                           f"{', '.join(DUTIES)})"))
    note = field(f, "note", lambda n: r.text(n, child(path, "note"))) or ""
    clause_id = _clause_id(r, f, path, seen)
    if clause_id is None or action is None:
        return None
    return Duty(clause_id, action, note)


def check_single_grant(r: NodeReader, f: dict[str, Any],
                       permissions: list[Permission] | None) -> None:
    """Report a measure granted twice to one audience at one grain: its rules would be ambiguous."""
    granted: dict[tuple[str, str, str], str] = {}
    for index, grant in enumerate(permissions or ()):
        for measure in sorted(grant.measures):
            key = (grant.audience, grant.grain, measure)
            if key in granted:
                r.report(f["permissions"].value[index], child("permissions", index),
                         f"{measure!r} is already granted to {key[0]} at grain {key[1]} by "
                         f"permission {granted[key]}")
            else:
                granted[key] = grant.id
