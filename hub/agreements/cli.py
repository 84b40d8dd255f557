"""`hub agreements validate` and `hub agreements load`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from hub.agreements import service
from hub.audit.service import operator
from hub.db import get_db
from hub.decisions.store import get_policy_store
from policies.loader import Problem
from policies.yaml_reader import DOCUMENT

FILES = click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))


def _read(files: tuple[Path, ...]) -> tuple[list[service.SourceFile], list[Problem]]:
    """The files given, or every *.yaml of the agreements directory, by name."""
    if files:
        paths, names = list(files), [str(f) for f in files]
    else:
        directory: Path = current_app.config["HUB_SETTINGS"].agreements_dir
        paths = sorted(directory.glob("*.yaml"))
        names = [p.name for p in paths]
    sources, problems = [], []
    for path, name in zip(paths, names, strict=True):
        try:
            sources.append(service.SourceFile(name, path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(name, 1, DOCUMENT, f"cannot be read: {exc}"))
    return sources, problems


def _report(result: service.LoadResult, unreadable: list[Problem]) -> None:
    problems = unreadable + result.problems
    for problem in problems:
        click.echo(str(problem))
    if problems:
        click.echo(f"hub: {len(problems)} problem(s); nothing loaded, what is in force is "
                   "unchanged", err=True)
        sys.exit(1)


@click.group("agreements", help="Data-sharing agreements: validate and load versions.")
def agreements_group() -> None:
    """Agreement commands."""


@agreements_group.command("validate", help="Check agreement files (default: the shipped ones) "
                          "against the reference data and the stored versions; store nothing.")
@FILES
@with_appcontext
def agreements_validate(files: tuple[Path, ...]) -> None:
    sources, unreadable = _read(files)
    with get_db().session() as session:
        result = service.validate(session, sources)
    _report(result, unreadable)
    click.echo(f"agreements: {len(result.new)} valid new, {len(result.unchanged)} unchanged")


@agreements_group.command("load", help="Load new agreement versions (default: the shipped "
                          "files) when every file is valid; earlier versions are kept.")
@FILES
@with_appcontext
def agreements_load(files: tuple[Path, ...]) -> None:
    sources, unreadable = _read(files)
    if unreadable:
        _report(service.LoadResult(), unreadable)
    with get_db().session() as session:
        result = service.load(session, sources, operator(), get_policy_store())
    _report(result, [])
    for source, agreement in result.new:
        click.echo(f"{source.name}: {agreement.ref} loaded, effective from "
                   f"{agreement.effective_from}")
    for source in result.unchanged:
        click.echo(f"{source.name}: unchanged")
    click.echo(f"agreements: {len(result.new)} loaded, {len(result.unchanged)} unchanged")


COMMANDS = (agreements_group,)
