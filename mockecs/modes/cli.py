"""The ``mockecs`` console script: ``mockecs server`` serves the fake over HTTP(S).

    mockecs server --port 8470 --store sqlite:///state.db --accounts-file accounts.json
    HTTP_PROXY=http://127.0.0.1:8470 some-tool ...     # the server also answers as a plain HTTP proxy
"""
from __future__ import annotations

import json
import logging
import signal
import sys
import threading
from typing import Any, Optional

import click

from mockecs.world.lifecycle import MODES

DEFAULT_PORT = 8470


def load_accounts(engine: Any, path: str) -> int:
    """Register the accounts and keys of an accounts file; they survive ``reset``."""
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    entries = data.get("accounts", []) if isinstance(data, dict) else data
    for entry in entries:
        if entry.get("access_key_id"):
            engine.accounts.add_key(entry["account_id"], entry["access_key_id"], entry.get("access_key_secret", ""),
                                    entry.get("security_token"))
        else:
            engine.accounts.add_account(entry["account_id"])
    engine.accounts.freeze_base()
    return len(entries)


@click.group()
@click.version_option(package_name="mockecs")
def main() -> None:
    """mockecs: a fake of Alibaba Cloud's ECS image API (2014-05-26)."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=int, help="Port; 0 picks a free one.")
@click.option("--store", default="memory://", show_default=True,
              help="State store URL: memory://, or sqlite:///path.db with the mockecs-sqlite plugin.")
@click.option("--catalog/--no-catalog", default=True, show_default=True, help="Preload the public image catalog.")
@click.option("--region", "default_region", default="cn-hangzhou", show_default=True,
              help="Region of requests that name none and whose Host names none.")
@click.option("--transitions", type=click.Choice(MODES), default="instant", show_default=True,
              help="Image status changes: at once, or after realistic delays.")
@click.option("--strict-signatures", is_flag=True, help="Reject unknown keys and bad signatures like the service.")
@click.option("--accounts-file", type=click.Path(exists=True, dir_okay=False),
              help='JSON: {"accounts": [{"account_id", "access_key_id", "access_key_secret", "security_token"}]}.')
@click.option("--record-calls/--no-record-calls", default=True, show_default=True,
              help="Keep the call record (GET /_mockecs/calls); turn off for long runs.")
@click.option("--https", is_flag=True, help="Serve HTTPS (self-signed certificate unless --certfile); needs the "
                                            "server-https extra.")
@click.option("--certfile", type=click.Path(exists=True, dir_okay=False), help="PEM certificate for --https.")
@click.option("--keyfile", type=click.Path(exists=True, dir_okay=False), help="PEM key for --certfile.")
@click.option("--threads", default=None, type=click.IntRange(1, 256),
              help="Worker threads (default for HTTP: none, requests run in the server's I/O loop; 16 for "
                   "HTTPS). Give N when clients must not wait behind a request sleeping on injected latency; "
                   "see mockecs.modes.server.backends.")
@click.option("--log-level", type=click.Choice(["debug", "info", "warning", "error"], case_sensitive=False),
              default="info", show_default=True)
def server(host: str, port: int, store: str, catalog: bool, default_region: str, transitions: str,
           strict_signatures: bool, accounts_file: Optional[str], record_calls: bool, https: bool,
           certfile: Optional[str], keyfile: Optional[str], threads: Optional[int], log_level: str) -> None:
    """Serve the fake ECS API (and the control API under /_mockecs/) over HTTP or HTTPS."""
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from mockecs.engine.core import Config, Engine
    from mockecs.modes.server.backends import make_server
    from mockecs.modes.server.wsgi import make_app
    from mockecs.world import regions

    if not regions.exists(default_region):
        raise click.BadParameter(f"unknown region {default_region!r}", param_hint="--region")
    config = Config(default_region=default_region, store=store, strict_signatures=strict_signatures,
                    transitions=transitions, catalog=catalog, record_calls=record_calls)
    try:
        engine = Engine(config)
    except ValueError as err:
        hint = ""
        if store.startswith("sqlite:") and "no installed mockecs store plugin" in str(err):
            # The SQLite store is a separate distribution; say where it comes from.
            hint = " (install the mockecs-sqlite plugin: pip install plugins/mockecs-sqlite from the mockecs sources)"
        raise click.UsageError(str(err) + hint) from err
    if accounts_file:
        load_accounts(engine, accounts_file)
    try:
        srv = make_server(make_app(engine), host, port, threads, https or bool(certfile), certfile, keyfile)
    except (OSError, RuntimeError) as err:
        engine.store.close()
        raise click.ClickException(str(err)) from err

    def _stop(signum: int, frame: Any) -> None:
        threading.Thread(target=srv.stop, daemon=True).start()

    signal.signal(signal.SIGTERM, _stop)
    click.echo(f"mockecs serving on {srv.url} (store {store})", err=False)
    sys.stdout.flush()
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        srv.stop()
    finally:
        engine.store.close()


if __name__ == "__main__":  # pragma: no cover
    main()
