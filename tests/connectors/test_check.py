"""`connector check FILE`: exactly what would leave the LA, every problem at once, no traceback;
and `connector serve` on files that lack components."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from connectors.cli import main
from connectors.config import load_config
from tests.connectors.census import corpus
from tests.connectors.census.corpus import ORDINARY_WORKERS
from tests.connectors.conftest import WORKERS_CSV
from tests.connectors.test_cli import config_dir, write_config  # noqa: F401 -- fixture
from tests.connectors.test_dfe_terms import DFE_HEADER, DFE_ROWS


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["check", *args])


def test_check_prints_each_component_and_why_the_others_are_not_supplied(tmp_path: Path) -> None:
    path = tmp_path / "dfe.csv"
    path.write_text(DFE_HEADER + DFE_ROWS)
    result = run(str(path), "--la", "202")  # Camden by DfE's code
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "E09000007 2022-Q3 (workforce extract)"
    assert "  agency_fte              not supplied: x: not available" in lines
    assert "  vacancy_fte             52.6" in lines
    assert "  mou_breaches            not supplied: x: not in the LA's file" in lines
    assert "E09000007 2023-Q3 (workforce extract)" in lines
    assert "  working_days_lost       not supplied: c: confidential (suppressed by the LA)" \
        in lines
    # Nothing but the extracts: no LA name, no region, no DfE rate column.
    assert "Camden" not in result.output and "Inner London" not in result.output


def test_check_of_a_worker_file_shows_what_the_records_cannot_give(tmp_path: Path) -> None:
    path = tmp_path / "workers.csv"
    path.write_text(WORKERS_CSV)
    result = run(str(path), "--la", "E09000001")
    assert result.exit_code == 0, result.output
    assert "  agency_above_cap        not supplied: x: no price caps in the connector's " \
           "configuration" in result.output
    assert "(served once the connector's configuration gives its vacancies)" in result.output
    assert "SW1" not in result.output  # worker-level records never leave


def test_check_lists_every_problem_at_once_without_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("period,worker_id,role,agency,fte,start_date\n"
                    "2024-Q5,SW1,boss,0,1,2020-01-01\n2024-Q1,SW2,social_worker,maybe,1,x\n")
    result = run(str(path), "--la", "E09000001")
    assert result.exit_code == 1
    assert f"4 problem(s) in {path}" in result.output
    assert "line 2, period" in result.output and "line 3, start_date" in result.output
    assert "Traceback" not in result.output


def test_check_refuses_a_split_la_and_a_missing_file_with_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "dfe.csv"
    path.write_text(DFE_HEADER + DFE_ROWS)
    result = run(str(path), "--la", "E10000006")
    assert result.exit_code == 1 and "Cumbria (E10000006) was split into" in result.output
    missing = run(str(tmp_path / "nope.csv"), "--la", "E09000001")
    assert missing.exit_code == 1 and "No such file" in missing.output
    unnamed = tmp_path / "workers.csv"
    unnamed.write_text(WORKERS_CSV)
    assert "give --la" in run(str(unnamed)).output


def test_serve_on_a_file_lacking_components_starts_and_serves_what_it_has(
        config_dir: Path) -> None:  # noqa: F811
    (config_dir / "records.csv").write_text("period,permanent_fte,agency_fte\n2024-Q1,10,x\n")
    config = json.loads(write_config(config_dir).read_text())
    del config["price_caps"], config["vacancies"]
    (config_dir / "connector.yaml").write_text(json.dumps(config))
    loaded = load_config(config_dir / "connector.yaml")
    extract = loaded.settings.source.extract("2024-Q1")
    assert extract is not None and dict(extract.components) == {"permanent_fte": 10}
    assert extract.not_supplied["agency_fte"] == "x: not available"


def test_serve_and_check_read_a_census_return(config_dir: Path) -> None:  # noqa: F811
    corpus.write(config_dir / "csww.xml", [corpus.header(), corpus.vacancies(2.5),
                                          *map(corpus.worker, ORDINARY_WORKERS)])
    config = json.loads(write_config(config_dir).read_text())
    config |= {"la_code": "202", "records": "csww.xml"}
    del config["vacancies"]
    (config_dir / "connector.yaml").write_text(json.dumps(config))
    loaded = load_config(config_dir / "connector.yaml")
    assert loaded.settings.la_code == corpus.CAMDEN
    assert loaded.settings.source.periods() == ("2023-Q3",)
    result = run(str(config_dir / "csww.xml"))  # the return names its LA
    assert result.exit_code == 0, result.output
    assert result.output.startswith("E09000007 2023-Q3 (workforce extract)\n")
    assert "  leavers_12m_fte         1.6\n" in result.output
