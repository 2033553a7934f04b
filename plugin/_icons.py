"""The add-in's icons, drawn in code (a blue square with a white bar), so no binary is committed."""

from __future__ import annotations

import struct
import zlib
from functools import cache

BLUE = (0x1F, 0x4E, 0x79)
WHITE = (0xFF, 0xFF, 0xFF)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


@cache
def icon_png(size: int) -> bytes:
    """A size x size RGB PNG."""
    rows = []
    for y in range(size):
        row = bytearray([0])
        for x in range(size):
            in_bar = size * 0.3 <= x < size * 0.45 and size * 0.2 <= y < size * 0.8
            in_top = size * 0.3 <= x < size * 0.7 and size * 0.2 <= y < size * 0.35
            row += bytes(WHITE if in_bar or in_top else BLUE)
        rows.append(bytes(row))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + _chunk(b"IEND", b"")
    )
