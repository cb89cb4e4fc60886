"""RSA keys for CreateKeyPair, made ahead of need.

A 2048-bit RSA key takes 45-90 ms to generate. CreateKeyPair runs in the request's store transaction,
so generating it there held the store (every other request) for that long. :func:`rsa_key` hands out a
key generated beforehand on a background thread (OpenSSL releases the GIL meanwhile) and has the next
ones made; only when none is ready (the first key, or a burst) is one generated on the spot.
Each key is handed out once.
"""
from __future__ import annotations

import os
import threading
from collections import deque
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import rsa

READY = 2  # keys kept ready: a burst of creates beyond this generates inline
BITS = 2048

_lock = threading.Lock()
_ready: deque[rsa.RSAPrivateKey] = deque()
_worker: Optional[threading.Thread] = None


def _generate() -> rsa.RSAPrivateKey:
    from cryptography.hazmat.primitives.asymmetric import rsa  # ~15 ms to import: only once a key is asked for

    return rsa.generate_private_key(public_exponent=65537, key_size=BITS)


def _fill() -> None:
    global _worker
    while True:
        with _lock:
            if len(_ready) >= READY:
                _worker = None
                return
        key = _generate()
        with _lock:
            _ready.append(key)


def rsa_key() -> rsa.RSAPrivateKey:
    """A fresh 2048-bit RSA private key (never handed out before); starts refilling the pool."""
    global _worker
    with _lock:
        key = _ready.popleft() if _ready else None
        if _worker is None or not _worker.is_alive():
            _worker = threading.Thread(target=_fill, name="mockecs-keygen", daemon=True)
            _worker.start()
    return key if key is not None else _generate()


def _after_fork() -> None:  # a forked server worker starts with its own (empty) pool and no thread
    global _lock, _worker
    _lock, _worker = threading.Lock(), None
    _ready.clear()


os.register_at_fork(after_in_child=_after_fork)
