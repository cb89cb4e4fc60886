"""The HTTP servers behind ``mockecs server``: waitress for HTTP, cheroot for HTTPS.

waitress (a dependency) is a production WSGI server with keep-alive but no TLS. For ``--https``
cheroot (CherryPy's server, pure Python, optional extra ``server-https``) terminates TLS itself
with the stdlib ``ssl`` module; both run the same WSGI app. ``benchmarks/server_throughput.py``
measures the two side by side.

Both accept absolute-form request targets (clients using the server as ``HTTP_PROXY``): waitress
as is, cheroot once its requests run in ``proxy_mode``.
"""
from __future__ import annotations

import logging
import threading
from typing import Any, Callable, Optional

log = logging.getLogger("mockecs.server")


def _url(scheme: str, host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"{scheme}://{shown}:{port}"


class WaitressServer:
    """Plain HTTP through waitress; ``stop()`` may be called from any thread."""

    scheme = "http"

    def __init__(self, app: Callable, host: str = "127.0.0.1", port: int = 0, threads: int = 8) -> None:
        import waitress

        self._server = waitress.create_server(
            app, host=host, port=port, threads=threads, ident="mockecs",
            connection_limit=1000, channel_timeout=120, clear_untrusted_proxy_headers=False,
        )
        self.host, self.port = host, int(self._server.effective_port)
        self.url = _url(self.scheme, host, self.port)
        self._stopped = threading.Event()

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
        self._stopped.wait(timeout)


class CherootServer:
    """HTTP or HTTPS through cheroot; ``certfile``/``keyfile`` switch TLS on."""

    def __init__(self, app: Callable, host: str = "127.0.0.1", port: int = 0, threads: int = 8,
                 certfile: Optional[str] = None, keyfile: Optional[str] = None) -> None:
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

        self._server = wsgi.Server((host, port), app, numthreads=threads, server_name="mockecs", timeout=120,
                                   request_queue_size=128)
        self._server.ConnectionClass = Connection
        self._server.error_log = self._error_log
        self.scheme = "http"
        if certfile:
            from cheroot.ssl.builtin import BuiltinSSLAdapter

            self._server.ssl_adapter = BuiltinSSLAdapter(certfile, keyfile)
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


# Default worker threads. The engine is CPU-bound Python and every handler runs under the store's
# lock, so more waitress workers add no parallelism, only GIL contention, which *lowers* throughput
# (8 keep-alive clients on 2 cores, small DescribeImages: 1 thread 5,600-5,900 req/s, 2: 4,500,
# 4: 3,900, 8: 3,500). More threads only help clients that must not wait behind a request
# sleeping on injected latency (``--threads``). cheroot holds a thread per open connection.
WAITRESS_THREADS = 1
CHEROOT_THREADS = 16


def make_server(app: Callable, host: str = "127.0.0.1", port: int = 0, threads: Optional[int] = None,
                https: bool = False, certfile: Optional[str] = None, keyfile: Optional[str] = None) -> Any:
    """A bound, not yet serving server for ``app``; ``.url``, ``.serve_forever()``, ``.stop()``."""
    if not https:
        return WaitressServer(app, host, port, threads or WAITRESS_THREADS)
    if not certfile:
        from mockecs.server.tls import self_signed

        certfile, keyfile = self_signed([host])
    return CherootServer(app, host, port, threads or CHEROOT_THREADS, certfile, keyfile)
