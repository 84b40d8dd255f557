"""Benchmark: pulling one period from all 153 simulated connectors, against plain HTTP GETs.

Run with ``python -m tests.bench.bench_pull``. The measured path is ``ConnectorClient``: URL
policy and address pinning, cached token, bounded streaming read, signature verification and
contract validation. The baseline, timed in the same run against the same server and URLs, is a
plain ``requests`` session fetching the same bodies with the same tokens and checking nothing.
A second row compares verifying and validating one extract with ``json.loads`` of it.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable

import requests

from connectors.client import ConnectorClient, MemoryTokenCache
from connectors.contract import parse_extract
from connectors.signing import verify_detached
from connectors.simulator import start_simulator
from connectors.urlguard import UrlPolicy

PERIOD = "2024-Q4"
REPEATS = 5
POLICY = UrlPolicy(allow_http=True, allowed_hosts=frozenset({"127.0.0.1"}))


def best_of(run: Callable[[], object], repeats: int = REPEATS) -> float:
    """The fastest of several runs, in milliseconds."""
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        timings.append((time.perf_counter() - start) * 1000)
    return min(timings)


def main() -> list[dict[str, object]]:
    """Time the client and the baseline on the same connectors; print and return the rows."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one access line per request
    running = start_simulator(seed=1)
    try:
        cache = MemoryTokenCache()
        clients = [ConnectorClient(c.base_url, c.token_url, c.jwks, c.client_id,
                                   c.client_secret, POLICY, la_code=c.la_code, token_cache=cache)
                   for c in running.simulator.credentials.values()]
        # Warm up: records generated, secrets hashed, tokens issued and cached.
        pulled = [client.fetch_extract("workforce", PERIOD) for client in clients]
        session = requests.Session()
        plain = []
        for c in running.simulator.credentials.values():
            token = session.post(c.token_url, auth=(c.client_id, c.client_secret), timeout=5,
                                 data={"grant_type": "client_credentials"}).json()
            plain.append((f"{c.base_url}/extracts/workforce/{PERIOD}",
                          {"Authorization": f"Bearer {token['access_token']}"}))

        def pull_all() -> None:
            for client in clients:
                client.fetch_extract("workforce", PERIOD)

        def get_all() -> None:
            for url, headers in plain:
                session.get(url, headers=headers, timeout=5).content  # noqa: B018

        value, baseline = best_of(pull_all), best_of(get_all)
        _, raw, signature = pulled[0]
        jwks = clients[0].jwks

        def check_one() -> None:
            for _ in range(100):
                verify_detached(raw, signature, jwks)
                parse_extract(raw)

        def load_one() -> None:
            for _ in range(100):
                json.loads(raw)

        check, load = best_of(check_one), best_of(load_one)
    finally:
        running.stop()
    rows: list[dict[str, object]] = [
        {"name": f"pull {len(clients)} extracts (guard, verify, validate)", "value": value,
         "baseline": baseline, "ratio": value / baseline, "unit": "ms",
         "baseline_name": "plain GET"},
        {"name": "verify and validate 100 extracts", "value": check, "baseline": load,
         "ratio": check / load, "unit": "ms", "baseline_name": "json.loads"},
    ]
    for row in rows:
        print(f"{row['name']}: {row['value']:.1f} {row['unit']} ({row['baseline_name']}: "
              f"{row['baseline']:.1f} {row['unit']}, ratio {row['ratio']:.1f}x)")
    return rows


if __name__ == "__main__":
    main()
