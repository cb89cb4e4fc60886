"""``mockecs server --workers N``: N processes answering on one port (pre-fork).

The parent reserves the port (a bound socket with ``SO_REUSEPORT``), then forks N workers; each
builds its own engine on the shared store (SQLite file or Redis: the state every worker sees) and
listens on the same port with its own ``SO_REUSEPORT`` socket, served by waitress (HTTP) or cheroot
(``--https``: TLS in each worker, with one certificate signed by the mockecs CA, or ``--certfile``). The
kernel spreads new connections over the workers (one shared listening socket would let the first awake
worker take a burst of connections alone). A worker that dies is started again; SIGTERM or Ctrl-C stops them all.
"""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import sys
import time
from typing import Any, Callable, Optional

from mockecs.modes.server.backends import WaitressServer, _url, make_server, server_pem

# Stores one process keeps to itself: several workers would each have their own, different world.
PRIVATE_STORES = ("memory://", "sqlite://", "sqlite::memory:", "sqlite:///:memory:")


def refuse_private_store(store: str, workers: int) -> Optional[str]:
    """The one-line error for ``--workers N`` on a store that workers cannot share, else None."""
    if workers > 1 and (store in PRIVATE_STORES or store.startswith("memory:")):
        return (f"--workers {workers} needs a store the workers share (sqlite:///state.db or redis://host:port/db); "
                f"{store} lives inside one process")
    return None


def bind(host: str, port: int, listen: bool) -> socket.socket:
    """A socket on ``host:port`` that other processes of this user may bind too (``SO_REUSEPORT``)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    if listen:
        sock.listen(1024)
        sock.setblocking(False)
    return sock


def http_server(host: str, threads: Optional[int]) -> Callable[[Any, int], Any]:
    """Plain HTTP workers: waitress on each worker's own ``SO_REUSEPORT`` socket."""
    return lambda app, port: WaitressServer(app, threads=threads, sock=bind(host, port, listen=True))


def https_server(host: str, threads: Optional[int], certfile: Optional[str], keyfile: Optional[str]) -> \
        Callable[[Any, int], Any]:
    """HTTPS workers: cheroot with ``reuse_port`` on each worker's own socket, serving ``--certfile`` or one
    certificate signed by the mockecs CA, issued here once for every worker (and any started again)."""
    try:
        import cheroot  # noqa: F401 - checked here, once, rather than by every worker failing to start
    except ImportError:
        raise RuntimeError("--https needs cheroot: pip install 'mockecs[server-https]'") from None
    issued = None if certfile else server_pem(host)
    return lambda app, port: make_server(app, host, port, threads, True, certfile, keyfile, reuse_port=True,
                                         issued=issued)


def serve(make_app: Callable[[], Any], host: str, port: int, workers: int, threads: Optional[int],
          announce: Callable[[str], None], new_server: Optional[Callable[[Any, int], Any]] = None,
          scheme: str = "http") -> None:
    """Fork ``workers`` processes serving ``make_app()`` (called in each worker) on ``host:port`` through
    ``new_server(app, port)`` (default: :func:`http_server`)."""
    new_server = new_server or http_server(host, threads)
    reserved = bind(host, port, listen=False)  # never listens: connections go to the workers' sockets
    port = reserved.getsockname()[1]
    url = _url(scheme, host, port)
    children: dict[int, int] = {}  # pid -> worker number
    stopping = False
    ready_r, ready_w = os.pipe()  # each worker writes a byte once it listens

    def start(number: int) -> None:
        pid = os.fork()
        if pid == 0:  # the worker
            code = 0
            try:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops us
                reserved.close()
                server = new_server(make_app(), port)
                with contextlib.suppress(OSError):  # (a worker started again later finds the pipe closed)
                    os.close(ready_r)
                    os.write(ready_w, b".")
                    os.close(ready_w)
                server.serve_forever()
            except BaseException:  # pragma: no cover - reported, then the parent starts another
                import traceback

                traceback.print_exc()
                code = 1
            finally:
                os._exit(code)
        children[pid] = number

    def stop(signum: int, frame: Any) -> None:
        nonlocal stopping
        stopping = True
        for pid in list(children):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for number in range(workers):
        start(number)
    os.close(ready_w)
    with os.fdopen(ready_r, "rb") as ready:
        if len(ready.read(workers)) < workers:  # (a worker failed to start: its traceback is on stderr)
            print("mockecs: not every worker started", file=sys.stderr, flush=True)
    announce(url)
    while children:
        try:
            pid, _ = os.wait()
        except ChildProcessError:
            break
        except InterruptedError:  # pragma: no cover
            continue
        number = children.pop(pid, None)
        if number is not None and not stopping:
            print(f"mockecs: worker {number} (pid {pid}) ended; starting another", file=sys.stderr, flush=True)
            time.sleep(0.2)
            start(number)
    reserved.close()
