"""Spark: a DataFrame string column to an ``array<float>`` vector column, on the executors.

>>> from zhvec.spark import embed_column
>>> out = embed_column(df, "title", output_col="vector", vocab="/data/tencent.zv")

Needs pyspark and pyarrow (``pip install 'zhvec[spark]'``), and the package installed where the
executors' Python runs. Each executor Python process builds one ``Embedder`` per set of options
and keeps it for every task it runs; batches go through ``mapInArrow``, with the vectors written
into an Arrow list array straight from the embedder's float32 buffer (no Python object per
float).
"""

from __future__ import annotations

import os
import threading
from typing import Any, Dict, Iterator, Tuple

from ._zhvec import Embedder

__all__ = ["embed_column"]

# One embedder per executor process and options: building one loads the segmenter's dictionary.
_EMBEDDERS: Dict[Tuple[Tuple[str, Any], ...], Embedder] = {}
_LOCK = threading.Lock()


def _embedder(key: Tuple[Tuple[str, Any], ...]) -> Embedder:
    embedder = _EMBEDDERS.get(key)
    if embedder is None:
        with _LOCK:
            embedder = _EMBEDDERS.get(key)
            if embedder is None:
                embedder = _EMBEDDERS[key] = Embedder(**dict(key))
    return embedder


def _options_key(threads: int, options: Dict[str, Any]) -> Tuple[Tuple[str, Any], ...]:
    vocab = options.get("vocab")
    if vocab is not None:
        if not isinstance(vocab, (str, os.PathLike)):
            raise TypeError(f"`vocab` must be a path (str or os.PathLike) or None, not {type(vocab).__name__}")
        options = {**options, "vocab": os.fspath(vocab)}
    return tuple(sorted({**options, "threads": threads}.items()))


def embed_column(df: Any, input_col: str, output_col: str = "vector", *, threads: int = 1, **options: Any) -> Any:
    """``df`` with a column ``output_col`` (``array<float>``) holding the vector of each text of
    the string column ``input_col``: row for row the vectors of ``zhvec.Embedder(**options)``,
    and of ``zhvec embed``. A null text gets a null vector. An existing ``output_col`` is
    replaced; every other column is kept, so a key column stays tied to its vector.

    Args:
        df: a ``pyspark.sql.DataFrame``.
        input_col: the name of a string column.
        output_col: the name of the vector column.
        threads: threads per task; Spark already runs one task per core, so 1 by default.
        **options: the options of ``zhvec.Embedder`` (``vocab``, ``seg_dict``, ``weighting``,
            ``normalize``, ``channels``, ``normalize_text``, ``sif_a``). ``vocab`` is a path
            that must exist on every executor, or None for the embedded default.

    The options (and the table, when the driver has it at that path) are checked on the
    driver first, so a bad value raises here rather than in a task.
    """
    from pyspark.sql.types import ArrayType, FloatType, StringType, StructField, StructType

    if input_col not in df.columns:
        raise ValueError(f"`input_col`: no column {input_col!r} in {df.columns}")
    if not isinstance(df.schema[input_col].dataType, StringType):
        raise TypeError(f"`input_col`: column {input_col!r} is {df.schema[input_col].dataType}, not a string")
    key = _options_key(threads, options)
    vocab = options.get("vocab")
    if vocab is None or os.path.exists(vocab):
        _embedder(key)
    fields = [f for f in df.schema.fields if f.name != output_col]
    schema = StructType(fields + [StructField(output_col, ArrayType(FloatType()), nullable=True)])

    def embed_batches(batches: Iterator[Any]) -> Iterator[Any]:
        embedder = _embedder(key)
        for batch in batches:
            yield _with_vectors(batch, embedder, input_col, output_col)

    return df.mapInArrow(embed_batches, schema)


def _with_vectors(batch: Any, embedder: Embedder, input_col: str, output_col: str) -> Any:
    """The record batch with the vectors of its ``input_col`` as ``output_col``."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    texts = batch.column(batch.schema.get_field_index(input_col))
    nulls = texts.null_count > 0
    rows = embedder.embed(texts.fill_null("").to_pylist() if nulls else texts.to_pylist())
    n, dim = rows.shape
    if n * dim >= 2**31:
        raise ValueError(f"a batch of {n} rows of {dim} floats is too large for an Arrow list; lower "
                         "spark.sql.execution.arrow.maxRecordsPerBatch")
    # The float32 buffer itself becomes the list's values: no copy, no Python float objects.
    values = pa.Array.from_buffers(pa.float32(), n * dim, [None, pa.py_buffer(rows)])
    offsets = pa.array(np.arange(0, (n + 1) * dim, dim, dtype=np.int32))
    vectors = pa.ListArray.from_arrays(offsets, values, mask=pc.is_null(texts) if nulls else None)
    names = [name for name in batch.schema.names if name != output_col]
    columns = [batch.column(batch.schema.get_field_index(name)) for name in names]
    return pa.RecordBatch.from_arrays(columns + [vectors], names=names + [output_col])
