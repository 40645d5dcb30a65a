"""What the Spark checks share: the input as keyed Parquet, the direct run they are checked
against, the comparison by key, and the Spark session."""

import argparse
import os
import pathlib
import subprocess
import sys
import time

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

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


def direct(zhvec_bin: str, path: pathlib.Path, out: pathlib.Path, vocab=None) -> tuple:
    """Times `zhvec embed -f npy` of the whole input and returns (seconds, rows)."""
    target = out / ("direct-vocab.npy" if vocab else "direct.npy")
    extra = ["--vocab", str(vocab)] if vocab else []
    start = time.perf_counter()
    subprocess.run([zhvec_bin, "embed", "-q", "-f", "npy", "-o", str(target), *extra, str(path)], check=True)
    return time.perf_counter() - start, np.load(target)


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


def verdict(bad: int, n: int) -> int:
    """Prints whether all n vectors matched the direct run; the exit status (1 on any difference)."""
    if bad:
        print(f"  FAILED: {bad} of {n} vectors differ from the direct run or are missing")
        return 1
    print(f"  every vector ({n} of {n}) equals the direct run, by key")
    return 0


def session(master: str, name: str, **conf):
    """A local Spark session with the UI and progress bars off, workers on this Python."""
    os.environ["PYSPARK_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.master(master)
        .appName(name)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
    )
    for key, value in conf.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def arguments(doc: str, zhvec_help: str, *extra) -> argparse.Namespace:
    """The options every check takes (--master, --input, --zhvec, --out), plus `extra`
    (name, keyword arguments) pairs; the output folder is created."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--master", required=True, help="Spark master, e.g. local[2]")
    ap.add_argument("--input", required=True, type=pathlib.Path, help="text file, one text per line")
    ap.add_argument("--zhvec", required=True, help=zhvec_help)
    ap.add_argument("--out", required=True, type=pathlib.Path, help="folder for the outputs")
    for name, options in extra:
        ap.add_argument(name, **options)
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    return args
