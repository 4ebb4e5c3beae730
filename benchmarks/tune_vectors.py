"""Word vectors: score one training configuration over several subsampling draws.

Counts co-occurrences of the benchmark tokens (``benchmarks/_work/vectors_tokens.txt``,
written by ``bench_vectors.py``) once per subsampling seed (cached as .npz in
``benchmarks/_work/cooc``), trains with the given ``train_vectors`` keyword arguments
on one thread with training seed 0, and prints two markdown rows: wordsim-297 Spearman,
CA8 semantic and morphological 3CosAdd accuracy, by whitened cosine (default
whitening), then by the raw vectors (inner product for wordsim, unit vectors for CA8),
mean [min, max] over the seeds, and the mean training time.

Usage: ``python benchmarks/tune_vectors.py '{"unobserved": 0.025, "negatives": 0.5}'
[--seeds 0 1 2] [--eval-dir DIR]`` (counting settings ``window``, ``weighting`` and
``subsample`` may be given in the same JSON; the defaults are the command line's:
window 10, count weighting, subsampling 1e-4, and count smoothing 0.75).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench_vectors as bv  # noqa: E402
import benchutil  # noqa: E402

CACHE = os.path.join(benchutil.WORK, "cooc")


def cooc_for(seed, window=10, weighting="count", subsample=1e-4):
    from nlpzero.vectors.cooccur import Cooccurrence, count_cooccurrences

    # The token file's size in the name: a count of another token file is not reused.
    size = os.path.getsize(bv.TOKENS)
    path = os.path.join(CACHE, f"c_{seed}_{window}_{weighting}_{subsample}_{size}.npz")
    if os.path.exists(path):
        z = np.load(path, allow_pickle=False)
        return Cooccurrence(words=z["words"].tolist(), counts=z["counts"], rows=z["rows"],
                            cols=z["cols"], values=z["values"], window=window,
                            weighting=weighting, n_tokens=int(z["n"]))
    with open(bv.TOKENS, encoding="utf-8") as f:
        c = count_cooccurrences(f, window=window, min_count=5, weighting=weighting,
                                subsample=subsample, seed=seed)
    os.makedirs(CACHE, exist_ok=True)
    np.savez(path, words=np.array(c.words), counts=c.counts, rows=c.rows, cols=c.cols,
             values=c.values, n=c.n_tokens)
    return c


def main() -> None:
    from nlpzero.vectors import train_vectors

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("params", help="JSON of train_vectors keyword arguments")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--eval-dir", default=bv.DEFAULT_EVAL)
    args = ap.parse_args()
    if not os.path.exists(bv.TOKENS):
        bv.make_tokens(bv.TOKENS, False)
    cfg = json.loads(args.params)
    ckw = {k: cfg.pop(k) for k in ("window", "weighting", "subsample") if k in cfg}
    kw = dict(dict(threads=1, seed=0, smoothing=0.75), **cfg)
    res = []
    for s in args.seeds:
        c = cooc_for(s, **ckw)
        t = time.perf_counter()
        wv = train_vectors(c, **kw)
        dt = time.perf_counter() - t
        unit, k2i = wv.unit(), wv.key_to_index
        e = bv.evaluate(args.eval_dir, {"w": wv.whitened(), "r": unit}, k2i,
                        {"w": lambda a, b: wv.similarity(a, b, whiten=True, char_weight=0.0),
                         "r": wv.relatedness,
                         "c": lambda a, b: float(unit[k2i[a]] @ unit[k2i[b]])})
        print(f"seed {s}: wordsim by raw cosine {e['wordsim c']['spearman']:.3f}",
              file=sys.stderr)
        res.append([(e[f"wordsim {k}"]["spearman"], e[f"ca8 semantic {k}"]["accuracy"],
                     e[f"ca8 morphological {k}"]["accuracy"], dt) for k in ("w", "r")])
    for k, space in enumerate(("whitened", "raw")):
        a = np.array([r[k] for r in res])
        cells = [f"{m:.3f} [{lo:.3f}, {hi:.3f}]"
                 for m, lo, hi in zip(a.mean(0)[:3], a.min(0)[:3], a.max(0)[:3])]
        print(f"| `{args.params}` | {space} | {len(args.seeds)} | " + " | ".join(cells)
              + f" | {a[:, 3].mean():.1f} |")


if __name__ == "__main__":
    main()
