"""Encode vocabulary items and training sentences with the e5 teacher.
Results are cached as .npy in the cache dir; reruns only encode what is missing."""
import argparse
import os

import common
import sentences

ap = argparse.ArgumentParser()
ap.add_argument("--words", type=int, default=87000)
ap.add_argument("--chars", type=int, default=8000)
ap.add_argument("--sentences", type=int, default=40000)
ap.add_argument("--headlines", default=None)
a = ap.parse_args()
cd = common.cache_dir()

words, _, chars, _, _ = common.select_vocab(a.words, a.chars)
common.encode_cached(chars, os.path.join(cd, f"teacher-chars-{a.chars}.npy"))
common.encode_cached(words, os.path.join(cd, f"teacher-words-{a.words}.npy"))
if a.sentences > 0:
    sents = sentences.training_sentences(a.headlines)[:a.sentences]
    with open(os.path.join(cd, "sentences.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(sents) + "\n")
    common.encode_cached(sents, os.path.join(cd, "teacher-sentences.npy"), batch=128)
print("teacher done")
