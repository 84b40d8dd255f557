"""Backup and restore with the scripts in deploy/, on the real PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import func, select, text

from hub.db import Database
from tests.conftest import _admin_conninfo, _database_url

DEPLOY = Path(__file__).parents[2] / "deploy"


def _run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    path = f"{Path(sys.executable).parent}:{os.environ['PATH']}"
    return subprocess.run(args, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PATH": path, **env})


@pytest.fixture
def restored_url():
    name = f"hub_restore_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_admin_conninfo(), autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    yield _database_url(name)
    with psycopg.connect(_admin_conninfo(), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# pg_dump and pg_restore are PostgreSQL's: these run on that backend only.
@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_backup_restores_into_an_empty_database_with_the_audit_chain_intact(
        app, issue_token, database_url, restored_url, tmp_path):
    from hub.audit.models import AuditEvent

    issue_token("E09000001")  # a client, a signing key
    with app.extensions["hub.db"].session() as session:
        from hub.audit.service import record

        for n in range(5):
            record(session, actor="test", action="test.event", target=f"t{n}")
    dump = tmp_path / "hub.dump"
    backup = _run(str(DEPLOY / "backup.sh"), database_url, str(dump))
    assert backup.returncode == 0, backup.stderr
    assert oct(dump.stat().st_mode & 0o777) == "0o600"
    restore = _run(str(DEPLOY / "restore.sh"), str(dump), restored_url,
                   HUB_ENV="test", HUB_SECRET_KEY="x")
    assert restore.returncode == 0, restore.stdout + restore.stderr
    assert "OK: " in restore.stdout
    original, restored = Database(database_url), Database(restored_url)
    for table in ("organisations", "api_clients", "signing_keys", "audit_events"):
        query = select(func.count()).select_from(text(table))
        with original.engine.connect() as a, restored.engine.connect() as b:
            assert a.scalar(query) == b.scalar(query), table
    with restored.engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(AuditEvent)) >= 5
    original.dispose()
    restored.dispose()


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_restore_refuses_a_database_that_is_not_empty(database_url, tmp_path):
    result = _run(str(DEPLOY / "restore.sh"), str(tmp_path / "none.dump"), database_url)
    assert result.returncode == 1 and "is not empty" in result.stderr
