"""Decision fixtures: the same as the consent tests'."""

from __future__ import annotations

from tests.hub.agreements.conftest import load_into, loaded_app  # noqa: F401 -- fixtures
from tests.hub.consents.conftest import as_org  # noqa: F401 -- fixture
