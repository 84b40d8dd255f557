"""Releasing every cell of a linked table: primary, aggregate and secondary suppression."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from policies.disclosure.aggregates import aggregate_objection
from policies.disclosure.primary import count_releaser
from policies.disclosure.released import SECONDARY, Count, Released, Supplied, withheld
from policies.disclosure.secondary import Edge, complementary_cells
from policies.rules import DisclosureRules, Marker


def release_cells(
    node_count: int,
    ends: Sequence[Edge],
    figures: Sequence[Supplied],
    objections: Sequence[str | None],
    label: Callable[[int], str],
    rules: DisclosureRules,
    forced: Sequence[tuple[str, Sequence[int]]] = (),
) -> list[Released]:
    """Every cell of a linked table (see ``secondary``) released: primary suppression and
    rounding, withheld where ``objections`` say so, then complementary suppression.

    ``forced``: groups of cells (one LA's, say) withheld whatever their value, each with the
    reason (a consent override's). They are withheld after the others are protected, each
    group protected on its own on top of that pattern, and the complements put together. So
    the cells withheld with a set of groups are those withheld with any part of it and more:
    a reader who saw the table before a group was forced (or after it no longer is) learns
    nothing from the two releases together that the one with fewer withheld did not tell.
    A forced zero is withheld but not protected, as zero is released wherever it stands.
    """
    release = count_releaser(rules)
    released = [
        withheld(objection) if objection else release(figure)
        for figure, objection in zip(figures, objections, strict=True)
    ]
    hidden = [e for e, value in enumerate(released) if value.value is Marker.SUPPRESSED]
    chosen: list[float | None] = []

    def costs() -> list[float | None]:
        if not chosen:
            plain = [_cost(figure) for figure in figures]
            # A withheld zero hides almost nothing (beside a small cell it pins that cell to
            # the line total), so zeros are the last choice as complements, after any
            # non-zero cell.
            penalty = 1 + sum(c for c in plain if c is not None)
            chosen.extend(penalty if c == 0 else c for c in plain)
        return chosen

    if hidden:
        _protect(released, complementary_cells(node_count, ends, hidden, costs), label)
    if not forced:
        return released
    pattern = [e for e, value in enumerate(released) if value.value is Marker.SUPPRESSED]
    added: dict[int, int] = {}
    for _, cells in forced:
        protect = [e for e in cells if _cost(figures[e]) != 0]
        if protect:
            group = sorted({*pattern, *protect})
            for e, protected in complementary_cells(node_count, ends, group, costs).items():
                added.setdefault(e, protected)
    for reason, cells in forced:
        for e in cells:
            released[e] = withheld(reason)
    _protect(released, {e: p for e, p in added.items()
                        if released[e].value is not Marker.SUPPRESSED}, label)
    return released


def _protect(released: list[Released], added: dict[int, int], label: Callable[[int], str]
             ) -> None:
    for e, protected in added.items():
        released[e] = withheld(f"{SECONDARY}: protects {label(protected)}")


def parts_of(figures: Iterable[Supplied]) -> tuple[list[float], float]:
    """The supplied values among ``figures`` and the sum of their governing figures;
    ValueError for a withheld figure (a total over it must be carried from its release)."""
    parts: list[float] = []
    governing = 0.0
    for figure in figures:
        count = figure if isinstance(figure, Count) else as_count(figure)
        value = count.value
        if value is not None:
            parts.append(value)
            governing += value if count.people is None else count.people
    return parts, governing


def total_of(
    parts: list[float], governing: float, rules: DisclosureRules, aggregate: bool
) -> tuple[Count, str | None]:
    """The total of ``parts`` (x when there are none) with its governing figure, and, for an
    ``aggregate`` over LAs, why it may not be released (or None)."""
    if not parts:
        return Count(None), None
    objection = aggregate_objection(parts, rules) if aggregate else None
    return Count(sum(parts), governing), objection


def as_count(figure: Supplied) -> Count:
    """``figure`` as a Count to sum into a total; ValueError for a withheld figure."""
    if isinstance(figure, Count):
        return figure
    if figure.is_number:
        return Count(figure.number)
    if figure.is_suppressed:
        raise ValueError("a total over withheld figures must be carried from their release")
    return Count(None)


def is_supplied(figure: Supplied) -> bool:
    """True when ``figure`` is a number that takes part in its table's equations."""
    return _cost(figure) is not None


def _cost(figure: Supplied) -> float | None:
    if isinstance(figure, Count):
        return figure.value
    return figure.number if figure.is_number else None
