"""The base of every input schema: strings free of NUL characters, which no database stores."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import marshmallow as ma


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, Mapping):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class InputSchema(ma.Schema):
    """Refuses NUL characters anywhere in the input, with a field-level error."""

    @ma.validates_schema(pass_original=True)
    def _no_nul_characters(self, data: Any, original: Any, **kwargs: Any) -> None:
        if isinstance(original, Mapping):
            # Query arguments arrive as a multidict proxy: read what the schema loaded.
            bad = [key for key in original if _has_nul(key) or _has_nul(original.get(key))]
            if bad:
                raise ma.ValidationError({key: ["NUL characters are not allowed."]
                                          for key in bad})
