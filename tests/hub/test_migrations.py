"""The migrations build exactly the schema the models describe, and can be undone."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from hub.db import Database, alembic_config
from hub.models import Base


def test_migrations_match_the_models(empty_database_url):
    database = Database(empty_database_url)
    with database.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    database.dispose()


def test_downgrade_to_base_and_upgrade_again(empty_database_url):
    database = Database(empty_database_url)
    command.downgrade(alembic_config(empty_database_url), "base")
    assert "organisations" not in inspect(database.engine).get_table_names()
    database.upgrade()
    assert "organisations" in inspect(database.engine).get_table_names()
    database.dispose()


def test_figures_computed_before_breakdowns_are_computed_again_next_time(empty_database_url):
    # 0007 adds the LA figures' breakdowns; a recompute of unchanged revisions does nothing,
    # so the figures already stored must not look up to date.
    database = Database(empty_database_url)
    config = alembic_config(empty_database_url)
    command.downgrade(config, "0005")
    with database.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO benchmark_versions (dataset, period, version, inputs_sha256, "
            "computed_at) VALUES ('workforce', '2024-Q4', 3, 'abc', '2025-01-01 00:00:00')"))
    database.upgrade()
    with database.engine.connect() as connection:
        assert connection.execute(text(
            "SELECT version, inputs_sha256 FROM benchmark_versions")).one() == (3, "")
    assert "breakdowns" in {c["name"] for c in inspect(database.engine).get_columns(
        "benchmark_figures")}
    database.dispose()
