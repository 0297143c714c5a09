#!/usr/bin/env python3
"""Prints the number of strongly coloured pixels inside a rectangle of a PNG.

usage: png_plot_pixels.py FILE LEFT TOP WIDTH HEIGHT
Decodes 8-bit, non-interlaced RGB/RGBA/grey PNGs (what rsvg-convert writes) with zlib only.
A pixel counts when max(r,g,b) - min(r,g,b) > 50 and it is not transparent: chart series are
saturated colours, while background, grid, axes and text are white, grey or black.
"""
import struct
import sys
import zlib


def decode(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SystemExit("not a PNG")
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    width, height, depth, ctype, _, _, interlace = ihdr
    if depth != 8 or interlace != 0 or ctype not in (0, 2, 4, 6):
        raise SystemExit("unsupported PNG (depth %d, type %d, interlace %d)" % (depth, ctype, interlace))
    bpp = {0: 1, 2: 3, 4: 2, 6: 4}[ctype]
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev, i = [], bytearray(stride), 0
    for _ in range(height):
        f = raw[i]
        line = bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[x] = (line[x] + pr) & 255
        rows.append(line)
        prev = line
    return width, height, bpp, rows


def main():
    path = sys.argv[1]
    left, top, w, h = (int(float(v)) for v in sys.argv[2:6])
    width, height, bpp, rows = decode(path)
    count = 0
    for y in range(max(0, top), min(height, top + h)):
        row = rows[y]
        for x in range(max(0, left), min(width, left + w)):
            px = row[x * bpp:(x + 1) * bpp]
            if bpp < 3:
                continue
            if bpp == 4 and px[3] < 128:
                continue
            if max(px[:3]) - min(px[:3]) > 50:
                count += 1
    print(count)


if __name__ == "__main__":
    main()
