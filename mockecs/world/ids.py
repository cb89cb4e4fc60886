"""Where the random parts of what the fake makes up come from: resource ids, UUIDs, addresses, tokens, RequestIds.

By default a :class:`Source` per process, seeded from the system's entropy and seeded afresh in a forked child
(workers sharing a store must never make the same id). An engine given the ``seed`` setting makes its own
``Source(seed)`` current while it works (:data:`CURRENT`), so the same calls in the same order on a fresh
state make the same ids on every run, as moto's seed does. Ids need to be unique, not unguessable: a
Mersenne Twister draws 17 characters in one call where ``secrets`` makes a system call per character.
"""
from __future__ import annotations

import os
import random
import string
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator, Optional

ALNUM = string.ascii_lowercase + string.digits
HEX = "0123456789abcdef"


class Source(random.Random):
    """A random source with the shapes the fake's made-up values take."""

    def text(self, alphabet: str, length: int) -> str:
        return "".join(self.choices(alphabet, k=length))

    def token_hex(self, nbytes: int) -> str:
        return f"{self.getrandbits(nbytes * 8):0{nbytes * 2}x}"

    def uuid4(self) -> str:
        """A version 4 UUID as ``str(uuid.uuid4())`` writes it."""
        h = f"{self.getrandbits(128) & 0xFFFFFFFFFFFF0FFF3FFFFFFFFFFFFFFF | 0x40008000000000000000:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


_process = Source()
os.register_at_fork(after_in_child=_process.seed)  # (a forked server worker or xdist worker draws its own)

#: The seeded source of the engine at work, if it has one (set by the engine around a call, and by an in-process
#: mock while it is active, so ids made outside a call, by fixtures and helpers, follow the seed too).
CURRENT: ContextVar[Optional[Source]] = ContextVar("mockecs_ids", default=None)


def source() -> Source:
    """The source the next made-up value comes from."""
    return CURRENT.get() or _process


@contextmanager
def using(chosen: Optional[Source]) -> Iterator[None]:
    """Make ``chosen`` current for the block (nothing changes when it is None: the process's source)."""
    if chosen is None:
        yield
        return
    token = CURRENT.set(chosen)
    try:
        yield
    finally:
        CURRENT.reset(token)
