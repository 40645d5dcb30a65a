"""Type stubs of the zhvec extension module (re-exported by ``zhvec``)."""

import os
from typing import Iterable, Literal, Optional, Union

import numpy as np
import numpy.typing as npt

__version__: str

_VocabArg = Union[str, "os.PathLike[str]", "Vocab", None]

class Vocab:
    """A ``.zv`` table: a word table and a character table, memory-mapped, read in place.

    ``Vocab()`` is the embedded default table (87k words, 8k characters, 128-d int8 rows).
    Opening checks the header and layout in constant time, whatever the table's size;
    ``verify()`` reads everything.

    Raises ``FileNotFoundError`` / ``PermissionError`` / ``OSError`` when the file cannot be
    opened, and ``ValueError`` when it is not a valid table (wrong magic number, truncated,
    bad layout), with the message ``zhvec`` prints.
    """

    def __init__(self, path: Union[str, "os.PathLike[str]", None] = None) -> None: ...
    @property
    def words(self) -> list[str]:
        """The words of the word table, most frequent first."""
    @property
    def chars(self) -> list[str]:
        """The characters of the character table, most frequent first."""
    @property
    def dim(self) -> int:
        """The width of a word-table row."""
    @property
    def char_dim(self) -> int:
        """The width of a character-table row."""
    @property
    def dtype(self) -> Literal["f32", "f16", "int8"]:
        """How the rows are stored; ``vector`` always returns float32."""
    @property
    def name(self) -> str:
        """The table's path, or ``"embedded default vocab"``."""
    def vector(self, name: str, table: Literal["word", "char"] = "word") -> Optional[npt.NDArray[np.float32]]:
        """The stored row of ``name`` in the word (or character) table as float32, or ``None``
        when the table does not have it. No fallback: see ``Embedder.embed`` for that."""
    def count(self, name: str, table: Literal["word", "char"] = "word") -> Optional[int]:
        """The stored frequency of ``name``, or ``None`` when the table does not have it."""
    def verify(self) -> None:
        """Reads the whole table (checksum, names, index, values), as ``zhvec vocab verify``;
        raises ``ValueError`` on damage."""
    def __len__(self) -> int:
        """The number of words in the word table."""
    def __contains__(self, word: str) -> bool:
        """Whether the word table has ``word``."""

class Embedder:
    """Embeds texts with one table and one recipe: the options of ``zhvec embed``.

    Args:
        vocab: a ``.zv`` path, a ``Vocab``, or ``None`` for the embedded default table.
        seg_dict: ``"jieba"`` (jieba's standard dictionary) or ``"vocab"`` (the table's words).
        weighting: ``"uniform"`` or ``"sif"`` (a/(a+p(w)) from the stored frequencies).
        normalize: L2-normalize ``"none"``, each ``"channel"``, or ``"all"`` of the row.
        channels: ``"word,char"``, ``"word"`` or ``"char"``.
        normalize_text: ``"auto"`` (what the table records), ``"none"``, or a comma list of
            ``"nfkc"`` and ``"t2s"``.
        sif_a: the *a* of SIF weighting, a positive finite number.
        threads: worker threads for ``embed``; ``None`` is all cores (at most 4 per core).
            Rows do not depend on it.

    A bad option value raises ``ValueError`` naming the argument. Building the segmenter
    over jieba's whole dictionary takes about 0.1-0.2 s, once per ``Embedder``.
    """

    def __init__(
        self,
        vocab: _VocabArg = None,
        *,
        seg_dict: Literal["jieba", "vocab"] = "jieba",
        weighting: Literal["uniform", "sif"] = "uniform",
        normalize: Literal["none", "channel", "all"] = "none",
        channels: str = "word,char",
        normalize_text: str = "auto",
        sif_a: float = 1e-3,
        threads: Optional[int] = None,
    ) -> None: ...
    @property
    def dim(self) -> int:
        """The length of a row: the word dim plus the char dim for ``channels="word,char"``."""
    @property
    def threads(self) -> int:
        """The worker threads ``embed`` uses."""
    @property
    def vocab(self) -> Vocab:
        """The table this embedder reads."""
    def embed(self, texts: Iterable[str]) -> npt.NDArray[np.float32]:
        """Embeds each text into one row: a C-contiguous float32 array of shape (N, dim).

        ``texts`` is a list or any iterable of ``str`` (a generator, a tuple, a pandas Series);
        a lone ``str`` is refused with ``TypeError``, as is an item that is not a ``str``.
        Row *i* is bit-identical to the row ``zhvec embed`` writes for the line ``texts[i]``,
        for any number of threads.

        A text is one row even when it holds line breaks: each ``\\n`` and ``\\r`` counts as a
        space, so ``"北京\\n天气"`` gives the row of the line ``"北京 天气"`` (whitespace only
        separates tokens, it is never embedded). No byte order mark is stripped.

        The work runs on ``threads`` threads with the GIL released.
        """
    def segment(self, text: str) -> list[str]:
        """The tokens the embedder sees for ``text`` (normalized as the recipe says; line
        breaks count as spaces), as ``zhvec segment`` prints them."""

def segment(
    text: str,
    *,
    vocab: _VocabArg = None,
    seg_dict: Literal["jieba", "vocab"] = "jieba",
    normalize_text: str = "auto",
) -> list[str]:
    """The tokens of ``text``, as ``zhvec segment`` prints them for that line: normalized as
    ``normalize_text`` says (``"auto"``: what the table records), cut by jieba (HMM on),
    whitespace dropped. Line breaks count as spaces.

    Each call builds a segmenter with just the dictionary words of ``text`` (microseconds
    for a sentence); for many texts, ``Embedder(...).segment`` reuses one."""
