"""Throughput of ``mockecs server`` next to a bare WSGI app on the same server stack.

    python benchmarks/server_throughput.py                    # waitress (HTTP) and cheroot (HTTPS)
    python benchmarks/server_throughput.py --stacks waitress,cheroot --seconds 3
    python benchmarks/server_throughput.py --soak 30          # 8 clients, a mix of calls, 0 errors allowed
    python benchmarks/server_throughput.py --workers 1,2      # mockecs server --workers N on Redis, mixed calls

``--workers 1,2`` starts ``mockecs server --workers N --store redis://...`` (a ``redis-server`` of its
own unless ``--store`` names one) for each N, and measures the soak's mixed read/write calls from 8
client processes, the servers alternating per round; it then checks that no image was lost or listed
twice. Target: 2 workers >= 1.6x one worker.

Each server runs in its own process (``--serve``), so that its GIL is not shared with the clients.
Clients: one ``requests.Session`` (keep-alive) in this process, then 8 client *processes*, each
with one keep-alive ``http.client`` connection (cheaper per request than requests, so that on a
small machine the clients leave the server more CPU). The bare app answers the same status, headers
and body as mockecs' small ``DescribeImages`` (one image by id) with no work at all: the ratio is
the engine's cost on that stack. mockecs runs as ``mockecs server`` does by default (call record on).
Loopback only; every loop is bounded by time.
"""
from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import ssl
import statistics
import subprocess
import sys
import threading
import time
from typing import Any, Callable, Optional
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# A small DescribeImages: one public image by id.
PATH = ("/?Action=DescribeImages&Version=2014-05-26&Format=JSON&AccessKeyId=bench&RegionId=cn-hangzhou"
        "&ImageId=ubuntu_22_04_x64_20G_alibase_20240130.vhd")
STACKS = {"waitress": ("waitress", False), "cheroot": ("cheroot", False), "cheroot-https": ("cheroot", True)}


# -- server side (runs in a child process) ---------------------------------------------------
def mockecs_app() -> Callable:
    from mockecs.engine.core import Config, Engine
    from mockecs.modes.server.wsgi import make_app

    # As ``mockecs server`` runs by default (the call record on), with no image quota: the soak
    # creates thousands of images.
    return make_app(Engine(Config(options={"image_quota": 10**9})))


def bare_app() -> Callable:
    from mockecs.engine.core import Engine
    from mockecs.wire.protocol import HttpRequest

    # The same status line, headers and body as mockecs' answer (its request id frozen), so that the
    # server's own work per response (header handling, bytes sent) is the same for both apps.
    answer = Engine().handle(HttpRequest("GET", "http://127.0.0.1" + PATH, {"host": "127.0.0.1"}))
    body = answer.body
    headers = [*answer.headers.items(), ("Content-Length", str(len(body)))]

    def app(environ: dict, start_response: Callable) -> list:
        environ["wsgi.input"].read()
        start_response("200 OK", list(headers))
        return [body]

    return app


def serve(app_name: str, stack: str, threads: int) -> None:
    import logging
    import tempfile

    from mockecs.modes.server.backends import CHEROOT_THREADS, CherootServer, WaitressServer
    from mockecs.modes.server.tls import server_certificate

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "Task queue depth" is the point here
    app = mockecs_app() if app_name == "mockecs" else bare_app()
    kind, tls = STACKS[stack]
    if kind == "waitress":
        server: Any = WaitressServer(app, "127.0.0.1", 0, threads or None)  # default: requests in the loop thread
    else:
        cert, key = server_certificate(["127.0.0.1"], tempfile.mkdtemp()) if tls else (None, None)
        server = CherootServer(app, "127.0.0.1", 0, threads or CHEROOT_THREADS, cert, key)
    print(server.url, flush=True)
    threading.Thread(target=lambda: (sys.stdin.read(), server.stop()), daemon=True).start()  # EOF: stop
    server.serve_forever()


class ServerProc:
    def __init__(self, app_name: str, stack: str, threads: int) -> None:
        self.proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--serve", app_name,
                                      "--stacks", stack, "--threads", str(threads)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.url = self.proc.stdout.readline().strip()
        if not self.url.startswith("http"):
            self.proc.kill()
            raise RuntimeError(f"server {app_name}/{stack} did not start")

    def stop(self) -> None:
        self.proc.stdin.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


# -- client side -------------------------------------------------------------------------------
def connect(url: str) -> http.client.HTTPConnection:
    parts = urlsplit(url)
    if parts.scheme == "https":
        return http.client.HTTPSConnection(parts.hostname, parts.port, timeout=30,
                                           context=ssl._create_unverified_context())
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)


def run_session(url: str, seconds: float) -> tuple[int, int]:
    import requests
    import urllib3

    urllib3.disable_warnings()
    done = errors = 0
    with requests.Session() as session:
        session.get(url + PATH, verify=False)  # connect and warm up
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            resp = session.get(url + PATH, verify=False)
            done += 1
            errors += resp.status_code != 200
    return done, errors


def _client_process(url: str, seconds: float, start_at: float, mix: bool, queue: Any,
                    snapshot_id: str = "") -> None:
    import random

    rng = random.Random(os.getpid())
    conn = connect(url)
    done = errors = 0
    details: list[str] = []
    images: dict[str, set[str]] = {"created": set(), "deleted": set()}
    while time.time() < start_at:
        time.sleep(0.001)
    end = time.perf_counter() + seconds
    i = 0
    while time.perf_counter() < end:
        i += 1
        try:
            ok = _mixed_call(conn, rng, i, snapshot_id, images) if mix else _simple_call(conn)
        except (OSError, http.client.HTTPException) as exc:
            ok, conn = f"{type(exc).__name__}: {exc}", connect(url)
        done += 1
        if ok is not True:
            errors += 1
            if len(details) < 5:
                details.append(str(ok))
    conn.close()
    queue.put((done, errors, details, images))


def _simple_call(conn: http.client.HTTPConnection) -> Any:
    conn.request("GET", PATH)
    resp = conn.getresponse()
    resp.read()
    return True if resp.status == 200 else f"status {resp.status}"


def _ecs(conn: http.client.HTTPConnection, **params: str) -> tuple[int, dict]:
    query = urlencode({"Version": "2014-05-26", "Format": "JSON", "RegionId": "cn-hangzhou", **params})
    conn.request("POST", "/?" + query)
    resp = conn.getresponse()
    return resp.status, json.loads(resp.read())


def _create_or_delete(conn: http.client.HTTPConnection, rng: Any, snapshot_id: str,
                      images: dict[str, set[str]]) -> Any:
    """Create an image (a unique name), or delete one this client created; remember which."""
    alive = sorted(images["created"] - images["deleted"])
    if alive and rng.random() < 0.3:
        image_id = rng.choice(alive)
        status, body = _ecs(conn, Action="DeleteImage", ImageId=image_id)
        if status != 200:
            return f"DeleteImage: {status} {body}"
        images["deleted"].add(image_id)
        return True
    name = f"soak-{os.getpid()}-{len(images['created'])}"
    status, body = _ecs(conn, Action="CreateImage", SnapshotId=snapshot_id, ImageName=name)
    if status != 200:
        return f"CreateImage: {status} {body}"
    if body["ImageId"] in images["created"]:
        return f"CreateImage returned an id twice: {body['ImageId']}"
    images["created"].add(body["ImageId"])
    return True


def _mixed_call(conn: http.client.HTTPConnection, rng: Any, i: int, snapshot_id: str = "",
                images: Optional[dict[str, set[str]]] = None) -> Any:
    """One of several call shapes; True, or a description of what went wrong."""
    choice = rng.randrange(8)
    if choice >= 6 and snapshot_id and images is not None:
        return _create_or_delete(conn, rng, snapshot_id, images)
    choice %= 6
    if choice == 0:
        conn.request("GET", PATH)
        expect, check = 200, lambda b: json.loads(b)["Images"]["Image"][0]["OSType"] == "linux"
    elif choice == 1:
        form = "Action=DescribeZones&Version=2014-05-26&RegionId=cn-beijing&Format=XML&Verbose=false"
        conn.request("POST", "/", form, {"Content-Type": "application/x-www-form-urlencoded"})
        expect, check = 200, lambda b: b"<ZoneId>cn-beijing" in b
    elif choice == 2:
        conn.request("GET", "/?Action=DescribeZones&Version=2014-05-26&Format=JSON&RegionId=nowhere-1")
        expect, check = 404, lambda b: json.loads(b)["Code"].startswith("Invalid")
    elif choice == 3:
        conn.request("POST", "/?Action=DescribeRegions&Version=2014-05-26&AcceptLanguage=en-US",
                     headers={"Accept": "application/json", "x-acs-action": "DescribeRegions"})
        expect, check = 200, lambda b: b"RegionEndpoint" in b
    elif choice == 4:
        conn.request("GET", "/_mockecs/health")
        expect, check = 200, lambda b: json.loads(b)["status"] == "ok"
    else:
        conn.request("GET", "/?Action=NoSuchAction&Version=2014-05-26&Format=JSON")
        expect, check = 404, lambda b: json.loads(b)["Code"] == "InvalidAction.NotFound"
    resp = conn.getresponse()
    body = resp.read()
    if resp.status != expect and not (choice == 2 and resp.status == 400):
        return f"call {choice}: status {resp.status} {body[:200]!r}"
    try:
        return True if check(body) else f"call {choice}: unexpected body {body[:200]!r}"
    except (ValueError, KeyError) as exc:
        return f"call {choice}: {exc!r} {body[:200]!r}"


def run_clients(url: str, clients: int, seconds: float, mix: bool = False,
                snapshot_id: str = "") -> tuple[int, int, list[str], list[dict]]:
    ctx = multiprocessing.get_context("spawn" if sys.platform == "darwin" else "fork")
    queue = ctx.Queue()
    start_at = time.time() + 0.5
    procs = [ctx.Process(target=_client_process, args=(url, seconds, start_at, mix, queue, snapshot_id))
             for _ in range(clients)]
    for p in procs:
        p.start()
    results = [queue.get(timeout=seconds + 120) for _ in procs]
    for p in procs:
        p.join(30)
    return (sum(r[0] for r in results), sum(r[1] for r in results), [d for r in results for d in r[2]],
            [r[3] for r in results])


# -- main ----------------------------------------------------------------------------------------
def _cpu_seconds(pid: int) -> Optional[float]:
    """User+system CPU time of a process (Linux /proc), else None."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def measure(stack: str, seconds: float, clients: int, threads: int, rounds: int = 5) -> dict[str, list[float]]:
    """Per round: requests/second of each app with 1 and ``clients`` clients, and the server's CPU
    microseconds per request under ``clients``. Both servers stay up for all rounds (an idle one
    waits in select and costs nothing); within a round the apps run back to back, in alternating
    order, so that the drift of a shared, noisy machine hits both alike. Ratios are taken within a
    round: many short rounds pair measurements closer in time than a few long ones."""
    samples: dict[str, list[float]] = {}
    servers = {name: ServerProc(name, stack, threads) for name in ("bare", "mockecs")}
    try:
        for round_ in range(rounds):
            for app_name in (("bare", "mockecs") if round_ % 2 == 0 else ("mockecs", "bare")):
                server = servers[app_name]
                done, errors = run_session(server.url, seconds)
                samples.setdefault(f"{app_name}/1", []).append(done / seconds)
                cpu0 = _cpu_seconds(server.proc.pid)
                done, errors2, _, _ = run_clients(server.url, clients, seconds)
                cpu1 = _cpu_seconds(server.proc.pid)
                samples.setdefault(f"{app_name}/{clients}", []).append(done / seconds)
                if cpu0 is not None and cpu1 is not None and done:
                    samples.setdefault(f"{app_name}/cpu", []).append((cpu1 - cpu0) / done * 1e6)
                if errors or errors2:
                    print(f"  !! {stack} {app_name}: {errors + errors2} errors")
    finally:
        for server in servers.values():
            server.stop()
    return samples


def _spread(values: list[float]) -> str:
    """Quartiles of ``values`` (the middle half of the rounds lies between them)."""
    if len(values) < 4:
        return f"{min(values):.2f}-{max(values):.2f}"
    q1, _, q3 = statistics.quantiles(values, n=4)
    return f"{q1:.2f}-{q3:.2f}"


def _setup_snapshot(url: str) -> str:
    """An instance's system-disk snapshot for the soak's CreateImage calls."""
    conn = connect(url)
    _, run = _ecs(conn, Action="RunInstances", ImageId="aliyun_3_x64_20G_alibase_20240819.vhd",
                  InstanceType="ecs.g7.large")
    instance_id = run["InstanceIdSets"]["InstanceIdSet"][0]
    _, disks = _ecs(conn, Action="DescribeDisks", InstanceId=instance_id)
    _, snap = _ecs(conn, Action="CreateSnapshot", DiskId=disks["Disks"]["Disk"][0]["DiskId"])
    conn.close()
    return snap["SnapshotId"]


def _listed_images(url: str) -> list[str]:
    """Every custom image the server lists for the caller, page by page."""
    conn = connect(url)
    ids: list[str] = []
    page = 1
    while True:
        _, body = _ecs(conn, Action="DescribeImages", ImageOwnerAlias="self", Status="ALL", PageSize="100",
                       PageNumber=str(page))
        ids += [i["ImageId"] for i in body["Images"]["Image"]]
        if page * 100 >= body["TotalCount"]:
            break
        page += 1
    conn.close()
    return ids


def soak(seconds: float, clients: int, threads: int) -> int:
    server = ServerProc("mockecs", "waitress", threads)
    try:
        snapshot_id = _setup_snapshot(server.url)
        t0 = time.perf_counter()
        done, errors, details, made = run_clients(server.url, clients, seconds, mix=True, snapshot_id=snapshot_id)
        elapsed = time.perf_counter() - t0
        listed = _listed_images(server.url)
    finally:
        server.stop()
    created = set().union(*(m["created"] for m in made))
    deleted = set().union(*(m["deleted"] for m in made))
    expected = created - deleted
    duplicated = len(listed) - len(set(listed))
    lost = expected - set(listed)
    unexpected = set(listed) - expected
    print(f"soak: {clients} clients x {seconds:.0f} s, mixed calls: {done} requests "
          f"({done / elapsed:.0f}/s), errors: {errors}")
    print(f"images: {len(created)} created, {len(deleted)} deleted, {len(listed)} listed after; "
          f"lost {len(lost)}, duplicated {duplicated}, unexpected {len(unexpected)}")
    for line in details:
        print("  ", line)
    return 1 if errors or lost or duplicated or unexpected else 0


class CliServer:
    """``mockecs server --workers N`` (the real command) in a subprocess."""

    def __init__(self, workers: int, store: str) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "mockecs", "server", "--port", "0", "--workers",
                                      str(workers), "--store", store, "--option", "image_quota=1000000000",
                                      "--log-level", "error"], stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if "serving on" not in line:
            self.proc.kill()
            raise RuntimeError(f"mockecs server --workers {workers} did not start: {line!r}")
        self.url = line.split("serving on ", 1)[1].split()[0]

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(30)


def workers_scaling(counts: list[int], store: Optional[str], seconds: float, rounds: int, clients: int) -> int:
    import tempfile

    from tests.redis_server import start_redis

    with tempfile.TemporaryDirectory() as folder:
        redis = None
        if store is None:
            redis, store = start_redis(folder, fsync_always=False)
        servers = {n: CliServer(n, f"{store}{'&' if '?' in store else '?'}prefix=tp{n}") for n in counts}
        rates: dict[int, list[float]] = {n: [] for n in counts}
        problems = 0
        try:
            snapshots = {n: _setup_snapshot(s.url) for n, s in servers.items()}
            made: dict[int, list[dict]] = {n: [] for n in counts}
            for r in range(rounds):
                for n in counts if r % 2 == 0 else counts[::-1]:
                    t0 = time.perf_counter()
                    done, errors, details, images = run_clients(servers[n].url, clients, seconds, True, snapshots[n])
                    rates[n].append(done / (time.perf_counter() - t0 - 0.5))
                    made[n] += images
                    if errors:
                        problems += errors
                        print(f"  {n} workers: {errors} errors: {details[:3]}")
            for n, server in servers.items():
                created = set().union(*(m["created"] for m in made[n]))
                expected = created - set().union(*(m["deleted"] for m in made[n]))
                listed = _listed_images(server.url)
                lost, twice = expected - set(listed), len(listed) - len(set(listed))
                problems += len(lost) + twice + len(set(listed) - expected)
                print(f"{n} worker(s): {len(created)} images created, {len(listed)} listed after: lost {len(lost)}, "
                      f"listed twice {twice}, unexpected {len(set(listed) - expected)}")
        finally:
            for server in servers.values():
                server.stop()
            if redis is not None:
                redis.terminate()
    print(f"mixed calls (1/4 CreateImage or DeleteImage) from {clients} client processes, {rounds} rounds of "
          f"{seconds:g} s, {os.cpu_count()} cores (shared with anything else running)")
    base = statistics.median(rates[counts[0]])
    for n in counts:
        rate = statistics.median(rates[n])
        print(f"  --workers {n}: {rate:8.0f} requests/s  ({rate / base:.2f}x {counts[0]} worker(s); rounds "
              f"{', '.join(f'{x:.0f}' for x in rates[n])})")
    if 2 in rates and 1 in rates:
        ratio = statistics.median(rates[2]) / statistics.median(rates[1])
        print(f"2 workers = {ratio:.2f}x 1 worker (target >= 1.6x): {'OK' if ratio >= 1.6 else 'target missed'}")
    return 1 if problems else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stacks", default="waitress,cheroot-https", help=f"comma-separated: {', '.join(STACKS)}")
    parser.add_argument("--seconds", type=float, default=1.5, help="per measurement")
    parser.add_argument("--rounds", type=int, default=11, help="rounds, each measuring both apps (medians)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--threads", type=int, default=0, help="server worker threads (0: the server's default)")
    parser.add_argument("--soak", type=float, metavar="SECONDS", help="soak test instead of throughput")
    parser.add_argument("--workers", help="comma-separated worker counts: mockecs server --workers N on a store")
    parser.add_argument("--store", help="with --workers: the shared store (default: a redis-server of its own)")
    parser.add_argument("--serve", choices=["bare", "mockecs"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.workers:
        return workers_scaling([int(n) for n in args.workers.split(",")], args.store, args.seconds * 2,
                               max(3, args.rounds // 2), args.clients)
    if args.serve:
        serve(args.serve, args.stacks, args.threads)
        return 0
    if args.soak:
        return soak(args.soak, args.clients, args.threads)

    print(f"requests/second, median of {args.rounds} rounds of {args.seconds:g} s per app; ratio = median of "
          f"the rounds' own ratios (quartiles; rounds >= 0.7); {os.cpu_count()} cores, "
          f"server threads {args.threads or 'default'}")
    print(f"{'stack':<15}{'clients':>8}{'bare WSGI':>12}{'mockecs':>12}{'ratio':>8}  quartiles  >=0.7")
    worst = 1.0
    for stack in args.stacks.split(","):
        if STACKS[stack][0] == "cheroot":
            try:
                import cheroot  # noqa: F401
            except ImportError:
                print(f"{stack:<15} skipped: cheroot is not installed (extra server-https)")
                continue
        res = measure(stack, args.seconds, args.clients, args.threads, args.rounds)
        for n in (1, args.clients):
            bare, ours = res[f"bare/{n}"], res[f"mockecs/{n}"]
            ratios = [o / b for o, b in zip(ours, bare) if b]
            ratio = statistics.median(ratios) if ratios else 0.0
            worst = min(worst, ratio)
            print(f"{stack:<15}{n:>8}{statistics.median(bare):>12.0f}{statistics.median(ours):>12.0f}"
                  f"{ratio:>8.2f}  {_spread(ratios):<9}  {sum(r >= 0.7 for r in ratios)}/{len(ratios)}")
        if res.get("bare/cpu") and res.get("mockecs/cpu"):
            bare_cpu, ours_cpu = statistics.median(res["bare/cpu"]), statistics.median(res["mockecs/cpu"])
            print(f"{'':<15}server CPU per request under {args.clients} clients: bare {bare_cpu:.0f} us, "
                  f"mockecs {ours_cpu:.0f} us (ratio {bare_cpu / ours_cpu:.2f})")
    print(f"worst ratio {worst:.2f} (target >= 0.7)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
