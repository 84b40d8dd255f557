"""The OpenAPI document, the offline docs page, and schemathesis over every operation."""

from __future__ import annotations

import re

import pytest
import schemathesis
from openapi_spec_validator import validate
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.config import SchemathesisConfig

from tests.conftest import bearer


def test_openapi_document_is_valid_and_documents_the_error_body(client):
    spec = client.get("/api/v1/openapi.json").json
    validate(spec)
    assert set(spec["components"]["schemas"]["Error"]["required"]) == {
        "code", "status", "message"}
    for status in ("400", "401", "403", "404", "405", "409", "413", "422", "429", "500"):
        assert spec["components"]["responses"][status]["content"]["application/json"]


def test_docs_page_loads_every_asset_from_the_hub_itself(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets, "the docs page references its scripts and styles"
    for asset in assets:
        assert asset.startswith("/"), f"{asset} is not served by the hub"
        response = client.get(asset)
        assert response.status_code == 200 and len(response.data) > 1000
        response.close()


schema = schemathesis.pytest.from_fixture("api_schema")


# Schema-valid bodies can still be wrong in substance (a JWKS whose key material is not a
# key); the hub answers those with 422, which the check is told to accept as a rejection.
CONFIG = SchemathesisConfig.from_dict({"checks": {"positive_data_acceptance": {
    "expected-statuses": ["2xx", "401", "403", "404", "409", "422", "429"]}}})


@pytest.fixture
def api_schema(app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=CONFIG)


@pytest.fixture
def admin_token(issue_token):
    return issue_token("HUB-ADMIN")


@schema.parametrize()
def test_api_conforms_to_its_openapi_document(case, admin_token):
    # With a valid token, so the checks reach past authentication (ignored_auth included:
    # it replays each call without and with a broken token, and expects 401).
    load_all_checks()
    case.call_and_validate(headers=bearer(admin_token), checks=CHECKS.get_all())
