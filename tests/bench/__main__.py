"""Run every benchmark the repo keeps and print one table of ratios against same-run baselines.

``make bench`` runs this. Each benchmark module exposes ``main() -> list[dict]`` with rows
{name, value, baseline, ratio, unit}; a benchmark that fails is reported and the rest still run.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import traceback
from pathlib import Path


def _modules() -> list[str]:
    here = Path(__file__).parent
    return sorted(f"tests.bench.{m.name}" for m in pkgutil.iter_modules([str(here)])
                  if m.name.startswith("bench_"))


def main(selected: list[str]) -> int:
    rows: list[dict[str, object]] = []
    failed: list[str] = []
    for name in _modules():
        if selected and not any(s in name for s in selected):
            continue
        print(f"== {name}", flush=True)
        try:
            rows += importlib.import_module(name).main()
        except Exception:  # noqa: BLE001 - one broken benchmark must not hide the others
            traceback.print_exc()
            failed.append(name)
    width = max((len(str(r["name"])) for r in rows), default=10)
    print(f"\n{'benchmark':<{width}}  {'value':>10}  {'baseline':>10}  {'ratio':>8}  unit")
    for row in rows:
        print(f"{row['name']!s:<{width}}  {float(row['value']):>10.3f}  "  # type: ignore[arg-type]
              f"{float(row['baseline']):>10.3f}  {float(row['ratio']):>8.2f}  {row['unit']}")  # type: ignore[arg-type]
    for name in failed:
        print(f"FAILED: {name}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
