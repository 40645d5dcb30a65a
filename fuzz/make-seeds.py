#!/usr/bin/env python3
"""Writes the seed inputs of the fuzz targets from testdata/ into fuzz/corpus/TARGET/.

Seeds are small (well under the fuzzers' length limit) and made fresh rather than stored:
- table_open: `.zv` tables written here from testdata/build/w2v.txt by an independent writer
  of the format of src/vocab/format.rs, in every dtype, without the 256 KiB character index
  (the target can append one; mode byte 0x04), with and without a character table;
- vectors_parse: every file of testdata/build/ under the option bytes that reach each reader,
  plus a word2vec binary file made from w2v.txt and a frequency list;
- embed_line: lines of testdata/headlines.txt and testdata/embed/mixed.txt, and a few
  hand-written ones (emoji, combining marks, invalid UTF-8), under several option bytes.

Usage: fuzz/make-seeds.py [CORPUS_DIR]   (default: fuzz/corpus next to this script)
"""
import gzip
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
DATA = os.path.join(REPO, "testdata")
M = (1 << 64) - 1

HEADER_LEN = 512
ALIGN = 64
NO_ROW = 0xFFFFFFFF


def rotl(x, r):
    return ((x << r) | (x >> (64 - r))) & M


def checksum(b):
    k = 0x9E3779B97F4A7C15
    lanes = [1, 2, 3, 4]
    n = len(b) // 32
    for i in range(n):
        for j in range(4):
            w = int.from_bytes(b[32 * i + 8 * j:32 * i + 8 * j + 8], "little")
            lanes[j] = rotl(((lanes[j] ^ w) * k) & M, 29)
    h = len(b)
    for lane in lanes:
        h = rotl(((h ^ lane) * k) & M, 31)
    for x in b[32 * n:]:
        h = rotl(((h ^ x) * k) & M, 23)
    return h ^ (h >> 29)


def name_hash(name):
    h = 0xCBF29CE484222325
    for c in name:
        h = ((h ^ c) * 0x100000001B3) & M
    h ^= h >> 33
    h = (h * 0xFF51AFD7ED558CCD) & M
    h ^= h >> 33
    h = (h * 0xC4CEB9FE1A85EC53) & M
    return h ^ (h >> 33)


def slot_capacity(n):
    cap = 1
    while cap < n + n // 2 + 1:
        cap *= 2
    return cap


def encode_rows(rows, dtype):
    """Vectors and scales sections of a table in dtype 0 (f32), 1 (f16) or 2 (int8)."""
    vec, scales = b"", b""
    for v in rows:
        if dtype == 0:
            vec += struct.pack("<%df" % len(v), *v)
        elif dtype == 1:
            vec += struct.pack("<%de" % len(v), *v)
        else:
            m = max(abs(x) for x in v)
            scale = struct.unpack("<f", struct.pack("<f", m / 127.0))[0] if m > 0 else 0.0
            q = [max(-127, min(127, round(x / scale))) if scale else 0 for x in v]
            vec += struct.pack("<%db" % len(q), *q)
            scales += struct.pack("<f", scale)
    return vec, scales


def table_sections(table, dtype):
    names = [n.encode() for n, _, _ in table]
    offsets, at = [0], 0
    for n in names:
        at += len(n)
        offsets.append(at)
    slots = [M] * slot_capacity(len(names))
    for i, n in enumerate(names):
        h = name_hash(n)
        s = h & (len(slots) - 1)
        while slots[s] != M:
            s = (s + 1) & (len(slots) - 1)
        slots[s] = i | (h >> 32) << 32
    vec, scales = encode_rows([v for _, v, _ in table], dtype)
    counts = b"".join(struct.pack("<Q", c) for _, _, c in table)
    return [b"".join(names), struct.pack("<%dI" % len(offsets), *offsets),
            struct.pack("<%dQ" % len(slots), *slots), vec, scales, counts]


def write_table(words, chars, dim, dtype):
    """A complete .zv file without the character index section."""
    body = bytearray(HEADER_LEN)
    sections = []

    def add(data):
        body.extend(b"\0" * (-len(body) % ALIGN))
        sections.append((len(body), len(data)))
        body.extend(data)

    add(b'{"source":"fuzz seed"}')
    for t in (words, chars):
        for s in table_sections(t, dtype):
            add(s)
    sections += [(0, 0), (0, 0)]  # CharBmp, Reserved
    body.extend(b"\0" * (-len(body) % ALIGN))
    single = any(len(n) == 1 for n, _, _ in words)
    h = bytearray(HEADER_LEN)
    struct.pack_into("<8sIIII", h, 0, b"ZHVECTAB", 1, HEADER_LEN, dtype, 0 if single else 1)
    struct.pack_into("<QQIIQQQQ", h, 24, len(words), len(chars), dim, dim,
                     sum(c for _, _, c in words), sum(c for _, _, c in chars),
                     len(body), checksum(bytes(body[HEADER_LEN:])))
    for i, (off, ln) in enumerate(sections):
        struct.pack_into("<QQ", h, 80 + 16 * i, off, ln)
    struct.pack_into("<Q", h, HEADER_LEN - 8, checksum(bytes(h[:HEADER_LEN - 8])))
    body[:HEADER_LEN] = h
    return bytes(body)


def read(path):
    with open(os.path.join(DATA, path), "rb") as f:
        return f.read()


def w2v_rows():
    lines = read("build/w2v.txt").decode().splitlines()
    rows = []
    for line in lines[1:]:
        f = line.split()
        rows.append((f[0], [float(x) for x in f[1:]]))
    return rows


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "corpus")
    seeds = {"table_open": [], "vectors_parse": [], "embed_line": []}

    rows = w2v_rows()
    words = [(n, v, 1000 // (i + 1)) for i, (n, v) in enumerate(rows) if len(n) > 1]
    chars = [(n, v, 500 // (i + 1)) for i, (n, v) in enumerate(rows) if len(n) == 1]
    chars.append(("e\u0301", [0.5] * len(rows[0][1]), 1))
    dim = len(rows[0][1])
    for dtype in (0, 1, 2):
        full = write_table(words, chars, dim, dtype)
        seeds["table_open"] += [b"\x00" + full, b"\x03" + full, b"\x07" + full]
    seeds["table_open"].append(b"\x03" + write_table(words, [], dim, 0))
    seeds["table_open"].append(b"\x0f" + write_table([], chars, dim, 2) + struct.pack("<HI", ord("A"), 0))

    # Format auto/text/glove/binary in bits 0-1; dtype in bits 2-3; gzip bit 4.
    for name, fmts in [("build/w2v.txt", (0, 1)), ("build/fasttext.vec", (0, 1)), ("build/glove.txt", (0, 2)),
                       ("build/w2v.txt.gz", (0,))]:
        for fmt in fmts:
            for dtype in (0, 1, 2):
                seeds["vectors_parse"].append(bytes([fmt | dtype << 2, 0]) + read(name))
    binary = ("%d %d\n" % (len(rows), dim)).encode()
    for n, v in rows:
        binary += n.encode() + b" " + struct.pack("<%df" % dim, *v) + b"\n"
    seeds["vectors_parse"] += [bytes([0, 0]) + binary, bytes([3 | 2 << 2, 0]) + binary, bytes([0x13, 0]) + binary]
    freq = read("build/dict.txt")
    seeds["vectors_parse"].append(bytes([0x80, len(freq)]) + read("build/w2v.txt") + freq)
    char_rows = b"2 3\n" + "京 1 1 1\n人 2 2 2\n".encode()
    seeds["vectors_parse"].append(bytes([0x80, 0x40 | len(char_rows)]) + read("build/w2v.txt") + char_rows)
    seeds["vectors_parse"].append(bytes([0x50, 0x09]) + read("build/w2v.txt"))
    seeds["vectors_parse"].append(bytes([0x20, 0]) + b"2 3\nok 1 2 3\nbad 1 x 3\n")

    lines = read("headlines.txt").decode().splitlines()[:12] + read("embed/mixed.txt").decode().splitlines()
    extra = ["北京天气很好", "e\u0301 café Zürich 👍🏽🇨🇳 ﾃｽﾄ", "  \t ", "iPhone15发布会，售价 5999 元！",
             "结婚的和尚未结婚的\r\n他来到了网易杭研大厦"]
    opts = [0x00, 0x04, 0x01, 0x05, 0x0A, 0x1E, 0x27, 0x43, 0x96, 0xE2]
    for i, line in enumerate(lines + extra):
        seeds["embed_line"].append(bytes([opts[i % len(opts)]]) + line.encode())
    seeds["embed_line"].append(b"\x00\xef\xbb\xbf\xe4\xb8\xad\xff\xfe\xe5\x9b\xbd\n\xe4\xb8")
    seeds["embed_line"].append(b"\x05" + "北京\n天气\n\n今天很好🙂".encode())

    for target, items in seeds.items():
        d = os.path.join(out, target)
        os.makedirs(d, exist_ok=True)
        for i, data in enumerate(items):
            with open(os.path.join(d, "seed-%03d" % i), "wb") as f:
                f.write(data)
        print("%s: %d seeds in %s" % (target, len(items), d))


if __name__ == "__main__":
    main()
