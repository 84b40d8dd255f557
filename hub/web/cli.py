"""`hub report`: a region's quarterly governance pack, written as HTML and PDF."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from hub.agreements.cli import operator
from hub.benchmarks.extension import get_benchmarks
from hub.benchmarks.service import PageReads
from hub.db import get_db
from hub.decisions.store import get_policy_store
from hub.errors import HubError
from hub.identity.scopes import default_scopes
from hub.identity.tokens import Principal
from hub.organisations import service as organisations
from hub.organisations.models import OrgKind
from hub.web import report
from hub.web.reading import Reading, choose_period


def _write(path: Path, body: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)
    click.echo(f"wrote {path} ({len(body):,} bytes)")


@click.command("report", help="Write a region's quarterly governance pack: the figures the "
               "region may see, as HTML and PDF. With -o FILE.pdf or FILE.html, only that file; "
               "without, both, named after the region and period, in the current directory.")
@click.option("--region", "region_code", required=True, help="The region's ONS code.")
@click.option("--period", default=None, help="A quarter such as 2024-Q4 (default: the latest "
              "with figures).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The file to write; its suffix (.pdf or .html) says which.")
@with_appcontext
def report_command(region_code: str, period: str | None, output: Path | None) -> None:
    if output is not None and output.suffix not in (".pdf", ".html"):
        raise click.UsageError("the output file must end in .pdf or .html.")
    benchmarks = get_benchmarks()
    with get_db().sessions() as session:
        try:
            region = organisations.get_organisation(session, region_code, OrgKind.REGION)
            chosen, known = choose_period(session, period)
            if chosen is None:
                raise HubError("No figures have been computed yet: pull extracts first.")
            # The pack shows what the region itself may see, read as the API would read it.
            principal = Principal(operator(), region.code, OrgKind.REGION.value,
                                  frozenset(default_scopes(OrgKind.REGION)), "cli", 0)
            reads = PageReads()
            reading = Reading(session, benchmarks, get_policy_store().current(), principal,
                              reads)
            try:
                html = report.build(session, reading, (region.code, region.name), chosen,
                                    known)
            finally:  # one event lists every figure the pack read
                reads.audit(benchmarks, "hub report", f"report {region.code} {chosen}",
                            action="report")
        except HubError as exc:
            click.echo(f"hub report: {exc.message}", err=True)
            sys.exit(1)  # what the pack read is flushed on exit
    benchmarks.reads.flush()  # the reads behind the pack are in the audit log on exit
    targets = [output] if output is not None else [
        Path(report.file_name(region.code, chosen, fmt)) for fmt in ("html", "pdf")]
    try:
        for target in targets:
            _write(target, report.to_pdf(html) if target.suffix == ".pdf" else html.encode())
    except HubError as exc:
        click.echo(f"hub report: {exc.message}", err=True)
        sys.exit(1)


COMMANDS = (report_command,)
