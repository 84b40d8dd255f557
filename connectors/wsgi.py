"""The connector for a production WSGI server: ``gunicorn 'connectors.wsgi:create()'``."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from connectors.app import create_app
from connectors.config import ConfigError, load_config


def create() -> Flask:
    """The connector configured by the YAML file named in ``CONNECTOR_CONFIG``."""
    path = os.environ.get("CONNECTOR_CONFIG")
    if not path:
        raise ConfigError("set CONNECTOR_CONFIG to the connector's YAML config file")
    return create_app(load_config(Path(path)).settings)
