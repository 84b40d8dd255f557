"""`hub benchmarks recompute`: recompute figures now, as the job does when extracts land."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from hub.benchmarks import service
from hub.benchmarks.extension import get_benchmarks
from hub.pulls.models import ExtractRevision
from policies.measures import DATASET_WORKFORCE, is_period, period_key


@click.group("benchmarks", help="Benchmark figures.")
def benchmarks_group() -> None:
    """Benchmark commands."""


@benchmarks_group.command("recompute", help="Recompute the figures of a period (default: "
                          "every period with extracts) from the latest revisions.")
@click.option("--period", help="A period such as 2024-Q4.")
@with_appcontext
def recompute(period: str | None) -> None:
    benchmarks = get_benchmarks()
    if period is not None and not is_period(period):
        raise click.BadParameter(f"{period!r} is not a period such as 2024-Q4.",
                                 param_hint="--period")
    with benchmarks.database.session() as session:
        periods = [period] if period else sorted(session.scalars(
            select(ExtractRevision.period).where(ExtractRevision.dataset == DATASET_WORKFORCE)
            .distinct()), key=period_key)
    for each in periods:
        with benchmarks.database.session() as session:
            version = service.recompute(session, benchmarks, DATASET_WORKFORCE, each)
        click.echo(f"{each}: figures version {version.version}")


COMMANDS = (benchmarks_group,)
