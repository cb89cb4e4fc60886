"""The mock clock: wall time plus an offset that tests advance."""
from __future__ import annotations

import threading
import time
from typing import Callable, Optional


class Clock:
    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()
        self.on_change: Optional[Callable[[float], None]] = None  # the engine persists the offset
        # Runs each change (the engine's shared state, on a shared store: the latest offset first).
        self.apply: Callable[[Callable[[], float]], float] = lambda change: change()

    def now(self) -> float:
        return time.time() + self._offset

    @property
    def offset(self) -> float:
        """Seconds the mock clock is ahead of wall time."""
        return self._offset

    def advance(self, seconds: float) -> float:
        def change() -> float:
            with self._lock:
                self._offset += float(seconds)
                return self._offset

        offset = self.apply(change)
        if self.on_change is not None:
            self.on_change(offset)
        return self.now()

    def reset(self) -> None:
        self.set(0.0)

    def set(self, offset: float) -> None:
        """Take ``offset`` as it is (loaded from a store: no change to report)."""
        with self._lock:
            self._offset = float(offset)
