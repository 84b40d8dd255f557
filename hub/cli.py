"""The `hub` command: thin wrappers over the services, for operators and for `make run`."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from hub import create_app
from hub.config import ConfigError, Settings, in_use, load_settings
from hub.db import get_db
from hub.organisations import service as organisations


def _settings() -> Settings:
    return current_app.config["HUB_SETTINGS"]  # type: ignore[no-any-return]


@click.group("db", help="Database schema.")
def db_group() -> None:
    """Database commands."""


@db_group.command("upgrade", help="Apply the migrations up to the latest schema.")
@with_appcontext
def db_upgrade() -> None:
    get_db().upgrade()
    click.echo("database is at the latest schema")


@click.group("reference", help="Reference data: regions, LAs, NARE, administrators.")
def reference_group() -> None:
    """Reference data commands."""


@reference_group.command("load", help="Load the shipped reference data (idempotent).")
@with_appcontext
def reference_load() -> None:
    with get_db().session() as session:
        summary = organisations.load_reference(session, organisations.read_reference())
    click.echo(f"reference data: {summary.added} added, {summary.updated} updated, "
               f"{summary.unchanged} unchanged")


@click.command("serve", help="Serve the hub with gunicorn on HUB_HOST:HUB_PORT.")
@click.option("--workers", default=1, show_default=True,
              help="Processes; keep 1 in embedded mode, where jobs run in-process.")
@click.option("--threads", type=int, help="Threads per process (default: HUB_WEB_THREADS).")
@with_appcontext
def serve(workers: int, threads: int | None) -> None:
    from hub.pulls import background
    from hub.server import serve as run_server

    settings = _settings()
    if settings.embedded and workers > 1:
        raise click.UsageError("embedded mode (no HUB_REDIS_URL) runs one worker process: "
                               "its jobs run there.")
    # Embedded, the worker runs the jobs: it takes up the pulls accepted before a restart.
    run_server(current_app._get_current_object(), settings.host, settings.port,  # type: ignore[attr-defined]
               workers=workers, threads=threads or settings.web_threads,
               worker_started=background.start if settings.embedded else None)


@click.command("check-config", help="Check a deployment's configuration and the services it "
               "names; exit 1 when anything is wrong.")
def check_config() -> None:
    from hub.checks import run_checks

    try:
        settings = load_settings()
    except ConfigError as exc:
        click.echo(f"problem  settings: {exc}")
        sys.exit(1)
    click.echo(f"in use   {in_use(settings)}")
    findings = list(run_checks(settings))
    for finding in findings:
        click.echo(f"{'ok     ' if finding.ok else 'problem'}  {finding.check}: {finding.detail}")
    sys.exit(0 if all(f.ok for f in findings) else 1)


def build_cli(settings: Settings) -> click.Group:
    """The `hub` group bound to ``settings``."""
    group = FlaskGroup(create_app=lambda: create_app(settings), add_default_commands=False,
                       add_version_option=False, load_dotenv=False,
                       help="The workforce data-sharing hub.")
    from hub.agreements.cli import COMMANDS as agreements_commands
    from hub.audit.cli import COMMANDS as audit_commands
    from hub.benchmarks.cli import COMMANDS as benchmarks_commands
    from hub.consents.cli import COMMANDS as consents_commands
    from hub.identity.cli import COMMANDS as identity_commands
    from hub.pulls.cli import COMMANDS as pulls_commands
    from hub.pulls.demo import demo
    from hub.registry.cli import COMMANDS as registry_commands

    for command in (db_group, reference_group, serve, check_config, *identity_commands,
                    *agreements_commands, *consents_commands, *audit_commands,
                    *benchmarks_commands):
        group.add_command(command)
    for command in (*registry_commands, *pulls_commands, demo):
        group.add_command(command)
    from hub.web.cli import COMMANDS as web_commands

    for command in web_commands:
        group.add_command(command)
    return group


def main() -> None:
    """Entry point of the `hub` console script."""
    try:
        settings = load_settings()
    except ConfigError as exc:
        click.echo(f"hub: configuration error: {exc}", err=True)
        sys.exit(2)
    build_cli(settings)(prog_name="hub")
