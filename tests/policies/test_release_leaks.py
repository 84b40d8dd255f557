"""The whole release of one reader's period gives no withheld count away. (Two answers of
that period around a consent change, read together: ``test_consent_leaks``.)

Random LA figures (headcounts, FTE, workers above the cap and breaches, some broken down),
random disclosure rules per grain and random consents (``release_worlds``); every released
number of every measure of the reader's period is a linear constraint (``release_model``), and
an LP solver (integer where the figure is a count) finds the least and greatest value each
withheld count can take: they must differ.

More worlds by hand: ``HUB_LEAK_EXAMPLES=500 pytest tests/policies/test_release_leaks.py
--hypothesis-seed=N``.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, event, given, note, settings

from tests.policies.release_worlds import Policy, model_of, read, worlds

EXAMPLES = int(os.environ.get("HUB_LEAK_EXAMPLES", "80"))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(world=worlds())
def test_no_withheld_count_is_pinned_by_the_whole_period(world):
    model = model_of(world)
    reader = read(world, Policy(world["rules"], world["withheld"]), model, "a")
    event(f"{len(reader.withheld)} withheld counts")
    pinned = model.pinned(reader.withheld)
    if pinned:
        note(repr(world))
        for row in model.rows:
            note(repr(row))
    assert pinned == {}

