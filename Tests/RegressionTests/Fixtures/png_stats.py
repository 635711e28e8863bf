#!/usr/bin/env python3
"""Pixel statistics of an 8-bit RGB/RGBA PNG, standard library only (zlib), for the report test.

Usage: png_stats.py FILE [#rrggbb ...]
Prints JSON: width, height, non_white (share of pixels that are not near-white), colors (distinct
colours, capped), and for each colour given the number of pixels within a distance of 40 of it.
"""
import json, struct, sys, zlib

def decode(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and color in (2, 6) and interlace == 0, "only 8-bit RGB/RGBA, not interlaced"
            channels = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw, stride, rows, prev = zlib.decompress(idat), width * channels, [], bytearray(width * channels)
    for y in range(height):
        filt, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b, c = prev[i], prev[i - channels] if i >= channels else 0
            if filt == 1: line[i] = (line[i] + a) & 255
            elif filt == 2: line[i] = (line[i] + b) & 255
            elif filt == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif filt == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return width, height, channels, rows

def main():
    width, height, channels, rows = decode(sys.argv[1])
    wanted = [tuple(int(h[i:i + 2], 16) for i in (1, 3, 5)) for h in sys.argv[2:]]
    counts, non_white, colors = [0] * len(wanted), 0, set()
    for line in rows:
        for x in range(0, width * channels, channels):
            r, g, b = line[x], line[x + 1], line[x + 2]
            if r < 240 or g < 240 or b < 240: non_white += 1
            if len(colors) < 5000: colors.add((r, g, b))
            for k, (wr, wg, wb) in enumerate(wanted):
                if abs(r - wr) + abs(g - wg) + abs(b - wb) <= 40: counts[k] += 1
    print(json.dumps({"width": width, "height": height, "non_white": non_white / (width * height),
                      "colors": len(colors), "matches": dict(zip(sys.argv[2:], counts))}))

main()
