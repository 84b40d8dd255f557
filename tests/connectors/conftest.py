"""Fixtures for the connector tests: keys, records, a connector app, loopback servers."""

from __future__ import annotations

import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from connectors.app import ConnectorSettings, create_app
from connectors.extract import PriceCaps, RecordsSource
from connectors.oauth import RegisteredClient, hash_secret
from connectors.records import parse_records
from connectors.signing import SigningKey, generate_signing_key
from connectors.urlguard import UrlPolicy

LA = "E09000001"
HUB_ID = "hub"
HUB_SECRET = "correct-horse-battery-staple"
CAPS = PriceCaps({"social_worker": 40.0, "senior_social_worker": 43.0,
                  "advanced_practitioner": 46.0, "team_manager": 50.0,
                  "independent_reviewing_officer": 48.0})
GENERATED = datetime(2024, 4, 10, 12, 0, tzinfo=UTC)

#: A small census-style return for 2024-Q1 (1 Jan to 31 Mar 2024); totals are worked out by hand
#: in test_extract.py.
WORKERS_CSV = """\
period,SWENo,Role,AgencyWorker,FTE,RoleStartDate,RoleEndDate,HourlyRate,Cases30,WorkingDaysLost,converted_from_agency_date,BreachType,breach_signed_off_by
2024-Q1,SW1,social_worker,0,1,2020-01-01,,,12,3,,,
2024-Q1,SW2,team_manager,1,1,2023-06-01,,55,0,,,price_cap,DCS
2024-Q1,SW3,social_worker,0,0.8,2024-02-01,,,5,0,,,
2024-Q1,SW4,senior_social_worker,0,0.5,2019-05-01,2024-03-15,,,2,,,
2024-Q1,SW5,social_worker,1,1,2023-01-01,2024-01-31,39,,,,,
2024-Q1,SW5,social_worker,0,1,2024-02-01,,,7,0,2024-02-01,,
2024-Q1,SW6,advanced_practitioner,1,1,2023-11-01,,46.5,9,,,non_solicitation,
2024-Q1,SW7,social_worker,0,1,2024-04-01,,,,,,,
"""


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


@contextmanager
def serving(app: Callable[..., Any]) -> Iterator[str]:
    """Serve ``app`` on an ephemeral loopback port for the block; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def signing_key() -> SigningKey:
    return generate_signing_key()


@pytest.fixture(scope="session")
def other_key() -> SigningKey:
    return generate_signing_key()


@pytest.fixture(scope="session")
def hub_client() -> RegisteredClient:
    return RegisteredClient(HUB_ID, hash_secret(HUB_SECRET))


@pytest.fixture
def source() -> RecordsSource:
    records = parse_records(WORKERS_CSV)
    return RecordsSource(LA, records, CAPS, {"2024-Q1": 4.2}, clock=lambda: GENERATED)


@pytest.fixture
def app(source: RecordsSource, signing_key: SigningKey, hub_client: RegisteredClient) -> Any:
    return create_app(ConnectorSettings(LA, source, signing_key, (hub_client,), token_ttl=60))


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


@pytest.fixture
def loopback_policy() -> UrlPolicy:
    return UrlPolicy(allow_http=True, allowed_hosts=frozenset({"127.0.0.1"}),
                     connect_timeout=1.0, read_timeout=0.5, total_timeout=1.0,
                     max_bytes=64 * 1024)


@contextmanager
def serving_tls(app: Callable[..., Any], cert: str, key: str) -> Iterator[int]:
    """Serve ``app`` over TLS on an ephemeral loopback port for the block; yields the port."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler,
                         ssl_context=context)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
