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

import pathlib
import sys
import time

import numpy as np

from sparkcheck import arguments, check, direct, read_lines, session, verdict, write_input

import zhvec
from zhvec import spark as zspark

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


def main() -> int:
    args = arguments(__doc__, "the zhvec binary for the direct run")

    lines = read_lines(args.input)
    direct_s, want = direct(args.zhvec, args.input, args.out)
    dim = zhvec.Embedder(threads=1).dim
    folder = write_input(lines, args.out)

    spark = session(args.master, "zhvec package check", **{"spark.sql.shuffle.partitions": "4"})
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
    return verdict(bad, n)


if __name__ == "__main__":
    sys.exit(main())
