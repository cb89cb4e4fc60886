"""The fake's cost per SDK call in the SDK's own loop, counted by valgrind's cache simulator (deterministic).

    python benchmarks/engine_cachegrind.py [--calls 250] [--case NAME ...] [--intercept] [--layouts 1] [--keep DIR]

``overhead.py`` times what mockecs adds to an SDK call; on a shared machine those timings swing by more
than the gap they measure. This counts it instead: for each of ``overhead.py``'s cases the current SDK
calls the action (a) through mockecs and (b) through the canned floor (the same reply returned straight
from ``HTTPAdapter.send``), exactly as ``overhead.py`` sets them up, in one process run under
``valgrind --tool=cachegrind --cache-sim=yes``. Start-up is paid once: the process imports everything,
then for each case and side forks a child that sets the side up and warms it, then forks again: the
grandchild makes ``--calls / 5`` calls, the child ``--calls``; each exits at once and valgrind prints its
totals. The difference between the two, divided by the difference in calls, is the cost of one call, the
SDK's own work and its cache effects included (the simulated caches carry over from call to call as the
real ones do). mockecs minus the floor is what interception and the engine cost inside the SDK's loop.

With ``--intercept``, also (c) the mock whose engine answers the same bytes at once (``overhead.py``'s (d)):
"intercpt" is (c) minus the floor, what intercepting costs; "engine" is mockecs minus (c).

Printed per call: instructions (Ir), I1 misses, D1 misses (read, write) and last-level misses (read,
instruction fetches included, and write), for mockecs, the floor and their difference. Simulated caches are
valgrind's defaults for this CPU (see its ``desc:`` lines with ``--keep``); a miss costs time, an
instruction does too, so fewer of each is faster wherever the run happens. ``PYTHONHASHSEED`` is fixed and
the collector starts each run from the same counts, so the same checkout gives the same figures again, to
within a few hundred instructions. Another checkout moves the heap, and with it where objects fall in the
simulated caches and how much glibc's malloc works per call: a change of a few thousand instructions or a
few hundred misses per call can be that alone. ``--layouts K`` measures each case and side from K heaps
shifted differently (objects of seeded sizes kept alive before the calls) and prints the mean.

With ``--keep DIR`` the cachegrind output files stay in DIR (``<case>.<side>.<layout>.<calls>.cg``), for
``cg_diff`` of a long and a short run then ``cg_annotate``: where the instructions and misses go, by C function.
"""
from __future__ import annotations

import argparse
import gc
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

EVENTS = ("Ir", "I1mr", "D1mr", "D1mw", "LLmr", "LLmw")
_SUMMARY = {
    "Ir": r"I\s+refs:\s+([\d,]+)",
    "I1mr": r"I1\s+misses:\s+([\d,]+)",
    "LLi": r"LLi\s+misses:\s+([\d,]+)",
    "D1": r"D1\s+misses:\s+[\d,]+\s+\(\s*([\d,]+) rd\s+\+\s+([\d,]+) wr\)",
    "LLd": r"LLd\s+misses:\s+[\d,]+\s+\(\s*([\d,]+) rd\s+\+\s+([\d,]+) wr\)",
}


def _counts(log: str) -> dict[str, int]:
    """The totals valgrind printed at a process's exit."""
    def grab(name: str) -> tuple[int, ...]:
        found = re.search(_SUMMARY[name], log)
        if not found:
            raise RuntimeError(f"no {name} in valgrind's log:\n{log[-2000:]}")
        return tuple(int(g.replace(",", "")) for g in found.groups())

    (ir,), (i1,), (lli,) = grab("Ir"), grab("I1mr"), grab("LLi")
    d1r, d1w = grab("D1")
    lldr, lldw = grab("LLd")
    return {"Ir": ir, "I1mr": i1, "D1mr": d1r, "D1mw": d1w, "LLmr": lli + lldr, "LLmw": lldw}


def _side(name: str, side: str):
    """Set ``side`` of case ``name`` up as ``overhead.measure`` does; returns the call to repeat and its undo."""
    from alibabacloud_ecs20140526.client import Client
    from alibabacloud_tea_openapi.utils_models import Config as TeaConfig

    from benchmarks.overhead import CASES, _reply, canned_send, own_images
    from mockecs.modes.mock import MockECS
    from mockecs.wire.protocol import HttpResponse

    fn = CASES[name]
    client = Client(TeaConfig(access_key_id="ak", access_key_secret="sk", region_id="cn-hangzhou"))
    mock = MockECS()
    mock.start()
    own_images(mock)
    if side == "mockecs":
        fn(client)
        last = mock.engine.calls[-1]
        assert last.status == 200, (name, last.error_code)
        return lambda: fn(client), mock.stop
    headers, sample, _ = _reply(mock, fn, client)
    if side == "intercept":  # overhead.py's (d): the mock, with an engine that answers those bytes at once
        mock.engine.handle = lambda _request, h=headers, b=sample: HttpResponse(200, h, b)
        return lambda: fn(client), mock.stop
    mock.stop()
    canned = canned_send(headers, sample)
    canned.__enter__()
    return lambda: fn(client), lambda: canned.__exit__(None, None, None)


def _shift(layout: int) -> list:
    """Objects kept alive for the run, different for each ``layout`` (none for 0): the heap, hence the addresses
    of what the calls allocate and where they fall in the simulated caches, differs from layout to layout."""
    sizes = random.Random(layout).choices((24, 56, 200, 700, 1500, 5000, 40000), k=40 * layout)
    return [bytes(n) for n in sizes] + [{n: n} for n in sizes]


def _run_side(name: str, side: str, calls: int, few: int, logs: str, layout: int = 0) -> tuple[int, int]:
    """In a forked child: set up, warm up, fork; the grandchild makes ``few`` calls, the child ``calls``.
    Returns the two pids (their valgrind logs are ``logs/<pid>``)."""
    read_end, write_end = os.pipe()
    child = os.fork()
    if child:
        os.close(write_end)
        with os.fdopen(read_end) as pipe:
            pids = pipe.read().split()
        os.waitpid(child, 0)
        if len(pids) != 2:
            raise RuntimeError(f"{name} / {side}: the child failed (see {logs})")
        return int(pids[0]), int(pids[1])
    status = 1
    try:
        os.close(read_end)
        _ballast = _shift(layout)  # (alive until the process exits)
        call, _undo = _side(name, side)
        for _ in range(20):
            call()  # warm up, as overhead.timed does
        gc.collect()  # (both runs start from the same collector counts: its collections fall on the same calls)
        grandchild = os.fork()
        if grandchild == 0:
            for _ in range(few):
                call()
            os._exit(0)
        _, gstatus = os.waitpid(grandchild, 0)
        for _ in range(calls):
            call()
        if gstatus == 0:
            os.write(write_end, f"{os.getpid()} {grandchild}".encode())
            status = 0
    finally:
        os._exit(status)


def serve(cases: list[str], sides: list[str], calls: int, few: int, logs: str, layouts: int = 1) -> None:
    """Runs under valgrind: every case and side, one after the other; prints the pids behind each."""
    import benchmarks.overhead  # noqa: F401  (imports the SDK and mockecs once, before any fork)

    for name in cases:
        for side in sides:
            for layout in range(layouts):
                many, fewer = _run_side(name, side, calls, few, logs, layout)
                print(f"{name}\t{side}\t{layout}\t{many}\t{fewer}", flush=True)


def main() -> int:
    from benchmarks.overhead import CASES

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=250)
    parser.add_argument("--case", action="append", choices=list(CASES), help="only this case (repeatable)")
    parser.add_argument("--keep", help="keep the cachegrind output files in this directory")
    parser.add_argument("--layouts", type=int, default=1,
                        help="measure each case and side from this many heap layouts and print the mean")
    parser.add_argument("--intercept", action="store_true",
                        help="also (c) the mock with an engine answering the bytes at once (overhead.py's (d)): "
                             "splits what is added into interception and the engine")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    args = parser.parse_args()
    cases = args.case or list(CASES)
    few = max(1, args.calls // 5)
    sides = ["mockecs", "floor"] + (["intercept"] if args.intercept else [])
    if args.serve:
        serve(cases, sides, args.calls, few, args.serve, args.layouts)
        return 0
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (Debian: apt-get install valgrind)")
        return 1
    with tempfile.TemporaryDirectory() as logs:
        out_dir = args.keep or logs
        os.makedirs(out_dir, exist_ok=True)
        command = ["valgrind", "--tool=cachegrind", "--cache-sim=yes", f"--log-file={logs}/%p",
                   f"--cachegrind-out-file={out_dir}/%p.cg", sys.executable, os.path.abspath(__file__),
                   "--serve", logs, "--calls", str(args.calls)]
        for name in cases:
            command += ["--case", name]
        if args.intercept:
            command.append("--intercept")
        command += ["--layouts", str(args.layouts)]
        run = subprocess.run(command, capture_output=True, text=True, env=dict(os.environ, PYTHONHASHSEED="0"),
                             cwd=ROOT)
        if run.returncode:
            print(run.stdout, run.stderr, sep="\n")
            return run.returncode
        rows = {}
        for line in run.stdout.splitlines():
            name, side, layout, many, fewer = line.split("\t")
            counts = []
            for pid, n in ((many, args.calls), (fewer, few)):
                with open(os.path.join(logs, pid), encoding="utf-8") as fh:
                    counts.append(_counts(fh.read()))
                if args.keep:
                    stem = re.sub(r"\W+", "_", name).strip("_")
                    os.replace(os.path.join(out_dir, f"{pid}.cg"),
                               os.path.join(out_dir, f"{stem}.{side}.{layout}.{n}.cg"))
            row = rows.setdefault((name, side), dict.fromkeys(EVENTS, 0.0))
            for e in EVENTS:  # (the mean over the layouts)
                row[e] += (counts[0][e] - counts[1][e]) / (args.calls - few) / args.layouts
        if args.keep:
            for leftover in os.listdir(out_dir):
                if re.fullmatch(r"\d+\.cg", leftover):
                    os.remove(os.path.join(out_dir, leftover))
    print(f"per SDK call ({args.calls} calls minus {few}, valgrind --tool=cachegrind --cache-sim=yes"
          f"{f', mean of {args.layouts} heap layouts' if args.layouts > 1 else ''}):")
    print(f"{'action':30} {'side':8} " + " ".join(f"{e:>10}" for e in EVENTS))
    for name in cases:
        mocked, floor = rows[name, "mockecs"], rows[name, "floor"]
        shown = [("mockecs", mocked), ("floor", floor), ("added", {e: mocked[e] - floor[e] for e in EVENTS})]
        if args.intercept:
            null = rows[name, "intercept"]
            shown += [("intercpt", {e: null[e] - floor[e] for e in EVENTS}),
                      ("engine", {e: mocked[e] - null[e] for e in EVENTS})]
        for side, row in shown:
            print(f"{name if side == 'mockecs' else '':30} {side:8} " + " ".join(f"{row[e]:10,.0f}" for e in EVENTS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
