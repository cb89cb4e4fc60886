"""The ``mockecs`` console script: ``mockecs server`` serves the fake over HTTP(S).

    mockecs server --port 8470 --store sqlite:///state.db --accounts-file accounts.json
    HTTP_PROXY=http://127.0.0.1:8470 some-tool ...     # the server also answers as a plain HTTP proxy
"""
from __future__ import annotations

import json
import logging
import signal
import socket
import sys
import threading
from typing import Any, Optional

import click

from mockecs.world import settings as declared

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DEFAULT_PORT = 8470
# Where a store URL's plugin comes from: they are not on PyPI, so no extra can pull them in.
STORE_PLUGINS = {
    "sqlite": "the SQLite store is the mockecs-sqlite plugin: pip install ./plugins/mockecs-sqlite from the mockecs "
              "sources, or pip install 'mockecs-sqlite @ git+<mockecs repository>#subdirectory=plugins/mockecs-sqlite'",
    "redis": "the Redis store is the mockecs-redis plugin: pip install 'mockecs[redis]' ./plugins/mockecs-redis from "
             "the mockecs sources, or pip install 'mockecs-redis @ git+<mockecs repository>#subdirectory="
             "plugins/mockecs-redis'",
}


def read_accounts(path: str) -> list[dict]:
    """The entries of an accounts file, every one checked before any is used (a one-line UsageError
    naming the file and the entry: a partly bad file must not leave its first keys stored)."""
    from mockecs.state.accounts import check_key

    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise click.UsageError(f"--accounts-file {path}: {err}") from None
    entries = data.get("accounts", []) if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise click.UsageError(f"--accounts-file {path}: expected {{\"accounts\": [...]}} or a list of accounts")
    for n, entry in enumerate(entries):
        try:
            if isinstance(entry, dict) and not entry.get("access_key_id"):  # an account without a key
                check_key({**entry, "access_key_id": "-", "access_key_secret": ""}, f"accounts[{n}]")
            else:
                check_key({"access_key_secret": "", **entry} if isinstance(entry, dict) else entry, f"accounts[{n}]")
        except ValueError as err:
            raise click.UsageError(f"--accounts-file {path}: {err}") from None
    return entries


def load_accounts(engine: Any, path: str, entries: Optional[list[dict]] = None) -> int:
    """Register the accounts and keys of an accounts file; they survive ``reset``."""
    entries = read_accounts(path) if entries is None else entries
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


def _setting_options(fn: Any) -> Any:
    """One flag per declared setting (mockecs/world/settings.py), so the CLI cannot drift from the others."""
    for setting in reversed(declared.SETTINGS):
        flag = "--" + setting.name.replace("_", "-")
        help_ = f"{setting.help} [default: {declared._shown(setting.default)}; env {declared.ENV_PREFIX}" \
                f"{setting.name.upper()}]"
        if setting.type == "bool":
            decorator = click.option(f"{flag}/--no-{flag[2:]}", setting.name, default=None, help=help_)
        elif setting.type == "paths":
            decorator = click.option("--catalog-file", setting.name, multiple=True, metavar="PATH", help=help_)
        else:
            metavar = "|".join(setting.choices) or {"int": "N", "float": "X"}.get(setting.type, "TEXT")
            decorator = click.option(flag, setting.name, default=None, metavar=metavar, help=help_)
        fn = decorator(fn)
    return fn


def _options_help() -> str:
    return "A behaviour option, repeatable: " + "; ".join(
        f"{s.name} ({s.allowed()}, default {declared._shown(s.default)})" for s in declared.OPTIONS) + "."


def read_config_file(path: str) -> dict[str, Any]:
    """A TOML or JSON file of settings (and an ``options`` table); a one-line error naming the file."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
        if path.endswith(".toml"):
            data = tomllib.loads(raw.decode("utf-8"))
        else:
            data = json.loads(raw)
    except (OSError, UnicodeDecodeError, ValueError) as err:  # tomllib.TOMLDecodeError and JSONDecodeError too
        raise click.UsageError(f"--config {path}: {err}") from None
    if not isinstance(data, dict):
        raise click.UsageError(f"--config {path}: expected a table of settings")
    return data


def build_config(given: dict[str, Any], options: tuple[str, ...], config_file: Optional[str]) -> Any:
    """Defaults < ``--config`` file < ``MOCKECS_*`` environment < flags; all checked before the server starts."""
    from mockecs.engine.config import Config

    try:
        config = Config(environ={})
        if config_file:
            config.apply(read_config_file(config_file), f"--config {config_file}: ")
        config.apply(declared.from_environment())
        flags: dict[str, Any] = {}
        for name, value in given.items():
            if value is None or value == ():
                continue
            setting = declared.BY_NAME[name]
            where = f"--{name.replace('_', '-')}: "
            flags[name] = declared.check(setting, value, where) if not isinstance(value, str) else \
                declared.parse(setting, value, where)
        flags["options"] = dict(declared.split_assignment(text, "--option: ") for text in options)
        config.apply(flags)
        if config.options["clock"] == "auto":
            config.options["clock"] = "running"  # a standalone server's time passes (clients poll with sleeps)
        return config
    except declared.SettingError as err:
        raise click.UsageError(str(err)) from None


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(0, 65535),
              help="Port; 0 picks a free one.")
@click.option("--control-token", envvar="MOCKECS_CONTROL_TOKEN", metavar="TOKEN",
              help="The control API's token (X-Mockecs-Token or Authorization: Bearer), required off loopback and "
                   "in strict signature mode; generated and printed if not given. [env MOCKECS_CONTROL_TOKEN]")
@_setting_options
@click.option("--option", "options", multiple=True, metavar="NAME=VALUE", help=_options_help())
@click.option("--config", "config_file", type=click.Path(dir_okay=False),
              help="A TOML or JSON file of settings and an [options] table (see docs/settings.md).")
@click.option("--accounts-file", type=click.Path(exists=True, dir_okay=False),
              help='JSON: {"accounts": [{"account_id", "access_key_id", "access_key_secret", "security_token"}]}.')
@click.option("--https", is_flag=True, help="Serve HTTPS (a certificate signed by the mockecs CA unless --certfile); "
                                            "needs the server-https extra.")
@click.option("--certfile", type=click.Path(exists=True, dir_okay=False), help="PEM certificate for --https.")
@click.option("--keyfile", type=click.Path(exists=True, dir_okay=False), help="PEM key for --certfile.")
@click.option("--threads", default=None, type=click.IntRange(1, 256),
              help="Worker threads (default for HTTP: none, requests run in the server's I/O loop; 16 for "
                   "HTTPS). Give N when clients must not wait behind a request sleeping on injected latency; "
                   "see mockecs.modes.server.backends.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Processes answering on the port (pre-forked; HTTP or --https). More than one needs a shared "
                   "store: sqlite:///state.db or redis://host:port/db (plugins/mockecs-redis).")
@click.option("--log-level", type=click.Choice(["debug", "info", "warning", "error"], case_sensitive=False),
              default="info", show_default=True, help="info logs one line per request (the access log).")
@click.option("--log-format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: one JSON object per log line, for machines.")
def server(host: str, port: int, control_token: Optional[str], options: tuple[str, ...], config_file: Optional[str],
           accounts_file: Optional[str], https: bool, certfile: Optional[str], keyfile: Optional[str],
           threads: Optional[int], workers: int, log_level: str, log_format: str, **given: Any) -> None:
    """Serve the fake ECS API (and the control API under /_mockecs/) over HTTP or HTTPS.

    Also an HTTPS proxy for unchanged code: HTTPS_PROXY=http://127.0.0.1:8470 with the mockecs CA trusted
    (see `mockecs ca`)."""
    config = build_config(given, options, config_file)
    # Every input is checked before anything is created or written (an SQLite store included).
    try:
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as err:
        raise click.UsageError(f"--host {host!r}: not an address to listen on ({err})") from None
    entries = read_accounts(accounts_file) if accounts_file else None
    from mockecs.modes.server import accesslog

    accesslog.configure(log_level, log_format)
    from mockecs.engine.core import Engine
    from mockecs.modes.server.backends import is_loopback, make_server
    from mockecs.modes.server.control import new_token
    from mockecs.modes.server.tls import authority
    from mockecs.modes.server.workers import http_server, https_server, refuse_private_store
    from mockecs.modes.server.workers import serve as serve_workers
    from mockecs.modes.server.wsgi import make_app

    store = config.store
    refused = refuse_private_store(store, workers)
    if refused:
        raise click.UsageError(refused)
    try:
        engine = Engine(config)
    except ValueError as err:
        hint = ""
        scheme = store.split(":", 1)[0]
        if scheme in STORE_PLUGINS and "no installed mockecs store plugin" in str(err):
            hint = f" ({STORE_PLUGINS[scheme]})"  # the store plugins are separate distributions
        raise click.UsageError(str(err) + hint) from None
    except Exception as err:  # a store that cannot open (an SQLite path in a missing directory ...)
        raise click.UsageError(f"--store {store}: {type(err).__name__}: {err}") from None
    loopback = is_loopback(host)
    token = control_token or new_token()
    if workers > 1:
        if entries is not None:
            load_accounts(engine, accounts_file, entries)  # (in the shared store: every worker sees them)
        engine.store.close()  # each worker opens its own (connections do not survive a fork)

        def worker_app() -> Any:
            own = Engine(config)
            if entries is not None:
                load_accounts(own, accounts_file, entries)
            return make_app(own, token, loopback)

        def announce(url: str) -> None:
            click.echo(f"mockecs serving on {url} (store {store}, {workers} workers)")
            click.echo(f"mockecs control token: {'given with --control-token' if control_token else token}")
            if tls:
                issuer = f"issued by the mockecs CA (trust {authority().cert_path})"
                click.echo(f"  HTTPS certificate: {certfile or issuer}")
            sys.stdout.flush()

        tls = https or bool(certfile)
        try:
            new_server = https_server(host, threads, certfile, keyfile) if tls else http_server(host, threads)
        except (OSError, RuntimeError) as err:
            raise click.UsageError(f"--https: {err}") from None
        serve_workers(worker_app, host, port, workers, threads, announce, new_server, "https" if tls else "http")
        return
    try:
        srv = make_server(make_app(engine, token, loopback), host, port, threads, https or bool(certfile),
                          certfile, keyfile)
    except (OSError, RuntimeError) as err:
        engine.store.close()
        raise click.UsageError(f"--host {host} --port {port}: {err}") from None
    if entries is not None:  # only now: a refused start leaves no key in a persistent store
        load_accounts(engine, accounts_file, entries)
    if not loopback:
        click.echo(f"WARNING: mockecs listens on {host}, beyond this machine: anyone who can reach port {srv.port} "
                   "can call the fake API; the control API needs the control token.", err=True)
        logging.getLogger("mockecs").warning("listening on non-loopback address %s", host)

    def _stop(signum: int, frame: Any) -> None:
        threading.Thread(target=srv.stop, daemon=True).start()

    signal.signal(signal.SIGTERM, _stop)
    try:
        ca_path = authority().cert_path  # made now, so that clients can trust it before their first request
    except (OSError, RuntimeError) as err:
        ca_path = f"unavailable ({err})"
    click.echo(f"mockecs serving on {srv.url} (store {store})", err=False)
    shown = "given with --control-token" if control_token else token
    click.echo(f"mockecs control token: {shown} (X-Mockecs-Token or Authorization: Bearer; required "
               f"{'now' if not loopback or config.strict_signatures else 'off loopback or in strict mode'})")
    click.echo(banner(srv, engine, ca_path, certfile))
    sys.stdout.flush()
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        srv.stop()
    finally:
        engine.store.close()


def banner(srv: Any, engine: Any, ca_path: str, certfile: Optional[str] = None) -> str:
    """The start-up banner's details, after its first two lines (``mockecs serving on URL ...``, for scripts,
    and the control token)."""
    config = engine.config
    lines = [f"  store: {config.store}; catalog: {len(engine.catalog.images)} images; region: {config.region}; "
             f"strict signatures: {'on' if config.strict_signatures else 'off'}; transitions: {config.transitions}",
             f"  control API and dashboard: {srv.url}/_mockecs/",
             f"  CA certificate: {ca_path}"]
    if srv.url.startswith("https:"):
        lines.append(f"  HTTPS certificate: {certfile or f'issued by the mockecs CA (trust {ca_path})'}")
    else:
        lines.append(f"  HTTPS proxy: HTTPS_PROXY={srv.url} with the CA certificate trusted (mockecs ca)")
    return "\n".join(lines)


@main.command("ca")
@click.option("--trust-certifi", is_flag=True,
              help="Add the CA to certifi's bundle in this Python (the current Alibaba Cloud Python SDK trusts "
                   "only that bundle).")
@click.option("--untrust-certifi", is_flag=True, help="Remove it from certifi's bundle again.")
@click.option("--bundle", is_flag=True, help="Print instead the path of a bundle of the public CAs plus the mockecs "
                                             "CA, for SSL_CERT_FILE in a process that also reaches real hosts.")
def ca_command(trust_certifi: bool, untrust_certifi: bool, bundle: bool) -> None:
    """Print the path of the mockecs CA certificate (made on first use), to trust for HTTPS through the proxy.

    \b
    export SSL_CERT_FILE=$(mockecs ca --bundle) REQUESTS_CA_BUNDLE=$(mockecs ca --bundle)
    export NODE_EXTRA_CA_CERTS=$(mockecs ca) ALIBABA_CLOUD_CA_BUNDLE=$(mockecs ca --bundle)
    mockecs ca --trust-certifi                          # the current Python SDK
    """
    from mockecs.modes.server.tls import add_to_bundle, authority, combined_bundle, remove_from_bundle

    path = authority().cert_path
    if trust_certifi or untrust_certifi:
        try:
            import certifi
        except ImportError as err:
            raise click.ClickException("certifi is not installed in this Python") from err
        certifi_bundle = certifi.where()
        changed = add_to_bundle(certifi_bundle, path) if trust_certifi else remove_from_bundle(certifi_bundle)
        verb = ("added to" if trust_certifi else "removed from") if changed else "unchanged:"
        click.echo(f"mockecs CA {verb} {certifi_bundle}", err=True)
    click.echo(combined_bundle(path) if bundle else path)


@main.command("settings")
def settings_command() -> None:
    """Print every setting and behaviour option with its default (the text of docs/settings.md)."""
    click.echo(declared.markdown(), nl=False)


if __name__ == "__main__":  # pragma: no cover
    main()
