"""What a reader can infer from released answers: every released number as a linear constraint
on the unknown figures, solved with an LP solver (integer where the figure is a headcount or a
count) for the least and greatest value a withheld count can take.

The model is the reader's: each component of each LA is an unknown, non-negative; a released
count is the interval its rounding leaves; a released rate bounds its numerator against its
denominator; an aggregate is the sum over the LAs it counts; a breakdown's cells add up to the
LA's figure; the reader's own figures are known exactly. A withheld value is an unknown with no
constraint of its own. ``pinned`` lists the withheld counts whose least and greatest possible
values are the same: those the answers give away. A withheld count that can only be zero gives
nothing away (zero is released wherever it stands), nor does a withheld total whose every part
the reader knows.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import linprog

from policies.decision import Decision
from policies.disclosure import NOT_GIVEN, smallest_released_count
from policies.measures import BREAKDOWNS, COMPONENTS, MEASURES, Kind, Measure, Unit
from policies.release import Geography
from policies.release.asking import linked_counts
from policies.rules import DisclosureRules

#: (measure, grain, region, la) -> the reader's decision, as the release asked it.
Decide = Callable[[str, str, str | None, str | None], Decision]
Expr = dict[tuple[str, ...], float]
#: LA -> component -> value, and LA -> measure -> dimension -> category -> components.
Truth = Mapping[str, Mapping[str, float]]
Splits = Mapping[str, Mapping[str, Mapping[str, Mapping[str, Mapping[str, float]]]]]
_INTEGER_UNITS = (Unit.HEADCOUNT, Unit.COUNT)
_TOLERANCE = 1e-6
#: Far above any figure: an upper bound that keeps every problem bounded.
_LARGE = 1e6
#: How the names of withheld figures of one LA (not totals) start.
ONE_LA = ("la", "cell")


def is_integer(component: str) -> bool:
    return COMPONENTS[component].unit in _INTEGER_UNITS


@dataclass
class Model:
    """Linear constraints lo <= sum(coef * var) <= hi over named unknowns."""

    truth: Truth
    splits: Splits
    #: LA -> its region.
    region_of: Mapping[str, str]
    rows: list[tuple[Expr, float, float, str]] = field(default_factory=list)

    def add(self, expr: Expr, lo: float, hi: float, why: str) -> None:
        value = self.value(expr)
        # The model must hold for the true figures, or it would prove nothing.
        assert lo - 1e-6 <= value <= hi + 1e-6, (why, value, lo, hi)
        self.rows.append((expr, lo, hi, why))

    def value(self, expr: Expr) -> float:
        return math.fsum(coef * self._true(var) for var, coef in expr.items())

    def _true(self, var: tuple[str, ...]) -> float:
        if var[0] == "x":
            return self.truth[var[1]][var[2]]
        _, la, measure, dimension, category = var
        split = self.splits[la][measure][dimension]
        return split.get(category, {}).get(MEASURES[measure].numerator, 0.0)

    def _parts(self, expr: Expr) -> list[Expr]:
        """A total's parts: its regions' sums where it spans several, else its LAs' figures
        (a breakdown's total: each LA's cells together, the row the LA list releases)."""
        by_region: dict[str, Expr] = {}
        by_la: dict[str, Expr] = {}
        for var, coef in expr.items():
            by_region.setdefault(self.region_of[var[1]], {})[var] = coef
            by_la.setdefault(var[1], {})[var] = coef
        if len(by_region) > 1:
            return list(by_region.values())
        if any(var[0] == "y" for var in expr):
            return list(by_la.values())
        return [{var: coef} for var, coef in expr.items()]

    def pinned(self, withheld: Mapping[tuple[Any, ...], Expr]) -> dict[tuple[Any, ...], float]:
        """The ``withheld`` counts (name -> expression) the constraints leave one value for,
        with that value."""
        # Unknowns no row links (another measure's, most often) cannot bound each other: each
        # set of linked unknowns is a problem of its own, much smaller than all of them.
        linked = _Linked()
        for expr, *_ in self.rows:
            linked.join(expr)
        for expr in withheld.values():
            linked.join(expr)
        by_set: dict[tuple[str, ...], list[tuple[Expr, float, float, str]]] = {}
        for row in self.rows:
            by_set.setdefault(linked.find(next(iter(row[0]))), []).append(row)
        problems: dict[tuple[str, ...], tuple[dict[tuple[str, ...], int], Problem]] = {}

        def known(expr: Expr) -> float | None:
            root = linked.find(next(iter(expr)))
            if root not in problems:
                problems[root] = _problem(linked.members(root), by_set.get(root, []))
            index, problem = problems[root]
            objective = np.zeros(len(index))
            for var, coef in expr.items():
                objective[index[var]] += coef
            # The true value is feasible (``add`` checks): the least and greatest differ iff
            # either lies away from it; the greatest usually does, one solve instead of two.
            value = self.value(expr)
            if -problem.least(-objective) - value > _TOLERANCE:
                return None
            if value - problem.least(objective) > _TOLERANCE:
                return None
            return value

        found = {}
        for name, expr in withheld.items():
            value = known(expr)
            # Zero is released wherever it stands (primary suppression): a withheld cell that
            # must be zero (beside a released zero total, say) hides nothing.
            if value is not None and value <= _TOLERANCE:
                continue
            # A withheld total all of whose parts the reader knows (its own figures, figures
            # released unrounded, a region's released total) gives nothing away that the parts
            # did not; where a part is itself a withheld total, it is checked on its own.
            if value is not None and (name[0] in ONE_LA or any(
                    known(part) is None for part in self._parts(expr))):
                found[name] = value
        return found


class _Linked:
    """Unknowns joined by the rows they appear in together (union-find)."""

    def __init__(self) -> None:
        self._parent: dict[tuple[str, ...], tuple[str, ...]] = {}

    def find(self, var: tuple[str, ...]) -> tuple[str, ...]:
        parent = self._parent.setdefault(var, var)
        while parent != var:
            grand = self._parent[parent]
            self._parent[var] = grand
            var, parent = parent, grand
        return var

    def join(self, expr: Expr) -> None:
        first, *others = expr
        root = self.find(first)
        for var in others:
            other = self.find(var)
            if other != root:
                self._parent[other] = root

    def members(self, root: tuple[str, ...]) -> list[tuple[str, ...]]:
        return sorted(var for var in self._parent if self.find(var) == root)


def _problem(names: list[tuple[str, ...]], rows: Iterable[tuple[Expr, float, float, str]]
             ) -> tuple[dict[tuple[str, ...], int], Problem]:
    """The rows over ``names`` as one problem, and where each unknown is in it."""
    index = {var: i for i, var in enumerate(names)}
    integrality = np.array([1 if is_integer(var[2] if var[0] == "x" else
                                            MEASURES[var[2]].numerator) else 0
                            for var in names])
    # One-variable rows become bounds; the others, once each, rows of the problem.
    bounds = [[0.0, _LARGE] for _ in names]
    lines: dict[tuple[Any, ...], list[float]] = {}
    for expr, lo, hi, _ in rows:
        terms = {var: coef for var, coef in expr.items() if coef}
        if len(terms) == 1:
            ((var, coef),) = terms.items()
            low, high = sorted((lo / coef, hi / coef))
            bound = bounds[index[var]]
            bound[0], bound[1] = max(bound[0], low), min(bound[1], high)
            continue
        key = tuple(sorted((index[var], round(coef, 12)) for var, coef in terms.items()))
        known_range = lines.setdefault(key, [-math.inf, math.inf])
        known_range[0], known_range[1] = max(known_range[0], lo), min(known_range[1], hi)
    a_ub, b_ub, a_eq, b_eq = [], [], [], []
    for key, (lo, hi) in lines.items():
        if all(integrality[i] and float(coef).is_integer() for i, coef in key):
            # A sum of integers is an integer: HiGHS fails on bounds a hair below one.
            lo, hi = math.ceil(lo - 1e-9), math.floor(hi + 1e-9)
        line = np.zeros(len(names))
        for i, coef in key:
            line[i] = coef
        if hi - lo <= 1e-12:
            a_eq.append(line)
            b_eq.append(lo)
            continue
        if hi < math.inf:
            a_ub.append(line)
            b_ub.append(hi)
        if lo > -math.inf:
            a_ub.append(-line)
            b_ub.append(-lo)
    for i, flag in enumerate(integrality):
        if flag:  # an integer's bounds are integers
            bounds[i] = [math.ceil(bounds[i][0] - 1e-9), math.floor(bounds[i][1] + 1e-9)]
    return index, Problem(a_ub, b_ub, a_eq, b_eq, integrality, [tuple(b) for b in bounds])


@dataclass(frozen=True)
class Problem:
    """The constraints as scipy's ``linprog`` takes them."""

    a_ub: list[np.ndarray]
    b_ub: list[float]
    a_eq: list[np.ndarray]
    b_eq: list[float]
    integrality: np.ndarray
    bounds: list[tuple[float, float]]

    def least(self, objective: np.ndarray) -> float:
        """The least value of ``objective``; an unknown nothing bounds reaches ``_LARGE``."""
        result = linprog(objective, A_ub=np.array(self.a_ub) if self.a_ub else None,
                         b_ub=np.array(self.b_ub) if self.b_ub else None,
                         A_eq=np.array(self.a_eq) if self.a_eq else None,
                         b_eq=np.array(self.b_eq) if self.b_eq else None,
                         bounds=self.bounds, integrality=self.integrality, method="highs")
        if result.status == 4:
            # HiGHS's MIP solver sometimes stops with a "solve error" on these small problems;
            # the LP relaxation then gives bounds at least as wide (it can only miss a pin).
            result = linprog(objective, A_ub=np.array(self.a_ub) if self.a_ub else None,
                             b_ub=np.array(self.b_ub) if self.b_ub else None,
                             A_eq=np.array(self.a_eq) if self.a_eq else None,
                             b_eq=np.array(self.b_eq) if self.b_eq else None,
                             bounds=self.bounds, method="highs")
        # Feasible: the true figures satisfy every row (``Model.add`` checks).
        assert result.status == 0, result.message
        return float(result.fun)


def count_interval(released: float, rules: DisclosureRules, people: bool) -> tuple[float, float]:
    """The values a released count can stand for under ``rules`` (``people``: governed by a
    headcount, so the smallest release says nothing of the value's own size)."""
    if released == 0:
        return 0.0, 0.0
    half = rules.rounding_base / 2
    # Half up: the upper end rounds to the next multiple, so it is just outside.
    high = released + half - 1e-6
    if released == smallest_released_count(rules):
        return (0.0 if people else float(rules.min_cell_count)), high
    return released - half, high


def rate_rows(numerator: Expr, denominator: Expr, released: float, measure: Measure,
              rules: DisclosureRules) -> list[tuple[Expr, float, float]]:
    """A released rate as two rows: (r - h) * den <= scale * num <= (r + h) * den."""
    scale = 100.0 if measure.kind is Kind.RATE else 1.0
    half = 0.5 * 10.0 ** -rules.rate_decimals
    low = _minus(_scaled(numerator, scale), _scaled(denominator, released - half))
    high = _minus(_scaled(numerator, scale), _scaled(denominator, released + half))
    return [(low, 0.0, math.inf), (high, -math.inf, 0.0)]


def _scaled(expr: Expr, by: float) -> Expr:
    return {var: coef * by for var, coef in expr.items()}


def _minus(a: Expr, b: Expr) -> Expr:
    out = dict(a)
    for var, coef in b.items():
        out[var] = out.get(var, 0.0) - coef
    return out


def _sum(exprs: Iterable[Expr]) -> Expr:
    out: Expr = {}
    for expr in exprs:
        for var, coef in expr.items():
            out[var] = out.get(var, 0.0) + coef
    return out


@dataclass
class Reader:
    """Builds one reader's constraints from its answers."""

    model: Model
    decide: Decide
    geo: Geography
    own: str | None
    home: str | None
    #: The withheld counts of the answers read: a name -> its expression.
    withheld: dict[tuple[Any, ...], Expr] = field(default_factory=dict)

    def permits(self, measure: Measure, grain: str, region: str | None, la: str | None) -> bool:
        codes = (measure.code, *linked_counts(measure))
        return all(self.decide(code, grain, region, la).permit for code in codes)

    def rules(self, measure: Measure, grain: str, region: str | None) -> DisclosureRules:
        rules = self.decide(measure.code, grain, region, None).rules
        assert rules is not None
        return rules

    def supplied(self, la: str, measure: Measure) -> bool:
        return la in self.model.truth and all(c in self.model.truth[la]
                                              for c in measure.components)

    def add_answer(self, payload: dict[str, Any], tag: str) -> None:
        """Every released number of one measure's answer; its withheld counts to check."""
        measure = MEASURES[payload["measure"]]
        for row in payload["local_authorities"]:
            la = row["code"]
            if row["own"] or not self.supplied(la, measure):
                continue
            grain_rules = self.decide(measure.code, "la", self.home, la).rules
            self._figure(measure, [la], row, grain_rules, ("la", measure.code, la), tag)
        for row in payload["regions"]:
            code = row["code"]
            counted = [la for la in self.geo.regions[code] if self.supplied(la, measure)
                       and self.permits(measure, "region", code, la)]
            if counted and self.decide(measure.code, "region", code, None).permit:
                self._figure(measure, counted, row, self.rules(measure, "region", code),
                             (tag, "region", measure.code, code), tag)
        every = [la for las in self.geo.regions.values() for la in las]
        counted = [la for la in every if self.supplied(la, measure)
                   and self.permits(measure, "national", None, la)]
        if counted and self.decide(measure.code, "national", None, None).permit:
            self._figure(measure, counted, payload["national"],
                         self.rules(measure, "national", None), (tag, "national", measure.code),
                         tag)
        if payload["breakdown"] is not None:
            # A reader that is no LA is given the region's own released total as the table's
            # grand total (one figure, one value): already a row of the model above.
            grand_is_region = payload["own"] is None
            self._table(measure, payload["breakdown"], tag, grand_is_region)

    def _expr(self, measure: Measure, las: list[str], codes: Iterable[str]) -> Expr:
        return _sum({("x", la, c): 1.0} for la in las for c in codes)

    def _figure(self, measure: Measure, las: list[str], shown: dict[str, Any],
                rules: DisclosureRules | None, name: tuple[Any, ...], tag: str) -> None:
        numerator = self._expr(measure, las, [measure.numerator])
        value = shown["value"]
        if value is None:
            if measure.kind is Kind.COUNT and shown["marker"] in ("c", "x"):
                self.withheld[name] = numerator
            return
        assert rules is not None
        if measure.kind is Kind.COUNT:
            people = COMPONENTS[measure.numerator].people is not None
            lo, hi = count_interval(value, rules, people)
            self.model.add(numerator, lo, hi, f"{tag} {name} = {value}")
            return
        denominator = self._expr(measure, las, measure.denominator)
        for expr, lo, hi in rate_rows(numerator, denominator, value, measure, rules):
            self.model.add(expr, lo, hi, f"{tag} {name} = {value}")

    def _table(self, measure: Measure, table: dict[str, Any], tag: str,
               grand_is_region: bool) -> None:
        dimension = table["dimension"]
        decisions = [self.decide(measure.code, "la", self.home, row["code"])
                     for row in table["local_authorities"] if not row["own"]]
        rules = next(d.rules if d.permit else d.withheld_under for d in decisions
                     if d.permit or d.withheld_under is not None)
        assert rules is not None
        people = COMPONENTS[measure.numerator].people is not None
        columns: dict[str, list[Expr]] = {c: [] for c in table["categories"]}
        for row in table["local_authorities"]:
            la = row["code"]
            decision = self.decide(measure.code, "la", self.home, la)
            # A row withheld by a consent is still in the table, its cells withheld.
            if row["own"] or not self.supplied(la, measure) or not (
                    decision.permit or decision.withheld_under is not None):
                continue
            split = self.model.splits.get(la, {}).get(measure.code, {}).get(dimension)
            cells: dict[str, Expr] = {}
            for category in table["categories"]:
                if category == NOT_GIVEN:
                    cells[category] = ({} if split is not None
                                       else {("x", la, measure.numerator): 1.0})
                elif split is not None:
                    cells[category] = {("y", la, measure.code, dimension, category): 1.0}
            if split is not None:  # the categories add up to the LA's figure
                self.model.add(_minus(_sum(cells.values()), {("x", la, measure.numerator): 1.0}),
                               0.0, 0.0, f"{tag} row {la}")
            for category, expr in cells.items():
                columns[category].append(expr)
                shown = row["cells"][category]
                name = (tag, "cell", measure.code, la, category)
                if shown["value"] is None:
                    if (shown["marker"] == "c" or not decision.permit) and expr:
                        self.withheld[("cell", measure.code, la, category)] = expr
                elif expr:
                    lo, hi = count_interval(shown["value"], rules, people)
                    self.model.add(expr, lo, hi, f"{name} = {shown['value']}")
        totals = table["total"]
        for category, exprs in columns.items():
            self._total(_sum(exprs), totals["cells"][category], rules, people,
                        (tag, "column", measure.code, category))
        if not (grand_is_region and totals["value"]["value"] is not None):
            self._total(_sum(e for exprs in columns.values() for e in exprs), totals["value"],
                        rules, people, (tag, "grand", measure.code))

    def _total(self, expr: Expr, shown: dict[str, Any], rules: DisclosureRules, people: bool,
               name: tuple[Any, ...]) -> None:
        if not expr:
            return
        if shown["value"] is None:
            if shown["marker"] == "c":
                self.withheld[name] = expr
            return
        lo, hi = count_interval(shown["value"], rules, people)
        self.model.add(expr, lo, hi, f"{name} = {shown['value']}")

    def know_own(self) -> None:
        """The reader's own figures: known exactly."""
        if self.own is None or self.own not in self.model.truth:
            return
        for component, value in self.model.truth[self.own].items():
            self.model.add({("x", self.own, component): 1.0}, value, value, "own")
        for measure, by_dimension in self.model.splits.get(self.own, {}).items():
            for dimension, split in by_dimension.items():
                for category in BREAKDOWNS[dimension]:
                    var = ("y", self.own, measure, dimension, category)
                    value = split.get(category, {}).get(MEASURES[measure].numerator, 0.0)
                    self.model.add({var: 1.0}, value, value, "own split")
