"""What an instance's screen shows (GetInstanceScreenshot): a small baseline JPEG made here, no imaging library.

A Linux instance's screen is its text console: 80 columns by 25 rows of 8x16 pixels (640x400) holding the end of
its boot log (:mod:`mockecs.world.console`) and the cursor after the login prompt. mockecs ships no font: each
printed character is drawn as the empty box a terminal shows for a glyph it lacks, so the screen has the shape of
the text, not its letters. A Windows instance's screen is its sign-in screen: a blue field with a lighter panel.

The encoder writes a baseline (SOF0) YCbCr JPEG with 1x1 sampling, one flat quantisation table and Huffman tables
of its own (fixed-length codes: every DC category four bits, every AC symbol eight, as DHT allows); the screen is
made of a few kinds of 8x8 block, each transformed once, so a screenshot costs a few milliseconds.
"""
from __future__ import annotations

import math
import struct
from functools import lru_cache
from typing import Any, Mapping, Optional

from mockecs.world import console

COLUMNS, ROWS = 80, 25
CELL_W, CELL_H = 8, 16
WIDTH, HEIGHT = COLUMNS * CELL_W, ROWS * CELL_H
QUANT = 8  # every coefficient's quantiser (a flat table: sharp text, small files)
BLACK, GREY, WHITE = (0, 0, 0), (170, 170, 170), (235, 235, 235)
WINDOWS_BLUE, WINDOWS_PANEL = (0, 84, 166), (38, 118, 196)
# The zig-zag order of the 64 coefficients (JPEG's F.1.1.2)
ZIGZAG = sorted(range(64), key=lambda i: (i // 8 + i % 8, (i // 8) if (i // 8 + i % 8) % 2 else (i % 8)))


def of_instance(instance: Mapping[str, Any], image: Optional[Mapping[str, Any]]) -> bytes:
    """The JPEG of a running instance's screen."""
    if instance.get("OSType") == "windows":
        return _windows_screen()
    start = console.started_at(instance)
    text = console.without_symbols(console.boot_log(instance, image, start)[0]) if start is not None else ""
    return _text_screen(tuple(_screen_rows(text)))


def _screen_rows(text: str) -> list[str]:
    """The last ROWS rows of ``text`` as an 80-column terminal shows them (long lines wrap), the cursor last."""
    rows: list[str] = []
    for line in text.split("\n"):
        rows += [line[i:i + COLUMNS] for i in range(0, max(len(line), 1), COLUMNS)]
    rows[-1] = (rows[-1] + "_")[:COLUMNS]  # the cursor after the prompt
    return rows[-ROWS:]


@lru_cache(maxsize=64)
def _text_screen(rows: tuple[str, ...]) -> bytes:
    """A 640x400 console; each cell is two blocks (top, bottom)."""
    grid = [["blank"] * COLUMNS for _ in range(ROWS * 2)]
    for y, row in enumerate(rows):
        for x, char in enumerate(row):
            if char == "_" and y == len(rows) - 1 and x == len(row) - 1:
                grid[2 * y][x], grid[2 * y + 1][x] = "blank", "cursor"
            elif char.strip():
                grid[2 * y][x], grid[2 * y + 1][x] = "box_top", "box_bottom"
    return encode(WIDTH, HEIGHT, grid, _TEXT_BLOCKS)


@lru_cache(maxsize=1)
def _windows_screen() -> bytes:
    """1024x768: the sign-in screen's blue, a lighter panel in the middle."""
    columns, rows = 1024 // 8, 768 // 8
    grid = [["panel" if 48 <= x < 80 and 40 <= y < 56 else "field" for x in range(columns)] for y in range(rows)]
    return encode(1024, 768, grid, {"field": _solid(WINDOWS_BLUE), "panel": _solid(WINDOWS_PANEL)})


# -- blocks ------------------------------------------------------------------------------------------
Block = tuple[tuple[float, ...], tuple[float, ...], tuple[float, ...]]  # Y, Cb, Cr: 64 samples each


def _ycbcr(rgb: tuple[int, int, int]) -> tuple[float, float, float]:
    r, g, b = rgb
    return (0.299 * r + 0.587 * g + 0.114 * b, 128 - 0.168736 * r - 0.331264 * g + 0.5 * b,
            128 + 0.5 * r - 0.418688 * g - 0.081312 * b)


def _solid(rgb: tuple[int, int, int]) -> Block:
    y, cb, cr = _ycbcr(rgb)
    return (y,) * 64, (cb,) * 64, (cr,) * 64


def _drawn(pixels: str, ink: tuple[int, int, int], paper: tuple[int, int, int]) -> Block:
    """An 8x8 block from 8 rows of '#' (ink) and '.' (paper)."""
    colours = [_ycbcr(ink if p == "#" else paper) for p in pixels.replace("\n", "")]
    return tuple(c[0] for c in colours), tuple(c[1] for c in colours), tuple(c[2] for c in colours)


# The box a terminal draws for a character it has no glyph for, over the cell's two blocks
_BOX_TOP = "........\n........\n........\n.######.\n.#....#.\n.#....#.\n.#....#.\n.#....#."
_BOX_BOTTOM = ".#....#.\n.#....#.\n.#....#.\n.######.\n........\n........\n........\n........"
_CURSOR = "........\n........\n........\n........\n........\n........\n########\n########"
_TEXT_BLOCKS = {"blank": _solid(BLACK), "box_top": _drawn(_BOX_TOP, GREY, BLACK),
                "box_bottom": _drawn(_BOX_BOTTOM, GREY, BLACK), "cursor": _drawn(_CURSOR, WHITE, BLACK)}


@lru_cache(maxsize=16)
def _coded(block: Block) -> list[tuple[int, str]]:
    """Each component's quantised DC and its AC bits."""
    return [(c[0], _ac_bits(c)) for c in (_coefficients(s) for s in block)]


def _dc_bits(difference: int) -> str:
    size, extra = _bits(difference)
    return format(size, "04b") + extra


def _coefficients(samples: tuple[float, ...]) -> list[int]:
    """The quantised DCT of one 8x8 block of samples, in zig-zag order."""
    cos = [[math.cos((2 * x + 1) * u * math.pi / 16) for x in range(8)] for u in range(8)]
    out = [0] * 64
    for v in range(8):
        for u in range(8):
            total = sum((samples[y * 8 + x] - 128) * cos[u][x] * cos[v][y] for y in range(8) for x in range(8))
            scale = (1 / math.sqrt(2) if u == 0 else 1) * (1 / math.sqrt(2) if v == 0 else 1) / 4
            out[v * 8 + u] = round(total * scale / QUANT)
    return [out[i] for i in ZIGZAG]


# -- entropy coding ----------------------------------------------------------------------------------
def _bits(value: int) -> tuple[int, str]:
    """A coefficient's category and its extra bits (JPEG's F.1.2.1)."""
    size = abs(value).bit_length()
    if not size:
        return 0, ""
    return size, format(value if value > 0 else value + (1 << size) - 1, f"0{size}b")


def _ac_bits(coefficients: list[int]) -> str:
    """The AC part of a block: each symbol's fixed 8-bit code (the symbol's index in AC_SYMBOLS), its bits."""
    out, run = [], 0
    last = max((i for i in range(1, 64) if coefficients[i]), default=0)
    for value in coefficients[1:last + 1]:
        if not value:
            run += 1
            continue
        while run > 15:
            out.append(_AC_CODES[0xF0])
            run -= 16
        size, extra = _bits(value)
        out.append(_AC_CODES[(run << 4) | size] + extra)
        run = 0
    if last < 63:
        out.append(_AC_CODES[0x00])  # end of block
    return "".join(out)


AC_SYMBOLS = [0x00, 0xF0] + [(run << 4) | size for run in range(16) for size in range(1, 11)]
_AC_CODES = {symbol: format(n, "08b") for n, symbol in enumerate(AC_SYMBOLS)}  # 162 codes of 8 bits
DC_SYMBOLS = list(range(12))  # categories 0..11: codes of 4 bits


def _segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">HH", marker, len(payload) + 2) + payload


def _huffman_table(table_class: int, symbols: list[int], length: int) -> bytes:
    counts = [0] * 16
    counts[length - 1] = len(symbols)
    return bytes([table_class << 4]) + bytes(counts) + bytes(symbols)


def encode(width: int, height: int, grid: list[list[str]], blocks: Mapping[str, Block]) -> bytes:
    """A baseline JPEG of ``grid`` (rows of block names, each an 8x8 block of ``blocks``)."""
    coded = {name: _coded(block) for name, block in blocks.items()}
    # A block's bits depend only on it and the block before it (each component's DC is coded as the difference
    # from the previous block's): one string per pair of kinds.
    pairs = {(before, name): "".join(_dc_bits(dc - (coded[before][n][0] if before else 0)) + ac
                                     for n, (dc, ac) in enumerate(coded[name]))
             for before in (None, *coded) for name in coded}
    out, before = [], None
    for row in grid:
        for name in row:
            out.append(pairs[before, name])
            before = name
    bits = "".join(out)
    bits += "1" * (-len(bits) % 8)  # padded with ones (F.1.2.3)
    scan = int(bits, 2).to_bytes(len(bits) // 8, "big").replace(b"\xff", b"\xff\x00") if bits else b""
    frame = struct.pack(">BHHB", 8, height, width, 3) + b"".join(bytes([c, 0x11, 0]) for c in (1, 2, 3))
    return b"".join([
        b"\xff\xd8",
        _segment(0xFFE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"),
        _segment(0xFFDB, b"\x00" + bytes([QUANT] * 64)),
        _segment(0xFFC0, frame),
        _segment(0xFFC4, _huffman_table(0, DC_SYMBOLS, 4) + _huffman_table(1, AC_SYMBOLS, 8)),
        _segment(0xFFDA, b"\x03" + b"".join(bytes([c, 0x00]) for c in (1, 2, 3)) + b"\x00\x3f\x00"),
        scan,
        b"\xff\xd9",
    ])
