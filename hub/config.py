"""Every HUB_* environment variable, mapped to a validated setting in this one place."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

#: The checkout the hub runs from, when it runs from one (an editable install, `make run`).
_CHECKOUT = Path(__file__).resolve().parent.parent
PROJECT_DIR: Path | None = _CHECKOUT if (_CHECKOUT / "setup.cfg").is_file() else None
#: Where the embedded default keeps its files (the SQLite database, generated keys): the
#: checkout's var/, or the user's data directory for an installed hub; never the current one.
DEFAULT_VAR_DIR = (PROJECT_DIR / "var" if PROJECT_DIR is not None else Path(
    os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "workforce-hub")
#: The agreements shipped beside the hub package (the repository's agreements/).
DEFAULT_AGREEMENTS_DIR = _CHECKOUT / "agreements"
#: The SQLite file of the embedded default, inside the data directory.
SQLITE_FILE = "hub.sqlite3"


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
    Setting("HUB_DATA_DIR", "Where the embedded default keeps its files: the SQLite "
            "database, generated keys and secrets, the demo's accounts.",
            "the checkout's var/ (an installed hub: ~/.local/share/workforce-hub)"),
    Setting("HUB_DATABASE_URL", "SQLAlchemy URL of the database.",
            "sqlite:///<HUB_DATA_DIR>/hub.sqlite3"),
    Setting("HUB_REDIS_URL", "Redis URL for jobs, rate limits and replay state; unset = "
            "embedded mode (jobs in-process, state in the database or memory).", None),
    Setting("HUB_HOST", "Address `hub serve` binds.", "127.0.0.1"),
    Setting("HUB_PORT", "Port `hub serve` listens on.", "5000"),
    Setting("HUB_WEB_THREADS", "Threads of each web process (`hub serve`, `hub demo`).", "8"),
    Setting("HUB_DEMO_CONNECTOR_PORT", "Port of the demo's simulated connectors (`hub demo`).",
            "5100"),
    Setting("HUB_MAX_REQUEST_BYTES", "Largest request body accepted (413 above).", "1048576"),
    Setting("HUB_SECRET_KEY", "Signs people's session cookies. Required in production; a "
            "random one is generated under var/ in development.", None, secret=True),
    Setting("HUB_LOG_LEVEL", "Python logging level.", "INFO"),
    Setting("HUB_AGREEMENTS_DIR", "Directory whose *.yaml files `hub agreements load` reads "
            "when given no files.", "the repository's agreements/"),
    Setting("HUB_LOG_FORMAT", "`json` (one object per line, for log shippers) or `text`.",
            "text in development, json in production"),
    Setting("HUB_ISSUER", "The hub's public base URL: the `iss` of its tokens. Required in "
            "production.", "the address served: http://<HUB_HOST>:<HUB_PORT>"),
    Setting("HUB_API_AUDIENCE", "The API identifier tokens are issued for (`aud`).",
            "<HUB_ISSUER>/api/v1"),
    Setting("HUB_TOKEN_LIFETIME", "Seconds an access token lives.", "600"),
    Setting("HUB_ENCRYPTION_KEYS", "Comma-separated Fernet keys encrypting secrets at rest, "
            "newest first (older ones only decrypt). Required in production; generated under "
            "var/ in development.", None, secret=True),
    Setting("HUB_TOKEN_RATE_PER_CLIENT", "Token requests allowed per client.", "30/minute"),
    Setting("HUB_TOKEN_RATE_PER_ADDRESS", "Token requests allowed per client address.",
            "120/minute"),
    Setting("HUB_TOKEN_FAILURES_PER_ADDRESS", "Failed client authentications allowed per "
            "address (token, revocation, introspection); over it the address gets 429.",
            "10/minute"),
    Setting("HUB_TRUSTED_PROXIES", "Comma-separated addresses or networks of the reverse "
            "proxies whose X-Forwarded-For/-Proto/-Host the hub believes; none by default.",
            None),
    Setting("HUB_CONNECTOR_ALLOW_HTTP", "Accept http:// connector URLs (`true`/`false`); "
            "refused in production.", "true in development, false otherwise"),
    Setting("HUB_PULL_TIMEOUT", "Seconds a connector has to send one whole response "
            "(connecting takes at most 5 of them).", "30"),
    Setting("HUB_PULL_MAX_BYTES", "Largest connector response read.", "1048576"),
    Setting("HUB_PULL_CONCURRENCY", "Pulls a refresh runs at once.", "32"),
    Setting("HUB_PULL_RETRIES", "Retries of a pull that failed transiently (0 = none).", "4"),
    Setting("HUB_PULL_BACKOFF", "Seconds before the first retry; doubled each time, with "
            "jitter.", "30"),
    Setting("HUB_PULL_INTERVAL", "Seconds between scheduled refreshes of every connector.",
            "3600"),
)

_ENVIRONMENTS = ("development", "production", "test")
#: Threads of the embedded job queues (pulls on demand and their retries, recomputes).
EMBEDDED_JOB_WORKERS = 5


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
    database_url: str = f"sqlite:///{DEFAULT_VAR_DIR / SQLITE_FILE}"
    redis_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 5000
    web_threads: int = 8
    demo_connector_port: int = 5100
    max_request_bytes: int = 1_048_576
    secret_key: str | None = field(default=None, repr=False)
    log_level: str = "INFO"
    agreements_dir: Path = DEFAULT_AGREEMENTS_DIR
    log_format: str | None = None
    issuer: str = "http://127.0.0.1:5000"
    api_audience: str | None = None
    token_lifetime: int = 600
    encryption_keys: tuple[str, ...] = field(default=(), repr=False)
    token_rate_per_client: str = "30/minute"
    token_rate_per_address: str = "120/minute"
    token_failures_per_address: str = "10/minute"
    trusted_proxies: tuple[str, ...] = ()
    connector_allow_http: bool | None = None
    pull_timeout: float = 30.0
    pull_max_bytes: int = 1_048_576
    pull_concurrency: int = 32
    pull_retries: int = 4
    pull_backoff: float = 30.0
    pull_interval: int = 3600
    var_dir: Path = DEFAULT_VAR_DIR

    @property
    def audience(self) -> str:
        """The ``aud`` every access token carries and every protected route requires."""
        return self.api_audience or f"{self.issuer.rstrip('/')}/api/v1"

    @property
    def database_connections(self) -> int:
        """Connections one process may hold at once: its web threads, a refresh's pulls, the
        embedded job workers, and one for a command."""
        return self.web_threads + self.pull_concurrency + EMBEDDED_JOB_WORKERS + 1

    @property
    def embedded(self) -> bool:
        """True when no Redis is configured: jobs run in-process."""
        return self.redis_url is None

    @property
    def development(self) -> bool:
        return self.env in ("development", "test")

    @property
    def connectors_allow_http(self) -> bool:
        """Whether http:// connector URLs are accepted: by default only in development."""
        return self.development if self.connector_allow_http is None \
            else self.connector_allow_http

    @property
    def logs_as(self) -> str:
        """How logs are written: as configured, else JSON in production and text elsewhere."""
        return self.log_format or ("text" if self.development else "json")

    def replace(self, **changes: Any) -> Settings:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return Settings(**values)


def _http_url(name: str, raw: str) -> str:
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{name} must be an http:// or https:// URL, not {raw!r}.")
    return raw


def _rate(name: str, raw: str) -> str:
    from limits import parse_many

    try:
        parse_many(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a rate such as '30/minute', not {raw!r}.") from None
    return raw


def _boolean(name: str, raw: str) -> bool:
    value = raw.lower()
    if value not in ("true", "false"):
        raise ConfigError(f"{name} must be true or false, not {raw!r}.")
    return value == "true"


def _seconds(name: str, raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds, not {raw!r}.") from None
    if not 0 < value <= 3600:
        raise ConfigError(f"{name} must be above 0 and at most 3600 seconds, not {raw}.")
    return value


def _count(name: str, raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}.") from None
    if not 0 <= value <= 20:
        raise ConfigError(f"{name} must be from 0 to 20, not {value}.")
    return value


def _networks(name: str, raw: str) -> tuple[str, ...]:
    import ipaddress

    networks = tuple(part.strip() for part in raw.split(",") if part.strip())
    for network in networks:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            raise ConfigError(f"{name} must be IP addresses or networks (10.0.0.0/8), "
                              f"comma-separated; {network!r} is neither.") from None
    return networks


def _fernet_keys(raw: str) -> tuple[str, ...]:
    from cryptography.fernet import Fernet

    keys = tuple(k.strip() for k in raw.split(",") if k.strip())
    for key in keys:
        try:
            Fernet(key)
        except ValueError:
            raise ConfigError("HUB_ENCRYPTION_KEYS must be Fernet keys (32 url-safe base64 "
                              "bytes each), comma-separated.") from None
    return keys


_PARSERS: dict[str, tuple[str, Callable[[str, str], Any]]] = {
    "HUB_ENV": ("env", lambda n, v: _choice(n, v, _ENVIRONMENTS)),
    "HUB_DATABASE_URL": ("database_url", _database_url),
    "HUB_REDIS_URL": ("redis_url", _redis_url),
    "HUB_HOST": ("host", lambda n, v: v),
    "HUB_PORT": ("port", _port),
    "HUB_WEB_THREADS": ("web_threads", _positive_int),
    "HUB_DEMO_CONNECTOR_PORT": ("demo_connector_port", _port),
    "HUB_DATA_DIR": ("var_dir", lambda n, v: Path(v).expanduser().resolve()),
    "HUB_MAX_REQUEST_BYTES": ("max_request_bytes", _positive_int),
    "HUB_LOG_LEVEL": ("log_level", _log_level),
    "HUB_AGREEMENTS_DIR": ("agreements_dir", lambda n, v: Path(v)),
    "HUB_LOG_FORMAT": ("log_format", lambda n, v: _choice(n, v, ("json", "text"))),
    "HUB_ISSUER": ("issuer", lambda n, v: _http_url(n, v).rstrip("/")),
    "HUB_API_AUDIENCE": ("api_audience", lambda n, v: v),
    "HUB_TOKEN_LIFETIME": ("token_lifetime", _positive_int),
    "HUB_TOKEN_RATE_PER_CLIENT": ("token_rate_per_client", _rate),
    "HUB_TOKEN_RATE_PER_ADDRESS": ("token_rate_per_address", _rate),
    "HUB_TOKEN_FAILURES_PER_ADDRESS": ("token_failures_per_address", _rate),
    "HUB_TRUSTED_PROXIES": ("trusted_proxies", lambda n, v: _networks(n, v)),
    "HUB_CONNECTOR_ALLOW_HTTP": ("connector_allow_http", _boolean),
    "HUB_PULL_TIMEOUT": ("pull_timeout", _seconds),
    "HUB_PULL_MAX_BYTES": ("pull_max_bytes", _positive_int),
    "HUB_PULL_CONCURRENCY": ("pull_concurrency", _positive_int),
    "HUB_PULL_RETRIES": ("pull_retries", _count),
    "HUB_PULL_BACKOFF": ("pull_backoff", _seconds),
    "HUB_PULL_INTERVAL": ("pull_interval", _positive_int),
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
    encryption_keys = read_secret(env, "HUB_ENCRYPTION_KEYS")
    if encryption_keys:
        values["encryption_keys"] = _fernet_keys(encryption_keys)
    if "database_url" not in values and "var_dir" in values:
        values["database_url"] = f"sqlite:///{values['var_dir'] / SQLITE_FILE}"
    if "issuer" not in values:
        # Tokens, metadata and the docs name the address actually served.
        values["issuer"] = served_address(values.get("host", "127.0.0.1"),
                                          values.get("port", 5000))
    settings = Settings(**values)
    if settings.env == "production":
        if not settings.secret_key:
            raise ConfigError("HUB_SECRET_KEY (or HUB_SECRET_KEY_FILE) is required in "
                              "production.")
        if not settings.encryption_keys:
            raise ConfigError("HUB_ENCRYPTION_KEYS (or HUB_ENCRYPTION_KEYS_FILE) is required "
                              "in production.")
        if "HUB_ISSUER" not in env or not settings.issuer.startswith("https://"):
            raise ConfigError("HUB_ISSUER must be set to the hub's https:// URL in production.")
        if settings.connector_allow_http:
            raise ConfigError("HUB_CONNECTOR_ALLOW_HTTP cannot be true in production: "
                              "connector URLs are https only.")
    return settings


def in_use(settings: Settings) -> str:
    """Which database, Redis and issuer ``settings`` name, with any password left out."""
    redis = _without_password(settings.redis_url) if settings.redis_url \
        else "none (embedded: jobs run in the web process)"
    return (f"database {_without_password(settings.database_url)}; redis {redis}; "
            f"issuer {settings.issuer}")


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()


def served_address(host: str, port: int) -> str:
    """The http URL a client on this machine reaches ``host:port`` at."""
    if host in ("0.0.0.0", "::", ""):  # noqa: S104 - naming the wildcard, not binding it
        host = "127.0.0.1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def with_development_secrets(settings: Settings) -> Settings:
    """In development, fill missing secrets from files under var/, creating them once."""
    if not settings.development:
        return settings
    changes: dict[str, Any] = {}
    if not settings.secret_key:
        changes["secret_key"] = _persisted_secret(settings.var_dir / "secret_key",
                                                  lambda: secrets.token_urlsafe(32))
    if not settings.encryption_keys:
        from cryptography.fernet import Fernet

        changes["encryption_keys"] = (_persisted_secret(
            settings.var_dir / "encryption_key", lambda: Fernet.generate_key().decode()),)
    return settings.replace(**changes) if changes else settings


def _persisted_secret(path: Path, make: Callable[[], str]) -> str:
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = make()
    # Created readable by its owner only: these files hold development secrets.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as f:
        f.write(value)
    return value
