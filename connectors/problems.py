"""Problems found in an LA's records file: each located, all reported at once."""

from __future__ import annotations

from dataclasses import dataclass

MAX_PROBLEMS_SHOWN = 50


@dataclass(frozen=True)
class Problem:
    """One bad cell, header or element: where it is and what is wrong."""

    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, {self.field}: {self.message}"


class RecordsError(ValueError):
    """A records file with problems; lists every one (the first MAX_PROBLEMS_SHOWN in the text)."""

    def __init__(self, problems: list[Problem], source: str | None = None) -> None:
        shown = "\n".join(str(p) for p in problems[:MAX_PROBLEMS_SHOWN])
        more = len(problems) - MAX_PROBLEMS_SHOWN
        where = f" in {source}" if source else " in the records"
        super().__init__(f"{len(problems)} problem(s){where}:\n{shown}"
                         + (f"\n… and {more} more" if more > 0 else ""))
        self.problems = tuple(problems)
        self.source = source
