"""The precomputed benchmark figures: unrounded, per measure, period, grain and area."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base

LA_GRAIN, REGION_GRAIN, NATIONAL_GRAIN = "la", "region", "national"
#: The area code of the national row.
NATIONAL_AREA = "national"


class BenchmarkFigure(Base):
    """One measure for one LA, region or the nation in one period, before disclosure control.

    ``components`` holds what disclosure control reads (the measure's components and the
    headcounts governing them), summed over ``contributors`` for a region or the nation.
    ``breakdowns`` (LA rows of measures with breakdowns, where the LA gave one) holds the same
    components by dimension and category: {dimension: {category: {component: value}}}.
    """

    __tablename__ = "benchmark_figures"
    __table_args__ = (
        UniqueConstraint("dataset", "period", "measure", "grain", "area_code",
                         name="uq_benchmark_figures_dataset_period_measure_grain_area_code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset: Mapped[str] = mapped_column(String(32))
    period: Mapped[str] = mapped_column(String(7))
    measure: Mapped[str] = mapped_column(String(40))
    grain: Mapped[str] = mapped_column(String(12))
    area_code: Mapped[str] = mapped_column(String(16))
    numerator: Mapped[float | None] = mapped_column(Float)
    denominator: Mapped[float | None] = mapped_column(Float)
    numerator_people: Mapped[float | None] = mapped_column(Float)
    denominator_people: Mapped[float | None] = mapped_column(Float)
    components: Mapped[dict[str, Any]] = mapped_column(JSON)
    contributors: Mapped[list[str]] = mapped_column(JSON)
    breakdowns: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer)


class FiguresVersion(Base):
    """The figures of one dataset and period: which version, computed from which revisions."""

    __tablename__ = "benchmark_versions"

    dataset: Mapped[str] = mapped_column(String(32), primary_key=True)
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    #: sha256 of the (LA, revision) pairs computed from: an unchanged input recomputes nothing.
    inputs_sha256: Mapped[str] = mapped_column(String(64))
    computed_at: Mapped[datetime] = mapped_column()
