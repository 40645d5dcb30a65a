#!/usr/bin/env python3
"""Write mixed-script copies of the dev pair sets, to measure how much traditional script and
full-width characters cost (and, later, what input normalization wins back).

Each input line is `s1<TAB>s2<TAB>gold`. In the copy, s1 and gold are unchanged and s2 is
converted to traditional script with OpenCC (opencc-python-reimplemented, the pin in
scripts/requirements.txt): Taiwan phrasing (s2twp) or Hong Kong characters (s2hk), half the
lines each. About a third of the converted second sentences also get full-width ASCII letters
and digits (A -> Ａ, 1 -> １). Both choices come from a hash of the line, so every run writes the
same files.

Usage: mixed-dev.py [--dev DIR] [-o DIR] [SET ...]
    SET defaults to stsb lcqmc bq pawsx afqmc (files DIR/SET-dev.tsv);
    -o defaults to $ZHVEC_CACHE/mixed-dev (ZHVEC_CACHE defaults to ~/.cache/zhvec).
Then e.g.: zhvec eval sts ~/.cache/zhvec/mixed-dev/stsb-dev.tsv
"""
import argparse
import hashlib
import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SETS = ["stsb", "lcqmc", "bq", "pawsx", "afqmc"]
PACKAGE = "opencc-python-reimplemented"


def fail(msg):
    print(f"mixed-dev.py: error: {msg}", file=sys.stderr)
    sys.exit(2)


def cache_dir():
    # Same default as CACHE in scripts/common.sh.
    return os.environ.get("ZHVEC_CACHE") or os.path.expanduser("~/.cache/zhvec")


def pinned_version():
    req = os.path.join(REPO, "scripts", "requirements.txt")
    with open(req, encoding="utf-8") as f:
        for line in f:
            if line.startswith(PACKAGE + "=="):
                return line.strip().split("==", 1)[1]
    fail(f"no pin for {PACKAGE} in {req}")


def converters():
    from importlib.metadata import PackageNotFoundError, version
    want = pinned_version()
    try:
        have = version(PACKAGE)
    except PackageNotFoundError:
        have = None
    if have != want:
        # The official `opencc` binding installs a module of the same name with other data.
        fail(f"needs {PACKAGE}=={want} (found {have or 'none'}): pip install {PACKAGE}=={want}")
    import opencc
    return {name: opencc.OpenCC(name) for name in ("s2twp", "s2hk")}


FULL_WIDTH = {c: chr(ord(c) + 0xFEE0) for c in
              "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"}


def full_width(s):
    return "".join(FULL_WIDTH.get(c, c) for c in s)


def mix_file(src, dst, conv):
    """Write the mixed copy of src to dst; return counts for the summary."""
    counts = {"pairs": 0, "s2twp": 0, "s2hk": 0, "full-width": 0, "changed": 0}
    out = []
    try:
        with open(src, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                line = line.rstrip("\n")
                fields = line.split("\t")
                if len(fields) != 3:
                    fail(f"{src}:{n}: expected s1<TAB>s2<TAB>gold, found {len(fields)} field(s)")
                s1, s2, gold = fields
                h = hashlib.sha256(line.encode("utf-8")).digest()
                name = "s2twp" if h[0] % 2 == 0 else "s2hk"
                t = conv[name].convert(s2)
                if h[1] % 3 == 0:
                    t = full_width(t)
                    counts["full-width"] += 1
                counts[name] += 1
                counts["pairs"] += 1
                counts["changed"] += t != s2
                out.append(f"{s1}\t{t}\t{gold}\n")
    except UnicodeDecodeError as e:
        fail(f"{src}: not UTF-8 ({e.reason} at byte {e.start})")
    except OSError as e:
        fail(f"{src}: {e.strerror}")
    tmp = dst + ".part"
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.writelines(out)
        os.replace(tmp, dst)
    except OSError as e:
        fail(f"{dst}: {e.strerror}")
    return counts


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("sets", nargs="*", metavar="SET", help="dev set names (default: all five)")
    ap.add_argument("--dev", default=os.path.join(REPO, "..", "shared", "data", "dev"),
                    help="directory of SET-dev.tsv (default: ../shared/data/dev beside the repo)")
    ap.add_argument("-o", "--out", help="output directory (default: $ZHVEC_CACHE/mixed-dev)")
    a = ap.parse_args()
    out_dir = a.out or os.path.join(cache_dir(), "mixed-dev")
    try:
        os.makedirs(out_dir, exist_ok=True)
    except OSError as e:
        fail(f"{out_dir}: {e.strerror}")
    conv = converters()
    for name in a.sets or SETS:
        src = os.path.join(a.dev, f"{name}-dev.tsv")
        dst = os.path.join(out_dir, f"{name}-dev.tsv")
        c = mix_file(src, dst, conv)
        try:
            print(f"{dst}: {c['pairs']} pairs, second sentence s2twp {c['s2twp']} / s2hk {c['s2hk']}, "
                  f"full-width {c['full-width']}, changed {c['changed']}", flush=True)
        except BrokenPipeError:
            # Quiet on a closed pipe; the files are already complete.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)


if __name__ == "__main__":
    main()
