"""Unsupervised segmentation quality: every method and the main ablations.

Each configuration learns a lexicon from raw text only (the People's Daily, optionally
plus the review and news corpora), segments the People's Daily with it and scores the
result against the gold words: on all 19,484 lines and on a held-out tenth (every tenth
line, 10th, 20th, ...), whose scores played no part in choosing the defaults. Each runs in
a fresh process, so time and peak memory are its own. The top words learned from the
review corpus alone show a second domain.

    python benchmarks/bench_unsupervised.py            # writes benchmarks/results/unsupervised.md
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchutil  # noqa: E402

#: (key, label, finder parameters, corpora learned from, tokenizer number units)
CONFIGS = [
    ("published", "cohesion, published thresholds 2,4,6, tokenizer without number units",
     dict(thresholds=[2, 4, 6], backoff_cohesion=None), ("pd",), False),
    ("units", "+ numbers keep their units (１９９８年, ５％)",
     dict(thresholds=[2, 4, 6], backoff_cohesion=None), ("pd",), True),
    ("thresholds", "+ thresholds 1,5,7 (pairs join at PMI > 1)",
     dict(backoff_cohesion=None), ("pd",), True),
    ("default", "+ back-off pairs = the finder's defaults (`--no-refine`), People's Daily only",
     {}, ("pd",), True),
    ("refined", "+ refined = **default** (`lexicon`: re-estimated counts, pairs its words "
     "explain and numeral phrases out)", "refine", ("pd",), True),
    ("default-more-refined", "default, People's Daily + reviews + news", "refine",
     ("pd", "reviews", "inews"), True),
    ("default-more", "finder's defaults (`--no-refine`), People's Daily + reviews + news", {},
     ("pd", "reviews", "inews"), True),
    ("default-more-mc5", "same, min count 5 (`--no-refine`)", dict(min_count=5),
     ("pd", "reviews", "inews"), True),
    ("order5", "finder's defaults with order 5 (thresholds 1,5,7,9), `--no-refine`",
     dict(order=5), ("pd",), True),
    ("pmi", "adjacent PMI + de-redundancy (nlp-zero's method)", "pmi", ("pd",), True),
]

HELD_OUT_EVERY = 10


def held_out(n_lines: int) -> list[int]:
    return list(range(HELD_OUT_EVERY - 1, n_lines, HELD_OUT_EVERY))


def child(key: str) -> None:
    from nlpzero import Tokenizer, find_words, score
    from nlpzero.datasets import inews, peoples_daily_gold, reviews

    config = {c[0]: c for c in CONFIGS}[key]
    _, _, params, corpora, units = config
    gold = peoples_daily_gold()
    lines = ["".join(words) for words in gold]
    text = list(lines)
    if "reviews" in corpora:
        text += reviews()
    if "inews" in corpora:
        text += inews()
    base = benchutil.peak_rss_mib()
    t0 = time.perf_counter()
    if params == "pmi":
        lexicon = find_words(text, method="pmi", refine=False)
    elif params == "refine":
        from nlpzero.discovery import refine_lexicon

        lexicon = refine_lexicon(find_words(text, refine=False), text)
    else:
        lexicon = find_words(text, refine=False, **params)
    learn = time.perf_counter() - t0
    pred = list(Tokenizer(lexicon, number_units=units).cut_lines(lines))
    whole = score(gold, pred, lexicon=lexicon)
    idx = held_out(len(lines))
    held = score([gold[i] for i in idx], [pred[i] for i in idx], lexicon=lexicon)
    benchutil.report({
        "key": key, "words": len(lexicon), "chars": sum(map(len, text)),
        "learn_s": learn, "peak_mib": benchutil.peak_rss_mib(), "baseline_mib": base,
        "p": whole.precision, "r": whole.recall, "f1": whole.f1, "oov_recall": whole.oov_recall,
        "held_f1": held.f1, "held_oov_recall": held.oov_recall,
    })


def top_review_words(n: int = 60, refine: bool = False) -> list[tuple[str, int]]:
    from nlpzero import find_words
    from nlpzero.datasets import reviews
    from nlpzero.discovery import refine_lexicon

    text = reviews()
    lexicon = find_words(text, refine=False)
    if refine:
        lexicon = refine_lexicon(lexicon, text)
    return [(w, c) for w, c in lexicon.items() if len(w) >= 2][:n]


def render(results: dict, review_words, refined_words) -> str:
    rows = []
    for key, label, _, corpora, _ in CONFIGS:
        r = results[key]
        rows.append([label, f"{r['chars'] / 1e6:.1f}M", r["words"],
                     benchutil.fmt(r["p"]), benchutil.fmt(r["r"]), f"**{r['f1']:.4f}**",
                     benchutil.fmt(r["oov_recall"]), f"{r['held_f1']:.4f}",
                     f"{r['learn_s']:.1f}", f"{r['peak_mib']:.0f}"])
    table = benchutil.md_table(
        ["configuration", "chars learned", "words", "P", "R", "F1", "OOV R",
         "F1 held-out", "learn s", "peak MiB"], rows, "lrrrrrrrrr")
    top = "  ".join(f"{w} {c}" for w, c in review_words)
    top_refined = "  ".join(f"{w} {c}" for w, c in refined_words)
    return "\n".join([
        "People's Daily 1998 (19,484 lines, 1,121,447 gold words), segmented with the lexicon",
        "learned from raw text by nlpzero's unigram tokenizer, scored against the gold words",
        "(SIGHAN-style spans). Held-out: every 10th line, 1,948 lines. Each row is a fresh",
        "process; learn = word finding only, peak = the process's peak resident memory.",
        "",
        table,
        "",
        "Top words (two characters or more) learned from the review corpus alone, as found (`--no-refine`):",
        "",
        top,
        "",
        "The same, refined (the default of `lexicon`; counts re-estimated as uses in the text):",
        "",
        top_refined,
    ])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--output", help="results file (default benchmarks/results/unsupervised.md)")
    args = parser.parse_args(argv)
    if args.child:
        child(args.child)
        return 0
    script = os.path.abspath(__file__)
    results = {}
    for key, label, *_ in CONFIGS:
        print(f"{label}...", file=sys.stderr, end=" ", flush=True)
        r = benchutil.run_child([script, "--child", key])
        results[key] = r
        print(f"F1 {r['f1']:.4f} (held-out {r['held_f1']:.4f}), learn {r['learn_s']:.1f} s, "
              f"peak {r['peak_mib']:.0f} MiB", file=sys.stderr)
    body = render(results, top_review_words(), top_review_words(refine=True))
    print(body)
    path = benchutil.write_result("unsupervised.md", "Unsupervised segmentation: methods and "
                                  "ablations (People's Daily)", body, args.output)
    with open(os.path.splitext(path)[0] + ".json", "w", encoding="utf-8") as f:
        json.dump(results, f, indent=1, ensure_ascii=False)
    print(f"\nwritten to {os.path.relpath(path)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
