"""Read a composed YAML node tree field by field, recording each problem with its line and path."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

import yaml  # type: ignore[import-untyped,unused-ignore]

T = TypeVar("T")

#: Path of problems that concern the whole document rather than one field.
DOCUMENT = "document"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an agreement file, located by line and field path."""

    file: str
    line: int
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.path}: {self.message}"


def child(path: str, key: str | int) -> str:
    """The path of a field or list item below ``path``: ``permissions[1].grain``."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return key if path in ("", DOCUMENT) else f"{path}.{key}"


def field(fields: dict[str, Any], key: str, read: Callable[[Any], T | None]) -> T | None:
    """``read`` applied to the node of an optional field, or None when the field is absent."""
    return read(fields[key]) if key in fields else None


def line_of(node: Any) -> int:
    """The 1-based line a node starts on."""
    return int(node.start_mark.line) + 1


class NodeReader:
    """Turns nodes into checked Python values; every failed check becomes a Problem."""

    def __init__(self, file: str, text: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        # A SafeLoader resolves and constructs scalars (ints, dates, nulls) the YAML 1.1 way.
        self._loader = yaml.SafeLoader(text)

    def compose(self) -> Any:
        """The document's root node, or None after recording a syntax error or empty file."""
        try:
            root = self._loader.get_single_node()
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            line = int(mark.line) + 1 if mark is not None else 1
            self.problems.append(Problem(self.file, line, DOCUMENT,
                                         f"YAML syntax error: {error.problem or error}"))
            return None
        except yaml.YAMLError as error:
            self.problems.append(Problem(self.file, 1, DOCUMENT, f"YAML error: {error}"))
            return None
        if root is None:
            self.problems.append(Problem(self.file, 1, DOCUMENT, "the file is empty"))
        return root

    def close(self) -> None:
        self._loader.dispose()

    def report(self, node: Any, path: str, message: str) -> None:
        self.problems.append(Problem(self.file, line_of(node), path, message))

    def mapping(self, node: Any, path: str, required: tuple[str, ...],
                optional: tuple[str, ...] = ()) -> dict[str, Any] | None:
        """The value nodes of a mapping by key, after checking unknown, duplicate, missing keys."""
        if not isinstance(node, yaml.MappingNode):
            self.report(node, path, f"expected a mapping, got {_describe(node)}")
            return None
        known = set(required) | set(optional)
        fields: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key is None or key not in known:
                expected = ", ".join(sorted(known))
                self.report(key_node, child(path, str(key)),
                            f"unknown field (expected one of: {expected})")
            elif key in fields:
                self.report(key_node, child(path, key), "duplicate field")
            else:
                fields[key] = value_node
        for key in required:
            if key not in fields:
                self.report(node, child(path, key), "missing field")
        return fields

    def sequence(self, node: Any, path: str, allow_empty: bool = False) -> list[Any] | None:
        """The item nodes of a list."""
        if not isinstance(node, yaml.SequenceNode):
            self.report(node, path, f"expected a list, got {_describe(node)}")
            return None
        if not node.value and not allow_empty:
            self.report(node, path, "must not be empty")
            return None
        return list(node.value)

    def scalar(self, node: Any, path: str, kind: type[T], what: str,
               check: Callable[[T], str | None] | None = None) -> T | None:
        """A scalar of Python type ``kind``; ``check`` returns a message when the value is bad."""
        value = self._construct(node)
        # bool is an int to Python, and a date is not a datetime: reject the near misses.
        wrong = (isinstance(value, bool) and kind is not bool) or (
            kind is date and isinstance(value, datetime))
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if wrong or not isinstance(value, kind):
            self.report(node, path, f"expected {what}, got {_describe(node)}")
            return None
        message = check(value) if check is not None else None
        if message is not None:
            self.report(node, path, message)
            return None
        return value

    def text(self, node: Any, path: str) -> str | None:
        """A non-empty string."""
        return self.scalar(node, path, str, "a string",
                           lambda s: "must not be empty" if not s.strip() else None)

    def codes(self, node: Any, path: str, known: frozenset[str],
              explain: Callable[[str], str]) -> frozenset[str] | None:
        """A list of codes, or ``all``, each in ``known`` (``explain`` words a stranger)."""
        if isinstance(node, yaml.ScalarNode) and node.value == "all":
            return frozenset(known)
        items = self.sequence(node, path)
        if items is None:
            return None
        codes: set[str] = set()
        ok = True
        for index, item in enumerate(items):
            code = self.text(item, child(path, index))
            if code is None:
                ok = False
            elif code not in known:
                self.report(item, child(path, index), explain(code))
                ok = False
            elif code in codes:
                self.report(item, child(path, index), f"{code!r} is listed twice")
            else:
                codes.add(code)
        return frozenset(codes) if ok else None

    def _construct(self, node: Any) -> object:
        if not isinstance(node, yaml.ScalarNode):
            return node
        try:
            return self._loader.construct_object(node, deep=True)
        except (yaml.constructor.ConstructorError, ValueError):
            # An impossible date such as 2025-02-30 resolves as a timestamp but cannot be built.
            return node.value


def _describe(node: Any) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    tag = str(node.tag).rsplit(":", 1)[-1]
    return f"{tag} {node.value!r}"
