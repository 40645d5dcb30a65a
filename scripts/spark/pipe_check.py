#!/usr/bin/env python3
"""Spark with the CLI only: keyed lines through `rdd.pipe` to `zhvec embed --input-format tsv
-f tsv`, parsed into an array<float> column, checked against a direct `zhvec embed -f npy` run,
vector for vector, by key.

    pipe_check.py --master 'local[2]' --input FILE --zhvec BIN --out DIR [--vocab TABLE]

The key of a line is its line number (from 1). Writes DIR/input/ (key, text Parquet files),
DIR/direct.npy and DIR/pipe.parquet (key, vector), and prints the timings: the direct CLI run
and the Spark job. With --vocab, the table is shipped with sc.addFile and a second job,
DIR/shipped.parquet, finds it inside each task with SparkFiles.get and passes it through
ZHVEC_VOCAB. Exits 1 when a vector differs or a key is missing or repeated.
"""

import os
import pathlib
import subprocess
import sys
import threading
import time

import numpy as np

from sparkcheck import arguments, check, direct, read_lines, session, verdict, write_input

def keyed_line(row) -> str:
    # The text holds no newline: it was one line of the input.
    return f"{row.key}\t{row.text}"


def parse_row(line: str):
    """`key<TAB>v1<TAB>v2...` -> (key, [floats]). The values are the shortest text that reads
    back to the same float32, so float32(float(text)) is the value zhvec computed."""
    key, _, floats = line.partition("\t")
    vector = np.array(floats.split("\t"), dtype=np.float64).astype(np.float32)
    return int(key), vector.tolist()


def pipe_env() -> dict:
    """`pipe` gives the child exactly this environment (none at all by default). Spark already
    runs one task per core, so each zhvec uses one thread."""
    return {"ZHVEC_THREADS": "1"}


def embed_by_pipe(df, zhvec_bin: str):
    cmd = f"{zhvec_bin} embed -q --input-format tsv -f tsv"
    lines = df.rdd.map(keyed_line).pipe(cmd, env=pipe_env(), checkCode=True)
    return lines.map(parse_row)


def embed_shipped(df, zhvec_bin: str, name: str):
    """The same through a table shipped with sc.addFile: the path is looked up inside the task,
    where the file is, and handed over in ZHVEC_VOCAB."""

    def run(rows):
        from pyspark import SparkFiles

        env = dict(pipe_env(), ZHVEC_VOCAB=SparkFiles.get(name))
        cmd = [zhvec_bin, "embed", "-q", "--input-format", "tsv", "-f", "tsv"]
        proc = subprocess.Popen(cmd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE)

        def feed():
            with proc.stdin:
                for row in rows:
                    proc.stdin.write((keyed_line(row) + "\n").encode("utf-8"))

        writer = threading.Thread(target=feed)
        writer.start()
        for raw in proc.stdout:
            yield parse_row(raw.decode("utf-8").rstrip("\n"))
        writer.join()
        if proc.wait() != 0:
            raise RuntimeError(f"zhvec exited with {proc.returncode}")

    return df.rdd.mapPartitions(run)


def timed_write(spark, rows, target: pathlib.Path) -> float:
    from pyspark.sql.types import ArrayType, FloatType, LongType, StructField, StructType

    schema = StructType([StructField("key", LongType(), False), StructField("vector", ArrayType(FloatType(), False))])
    start = time.perf_counter()
    spark.createDataFrame(rows, schema).write.mode("overwrite").parquet(str(target))
    return time.perf_counter() - start


def main() -> int:
    args = arguments(
        __doc__,
        "the zhvec binary (an absolute path is used)",
        ("--vocab", {"type": pathlib.Path, "help": "also ship this table with sc.addFile"}),
    )
    zhvec_bin = os.path.abspath(args.zhvec)

    lines = read_lines(args.input)
    direct_s, want = direct(zhvec_bin, args.input, args.out, None)
    folder = write_input(lines, args.out)

    spark = session(args.master, "zhvec pipe check")
    df = spark.read.parquet(str(folder))
    partitions = df.rdd.getNumPartitions()
    # A first job starts the Python workers and warms the JVM; it is not timed.
    timed_write(spark, embed_by_pipe(df.limit(100), zhvec_bin), args.out / "warmup.parquet")
    pipe_s = timed_write(spark, embed_by_pipe(df, zhvec_bin), args.out / "pipe.parquet")
    shipped = None
    if args.vocab:
        spark.sparkContext.addFile(str(args.vocab.resolve()))
        shipped_s = timed_write(spark, embed_shipped(df, zhvec_bin, args.vocab.name), args.out / "shipped.parquet")
        _, want_vocab = direct(zhvec_bin, args.input, args.out, args.vocab)
        shipped = (shipped_s, check(args.out / "shipped.parquet", want_vocab))
    spark.stop()

    bad = check(args.out / "pipe.parquet", want)
    n = len(lines)
    print(f"{args.master}: {n} lines from {args.input}, {partitions} partitions, dim {want.shape[1]}")
    print(f"  direct CLI (zhvec embed -f npy, all cores) {direct_s:8.3f} s")
    print(f"  Spark, rdd.pipe (keyed tsv, to Parquet)    {pipe_s:8.3f} s")
    if shipped:
        print(f"  Spark, table shipped with sc.addFile       {shipped[0]:8.3f} s")
        if shipped[1]:
            print(f"  FAILED: {shipped[1]} of {n} vectors of the shipped table differ from the direct run")
        bad += shipped[1]
    return verdict(bad, n)


if __name__ == "__main__":
    sys.exit(main())
