"""What one reader sees of one period: every measure, released in one pure pass.

``release_period`` (``period``) is the one entry point: per-measure release (``measure``,
``breakdowns``) under the reader's decisions (``asking``), then the rule across measures
(``linked``), then the answers as the API renders them.
"""

from __future__ import annotations

from policies.release.inputs import Figures, Geography, MeasureFigures
from policies.release.period import MeasureAnswer, PeriodRelease, release_period

__all__ = ["Figures", "Geography", "MeasureAnswer", "MeasureFigures", "PeriodRelease",
           "release_period"]
