"""Encode vocabulary items and training sentences with a teacher (--teacher e5 or use).
Results are cached as .npy in the cache dir; reruns only encode what is missing.
e5 keeps the file names of the first tables (teacher-*.npy, sentences.txt); USE writes
use-*.npy and, with --corpus, trains on every sentence (sentences-all.txt)."""
import argparse
import os

import common
import sentences


def paths(teacher, n_words, n_chars, all_sentences):
    """Cache files: (words .npy, chars .npy, sentences .txt, sentences .npy)."""
    cd = common.cache_dir()
    pre = "teacher" if teacher == "e5" else teacher
    stxt = "sentences-all.txt" if all_sentences else "sentences.txt"
    snpy = f"{pre}-sentences-all.npy" if all_sentences else f"{pre}-sentences.npy"
    return (os.path.join(cd, f"{pre}-words-{n_words}.npy"), os.path.join(cd, f"{pre}-chars-{n_chars}.npy"),
            os.path.join(cd, stxt), os.path.join(cd, snpy))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--teacher", choices=sorted(common.TEACHERS), default="e5")
    ap.add_argument("--words", type=int, default=87000)
    ap.add_argument("--chars", type=int, default=8000)
    ap.add_argument("--sentences", type=int, default=40000, help="0: none; -1: all")
    ap.add_argument("--headlines", default=None)
    ap.add_argument("--corpus", default=None, help="corpus dir whose sentences/*.txt are added")
    ap.add_argument("--limit", type=int, default=0,
                    help="with --sentences -1: encode only the first N (the prefix the recipe trains on)")
    ap.add_argument("--extra-words", default=None, help="file of further words (one a line) to encode")
    a = ap.parse_args()
    wp, cp, stxt, snpy = paths(a.teacher, a.words, a.chars, a.sentences < 0)
    words, _, chars, _, _ = common.select_vocab(a.words, a.chars)
    common.encode_cached(chars, cp, teacher=a.teacher)
    common.encode_cached(words, wp, teacher=a.teacher)
    if a.extra_words:
        with open(a.extra_words, encoding="utf-8") as f:
            extra = [l.strip() for l in f if l.strip()]
        common.encode_cached(extra, os.path.splitext(a.extra_words)[0] + f".{a.teacher}.npy", teacher=a.teacher)
    if a.sentences != 0:
        names = []
        sents = sentences.training_sentences(a.headlines, corpus_dir=a.corpus, sources=names)
        if a.sentences > 0:
            sents = sents[:a.sentences]
        # Rewritten only when the text changes, so that the segmentation cached beside it stays.
        text = "\n".join(sents) + "\n"
        if not os.path.exists(stxt) or open(stxt, encoding="utf-8").read() != text:
            with open(stxt, "w", encoding="utf-8") as f:
                f.write(text)
        if a.sentences < 0:
            with open(os.path.splitext(stxt)[0] + ".sources.txt", "w", encoding="utf-8") as f:
                f.write("\n".join(names) + "\n")
        common.encode_cached(sents[:a.limit] if a.limit else sents, snpy, teacher=a.teacher)
    print("teacher done")


if __name__ == "__main__":
    main()
