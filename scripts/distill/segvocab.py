"""Jieba dictionary made of the table's own words and characters (the
`--seg-dict vocab` variant), for measuring that segmentation mode."""
import os

import common


def vocab_dict(n_words, n_chars):
    words, wf, chars, cf, _ = common.select_vocab(n_words, n_chars)
    path = os.path.join(common.cache_dir(), f"segdict-{n_words}-{n_chars}.txt")
    with open(path, "w", encoding="utf-8") as f:
        for w, c in zip(words, wf):
            f.write(f"{w} {int(c)}\n")
        for ch, c in zip(chars, cf):
            f.write(f"{ch} {max(int(c), 1)}\n")
    return path
