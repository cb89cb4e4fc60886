"""``CONNECT`` for ``HTTPS_PROXY=http://127.0.0.1:8470``: unchanged HTTPS clients reach the fake.

A client that uses the server as its HTTPS proxy opens a tunnel with ``CONNECT host:443``. For an
Alibaba Cloud host (``*.aliyuncs.com``) the server answers ``200``, terminates TLS itself with a
certificate for that host signed by the mockecs CA (:mod:`mockecs.modes.server.tls`; the client must
trust it), and serves the HTTP requests inside the tunnel with the server's own WSGI app: the same
engine, control API and access log as plain requests. ``CONNECT`` to any other host is refused with a
``403`` and recorded nowhere. Other requests on the port are untouched: waitress serves them.

waitress does not do ``CONNECT``; :func:`connect_channel` subclasses its channel to take the socket over
when a connection starts with one. Each tunnel then runs in a thread of its own with blocking sockets
(TLS does not fit waitress' loop), serving HTTP/1.1 with keep-alive through ``http.server``.
"""
from __future__ import annotations

import http.server
import io
import logging
import re
import socket
import ssl
import threading
from typing import Any, Callable, Iterable, Optional
from urllib.parse import unquote

from mockecs.modes.server.tls import authority
from mockecs.wire.params import whole_number

log = logging.getLogger("mockecs.modes.server")

# Every Alibaba Cloud API endpoint lives under aliyuncs.com.
ALIBABA_HOST = re.compile(r"^(?:[a-z0-9-]+\.)*aliyuncs\.com$", re.IGNORECASE)
MAX_TUNNELS = 256  # open tunnels at once; each holds a thread
TUNNEL_TIMEOUT = 10.0  # seconds a tunnel may sit idle or take for its handshake (as backends.IDLE_TIMEOUT)
_MAX_HEAD = 16 * 1024
STREAMED_BODY = 4 * 2**20  # a longer body is read by the app from the socket (an OSS upload), not held whole


class BodyStream:
    """A request body read from its connection as the app asks (an OSS upload may be GiBs): at most ``left`` bytes
    of ``stream``, or (``left`` None: a de-chunked body) all of it. The proxy's tunnels and the WSGI app use it."""

    def __init__(self, stream: Any, left: Optional[int]) -> None:
        self.stream, self.left = stream, left

    def read(self, size: int = -1) -> bytes:
        if self.stream is None or self.left == 0:
            return b""
        if self.left is not None:
            size = self.left if size < 0 else min(size, self.left)
        chunk = self.stream.read(size) if size >= 0 else self.stream.read()
        if self.left is not None:
            self.left = 0 if not chunk else self.left - len(chunk)
        return chunk

    def drain(self) -> None:
        """Read what the app left unread (an upload it refused), so the connection stays in step."""
        while self.read(65536):
            pass


class Tunnels:
    """Serves ``CONNECT`` tunnels for ``app``, with certificates from ``ca`` (a ``CertificateAuthority``;
    made on the first tunnel when None)."""

    def __init__(self, app: Callable, ca: Any = None, allow: Callable[[str], Any] = ALIBABA_HOST.match) -> None:
        self.app, self._ca, self.allow = app, ca, allow
        self._slots = threading.BoundedSemaphore(MAX_TUNNELS)
        self._ca_lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        self._closed = False

    @property
    def ca(self) -> Any:
        with self._ca_lock:  # made (or loaded) on the first tunnel, in that tunnel's thread
            if self._ca is None:
                self._ca = authority()
            return self._ca

    def take(self, sock: socket.socket, head: bytes) -> None:
        """Serve the connection whose first bytes were ``head`` (a whole ``CONNECT`` request head)."""
        with self._open_lock:
            if self._closed:
                sock.close()
                return
            self._open.add(sock)
        threading.Thread(target=self._serve, args=(sock, head), name="mockecs-tunnel", daemon=True).start()

    def _serve(self, sock: socket.socket, head: bytes) -> None:
        try:
            sock.setblocking(True)
            sock.settimeout(TUNNEL_TIMEOUT)
            status, host, port = self._check(head)
            if status != 200:
                sock.sendall(_plain(status, f"mockecs proxies only Alibaba Cloud hosts (*.aliyuncs.com), "
                                            f"not {host or '?'}:{port}\n" if status == 403 else "bad CONNECT\n"))
                return
            if not self._slots.acquire(blocking=False):
                sock.sendall(_plain(503, "too many open tunnels\n"))
                return
            try:
                try:
                    context = self.ca.context(host)
                except RuntimeError as err:  # no cryptography: say so to the client and the log
                    log.error("CONNECT %s: %s", host, err)
                    sock.sendall(_plain(501, f"{err}\n"))
                    return
                sock.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                with context.wrap_socket(sock, server_side=True) as tls:
                    _TunnelHandler(tls, (host, port), self.app)
            finally:
                self._slots.release()
        except (OSError, ssl.SSLError) as err:  # the client went away or does not trust the CA
            log.debug("tunnel closed: %s", err)
        except Exception:  # pragma: no cover - a bug: log it, never kill the thread silently
            log.exception("mockecs tunnel failed")
        finally:
            with self._open_lock:
                self._open.discard(sock)
            try:
                sock.close()
            except OSError:  # pragma: no cover
                pass

    def close(self) -> None:
        """End every open tunnel (the server is stopping); later ones are refused."""
        with self._open_lock:
            self._closed = True
            socks, self._open = list(self._open), set()
        for sock in socks:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _check(self, head: bytes) -> tuple[int, str, int]:
        line = head.split(b"\r\n", 1)[0].decode("latin-1")
        parts = line.split()
        if len(parts) != 3 or parts[0].upper() != "CONNECT":
            return 400, "", 0
        host, _, port_text = parts[1].rpartition(":")
        host = host.strip("[]").lower()
        port = whole_number(port_text, 0, 65535)
        if not host or port is None:
            return 400, host, 0
        return (200 if self.allow(host) else 403), host, port


def _plain(status: int, text: str) -> bytes:
    reason = http.HTTPStatus(status).phrase
    body = text.encode("utf-8")
    return (f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode("latin-1") + body


class _TunnelHandler(http.server.BaseHTTPRequestHandler):
    """HTTP/1.1 inside one tunnel, keep-alive, each request through the WSGI app."""

    protocol_version = "HTTP/1.1"
    server_version = "mockecs"

    def __init__(self, sock: Any, target: tuple[str, int], app: Callable) -> None:
        self.target, self.app = target, app
        super().__init__(sock, target, None)  # type: ignore[arg-type]  # handles every request, then returns

    def log_message(self, format: str, *args: Any) -> None:  # the app's access log covers requests
        log.debug("tunnel %s: " + format, self.target[0], *args)

    def _body(self) -> Optional[Any]:
        """The request's body: bytes, or (a long one: an OSS upload) a stream of the socket the app reads."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                try:  # (a chunk size that is not hexadecimal, or beyond any body: a bad request, 400)
                    size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                except ValueError:
                    return None
                if not 0 <= size <= 2**40:
                    return None
                if size == 0:
                    while self.rfile.readline().strip():  # trailers
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        size = whole_number(length, 0, 2**40)
        if size is None:
            return None
        return self.rfile.read(size) if size <= STREAMED_BODY else BodyStream(self.rfile, size)

    def _handle(self) -> None:
        body = self._body()
        if body is None:
            self.send_error(400, "bad Content-Length or chunk size")
            return
        host, port = self.target
        length = len(body) if isinstance(body, bytes) else body.left
        path, _, query = self.path.partition("?")
        environ = {
            "REQUEST_METHOD": self.command, "SCRIPT_NAME": "", "PATH_INFO": unquote(path, "latin-1"),
            "QUERY_STRING": query, "REQUEST_URI": self.path, "SERVER_NAME": host, "SERVER_PORT": str(port),
            "SERVER_PROTOCOL": self.request_version, "REMOTE_ADDR": self.client_address[0],
            "wsgi.version": (1, 0), "wsgi.url_scheme": "https",
            "wsgi.input": io.BytesIO(body) if isinstance(body, bytes) else body,
            "wsgi.errors": io.StringIO(), "wsgi.multithread": True, "wsgi.multiprocess": False,
            "wsgi.run_once": False, "CONTENT_LENGTH": str(length),
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
        }
        for name, value in self.headers.items():
            key = "HTTP_" + name.upper().replace("-", "_")
            if key not in ("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH", "HTTP_TRANSFER_ENCODING"):
                environ[key] = f"{environ[key]},{value}" if key in environ else value
        environ.setdefault("HTTP_HOST", host if port == 443 else f"{host}:{port}")
        answer: list = []

        def start_response(status: str, headers: list, exc_info: Any = None) -> Callable:
            answer[:] = [status, headers]
            return lambda data: None  # the app never writes (it returns its body)

        chunks: Iterable[bytes] = self.app(environ, start_response)
        if not isinstance(body, bytes):
            body.drain()
        status, headers = answer
        # The app's Content-Length is the answer's (a HEAD's is the object's; a long body is written as it comes).
        head = [f"HTTP/1.1 {status}"] + [f"{k}: {v}" for k, v in headers if k.lower() != "connection"]
        if self.close_connection:
            head.append("Connection: close")
        self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
        if self.command != "HEAD":
            for chunk in chunks:
                self.wfile.write(chunk)
        self.wfile.flush()

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = _handle


def connect_channel(base: type, tunnels: Tunnels) -> type:
    """A subclass of the waitress channel class ``base`` that hands connections starting with
    ``CONNECT`` to ``tunnels``; any other connection stays with waitress unchanged."""

    base_received = base.received

    class ConnectChannel(base):  # type: ignore[misc, valid-type]
        _first: Optional[bytes] = b""  # bytes of a connection's start while deciding; None once decided

        def received(self, data: bytes) -> bool:
            if self._first is None:  # decided: one check per read (swapping __class__ back costs more)
                return base_received(self, data)
            head = self._first + data
            if not b"CONNECT ".startswith(head[:8].upper()) and not head[:8].upper().startswith(b"CONNECT "):
                self._first = None  # not a tunnel (the usual case: decided on the first read)
                return base_received(self, head)
            if b"\r\n\r\n" not in head:
                if len(head) > _MAX_HEAD:
                    self._first = None
                    return base_received(self, head)  # waitress answers an oversized head itself
                self._first = head
                return True
            # The tunnel: leave waitress' loop, the socket goes to its own thread.
            self._first = None
            sock = self.socket
            self.del_channel()
            self.connected = False
            tunnels.take(sock, head)
            return True

    return ConnectChannel
