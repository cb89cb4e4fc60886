"""What the reliability benchmarks (fuzz, races, crash, tamper) share: a ``mockecs server`` process on
loopback, raw keep-alive HTTP calls, its memory, and the "target missed" report.

Not a benchmark itself (the leading underscore keeps it out of the list).
"""
from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import threading
from typing import Optional
from urllib.parse import urlencode

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


class Server:
    """``python -m mockecs server --port 0 ARGS`` on 127.0.0.1; its URL and control token from its first lines."""

    def __init__(self, *args: str, log: Optional[str] = None) -> None:
        self.args = args
        self._log = open(log or os.devnull, "ab")
        self.proc = subprocess.Popen([sys.executable, "-m", "mockecs", "server", "--port", "0", "--host", "127.0.0.1",
                                      *args], stdout=subprocess.PIPE, stderr=self._log, text=True, cwd=ROOT)
        lines: list[str] = []

        def read() -> None:
            lines.append(self.proc.stdout.readline())
            lines.append(self.proc.stdout.readline())

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(60)
        if len(lines) < 2 or "serving on" not in lines[0]:
            self.proc.kill()
            raise RuntimeError(f"mockecs server did not start: {lines!r}")
        self.url = lines[0].split("serving on ", 1)[1].split()[0]
        self.netloc = self.url.split("://", 1)[1]
        self.host, port = self.netloc.rsplit(":", 1)
        self.port = int(port)
        self.token = lines[1].split(": ", 1)[1].split()[0]
        self.auth = {"X-Mockecs-Token": self.token}

    @property
    def pid(self) -> int:
        return self.proc.pid

    def rss_mb(self) -> float:
        """Resident memory of the server process, in MB (Linux /proc)."""
        with open(f"/proc/{self.pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(30)
        finally:
            self.proc.stdout.close()
            self._log.close()


class Conn:
    """One keep-alive HTTP connection; reconnects after the server closed it."""

    def __init__(self, host: str, port: int, timeout: float = 30) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.conn = http.client.HTTPConnection(host, port, timeout=timeout)

    def call(self, method: str, path: str, body: bytes = b"",
             headers: Optional[dict] = None) -> tuple[int, dict, bytes]:
        headers = dict(headers or {})
        for attempt in (0, 1):
            try:
                self.conn.request(method, path, body=body or None, headers=headers)
                response = self.conn.getresponse()
                return response.status, dict(response.getheaders()), response.read()
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def api(self, params: dict, method: str = "GET") -> tuple[int, dict, bytes]:
        query = urlencode({"Version": "2014-05-26", "Format": "JSON", "RegionId": "cn-hangzhou", **params})
        if method == "GET":
            return self.call("GET", "/?" + query)
        return self.call("POST", "/", query.encode(), {"Content-Type": "application/x-www-form-urlencoded"})

    def close(self) -> None:
        self.conn.close()


class Targets:
    """Figures printed as they come; each target checked, and 'target missed' printed for each one missed."""

    def __init__(self, title: str, note: str = "") -> None:
        self.missed: list[str] = []
        print(f"== {title}" + (f" ({note})" if note else ""), flush=True)

    def figure(self, name: str, value: object) -> None:
        print(f"  {name}: {value}", flush=True)

    def check(self, name: str, value: object, ok: bool, target: str) -> None:
        print(f"  {name}: {value}   (target {target}){'' if ok else '   <- target missed'}", flush=True)
        if not ok:
            self.missed.append(name)

    def finish(self) -> int:
        if self.missed:
            print(f"target missed: {', '.join(self.missed)}", flush=True)
            return 1
        print("all targets met", flush=True)
        return 0


MACHINE_NOTE = f"{os.cpu_count()} CPUs, shared with other work: times are indicative, counts are exact"
