"""The mock clock: wall time plus an offset that tests advance."""
from __future__ import annotations

import threading
import time
from typing import Any, Callable, Optional

from mockecs.world.validation import check_number

MAX_OFFSET = 50 * 365 * 86400  # the mock clock stays within 50 years of wall time (so after 1970)


def check_offset(value: Any, name: str = "seconds") -> float:
    """``value`` as a clock offset in seconds, or ValueError naming ``name``: NaN, infinities and
    1e300 would make every later time stamp (and a persisted clock) unusable."""
    return float(check_number(value, name, -MAX_OFFSET, MAX_OFFSET))


class Clock:
    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()
        self.on_change: Optional[Callable[[float], None]] = None  # the engine persists the offset

    def now(self) -> float:
        return time.time() + self._offset

    @property
    def offset(self) -> float:
        """Seconds the mock clock is ahead of wall time."""
        return self._offset

    def advance(self, seconds: float) -> float:
        """Move the clock ``seconds`` on (ValueError, and no change, when the result is no usable time)."""
        seconds = check_offset(seconds)
        with self._lock:
            self._offset = offset = check_offset(self._offset + seconds, "the clock offset")
        if self.on_change is not None:
            self.on_change(offset)
        return self.now()

    def reset(self) -> None:
        with self._lock:
            self._offset = 0.0
