"""``ServerThread``: the server's WSGI app on a free loopback port, in a background thread.

    with ServerThread() as server:          # or ServerThread(engine=my_engine, https=True)
        client = Client(Config(endpoint=server.netloc, protocol="HTTP", ...))
        ...
        server.engine.calls
"""
from __future__ import annotations

import threading
from typing import Any, Optional

from mockecs.engine.core import Engine
from mockecs.modes.server.backends import is_loopback, make_server
from mockecs.modes.server.wsgi import make_app


class ServerThread:
    def __init__(self, engine: Optional[Engine] = None, host: str = "127.0.0.1", port: int = 0, https: bool = False,
                 threads: Optional[int] = None, certfile: Optional[str] = None, keyfile: Optional[str] = None,
                 control_token: Optional[str] = None) -> None:
        self.engine = engine if engine is not None else Engine()
        self.host, self.port, self.https, self.threads = host, port, https, threads
        self.certfile, self.keyfile = certfile, keyfile
        self.app = make_app(self.engine, control_token, is_loopback(host))
        self.server: Any = None
        self._thread: Optional[threading.Thread] = None

    @property
    def control_token(self) -> str:
        """What the control API needs (``X-Mockecs-Token``) off loopback or in strict signature mode."""
        return self.app.control.token

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` (no trailing slash); only once started."""
        if self.server is None:
            raise RuntimeError("the server is not started")
        return self.server.url

    @property
    def dashboard_url(self) -> str:
        """The dashboard (``/_mockecs/``, needs the ``dashboard`` extra); only once started."""
        return self.url + "/_mockecs/"

    @property
    def netloc(self) -> str:
        """``127.0.0.1:PORT``: what SDKs take as their endpoint."""
        return self.url.split("://", 1)[1]

    def start(self) -> ServerThread:
        if self.server is not None:
            return self
        self.server = make_server(self.app, self.host, self.port, self.threads, self.https,
                                  self.certfile, self.keyfile)
        self.port = self.server.port
        self._thread = threading.Thread(target=self.server.serve_forever, name=f"mockecs-server-{self.port}",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        if self.server is None:
            return
        self.server.stop(timeout)
        if self._thread is not None:
            self._thread.join(timeout)
        self.server, self._thread = None, None

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
