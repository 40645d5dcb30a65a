"""zhvec.segment and zhvec.Vocab against the zhvec command line."""

import json

import numpy as np
import pytest

import zhvec
from conftest import read_lines, run


@pytest.mark.parametrize("options", [{}, {"normalize_text": "none"}, {"seg_dict": "vocab"}])
def test_segment_gives_the_tokens_of_the_cli(cli, lines, lines_file, options):
    flags = [f"--{k.replace('_', '-')}={v}" for k, v in options.items()]
    done = run(cli, "segment", *flags, str(lines_file))
    assert done.returncode == 0, done.stderr.decode()
    want = done.stdout.decode().removesuffix("\n").split("\n")
    assert len(want) == len(lines)
    embedder = zhvec.Embedder(**options)
    distinct = sorted(set(lines))
    got = {line: " ".join(embedder.segment(line)) for line in distinct}
    assert [got[line] for line in lines] == want
    # The function builds a segmenter for each text; it must cut as the whole dictionary does.
    for line in distinct:
        assert " ".join(zhvec.segment(line, **options)) == got[line]


def test_segment_with_a_table_file(cli, small_table, tmp_path):
    path = tmp_path / "one.txt"
    path.write_text("中国中文很好\n", encoding="utf-8")
    done = run(cli, "segment", "--seg-dict", "vocab", "--vocab", str(small_table), str(path))
    want = done.stdout.decode().split()
    assert zhvec.segment("中国中文很好", vocab=small_table, seg_dict="vocab") == want
    assert zhvec.segment("中国中文很好", vocab=zhvec.Vocab(small_table), seg_dict="vocab") == want


def test_vocab_matches_vocab_info(cli, small_table):
    for table, args in ((zhvec.Vocab(), []), (zhvec.Vocab(small_table), [str(small_table)])):
        info = json.loads(run(cli, "vocab", "info", "--json", *args).stdout)
        text = json.dumps(info)
        assert len(table) == len(table.words) and len(table.words) > 0 and len(table.chars) > 0
        assert str(len(table.words)) in text and str(len(table.chars)) in text
        assert table.dtype in text
        table.verify()


def test_vocab_vector_is_the_row_the_embedder_uses():
    table = zhvec.Vocab()
    assert "北京" in table and "北京" in table.words and "北京北京北京" not in table
    row = table.vector("北京")
    assert row.dtype == np.float32 and row.shape == (table.dim,)
    embedder = zhvec.Embedder(table, channels="word", normalize_text="none")
    assert embedder.segment("北京") == ["北京"]
    assert embedder.embed(["北京"])[0].tobytes() == row.tobytes()
    chars = zhvec.Embedder(table, channels="char", normalize_text="none")
    assert chars.embed(["京"])[0].tobytes() == table.vector("京", table="char").tobytes()
    assert table.vector("北京北京北京") is None and table.count("北京北京北京") is None
    assert table.count("北京") > 0
    with pytest.raises(ValueError, match="`table`"):
        table.vector("北京", table="words")
    assert embedder.vocab.words[:10] == table.words[:10]
