#!/usr/bin/env python3
"""The zhvec recipe written directly in Python with jieba and numpy.

For every input line: segment with jieba (HMM on), drop whitespace-only tokens, then
  word channel: each token's word vector if the table has the word, otherwise the mean of
                the vectors of its characters that the char table has, otherwise nothing;
                averaged over the tokens that contributed;
  char channel: the mean of the char vectors of every character occurrence that has one.
The output row is [word_mean ; char_mean] as float32; an empty channel is zeros.

Tables come from a word2vec text file: multi-character entries are words, single characters
are chars, and a character without its own row that occurs in table words gets the mean of
the vectors of the words containing it (each word counted once).

This is a second, independent implementation on purpose: check-vs-python.sh
checks zhvec's output against it and bench.sh times it as the Python peer, so
it shares no code with zhvec or scripts/distill/evalkit.py. Keep it in sync
with src/embed.rs (the recipe) and src/build/chars.rs (derived characters).

Usage: peer_embed.py --vectors FILE.vec -o OUT.npy [-j JOBS] [FILE...]   (stdin when no FILE)
"""
import argparse
import logging
import multiprocessing
import sys

import jieba
import numpy as np


class Tables:
    def __init__(self, path):
        words, chars = {}, {}  # entry -> row in self.matrix
        with open(path, encoding="utf-8", errors="replace") as f:
            n, dim = (int(x) for x in f.readline().split()[:2])
            matrix = np.empty((n, dim), dtype=np.float32)
            rows = 0
            for line in f:
                parts = line.rstrip("\r\n ").split(" ")
                entry = parts[0]
                if len(parts) != dim + 1 or not entry or entry in words or entry in chars:
                    continue
                if rows == n:
                    break
                matrix[rows] = parts[1:]
                (words if len(entry) > 1 else chars)[entry] = rows
                rows += 1
        matrix = matrix[:rows]

        # Characters with no row of their own: mean of the words that contain them.
        derived = {}
        pair_char, pair_word = [], []
        for word, row in words.items():
            for c in set(word):
                if c not in chars:
                    pair_char.append(derived.setdefault(c, len(derived)))
                    pair_word.append(row)
        sums = np.zeros((len(derived), dim), dtype=np.float64)
        np.add.at(sums, np.array(pair_char, dtype=np.int64), matrix[np.array(pair_word, dtype=np.int64)])
        counts = np.bincount(np.array(pair_char, dtype=np.int64), minlength=len(derived))
        for c, i in derived.items():
            chars[c] = rows + i
        if derived:
            matrix = np.vstack([matrix, (sums / counts[:, None]).astype(np.float32)])

        self.words, self.chars, self.matrix, self.dim = words, chars, matrix, dim
        self._token_cache = {}

    def token(self, tok):
        """(word-channel vector or None, char rows of the token's characters)."""
        hit = self._token_cache.get(tok)
        if hit is None:
            char_rows = [self.chars[c] for c in tok if c in self.chars]
            if tok in self.words:
                vec = self.matrix[self.words[tok]]
            elif char_rows:
                vec = self.matrix[char_rows].mean(axis=0)
            else:
                vec = None
            hit = self._token_cache[tok] = (vec, char_rows)
        return hit

    def embed(self, line):
        word_vecs, char_rows = [], []
        for tok in jieba.cut(line, HMM=True):
            if tok.isspace():
                continue
            vec, rows = self.token(tok)
            if vec is not None:
                word_vecs.append(vec)
            char_rows.extend(rows)
        out = np.zeros(2 * self.dim, dtype=np.float32)
        if word_vecs:
            out[: self.dim] = np.mean(word_vecs, axis=0)
        if char_rows:
            out[self.dim :] = self.matrix[char_rows].mean(axis=0)
        return out


def read_lines(paths):
    """Lines split on '\\n' only, with the line ending removed."""
    streams = [open(p, "rb") for p in paths] if paths else [sys.stdin.buffer]
    for stream in streams:
        for raw in stream:
            yield raw.rstrip(b"\r\n").decode("utf-8", errors="replace")


_tables = None  # set in main(); worker processes inherit it through fork


def embed_chunk(lines):
    return np.array([_tables.embed(line) for line in lines], dtype=np.float32).reshape(len(lines), 2 * _tables.dim)


def chunks(items, size):
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def main():
    global _tables
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vectors", required=True, help="word2vec text file")
    ap.add_argument("-o", "--output", required=True, help="output .npy (N, 2*D) float32")
    ap.add_argument("-j", "--jobs", type=int, default=1, help="worker processes (default 1)")
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    _tables = Tables(args.vectors)
    batches = chunks(read_lines(args.files), 2000)
    if args.jobs > 1:
        with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
            parts = list(pool.imap(embed_chunk, batches))
    else:
        parts = [embed_chunk(batch) for batch in batches]
    result = np.concatenate(parts) if parts else np.zeros((0, 2 * _tables.dim), dtype=np.float32)
    np.save(args.output, result)


if __name__ == "__main__":
    main()
