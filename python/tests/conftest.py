"""Shared fixtures: the zhvec command line to compare with, and inputs made from testdata/."""

import os
import pathlib
import subprocess

import numpy as np
import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
TESTDATA = REPO / "testdata"


@pytest.fixture(scope="session")
def cli() -> str:
    """The zhvec binary: $ZHVEC_BIN, else target/release/zhvec, else target/debug/zhvec."""
    for path in (os.environ.get("ZHVEC_BIN"), REPO / "target/release/zhvec", REPO / "target/debug/zhvec"):
        if path and os.access(path, os.X_OK):
            return str(path)
    pytest.fail("no zhvec binary: run `cargo build --release` or set ZHVEC_BIN")


def run(cli: str, *args: str, input: bytes = None) -> subprocess.CompletedProcess:
    return subprocess.run([cli, *args], input=input, capture_output=True, check=False)


def cli_npy(cli: str, path, tmp_path, *options: str) -> np.ndarray:
    """The rows `zhvec embed -f npy` writes for the file `path`."""
    out = tmp_path / "cli.npy"
    done = run(cli, "embed", "-f", "npy", "-q", "-o", str(out), *options, str(path))
    assert done.returncode == 0, done.stderr.decode()
    return np.load(out)


def read_lines(path) -> list:
    """The lines of a file as `zhvec` cuts them: at `\\n` only."""
    text = pathlib.Path(path).read_text(encoding="utf-8")
    return text.removesuffix("\n").split("\n") if text else []


@pytest.fixture(scope="session")
def lines() -> list:
    """1,200 lines: the test headlines, the mixed-script and emoji lines, 30 times."""
    text = read_lines(TESTDATA / "headlines.txt") + read_lines(TESTDATA / "normalize_text" / "mixed.txt")
    text += ["", "   ", "今天天气很好🙂", "ＮＢＡ２０１６ café Zürich", "臺灣的經濟發展"]
    return text * 30


@pytest.fixture(scope="session")
def lines_file(lines, tmp_path_factory) -> pathlib.Path:
    path = tmp_path_factory.mktemp("input") / "lines.txt"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def small_table(cli, tmp_path_factory) -> pathlib.Path:
    """A table built by `zhvec vocab build` from testdata/build/w2v.txt."""
    path = tmp_path_factory.mktemp("table") / "w2v.zv"
    done = run(cli, "vocab", "build", "--quiet", "--vectors", str(TESTDATA / "build/w2v.txt"), "-o", str(path))
    assert done.returncode == 0, done.stderr.decode()
    return path
