"""Every HUB_* environment variable, mapped to a validated setting in this one place."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

#: Where the embedded default keeps its files (the SQLite database, generated keys).
DEFAULT_VAR_DIR = Path("var")


class ConfigError(Exception):
    """A setting is missing or invalid; the message is one sentence an operator can act on."""


@dataclass(frozen=True)
class Setting:
    """One documented environment variable."""

    name: str
    help: str
    default: str | None = None
    secret: bool = False


#: The reference of every setting; the README's table is generated from the same list.
SETTINGS: tuple[Setting, ...] = (
    Setting("HUB_ENV", "`development` (embedded default, http allowed) or `production`.",
            "development"),
    Setting("HUB_DATABASE_URL", "SQLAlchemy URL of the database.",
            "sqlite:///var/hub.sqlite3"),
    Setting("HUB_REDIS_URL", "Redis URL for jobs, rate limits and replay state; unset = "
            "embedded mode (jobs in-process, state in the database or memory).", None),
    Setting("HUB_HOST", "Address `hub serve` binds.", "127.0.0.1"),
    Setting("HUB_PORT", "Port `hub serve` listens on.", "5000"),
    Setting("HUB_MAX_REQUEST_BYTES", "Largest request body accepted (413 above).", "1048576"),
    Setting("HUB_SECRET_KEY", "Signs people's session cookies. Required in production; a "
            "random one is generated under var/ in development.", None, secret=True),
    Setting("HUB_LOG_LEVEL", "Python logging level.", "INFO"),
)

_ENVIRONMENTS = ("development", "production", "test")


def _positive_int(name: str, raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}.") from None
    if value <= 0:
        raise ConfigError(f"{name} must be above zero, not {value}.")
    return value


def _port(name: str, raw: str) -> int:
    value = _positive_int(name, raw)
    if value > 65535:
        raise ConfigError(f"{name} must be a TCP port (1-65535), not {value}.")
    return value


def _database_url(name: str, raw: str) -> str:
    scheme = urlsplit(raw).scheme
    if not scheme.startswith(("sqlite", "postgresql")):
        raise ConfigError(f"{name} must be a sqlite:// or postgresql:// URL, not {scheme!r}.")
    if scheme == "postgresql" or scheme == "postgres":
        # The psycopg 3 driver is the one the project installs.
        return "postgresql+psycopg" + raw[len(scheme):]
    return raw


def _redis_url(name: str, raw: str) -> str:
    if urlsplit(raw).scheme not in ("redis", "rediss", "unix"):
        raise ConfigError(f"{name} must be a redis://, rediss:// or unix:// URL.")
    return raw


def _log_level(name: str, raw: str) -> str:
    level = raw.upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise ConfigError(f"{name} must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL.")
    return level


def read_secret(env: Mapping[str, str], name: str) -> str | None:
    """A secret from ``NAME`` or from the file named by ``NAME_FILE`` (never both)."""
    direct, path = env.get(name), env.get(f"{name}_FILE")
    if direct and path:
        raise ConfigError(f"Set {name} or {name}_FILE, not both.")
    if path:
        try:
            value = Path(path).read_text().strip()
        except OSError as exc:
            raise ConfigError(f"{name}_FILE names {path!r}, which cannot be read "
                              f"({exc.strerror}).") from None
        if not value:
            raise ConfigError(f"{name}_FILE names {path!r}, which is empty.")
        return value
    return direct or None


@dataclass(frozen=True)
class Settings:
    """The hub's validated configuration."""

    env: str = "development"
    database_url: str = "sqlite:///var/hub.sqlite3"
    redis_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 5000
    max_request_bytes: int = 1_048_576
    secret_key: str | None = field(default=None, repr=False)
    log_level: str = "INFO"
    var_dir: Path = DEFAULT_VAR_DIR

    @property
    def embedded(self) -> bool:
        """True when no Redis is configured: jobs run in-process."""
        return self.redis_url is None

    @property
    def development(self) -> bool:
        return self.env in ("development", "test")

    def replace(self, **changes: Any) -> Settings:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return Settings(**values)


_PARSERS: dict[str, tuple[str, Callable[[str, str], Any]]] = {
    "HUB_ENV": ("env", lambda n, v: _choice(n, v, _ENVIRONMENTS)),
    "HUB_DATABASE_URL": ("database_url", _database_url),
    "HUB_REDIS_URL": ("redis_url", _redis_url),
    "HUB_HOST": ("host", lambda n, v: v),
    "HUB_PORT": ("port", _port),
    "HUB_MAX_REQUEST_BYTES": ("max_request_bytes", _positive_int),
    "HUB_LOG_LEVEL": ("log_level", _log_level),
}


def _choice(name: str, raw: str, allowed: tuple[str, ...]) -> str:
    if raw not in allowed:
        raise ConfigError(f"{name} must be one of {', '.join(allowed)}, not {raw!r}.")
    return raw


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Settings from the environment; raises ConfigError naming the first bad setting."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    for variable, (attribute, parse) in _PARSERS.items():
        raw = env.get(variable)
        if raw is not None and raw.strip() != "":
            values[attribute] = parse(variable, raw.strip())
    values["secret_key"] = read_secret(env, "HUB_SECRET_KEY")
    settings = Settings(**values)
    if settings.env == "production" and not settings.secret_key:
        raise ConfigError("HUB_SECRET_KEY (or HUB_SECRET_KEY_FILE) is required in production.")
    return settings
