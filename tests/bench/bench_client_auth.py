"""Benchmark: a refused token request for an unknown client id, beside one for a real client
with a wrong secret (issue 14: ~15 ms against ~290 ms told which ids exist).

Run with ``python -m tests.bench.bench_client_auth``. Both are sent through the WSGI stack in
alternation; the ratio of medians should be about 1, as both cost one Argon2 verification.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from hub import create_app
from hub.config import Settings
from hub.db import get_db
from hub.identity import service as identity
from hub.organisations import service as organisations

CALLS = 25


def _refused(client: Any, client_id: str) -> float:
    start = time.perf_counter()
    response = client.post("/oauth/token", data={"grant_type": "client_credentials"},
                           auth=(client_id, "not-the-secret"))
    elapsed = time.perf_counter() - start
    assert response.status_code == 401, response.status_code
    return elapsed


def main() -> list[dict[str, object]]:
    """Measure, print and return the row."""
    with tempfile.TemporaryDirectory() as directory:
        settings = Settings(env="test", database_url=f"sqlite:///{directory}/bench.sqlite3",
                            var_dir=Path(directory), secret_key="bench",
                            token_rate_per_address="100000/minute",
                            token_failures_per_address="100000/minute")
        app = create_app(settings)
        database = get_db(app)
        database.upgrade()
        with database.session() as session:
            organisations.load_reference(session, organisations.read_reference())
            real = identity.create_client(session, "E09000001", "bench", None).client.client_id
        client = app.test_client()
        unknown_id = "e09000001-0000000000000000"
        for _ in range(3):
            _refused(client, real), _refused(client, unknown_id)
        wrong_secret, unknown = [], []
        for _ in range(CALLS):
            wrong_secret.append(_refused(client, real))
            unknown.append(_refused(client, unknown_id))
        database.dispose()
    value, baseline = statistics.median(unknown) * 1000, statistics.median(wrong_secret) * 1000
    row = {"name": "refused token request, unknown id vs wrong secret", "value": value,
           "baseline": baseline, "ratio": value / baseline, "unit": "ms"}
    print(f"{row['name']}: unknown id {value:.1f} ms, wrong secret {baseline:.1f} ms median; "
          f"ratio {value / baseline:.2f} (aim: about 1)")
    return [row]


if __name__ == "__main__":
    main()
