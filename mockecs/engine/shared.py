"""What an engine keeps outside its records, kept in a *shared* store (a SQLite file, Redis), so that
every engine on that store (server workers, test processes) sees one world: the mock clock's offset,
lifecycle delays and failures, injected faults, and the accounts and keys added at run time.

Each part is one record of kind ``mockecs_meta`` (``clock``, ``lifecycle``, ``faults``; accounts and
keys are the ``mockecs_account`` / ``mockecs_key`` records the engine already writes), plus a
``stamp`` record that every change renews. An engine reads the stamp once per request and reloads
the parts only when it moved: inside the request's own transaction (:meth:`Shared.check`; Redis sends
that read with the transaction's first round trip, so it costs no round trip of its own), the request
running again from the start if the stamp moved (:class:`Moved`); or before the request
(:meth:`Shared.sync`) for actions without a transaction, in strict signature mode and while faults are
set. A change loads the latest parts, applies itself and writes its part back (if it changed) in one
store transaction (:meth:`Shared.update`), so that a fault's ``times`` or a queued ``fail_next`` is used
exactly once across processes.

Signature nonces (strict mode) are records of kind ``mockecs_nonce``, ordered by expiry: a nonce is
refused by every engine until it expires, and expired ones leave from the front of that order.
"""
from __future__ import annotations

import copy
import secrets
import time
from typing import Any, Callable, Mapping, Optional, TypeVar

from mockecs.state.store import read_soon, run

T = TypeVar("T")
KIND = "mockecs_meta"
NONCE, NONCES = "mockecs_nonce", ("nonce", "")  # one ordered term: every nonce, soonest expiry first
PURGE_EVERY = 64  # expired nonces are dropped on every 64th check (a purge reads the shared term)


class Moved(Exception):
    """Another engine changed the shared state since this request began (now reloaded): run it again."""


class Shared:
    def __init__(self, engine: Any, fault_type: Callable[..., Any]) -> None:
        self.engine = engine
        self.fault_type = fault_type
        self.stamp: Optional[str] = "unread"
        self._checks = 0
        engine.clock.apply = lambda change: self.update("clock", change)
        engine.clock.on_change = None  # (update writes the clock's part itself)
        engine.lifecycle.apply = lambda change: self.update("lifecycle", change)

    def sync(self) -> None:
        """Reload the parts if another engine changed any since this one last looked (one read)."""
        run(self.engine.store, self._refresh)

    def check(self, txn: Any, expected: Optional[str]) -> None:
        """Inside a request's transaction, before it writes: raise :class:`Moved` (after reloading) if the
        stamp is not ``expected``, the one the request began with (read with the transaction's next round
        trip where the store can: :func:`mockecs.state.store.read_soon`)."""
        def seen(record: Optional[Mapping[str, Any]]) -> None:
            stamp = (record or {}).get("stamp")
            if stamp != expected:
                if stamp != self.stamp:
                    self._load(txn)
                    self.stamp = stamp
                raise Moved

        read_soon(txn, KIND, "stamp", seen)

    def update(self, part: str, change: Callable[[], T]) -> T:
        """Run ``change`` on the latest state and write ``part`` back, atomically across engines."""
        def work(txn: Any) -> T:
            self._refresh(txn, force=True)
            before = copy.deepcopy(self._state(part))  # (state() may share the live objects)
            result = change()
            if before is None or self._state(part) != before:  # (no fault taken: nothing to tell the others)
                self.write(txn, part)
            return result

        return run(self.engine.store, work)

    def nonce_seen(self, nonce: str, expires: float) -> bool:
        """Record ``nonce`` until ``expires`` (epoch seconds) for every engine; True if already recorded."""
        self._checks += 1
        purge = self._checks % PURGE_EVERY == 0

        def work(txn: Any) -> bool:
            now = time.time()
            if purge:
                for key, old in txn.page(NONCE, NONCES, 0, 500):
                    if float(key) > now:
                        break
                    txn.delete(NONCE, old)
            found = txn.get(NONCE, nonce)
            if found is not None and found["expires"] > now:
                return True
            txn.put(NONCE, nonce, {"expires": expires}, [NONCES], f"{expires:024.9f}")
            return False

        return run(self.engine.store, work)

    def changed(self, txn: Any) -> None:
        """Something written by the caller in ``txn`` (an account, a key) that others must reload."""
        self.stamp = secrets.token_hex(16)
        txn.put(KIND, "stamp", {"stamp": self.stamp})

    def _state(self, part: str) -> Optional[dict]:
        """What ``part`` is stored as (None: not a part of its own)."""
        engine = self.engine
        if part == "clock":
            return {"offset": engine.clock.offset}
        if part == "lifecycle":
            return engine.lifecycle.state()
        if part == "faults":
            return {"faults": [dict(vars(f)) for f in engine.faults]}
        return None

    def write(self, txn: Any, part: str) -> None:
        state = self._state(part)
        if state is not None:
            txn.put(KIND, part, state)
        self.changed(txn)

    def _refresh(self, txn: Any, force: bool = False) -> None:
        stamp = (txn.get(KIND, "stamp") or {}).get("stamp")
        if force or stamp != self.stamp:
            self._load(txn)
            self.stamp = stamp

    def _load(self, txn: Any) -> None:
        engine = self.engine
        engine.clock.set((txn.get(KIND, "clock") or {}).get("offset", 0.0))
        engine.lifecycle.load(txn.get(KIND, "lifecycle") or {})
        engine.faults = [self.fault_type(**f) for f in (txn.get(KIND, "faults") or {}).get("faults", ())]
        accounts, on_add = engine.accounts, engine.accounts.on_add
        accounts.on_add = None  # loading is not adding
        try:
            accounts.reset()
            accounts.import_({"accounts": [account_id for account_id, _ in txn.scan("mockecs_account")],
                              "keys": [key for _, key in txn.scan("mockecs_key")]})
        finally:
            accounts.on_add = on_add
