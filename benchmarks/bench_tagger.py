"""The dictionary-trained segmenter (character tagger) against jieba and the unigram
tokenizer: quality on the People's Daily gold, training time, tagging speed.

1. Training, each run in a fresh process (time and peak memory of the process):
   ``Segmenter.train`` with its defaults on jieba's dict.txt (twice, to time it best of
   2 and to check that the same seed gives the same weights), and on the lexicon that
   ``nlpzero.find_words`` learns from the People's Daily raw text.
2. Quality on the People's Daily (raw text = gold words joined; gold used only to
   score): P, R, F1, OOV recall relative to the lexicon each system uses, and the
   recall of OOV words made of Han characters only (the words the tagger has to
   guess; OOV numbers are atoms for every nlpzero system). jieba 0.42 with and
   without HMM, nlpzero's Tokenizer, the tagger alone (``dict_weight=0``) and the
   default word lattice; F1 across ``dict_weight`` values.
3. Speed, in this process, best of 3 interleaved repetitions on the whole raw text:
   jieba ``lcut`` per line (HMM on and off), the segmenter's ``render_lines`` and
   ``cut_lines`` (tagger alone and lattice), with 1 and 2 threads.
4. The review corpus (no gold): speed, word agreement with jieba, a few lines to read.

Usage: ``python benchmarks/bench_tagger.py [--quick] [--samples N] [--output PATH]``
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import benchutil  # noqa: E402

QUICK_LINES = 3000
REPEATS = 3
WEIGHTS = [0.0, 0.05, 0.1, 0.2, 0.5, 1.0]


# ---------------------------------------------------------------------------
# Training, in child processes


def train_child(lexicon_path: str, model_path: str, samples: int | None) -> None:
    from nlpzero.lexicon import Lexicon
    from nlpzero.segmentation import Segmenter

    lexicon = Lexicon.load(lexicon_path)
    params = {} if samples is None else {"n_samples": samples}
    t0 = time.perf_counter()
    seg = Segmenter.train(lexicon, **params)
    train_s = time.perf_counter() - t0
    seg.save(model_path)
    benchutil.report({"train_s": train_s, "peak_mib": benchutil.peak_rss_mib(),
                      "info": seg.info, "bits": seg.bits,
                      "model_bytes": os.path.getsize(model_path)})


def train(script: str, lexicon_path: str, model_path: str, samples: int | None) -> dict:
    args = [script, "--train-child", lexicon_path, model_path]
    if samples is not None:
        args += ["--samples", str(samples)]
    return benchutil.run_child(args, timeout=1800)


# ---------------------------------------------------------------------------
# Scoring


def han_oov_recall(gold: list[list[str]], pred: list[list[str]], lexicon) -> tuple[float, int]:
    """Recall of the gold words that are not in `lexicon` and are all Han characters."""
    from nlpzero.corpus import CHAR_CLASS, HAN

    found = total = 0
    for g, p in zip(gold, pred):
        spans = set()
        pos = 0
        for w in p:
            spans.add((pos, pos + len(w)))
            pos += len(w)
        pos = 0
        for w in g:
            if w not in lexicon and all(CHAR_CLASS[ord(c)] == HAN for c in w):
                total += 1
                found += (pos, pos + len(w)) in spans
            pos += len(w)
    return (found / total if total else None), total


def quality(name: str, gold, pred, lexicon) -> dict:
    from nlpzero.scoring import score

    s = score(gold, pred, lexicon=lexicon)
    han, n_han = han_oov_recall(gold, pred, lexicon)
    return {"system": name, "precision": s.precision, "recall": s.recall, "f1": s.f1,
            "oov_recall": s.oov_recall, "han_oov_recall": han, "n_han_oov": n_han}


def best_of(fn, repeats=REPEATS):
    best = float("inf")
    out = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def parallel_control() -> dict:
    """Speed-up of a CPU-bound Numba loop from 1 to 2 threads: what the machine offers
    at the moment (the benchmark machine is shared)."""
    import numba
    import numpy as np
    from numba import njit, prange

    @njit(parallel=True)
    def spin(n):
        out = np.zeros(8)
        for b in prange(8):
            x = 0.0
            for i in range(n):
                x += np.sin(i * 1e-3 + b)
            out[b] = x
        return out.sum()

    spin(10)
    best = {1: float("inf"), 2: float("inf")}
    previous = numba.get_num_threads()
    try:
        for _ in range(REPEATS):
            for jobs in (1, 2):
                numba.set_num_threads(min(jobs, numba.config.NUMBA_NUM_THREADS))
                t0 = time.perf_counter()
                spin(2_000_000)
                best[jobs] = min(best[jobs], time.perf_counter() - t0)
    finally:
        numba.set_num_threads(previous)
    return {"one_s": best[1], "two_s": best[2], "speedup": best[1] / best[2]}


# ---------------------------------------------------------------------------
# Main


def run(args) -> dict:
    import jieba
    import numpy as np

    from nlpzero import find_words
    from nlpzero.datasets import peoples_daily_gold, reviews
    from nlpzero.lexicon import jieba_dictionary_path
    from nlpzero.scoring import score
    from nlpzero.segmentation import Segmenter
    from nlpzero.segmentation import Tokenizer

    script = os.path.abspath(__file__)
    os.makedirs(benchutil.WORK, exist_ok=True)
    work = benchutil.WORK
    gold = peoples_daily_gold()
    if args.quick:
        gold = gold[:QUICK_LINES]
    text = ["".join(ws) for ws in gold]
    n_chars = sum(map(len, text))
    jieba_path = jieba_dictionary_path()
    res: dict = {"chars": n_chars, "lines": len(text), "quick": args.quick}

    # -- training --------------------------------------------------------------------
    print("warm-up (compiles the kernels once)...", file=sys.stderr)
    train(script, jieba_path, os.path.join(work, "warmup.npz"), 1000)
    runs = []
    for k in range(2):
        print(f"training on jieba's dict.txt ({k + 1}/2)...", file=sys.stderr)
        runs.append(train(script, jieba_path, os.path.join(work, f"jieba_{k}.npz"), args.samples))
    seg_j = Segmenter.load(os.path.join(work, "jieba_0.npz"))
    other = Segmenter.load(os.path.join(work, "jieba_1.npz"))
    res["train_jieba"] = runs
    res["same_seed_same_weights"] = bool(np.array_equal(seg_j.weights, other.weights)
                                         and np.array_equal(seg_j.transitions, other.transitions))
    del other
    t0 = time.perf_counter()
    learned = find_words(text)
    res["find_words_s"] = time.perf_counter() - t0
    learned_path = os.path.join(work, "learned_lexicon.txt")
    learned.save(learned_path)
    print("training on the learned lexicon...", file=sys.stderr)
    res["train_learned"] = train(script, learned_path, os.path.join(work, "learned.npz"),
                                 args.samples)
    seg_l = Segmenter.load(os.path.join(work, "learned.npz"))
    res["learned_words"] = len(learned)

    # -- quality -----------------------------------------------------------------------
    print("scoring...", file=sys.stderr)
    jieba.setLogLevel(40)
    jieba.initialize()
    jlex = seg_j.lexicon
    default_w = seg_j.dict_weight
    tk_j = Tokenizer(jlex)
    tk_l = Tokenizer(learned)
    rows = []
    outputs = {}
    outputs["jieba_hmm"] = [jieba.lcut(line, HMM=True) for line in text]
    outputs["jieba"] = [jieba.lcut(line, HMM=False) for line in text]
    rows.append(quality("jieba 0.42 `lcut(HMM=True)`, its dictionary", gold,
                        outputs["jieba_hmm"], jlex))
    rows.append(quality("jieba 0.42 `lcut(HMM=False)`, its dictionary", gold,
                        outputs["jieba"], jlex))
    rows.append(quality("nlpzero `Tokenizer`, jieba's dict.txt", gold,
                        list(tk_j.cut_lines(text)), jlex))
    sweep_j, sweep_l = {}, {}
    for w in WEIGHTS:
        seg_j.dict_weight = w
        pred = list(seg_j.cut_lines(text))
        sweep_j[w] = quality("", gold, pred, jlex)
        seg_l.dict_weight = w
        sweep_l[w] = quality("", gold, list(seg_l.cut_lines(text)), learned)
        if w == default_w:
            outputs["segmenter"] = pred
    seg_j.dict_weight = seg_l.dict_weight = default_w
    rows.append(dict(sweep_j[0.0], system="nlpzero `Segmenter` from jieba's dict.txt, "
                                          "tagger alone (`dict_weight=0`)"))
    rows.append(dict(sweep_j[default_w], system="nlpzero `Segmenter` from jieba's dict.txt, "
                                                f"default lattice (`dict_weight={default_w}`)"))
    rows.append(quality("nlpzero `Tokenizer`, lexicon learned from the raw text", gold,
                        list(tk_l.cut_lines(text)), learned))
    rows.append(dict(sweep_l[0.0], system="nlpzero `Segmenter` from the learned lexicon, "
                                          "tagger alone"))
    rows.append(dict(sweep_l[default_w], system="nlpzero `Segmenter` from the learned lexicon, "
                                                "default lattice"))
    res["quality"] = rows
    res["sweep"] = {"jieba": {str(k): v for k, v in sweep_j.items()},
                    "learned": {str(k): v for k, v in sweep_l.items()}}
    res["default_dict_weight"] = default_w

    # -- speed ----------------------------------------------------------------------------
    print("timing...", file=sys.stderr)

    def seg_render(w, jobs):
        def fn():
            seg_j.dict_weight = w
            seg_j.n_jobs = jobs
            return seg_j.render_lines(text)
        return fn

    def seg_cut_lines():
        seg_j.dict_weight = default_w
        seg_j.n_jobs = 2
        return list(seg_j.cut_lines(text))

    methods = [
        ("jieba_hmm", "jieba `lcut(line)` per line, HMM on", lambda: [jieba.lcut(x) for x in text]),
        ("jieba", "jieba `lcut(line, HMM=False)` per line",
         lambda: [jieba.lcut(x, HMM=False) for x in text]),
        ("tagger_1", "Segmenter `render_lines`, tagger alone, 1 thread", seg_render(0.0, 1)),
        ("tagger_2", "Segmenter `render_lines`, tagger alone, 2 threads", seg_render(0.0, 2)),
        ("lattice_1", f"Segmenter `render_lines`, lattice ({default_w}), 1 thread",
         seg_render(default_w, 1)),
        ("lattice_2", f"Segmenter `render_lines`, lattice ({default_w}), 2 threads",
         seg_render(default_w, 2)),
        ("cut_lines", f"Segmenter `list(cut_lines(lines))`, lattice ({default_w}), 2 threads",
         seg_cut_lines),
    ]
    for _k, _l, fn in methods:  # warm-up
        saved = text[:]
        text[:] = saved[:300]
        fn()
        text[:] = saved
    best = {k: float("inf") for k, _l, _f in methods}
    for _ in range(REPEATS):
        for key, _label, fn in methods:
            t0 = time.perf_counter()
            fn()
            best[key] = min(best[key], time.perf_counter() - t0)
    seg_j.dict_weight, seg_j.n_jobs = default_w, 2
    res["speed"] = {"methods": [(k, l) for k, l, _f in methods], "best_s": best,
                    "parallel_control": parallel_control()}

    # -- reviews ----------------------------------------------------------------------------
    rv = reviews()
    if args.quick:
        rv = rv[:QUICK_LINES]
    rv_chars = sum(map(len, rv))
    t_seg, rv_seg = best_of(lambda: list(seg_j.cut_lines(rv)))
    rv_jieba = [jieba.lcut(x, HMM=True) for x in rv]
    rv_tk = list(tk_j.cut_lines(rv))
    res["reviews"] = {
        "chars": rv_chars, "lines": len(rv), "segmenter_s": t_seg,
        "agreement_f1_vs_jieba_hmm": score(rv_jieba, rv_seg).f1,
        "tokenizer_agreement_f1_vs_jieba_hmm": score(rv_jieba, rv_tk).f1,
        "samples": [[" ".join(rv_seg[i]), " ".join(rv_jieba[i]), " ".join(rv_tk[i])]
                    for i in (10, 500, 2000, 7000, 20000) if i < len(rv)],
    }
    res["pd_samples"] = [[" ".join(gold[i]), " ".join(outputs["segmenter"][i]),
                          " ".join(outputs["jieba_hmm"][i])]
                         for i in (100, 3000, 9000, 15000) if i < len(gold)]
    res["peak_mib"] = benchutil.peak_rss_mib()
    return res


def render(res: dict, samples: int | None) -> str:
    tj = res["train_jieba"]
    rows = []
    for r in res["quality"]:
        rows.append([r["system"], benchutil.fmt(r["precision"]), benchutil.fmt(r["recall"]),
                     f"**{r['f1']:.4f}**" if "Segmenter" in r["system"] else benchutil.fmt(r["f1"]),
                     benchutil.fmt(r["oov_recall"]), benchutil.fmt(r["han_oov_recall"])])
    t_quality = benchutil.md_table(["system", "P", "R", "F1", "OOV recall", "Han OOV recall"], rows)
    sw = res["sweep"]
    rows = [[w, f"{sw['jieba'][w]['f1']:.4f}", f"{sw['learned'][w]['f1']:.4f}",
             benchutil.fmt(sw['jieba'][w]['han_oov_recall']),
             benchutil.fmt(sw['learned'][w]['han_oov_recall'])] for w in sw["jieba"]]
    t_sweep = benchutil.md_table(["dict_weight", "F1, jieba's dict", "F1, learned lexicon",
                                  "Han OOV recall, jieba's", "Han OOV recall, learned"], rows)
    sp = res["speed"]
    jb = sp["best_s"]["jieba"]
    rows = [[label, f"{sp['best_s'][k]:.3f}", f"{res['chars'] / sp['best_s'][k] / 1e6:.2f} M",
             f"{jb / sp['best_s'][k]:.1f}x"] for k, label in sp["methods"]]
    t_speed = benchutil.md_table(["method", f"best of {REPEATS}, s", "chars/s",
                                  "vs jieba HMM off"], rows)
    tl = res["train_learned"]
    rv = res["reviews"]
    info = tj[0]["info"]
    out = [
        f"People's Daily, January 1998: {res['lines']:,} lines, {res['chars']:,} characters"
        + (f" (--quick: first {QUICK_LINES} lines)" if res["quick"] else "") + ". "
        f"Segmenter defaults: {info['n_samples']:,} pseudo-sentences (seed {info['seed']}, "
        f"1-{info['max_words']} words, at most {info['max_chars']} characters), "
        f"2^{tj[0]['bits']} x 4 hashed weights, `dict_weight={res['default_dict_weight']}`.",
        "",
        "## Training (fresh process each run)",
        "",
        benchutil.md_table(["lexicon", "words", "train s", "process peak MiB", "model file MB"], [
            ["jieba's dict.txt, run 1", f"{info['lexicon_words']:,}", f"{tj[0]['train_s']:.1f}",
             f"{tj[0]['peak_mib']:.0f}", f"{tj[0]['model_bytes'] / 1e6:.1f}"],
            ["jieba's dict.txt, run 2", f"{info['lexicon_words']:,}", f"{tj[1]['train_s']:.1f}",
             f"{tj[1]['peak_mib']:.0f}", f"{tj[1]['model_bytes'] / 1e6:.1f}"],
            ["learned from the raw text (`find_words`, refined)", f"{res['learned_words']:,}",
             f"{tl['train_s']:.1f}", f"{tl['peak_mib']:.0f}", f"{tl['model_bytes'] / 1e6:.1f}"],
        ]),
        "",
        f"- Same seed, same weights in both runs: {'yes' if res['same_seed_same_weights'] else 'NO'}.",
        f"- Training is serial (one core); the 10-minute target on 2 cores is met with "
        f"{min(r['train_s'] for r in tj):.0f} s.",
        "",
        "## Quality on the People's Daily gold (PKU standard)",
        "",
        t_quality,
        "",
        "- OOV: gold words not in the lexicon the system uses (jieba's dict.txt, or the "
        "learned lexicon). Han OOV: those made only of Han characters "
        f"({res['quality'][0]['n_han_oov']:,} with jieba's dictionary); numbers and Latin words "
        "are atoms in every nlpzero system, so this column shows what the tagger guesses.",
        "",
        "F1 and Han OOV recall across `dict_weight` (0 = tagger alone; large = the unigram "
        "tokenizer):",
        "",
        t_sweep,
        "",
        "## Tagging speed (one process, interleaved)",
        "",
        t_speed,
        "",
        f"- Control, measured right after: a CPU-bound Numba `prange` loop ran "
        f"{sp['parallel_control']['speedup']:.2f}x faster on 2 threads than on 1 (2.0x on an "
        "idle 2-core machine; less means other work held the second core).",
        "",
        "## Review corpus (no gold)",
        "",
        f"{rv['lines']:,} lines, {rv['chars']:,} characters: Segmenter (jieba's dict, default) "
        f"`cut_lines` {rv['chars'] / rv['segmenter_s'] / 1e6:.2f} M chars/s (best of 3). Word "
        f"agreement (F1) with jieba HMM on: Segmenter {rv['agreement_f1_vs_jieba_hmm']:.4f}, "
        f"Tokenizer {rv['tokenizer_agreement_f1_vs_jieba_hmm']:.4f}. Lines to read "
        "(Segmenter / jieba HMM on / Tokenizer):",
        "",
    ]
    for seg, jb_, tk in rv["samples"]:
        out += [f"- {seg}", f"  - {jb_}", f"  - {tk}"]
    out += ["", "People's Daily lines (gold / Segmenter / jieba HMM on):", ""]
    for g, s, j in res["pd_samples"]:
        out += [f"- {g}", f"  - {s}", f"  - {j}"]
    out += ["", f"Peak memory of the scoring process: {res['peak_mib']:.0f} MiB."]
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="first 3000 lines only")
    parser.add_argument("--samples", type=int, default=None,
                        help="pseudo-sentences (default: the library's default)")
    parser.add_argument("--output", help="results file (default benchmarks/results/tagger.md)")
    parser.add_argument("--train-child", nargs=2, metavar=("LEXICON", "MODEL"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.train_child:
        train_child(args.train_child[0], args.train_child[1], args.samples)
        return
    res = run(args)
    body = render(res, args.samples)
    print(body)
    if args.quick and not args.output:
        return
    path = benchutil.write_result("tagger.md", "Segmenter trained from a dictionary alone",
                                  body, args.output)
    with open(os.path.splitext(path)[0] + ".json", "w", encoding="utf-8") as f:
        json.dump(res, f, ensure_ascii=False, indent=1)
    print(f"written to {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
