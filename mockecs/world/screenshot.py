"""What an instance's screen shows (GetInstanceScreenshot): a JPEG drawn with Pillow.

A Linux instance's screen is its text console: 80 columns by 25 rows of 8x16 pixels (640x400) holding the end of
its boot log (:mod:`mockecs.world.console`) and the cursor after the login prompt, one character per cell in
Pillow's built-in font. A Windows instance's screen is its sign-in screen: a blue field with a lighter panel
(1024x768). Pillow is imported on the first screenshot only (nothing else needs it); the same screen is drawn once
(``lru_cache``).
"""
from __future__ import annotations

import io
from functools import lru_cache
from typing import Any, Mapping, Optional

from mockecs.world import console

COLUMNS, ROWS = 80, 25
CELL_W, CELL_H = 8, 16
WIDTH, HEIGHT = COLUMNS * CELL_W, ROWS * CELL_H
BLACK, GREY, WHITE = (0, 0, 0), (170, 170, 170), (235, 235, 235)
WINDOWS_BLUE, WINDOWS_PANEL = (0, 84, 166), (38, 118, 196)


def of_instance(instance: Mapping[str, Any], image: Optional[Mapping[str, Any]]) -> bytes:
    """The JPEG of a running instance's screen."""
    if instance.get("OSType") == "windows":
        return _windows_screen()
    start = console.started_at(instance)
    text = console.without_symbols(console.boot_log(instance, image, start)[0]) if start is not None else ""
    return _text_screen(tuple(_screen_rows(text)))


def _screen_rows(text: str) -> list[str]:
    """The last ROWS rows of ``text`` as an 80-column terminal shows them (long lines wrap)."""
    rows: list[str] = []
    for line in text.split("\n"):
        rows += [line[i:i + COLUMNS] for i in range(0, max(len(line), 1), COLUMNS)]
    return rows[-ROWS:]


def _jpeg(picture: Any) -> bytes:
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=85)
    return out.getvalue()


@lru_cache(maxsize=64)
def _text_screen(rows: tuple[str, ...]) -> bytes:
    """A 640x400 console: the rows in grey on black, the cursor (a white bar) after the last one."""
    from PIL import Image, ImageDraw, ImageFont  # (the first screenshot pays the import, no other call)

    picture = Image.new("RGB", (WIDTH, HEIGHT), BLACK)
    draw = ImageDraw.Draw(picture)
    font = ImageFont.load_default()
    for y, row in enumerate(rows):  # (one character per 8x16 cell, as a text console shows them)
        for x, char in enumerate(row):
            if not char.isspace():
                draw.text((x * CELL_W, y * CELL_H + 2), char, fill=GREY, font=font)
    cursor_x, cursor_y = min(len(rows[-1]) if rows else 0, COLUMNS - 1) * CELL_W, max(len(rows) - 1, 0) * CELL_H
    draw.rectangle((cursor_x, cursor_y + 12, cursor_x + CELL_W - 1, cursor_y + CELL_H - 1), fill=WHITE)
    return _jpeg(picture)


@lru_cache(maxsize=1)
def _windows_screen() -> bytes:
    """1024x768: the sign-in screen's blue, a lighter panel in the middle."""
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (1024, 768), WINDOWS_BLUE)
    ImageDraw.Draw(picture).rectangle((384, 320, 639, 447), fill=WINDOWS_PANEL)
    return _jpeg(picture)
