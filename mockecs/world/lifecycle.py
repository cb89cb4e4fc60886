"""Status transitions driven by the mock clock (spec §2.4).

An operation that starts something long (CreateImage, CopyImage, ImportImage, a task,
a pipeline execution) calls :func:`start` with the fields the record has *now* and the
fields it gets when done. How long "done" takes is a setting:

- ``transitions="instant"`` (default): done at once, a created image is Available;
- ``transitions="realistic"``: after the per-kind delays in :data:`REALISTIC`;
- per kind / per resource: ``engine.lifecycle.delay("image", seconds=30)`` or
  ``observations=3`` (done after N reads), ``engine.lifecycle.fail("m-...")`` to end in failure
  (also when injected while the transition runs), ``engine.lifecycle.fail_next("image")`` for the
  next resource of a kind, whose id a test cannot know beforehand.

Records are settled lazily when read (:func:`mockecs.world.resources.get`), so no threads run.
"""
from __future__ import annotations

import threading
from dataclasses import field
from typing import Any, Callable, Optional

from mockecs.wire.records import record
from mockecs.world.context import Context

MODES = ("instant", "realistic")  # Config.transitions
REALISTIC = {"image": 30.0, "copy": 60.0, "snapshot": 10.0, "task": 60.0, "execution": 120.0, "instance": 5.0,
             "disk": 10.0, "vpc": 3.0, "vswitch": 3.0, "eip": 2.0,
             "route_table": 2.0, "route_entry": 2.0,  # [GUESS] custom route tables and entries: Pending
             "invocation": 5.0,  # a Cloud Assistant invocation: each of Pending and Running
             "system_event": 60.0,  # a system event Executing, from its NotBefore (or its acceptance) [GUESS]
             "dhcp_options_set": 2.0, "vpc_dhcp_options_set": 5.0,  # [GUESS] a DHCP options set made, attached
             "ipv6_gateway": 3.0}  # [GUESS] an IPv6 gateway Creating


@record
class Delay:
    seconds: Optional[float] = None
    observations: Optional[int] = None


@record
class Lifecycle:
    """Per-engine transition settings (``engine.lifecycle``)."""

    # The mode is the engine's ``config.transitions``, read on each use: one place to set it.
    mode_of: Callable[[], str] = field(default=lambda: "instant", repr=False)
    by_kind: dict[str, Delay] = field(default_factory=dict)
    by_id: dict[str, Delay] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)  # resource id -> error message
    next_failures: dict[str, list[str]] = field(default_factory=dict)  # kind -> messages for the next starts
    # The mock clock (the engine's): a failure injected after a transition was due must not change it.
    clock: Optional[Callable[[], float]] = field(default=None, repr=False)
    failed_at: dict[str, float] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    # Runs each change of the settings: on a shared store the engine loads the latest settings first
    # and writes them back after, in one store transaction (every engine on the store sees the same).
    apply: Callable[[Callable[[], Any]], Any] = field(default=lambda change: change(), repr=False)

    @property
    def mode(self) -> str:
        """``instant`` or ``realistic``."""
        return self.mode_of()

    def delay(self, kind_or_id: str, seconds: Optional[float] = None, observations: Optional[int] = None) -> None:
        """Make transitions of a kind (``image``, ``copy``, ``snapshot``, ``task``, ``execution``,
        ``instance``, ``vpc``, ``vswitch``, ``eip``, ``disk``: a replaced system disk re-initialising,
        ``invocation``: a Cloud Assistant command's Pending and Running steps, by kind or InvokeId,
        ``system_event``: an event's Executing step) or of
        one resource id take ``seconds`` of mock time or ``observations`` reads."""
        def change() -> None:
            target = self.by_id if "-" in kind_or_id else self.by_kind
            with self._lock:
                target[kind_or_id] = Delay(seconds, observations)

        self.apply(change)

    def undelay(self, kind_or_id: str) -> bool:
        """Forget a :meth:`delay`; True if there was one."""
        target = self.by_id if "-" in kind_or_id else self.by_kind
        with self._lock:
            return target.pop(kind_or_id, None) is not None

    def fail(self, resource_id: str, message: str = "Injected failure.") -> None:
        """Make the transition of ``resource_id`` end in failure: one that starts later, or one
        still running (not one that was already due by the mock clock, even if nobody read it)."""
        def change() -> None:
            with self._lock:
                self.failures[resource_id] = message
                if self.clock is not None:
                    self.failed_at[resource_id] = self.clock()

        self.apply(change)

    def fail_next(self, kind: str, message: str = "Injected failure.", count: int = 1) -> None:
        """Make the next ``count`` transitions of ``kind`` end in failure: for resources whose id
        a test cannot know in advance. Each claimed id is then listed in :attr:`failures`."""
        def change() -> None:
            with self._lock:
                self.next_failures.setdefault(kind, []).extend([message] * count)

        self.apply(change)

    def claim_failure(self, kind: str, resource_id: str) -> bool:
        """Whether ``resource_id`` must fail: injected by id, or the next failure queued for ``kind``."""
        if resource_id in self.failures:
            return True
        if not self.next_failures.get(kind):
            return False

        def change() -> bool:
            with self._lock:
                if resource_id in self.failures:
                    return True
                queued = self.next_failures.get(kind)
                if not queued:
                    return False
                self.failures[resource_id] = queued.pop(0)
                return True

        return self.apply(change)

    def reset(self) -> None:
        self.load({})

    def state(self) -> dict:
        """The settings as JSON (``load`` takes them back)."""
        with self._lock:
            return {"by_kind": {k: vars(v) for k, v in self.by_kind.items()},
                    "by_id": {k: vars(v) for k, v in self.by_id.items()},
                    "failures": dict(self.failures), "failed_at": dict(self.failed_at),
                    "next_failures": {k: list(v) for k, v in self.next_failures.items()}}

    def load(self, state: dict) -> None:
        with self._lock:
            self.by_kind = {k: Delay(**v) for k, v in (state.get("by_kind") or {}).items()}
            self.by_id = {k: Delay(**v) for k, v in (state.get("by_id") or {}).items()}
            self.failures = dict(state.get("failures") or {})
            self.failed_at = dict(state.get("failed_at") or {})
            self.next_failures = {k: list(v) for k, v in (state.get("next_failures") or {}).items()}

    def delay_for(self, kind: str, resource_id: str) -> Delay:
        found = self.by_id.get(resource_id) or self.by_kind.get(kind)
        if found is not None:
            return found
        if self.mode == "realistic":
            return Delay(seconds=REALISTIC.get(kind, 30.0))
        return Delay(seconds=0.0)

    def to_dict(self) -> dict:
        with self._lock:  # copied under the lock: a worker thread may be changing the settings
            return {"mode": self.mode,
                    "by_kind": {k: vars(v) for k, v in self.by_kind.items()},
                    "by_id": {k: vars(v) for k, v in self.by_id.items()},
                    "failures": dict(self.failures),
                    "next_failures": {k: list(v) for k, v in self.next_failures.items()}}


def start(ctx: Context, kind: str, resource_id: str, record: dict, done: dict,
          failed: Optional[dict] = None, progress_field: Optional[str] = None) -> dict:
    """Return ``record`` as it is now; it becomes ``{**record, **done}`` when the transition ends
    (or ``{**record, **failed}`` if a failure was injected for ``resource_id``).

    ``done`` may itself hold a ``_pending`` for a following step (chains of statuses).
    """
    life: Lifecycle = ctx.engine.lifecycle
    outcome = dict(failed) if failed is not None and life.claim_failure(kind, resource_id) else dict(done)
    delay = life.delay_for(kind, resource_id)
    if not delay.seconds and not delay.observations:
        return _finish(record, outcome)
    pending = {"outcome": outcome, "start": ctx.now, "seconds": delay.seconds, "observations": delay.observations,
               "progress_field": progress_field}
    if failed is not None:
        # Kept so that ``fail(id)`` injected while the transition runs still ends it in failure
        # (every record started under the same id fails together).
        pending["failed"] = dict(failed)
        pending["id"] = resource_id
    return {**record, "_pending": pending}


def _finish(record: dict, outcome: dict) -> dict:
    result = {k: v for k, v in record.items() if k != "_pending"}
    result.update(outcome)
    return result


def _failed_in_time(life: Lifecycle, resource_id: Optional[str], due_at: Optional[float]) -> bool:
    if resource_id not in life.failures:
        return False
    injected = life.failed_at.get(resource_id)
    return injected is None or due_at is None or injected <= due_at


def settle(ctx: Context, kind: str, record: dict) -> dict:
    """Apply due transitions (this read counts as one observation); the caller persists the result.

    In a chain, each step starts when the previous one ended (not at this read), so a test that
    advances the clock past several steps and reads once sees the status they lead to.
    """
    observed = False
    while "_pending" in record:
        pending: dict[str, Any] = record["_pending"]
        due_at = None
        due = False
        fraction = 0.0
        if pending.get("observations") and not observed:
            observed = True
            left = pending["observations"] - 1
            due = left <= 0
            pending = {**pending, "observations": left}
        if pending.get("seconds") is not None:
            due_at = pending["start"] + pending["seconds"]
            elapsed = ctx.now - pending["start"]
            due = due or elapsed >= pending["seconds"]
            fraction = min(1.0, elapsed / pending["seconds"]) if pending["seconds"] else 1.0
        if not due:
            record = {**record, "_pending": pending}
            field_name = pending.get("progress_field")
            if field_name and fraction:
                record[field_name] = f"{int(fraction * 100)}%"
            break
        outcome = pending["outcome"]
        if "failed" in pending and _failed_in_time(ctx.engine.lifecycle, pending.get("id"), due_at):
            outcome = pending["failed"]
        record = _finish(record, outcome)
        if "_pending" in record:  # the next step of a chain starts when this one ended
            ended = due_at if due_at is not None and due_at <= ctx.now else ctx.now
            record["_pending"] = {**record["_pending"], "start": ended}
    return record
