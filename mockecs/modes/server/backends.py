"""The HTTP servers behind ``mockecs server``: waitress for HTTP, cheroot for HTTPS.

waitress (a dependency) is a production WSGI server with keep-alive but no TLS. For ``--https``
cheroot (CherryPy's server, pure Python, optional extra ``server-https``) terminates TLS itself
with the stdlib ``ssl`` module; both run the same WSGI app. ``benchmarks/server_throughput.py``
measures the two side by side.

Both accept absolute-form request targets (clients using the server as ``HTTP_PROXY``): waitress
as is, cheroot once its requests run in ``proxy_mode``.
"""
from __future__ import annotations

import collections
import ipaddress
import logging
import ssl
import threading
import time
from typing import Any, Callable, Optional

from mockecs.modes.server.proxy import Tunnels, connect_channel

log = logging.getLogger("mockecs.modes.server")

# -- the servers' limits (issue 15.6): no client, idle or slow, holds the server for long ----------
IDLE_TIMEOUT = 10  # s: an idle connection (or one that stalls mid-request) is closed after this long
HANDSHAKE_TIMEOUT = 5  # s: a TLS handshake must finish within this, in a worker thread (never the accept loop)
CONNECTION_LIMIT = 1000  # open connections; at the limit, those idle for EVICT_IDLE are closed to make room
EVICT_IDLE = 1.0  # s
MAX_API_BODY = 4 * 2**20  # bytes of an API request body; more is a 413 with an ECS error body ([GUESS] limit)
MAX_CONTROL_BODY = 256 * 2**20  # bytes of a control API body (a whole state import)
# An OSS upload (PutObject, a part: 5 GiB at most), read in chunks by the engine, never held whole; the servers'
# own bound is this one (waitress spools a long body to a file), the app keeps the API's and control's own.
MAX_OSS_BODY = 5 * 2**30 + 2**20


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a --host value) only listens on this machine."""
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _url(scheme: str, host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"{scheme}://{shown}:{port}"


class _LoopDispatcher:
    """A waitress task dispatcher that runs each request in the server's own I/O loop thread.

    Every engine call serializes on the store's lock and is CPU-bound Python, so handing requests
    to worker threads buys no parallelism: it only adds a queue handoff and GIL contention between
    the loop and the worker on every request (measured: 3 context switches per request instead of
    under 0.5, and ~40% less throughput; ``benchmarks/server_throughput.py``).
    """

    def __init__(self) -> None:
        self.pending: collections.deque = collections.deque()

    def set_thread_count(self, count: int) -> None:  # the waitress dispatcher interface
        pass

    def add_task(self, channel: Any) -> None:
        # Called while the channel holds its requests lock (inside ``received``): run it later.
        self.pending.append(channel)

    def run_pending(self) -> None:
        pending = self.pending
        while pending:
            pending.popleft().service()  # waitress answers an app's exception with a 500 itself

    def shutdown(self, cancel_pending: bool = True, timeout: float = 5) -> bool:
        self.pending.clear()
        return True


def _loop_channel_class() -> type:
    from waitress.channel import HTTPChannel

    class LoopChannel(HTTPChannel):
        def handle_read(self) -> None:
            super().handle_read()
            self.server.task_dispatcher.run_pending()

        def _flush_outbufs_below_high_watermark(self) -> None:
            # In a worker this waits for the loop thread to drain a huge output buffer; in the
            # loop thread itself it would wait forever. The buffer spills to a file instead.
            pass

    return LoopChannel


class WaitressServer:
    """Plain HTTP through waitress; ``stop()`` may be called from any thread.

    ``threads=None`` (the default) runs requests in waitress' I/O loop thread (:class:`_LoopDispatcher`);
    ``threads=N`` uses waitress' pool of N workers, for clients that must not wait behind a request
    sleeping on injected latency.
    """

    scheme = "http"

    def __init__(self, app: Callable, host: str = "127.0.0.1", port: int = 0, threads: Optional[int] = None,
                 idle_timeout: int = IDLE_TIMEOUT, connection_limit: int = CONNECTION_LIMIT, sock: Any = None) -> None:
        import waitress

        in_loop = not threads
        where = {"sockets": [sock]} if sock is not None else {"host": host, "port": port}
        self._server = waitress.create_server(
            app, **where, threads=threads or 1, ident="mockecs",
            connection_limit=connection_limit, channel_timeout=idle_timeout, cleanup_interval=1,
            max_request_body_size=MAX_OSS_BODY + 1, asyncore_use_poll=True,  # select() stops at fd 1024
            clear_untrusted_proxy_headers=False, _dispatcher=_LoopDispatcher() if in_loop else None,
        )
        if in_loop:
            self._server.channel_class = _loop_channel_class()
        self.tunnels = Tunnels(app)  # CONNECT: HTTPS_PROXY clients (mockecs.modes.server.proxy)
        self._server.channel_class = connect_channel(self._server.channel_class, self.tunnels)
        self._server.maintenance = self._maintenance  # the server's loop calls it every cleanup_interval
        if sock is not None:
            host = sock.getsockname()[0]
        self.host, self.port = host, int(self._server.effective_port)
        self.url = _url(self.scheme, host, self.port)
        self._stopped = threading.Event()

    def _maintenance(self, now: float) -> None:
        """Close idle connections: after ``channel_timeout``, or after EVICT_IDLE near the connection
        limit, so that idle connections never lock out a new client (waitress stops accepting at the limit)."""
        server = self._server
        near_limit = len(server._map) >= server.adj.connection_limit * 9 // 10
        cutoff = now - (EVICT_IDLE if near_limit else server.adj.channel_timeout)
        for channel in list(server.active_channels.values()):
            if not channel.requests and channel.last_activity < cutoff:
                channel.will_close = True

    def serve_forever(self) -> None:
        try:
            self._server.run()
        finally:
            self._server.task_dispatcher.shutdown(timeout=5)
            self._stopped.set()

    def stop(self, timeout: float = 5.0) -> None:
        server = self._server

        def close_all() -> None:  # runs in the server's own loop thread
            for channel in list(server._map.values()):
                channel.close()

        try:
            server.trigger.pull_trigger(close_all)
        except OSError:  # already closed
            pass
        self.tunnels.close()
        self._stopped.wait(timeout)


class CherootServer:
    """HTTP or HTTPS through cheroot; ``certfile``/``keyfile`` switch TLS on."""

    def __init__(self, app: Callable, host: str = "127.0.0.1", port: int = 0, threads: int = 8,
                 certfile: Optional[str] = None, keyfile: Optional[str] = None, idle_timeout: int = IDLE_TIMEOUT,
                 connection_limit: int = CONNECTION_LIMIT, reuse_port: bool = False) -> None:
        try:
            from cheroot import server as cheroot_server
            from cheroot import wsgi
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise RuntimeError("--https needs cheroot: pip install 'mockecs[server-https]'") from exc

        class ProxyRequest(cheroot_server.HTTPRequest):
            def __init__(self, server: Any, conn: Any, proxy_mode: bool = True, strict_mode: bool = True) -> None:
                super().__init__(server, conn, proxy_mode=True, strict_mode=strict_mode)

        class Connection(cheroot_server.HTTPConnection):
            RequestHandlerClass = ProxyRequest
            handshaken = False

            def communicate(self) -> bool:
                # The TLS handshake, deferred from the accept loop, runs here in a worker thread.
                if not self.handshaken and isinstance(self.socket, ssl.SSLSocket):
                    try:
                        self.socket.settimeout(HANDSHAKE_TIMEOUT)
                        self.socket.do_handshake()
                        self.socket.settimeout(self.server.timeout)
                    except (ssl.SSLError, OSError) as err:
                        log.debug("TLS handshake with %s failed: %s", self.remote_addr, err)
                        return False
                self.handshaken = True
                return super().communicate()

        class Server(wsgi.Server):
            def process_conn(self, conn: Any) -> None:
                # A new connection waits in the selector (no thread) until it sends something, so idle
                # TCP connections cannot occupy the worker threads; near the limit, idle ones are closed.
                if not getattr(conn, "queued", False):
                    conn.queued = True
                    manager = self._connections
                    if manager._num_connections >= connection_limit:
                        manager._expire(threshold=time.time() - EVICT_IDLE)
                    manager.put(conn)
                    return
                super().process_conn(conn)

        # reuse_port: one of several processes listening on the port (mockecs server --workers N --https)
        self._server = Server((host, port), app, numthreads=threads, server_name="mockecs", timeout=idle_timeout,
                              request_queue_size=128, reuse_port=reuse_port)
        self._server.max_request_body_size = MAX_OSS_BODY + 1
        self._server.ConnectionClass = Connection
        self._server.error_log = self._error_log
        self.scheme = "http"
        if certfile:
            from cheroot.ssl.builtin import BuiltinSSLAdapter

            class DeferredHandshake(BuiltinSSLAdapter):
                def wrap(self, sock: Any) -> tuple[Any, dict]:
                    # No handshake here: it would block cheroot's accept loop (one idle client stalled
                    # every HTTPS client for the whole timeout). Connection.communicate does it.
                    tls = self.context.wrap_socket(sock, do_handshake_on_connect=False, server_side=True)
                    return tls, {"wsgi.url_scheme": "https", "HTTPS": "on"}

            self._server.ssl_adapter = DeferredHandshake(certfile, keyfile)
            self.scheme = "https"
        self._server.prepare()  # binds now, so that port 0 is resolved
        self.host, self.port = host, int(self._server.bind_addr[1])
        self.url = _url(self.scheme, host, self.port)

    @staticmethod
    def _error_log(msg: str = "", level: int = logging.INFO, traceback: bool = False) -> None:
        # Client-side TLS failures (unknown CA, plain HTTP on the TLS port) are routine here.
        log.log(logging.DEBUG if level < logging.ERROR else level, "%s", msg, exc_info=traceback)

    def serve_forever(self) -> None:
        self._server.serve()

    def stop(self, timeout: float = 5.0) -> None:
        self._server.stop()


# cheroot holds a thread per open connection (it runs the HTTPS server); waitress' default is no
# worker threads at all (see _LoopDispatcher).
CHEROOT_THREADS = 16


def make_server(app: Callable, host: str = "127.0.0.1", port: int = 0, threads: Optional[int] = None,
                https: bool = False, certfile: Optional[str] = None, keyfile: Optional[str] = None,
                reuse_port: bool = False, issued: Optional[tuple[bytes, bytes]] = None) -> Any:
    """A bound, not yet serving server for ``app``; ``.url``, ``.serve_forever()``, ``.stop()``.
    ``issued``: the (chain, key) of :func:`server_pem` to serve instead of issuing another."""
    if not https:
        return WaitressServer(app, host, port, threads)
    if certfile:
        return CherootServer(app, host, port, threads or CHEROOT_THREADS, certfile, keyfile, reuse_port=reuse_port)
    from mockecs.modes.server.tls import authority, pem_files

    ca = authority()  # a certificate signed by the mockecs CA; its key is on disk only while loading
    with pem_files(*(issued or server_pem(host))) as (certfile, keyfile):
        server = CherootServer(app, host, port, threads or CHEROOT_THREADS, certfile, keyfile, reuse_port=reuse_port)
    server.ca_path = ca.cert_path
    return server


def server_pem(host: str) -> tuple[bytes, bytes]:
    """A certificate (chain) and key for ``host`` and the loopback names, signed by the mockecs CA."""
    from mockecs.modes.server.tls import authority

    return authority().issue([host, "localhost", "127.0.0.1", "::1"])
