"""`hub check-config`: a production configuration checked against the services it names."""

from __future__ import annotations

import os
import subprocess
import sys

from cryptography.fernet import Fernet

from hub.checks import run_checks
from hub.config import Settings
from hub.crypto import SecretBox
from hub.identity.keys import create_signing_key


def _production(database_url: str, redis_url: str, key: str) -> Settings:
    return Settings(env="production", database_url=database_url, redis_url=redis_url,
                    issuer="https://hub.example.org", secret_key="s", encryption_keys=(key,))


def _problems(settings: Settings) -> dict[str, str]:
    return {f.check: f.detail for f in run_checks(settings) if not f.ok}


def test_a_sound_production_configuration_passes(database, database_url, redis_url):
    key = Fernet.generate_key().decode()
    with database.session() as session:
        create_signing_key(session, SecretBox([key]))
    assert _problems(_production(database_url, redis_url, key)) == {}


def test_a_dropped_encryption_key_is_found(database, database_url, redis_url):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with database.session() as session:
        create_signing_key(session, SecretBox([old]))
    problems = _problems(_production(database_url, redis_url, new))
    assert "no key in HUB_ENCRYPTION_KEYS decrypts it" in problems["secrets at rest"]


def test_an_unmigrated_database_and_missing_redis_are_named(empty_database_url):
    settings = _production(empty_database_url, "redis://127.0.0.1:1/0",
                           Fernet.generate_key().decode())
    from alembic import command

    from hub.db import Database, alembic_config

    command.downgrade(alembic_config(empty_database_url), "base")
    problems = _problems(settings)
    assert "run `hub db upgrade`" in problems["database schema"]
    assert "redis reachable" in problems
    Database(empty_database_url).upgrade()


def test_the_command_exits_1_and_lists_what_is_wrong():
    env = {**os.environ, "HUB_ENV": "development", "HUB_DATABASE_URL": "sqlite:////nonexistent/x/y.db"}
    result = subprocess.run([sys.executable, "-c", "from hub.cli import main; main()",
                             "check-config"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "problem  environment: HUB_ENV is 'development'" in result.stdout
    assert "problem  redis: HUB_REDIS_URL is unset" in result.stdout
