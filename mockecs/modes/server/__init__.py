"""``mockecs server``: the engine over HTTP(S), for clients that are not Python or run elsewhere.

:func:`make_app` is the WSGI application, :class:`ServerThread` runs it in-process on a free port,
:mod:`mockecs.modes.cli` is the console script.
"""
from __future__ import annotations

from mockecs.modes.server.thread import ServerThread
from mockecs.modes.server.wsgi import make_app

__all__ = ["ServerThread", "make_app"]
