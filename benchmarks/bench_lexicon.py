"""Lexicon learning and segmentation quality on the People's Daily raw text.

Systems (each in its own fresh Python process, so that its peak memory is its own):

* nlpzero cohesion / nlpzero pmi: learn a lexicon from the raw lines as the finder cuts
  it (``find_words(..., refine=False)``, ``nlpzero lexicon --no-refine``), segment the
  same lines with ``Tokenizer(lexicon).cut_lines``; "refined": the cohesion lexicon
  passed through ``refine_lexicon(lexicon, lines)`` (the default of ``find_words`` and
  ``nlpzero lexicon``), its time counted in the learning;
* nlp-zero 0.1.6 ``Word_Finder`` with its default parameters (the peer, pure Python,
  prepared by ``peers.py``): ``train(lines)``, ``find(lines)``, then its own tokenizer
  (``export_tokenizer().tokenize(line)``);
* jieba 0.42 ``lcut(line, HMM=True)`` and ``lcut(line, HMM=False)`` with its default
  dictionary;
* nlpzero ``Tokenizer`` with jieba's dict.txt.

Scored against the gold words (PKU standard) with ``nlpzero.scoring.score``. OOV words
are gold words missing from the system's lexicon: the learned one for the three
learning systems, jieba's dict.txt for the jieba and jieba-dict rows.

Timings:

* learning: train+find timed twice in the same process, first (in a fresh process,
  so nlpzero's includes starting Numba's runtime and loading its compiled kernels) and
  again; the learning's peak memory is the peak RSS right after the first.
* build/load s: time from the raw lines (or nothing) to a segmenter ready to use:
  learning (train+find) and building the tokenizer for the learning systems;
  ``jieba.initialize()`` (which reads jieba's cache file, made by a warm-up run
  beforehand: this is jieba's cached load, see bench_segment.py for a cold build);
  ``Lexicon.load_jieba_default()`` plus compiling the tokenizer for nlpzero.
* segment chars/s: characters of the raw text divided by the time to segment all of it.
* peak MiB: the child's peak RSS (VmHWM; see benchutil.peak_rss_mib) when segmentation
  has finished (before scoring); "baseline MiB" is its peak RSS after the imports and
  reading the raw text.

Numba compiles nlpzero's kernels once and caches them on disk (``cache=True``); a
warm-up child fills that cache before anything is timed, so the timings include
loading the cached machine code but not compiling it.

Usage: ``python benchmarks/bench_lexicon.py [--quick] [--output PATH]``
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import benchutil  # noqa: E402

SYSTEMS = [
    ("nlpzero-cohesion", "nlpzero cohesion, as found (--no-refine)"),
    ("nlpzero-cohesion-refined", "nlpzero cohesion, refined (the default)"),
    ("nlpzero-cohesion-noscipy", "nlpzero cohesion, SciPy not importable"),
    ("nlpzero-pmi", "nlpzero pmi"),
    ("nlp-zero", "nlp-zero 0.1.6 Word_Finder (defaults)"),
    ("jieba-hmm", "jieba 0.42 lcut(HMM=True)"),
    ("jieba-nohmm", "jieba 0.42 lcut(HMM=False)"),
    ("nlpzero-jiebadict", "nlpzero Tokenizer + jieba dict.txt"),
]
QUICK_LINES = 3000
RAW_FILE = os.path.join(benchutil.WORK, "peoples_daily_raw.txt")
GOLD_FILE = os.path.join(benchutil.WORK, "peoples_daily_gold.txt")


# ---------------------------------------------------------------------------
# Data


def prepare_data() -> None:
    """Write the raw lines and the gold words (space-separated) to the scratch folder,
    so that each child reads only what it needs."""
    from nlpzero.datasets import peoples_daily_gold

    gold = peoples_daily_gold()
    if any(" " in w or not w for words in gold for w in words):
        raise SystemExit("a gold word contains a space: cannot store the gold as text")
    os.makedirs(benchutil.WORK, exist_ok=True)
    for path, lines in ((RAW_FILE, ("".join(ws) for ws in gold)),
                        (GOLD_FILE, (" ".join(ws) for ws in gold))):
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            for line in lines:
                f.write(line + "\n")
        os.replace(path + ".tmp", path)


def read_lines(path: str, limit: int | None) -> list[str]:
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines[:limit] if limit else lines


# ---------------------------------------------------------------------------
# Children


def repair_dropped(line: str, tokens: list[str]) -> tuple[list[str], int]:
    """Make the tokens of `line` cover every character of it.

    If a tokenizer dropped characters (nlp-zero's Word_Finder filters out everything
    but Han characters, ASCII digits and ASCII letters when *learning*; its
    Tokenizer.tokenize is expected to keep every character, and this checks it), each
    dropped character is put back, in place, as a word of one character. The tokens
    must appear in the line in order. Returns the words and the number of characters
    put back.
    """
    if "".join(tokens) == line:
        return tokens, 0
    out, pos, added = [], 0, 0
    for tok in tokens:
        at = line.find(tok, pos)
        if at < 0:
            raise ValueError(f"token {tok!r} not found in order in {line[:60]!r}")
        out.extend(line[pos:at])
        added += at - pos
        out.append(tok)
        pos = at + len(tok)
    out.extend(line[pos:])
    added += len(line) - pos
    return out, added


def child(system: str, limit: int | None) -> None:
    res: dict = {"system": system}
    if system == "prepare":
        prepare_data()
        benchutil.report(res)
        return
    if system == "warmup":
        # Fill Numba's on-disk cache for every kernel used below, and jieba's cache file.
        from nlpzero.discovery.finders import find_words
        from nlpzero.lexicon import Lexicon
        from nlpzero.segmentation import Tokenizer

        import jieba

        lines = read_lines(RAW_FILE, 300)
        for method in ("cohesion", "pmi"):
            lex = find_words(lines, method=method)
            list(Tokenizer(lex).cut_lines(lines))
        tk = Tokenizer(Lexicon.load_jieba_default())
        tk.render_lines(lines)
        list(tk.cut_lines(lines))
        jieba.setLogLevel(40)
        jieba.initialize()
        benchutil.report(res)
        return

    if system.endswith("-noscipy"):
        benchutil.block_scipy()
        system = system[:-len("-noscipy")]
    if system.startswith("nlpzero"):
        from nlpzero.discovery.finders import find_words
        from nlpzero.lexicon import Lexicon
        from nlpzero.segmentation import Tokenizer

        lines = read_lines(RAW_FILE, limit)
        res["baseline_mib"] = benchutil.peak_rss_mib()
        t0 = time.perf_counter()
        if system == "nlpzero-jiebadict":
            lexicon = Lexicon.load_jieba_default()
            learn = None
        else:
            from nlpzero.discovery import refine_lexicon

            method = system.split("-")[1]

            def learn_lexicon():
                found = find_words(lines, method=method, refine=False)
                return refine_lexicon(found, lines) if system.endswith("-refined") else found
            lexicon = learn_lexicon()
            learn = time.perf_counter() - t0
            res["learn_peak_mib"] = benchutil.peak_rss_mib()
            res["learn_again_s"] = _time_again(learn_lexicon)
            t0 = time.perf_counter() - learn  # build/load below: the first learning
        tokenizer = Tokenizer(lexicon)
        tokenizer.lcut("")  # compile the trie now, not inside the segmentation timing
        t1 = time.perf_counter()
        pred = list(tokenizer.cut_lines(lines))
        t2 = time.perf_counter()
        oov_lexicon = lexicon
    elif system == "nlp-zero":
        import peers

        nlp_zero = peers.require_nlp_zero(quiet=True)
        lines = read_lines(RAW_FILE, limit)
        res["baseline_mib"] = benchutil.peak_rss_mib()
        t0 = time.perf_counter()
        finder = nlp_zero.Word_Finder()  # defaults: min_proba=1e-7, min_pmi=1
        finder.train(lines)
        finder.find(lines)
        learn = time.perf_counter() - t0
        res["learn_peak_mib"] = benchutil.peak_rss_mib()

        def learn_again():
            again = nlp_zero.Word_Finder()
            again.train(lines)
            again.find(lines)
        res["learn_again_s"] = _time_again(learn_again)
        t0 = time.perf_counter() - learn
        tokenizer = finder.export_tokenizer()  # Tokenizer(Trie(finder.words))
        t1 = time.perf_counter()
        # Segment each raw line with the peer's own tokenizer. Its Word_Finder filters
        # the text (only Han characters, ASCII digits and ASCII letters) when it learns,
        # so its lexicon has no punctuation; its Tokenizer.tokenize splits at 。，、！？,
        # newline and space, keeps each of those as a one-character token, and segments
        # the rest by unigram DAG where any character no word covers becomes a
        # one-character token, so it should keep every character. To be safe, any
        # character it dropped would be put back in place as a one-character word
        # (repair_dropped); the number of characters put back is reported.
        pred = []
        res["chars_reinserted"] = res["lines_repaired"] = 0
        for line in lines:
            words, added = repair_dropped(line, tokenizer.tokenize(line))
            pred.append(words)
            res["chars_reinserted"] += added
            res["lines_repaired"] += added > 0
        t2 = time.perf_counter()
        oov_lexicon = finder.words
    elif system.startswith("jieba"):
        import peers

        jieba = peers.require_jieba()
        jieba.setLogLevel(40)
        lines = read_lines(RAW_FILE, limit)
        res["baseline_mib"] = benchutil.peak_rss_mib()
        t0 = time.perf_counter()
        jieba.initialize()
        learn = None
        t1 = time.perf_counter()
        hmm = system == "jieba-hmm"
        lcut = jieba.lcut
        pred = [lcut(line, HMM=hmm) for line in lines]
        t2 = time.perf_counter()
        oov_lexicon = None  # jieba's dict.txt, read after the peak is taken
    else:
        raise SystemExit(f"unknown system {system!r}")

    res["peak_mib"] = benchutil.peak_rss_mib()
    res["scipy_imported"] = "scipy" in sys.modules
    res["build_s"] = t1 - t0
    res["learn_s"] = learn
    res["segment_s"] = t2 - t1
    res["chars"] = sum(map(len, lines))
    res["lines"] = len(lines)

    from nlpzero.lexicon import Lexicon
    from nlpzero.scoring import score

    if oov_lexicon is None:
        oov_lexicon = Lexicon.load_jieba_default()
    res["lexicon_size"] = len(oov_lexicon)
    s = score(read_lines(GOLD_FILE, limit), pred, lexicon=oov_lexicon)
    res.update(precision=s.precision, recall=s.recall, f1=s.f1, oov_recall=s.oov_recall,
               iv_recall=s.iv_recall, oov_rate=s.n_gold_oov / max(s.n_gold, 1),
               n_gold=s.n_gold, n_pred=s.n_pred)
    benchutil.report(res)


def _time_again(learn) -> float:
    """Time of learning once more in the same process (Numba's kernels already loaded)."""
    t = time.perf_counter()
    learn()
    return time.perf_counter() - t


# ---------------------------------------------------------------------------
# Parent


def render(results: dict, quick: bool) -> str:
    rows = []
    for key, label in SYSTEMS:
        r = results[key]
        rows.append([label, benchutil.fmt(r["precision"]), benchutil.fmt(r["recall"]),
                     benchutil.fmt(r["f1"]), benchutil.fmt(r["oov_recall"]),
                     f"{r['build_s']:.2f}", f"{r['chars'] / r['segment_s'] / 1e6:.2f} M",
                     f"{r['peak_mib']:.0f}", f"{r['baseline_mib']:.0f}",
                     f"{r['lexicon_size']:,}", f"{r['oov_rate']:.4f}"])
    table = benchutil.md_table(
        ["system", "P", "R", "F1", "OOV recall", "build/load s", "segment chars/s",
         "peak MiB", "baseline MiB", "lexicon words", "OOV rate"], rows)
    any_r = results[SYSTEMS[0][0]]
    coh, pmi, peer = results["nlpzero-cohesion"], results["nlpzero-pmi"], results["nlp-zero"]
    nos = results["nlpzero-cohesion-noscipy"]
    lines = [
        f"People's Daily, January 1998 (PKU gold), raw text: {any_r['lines']:,} lines, "
        f"{any_r['chars']:,} characters, {any_r['n_gold']:,} gold words"
        + (" (--quick: first %d lines)" % QUICK_LINES if quick else "") + ".",
        "",
        table,
        "",
        "Comparison with nlp-zero 0.1.6 (learning = train+find on the raw lines; "
        "build/load above also includes making the tokenizer):",
        "",
        f"- nlpzero cohesion learns in {coh['learn_s']:.2f} s vs Word_Finder "
        f"train+find {peer['learn_s']:.2f} s: "
        f"{peer['learn_s'] / coh['learn_s']:.1f}x faster (time ratio "
        f"{coh['learn_s'] / peer['learn_s']:.3f}); this first call in a fresh process "
        f"includes starting Numba's runtime and loading the compiled kernels.",
        f"- with SciPy not importable (Numba imports it on its first kernel load when it "
        f"can; nlpzero does not need it): nlpzero cohesion learns in "
        f"{nos['learn_s']:.2f} s, {peer['learn_s'] / nos['learn_s']:.1f}x faster than "
        f"Word_Finder; peak {nos['learn_peak_mib']:.0f} MiB after learning.",
        f"- learning again in the same process: nlpzero cohesion "
        f"{coh['learn_again_s']:.3f} s vs Word_Finder {peer['learn_again_s']:.2f} s: "
        f"{peer['learn_again_s'] / coh['learn_again_s']:.1f}x faster.",
        f"- nlpzero pmi (the same method as Word_Finder) learns in {pmi['learn_s']:.2f} s "
        f"({pmi['learn_again_s']:.2f} s again): "
        f"{peer['learn_s'] / pmi['learn_s']:.1f}x faster.",
        f"- peak memory of the learning (peak RSS right after it): nlpzero cohesion "
        f"{coh['learn_peak_mib']:.0f} MiB, Word_Finder {peer['learn_peak_mib']:.0f} MiB; "
        f"increase over the baseline {coh['learn_peak_mib'] - coh['baseline_mib']:.0f} vs "
        f"{peer['learn_peak_mib'] - peer['baseline_mib']:.0f} MiB (nlpzero's includes "
        f"Numba's runtime and kernels, about 60 MiB; its baseline includes importing "
        f"NumPy and Numba).",
        f"- peak memory: nlpzero cohesion {coh['peak_mib']:.0f} MiB, nlpzero pmi "
        f"{pmi['peak_mib']:.0f} MiB, Word_Finder {peer['peak_mib']:.0f} MiB "
        f"(baselines after imports and reading the text: {coh['baseline_mib']:.0f}, "
        f"{pmi['baseline_mib']:.0f} and {peer['baseline_mib']:.0f} MiB; increase "
        f"{coh['peak_mib'] - coh['baseline_mib']:.0f}, "
        f"{pmi['peak_mib'] - pmi['baseline_mib']:.0f} and "
        f"{peer['peak_mib'] - peer['baseline_mib']:.0f} MiB).",
        f"- Word_Finder's tokenizer kept every character: {peer['chars_reinserted']} "
        f"characters had to be re-inserted (in {peer['lines_repaired']} lines).",
        "",
        "Notes:",
        "",
        "- Learning times are wall-clock times of single runs on a shared 2-core machine.",
        "- Each system ran in its own fresh Python process; peak MiB is that process's "
        "peak RSS (VmHWM) when segmentation had finished (scoring excluded); baseline "
        "MiB is its peak RSS after the imports and reading the raw text.",
        "- build/load s: learning systems: train+find plus building the tokenizer; "
        "jieba: `jieba.initialize()` from its cache file (cached load; a cold build is "
        "in segment.md); nlpzero + jieba dict: `Lexicon.load_jieba_default()` plus "
        "compiling the trie.",
        "- segment chars/s: nlpzero `list(Tokenizer.cut_lines(lines))`; Word_Finder "
        "`export_tokenizer().tokenize(line)` per line; jieba `lcut(line, HMM=...)` per "
        "line. One run each, not a best of several.",
        "- OOV: gold words not in the system's lexicon (the learned one, or jieba's "
        "dict.txt for the last three rows).",
        "- nlpzero's kernels were loaded from Numba's on-disk cache (a warm-up process "
        "filled it first); compilation is not timed.",
    ]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help=f"only the first {QUICK_LINES} lines (a fast check); the "
                             "results file is written only with --output")
    parser.add_argument("--output", help="results file (default benchmarks/results/"
                                         "lexicon.md for a full run)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.limit)
        return 0

    limit = QUICK_LINES if args.quick else None
    print("preparing the data and the peers...", file=sys.stderr)
    script = os.path.abspath(__file__)
    # In a child, so that this parent stays small (its children inherit nothing big).
    benchutil.run_child([script, "--child", "prepare"])
    import peers

    peers.require_nlp_zero()
    peers.require_jieba()
    extra = ["--limit", str(limit)] if limit else []
    print("warm-up (fills Numba's and jieba's caches)...", file=sys.stderr)
    benchutil.run_child([script, "--child", "warmup"])
    results = {}
    for key, label in SYSTEMS:
        print(f"running {label}...", file=sys.stderr, end=" ", flush=True)
        r = benchutil.run_child([script, "--child", key] + extra)
        results[key] = r
        print(f"F1 {r['f1']:.4f}, build {r['build_s']:.2f} s, segment {r['segment_s']:.2f} s, "
              f"peak {r['peak_mib']:.0f} MiB", file=sys.stderr)
    body = render(results, quick=bool(limit))
    print(body)
    if args.output or not limit:
        path = benchutil.write_result("lexicon.md", "Lexicon learning and segmentation "
                                      "quality (People's Daily)", body, args.output)
        print(f"\nwritten to {os.path.relpath(path)}", file=sys.stderr)
        raw = os.path.splitext(path)[0] + ".json"
        with open(raw, "w", encoding="utf-8") as f:
            json.dump(results, f, indent=1, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
