"""Dictionary edits one word at a time, nlpzero's Tokenizer beside jieba's, on jieba's
dictionary: N ``add_word`` calls (count suggested, as jieba's default), then one
``lcut``; the same with counts given; N ``del_word``; ``load_userdict`` of an N-line
file; and edits interleaved with segmentation (``add_word`` then ``lcut``, 100 times).

Each system runs in a fresh process per repetition (best of --repeat); the dictionary
is loaded before the clock starts. The words are random strings of 2-4 characters
drawn from the single-character words of jieba's dictionary (seeded), so nearly all are
new. Both systems must give the same counts to the added words (checked).

Usage: ``python benchmarks/bench_dictedit.py [--words N] [--repeat R]``
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import benchutil  # noqa: E402

TEXT = "李小福是创新办主任也是云计算方面的专家，中华人民共和国成立了。"
INTERLEAVED = 100


def make_words(n: int, seed: int = 0) -> list[str]:
    from nlpzero.segmentation.tokenizer import default_dictionary_path

    chars = []
    with open(default_dictionary_path(), encoding="utf-8") as f:
        for line in f:
            word = line.split(" ", 1)[0]
            if len(word) == 1 and "\u4e00" <= word <= "\u9fff":
                chars.append(word)
    rng = random.Random(seed)
    return ["".join(rng.choice(chars) for _ in range(rng.randint(2, 4))) for _ in range(n)]


def child(system: str, n: int) -> None:
    words = make_words(n)
    if system == "jieba":
        import jieba

        jieba.setLogLevel(60)
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()

        def cut(text):
            return tokenizer.lcut(text, HMM=False)

        def count(word):
            return tokenizer.FREQ.get(word, 0)

        def fresh():
            t = jieba.Tokenizer()
            t.initialize()
            return t
    else:
        from nlpzero import Tokenizer

        tokenizer = Tokenizer()
        cut = tokenizer.lcut
        cut("预热")  # load the kernels and the trie before timing

        def count(word):
            return tokenizer.lexicon.get(word)

        fresh = Tokenizer
    result = {}
    start = time.perf_counter()
    for word in words:
        tokenizer.add_word(word)
    added = time.perf_counter() - start
    cut(TEXT)
    result["add_suggested"] = added
    result["add_suggested_then_cut"] = time.perf_counter() - start
    result["counts"] = [count(w) for w in words[:1000]]

    start = time.perf_counter()
    for word in words:
        tokenizer.del_word(word)
    cut(TEXT)
    result["del_then_cut"] = time.perf_counter() - start

    tokenizer = fresh()
    cut = (lambda text: tokenizer.lcut(text, HMM=False)) if system == "jieba" else tokenizer.lcut
    cut("预热")
    start = time.perf_counter()
    for i, word in enumerate(words):
        tokenizer.add_word(word, 10 + i % 50)
    cut(TEXT)
    result["add_given_then_cut"] = time.perf_counter() - start

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "user.txt")
        with open(path, "w", encoding="utf-8") as f:
            f.writelines(f"{w} {3 + i % 7}\n" if i % 2 else f"{w}\n" for i, w in enumerate(words))
        tokenizer = fresh()
        cut = (lambda text: tokenizer.lcut(text, HMM=False)) if system == "jieba" else tokenizer.lcut
        cut("预热")
        start = time.perf_counter()
        tokenizer.load_userdict(path)
        cut(TEXT)
        result["userdict_then_cut"] = time.perf_counter() - start

    start = time.perf_counter()
    for word in words[:INTERLEAVED]:
        tokenizer.add_word(word + "子")
        cut(TEXT)
    result["interleaved"] = time.perf_counter() - start
    benchutil.report(result)


ROWS = [
    ("add_suggested_then_cut", "{n} `add_word(w)` (count suggested), then one `lcut`"),
    ("add_suggested", "... of which the {n} `add_word` calls"),
    ("del_then_cut", "{n} `del_word(w)` of those words, then one `lcut`"),
    ("add_given_then_cut", "{n} `add_word(w, count)` on a fresh tokenizer, then one `lcut`"),
    ("userdict_then_cut", "`load_userdict` of {n} lines (half without a count), then one `lcut`"),
    ("interleaved", f"{INTERLEAVED} times `add_word(w)` then `lcut` (per pair: / {INTERLEAVED})"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--words", type=int, default=10_000, help="N (default 10000)")
    parser.add_argument("--repeat", type=int, default=3, help="fresh processes per system")
    parser.add_argument("--child", choices=("nlpzero", "jieba"), help=argparse.SUPPRESS)
    parser.add_argument("--output", help="results file (default benchmarks/results/dictedit.md)")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.words)
        return
    script = os.path.abspath(__file__)
    runs = {"nlpzero": [], "jieba": []}
    for _ in range(args.repeat):
        for system in runs:  # interleaved, so that both see the same machine load
            runs[system].append(benchutil.run_child(
                [script, "--child", system, "--words", str(args.words)]))
    same = runs["nlpzero"][0]["counts"] == runs["jieba"][0]["counts"]
    rows = []
    for key, label in ROWS:
        best = {s: min(r[key] for r in rs) for s, rs in runs.items()}
        rows.append([label.format(n=f"{args.words:,}"),
                     f"{best['nlpzero']:.3f}", f"{best['jieba']:.3f}"])
    body = "\n".join([
        f"Jieba's dictionary (349,046 lines), N = {args.words:,} random words of 2-4 "
        f"characters (nearly all new); seconds, best of {args.repeat} fresh processes per "
        "system, the dictionary loaded before the clock starts. jieba segments with "
        "`HMM=False` (the same unigram model).",
        "",
        benchutil.md_table(["operation", "nlpzero s", "jieba s"], rows),
        "",
        f"- The counts suggested to the first 1,000 added words are the same in both: "
        f"{'yes' if same else 'NO'}.",
        "- nlpzero applies an edit to its lexicon at once and rebuilds the compiled trie "
        "once, before the next segmentation (about 0.1 s with this dictionary); jieba "
        "edits its prefix dictionary in place, so its interleaved edits cost nothing more.",
    ])
    print(body)
    print(benchutil.write_result("dictedit.md", "Dictionary edits: nlpzero beside jieba", body,
                                 args.output))
    if not same:
        sys.exit("the suggested counts differ")


if __name__ == "__main__":
    main()
