"""The mock clock: a start time plus an offset that tests advance.

Frozen (an engine's default in-process): time stands still between ``advance`` calls, so
``engine.clock.advance(60)`` moves a 60-second transition exactly to its end and a test never sees
52% where it waited for 50%. It still ticks one millisecond per reading (a request reads it once),
so that records created one after another keep their order (newest first) without any wall time;
a millisecond, not less, as epoch seconds in a float resolve about 0.2 microseconds.
Running (the ``clock`` option ``running``; ``mockecs server``'s default): wall time plus the
offset, so realistic transitions finish while a client polls.
"""
from __future__ import annotations

import itertools
import threading
import time
from typing import Any, Callable, Optional

from mockecs.world.validation import check_number

MAX_OFFSET = 50 * 365 * 86400  # the mock clock stays within 50 years of wall time (so after 1970)


def check_offset(value: Any, name: str = "seconds") -> float:
    """``value`` as a clock offset in seconds, or ValueError naming ``name``: NaN, infinities and
    1e300 would make every later time stamp (and a persisted clock) unusable."""
    return float(check_number(value, name, -MAX_OFFSET, MAX_OFFSET))

TICK = 1e-3  # seconds a frozen clock moves per reading


class Clock:
    def __init__(self, frozen: bool = True, frozen_of: Optional[Callable[[], bool]] = None) -> None:
        """``frozen_of`` (the engine's ``clock`` option read at each reading) overrides ``frozen``:
        a configuration changed at run time freezes or thaws the clock where it stands."""
        self._offset = 0.0
        self._frozen_of = frozen_of
        if frozen_of is not None:
            frozen = frozen_of()
        self._lock = threading.Lock()
        # The wall time the frozen clock stands at (plus the offset); None: the clock runs.
        self._base: Optional[float] = time.time() if frozen else None
        self._ticks = itertools.count(1)  # next() is atomic: concurrent readers get distinct ticks
        self.on_change: Optional[Callable[[float], None]] = None  # the engine persists the offset
        # Readings so far (not exact under threads, but it only grows): the engine keeps no answer of a handler
        # that read the clock (Engine._memo_run), through its Context or straight from here.
        self.readings = 0
        # Runs each change (the engine's shared state, on a shared store: the latest offset first).
        self.apply: Callable[[Callable[[], float]], float] = lambda change: change()

    def now(self) -> float:
        self.readings += 1
        if self._frozen_of is not None and self._frozen_of() != (self._base is not None):
            if self._base is None:
                self.freeze()
            else:
                self.thaw()
        base = self._base
        if base is None:
            return time.time() + self._offset
        return base + self._offset + next(self._ticks) * TICK

    def tick(self) -> None:
        """A reading whose value is not needed (an answer the engine kept: the request reads the clock once, as
        every request does, so a frozen clock stands where it would without the memo)."""
        if self._base is not None:
            next(self._ticks)

    @property
    def frozen(self) -> bool:
        return self._base is not None

    def freeze(self) -> None:
        """Stop the clock where it stands (it moves only with :meth:`advance`)."""
        with self._lock:
            if self._base is None:
                self._base = time.time()

    def thaw(self) -> None:
        """Let the clock run with wall time again, from where it stands (no jump back or forth)."""
        with self._lock:
            if self._base is not None:
                self._offset += self._base - time.time()
                self._base = None

    @property
    def offset(self) -> float:
        """Seconds the mock clock was moved on by :meth:`advance` (a frozen clock: since it stopped)."""
        return self._offset

    def advance(self, seconds: float) -> float:
        """Move the clock ``seconds`` on (ValueError, and no change, when the result is no usable time)."""
        seconds = check_offset(seconds)

        def change() -> float:
            with self._lock:
                self._offset = offset = check_offset(self._offset + seconds, "the clock offset")
                return offset

        offset = self.apply(change)
        if self.on_change is not None:
            self.on_change(offset)
        return self.now()

    def reset(self) -> None:
        with self._lock:
            if self._base is not None:
                self._base = time.time()  # a reset starts again at the present
                self._ticks = itertools.count(1)
        self.set(0.0)

    def set(self, offset: float) -> None:
        """Take ``offset`` as it is (loaded from a store: no change to report)."""
        with self._lock:
            self._offset = float(offset)
