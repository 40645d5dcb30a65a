"""zhvec: Chinese text to vectors, fast.

jieba segmentation over memory-mapped word and character tables, mean pooling into
``[word_mean ; char_mean]``: the recipe of the ``zhvec`` command line, with rows bit-identical
to ``zhvec embed``.

>>> import zhvec
>>> emb = zhvec.Embedder()                 # the embedded default table
>>> emb.embed(["今天天气很好", "北京"]).shape
(2, 256)
>>> zhvec.segment("今天天气很好")
['今天天气', '很', '好']

``zhvec.spark.embed_column`` turns a Spark DataFrame column into vectors (needs pyspark).
"""

from ._zhvec import Embedder, Vocab, __version__, segment

__all__ = ["Embedder", "Vocab", "segment", "__version__"]
