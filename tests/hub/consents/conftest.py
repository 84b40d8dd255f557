"""Consent fixtures: the shipped agreements loaded, and API clients of several organisations."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.hub.agreements.conftest import load_into, loaded_app  # noqa: F401 -- fixtures


@pytest.fixture
def as_org(loaded_app: Flask, issue_token: Callable[..., str]  # noqa: F811
           ) -> Callable[[str], FlaskClient]:
    """A test client calling as an organisation, with every scope its kind may hold."""
    made: dict[str, FlaskClient] = {}

    def client_of(org: str) -> FlaskClient:
        if org not in made:
            made[org] = loaded_app.test_client()
            made[org].environ_base["HTTP_AUTHORIZATION"] = f"Bearer {issue_token(org)}"
        return made[org]

    return client_of
