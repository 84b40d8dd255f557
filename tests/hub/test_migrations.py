"""The migrations build exactly the schema the models describe, and can be undone."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

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
