"""axe-core run in the page by the browser tests: the WCAG 2.2 A and AA rules, every page.

axe-core comes from the npm registry at the version the Makefile pins (`make test` installs
it under .venv/node); it is evaluated in the page through Playwright, which a page's
Content-Security-Policy does not stop, so the hub's pages keep refusing every script."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

AXE = Path(__file__).resolve().parents[2] / ".venv" / "node" / "node_modules" / "axe-core" / \
    "axe.min.js"
#: The rule sets of WCAG 2.0, 2.1 and 2.2 at levels A and AA.
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@cache
def _source() -> str:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: `make test` installs axe-core from npm "
                    "(`make .venv/.node-deps`).", pytrace=False)
    return AXE.read_text()


def violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.2 AA violations on the page as it is now, each rule with its nodes."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_source())
    result: dict[str, Any] = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_AA)
    return [{"rule": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]} for v in result["violations"]]
