"""CRC-64/ECMA-182 as OSS computes it (``x-oss-hash-crc64ecma``): the reflected polynomial, all-ones initial value
and final XOR (CRC-64/XZ; ``crc64(b"123456789") == 0x995DC9BBDF1939FA``).

``crcmod`` (C extension; the ``oss`` extra, and what oss2 itself depends on) computes it when installed; otherwise a
table in pure Python does (correct, about 100 times slower). :func:`combine` gives the CRC of two concatenated
pieces from their CRCs (multipart uploads, runs of zeros) without their bytes, as zlib's ``crc32_combine``.
"""
from __future__ import annotations

import importlib
from functools import lru_cache
from typing import Callable

_POLY = 0xC96C5795D7870F42  # ECMA-182, reflected
_MASK = 0xFFFFFFFFFFFFFFFF


def _python_crc() -> Callable[[bytes, int], int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ _POLY if crc & 1 else crc >> 1
        table.append(crc)

    def update(data: bytes, crc: int = 0) -> int:
        crc ^= _MASK
        for byte in data:
            crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
        return crc ^ _MASK

    return update


@lru_cache(maxsize=1)
def _function() -> Callable[[bytes, int], int]:
    """crcmod's C function when installed (imported on the first CRC: not at ``import mockecs``), else Python's."""
    try:
        crcmod = importlib.import_module("crcmod")
    except ImportError:  # pragma: no cover - exercised where crcmod is absent
        return _python_crc()
    return crcmod.mkCrcFun(0x142F0E1EBA9EA3693, initCrc=0, xorOut=_MASK, rev=True)


def crc64(data: bytes, crc: int = 0) -> int:
    """The CRC of ``data``; ``crc`` is the CRC of what came before it (0 for nothing)."""
    return _function()(data, crc) if data else crc


def _times(matrix: list[int], vector: int) -> int:
    total, row = 0, 0
    while vector:
        if vector & 1:
            total ^= matrix[row]
        vector >>= 1
        row += 1
    return total


def _square(matrix: list[int]) -> list[int]:
    return [_times(matrix, matrix[n]) for n in range(64)]


@lru_cache(maxsize=1)
def _byte_operators() -> list[list[int]]:
    """The operators that append 2**k zero bytes to a CRC's register, k = 0..63."""
    one_bit = [_POLY] + [1 << n for n in range(63)]
    operator = _square(_square(_square(one_bit)))  # 8 zero bits
    operators = [operator]
    for _ in range(63):
        operator = _square(operator)
        operators.append(operator)
    return operators


def combine(crc1: int, crc2: int, length2: int) -> int:
    """The CRC of ``A + B`` from ``crc1`` (of A), ``crc2`` (of B) and ``len(B)``."""
    operators = _byte_operators()
    k = 0
    while length2:
        if length2 & 1:
            crc1 = _times(operators[k], crc1)
        length2 >>= 1
        k += 1
    return crc1 ^ crc2


@lru_cache(maxsize=64)
def zeros(length: int) -> int:
    """The CRC of ``length`` zero bytes (by doubling: no bytes are hashed beyond one)."""
    if length == 0:
        return 0
    if length == 1:
        return crc64(b"\0")
    half = zeros(length // 2)
    crc = combine(half, half, length // 2)
    return combine(crc, crc64(b"\0"), 1) if length & 1 else crc
