"""CPU instructions per request of ``mockecs server`` next to a bare WSGI app, counted by valgrind.

    python benchmarks/server_instructions.py [--requests 2000]

Timing on a small shared machine varies by a tenth from run to run (``server_throughput.py``
pairs rounds to cope); instruction counts do not. Each app (the same two as
``server_throughput.py``: mockecs as ``mockecs server`` runs by default, and a bare app answering
the same bytes) is served by waitress in its loop thread, in a process run under
``valgrind --tool=cachegrind``; one keep-alive ``http.client`` in another process sends a small
DescribeImages. Instructions per request are the difference between a run of ``--requests`` and one
of a fifth as many, divided by the difference in requests, so start-up cost drops out.

``bare / mockecs`` is the throughput ratio a server bound by its own CPU would reach if every
instruction cost the same; real runs land above it while the clients share the cores.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.server_throughput import PATH, bare_app, mockecs_app  # noqa: E402

_CLIENT = """
import http.client, sys
conn = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]))
for _ in range(int(sys.argv[2])):
    conn.request("GET", sys.argv[3])
    resp = conn.getresponse()
    resp.read()
    assert resp.status == 200, resp.status
"""


def serve(app_name: str, requests: int) -> None:
    """Serve ``requests`` requests of one client process, then stop (runs under valgrind)."""
    from mockecs.modes.server.backends import WaitressServer

    server = WaitressServer(mockecs_app() if app_name == "mockecs" else bare_app(), "127.0.0.1", 0, None)
    port = server.url.rstrip("/").rsplit(":", 1)[1]
    client = subprocess.Popen([sys.executable, "-c", _CLIENT, port, str(requests), PATH])

    def stop_when_done() -> None:
        client.wait()
        server.stop()

    threading.Thread(target=stop_when_done, daemon=True).start()
    server.serve_forever()
    if client.returncode:
        raise SystemExit(f"client failed: {client.returncode}")


def instructions(app_name: str, requests: int) -> int:
    out = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
                          sys.executable, os.path.abspath(__file__), "--serve", app_name, "--requests", str(requests)],
                         capture_output=True, text=True, check=True)
    found = re.search(r"I\s+refs:\s+([\d,]+)", out.stderr)
    if not found:
        raise RuntimeError(f"no instruction count from valgrind:\n{out.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--serve", choices=["bare", "mockecs"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.requests)
        return 0
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (Debian: apt-get install valgrind)")
        return 1
    few = max(1, args.requests // 5)
    per_request = {}
    for app_name in ("bare", "mockecs"):
        per_request[app_name] = (instructions(app_name, args.requests) - instructions(app_name, few)) \
            / (args.requests - few)
    bare, ours = per_request["bare"], per_request["mockecs"]
    print("instructions per request (waitress, loop thread, one keep-alive client, small DescribeImages):")
    print(f"  bare WSGI app {bare:>10,.0f}")
    print(f"  mockecs       {ours:>10,.0f}   (the engine: {ours - bare:,.0f})")
    print(f"  ratio bare / mockecs {bare / ours:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
