"""Throughput of ``mockecs server`` next to a bare WSGI app on the same server stack.

    python benchmarks/server_throughput.py                    # waitress (HTTP) and cheroot (HTTPS)
    python benchmarks/server_throughput.py --stacks waitress,cheroot --seconds 3
    python benchmarks/server_throughput.py --soak 30          # 8 clients, a mix of calls, 0 errors allowed
    python benchmarks/server_throughput.py --workers 1,2      # mockecs server --workers N on Redis, mixed calls
    python benchmarks/server_throughput.py --workers 1,2 --quick   # one short round: a smoke test

``--workers 1,2`` starts ``mockecs server --workers N`` on Redis for each N (a ``redis-server`` of its own,
reached over a Unix socket, unless ``--store`` names one; ``--redis-over tcp`` for loopback TCP) and loads
them in turn, round after round, with a prepared mix (:data:`MIX`: describes of the caller's own custom
images and of catalog images, by id and by page, AddTags and ModifyImageAttribute on own images, and
CreateImage with a unique name and ClientToken each) sent by ``wrk`` (Debian's package: one thread, 8
keep-alive connections, a Lua script rotating requests built before timing) — or, without wrk, by 8
Python processes, with a notice. Signatures are not checked (the server's default). It prints requests/s
per round, the CPU each request cost the workers, redis-server (``INFO``) and the load generator, the
ceiling those allow on 2 cores, and the ratio ("target missed" below 1.6x). Then every create sent is
sent again (its ClientToken answers the image it made) and the listing must hold each image exactly once
(0 errors, 0 lost, 0 listed twice, 0 unexpected). ``--quick``: one short round (a smoke test).

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


# -- --workers: mockecs server --workers N on Redis under a mixed load ---------------------------
# The mix (weights per 18 requests; 7 of 18 write): describes of the caller's own custom images (by id
# and a page), of catalog images (by id and a page), AddTags and ModifyImageAttribute on own images,
# and CreateImage with a unique name and ClientToken each.
MIX = (("own", 5), ("own_page", 2), ("catalog", 3), ("system_page", 1), ("tag", 2), ("modify", 2),
       ("create", 3))
CATALOG = ("ubuntu_22_04_x64_20G_alibase_20240130.vhd", "aliyun_3_x64_20G_alibase_20240819.vhd")
OWN_IMAGES = 64  # made before timing; the tag/modify writes and own describes spread over them
WRK_LUA = r"""
-- Requests are built in init() from the prepared file (wrk.format), so nothing is formatted while
-- timing; thread k of T takes lines k, k+T, ... and sends them in turn.
local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
function init(args)
  local nthreads = tonumber(args[2])
  reqs, n = {}, 0
  local i = 0
  for line in io.lines(args[1]) do
    if i % nthreads == id then
      local method, target, body = line:match("^(%u+)\t([^\t]*)\t(.*)$")
      if body == "" then
        reqs[#reqs + 1] = wrk.format(method, target)
      else
        reqs[#reqs + 1] = wrk.format(method, target, {["Content-Type"] = "application/x-www-form-urlencoded"},
                                     body)
      end
    end
    i = i + 1
  end
end
function request()
  n = n + 1
  return reqs[(n - 1) % #reqs + 1]
end
function done(summary, latency, requests)
  for _, t in ipairs(threads) do
    io.write(string.format("issued %d %d\n", t:get("id"), t:get("n")))
  end
  local e = summary.errors
  io.write(string.format("result %d %d %d\n", summary.requests, summary.duration,
                         e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def _signed_like(params: dict[str, str], nonce: str) -> dict[str, str]:
    """The common parameters an SDK sends. Signatures are not checked by default (``mockecs server``
    without ``--strict-signatures``), as here: the nonce is unique anyway, as a client's would be."""
    return {"Format": "JSON", "Version": "2014-05-26", "AccessKeyId": "bench-key", "SignatureMethod": "HMAC-SHA1",
            "SignatureVersion": "1.0", "SignatureNonce": nonce, "Timestamp": "2026-01-01T00:00:00Z",
            "RegionId": "cn-hangzhou", **params, "Signature": "not-checked"}


def workload(count: int, tag: str, snapshot_id: str, own: list[str], seed: int) -> list[str]:
    """``count`` prepared requests, one a line: ``METHOD<TAB>target<TAB>form body``."""
    import random

    rng = random.Random(seed)
    slots = [kind for kind, weight in MIX for _ in range(weight)]
    lines = []
    for i in range(count):
        kind = rng.choice(slots)
        image = rng.choice(own)
        if kind == "own":
            params = {"Action": "DescribeImages", "ImageId": image}
        elif kind == "own_page":
            params = {"Action": "DescribeImages", "ImageOwnerAlias": "self", "PageSize": "10"}
        elif kind == "catalog":
            params = {"Action": "DescribeImages", "ImageId": rng.choice(CATALOG)}
        elif kind == "system_page":
            params = {"Action": "DescribeImages", "ImageOwnerAlias": "system", "PageSize": "10"}
        elif kind == "tag":
            params = {"Action": "AddTags", "ResourceType": "image", "ResourceId": image,
                      "Tag.1.Key": f"bench-{i % 5}", "Tag.1.Value": f"v{i}"}
        elif kind == "modify":
            params = {"Action": "ModifyImageAttribute", "ImageId": image, "Description": f"bench {i}"}
        else:
            params = {"Action": "CreateImage", "SnapshotId": snapshot_id, "ImageName": f"wrk-{tag}-{i}",
                      "ClientToken": f"{tag}-{i}"}
        query = urlencode(_signed_like(params, f"{tag}-{i}-{rng.getrandbits(64):016x}"))
        lines.append(f"GET\t/?{query}\t" if params["Action"].startswith("Describe") else f"POST\t/\t{query}")
    return lines


def _send(conn: http.client.HTTPConnection, line: str) -> tuple[int, bytes]:
    method, target, body = line.split("\t")
    if body:
        conn.request(method, target, body, {"Content-Type": "application/x-www-form-urlencoded"})
    else:
        conn.request(method, target)
    resp = conn.getresponse()
    return resp.status, resp.read()


def _prepare(url: str, tag: str) -> tuple[str, list[str]]:
    """A snapshot for the creates and OWN_IMAGES images of the caller's; every request shape of the mix
    checked once (status and body)."""
    snapshot_id = _setup_snapshot(url)
    conn = connect(url)
    own = []
    for i in range(OWN_IMAGES):
        status, body = _ecs(conn, Action="CreateImage", SnapshotId=snapshot_id, ImageName=f"own-{tag}-{i}")
        assert status == 200, body
        own.append(body["ImageId"])
    checks = {"own": lambda b: b["Images"]["Image"][0]["ImageId"] in own,
              "own_page": lambda b: len(b["Images"]["Image"]) == 10 and b["TotalCount"] >= OWN_IMAGES,
              "catalog": lambda b: b["Images"]["Image"][0]["ImageId"] in CATALOG,
              "system_page": lambda b: len(b["Images"]["Image"]) == 10,
              "tag": lambda b: "RequestId" in b, "modify": lambda b: "RequestId" in b,
              "create": lambda b: b["ImageId"].startswith("m-")}
    for n, (kind, _) in enumerate(MIX):
        for line in workload(200, f"check{n}", snapshot_id, own, n):
            if _kind_of(line) == kind:
                status, body = _send(conn, line)
                assert status == 200 and checks[kind](json.loads(body)), f"{kind}: {status} {body[:300]!r}"
                if kind == "create":
                    own.append(json.loads(body)["ImageId"])  # (one of the caller's images now)
                break
    conn.close()
    return snapshot_id, own


def _kind_of(line: str) -> str:
    query = line.split("\t")[1 if line.startswith("GET") else 2].lstrip("/?")
    params = dict(p.split("=", 1) for p in query.split("&"))
    action = params["Action"]
    if action == "DescribeImages":
        alias = params.get("ImageOwnerAlias")
        return {"self": "own_page", "system": "system_page"}.get(alias or "", "catalog" if "ImageId" in params
                                                              and params["ImageId"].endswith(".vhd") else "own")
    return {"AddTags": "tag", "ModifyImageAttribute": "modify", "CreateImage": "create"}[action]


def _run_wrk(url: str, path: str, lua: str, seconds: float, clients: int) -> tuple[float, int, list[int]]:
    """(requests/s, errors, requests issued per slice) from wrk (2 threads, ``clients`` connections)."""
    threads = 1  # (one thread keeps 8 connections busy; measured: less CPU per request than two)
    out = subprocess.run(["wrk", "-t", str(threads), "-c", str(clients), "-d", f"{seconds:g}s", "--timeout", "20s",
                          "-s", lua, url, "--", path, str(threads)], capture_output=True, text=True,
                         timeout=seconds + 120)
    issued = [0] * threads
    done = duration = errors = None
    for line in out.stdout.splitlines():
        words = line.split()
        if words[:1] == ["issued"]:
            issued[int(words[1])] = int(words[2])
        elif words[:1] == ["result"]:
            done, duration, errors = map(int, words[1:])
    if done is None:
        raise RuntimeError(f"wrk failed: {out.stdout[-1000:]} {out.stderr[-1000:]}")
    return done / (duration / 1e6), errors, issued


def _python_client(url: str, k: int, lines: list[str], seconds: float, start_at: float, queue: Any) -> None:
    conn = connect(url)
    done = errors = 0
    details: list[str] = []
    while time.time() < start_at:
        time.sleep(0.001)
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        line = lines[done % len(lines)]
        done += 1
        try:
            status, body = _send(conn, line)
        except (OSError, http.client.HTTPException) as exc:
            status, body, conn = 0, str(exc).encode(), connect(url)
        if status != 200:
            errors += 1
            if len(details) < 3:
                details.append(f"{status} {body[:200]!r}")
    conn.close()
    queue.put((k, done, errors, details))


def _run_python(url: str, lines: list[str], seconds: float, clients: int) -> tuple[float, int, list[int]]:
    """The same prepared requests from ``clients`` Python processes (when wrk is not installed)."""
    ctx = multiprocessing.get_context("spawn" if sys.platform == "darwin" else "fork")
    queue = ctx.Queue()
    start_at = time.time() + 0.5
    procs = [ctx.Process(target=_python_client, args=(url, k, lines[k::clients], seconds, start_at, queue))
             for k in range(clients)]
    for p in procs:
        p.start()
    results = sorted(queue.get(timeout=seconds + 120) for _ in procs)
    for p in procs:
        p.join(30)
    for r in results:
        for detail in r[3]:
            print("  ", detail)
    issued = [r[1] for r in results]
    return sum(issued) / seconds, sum(r[2] for r in results), issued


def _issued_creates(lines: list[str], issued: list[int]) -> list[str]:
    """The create requests among those sent (slice k: lines k, k+T, ...; wrapped around if run out)."""
    slices = len(issued)
    sent: dict[str, None] = {}
    for k, n in enumerate(issued):
        mine = lines[k::slices]
        for line in mine[:min(n, len(mine))]:
            if "Action=CreateImage" in line:
                sent[line] = None
    return list(sent)


def _replay(url: str, lines: list[str], queue: Any) -> None:
    conn = connect(url)
    out = []
    for line in lines:
        status, body = _send(conn, line)
        out.append((status, json.loads(body).get("ImageId") if status == 200 else body[:200]))
    conn.close()
    queue.put(out)


def _check_creates(url: str, creates: list[str], own: list[str]) -> tuple[int, int, int, int]:
    """Each create sent is sent again (same ClientToken: the image it made, or made now if the run ended
    before it was answered); then every image must be listed exactly once: (images made, lost,
    listed twice, unexpected)."""
    ctx = multiprocessing.get_context("spawn" if sys.platform == "darwin" else "fork")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_replay, args=(url, creates[k::4], queue)) for k in range(4)]
    for p in procs:
        p.start()
    answers = [a for _ in procs for a in queue.get(timeout=600)]
    for p in procs:
        p.join(30)
    failed = [a for a in answers if a[0] != 200]
    made = [a[1] for a in answers if a[0] == 200]
    expected = set(made) | set(own)
    listed = _listed_images(url)
    lost = len(expected - set(listed)) + len(failed) + (len(made) - len(set(made)))  # two creates, one id: lost
    return len(made), lost, len(listed) - len(set(listed)), len(set(listed) - expected)


def _worker_pids(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()] or [pid]  # (--workers 1 serves in its own process)
    except OSError:
        return [pid]


def _redis_info(client: Any) -> tuple[float, int, int]:
    """(redis-server CPU seconds, commands processed, EXECs) so far."""
    info = client.info("everything")
    return (info["used_cpu_user"] + info["used_cpu_sys"], info["total_commands_processed"],
            info.get("cmdstat_exec", {}).get("calls", 0))


def workers_scaling(counts: list[int], store: Optional[str], seconds: float, rounds: int, clients: int,
                    load: str = "auto", redis_over: str = "unix") -> int:
    import resource
    import shutil
    import tempfile

    import redis as redis_py

    from tests.redis_server import start_redis

    use_wrk = load == "wrk" or (load == "auto" and shutil.which("wrk") is not None)
    if not use_wrk and load == "auto":
        print("notice: wrk is not installed (Debian: apt-get install wrk): the load comes from Python client "
              "processes, whose CPU competes with the workers on a small machine (the ratio reads low)")
    with tempfile.TemporaryDirectory() as folder:
        redis = None
        if store is None:
            redis, store = start_redis(folder, fsync_always=False, unix=redis_over == "unix")
        info_client = redis_py.Redis.from_url(store.split("?")[0])
        servers: dict[int, CliServer] = {}
        lua = os.path.join(folder, "mix.lua")
        with open(lua, "w") as f:
            f.write(WRK_LUA)
        rates: dict[int, list[float]] = {n: [] for n in counts}
        cpu: dict[int, dict[str, float]] = {n: {"workers": 0.0, "redis": 0.0, "clients": 0.0, "commands": 0.0,
                                                "requests": 0.0} for n in counts}
        problems = 0
        try:
            for n in counts:
                servers[n] = CliServer(n, f"{store}{'&' if '?' in store else '?'}prefix=tp{n}")
            prepared = {n: _prepare(s.url, f"p{n}") for n, s in servers.items()}
            creates: dict[int, list[str]] = {n: [] for n in counts}
            per_run = int(seconds * (12000 if use_wrk else 3000)) + 1000  # more than a run sends
            for r in range(rounds):
                for n in counts if r % 2 == 0 else counts[::-1]:
                    snapshot_id, own = prepared[n]
                    lines = workload(per_run, f"r{r}w{n}", snapshot_id, own, r * 100 + n)
                    path = os.path.join(folder, "requests.txt")
                    with open(path, "w") as f:
                        f.write("\n".join(lines) + "\n")
                    pids = _worker_pids(servers[n].proc.pid)
                    before = ([_cpu_seconds(p) or 0.0 for p in pids], _redis_info(info_client),
                              resource.getrusage(resource.RUSAGE_CHILDREN))
                    if use_wrk:
                        rate, errors, issued = _run_wrk(servers[n].url, path, lua, seconds, clients)
                    else:
                        rate, errors, issued = _run_python(servers[n].url, lines, seconds, clients)
                    after = ([_cpu_seconds(p) or 0.0 for p in pids], _redis_info(info_client),
                             resource.getrusage(resource.RUSAGE_CHILDREN))
                    rates[n].append(rate)
                    requests = rate * seconds
                    c = cpu[n]
                    c["requests"] += requests
                    c["workers"] += sum(after[0]) - sum(before[0])
                    c["redis"] += after[1][0] - before[1][0]
                    c["commands"] += after[1][1] - before[1][1] - 1
                    c["execs"] = c.get("execs", 0.0) + after[1][2] - before[1][2]
                    c["clients"] += (after[2].ru_utime + after[2].ru_stime) - (before[2].ru_utime + before[2].ru_stime)
                    creates[n] += _issued_creates(lines, issued)
                    if errors:
                        problems += errors
                        print(f"  {n} workers, round {r}: {errors} errors")
            for n, server in servers.items():
                made, lost, twice, unexpected = _check_creates(server.url, creates[n], prepared[n][1])
                problems += lost + twice + unexpected
                print(f"{n} worker(s): {made} images created by the load ({len(prepared[n][1])} before), every one "
                      f"listed after: lost {lost}, listed twice {twice}, unexpected {unexpected}")
        finally:
            for server in servers.values():
                server.stop()
            if redis is not None:
                redis.terminate()
    print(f"mixed calls ({sum(w for k, w in MIX if k in ('tag', 'modify', 'create'))}/{sum(w for _, w in MIX)} "
          f"AddTags, ModifyImageAttribute or CreateImage; the rest DescribeImages of own and catalog images) from "
          f"{'wrk' if use_wrk else 'Python client processes'} ({clients} connections), {rounds} rounds of "
          f"{seconds:g} s, {os.cpu_count()} cores (shared with anything else running); signatures not checked "
          f"(the server's default); store {store.split('?')[0]}")
    base = statistics.median(rates[counts[0]])
    writes = sum(w for k, w in MIX if k in ("tag", "modify", "create")) / sum(w for _, w in MIX)
    for n in counts:
        rate, c = statistics.median(rates[n]), cpu[n]
        per = {k: c[k] / c["requests"] * 1e6 if c["requests"] else 0.0 for k in ("workers", "redis", "clients")}
        print(f"  --workers {n}: {rate:8.0f} requests/s  ({rate / base:.2f}x {counts[0]} worker(s); rounds "
              f"{', '.join(f'{x:.0f}' for x in rates[n])})")
        print(f"      CPU per request: workers {per['workers']:.0f} us, redis-server {per['redis']:.0f} us, "
              f"load generator {per['clients']:.0f} us; Redis commands per request "
              f"{c['commands'] / c['requests'] if c['requests'] else 0:.1f}; commits (EXEC) per write request "
              f"{c.get('execs', 0) / (c['requests'] * writes) if c['requests'] else 0:.2f} (above 1: conflicts)")
    if 2 in rates and 1 in rates:
        c = cpu[1]
        if c["requests"] and c["workers"]:
            w, rest = c["workers"], c["redis"] + c["clients"]
            print(f"  ceiling on 2 cores from the 1-worker CPU figures: 2w/(w+c+r) = {2 * w / (w + rest):.2f}x "
                  f"(c+r = {rest / w:.2f}w; 1.6x needs <= 0.25w)")
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
    parser.add_argument("--load", choices=["auto", "wrk", "python"], default="auto",
                        help="with --workers: the load generator (auto: wrk when installed, else Python processes)")
    parser.add_argument("--redis-over", choices=["unix", "tcp"], default="unix",
                        help="with --workers and no --store: how the workers reach the benchmark's own redis-server")
    parser.add_argument("--quick", action="store_true", help="with --workers: one short round each (a smoke test)")
    parser.add_argument("--serve", choices=["bare", "mockecs"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.workers:
        seconds, rounds = (1.0, 1) if args.quick else (args.seconds * 2, max(3, args.rounds // 2))
        return workers_scaling([int(n) for n in args.workers.split(",")], args.store, seconds, rounds, args.clients,
                               args.load, args.redis_over)
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
