#!/usr/bin/env python3
"""Spark with the Python package: zhvec.spark.embed_column over a keyed Parquet input, checked
against a direct `zhvec embed -f npy` run, vector for vector, by key.

    package_check.py --master 'local[2]' --input FILE --zhvec BIN --out DIR

Writes DIR/input/ (key, text Parquet files), DIR/direct.npy, DIR/package.parquet (key, vector)
and DIR/noop.parquet, and prints the timings: the direct CLI run, the Spark job with the
package (the first, in which each Python worker builds its embedder, and a second one), and
the same job with an embed that does nothing but return zero rows of the same shape (Spark's
own cost: reading, Arrow transfer to Python and back, writing Parquet). The vectors checked
are those of the second package job.
Exits 1 when a vector differs or a key is missing.
"""

import argparse
import os
import pathlib
import subprocess
import sys
import time

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

import zhvec
from zhvec import spark as zspark

# Input files to write: Spark packs them into about one partition per core.
INPUT_FILES = 8


def read_lines(path: pathlib.Path) -> list:
    """The lines as `zhvec embed` cuts them: at `\\n`, a final `\\r` dropped, a byte order mark
    dropped from the first line."""
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data:
        return []
    lines = data.removesuffix(b"\n").split(b"\n")
    return [line.removesuffix(b"\r").decode("utf-8") for line in lines]


def write_input(lines: list, out: pathlib.Path) -> pathlib.Path:
    """(key, text) Parquet files, key = line number from 1."""
    folder = out / "input"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.parquet"):
        old.unlink()
    step = -(-len(lines) // INPUT_FILES) or 1
    for i, start in enumerate(range(0, len(lines), step)):
        part = lines[start : start + step]
        keys = np.arange(start + 1, start + 1 + len(part), dtype=np.int64)
        pq.write_table(pa.table({"key": keys, "text": part}), folder / f"part-{i:03d}.parquet")
    return folder


def direct(zhvec_bin: str, path: pathlib.Path, out: pathlib.Path) -> tuple:
    target = out / "direct.npy"
    start = time.perf_counter()
    subprocess.run([zhvec_bin, "embed", "-q", "-f", "npy", "-o", str(target), str(path)], check=True)
    return time.perf_counter() - start, np.load(target)


class NoEmbed:
    """An embedder that does nothing: zero rows of the real width."""

    def __init__(self, dim: int):
        self.dim = dim

    def embed(self, texts) -> np.ndarray:
        return np.zeros((len(texts), self.dim), dtype=np.float32)


def noop_column(df, dim: int):
    """embed_column's job with the embedding left out."""
    schema = zspark.embed_column(df, "text", "vector").schema

    def batches(it):
        fake = NoEmbed(dim)
        for batch in it:
            yield zspark._with_vectors(batch, fake, "text", "vector")

    return df.mapInArrow(batches, schema)


def timed_write(df, target: pathlib.Path) -> float:
    start = time.perf_counter()
    df.select("key", "vector").write.mode("overwrite").parquet(str(target))
    return time.perf_counter() - start


def check(target: pathlib.Path, want: np.ndarray) -> int:
    """The number of keys whose vector differs from `want[key - 1]`, or is missing or repeated."""
    table = pq.read_table(target)
    keys = table.column("key").to_numpy()
    vectors = table.column("vector").combine_chunks()
    n, dim = want.shape
    bad = 0
    if len(keys) != n or len(np.unique(keys)) != n or keys.min(initial=1) < 1 or keys.max(initial=n) > n:
        print(f"  keys: {len(keys)} rows, {len(np.unique(keys))} distinct, expected 1..{n}")
        bad += abs(n - len(np.unique(keys))) or 1
    if vectors.null_count:
        print(f"  {vectors.null_count} null vectors")
        bad += vectors.null_count
    lengths = np.diff(vectors.offsets.to_numpy())
    if (lengths != dim).any():
        print(f"  {(lengths != dim).sum()} vectors not of length {dim}")
        return bad + int((lengths != dim).sum())
    got = vectors.flatten().to_numpy(zero_copy_only=False).astype(np.float32, copy=False).reshape(-1, dim)
    order = np.argsort(keys, kind="stable")
    keys, got = keys[order], got[order]
    ok = keys[(keys >= 1) & (keys <= n)]
    same = (got[: len(ok)].view(np.uint32) == want[ok - 1].view(np.uint32)).all(axis=1)
    return bad + int((~same).sum())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--master", required=True, help="Spark master, e.g. local[2]")
    ap.add_argument("--input", required=True, type=pathlib.Path, help="text file, one text per line")
    ap.add_argument("--zhvec", required=True, help="the zhvec binary for the direct run")
    ap.add_argument("--out", required=True, type=pathlib.Path, help="folder for the outputs")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    lines = read_lines(args.input)
    direct_s, want = direct(args.zhvec, args.input, args.out)
    dim = zhvec.Embedder(threads=1).dim
    folder = write_input(lines, args.out)

    os.environ["PYSPARK_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master(args.master)
        .appName("zhvec package check")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    df = spark.read.parquet(str(folder))
    partitions = df.rdd.getNumPartitions()
    # A first job starts the Python workers and warms the JVM; it is not timed.
    timed_write(noop_column(df, dim), args.out / "warmup.parquet")
    noop_s = timed_write(noop_column(df, dim), args.out / "noop.parquet")
    package_s = timed_write(zspark.embed_column(df, "text", "vector"), args.out / "package.parquet")
    # Python workers are reused, so a second job finds each one's embedder built.
    again_s = timed_write(zspark.embed_column(df, "text", "vector"), args.out / "package.parquet")
    spark.stop()

    bad = check(args.out / "package.parquet", want)
    n = len(lines)
    print(f"{args.master}: {n} lines from {args.input}, {partitions} partitions, dim {dim}")
    print(f"  direct CLI (zhvec embed -f npy, all cores) {direct_s:8.3f} s")
    print(f"  Spark, package (embed_column)              {package_s:8.3f} s")
    print(f"  Spark, package again (embedders built)     {again_s:8.3f} s")
    print(f"  Spark, embed doing nothing                 {noop_s:8.3f} s")
    print(f"  embedding alone, second package job - nothing {again_s - noop_s:5.3f} s")
    if bad:
        print(f"  FAILED: {bad} of {n} vectors differ from the direct run or are missing")
        return 1
    print(f"  every vector ({n} of {n}) equals the direct run, by key")
    return 0


if __name__ == "__main__":
    sys.exit(main())
