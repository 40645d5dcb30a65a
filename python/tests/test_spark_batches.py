"""zhvec.spark's Arrow conversion, without Spark: the batch mapInArrow gets and the one it returns."""

import numpy as np
import pytest

import zhvec
from zhvec import spark as zspark

pa = pytest.importorskip("pyarrow")


def test_a_batch_gets_its_vectors_as_a_list_column():
    embedder = zhvec.Embedder(threads=1)
    texts = ["北京今天天气很好", None, "", "臺灣的經濟發展"]
    batch = pa.RecordBatch.from_arrays(
        [pa.array([7, 8, 9, 10], pa.int64()), pa.array(texts), pa.array([1.0, 2.0, 3.0, 4.0])],
        names=["key", "title", "vector"],
    )
    out = zspark._with_vectors(batch, embedder, "title", "vector")
    # The old `vector` column is replaced; the others are kept in order.
    assert out.schema.names == ["key", "title", "vector"]
    assert out.column(0).to_pylist() == [7, 8, 9, 10] and out.column(1).to_pylist() == texts
    vectors = out.column(2)
    assert pa.types.is_list(vectors.type) and pa.types.is_float32(vectors.type.value_type)
    assert vectors.is_null().to_pylist() == [False, True, False, False]
    want = embedder.embed(["北京今天天气很好", "臺灣的經濟發展"])
    for i, row in ((0, want[0]), (3, want[1])):
        assert np.asarray(vectors[i].values).tobytes() == row.tobytes()
    assert not np.asarray(vectors[2].values).any() and len(vectors[2].values) == embedder.dim


def test_an_empty_batch_stays_empty():
    batch = pa.RecordBatch.from_arrays([pa.array([], pa.string())], names=["title"])
    out = zspark._with_vectors(batch, zhvec.Embedder(threads=1), "title", "vector")
    assert out.num_rows == 0 and out.schema.names == ["title", "vector"]


def test_embedders_are_built_once_per_options():
    key = zspark._options_key(1, {"normalize": "all"})
    assert zspark._embedder(key) is zspark._embedder(zspark._options_key(1, {"normalize": "all"}))
    assert zspark._embedder(key) is not zspark._embedder(zspark._options_key(1, {}))
    with pytest.raises(TypeError, match="`vocab` must be a path"):
        zspark._options_key(1, {"vocab": zhvec.Vocab()})
