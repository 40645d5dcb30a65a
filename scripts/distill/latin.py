"""Give Latin tokens (ASCII words, numbers, letters, digits) rows in a zhvec table.

The distilled table has rows only for Han words and characters, so a token such as
`iPhone`, `NBA`, `5G` or `2016` contributes nothing to a line's vector. This step needs
no teacher: a Latin token's row is built in the table's own space from the lines it
occurs in.

  1. Strip any row whose name contains an ASCII letter or digit (so a rerun on an
     installed table starts from the same Han-only table) and pack that base table.
  2. Segment and embed the training text with zhvec itself and the base table: the
     sentence files of ../shared/data/corpus/sentences and the headlines
     (ZHVEC_HEADLINES, as in build-default-vocab); ZHVEC_CORPUS overrides the
     corpus directory. The base table has no Latin rows,
     so each line's vector already leaves out the Latin tokens' own contribution.
  3. Words: the --words most frequent tokens (at least --min-count occurrences) of two
     or more code points that contain an ASCII letter or digit and are otherwise
     ASCII alphanumerics or Han (`NBA`, `2016`, `5G`, `T恤`). Row = mean of the word-channel
     halves of the lines containing the token, minus the mean over all lines, scaled to
     the median norm of the table's Han words of similar frequency, times
     n / (n + --shrink) for a token seen in n lines.
  4. Characters: the 62 ASCII letters and digits. Row = the same centred mean over the
     character-channel halves of the lines containing the character, scaled to
     --char-norm times the median norm of the Han character rows. These make an
     unknown Latin token (`ABC123`) fall back to its letters and digits.
  5. Frequencies: a token's count in the text times the ratio of jieba's counts to the
     text's counts over the table's words (the jieba scale of the other rows).
  6. Write word2vec binary + frequency file with every existing row unchanged (int8 rows
     dequantize and quantize back bit for bit) and pack with `zhvec vocab build`, which
     records the text normalization the table asks for (--normalize-text; by default what
     the input table records). The text of steps 2-5 is taken as written
     (`--normalize-text none`), as it was for the shipped rows.

The defaults are the shipped choice; the variants measured on dev are in vocab/README.md.

Usage: latin.py --table vocab/default.zv --zhvec target/release/zhvec [--normalize-text nfkc,t2s] [--install]
Everything is written to $ZHVEC_CACHE; --install copies the result over --table.
"""
import argparse
import glob
import json
import os
import re
import shutil
import struct
import subprocess
from collections import Counter

import numpy as np

import common

LATIN = re.compile(r"[A-Za-z0-9]")
TOKEN = re.compile(r"^[A-Za-z0-9\u4e00-\u9fff]+$")
ALNUM = [chr(c) for c in range(0x30, 0x3A)] + [chr(c) for c in range(0x41, 0x5B)] + [chr(c) for c in range(0x61, 0x7B)]
SECTIONS = ["meta", "wstr", "woff", "wslots", "wvec", "wscale", "wcount",
            "cstr", "coff", "cslots", "cvec", "cscale", "ccount", "bmp", "reserved"]
# Above this many words the word index doubles (load factor 2/3 of 131,072 slots).
MAX_WORDS = 87381


def read_zv(path):
    """Names, dequantized rows and counts of an int8 .zv table (src/vocab/format.rs)."""
    b = open(path, "rb").read()
    if b[:8] != b"ZHVECTAB":
        raise SystemExit(f"{path}: not a zhvec table")
    dtype, _flags, nw, nc, dim, cdim = struct.unpack_from("<IIQQII", b, 16)
    if dtype != 2:
        raise SystemExit(f"{path}: expected an int8 table")
    sec = {name: struct.unpack_from("<QQ", b, 80 + 16 * i) for i, name in enumerate(SECTIONS)}

    def get(name, dt):
        off, ln = sec[name]
        return np.frombuffer(b, dtype=dt, count=ln // np.dtype(dt).itemsize, offset=off)

    out = {}
    for p, n, d in (("w", nw, dim), ("c", nc, cdim)):
        s = get(p + "str", np.uint8).tobytes()
        off = get(p + "off", "<u4")
        names = [s[off[i]:off[i + 1]].decode() for i in range(n)]
        q = get(p + "vec", np.int8).reshape(n, d)
        v = q.astype(np.float32) * get(p + "scale", "<f4")[:, None]
        out[p] = (names, v, get(p + "count", "<u8").astype(np.int64))
    off, ln = sec["meta"]
    out["meta"] = json.loads(b[off:off + ln])
    return out


def strip_latin(t):
    # Character counts first: the Latin words being dropped added theirs to Han characters.
    t["own"] = own_char_counts(t)
    for p in "wc":
        names, v, cnt = t[p]
        keep = [i for i, n in enumerate(names) if not LATIN.search(n)]
        t[p] = ([names[i] for i in keep], v[keep], cnt[keep])
    return t


def own_char_counts(t):
    """The per-character counts of the frequency file: `vocab build` adds each word's
    count to its characters, so subtract what the table's words added."""
    own = dict(zip(t["c"][0], (int(x) for x in t["c"][2])))
    for w, x in zip(t["w"][0], t["w"][2]):
        for ch in w:
            if ch in own:
                own[ch] -= int(x)
    return own


# Metadata keys `zhvec vocab build` writes itself; any other key of the input table
# (teacher, corpus sizes, recipe) is carried over with --meta.
OWN_META = ("build", "stats", "source", "normalize_text")


def pack(zhvec, t, extra_words, extra_chars, stem, source, normalize_text="none"):
    """Write `stem.bin` (word2vec binary) and `stem.freq`, build `stem.zv`."""
    own = t["own"]
    rows, freqs = [], []
    for p, extra in (("w", extra_words), ("c", extra_chars)):
        names, v, cnt = t[p]
        for i, n in enumerate(names):
            rows.append((n, v[i]))
            c = int(cnt[i]) if p == "w" else own[n]
            if c > 0:
                freqs.append((n, c))
        for n, vec, c in extra:
            rows.append((n, vec))
            freqs.append((n, c))
    dim = t["w"][1].shape[1]
    with open(stem + ".bin", "wb") as f:
        f.write(f"{len(rows)} {dim}\n".encode())
        for n, v in rows:
            f.write(n.encode() + b" " + np.asarray(v, "<f4").tobytes() + b"\n")
    with open(stem + ".freq", "w", encoding="utf-8") as f:
        for n, c in freqs:
            f.write(f"{n} {c}\n")
    extra = {k: v for k, v in t["meta"].items() if k not in OWN_META}
    with open(stem + ".meta.json", "w", encoding="utf-8") as f:
        json.dump(extra, f, ensure_ascii=False)
    subprocess.run([zhvec, "vocab", "build", "-q", "--vectors", stem + ".bin", "--freq", stem + ".freq",
                    "--dtype", "int8", "--source", source, "--normalize-text", normalize_text,
                    "--meta", stem + ".meta.json", "-o", stem + ".zv"], check=True)
    return stem + ".zv"


def text_files(repo):
    shared = os.environ.get("ZHVEC_CORPUS") or os.path.join(repo, "..", "shared", "data", "corpus")
    files = sorted(glob.glob(os.path.join(shared, "sentences", "*.txt")))
    headlines = os.environ.get("ZHVEC_HEADLINES") or os.path.join(shared, "headlines-nlpcc2017.txt")
    if os.path.exists(headlines):
        files.append(headlines)
    if not files:
        raise SystemExit(f"no training text under {shared}")
    return files


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--table", required=True, help="input table (Latin rows, if any, are replaced)")
    ap.add_argument("--zhvec", required=True)
    ap.add_argument("--words", type=int, default=MAX_WORDS, help="total word rows after adding")
    ap.add_argument("--min-count", type=int, default=10)
    ap.add_argument("--shrink", type=float, default=5.0)
    ap.add_argument("--word-norm", type=float, default=1.0, help="factor on the word-row norms")
    ap.add_argument("--numbers", type=float, default=1.0,
                    help="further factor on the word rows of all-digit tokens; 0 leaves them out")
    ap.add_argument("--char-norm", type=float, default=0.02, help="0 adds no character rows")
    ap.add_argument("--no-centre", action="store_true")
    ap.add_argument("--out", default=None, help="output stem (default $ZHVEC_CACHE/latin)")
    ap.add_argument("--normalize-text", default=None,
                    help="text normalization the table asks for (default: what --table records)")
    ap.add_argument("--install", action="store_true", help="copy the result over --table")
    a = ap.parse_args()

    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    cd = common.cache_dir()
    t = strip_latin(read_zv(a.table))
    source = t["meta"].get("source", "")
    normalize_text = a.normalize_text or t["meta"].get("normalize_text", "none")
    if "Latin tokens" not in source:
        source += "; Latin tokens from their contexts (scripts/distill/latin.py)"
    base = pack(a.zhvec, t, [], [], os.path.join(cd, "latin-base"), source)

    # Segment and embed the text with the base table.
    text = os.path.join(cd, "latin-text.txt")
    with open(text, "wb") as out:
        for f in text_files(repo):
            with open(f, "rb") as src:
                shutil.copyfileobj(src, out)
    seg = subprocess.run([a.zhvec, "segment", "--normalize-text", "none", text],
                         check=True, capture_output=True, text=True).stdout
    lines = seg.split("\n")
    npy = os.path.join(cd, "latin-text.npy")
    subprocess.run([a.zhvec, "embed", "--vocab", base, "--normalize-text", "none", "-f", "npy", "-o", npy, text],
                   check=True)
    E = np.load(npy, mmap_mode="r")
    n_lines = E.shape[0]
    if lines[-1] == "":
        lines.pop()
    if len(lines) != n_lines:
        raise SystemExit(f"{text}: {len(lines)} segmented lines but {n_lines} vectors")
    dim = t["w"][1].shape[1]

    # Lines of each Latin token and character.
    occ = Counter()
    chars = Counter()
    where = {}
    for i, line in enumerate(lines):
        seen = set()
        for tok in line.split(" "):
            if LATIN.search(tok) and TOKEN.match(tok):
                occ[tok] += 1
                seen.add(tok)
                for ch in tok:
                    if LATIN.match(ch):
                        chars[ch] += 1
                        seen.add(ch)
        for k in seen:
            where.setdefault(k, []).append(i)
    room = max(0, min(a.words, MAX_WORDS) - len(t["w"][0]))
    cands = sorted((k for k, n in occ.items() if len(k) >= 2 and n >= a.min_count
                    and (a.numbers > 0 or not k.isdigit())), key=lambda k: (-occ[k], k))
    chosen = cands[:room]

    # Jieba scale: table words' jieba counts over their counts in the text.
    text_count = Counter(tok for line in lines for tok in line.split(" "))
    wn, wv, wc = t["w"]
    in_text = np.array([text_count.get(w, 0) for w in wn], dtype=np.float64)
    ratio = wc[in_text > 0].sum() / in_text.sum()
    log_wc = np.log(wc.astype(np.float64))
    w_norm = np.linalg.norm(wv, axis=1)
    c_norm = float(np.median(np.linalg.norm(t["c"][1], axis=1)))

    def direction(rows, half):
        m = np.asarray(E[rows, half], dtype=np.float64).mean(0)
        if not a.no_centre:
            m -= centre[half.start]
        return m / max(np.linalg.norm(m), 1e-12)

    centre = {}
    W, C = slice(0, dim), slice(dim, 2 * dim)
    for half in (W, C):
        acc = np.zeros(dim)
        for s in range(0, n_lines, 65536):
            acc += np.asarray(E[s:s + 65536, half], dtype=np.float64).sum(0)
        centre[half.start] = acc / n_lines

    extra_words = []
    for k in chosen:
        count = max(1, int(round(occ[k] * ratio)))
        near = np.abs(log_wc - np.log(count)) <= np.log(2)
        norm = float(np.median(w_norm[near])) if near.sum() >= 20 else float(np.median(w_norm))
        norm *= a.word_norm * (a.numbers if k.isdigit() else 1.0)
        n = len(where[k])
        extra_words.append((k, (direction(where[k], W) * norm * n / (n + a.shrink)).astype(np.float32), count))
    extra_chars = []
    if a.char_norm > 0:
        for ch in ALNUM:
            rows = where.get(ch, [])
            if not rows:
                continue
            n = len(rows)
            vec = direction(rows, C) * c_norm * a.char_norm * n / (n + a.shrink)
            extra_chars.append((ch, vec.astype(np.float32), max(1, int(round(chars[ch] * ratio)))))

    stem = a.out or os.path.join(cd, "latin")
    out = pack(a.zhvec, t, extra_words, extra_chars, stem, source, normalize_text)
    print(f"{out}: {len(extra_words)} Latin words, {len(extra_chars)} letters and digits; "
          f"jieba/text count ratio {ratio:.2f}")
    with open(stem + ".words.txt", "w", encoding="utf-8") as f:
        for n, _, c in extra_words + extra_chars:
            f.write(f"{n} {c}\n")
    if a.install:
        tmp = a.table + ".tmp"
        shutil.copyfile(out, tmp)
        os.replace(tmp, a.table)
        print(f"installed {a.table}")


if __name__ == "__main__":
    main()
