"""`hub agreements validate` and `load`: problems located, all or nothing, versions kept."""

from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import func, select

from hub.agreements import service
from hub.agreements.models import AgreementVersion
from hub.audit.models import AuditEvent
from hub.decisions.store import get_policy_store
from tests.hub.agreements.conftest import AGREEMENTS_DIR, LONDON, london_v4

#: Each invalid-agreement failure mode: the edit, the field path and the message it must give.
INVALID = {
    "unknown measure": ("measures: all\nretention", "measures:\n  - agency_rate\n  - "
                        "no_such_measure\nretention", "measures[1]",
                        "unknown measure 'no_such_measure'", "  - no_such_measure"),
    "party not in region": ("  - E09000002  # Barking and Dagenham", "  - E06000047  # Durham",
                            "parties[0]", "'E06000047' is not a local authority of region "
                            "E12000007", "  - E06000047"),
    "threshold below 2": ("min_cell_count: 5", "min_cell_count: 1",
                          "permissions[1].constraints.min_cell_count",
                          "must be between 2 and", "min_cell_count: 1"),
    "overlapping dates": ("effective_from: 2026-06-01", "effective_from: 2025-04-01",
                          "effective_from", "overlaps version 3 of E12000007",
                          "effective_from: 2025-04-01"),
    "yaml syntax error": ("owner: Directors", "owner: [Directors", "document",
                          "YAML syntax error", None),
}


def _stored(app):
    with app.extensions["hub.db"].session() as session:
        return session.scalars(select(AgreementVersion).order_by(
            AgreementVersion.region, AgreementVersion.version)).all()


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1)
                if line.strip().startswith(needle.strip()))


def test_load_then_load_again_is_unchanged(app, runner_for):
    runner = runner_for(app)
    first = runner.invoke(args=["agreements", "load"])
    assert first.exit_code == 0, first.output
    assert "london.yaml: E12000007 v3 loaded" in first.output
    assert first.output.strip().endswith("agreements: 10 loaded, 0 unchanged")
    again = runner.invoke(args=["agreements", "load"])
    assert again.exit_code == 0, again.output
    assert "london.yaml: unchanged" in again.output
    assert again.output.strip().endswith("agreements: 0 loaded, 10 unchanged")
    with app.extensions["hub.db"].session() as session:
        assert session.scalar(select(func.count()).select_from(AgreementVersion)) == 10
        assert session.scalar(select(func.count()).where(
            AuditEvent.action == "agreement.load")) == 10


def test_validate_stores_nothing(app, runner_for):
    result = runner_for(app).invoke(args=["agreements", "validate"])
    assert result.exit_code == 0, result.output
    assert "agreements: 10 valid new, 0 unchanged" in result.output
    assert _stored(app) == []


@pytest.mark.parametrize("case", sorted(INVALID))
@pytest.mark.parametrize("command", ["validate", "load"])
def test_an_invalid_agreement_is_located_and_leaves_what_is_in_force(
        app, runner_for, admin_client, tmp_path, case, command):
    runner = runner_for(app)
    assert runner.invoke(args=["agreements", "load"]).exit_code == 0
    old, new, path, message, needle = INVALID[case]
    text = london_v4(old, new)
    bad = tmp_path / "london-v4.yaml"
    bad.write_text(text)
    # A valid file in the same run is not loaded either: all or nothing.
    good = tmp_path / "north-east-v3.yaml"
    good.write_text((AGREEMENTS_DIR / "north-east.yaml").read_text().replace(
        "version: 2", "version: 3", 1).replace("effective_from: 2025-04-01",
                                               "effective_from: 2026-05-01", 1))
    before = [(r.region, r.version) for r in _stored(app)]

    result = runner.invoke(args=["agreements", command, str(good), str(bad)])

    assert result.exit_code == 1, result.output
    line = _line_of(text, needle) if needle else r"\d+"
    assert re.search(rf"^{re.escape(str(bad))}:{line}: {re.escape(path)}: .*"
                     rf"{re.escape(message)}", result.output, re.M), result.output
    assert [(r.region, r.version) for r in _stored(app)] == before
    in_force = admin_client.get(f"/api/v1/agreements/{LONDON}")
    assert in_force.status_code == 200 and in_force.json["version"] == 3
    assert admin_client.get("/api/v1/agreements/E12000001").json["version"] == 2


def test_a_new_version_supersedes_and_the_old_one_is_kept(app, runner_for, admin_client,
                                                          tmp_path):
    runner = runner_for(app)
    assert runner.invoke(args=["agreements", "load"]).exit_code == 0
    assert admin_client.get(f"/api/v1/agreements/{LONDON}").json["version"] == 3
    newer = tmp_path / "london-v4.yaml"
    newer.write_text(london_v4())

    result = runner.invoke(args=["agreements", "load", str(newer)])

    assert result.exit_code == 0, result.output
    assert f"{newer}: E12000007 v4 loaded" in result.output
    current = admin_client.get(f"/api/v1/agreements/{LONDON}")
    assert current.json["version"] == 4
    assert current.json["source_text"] == london_v4()
    versions = admin_client.get(f"/api/v1/agreements/{LONDON}/versions").json
    assert [(v["version"], v["status"]) for v in versions] == [(3, "superseded"),
                                                                (4, "in_force")]
    assert versions[1]["file_name"] == "london-v4.yaml"
    assert versions[1]["loaded_by"].startswith("cli:")


def test_a_version_starting_later_is_scheduled_and_the_current_one_stays(
        app, runner_for, admin_client, tmp_path):
    runner = runner_for(app)
    assert runner.invoke(args=["agreements", "load"]).exit_code == 0
    later = tmp_path / "london-v4.yaml"
    later.write_text(london_v4("effective_from: 2026-06-01", "effective_from: 2099-01-01"))
    assert runner.invoke(args=["agreements", "load", str(later)]).exit_code == 0
    assert admin_client.get(f"/api/v1/agreements/{LONDON}").json["version"] == 3
    statuses = [v["status"] for v in admin_client.get(
        f"/api/v1/agreements/{LONDON}/versions").json]
    assert statuses == ["in_force", "scheduled"]


def test_an_unreadable_file_is_a_located_problem(app, runner_for, tmp_path):
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"\xff\xfe\x00region")
    result = runner_for(app).invoke(args=["agreements", "load", str(binary)])
    assert result.exit_code == 1
    assert f"{binary}:1: document: cannot be read" in result.output
    assert _stored(app) == []


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_concurrent_loads_are_checked_against_each_other(loaded_app):
    # Each is valid after version 3 alone; together they cannot both be.
    files = [service.SourceFile("v4.yaml", london_v4()),
             service.SourceFile("v5.yaml", london_v4("version: 4", "version: 5").replace(
                 "effective_from: 2026-06-01", "effective_from: 2026-03-01"))]
    barrier = threading.Barrier(2)
    results: list[service.LoadResult] = []

    def load(source: service.SourceFile) -> None:
        with loaded_app.app_context(), loaded_app.extensions["hub.db"].session() as session:
            barrier.wait()
            results.append(service.load(session, [source], "cli:test",
                                        get_policy_store(loaded_app)))

    threads = [threading.Thread(target=load, args=(f,)) for f in files]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(bool(r.problems) for r in results) == [False, True]
    assert len(_stored(loaded_app)) == 11
