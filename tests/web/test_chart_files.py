"""Drawn charts kept as files by the exact data drawn: read back by any process, never stale."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import Flask

from hub.web import charts
from policies.measures import Unit

ROWS = (("Camden", 12.4, "12.4%"), ("Hackney", None, "c"), ("Islington", 20.0, "20.0%"))


@pytest.fixture
def hub_app(tmp_path: Path) -> Flask:
    app = Flask(__name__)
    app.config["HUB_SETTINGS"] = SimpleNamespace(var_dir=tmp_path / "var")
    return app


@pytest.fixture
def drawn(monkeypatch) -> list[str]:
    """The kind of every chart matplotlib draws; each process's own kept charts forgotten."""
    calls: list[str] = []
    real_bars, real_lines = charts._bars_figure, charts._lines_figure

    def bars(*args):
        calls.append("bars")
        return real_bars(*args)

    def lines(*args):
        calls.append("lines")
        return real_lines(*args)

    monkeypatch.setattr(charts, "_bars_figure", bars)
    monkeypatch.setattr(charts, "_lines_figure", lines)
    charts.bars.cache_clear()
    charts.lines.cache_clear()
    yield calls
    charts.bars.cache_clear()
    charts.lines.cache_clear()


def test_a_chart_drawn_once_is_read_back_by_a_process_that_never_drew_it(hub_app, drawn):
    with hub_app.app_context():
        first = charts.bars("rate", "Agency worker rate", Unit.PERCENT, ROWS,
                            frozenset({"Camden", "Hackney"}))
        charts.bars.cache_clear()  # as another process, or this one restarted
        again = charts.bars("rate", "Agency worker rate", Unit.PERCENT, ROWS,
                            frozenset({"Hackney", "Camden"}))
        trend = (("Camden", (20.0, None)),)
        line = charts.lines("t", "Vacancy rate", Unit.PERCENT, ("2024-Q1", "2024-Q2"), trend)
        charts.lines.cache_clear()
        assert charts.lines("t", "Vacancy rate", Unit.PERCENT, ("2024-Q1", "2024-Q2"),
                            trend) == line
    assert again == first and str(again.svg) == str(first.svg)
    assert drawn == ["bars", "lines"]
    assert len(list((hub_app.config["HUB_SETTINGS"].var_dir / "charts").glob("*.json"))) == 2


@pytest.mark.parametrize("change", [
    lambda rows, highlight: (rows[:2] + (("Islington", 20.1, "20.1%"),), highlight),
    lambda rows, highlight: (rows, frozenset({"Islington"})),
    lambda rows, highlight: (rows[:2] + (("Islington", None, "x"),), highlight),
])
def test_any_change_in_the_data_drawn_draws_again(hub_app, drawn, change):
    rows, highlight = ROWS, frozenset({"Camden"})
    with hub_app.app_context():
        before = charts.bars("rate", "Agency worker rate", Unit.PERCENT, rows, highlight)
        charts.bars.cache_clear()
        after = charts.bars("rate", "Agency worker rate", Unit.PERCENT, *change(rows, highlight))
    assert drawn == ["bars", "bars"]
    assert after.svg != before.svg or after.description != before.description


def test_an_unreadable_kept_chart_is_drawn_again(hub_app, drawn):
    with hub_app.app_context():
        charts.bars("rate", "Agency worker rate", Unit.PERCENT, ROWS)
        for kept in (hub_app.config["HUB_SETTINGS"].var_dir / "charts").glob("*.json"):
            kept.write_text("{half a ch")
        charts.bars.cache_clear()
        chart = charts.bars("rate", "Agency worker rate", Unit.PERCENT, ROWS)
    assert drawn == ["bars", "bars"] and "<svg" in str(chart.svg)
