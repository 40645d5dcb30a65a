#!/usr/bin/env python3
"""Check that zhvec's output formats agree with each other and that numpy reads its .npy.

Runs `zhvec embed` on CORPUS with --format npy (to a file and to stdout), jsonl, tsv and f32,
and at --threads 1 against the default thread count, then checks:
  - numpy.load and numpy.load(mmap_mode='r') open the .npy: 2-D, little-endian float32,
    one row per input line, and both loads give the same numbers;
  - .npy written to stdout equals the one written with -o;
  - jsonl, tsv and f32 carry the same numbers as the .npy (exactly, or within 1e-6);
  - --threads 1 and the default thread count give identical rows in the same order.
jsonl rows may be bare arrays or objects holding one array; tsv rows may carry text
columns before the values (the last D numeric fields are taken).

Usage: check-formats.py --zhvec BIN --vocab VOCAB.zv CORPUS [-- EXTRA zhvec embed ARGS]
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

ATOL = 1e-6
RTOL = 1e-6
failures = []


def report(name, ok, detail=""):
    print("%-44s %s%s" % (name, "ok" if ok else "FAIL", ("  " + detail) if detail else ""))
    if not ok:
        failures.append(name)


def run_embed(args, fmt, out_path, threads=None):
    cmd = [args.zhvec, "embed", "--vocab", args.vocab, "--format", fmt, "--quiet", *args.extra]
    if threads is not None:
        cmd += ["--threads", str(threads)]
    cmd += [args.corpus]
    if out_path is None:
        proc = subprocess.run(cmd, capture_output=True)
        if proc.returncode != 0:
            raise RuntimeError("%s: exit %d: %s" % (" ".join(cmd), proc.returncode, proc.stderr.decode(errors="replace")))
        return proc.stdout
    proc = subprocess.run(cmd + ["-o", out_path], capture_output=True)
    if proc.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(cmd), proc.returncode, proc.stderr.decode(errors="replace")))
    return None


def parse_jsonl(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            obj = json.loads(line)
            if isinstance(obj, dict):
                arrays = [v for v in obj.values() if isinstance(v, list)]
                if len(arrays) != 1:
                    raise ValueError("jsonl object without exactly one array: %s" % line[:200])
                obj = arrays[0]
            rows.append(obj)
    return np.array(rows, dtype=np.float64)


def parse_tsv(path, dim):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\r\n")
            fields = re.split(r"[\t ,]+", line.strip())
            rows.append([float(x) for x in fields[len(fields) - dim :]])
    return np.array(rows, dtype=np.float64)


def compare(name, got, want):
    if got.shape != want.shape:
        report(name, False, "shape %s, npy %s" % (got.shape, want.shape))
        return
    exact = np.array_equal(got.astype(np.float32), want)
    diff = float(np.max(np.abs(got - want))) if got.size else 0.0
    ok = exact or np.allclose(got, want, rtol=RTOL, atol=ATOL)
    report(name, ok, "exact" if exact else "max abs diff %.3g" % diff)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--zhvec", default="target/release/zhvec")
    ap.add_argument("--vocab", required=True)
    ap.add_argument("corpus")
    ap.add_argument("extra", nargs="*", help="extra `zhvec embed` arguments, after --")
    args = ap.parse_args()

    with open(args.corpus, "rb") as f:
        data = f.read()
    n_lines = data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)

    tmp = tempfile.mkdtemp(prefix="zhvec-formats-")
    path = lambda name: os.path.join(tmp, name)
    try:
        run_embed(args, "npy", path("out.npy"))
        ref = np.load(path("out.npy"))
        mm = np.load(path("out.npy"), mmap_mode="r")
        report("numpy.load opens the .npy", True, "shape %s dtype %s" % (ref.shape, ref.dtype))
        report("numpy.load(mmap_mode='r') opens the .npy", isinstance(mm, np.memmap) and np.array_equal(np.asarray(mm), ref))
        report("dtype is little-endian float32", ref.dtype == np.dtype("<f4"), str(ref.dtype))
        report("2-D, one row per input line", ref.ndim == 2 and ref.shape[0] == n_lines, "%s rows vs %d lines" % (ref.shape, n_lines))
        report("C order", ref.flags["C_CONTIGUOUS"] and not np.isfortran(ref))
        report("all values finite", bool(np.isfinite(ref).all()))
        dim = ref.shape[1]

        stdout_npy = run_embed(args, "npy", None)
        with open(path("stdout.npy"), "wb") as f:
            f.write(stdout_npy)
        try:
            compare("npy on stdout equals npy with -o", np.load(path("stdout.npy")).astype(np.float64), ref)
        except Exception as e:  # noqa: BLE001 - report any reader error as a failure
            report("npy on stdout equals npy with -o", False, str(e))

        run_embed(args, "jsonl", path("out.jsonl"))
        compare("jsonl equals npy", parse_jsonl(path("out.jsonl")), ref)

        run_embed(args, "tsv", path("out.tsv"))
        compare("tsv equals npy", parse_tsv(path("out.tsv"), dim), ref)

        run_embed(args, "f32", path("out.f32"))
        raw = np.fromfile(path("out.f32"), dtype="<f4")
        ok_size = raw.size == ref.size
        report("f32 size is rows x dims x 4 bytes", ok_size, "%d floats vs %d" % (raw.size, ref.size))
        if ok_size:
            compare("f32 equals npy", raw.reshape(ref.shape).astype(np.float64), ref)

        run_embed(args, "npy", path("t1.npy"), threads=1)
        t1 = np.load(path("t1.npy"))
        report("--threads 1 equals default threads", np.array_equal(t1, ref))
    except Exception as e:  # noqa: BLE001
        report("running zhvec embed", False, str(e)[:500])
    finally:
        for name in os.listdir(tmp):
            os.remove(os.path.join(tmp, name))
        os.rmdir(tmp)

    print("check-formats: %s" % ("all ok" if not failures else "%d failed: %s" % (len(failures), ", ".join(failures))))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
