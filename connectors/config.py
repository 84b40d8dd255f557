"""The connector's YAML configuration, read and checked in one place (see README.md)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]

from connectors.app import ConnectorSettings
from connectors.contract import LA_CODE, ContractError
from connectors.extract import PriceCaps, RecordsSource
from connectors.oauth import DEFAULT_TOKEN_TTL, RegisteredClient, hash_secret
from connectors.records import read_records
from connectors.reference import dfe_codes
from connectors.signing import load_signing_key
from policies.geography import ReorganisedLA, resolve
from policies.measures import is_period


class ConfigError(ValueError):
    """A configuration the connector refuses to start with."""


@dataclass(frozen=True)
class ServeConfig:
    """The connector's settings and where it listens."""

    settings: ConnectorSettings
    host: str
    port: int


def load_config(path: Path) -> ServeConfig:
    """The connector configured by the YAML file at ``path``; ConfigError says what is wrong."""
    try:
        raw = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping of settings")
    base = path.parent
    la_code = la_code_of(_require(raw, "la_code", str))
    try:
        caps = price_caps(raw.get("price_caps"))
        key = load_signing_key(base / _require(raw, "signing_key", str))
    except (ValueError, TypeError, OSError) as exc:
        raise ConfigError(str(exc)) from None
    census_year = raw.get("census_year")
    if census_year is not None and (isinstance(census_year, bool)
                                    or not isinstance(census_year, int)):
        raise ConfigError("census_year: the year of the census date (30 September), as 2024")
    records = read_records(base / _require(raw, "records", str), la_code, census_year)
    source = RecordsSource(la_code, records, caps, _vacancies(raw.get("vacancies") or {}))
    ttl = int(raw.get("token_ttl", DEFAULT_TOKEN_TTL))
    if not 30 <= ttl <= 3600:
        raise ConfigError("token_ttl: between 30 and 3600 seconds")
    settings = ConnectorSettings(la_code, source, key, (_hub_client(raw, base),), ttl)
    for period in source.periods():
        try:
            source.extract(period)  # fail at start, not at the hub's first pull
        except ContractError as exc:
            raise ConfigError(f"the extract for {period} would break the contract: {exc}") \
                from None
    return ServeConfig(settings, str(raw.get("host", "127.0.0.1")), int(raw.get("port", 8080)))


def la_code_of(code: str) -> str:
    """The reference LA a configured code names (old and new ONS codes, DfE's three digits);
    ConfigError for a merged or split LA, with the reorganisation."""
    try:
        resolved = resolve(code, dfe_codes())
    except ReorganisedLA as exc:
        raise ConfigError(f"la_code: {exc}") from None
    except KeyError as exc:
        raise ConfigError(f"la_code: {exc.args[0]}") from None
    if not LA_CODE.match(resolved.code):
        raise ConfigError("la_code: not an ONS local authority code (E + 8 digits) or a "
                          "DfE three-digit code")
    return resolved.code


def price_caps(raw: Any) -> PriceCaps | None:
    """The region's caps from the config, if given: needed only for above-cap figures."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ValueError("price_caps: a mapping of role to hourly cap")
    return PriceCaps({str(k): float(v) for k, v in raw.items()})


def _require(raw: Mapping[str, Any], key: str, kind: type) -> Any:
    value = raw.get(key)
    if not isinstance(value, kind):
        raise ConfigError(f"{key}: required ({kind.__name__})")
    return value


def _vacancies(raw: Any) -> dict[str, float]:
    if not isinstance(raw, dict):
        raise ConfigError("vacancies: a mapping of period to vacant FTE")
    out = {}
    for period, fte in raw.items():
        if not is_period(str(period)) or isinstance(fte, bool) \
                or not isinstance(fte, int | float) or fte < 0:
            raise ConfigError(f"vacancies: {period!r} must be a period with an FTE of 0 or more")
        out[str(period)] = float(fte)
    return out


def _hub_client(raw: Mapping[str, Any], base: Path) -> RegisteredClient:
    hub = _require(raw, "hub_client", dict)
    client_id = _require(hub, "client_id", str)
    if isinstance(hub.get("secret_hash"), str):
        if not hub["secret_hash"].startswith("scrypt$") or hub["secret_hash"].count("$") != 5:
            raise ConfigError("hub_client.secret_hash: not a hash from `connector hash-secret`")
        return RegisteredClient(client_id, hub["secret_hash"])
    if isinstance(hub.get("secret_file"), str):
        try:
            secret = (base / hub["secret_file"]).read_text().strip()
        except OSError as exc:
            raise ConfigError(f"hub_client.secret_file: {exc.strerror}") from None
        if len(secret) < 16:
            raise ConfigError("hub_client.secret_file: the secret needs 16 characters or more")
        return RegisteredClient(client_id, hash_secret(secret))
    raise ConfigError("hub_client: give secret_hash (from `connector hash-secret`) or secret_file")
