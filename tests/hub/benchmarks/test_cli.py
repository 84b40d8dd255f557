"""`hub benchmarks recompute`."""

from __future__ import annotations


def test_recompute_every_period_or_one(figures_app, runner_for):
    runner = runner_for(figures_app)
    every = runner.invoke(args=["benchmarks", "recompute"])
    assert every.exit_code == 0, every.output
    # Nothing landed since: the same versions.
    assert every.output.splitlines() == ["2024-Q3: figures version 1",
                                         "2024-Q4: figures version 1"]
    one = runner.invoke(args=["benchmarks", "recompute", "--period", "2024-Q4"])
    assert one.output.splitlines() == ["2024-Q4: figures version 1"]


def test_a_malformed_period_is_refused(figures_app, runner_for):
    result = runner_for(figures_app).invoke(args=["benchmarks", "recompute", "--period", "Q4"])
    assert result.exit_code == 2 and "is not a period" in result.output
