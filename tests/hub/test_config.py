"""Settings from the environment: defaults, validation, secrets from files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from hub.config import ConfigError, in_use, load_settings, with_development_secrets

CHECKOUT = Path(__file__).resolve().parents[2]


def test_defaults_are_the_embedded_hub_in_the_checkouts_var(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # wherever the command runs from
    settings = load_settings({})
    assert settings.var_dir == CHECKOUT / "var"
    assert settings.database_url == f"sqlite:///{CHECKOUT / 'var' / 'hub.sqlite3'}"
    assert settings.embedded and settings.port == 5000 and settings.development
    assert settings.issuer == "http://127.0.0.1:5000"


def test_the_data_directory_holds_the_database_and_the_keys(tmp_path):
    settings = load_settings({"HUB_DATA_DIR": str(tmp_path / "data")})
    assert settings.var_dir == tmp_path / "data"
    assert settings.database_url == f"sqlite:///{tmp_path / 'data' / 'hub.sqlite3'}"
    assert load_settings({"HUB_DATA_DIR": str(tmp_path), "HUB_DATABASE_URL":
                          "postgresql://u@db/hub"}).database_url.startswith("postgresql")


@pytest.mark.parametrize(("env", "issuer"), [
    ({"HUB_PORT": "8000"}, "http://127.0.0.1:8000"),
    ({"HUB_HOST": "0.0.0.0", "HUB_PORT": "8080"}, "http://127.0.0.1:8080"),
    ({"HUB_HOST": "::1"}, "http://[::1]:5000"),
    ({"HUB_PORT": "8000", "HUB_ISSUER": "https://hub.example/"}, "https://hub.example"),
])
def test_the_issuer_is_the_address_served_unless_set(env, issuer):
    settings = load_settings(env)
    assert settings.issuer == issuer
    assert settings.audience == f"{issuer}/api/v1"


def test_what_is_in_use_names_no_password():
    said = in_use(load_settings({"HUB_DATABASE_URL": "postgresql://hub:s3cret@db/hub",
                                 "HUB_REDIS_URL": "redis://:r3dis@cache:6379/0"}))
    assert "s3cret" not in said and "r3dis" not in said
    assert "db/hub" in said and "cache:6379" in said


def test_postgres_urls_use_the_installed_driver():
    settings = load_settings({"HUB_DATABASE_URL": "postgresql://u@db/hub"})
    assert settings.database_url == "postgresql+psycopg://u@db/hub"


@pytest.mark.parametrize(("env", "message"), [
    ({"HUB_PORT": "http"}, "HUB_PORT must be a whole number, not 'http'."),
    ({"HUB_PORT": "70000"}, "HUB_PORT must be a TCP port (1-65535), not 70000."),
    ({"HUB_ENV": "staging"},
     "HUB_ENV must be one of development, production, test, not 'staging'."),
    ({"HUB_DATABASE_URL": "mysql://x/y"},
     "HUB_DATABASE_URL must be a sqlite:// or postgresql:// URL, not 'mysql'."),
    ({"HUB_REDIS_URL": "http://x"}, "HUB_REDIS_URL must be a redis://, rediss:// or unix:// URL."),
    ({"HUB_MAX_REQUEST_BYTES": "-1"}, "HUB_MAX_REQUEST_BYTES must be above zero, not -1."),
    ({"HUB_ENV": "production"},
     "HUB_SECRET_KEY (or HUB_SECRET_KEY_FILE) is required in production."),
    ({"HUB_ENCRYPTION_KEYS": "not-a-key"}, "HUB_ENCRYPTION_KEYS must be Fernet keys (32 "
     "url-safe base64 bytes each), comma-separated."),
    ({"HUB_TOKEN_RATE_PER_CLIENT": "lots"},
     "HUB_TOKEN_RATE_PER_CLIENT must be a rate such as '30/minute', not 'lots'."),
    ({"HUB_ISSUER": "hub.example.org"},
     "HUB_ISSUER must be an http:// or https:// URL, not 'hub.example.org'."),
    ({"HUB_SECRET_KEY": "a", "HUB_SECRET_KEY_FILE": "/x"},
     "Set HUB_SECRET_KEY or HUB_SECRET_KEY_FILE, not both."),
])
def test_invalid_settings_are_refused_with_one_sentence(env, message):
    with pytest.raises(ConfigError) as excinfo:
        load_settings(env)
    assert str(excinfo.value) == message


PRODUCTION = {"HUB_ENV": "production", "HUB_ISSUER": "https://hub.example.org",
              "HUB_ENCRYPTION_KEYS": Fernet.generate_key().decode(), "HUB_SECRET_KEY": "k"}


def test_secret_read_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cret\n")
    env = {**PRODUCTION, "HUB_SECRET_KEY": "", "HUB_SECRET_KEY_FILE": str(secret)}
    settings = load_settings(env)
    assert settings.secret_key == "s3cret"
    assert "s3cret" not in repr(settings)


@pytest.mark.parametrize(("missing", "message"), [
    ("HUB_ENCRYPTION_KEYS",
     "HUB_ENCRYPTION_KEYS (or HUB_ENCRYPTION_KEYS_FILE) is required in production."),
    ("HUB_ISSUER", "HUB_ISSUER must be set to the hub's https:// URL in production."),
])
def test_production_requires_its_secrets_and_issuer(missing, message):
    with pytest.raises(ConfigError) as excinfo:
        load_settings({k: v for k, v in PRODUCTION.items() if k != missing})
    assert str(excinfo.value) == message


def test_development_secrets_are_generated_once_and_kept(tmp_path):
    settings = load_settings({}).replace(var_dir=tmp_path)
    first, second = with_development_secrets(settings), with_development_secrets(settings)
    assert first.secret_key and first.encryption_keys
    assert (first.secret_key, first.encryption_keys) == (second.secret_key, second.encryption_keys)
    assert oct((tmp_path / "encryption_key").stat().st_mode & 0o777) == "0o600"


def test_unreadable_secret_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match="HUB_SECRET_KEY_FILE names .*missing.*cannot be read"):
        load_settings({"HUB_SECRET_KEY_FILE": str(tmp_path / "missing")})


def test_the_command_stops_with_one_sentence_not_a_traceback():
    env = {**os.environ, "HUB_PORT": "eighty"}
    result = subprocess.run([sys.executable, "-c", "from hub.cli import main; main()", "db",
                             "upgrade"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "hub: configuration error: HUB_PORT must be a whole number, not 'eighty'.")
