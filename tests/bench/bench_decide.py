"""Benchmark decide() against cedarpy evaluating an equivalent Cedar policy, in the same run.

Run with ``python -m tests.bench.bench_decide``. The Cedar policy set is generated from the same
agreements and overrides, and every request's permit/deny is compared between the two engines
before anything is timed, so the ratio compares like with like.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import timedelta
from importlib.metadata import version
from typing import Any

import cedarpy

from policies.agreement import NATIONAL, Agreement
from policies.compiler import compile_policies
from policies.decision import ConsentOverride, Resource, Subject
from policies.loader import load_agreements
from policies.measures import MEASURES
from tests.policies.conftest import NOW, agreement_files, read_reference

REQUESTS = 20_000
RECOMPILES = 30
#: Targets of the brief: decide() at least 20x faster than cedarpy, recompiling under 50 ms.
TARGET_RATIO = 20.0
TARGET_RECOMPILE_MS = 50.0

Request = tuple[Subject, str, Resource]


def overrides(la_region: dict[str, str]) -> list[ConsentOverride]:
    """A few consent overrides in force, so both engines also evaluate their forbids."""
    las = sorted(la_region)
    start = NOW - timedelta(days=7)
    return [
        ConsentOverride("w1", 1, "withhold", las[3], "board", "dcs", start,
                        audience="other_regions", measure="agency_rate"),
        ConsentOverride("w2", 1, "withhold", las[40], "board", "dcs", start, audience="nare"),
        ConsentOverride("s1", 1, "suspend", las[90], "unsigned", "admin", start),
    ]


def request_mix(la_region: dict[str, str], seed: int = 20250401) -> list[Request]:
    """Benchmark-page traffic: LAs, regional managers, NARE, and the odd admin, in all regions."""
    rng = random.Random(seed)
    las, regions = sorted(la_region), sorted(set(la_region.values()))
    measures = sorted(MEASURES)
    mix: list[Request] = []
    while len(mix) < REQUESTS:
        measure, roll = rng.choice(measures), rng.random()
        other_la, other_region = rng.choice(las), rng.choice(regions)
        if roll < 0.6:
            la = rng.choice(las)
            subject = Subject(la, "local_authority", la_region[la])
            resource = rng.choice([
                Resource(measure, "own", la_code=la),
                Resource(measure, "la", la_code=other_la),
                Resource(measure, "region", region_code=other_region),
                Resource(measure, "region", region_code=la_region[other_la], la_code=other_la),
                Resource(measure, "national"),
                Resource(measure, "national", la_code=other_la),
            ])
        elif roll < 0.85:
            region = rng.choice(regions)
            subject = Subject(region, "region", region)
            resource = rng.choice([
                Resource(measure, "la", la_code=other_la),
                Resource(measure, "region", region_code=other_region),
                Resource(measure, "national", la_code=other_la),
            ])
        elif roll < 0.98:
            subject = Subject("NARE", "nare")
            resource = rng.choice([
                Resource(measure, "region", region_code=other_region),
                Resource(measure, "region", region_code=la_region[other_la], la_code=other_la),
                Resource(measure, "national"),
                Resource(measure, "national", la_code=other_la),
                Resource(measure, "la", la_code=other_la),
            ])
        else:
            subject, resource = Subject("hub-admins", "admin"), Resource(measure, "national")
        mix.append((subject, "read", resource))
    return mix


def _list(values: Sequence[str] | frozenset[str]) -> str:
    return "[" + ", ".join(json.dumps(v) for v in sorted(values)) + "]"


def _audience(audience: str, owner: str) -> str:
    """Cedar condition: the principal is in ``audience`` relative to figures of ``owner``.

    ``owner`` is a Cedar expression of the owning region's code (a string).
    """
    party = '(principal.kind == "local_authority" || principal.kind == "region")'
    return {"self": "false",
            "region_parties": f"{party} && principal.region == {owner}",
            "other_regions": f"{party} && principal.region != {owner}",
            "nare": 'principal.kind == "nare"'}[audience]


def cedar_policies(agreements: Sequence[Agreement], active: Sequence[ConsentOverride]) -> str:
    """The agreements and overrides as Cedar permits and forbids with the same meaning."""
    out: list[str] = []
    has_la = "context has la"
    not_self = f"!({has_la} && principal == context.la)"
    for a in agreements:
        r = json.dumps(a.region)
        for p in a.permissions:
            m = f"{_list(p.measures)}.contains(context.measure)"
            if p.grain == "own" or (p.audience == "self" and p.grain == "la"):
                where = (f'{has_la} && principal == context.la && context.la.region == {r} && '
                         f'principal.kind == "local_authority"')
            elif p.grain == "la":
                where = f"{has_la} && context.la.region == {r} && {not_self} && " + _audience(
                    p.audience, "context.la.region")
            elif p.grain == "region" and a.region == NATIONAL:
                where = _audience(p.audience, "context.region")
            elif p.grain == "region":
                where = f"context.region == {r} && " + _audience(p.audience, r)
            else:  # the national aggregate: every party of the national agreement, or NARE
                where = _audience(p.audience, "principal.region")
            out.append(f'permit(principal, action == Action::"read", resource) when {{ '
                       f'context.grain == "{p.grain}" && {m} && {where} }};')
        if a.region == NATIONAL:
            continue
        uncovered = set(MEASURES) - a.measures
        if uncovered:
            out.append(f'forbid(principal, action, resource) when {{ '
                       f'{_list(uncovered)}.contains(context.measure) && (context.region == {r}'
                       f' || ({has_la} && context.la.region == {r} && {not_self})) }};')
        for x in a.prohibitions:
            out.append(f'forbid(principal, action, resource) when {{ '
                       f'{_list(x.measures)}.contains(context.measure) && (('
                       f'context.grain == "region" && context.region == {r} && '
                       f'{_audience(x.audience, r)}) || ({has_la} && context.la.region == {r} '
                       f'&& {not_self} && {_audience(x.audience, r)})) }};')
    out.append(f'forbid(principal, action, resource) when {{ context.grain == "region" && '
               f'{has_la} && context.la.region != context.region }};')
    for o in active:
        org = f'Org::{json.dumps(o.org_code)}'
        if o.kind == "suspend":
            out.append(f'forbid(principal, action, resource) when {{ (principal == {org} && '
                       f'!({has_la} && context.la == {org} && (context.grain == "own" || '
                       f'context.grain == "la"))) || ({has_la} && context.la == {org} && '
                       f'principal != {org} && context.grain == "la") }};')
        else:
            measure = (f"context.measure == {json.dumps(o.measure)} && "
                       if o.measure is not None else "")
            # An override withholds the LA's own figure only, never the LA from an aggregate.
            out.append(f'forbid(principal, action, resource) when {{ {measure}{has_la} && '
                       f'context.grain == "la" && context.la == {org} && {not_self} && '
                       f'{_audience(o.audience or "", "context.la.region")} }};')
    return "\n".join(out)


def cedar_entities(la_region: dict[str, str]) -> str:
    orgs = [(la, "local_authority", region) for la, region in la_region.items()]
    orgs += [(region, "region", region) for region in sorted(set(la_region.values()))]
    orgs += [("NARE", "nare", ""), ("hub-admins", "admin", "")]
    return json.dumps([{"uid": {"type": "Org", "id": code}, "parents": [],
                        "attrs": {"kind": kind, "region": region}}
                       for code, kind, region in orgs])


def cedar_request(request: Request, la_region: dict[str, str]) -> dict[str, Any]:
    subject, action, resource = request
    context: dict[str, Any] = {"measure": resource.measure, "grain": resource.grain,
                               "region": resource.region_code or ""}
    if resource.la_code is not None:
        context["la"] = {"__entity": {"type": "Org", "id": resource.la_code}}
    return {"principal": {"type": "Org", "id": subject.org_code},
            "action": {"type": "Action", "id": action},
            "resource": {"type": "Figure", "id": "figure"}, "context": context}


def latencies(call: Callable[[Any], object], items: Sequence[Any]) -> list[float]:
    """Per-call wall time in microseconds, after one warm-up pass."""
    for item in items[:1000]:
        call(item)
    clock = time.perf_counter_ns
    times = []
    for item in items:
        start = clock()
        call(item)
        times.append((clock() - start) / 1000)
    return times


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98]


def main() -> list[dict[str, object]]:
    """Time decide() and cedarpy on the same requests, and recompiles; print and return rows."""
    reference = read_reference()
    agreements, problems = load_agreements(agreement_files(), reference)
    assert not problems, problems
    la_region = {la: region for region, las in reference.items() for la in las}
    active = overrides(la_region)
    policy = compile_policies(agreements, active, NOW)
    mix = request_mix(la_region)
    cedar_set = cedarpy.PolicySet.from_str(cedar_policies(policy.agreements, active))
    entities = cedarpy.Entities.from_json_str(cedar_entities(la_region))
    cedar_mix = [cedar_request(r, la_region) for r in mix]
    ours = [policy.decide(*r).permit for r in mix]
    theirs = [cedarpy.is_authorized(c, cedar_set, entities).allowed for c in cedar_mix]
    mismatches = [mix[i] for i, (a, b) in enumerate(zip(ours, theirs, strict=True)) if a != b]
    assert not mismatches, f"{len(mismatches)} decisions differ, e.g. {mismatches[:3]}"

    decide = policy.decide
    fast = latencies(lambda r: decide(*r), mix)
    slow = latencies(lambda c: cedarpy.is_authorized(c, cedar_set, entities), cedar_mix)

    change = ConsentOverride("w9", 1, "withhold", sorted(la_region)[7], "board", "dcs",
                             NOW - timedelta(hours=1), audience="region_parties")

    def recompile(_: object) -> None:
        compile_policies(agreements, [*active, change], NOW)

    def cedar_rebuild(_: object) -> None:
        cedarpy.PolicySet.from_str(cedar_policies(policy.agreements, [*active, change]))

    def compile_changed_agreements(i: int) -> None:
        # Distinct agreement values defeat the compiler's per-agreement cache: a cold compile.
        changed = [replace(a, title=f"{a.title} #{i}") for a in agreements]
        compile_policies(changed, active, NOW)

    ours_ms = statistics.median(latencies(recompile, range(RECOMPILES))) / 1000
    cedar_ms = statistics.median(latencies(cedar_rebuild, range(RECOMPILES))) / 1000
    cold_ms = statistics.median(latencies(compile_changed_agreements,
                                          range(1000, 1000 + RECOMPILES))) / 1000
    permits = sum(ours)
    rows: list[dict[str, object]] = [
        _row("decide median", statistics.median(fast), statistics.median(slow), "us"),
        _row("decide p99", p99(fast), p99(slow), "us"),
        _row("recompile after consent change", ours_ms, cedar_ms, "ms"),
        _row("compile after agreement change", cold_ms, cedar_ms, "ms"),
    ]
    print(f"{len(mix)} requests ({permits} permitted, {len(mix) - permits} denied), identical "
          f"permit/deny from both engines; baseline = cedarpy {version('cedarpy')} "
          f"({len(cedar_set)} policies)")
    for row in rows:
        print(f"{row['name']:<32} {row['value']:>9.3f} {row['unit']}   cedarpy "
              f"{row['baseline']:>9.3f} {row['unit']}   x{row['ratio']:.1f}")
    print(f"targets: decide >= x{TARGET_RATIO:.0f} faster than cedarpy; recompile < "
          f"{TARGET_RECOMPILE_MS:.0f} ms")
    return rows


def _row(name: str, value: float, baseline: float, unit: str) -> dict[str, object]:
    return {"name": name, "value": round(value, 4), "baseline": round(baseline, 4),
            "ratio": round(baseline / value, 1), "unit": unit}


if __name__ == "__main__":
    main()
