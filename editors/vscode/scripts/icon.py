#!/usr/bin/env python3
"""Draws the extension icon, images/icon.png (128x128 RGBA), with the standard library only.

A dark rounded square with three dots in the colours jwt.io gives a token's header, payload and
signature. Run it from editors/vscode after changing the drawing: python3 scripts/icon.py
"""
import struct
import sys
import zlib
from pathlib import Path

SIZE = 128
SAMPLES = 4  # supersampling per axis, for smooth edges
BACKGROUND = (0x1E, 0x22, 0x33)
DOTS = [((0xFB, 0x01, 0x5B), 30), ((0xD6, 0x3A, 0xFF), 64), ((0x00, 0xB9, 0xF1), 98)]  # colour, centre x
DOT_RADIUS = 15
CORNER = 24


def inside_rounded_square(x: float, y: float) -> bool:
    cx = min(max(x, CORNER), SIZE - CORNER)
    cy = min(max(y, CORNER), SIZE - CORNER)
    return (x - cx) ** 2 + (y - cy) ** 2 <= CORNER**2


def colour_at(x: float, y: float):
    if not inside_rounded_square(x, y):
        return None
    for colour, centre in DOTS:
        if (x - centre) ** 2 + (y - SIZE / 2) ** 2 <= DOT_RADIUS**2:
            return colour
    return BACKGROUND


def pixel(px: int, py: int) -> bytes:
    r = g = b = a = 0
    for sy in range(SAMPLES):
        for sx in range(SAMPLES):
            c = colour_at(px + (sx + 0.5) / SAMPLES, py + (sy + 0.5) / SAMPLES)
            if c:
                r, g, b, a = r + c[0], g + c[1], b + c[2], a + 1
    if a == 0:
        return bytes(4)
    return bytes((r // a, g // a, b // a, 255 * a // SAMPLES**2))


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png() -> bytes:
    rows = b"".join(b"\0" + b"".join(pixel(x, y) for x in range(SIZE)) for y in range(SIZE))
    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0)  # 8-bit RGBA, no interlace
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "images" / "icon.png")
    out.write_bytes(png())
    print(out)
