"""A real ``redis-server`` for the tests: started on a free port in a temporary directory, stopped after.

``redis_url`` (session fixture) skips the test when ``redis-server`` or the ``mockecs_redis``
plugin is missing (``scripts/test.sh`` installs both). Each test gets its own key prefix.
"""
from __future__ import annotations

import shutil
import socket
import subprocess
import time
import uuid

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_redis(folder: str, fsync_always: bool = True, unix: bool = False) -> tuple[subprocess.Popen, str]:
    """A redis-server on a free port in ``folder`` (append-only file, ``appendfsync always``); ``unix``:
    the URL names its Unix socket (in ``folder``) instead."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (Debian: apt-get install redis-server)")
    port = free_port()
    args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", folder, "--save", "",
            "--appendonly", "yes" if fsync_always else "no", "--daemonize", "no", "--protected-mode", "no"]
    if fsync_always:
        args += ["--appendfsync", "always"]
    socket_path = f"{folder}/redis.sock"
    if unix:
        args += ["--unixsocket", socket_path, "--unixsocketperm", "700"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    return proc, f"unix://{socket_path}?db=0" if unix else f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.05)
    proc.kill()
    pytest.fail("redis-server did not start")


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    pytest.importorskip("mockecs_redis", reason="plugins/mockecs-redis is not installed")
    proc, url = start_redis(str(tmp_path_factory.mktemp("redis")))
    yield url
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def redis_url(redis_server):
    """A URL of the test's own keyspace (a fresh prefix) on the session's redis-server."""
    return f"{redis_server}?prefix=t{uuid.uuid4().hex[:12]}"
