"""zhvec.Embedder against the zhvec command line: same rows, bit for bit."""

import numpy as np
import pytest

import zhvec
from conftest import cli_npy, run

RECIPES = [
    {},
    {"weighting": "sif", "sif_a": 0.01},
    {"normalize": "all"},
    {"normalize": "channel", "channels": "char"},
    {"channels": "word", "normalize_text": "none"},
    {"normalize_text": "nfkc", "seg_dict": "vocab"},
]


def flags(options: dict) -> list:
    return [f"--{k.replace('_', '-')}={v}" for k, v in options.items()]


@pytest.fixture(scope="module")
def default():
    return zhvec.Embedder()


@pytest.mark.parametrize("options", RECIPES, ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()) or "default")
def test_rows_are_bit_identical_to_the_cli(cli, lines, lines_file, tmp_path, options):
    want = cli_npy(cli, lines_file, tmp_path, *flags(options))
    got = zhvec.Embedder(**options).embed(lines)
    assert got.shape == want.shape == (len(lines), want.shape[1])
    assert got.tobytes() == want.tobytes()


def test_rows_with_a_table_file_are_bit_identical_to_the_cli(cli, lines, lines_file, small_table, tmp_path):
    want = cli_npy(cli, lines_file, tmp_path, "--vocab", str(small_table))
    for vocab in (small_table, str(small_table), zhvec.Vocab(small_table)):
        got = zhvec.Embedder(vocab).embed(lines)
        assert got.tobytes() == want.tobytes()
    assert np.count_nonzero(want) > 0


def test_shape_dtype_and_layout(cli, default):
    rows = default.embed(["今天天气很好", "北京", ""])
    dim = int(run(cli, "embed", "--print-dim").stdout)
    assert default.dim == dim
    assert rows.shape == (3, dim) and rows.dtype == np.float32
    assert rows.flags["C_CONTIGUOUS"] and rows.flags["OWNDATA"] is not None
    assert not rows[2].any() and rows[0].any()


def test_empty_input_gives_no_rows(default):
    for empty in ([], (), iter([])):
        rows = default.embed(empty)
        assert rows.shape == (0, default.dim) and rows.dtype == np.float32


def test_rows_do_not_depend_on_threads(lines):
    runs = {n: zhvec.Embedder(threads=n).embed(lines).tobytes() for n in (1, 2, 4)}
    assert zhvec.Embedder(threads=3).threads == 3
    assert runs[1] == runs[2] == runs[4]


def test_a_text_with_line_breaks_is_one_row_with_spaces_for_breaks(cli, default, tmp_path):
    texts = ["北京\n天气很好", "北京\r\n天气很好", "北京\r天气很好", "\n", "今天\n\n天气"]
    rows = default.embed(texts)
    assert rows.shape == (5, default.dim)
    path = tmp_path / "spaced.txt"
    path.write_text("北京 天气很好\n \n今天 天气\n", encoding="utf-8")
    want = cli_npy(cli, path, tmp_path)
    for i in range(3):
        assert rows[i].tobytes() == want[0].tobytes()
    assert rows[3].tobytes() == want[1].tobytes() and not rows[3].any()
    assert rows[4].tobytes() == want[2].tobytes()
    assert default.segment("北京\n天气") == default.segment("北京 天气") == ["北京", "天气"]


def test_any_iterable_of_str_gives_the_rows_of_a_list(default, lines):
    want = default.embed(lines).tobytes()
    assert default.embed(line for line in lines).tobytes() == want
    assert default.embed(tuple(lines)).tobytes() == want
    assert default.embed(np.array(lines, dtype=object)).tobytes() == want


def test_texts_that_are_not_str_are_refused(default):
    with pytest.raises(TypeError, match="not a str"):
        default.embed("今天天气很好")
    with pytest.raises(TypeError, match=r"`texts\[1\]` must be a str, not int"):
        default.embed(["北京", 3])
    with pytest.raises(TypeError, match=r"`texts\[0\]` must be a str, not NoneType"):
        default.embed(iter([None]))
    with pytest.raises(UnicodeEncodeError):
        default.embed(["\ud800"])


@pytest.mark.parametrize(
    "options, message",
    [
        ({"threads": 0}, "`threads` must be at least 1"),
        ({"threads": -2}, "`threads` must be at least 1"),
        ({"sif_a": -1.0}, "`sif_a` must be a positive, finite number"),
        ({"sif_a": float("nan")}, "`sif_a` must be a positive, finite number"),
        ({"channels": "words"}, "`channels` is invalid: unknown channel"),
        ({"seg_dict": "hmm"}, '`seg_dict` must be "jieba" or "vocab", not "hmm"'),
        ({"weighting": "tfidf"}, '`weighting` must be "uniform" or "sif"'),
        ({"normalize": "l2"}, '`normalize` must be "none", "channel" or "all"'),
        ({"normalize_text": "nfc"}, "`normalize_text` is invalid"),
    ],
)
def test_bad_options_name_the_argument(options, message):
    with pytest.raises(ValueError) as err:
        zhvec.Embedder(**options)
    assert str(err.value).startswith(message)


def cli_error(cli, table) -> str:
    done = run(cli, "embed", "--vocab", str(table), input="北京\n".encode())
    assert done.returncode == 2
    return done.stderr.decode().strip().removeprefix("zhvec: ")


def test_a_missing_table_is_an_oserror_with_the_cli_message(cli, tmp_path):
    missing = tmp_path / "missing.zv"
    for make in (zhvec.Embedder, zhvec.Vocab):
        with pytest.raises(FileNotFoundError) as err:
            make(missing)
        assert isinstance(err.value, OSError)
        assert str(err.value) == cli_error(cli, missing)


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty"])
def test_a_bad_table_is_a_valueerror_with_the_cli_message(cli, small_table, tmp_path, damage):
    data = small_table.read_bytes()
    bad = tmp_path / f"{damage}.zv"
    bad.write_bytes({"truncated": data[: len(data) - 64], "garbage": b"x" * 4096, "empty": b""}[damage])
    for make in (zhvec.Embedder, zhvec.Vocab, lambda t: zhvec.segment("北京", vocab=t)):
        with pytest.raises(ValueError) as err:
            make(bad)
        assert str(err.value) == cli_error(cli, bad)


def test_vocab_arguments_of_a_wrong_type_are_refused():
    with pytest.raises(TypeError, match="`vocab` must be a path"):
        zhvec.Embedder(3)
