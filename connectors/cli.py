"""The ``connector`` command: serve an LA's connector, check its records, make its keys, run the
demo simulator."""

from __future__ import annotations

import json
import os
import secrets
import sys
import threading
import time
from pathlib import Path

import click
from werkzeug.serving import make_server

from connectors.app import create_app
from connectors.checking import describe_source
from connectors.config import ConfigError, la_code_of, load_config
from connectors.contract import ContractError
from connectors.extract import RecordsSource
from connectors.oauth import hash_secret
from connectors.records import RecordsError, read_records
from connectors.signing import generate_signing_key, save_signing_key
from connectors.simulator import start_simulator


@click.group()
def main() -> None:
    """An LA's workforce connector, and the simulator the demo runs."""


@main.command()
@click.option("--config", "config_path", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path))
def serve(config_path: Path) -> None:
    """Serve the connector described by a YAML config file."""
    try:
        config = load_config(config_path)
    except (ConfigError, RecordsError) as exc:
        raise click.ClickException(str(exc)) from None
    server = make_server(config.host, config.port, create_app(config.settings), threaded=True)
    click.echo(f"connector for {config.settings.la_code} on "
               f"http://{config.host}:{server.server_port}", err=True)
    server.serve_forever()


@main.command()
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the private key (a JWK, mode 0600).")
@click.option("--alg", type=click.Choice(["Ed25519", "ES256"]), default="Ed25519")
def keygen(out: Path, alg: str) -> None:
    """Make a signing key; print the public JWKS to register with the hub."""
    key = generate_signing_key(alg)
    try:
        save_signing_key(key, out)
    except FileExistsError:
        raise click.ClickException(f"{out} exists: not overwriting a signing key") from None
    click.echo(json.dumps(key.public_jwks(), indent=2))


@main.command("hash-secret")
def hash_secret_command() -> None:
    """Read the hub's client secret from stdin; print the hash to put in the config."""
    secret = sys.stdin.readline().strip() if not sys.stdin.isatty() else \
        click.prompt("Client secret", hide_input=True)
    if len(secret) < 16:
        raise click.ClickException("the secret needs 16 characters or more")
    click.echo(hash_secret(secret))


def _kept_secret(path: Path) -> bytes:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as fh:
            fh.write(secrets.token_hex(32))
    return bytes.fromhex(path.read_text().strip())


def _exit_with(parent: int) -> None:
    """End this process once ``parent`` has gone (its children are then re-parented)."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


@main.command()
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8700, show_default=True)
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the connectors' URLs and credentials (JSON, mode 0600).")
@click.option("--secret-file", type=click.Path(dir_okay=False, path_type=Path),
              help="Derive every key and client secret from the secret in this file (made "
                   "once, mode 0600), so that a restart gives the same credentials.")
@click.option("--exit-with-parent", is_flag=True,
              help="Stop when the process that started this one is gone.")
def simulate(seed: int, host: str, port: int, out: Path, secret_file: Path | None,
             exit_with_parent: bool) -> None:
    """Serve simulated connectors for all 153 LAs and write their credentials file."""
    secret = _kept_secret(secret_file) if secret_file is not None else None
    try:
        running = start_simulator(seed, host, port, secret=secret)
    except OSError as exc:
        raise click.ClickException(f"cannot serve on {host}:{port}: {exc.strerror}") from None
    if exit_with_parent:
        _exit_with(os.getppid())
    running.simulator.write_credentials(out)
    click.echo(f"{len(running.simulator.credentials)} simulated connectors on "
               f"{running.base_url}/la/<ons_code>; credentials in {out}", err=True)
    try:
        running.thread.join()
    except KeyboardInterrupt:
        running.stop()


@main.command()
@click.argument("records", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--la", "la_code", help="The LA (ONS or DfE code) whose extract to show; "
                                      "needed where the file does not name one LA.")
@click.option("--census-year", type=int, help="The census year of a worker file without "
                                              "periods (the census return).")
def check(records: Path, la_code: str | None, census_year: int | None) -> None:
    """Validate a records file and print exactly what would leave the LA, period by period."""
    try:
        code = la_code_of(la_code) if la_code else None
        read = read_records(records, code, census_year)
        code = code or read.la_code
        if code is None:
            raise click.ClickException(f"{records} does not name its LA: give --la")
        source = RecordsSource(la_code_of(code), read)
        click.echo(describe_source(source), nl=False)
    except (RecordsError, ConfigError, ContractError, OSError) as exc:
        raise click.ClickException(str(exc)) from None


if __name__ == "__main__":
    main()
