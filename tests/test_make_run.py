"""`make run` as a newcomer runs it: the real command, gunicorn's fork, pulls in flight, busy CPUs.

Each run starts `make run` from the repository with its own data directory and ports, waits for
`/readyz`, then writes through the served hub while the background pulls are running: a
dashboard sign-in, a token revocation the next request honours, a consent change, and a pull
of one connector that is recorded. SIGTERM then stops every process within ten seconds, with
every accepted pull finished. The first run starts from nothing; the later ones reuse its
`var/`, must find everything `unchanged`, and serve at once. `HUB_MAKE_RUN_RUNS` sets how many
runs (default 3), all of them with every core kept busy by a process of the test's own.
"""

from __future__ import annotations

import html.parser
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parent.parent
RUNS = int(os.environ.get("HUB_MAKE_RUN_RUNS", "3"))
#: Seconds a fresh demo may take to serve on a busy 2-core machine (registration and the first
#: period's pulls of 153 connectors); a later run serves in a few.
FIRST_READY_SECONDS, LATER_READY_SECONDS = 420, 90
STOP_SECONDS = 10
CAMDEN = "E09000007"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def busy_cpus() -> Iterator[None]:
    """Every core kept busy for the test's length, as a loaded laptop or CI machine is."""
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
               for _ in range(os.cpu_count() or 2)]
    try:
        yield
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()


@dataclass
class Demo:
    """One `make run`, in a process group of its own, and the address it serves."""

    process: subprocess.Popen[str]
    base: str
    data_dir: Path
    output: Path

    @classmethod
    def start(cls, data_dir: Path, port: int, connector_port: int, number: int) -> Demo:
        env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
        env.update(HUB_DATA_DIR=str(data_dir), HUB_PORT=str(port),
                   HUB_DEMO_CONNECTOR_PORT=str(connector_port))
        output = data_dir.parent / f"make-run-{number}.log"
        with output.open("w") as log:
            process = subprocess.Popen(["make", "--no-print-directory", "run"], cwd=REPO,
                                       env=env, stdout=log, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, text=True,
                                       start_new_session=True)
        return cls(process, f"http://127.0.0.1:{port}", data_dir, output)

    def said(self) -> str:
        return self.output.read_text(errors="replace")

    def wait_ready(self, seconds: float) -> float:
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            assert self.process.poll() is None, f"make run ended early:\n{self.said()[-3000:]}"
            try:
                if requests.get(f"{self.base}/readyz", timeout=5).status_code == 200:
                    return time.monotonic() - started
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise AssertionError(f"no /readyz within {seconds} s:\n{self.said()[-3000:]}")

    def stop(self) -> float:
        """SIGTERM to every process of the run, as a service manager sends it; seconds taken."""
        started = time.monotonic()
        os.killpg(self.process.pid, signal.SIGTERM)
        while time.monotonic() - started < STOP_SECONDS + 5:
            if not _running_in_group(self.process.pid):
                self.process.wait()  # make itself; the others are reaped by who inherits them
                return time.monotonic() - started
            time.sleep(0.1)
        left = _running_in_group(self.process.pid)
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        raise AssertionError(f"still running {STOP_SECONDS + 5} s after SIGTERM: {left}")

    def rows(self, query: str) -> list[tuple[object, ...]]:
        """Rows of the hub's database, read as an operator would (read-only)."""
        connection = sqlite3.connect(f"file:{self.data_dir / 'hub.sqlite3'}?mode=ro", uri=True,
                                     timeout=30)
        try:
            return connection.execute(query).fetchall()
        finally:
            connection.close()


def _running_in_group(group: int) -> list[str]:
    """The command lines of the live (not zombie) processes of process group ``group``."""
    running = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, IndexError):
            continue  # ended while we looked
        if int(fields[2]) == group and fields[0] != "Z":
            running.append(command.strip())
    return running


class _CsrfField(html.parser.HTMLParser):
    token = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        fields = dict(attrs)
        if tag == "input" and fields.get("name") == "csrf_token":
            self.token = fields.get("value") or ""


def _sign_in(base: str, email: str, password: str) -> None:
    with requests.Session() as browser:
        form = _CsrfField()
        form.feed(browser.get(f"{base}/sign-in", timeout=30).text)
        assert form.token, "the sign-in page has no CSRF field"
        response = browser.post(f"{base}/sign-in", timeout=60, allow_redirects=False, data={
            "csrf_token": form.token, "email": email, "password": password})
        assert response.status_code in (302, 303), response.text[:500]
        landing = browser.get(f"{base}{response.headers['Location']}", timeout=60)
        assert landing.status_code == 200


def _token(base: str, client: dict[str, str]) -> str:
    response = requests.post(f"{base}/oauth/token", data={"grant_type": "client_credentials"},
                             auth=(client["client_id"], client["client_secret"]), timeout=60)
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def _writes_while_pulling(demo: Demo) -> int:
    """Every kind of write through the served hub; returns the accepted pull's attempt id."""
    accounts = json.loads((demo.data_dir / "demo-accounts.json").read_text())
    person = next(p for p in accounts["people"] if p["org"] == CAMDEN)
    client = next(c for c in accounts["clients"] if c["org"] == CAMDEN)
    base = demo.base
    # Tokens name the address actually served, which stock clients find by discovery.
    metadata = requests.get(f"{base}/.well-known/oauth-authorization-server", timeout=30).json()
    assert metadata["issuer"] == base
    assert metadata["token_endpoint"] == f"{base}/oauth/token"

    _sign_in(base, person["email"], person["password"])

    token = _token(base, client)
    bearer = {"Authorization": f"Bearer {token}"}
    assert requests.get(f"{base}/api/v1/connectors", headers=bearer, timeout=60).ok
    revoked = requests.post(f"{base}/oauth/revoke", data={"token": token}, timeout=60,
                            auth=(client["client_id"], client["client_secret"]))
    assert revoked.status_code == 200, revoked.text
    assert requests.get(f"{base}/api/v1/connectors", headers=bearer,
                        timeout=60).status_code == 401

    bearer = {"Authorization": f"Bearer {_token(base, client)}"}
    consent = requests.post(f"{base}/api/v1/consents", headers=bearer, timeout=60, json={
        "kind": "withhold", "org_code": CAMDEN, "audience": "other_regions",
        "measure": "agency_rate", "reason": "make run test"})
    assert consent.status_code == 201, consent.text

    connector = requests.get(f"{base}/api/v1/connectors", headers=bearer, timeout=60).json()[0]
    accepted = requests.post(f"{base}/api/v1/connectors/{connector['id']}/pulls",
                             headers=bearer, json={"period": "2024-Q3"}, timeout=60)
    assert accepted.status_code == 202, accepted.text
    attempt_id = int(accepted.json()["attempt_id"])
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        attempts = requests.get(f"{base}/api/v1/connectors/{connector['id']}/pulls",
                                headers=bearer, params={"page_size": 100}, timeout=60).json()
        mine = next(a for a in attempts if a["id"] == attempt_id)
        if mine["finished_at"] is not None:
            assert mine["outcome"] in ("ingested", "unchanged"), mine
            return attempt_id
        time.sleep(0.5)
    raise AssertionError(f"the accepted pull {attempt_id} did not finish within 120 s")


def _attempts(demo: Demo) -> int:
    return int(demo.rows("SELECT count(*) FROM pull_attempts")[0][0])  # type: ignore[call-overload]


def test_make_run_serves_writes_and_stops_every_time(tmp_path: Path, busy_cpus: None) -> None:
    data_dir, port, connector_port = tmp_path / "var", _free_port(), _free_port()
    for number in range(1, RUNS + 1):
        demo = Demo.start(data_dir, port, connector_port, number)
        try:
            ready = demo.wait_ready(FIRST_READY_SECONDS if number == 1 else LATER_READY_SECONDS)
            before = _attempts(demo)
            attempt_id = _writes_while_pulling(demo)
            # The background refresh went on beside the writes: they did not wait for it.
            assert _attempts(demo) > before + 1
        finally:
            stopped = demo.stop()
        said = demo.said()
        assert stopped <= STOP_SECONDS, f"run {number} took {stopped:.1f} s to stop"
        assert not re.search(r"Traceback|WORKER TIMEOUT|SIGKILL", said), said[-3000:]
        unfinished = demo.rows(f"SELECT id FROM pull_attempts WHERE id = {attempt_id} "
                               "AND finished_at IS NULL")
        assert unfinished == []
        if number > 1:
            assert "connectors: 0 registered, 0 updated, 153 unchanged" in said, said[-3000:]
            assert "is pulled already; serving now" in said
            assert ready < LATER_READY_SECONDS
        print(f"run {number}: ready in {ready:.1f} s, stopped in {stopped:.1f} s")
