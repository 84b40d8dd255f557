"""Strict, bounded JSON for untrusted documents: size and depth limits, no duplicate keys, no
NaN or Infinity."""

from __future__ import annotations

import json
from typing import Any


class StrictJsonError(ValueError):
    """A document refused by the strict loader, with where (a JSON pointer) and why."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path or '/'}: {message}")
        self.path = path
        self.message = message


def loads_strict(raw: bytes, max_bytes: int, max_depth: int) -> Any:
    """The JSON value in ``raw`` if it is within the bounds and unambiguous."""
    if len(raw) > max_bytes:
        raise StrictJsonError("", f"document larger than {max_bytes} bytes")
    try:
        value = json.loads(raw, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    except (ValueError, RecursionError) as exc:
        raise StrictJsonError("", f"not valid JSON ({type(exc).__name__})") from None
    _check_depth(value, 0, "", max_depth)
    return value


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            # Two readers may keep different copies of a duplicated key: refuse the ambiguity.
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def _no_constants(name: str) -> None:
    raise ValueError(f"{name} is not a number")


def _check_depth(value: Any, depth: int, path: str, max_depth: int) -> None:
    if depth > max_depth:
        raise StrictJsonError(path, f"nested deeper than {max_depth} levels")
    if isinstance(value, dict):
        for key, item in value.items():
            _check_depth(item, depth + 1, f"{path}/{key}", max_depth)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _check_depth(item, depth + 1, f"{path}/{i}", max_depth)
