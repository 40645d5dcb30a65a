#!/usr/bin/env python3
"""Throughput of zhvec.Embedder.embed against `zhvec embed -f npy`, in one run, alternating.

    python benches/embed_vs_cli.py --zhvec target/release/zhvec --input /dev/shm/h10.txt [--runs 7]

The CLI writes to /dev/shm/x.npy and is timed as a whole process (start-up and building
jieba's dictionary included). For Python, the texts are a list of str already in memory and the
Embedder is built before the clock starts (its build time is printed on its own); the rows are
checked to be bit-identical to the CLI's.
"""

import argparse
import os
import resource
import statistics
import subprocess
import time

import numpy as np

import zhvec


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--zhvec", required=True)
    ap.add_argument("--input", required=True)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--threads", type=int, default=None)
    args = ap.parse_args()
    with open(args.input, encoding="utf-8") as f:
        texts = f.read().removesuffix("\n").split("\n")
    start = time.perf_counter()
    embedder = zhvec.Embedder(threads=args.threads)
    build = time.perf_counter() - start
    cmd = [args.zhvec, "embed", "-q", "-f", "npy", "-o", "/dev/shm/x.npy", args.input]
    if args.threads:
        cmd += ["-j", str(args.threads)]
    cli, py, cli_cpu, py_cpu = [], [], [], []
    rows = None
    for i in range(args.runs):
        # One output of each alive at a time: 360k rows are 368 MB.
        rows = None
        start, before = time.perf_counter(), children_cpu()
        subprocess.run(cmd, check=True)
        cli.append(time.perf_counter() - start)
        cli_cpu.append(children_cpu() - before)
        if i + 1 < args.runs:
            os.unlink("/dev/shm/x.npy")
        start, before = time.perf_counter(), time.process_time()
        rows = embedder.embed(texts)
        py.append(time.perf_counter() - start)
        py_cpu.append(time.process_time() - before)
    n = len(texts)
    c, p = statistics.median(cli), statistics.median(py)
    print(f"{n} lines, {embedder.threads} threads, {args.runs} runs each, alternating")
    print(f"CLI    median {c:.3f} s (min {min(cli):.3f}, max {max(cli):.3f}), {n / c:,.0f} lines/s")
    print(f"Python median {p:.3f} s (min {min(py):.3f}, max {max(py):.3f}), {n / p:,.0f} lines/s"
          f" (+ {build:.3f} s to build the Embedder once)")
    print(f"CPU time (user + sys), median: CLI {statistics.median(cli_cpu):.3f} s, "
          f"Python {statistics.median(py_cpu):.3f} s")
    print(f"Python throughput = {c / p:.1%} of the CLI's", flush=True)
    want = np.load("/dev/shm/x.npy", mmap_mode="r")
    bits = lambda a: np.asarray(a).view(np.uint32)  # noqa: E731
    same = all((bits(rows[i : i + 4096]) == bits(want[i : i + 4096])).all() for i in range(0, n, 4096))
    print(f"rows bit-identical to the CLI's: {same}")
    os.unlink("/dev/shm/x.npy")


if __name__ == "__main__":
    main()
