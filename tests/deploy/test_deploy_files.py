"""The deployment files parse, and every command they run exists in the `hub` command."""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path
from typing import Any

import pytest
import yaml

from hub.cli import build_cli
from hub.config import SETTINGS, Settings

ROOT = Path(__file__).parents[2]
DEPLOY = ROOT / "deploy"


def _hub_commands_in_deploy() -> set[tuple[str, ...]]:
    """Every `hub …` command line the deployment files run (comments left out)."""
    invocation = re.compile(r'(?:^|[\s(&;=/"])hub ([a-z][a-z-]*)(?: ([a-z][a-z-]*))?'
                            r'|"hub", "([a-z][a-z-]*)"(?:, "([a-z][a-z-]*)")?')
    found = set()
    for path in DEPLOY.rglob("*"):
        if not path.is_file() or path.suffix not in (".service", ".yaml", ".sh"):
            continue
        for line in path.read_text().splitlines():
            # Only lines that run something: ExecStart=, command:, and the scripts' own lines.
            if line.lstrip().startswith("#") or (path.suffix != ".sh" and not re.search(
                    r"ExecStart=|command:", line)):
                continue
            for match in invocation.finditer(line):
                found.add(tuple(word for word in match.groups() if word))
    return found


def test_every_hub_command_the_deployment_runs_exists():
    cli = build_cli(Settings())
    commands = _hub_commands_in_deploy()
    assert ("db", "upgrade") in commands and ("jobs", "worker") in commands
    for words in commands:
        group = cli
        for word in words:
            if not hasattr(group, "commands"):
                break
            assert word in group.commands, f"deploy/ runs `hub {' '.join(words)}`"
            group = group.commands[word]


@pytest.mark.parametrize("path", sorted(p.relative_to(DEPLOY).as_posix()
                                        for p in DEPLOY.rglob("*.yaml")))
def test_yaml_files_parse(path):
    documents = [d for d in yaml.safe_load_all((DEPLOY / path).read_text()) if d]
    assert documents
    if path.startswith("k8s/") and path != "k8s/kustomization.yaml":
        assert all({"apiVersion", "kind", "metadata"} <= d.keys() for d in documents)


def test_gunicorn_config_loads():
    namespace: dict[str, object] = {}
    exec(compile((DEPLOY / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"),
         namespace)
    assert namespace["wsgi_app"] == "hub.wsgi:app" and namespace["worker_class"] == "gthread"


@pytest.mark.parametrize("readme", ["README.md", "deploy/README.md"])
def test_every_setting_is_documented(readme):
    text = (ROOT / readme).read_text()
    missing = [s.name for s in SETTINGS if f"`{s.name}" not in text]
    assert missing == []


def test_gunicorn_keeps_the_loaded_apps_connections_out_of_its_workers(monkeypatch):
    # The app is loaded before the fork (every worker ready at once): the master's pool is
    # closed before each fork, and a worker forgets whatever it inherited.
    calls: list[str] = []

    class Recorded:
        def dispose(self) -> None:
            calls.append("dispose")

        def after_fork(self) -> None:
            calls.append("after_fork")

    monkeypatch.setitem(sys.modules, "hub.wsgi",
                        types.SimpleNamespace(app=types.SimpleNamespace(
                            extensions={"hub.db": Recorded()})))
    namespace: dict[str, Any] = {}
    exec(compile((DEPLOY / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"),
         namespace)
    assert namespace["preload_app"] is True
    namespace["pre_fork"](None, None)
    namespace["post_fork"](None, None)
    assert calls == ["dispose", "after_fork"]
