"""The install that deploy uses is the install that is tested: the wheel, installed without -e.

The wheel is built from the repository, installed into a fresh virtualenv (its dependencies
taken from the test environment's, so nothing is downloaded twice), and run from a directory
outside the repository, so that only what the wheel ships can be found.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import sysconfig
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _run(*command: str | Path, cwd: Path, env: dict[str, str] | None = None
         ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(c) for c in command], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600, check=False)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A fresh virtualenv holding the hub's wheel; yields its bin/ directory."""
    work = tmp_path_factory.mktemp("wheel")
    built = _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", work / "dist",
                 ROOT, cwd=work)
    assert built.returncode == 0, built.stderr[-3000:]
    # Packaging that needs a warning to explain itself is packaging to fix.
    assert "Warning" not in built.stderr, built.stderr[-3000:]
    venv = work / "venv"
    made = _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=work)
    assert made.returncode == 0, made.stderr
    site = Path(_run(venv / "bin" / "python", "-c", "import sysconfig; print(sysconfig."
                     "get_path('purelib'))", cwd=work).stdout.strip())
    # The dependencies, from the test environment: a plain path entry, so the test
    # environment's own editable install of the hub (a .pth hook there) is not loaded.
    (site / "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    wheel = next((work / "dist").glob("workforce_hub-*.whl"))
    installed = _run(sys.executable, "-m", "pip", "--python", venv / "bin" / "python",
                     "install", "-q", "--no-deps", wheel, cwd=work)
    assert installed.returncode == 0, installed.stderr[-3000:]
    yield venv / "bin"


def test_the_installed_hub_is_the_wheel_not_the_checkout(installed: Path, tmp_path: Path
                                                         ) -> None:
    where = _run(installed / "python", "-c", "import hub; print(hub.__file__)", cwd=tmp_path)
    assert where.returncode == 0, where.stderr
    assert str(ROOT) not in where.stdout
    assert str(installed.parent) in where.stdout


def test_the_installed_hub_draws_a_chart(installed: Path, tmp_path: Path) -> None:
    drawn = _run(installed / "python", "-c", (
        "from hub.web.charts import bars; from policies.measures import Unit; "
        "print(bars('t', 'Agency rate', Unit.PERCENT, (('Camden', 12.5, ''), "
        "('Barnet', None, 'c'))).svg)"), cwd=tmp_path)
    assert drawn.returncode == 0, drawn.stderr[-3000:]
    assert "<svg" in drawn.stdout and "Camden" in drawn.stdout


def test_the_installed_hub_serves_its_pages_and_static_files(installed: Path,
                                                             tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    env.update(HUB_DATA_DIR=str(tmp_path / "var"), HUB_PORT=str(port))
    for step in (("db", "upgrade"), ("reference", "load")):
        done = _run(installed / "hub", *step, cwd=tmp_path, env=env)
        assert done.returncode == 0, done.stderr[-3000:]
    server = subprocess.Popen([str(installed / "hub"), "serve"], cwd=tmp_path, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, server.communicate()[1][-3000:]
            try:
                if requests.get(f"{base}/readyz", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                assert time.monotonic() < deadline, "the installed hub did not serve"
                time.sleep(0.5)
        sign_in = requests.get(f"{base}/sign-in", timeout=30)
        assert sign_in.status_code == 200
        assert 'name="password"' in sign_in.text
        stylesheets = [line.split('href="', 1)[1].split('"', 1)[0]
                       for line in sign_in.text.splitlines()
                       if 'rel="stylesheet"' in line and 'href="' in line]
        assert stylesheets
        for href in stylesheets:
            assert requests.get(f"{base}{href}", timeout=30).status_code == 200, href
        assert requests.get(f"{base}/api/v1/openapi.json", timeout=30).status_code == 200
    finally:
        server.terminate()
        server.communicate(timeout=30)
