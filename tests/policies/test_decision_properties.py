"""Invariants of decide(), checked by hypothesis over the real agreements and random requests."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st

from policies.agreement import GRAINS, RESTRICTABLE_AUDIENCES, Agreement
from policies.compiler import compile_policies
from policies.decision import ConsentOverride, Resource, Subject
from policies.loader import load_agreements
from policies.measures import MEASURES
from policies.policyset import PolicySet
from tests.policies.conftest import NOW, agreement_files, read_reference

REFERENCE = read_reference()
REGIONS = sorted(REFERENCE)
LA_REGION = {la: region for region, las in REFERENCE.items() for la in las}
LAS = sorted(LA_REGION)


@cache
def real_agreements() -> tuple[Agreement, ...]:
    loaded, problems = load_agreements(agreement_files(), REFERENCE)
    assert problems == []
    return tuple(loaded)


@cache
def real_policy() -> PolicySet:
    return compile_policies(real_agreements(), [], NOW)


@cache
def stripped_policy() -> PolicySet:
    """The real agreements with every permission taken out."""
    stripped = [dataclasses.replace(a, permissions=()) for a in real_agreements()]
    return compile_policies(stripped, [], NOW)


@cache
def reloaded_policy() -> PolicySet:
    """The same files loaded and compiled a second time, from scratch."""
    reloaded, problems = load_agreements(agreement_files(), REFERENCE)
    assert problems == []
    return compile_policies(reloaded, [], NOW)


subjects = st.one_of(
    st.sampled_from(LAS).map(lambda la: Subject(la, "local_authority", LA_REGION[la])),
    st.sampled_from(REGIONS).map(lambda r: Subject(r, "region", r)),
    st.just(Subject("NARE", "nare")),
    st.just(Subject("hub-admins", "admin")),
)
resources = st.builds(
    Resource,
    measure=st.sampled_from([*MEASURES, "not_a_measure"]),
    grain=st.sampled_from([*GRAINS, "borough"]),
    region_code=st.one_of(st.none(), st.sampled_from(REGIONS)),
    la_code=st.one_of(st.none(), st.sampled_from(LAS)),
)
actions = st.sampled_from(["read", "read", "read", "delete"])
withholdings = st.builds(
    lambda i, la, audience, measure: ConsentOverride(
        f"w{i}", 1, "withhold", la, "LA decision", "dcs", NOW - timedelta(days=1),
        audience=audience, measure=measure),
    st.integers(0, 999), st.sampled_from(LAS), st.sampled_from(RESTRICTABLE_AUDIENCES),
    st.one_of(st.none(), st.sampled_from(sorted(MEASURES))))
suspensions = st.builds(
    lambda i, org: ConsentOverride(f"s{i}", 1, "suspend", org, "admin decision", "admin",
                                   NOW - timedelta(days=1)),
    st.integers(0, 999), st.sampled_from([*LAS, *REGIONS]))
requests = st.lists(st.tuples(subjects, actions, resources), min_size=1, max_size=30)


@settings(max_examples=300, deadline=None)
@given(subjects, actions, resources)
def test_every_deny_carries_a_clause(subject: Subject, action: str, resource: Resource) -> None:
    decision = real_policy().decide(subject, action, resource)
    assert decision.clauses
    assert decision.permit or decision.rules is None


@settings(max_examples=300, deadline=None)
@given(subjects, resources)
def test_every_permit_rests_on_a_matching_permission(subject: Subject,
                                                     resource: Resource) -> None:
    decision = real_policy().decide(subject, "read", resource)
    if not decision.permit:
        return
    cited = {c.id for c in decision.clauses}
    matching = {a.clause_id("permission", p.id) for a in real_agreements()
                for p in a.permissions
                if p.grain == resource.grain and resource.measure in p.measures
                and p.audience == decision.audience}
    assert cited and cited <= matching
    assert (decision.rules is None) == (resource.grain == "own")


@settings(max_examples=200, deadline=None)
@given(subjects, actions, resources)
def test_default_deny_without_permissions(subject: Subject, action: str,
                                          resource: Resource) -> None:
    decision = stripped_policy().decide(subject, action, resource)
    assert not decision.permit and decision.clauses


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(withholdings, suspensions), min_size=1, max_size=6), requests)
def test_overrides_never_widen_a_decision(overrides: list[ConsentOverride],
                                          batch: list[tuple[Subject, str, Resource]]) -> None:
    before = real_policy()
    after = compile_policies(real_agreements(), overrides, NOW)
    for subject, action, resource in batch:
        old = before.decide(subject, action, resource)
        new = after.decide(subject, action, resource)
        assert not new.permit or (old.permit and new.rules == old.rules), (subject, resource)
        assert new.clauses


@settings(max_examples=100, deadline=None)
@given(requests)
def test_recompiling_the_same_files_decides_the_same(
        batch: list[tuple[Subject, str, Resource]]) -> None:
    assert reloaded_policy() is not real_policy()
    for subject, action, resource in batch:
        assert reloaded_policy().decide(subject, action, resource) == real_policy().decide(
            subject, action, resource)
