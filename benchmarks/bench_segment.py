"""Segmentation throughput and dictionary load time, nlpzero vs jieba, both with
jieba's dictionary (dict.txt), on the People's Daily raw text.

Throughput (one process, best of 3 interleaved repetitions, after one untimed
warm-up pass of each method over a few hundred lines):

* jieba 0.42 ``jieba.lcut(line, HMM=False)`` per line, after ``jieba.initialize()``;
* nlpzero ``Tokenizer.lcut(line)`` per line;
* nlpzero ``list(Tokenizer.cut_lines(lines))`` (a list of word lists);
* nlpzero ``Tokenizer.render_lines(lines)`` (one output string).

Dictionary load time (best of 5, or of ``--load-repeats N``; every repetition a fresh
Python process, all kinds interleaved; only the statement is timed, after the imports):

* jieba cold build: ``jieba.Tokenizer()`` with ``tmp_dir`` set to a new empty folder,
  so that no cache file is found: ``initialize()`` reads dict.txt, builds the prefix
  dictionary and writes the cache file, as on jieba's first run;
* jieba cached load: the same with ``tmp_dir`` holding a cache file made beforehand,
  as on every later run;
* nlpzero ``Tokenizer().lcut("中国")``: the default dictionary (jieba's dict.txt) read
  straight into the trie, then the first call;
* nlpzero ``Tokenizer(Lexicon.load_jieba_default()).lcut("中国")``: the same through a
  Lexicon object (a dict of 349k words) first.

nlpzero's ``Tokenizer()`` runs cold (``NLPZERO_CACHE_DIR`` a new empty folder: it builds
the trie and writes its cache file) and cached (a cache file made beforehand), like
jieba. Numba's on-disk cache of compiled kernels is warm (filled by a warm-up process),
and the OS page cache holds dict.txt for every kind alike. Numba's first load of a
kernel in a process imports SciPy when it is installed (to look for BLAS), which
nlpzero does not need; so the nlpzero kinds are also run with ``import scipy`` failing
in the child process (a meta-path blocker that this script installs in those child
processes only), as on a machine without SciPy.

Usage: ``python benchmarks/bench_segment.py [--quick] [--load-repeats N] [--output PATH]``
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import benchutil  # noqa: E402

QUICK_LINES = 3000
REPEATS = 3
LOAD_REPEATS = 5
LOAD_KINDS = [
    ("jieba-cold", "jieba `Tokenizer().initialize()`, cold: no cache file (builds it, writes it)"),
    ("jieba-cached", "jieba `Tokenizer().initialize()`, cached: loads its cache file"),
    ("nlpzero-cold-noscipy", "nlpzero `Tokenizer().lcut(\"中国\")`, cold: no cache file "
                             "(builds it, writes it), SciPy not importable"),
    ("nlpzero-cached-noscipy", "nlpzero `Tokenizer().lcut(\"中国\")`, cached, SciPy not "
                               "importable"),
    ("nlpzero-cold", "nlpzero `Tokenizer().lcut(\"中国\")`, cold, SciPy importable"),
    ("nlpzero-cached", "nlpzero `Tokenizer().lcut(\"中国\")`, cached, SciPy importable"),
    ("nlpzero-lexicon-noscipy",
     "nlpzero `Tokenizer(Lexicon.load_jieba_default()).lcut(\"中国\")` (no cache), "
     "SciPy not importable"),
    ("nlpzero-lexicon", "nlpzero `Tokenizer(Lexicon.load_jieba_default()).lcut(\"中国\")` "
                        "(no cache), SciPy importable"),
]


def load_child(kind: str, cache_dir: str | None) -> None:
    if kind.endswith("-noscipy"):
        benchutil.block_scipy()
    t_start = time.perf_counter()
    import jieba

    jieba.setLogLevel(40)
    res = {"kind": kind}
    if kind.startswith("nlpzero"):
        from nlpzero.lexicon import Lexicon
        from nlpzero.segmentation import Tokenizer

        res["import_s"] = time.perf_counter() - t_start
        with_lexicon = kind.startswith("nlpzero-lexicon")
        # The tokenizer's cache folder: the prepared one, or a new empty one (cold).
        cold = "-cold" in kind
        folder = (tempfile.mkdtemp(prefix="nlpzero_cold_") if cold
                  else os.path.join(cache_dir, "nlpzero"))
        os.environ["NLPZERO_CACHE_DIR"] = folder
        try:
            before = os.listdir(folder)
            t0 = time.perf_counter()
            tk = Tokenizer(Lexicon.load_jieba_default()) if with_lexicon else Tokenizer()
            t1 = time.perf_counter()
            words = tk.lcut("中国")
            t2 = time.perf_counter()
            after = os.listdir(folder)
            # Untimed in load_s: the same again (without writing a cache file), now
            # that Numba's kernels are loaded, to tell the cost of loading them from the
            # cost of the work.
            t3 = time.perf_counter()
            if with_lexicon:
                tk = Tokenizer(Lexicon.load_jieba_default())
            else:
                tk = Tokenizer(cache=not cold)
            tk.lcut("中国")
            again = time.perf_counter() - t3
        finally:
            if cold:
                shutil.rmtree(folder, ignore_errors=True)
        res.update(load_s=t2 - t0, construct_s=t1 - t0, first_call_s=t2 - t1, again_s=again,
                   words=words, scipy_imported="scipy" in sys.modules,
                   cache_before=before, cache_after=after)
    else:
        res["import_s"] = time.perf_counter() - t_start
        tmp = (os.path.join(cache_dir, "jieba") if kind == "jieba-cached"
               else tempfile.mkdtemp(prefix="jieba_cold_"))
        try:
            before = os.listdir(tmp)
            tk = jieba.Tokenizer()
            tk.tmp_dir = tmp
            t0 = time.perf_counter()
            tk.initialize()
            t1 = time.perf_counter()
            res.update(load_s=t1 - t0, cache_before=before, cache_after=os.listdir(tmp),
                       words=tk.lcut("中国", HMM=False))
        finally:
            if kind == "jieba-cold":
                shutil.rmtree(tmp, ignore_errors=True)
    res["peak_mib"] = benchutil.peak_rss_mib()
    benchutil.report(res)


def measure_loads(script: str, repeats: int = LOAD_REPEATS) -> dict:
    # Warm Numba's on-disk cache and make jieba's and nlpzero's cache files in a
    # folder of our own (the users' caches are neither used nor touched).
    cache_dir = tempfile.mkdtemp(prefix="segment_cached_")
    load_before = os.getloadavg()[0]
    try:
        os.mkdir(os.path.join(cache_dir, "jieba"))
        os.mkdir(os.path.join(cache_dir, "nlpzero"))
        benchutil.run_child([script, "--load-child", "nlpzero-lexicon",
                             "--cache-dir", cache_dir])
        for kind in ("jieba-cached", "nlpzero-cached"):
            made = benchutil.run_child([script, "--load-child", kind, "--cache-dir", cache_dir])
            if made["cache_before"] or not made["cache_after"]:
                raise RuntimeError(f"could not prepare the cache file: {made}")
        runs: dict[str, list] = {k: [] for k, _ in LOAD_KINDS}
        for _ in range(repeats):
            for kind, _label in LOAD_KINDS:
                r = benchutil.run_child([script, "--load-child", kind, "--cache-dir", cache_dir])
                if "-cold" in kind and (r["cache_before"] or not r["cache_after"]):
                    raise RuntimeError(f"the cold run found or made no cache: {r}")
                if "-cached" in kind and not r["cache_before"]:
                    raise RuntimeError(f"the cached run found no cache: {r}")
                runs[kind].append(r)
    finally:
        shutil.rmtree(cache_dir, ignore_errors=True)
    # The machine's 1-minute load average: other people's work slows every kind alike.
    runs["load_average"] = [load_before, os.getloadavg()[0]]
    return runs


# ---------------------------------------------------------------------------
# Throughput, in this process


def measure_throughput(lines: list[str]) -> dict:
    import jieba

    from nlpzero.lexicon import Lexicon
    from nlpzero.scoring import score
    from nlpzero.segmentation import Tokenizer

    jieba.setLogLevel(40)
    jieba.initialize()
    tk = Tokenizer(Lexicon.load_jieba_default())
    tk.lcut("中国")

    def jieba_lcut():
        lcut = jieba.lcut
        return [lcut(line, HMM=False) for line in lines]

    def nlpzero_lcut():
        lcut = tk.lcut
        return [lcut(line) for line in lines]

    def nlpzero_cut_lines():
        return list(tk.cut_lines(lines))

    def nlpzero_render():
        return tk.render_lines(lines)

    methods = [
        ("jieba", "jieba `lcut(line, HMM=False)` per line", jieba_lcut),
        ("lcut", "nlpzero `lcut(line)` per line", nlpzero_lcut),
        ("cut_lines", "nlpzero `list(cut_lines(lines))`", nlpzero_cut_lines),
        ("render_lines", "nlpzero `render_lines(lines)` (one string)", nlpzero_render),
    ]
    # Warm-up: a few hundred lines through each method, untimed.
    full = lines
    lines = full[:300]
    for _key, _label, fn in methods:
        fn()
    lines = full

    best = {key: float("inf") for key, _l, _f in methods}
    outputs = {}
    for _ in range(REPEATS):
        for key, _label, fn in methods:
            t0 = time.perf_counter()
            out = fn()
            dt = time.perf_counter() - t0
            best[key] = min(best[key], dt)
            outputs[key] = out
            del out

    # Consistency of nlpzero's three paths, and agreement with jieba.
    checks = {
        "lcut == cut_lines": outputs["lcut"] == outputs["cut_lines"],
        "render_lines == joined lcut": outputs["render_lines"] == "\n".join(
            " ".join(ws) for ws in outputs["lcut"]),
    }
    same = sum(a == b for a, b in zip(outputs["jieba"], outputs["lcut"]))
    agree = score(outputs["jieba"], outputs["lcut"])
    return {
        "methods": [(k, label) for k, label, _f in methods],
        "best_s": best,
        "chars": sum(map(len, lines)),
        "lines": len(lines),
        "checks": checks,
        "identical_lines": same,
        "agreement_f1": agree.f1,
        "peak_mib": benchutil.peak_rss_mib(),
    }


# ---------------------------------------------------------------------------
# Report


def render(tp: dict, loads: dict, quick: bool) -> str:
    jb = tp["best_s"]["jieba"]
    rows = []
    for key, label in tp["methods"]:
        s = tp["best_s"][key]
        rows.append([label, f"{s:.3f}", f"{tp['chars'] / s / 1e6:.2f} M",
                     f"{jb / s:.1f}x"])
    t1 = benchutil.md_table(["method", "best of 3, s", "chars/s", "vs jieba"], rows)

    rows = []
    for kind, label in LOAD_KINDS:
        runs = loads[kind]
        times = sorted(r["load_s"] for r in runs)
        rows.append([label, f"{times[0]:.3f}", f"{times[len(times) // 2]:.3f}",
                     f"{min(r['import_s'] for r in runs):.3f}",
                     f"{max(r['peak_mib'] for r in runs):.0f}"])
    n_loads = len(loads["jieba-cold"])
    t2 = benchutil.md_table(["load (fresh process each time)", f"best of {n_loads}, s",
                             "median, s", "imports before it, s", "process peak MiB"], rows)

    def best(kind):
        return min(loads[kind], key=lambda r: r["load_s"])

    cold = best("jieba-cold")["load_s"]
    cached = best("jieba-cached")["load_s"]
    pairs = [("nlpzero-cold-noscipy", cold, "cold"), ("nlpzero-cached-noscipy", cached, "cached"),
             ("nlpzero-cold", cold, "cold"), ("nlpzero-cached", cached, "cached"),
             ("nlpzero-lexicon-noscipy", cold, "cold"), ("nlpzero-lexicon", cold, "cold")]
    ratios = "; ".join(f"{kind} / jieba {which}: {ref / best(kind)['load_s']:.2f}"
                       for kind, ref, which in pairs)
    parts = []
    for kind, _ref, _w in pairs:
        r = best(kind)
        parts.append(f"{kind}: construct {r['construct_s']:.3f} s + first call "
                     f"{r['first_call_s']:.3f} s, the same again {r['again_s']:.3f} s")
    scipy_seen = {kind: any(r["scipy_imported"] for r in loads[kind])
                  for kind, _l in LOAD_KINDS if kind.startswith("nlpzero")}
    ok = all(tp["checks"].values())
    out = [
        f"People's Daily, January 1998, raw text: {tp['lines']:,} lines, {tp['chars']:,} "
        "characters" + (f" (--quick: first {QUICK_LINES} lines)" if quick else "")
        + "; jieba's dict.txt (349,046 lines) for both.",
        "",
        "## Throughput",
        "",
        t1,
        "",
        f"- Best of {REPEATS} repetitions, the four methods interleaved in each, in one "
        "process, after an untimed warm-up pass over 300 lines.",
        "- nlpzero's three paths give the same words: "
        + ", ".join(f"{k}: {'yes' if v else 'NO'}" for k, v in tp["checks"].items())
        + ("." if ok else " -- MISMATCH, see the checks."),
        f"- nlpzero and jieba (HMM=False) agree on {tp['identical_lines']:,} of "
        f"{tp['lines']:,} lines; word F1 of nlpzero against jieba's output: "
        f"{tp['agreement_f1']:.4f}.",
        f"- Peak RSS of the throughput process: {tp['peak_mib']:.0f} MiB.",
        "",
        "## Dictionary load",
        "",
        t2,
        "",
        "- nlpzero's best runs, split (the loading of Numba's kernels from its cache falls "
        "in whichever step first calls a kernel; the same statement again in that process "
        "shows the cost without it): " + "; ".join(parts) + ".",
        f"- Time ratio jieba / nlpzero (above 1: nlpzero loads faster): {ratios}.",
        f"- 1-minute load average of the machine ({os.cpu_count()} logical CPUs) before and "
        f"after the loads: {loads['load_average'][0]:.1f} and {loads['load_average'][1]:.1f}.",
        "- SciPy imported by the end of the load: "
        + ", ".join(f"{k}: {'yes' if v else 'no'}" for k, v in scipy_seen.items())
        + ". Numba imports it, when it can, on the first kernel load of a process; "
        "nlpzero does not need it. Without SciPy is the case of an install of nlpzero's "
        "own dependencies.",
        "- Cold means no cache file is found (jieba's `tmp_dir`, nlpzero's "
        "`NLPZERO_CACHE_DIR`, is a new empty folder): each does what its first run does, "
        "read dict.txt, build its structure and write its cache file. Cached means a "
        "cache file made beforehand is loaded, as on every later run. The users' own "
        "caches are neither used nor touched. The path through a Lexicon object has no "
        "cache: it reads dict.txt into a dict of 349k words first.",
        "- Every load ran in a fresh Python process; only the statement was timed, "
        "after the imports (jieba is imported in every process, since nlpzero locates "
        "dict.txt through it). Nothing else is warm except the OS page cache (dict.txt "
        "and the cache files, for all alike) and, for nlpzero, Numba's on-disk cache of "
        "compiled kernels (filled by a warm-up process; loading from it is included in "
        "the time, compiling is not).",
    ]
    return "\n".join(out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help=f"only the first {QUICK_LINES} lines for the throughput; the "
                             "results file is written only with --output")
    parser.add_argument("--output", help="results file (default benchmarks/results/"
                                         "segment.md for a full run)")
    parser.add_argument("--load-repeats", type=int, default=LOAD_REPEATS,
                        help=f"fresh processes per kind of load (default {LOAD_REPEATS}); more "
                             "give steadier best times on a busy machine")
    parser.add_argument("--load-child", help=argparse.SUPPRESS)
    parser.add_argument("--cache-dir", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.load_child:
        load_child(args.load_child, args.cache_dir)
        return 0

    import peers

    peers.require_jieba()
    script = os.path.abspath(__file__)
    print(f"dictionary loads, {args.load_repeats} x {len(LOAD_KINDS)} fresh processes...",
          file=sys.stderr)
    loads = measure_loads(script, args.load_repeats)
    print("throughput...", file=sys.stderr)
    from nlpzero.datasets import peoples_daily_text

    lines = peoples_daily_text()
    if args.quick:
        lines = lines[:QUICK_LINES]
    tp = measure_throughput(lines)
    body = render(tp, loads, quick=args.quick)
    print(body)
    if args.output or not args.quick:
        path = benchutil.write_result("segment.md", "Segmentation throughput and dictionary "
                                      "load, nlpzero vs jieba", body, args.output)
        print(f"\nwritten to {os.path.relpath(path)}", file=sys.stderr)
        with open(os.path.splitext(path)[0] + ".json", "w", encoding="utf-8") as f:
            json.dump({"throughput": tp, "loads": loads}, f, indent=1, ensure_ascii=False)
    return 0 if all(tp["checks"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
