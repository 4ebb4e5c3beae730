"""Learning a domain from its raw text: segmentation F1 and new words, against jieba,
THULAC and the dictionary-trained tagger.

Domains: the two development domains of ../shared/domains (a web novel ``dl``, patents
``pt``; learn from ``*.learn.txt``, score on ``*.test.txt`` against ``*.gold.txt``) and
the People's Daily (``pd``, news: learn from its raw text, score against its gold).
Gold segmentations serve only for scoring.

Rows (F1 on the test text):

* jieba 0.42 ``lcut`` with HMM on and off;
* THULAC ``seg_only`` (supervised, trained on annotated text) when installed;
* the tagger trained from jieba's dict.txt alone (``Segmenter.train``);
* the lexicon learned from the raw text, with the unigram tokenizer: as the finder cuts
  it (``find_words(refine=False)``, ``nlpzero lexicon --no-refine``) and refined (the
  default of both);
* jieba's dict plus the learned words it lacks (counts rescaled to jieba's total), as
  found and refined;
* adapted: ``nlpzero train-segmenter --lexicon DICT --corpus LEARN`` as a whole
  process (time and peak memory of adapting);
* raw text alone, adapted: ``nlpzero train-segmenter --lexicon none --corpus LEARN``.

New words, type level as in ../shared/domains/README.md (base jieba's dict):
``nlpzero newwords LEARN`` against the OOV words of jieba's HMM on the learn text
(count order); and the same with numbers and punctuation left out of both lists and of
the gold ("words only").

Usage: ``python benchmarks/bench_domains.py [--domains dl,pt,pd] [--output PATH]``
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import benchutil  # noqa: E402

DOMAINS = os.path.join(benchutil.REPO, "..", "shared", "domains")
NAMES = {"dl": "dl (novel)", "pt": "pt (patents)", "pd": "People's Daily (news)"}


def load_domain(name: str):
    """(test lines, gold word lists, learn lines)."""
    if name == "pd":
        from nlpzero.datasets import peoples_daily_gold

        gold = peoples_daily_gold()
        test = ["".join(words) for words in gold]
        return test, gold, test

    def lines(kind):
        with open(os.path.join(DOMAINS, f"{name}.{kind}.txt"), encoding="utf-8") as f:
            return [line.rstrip("\n") for line in f]

    learn = [line for line in lines("learn") if line.strip()]
    return lines("test"), [line.split() for line in lines("gold")], learn


def new_word_score(candidates, gold, test, base) -> dict:
    """Type-level new-word precision, recall, F and P@100 (../shared/domains/README.md)."""
    text = "\n".join(test)
    gold_types = {w for words in gold for w in words}
    gold_new = {w for w in gold_types if len(w) >= 2 and w not in base}
    listed, seen = [], set()
    for w in candidates:
        if len(w) >= 2 and w not in base and w not in seen and w in text:
            seen.add(w)
            listed.append(w)
    right = [w for w in listed if w in gold_types]
    p = len(right) / len(listed) if listed else 0.0
    r = len(set(right) & gold_new) / len(gold_new) if gold_new else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    top = listed[:100]
    p100 = sum(w in gold_types for w in top) / len(top) if top else 0.0
    return dict(listed=len(listed), p=p, r=r, f=f, p100=p100)


def is_number_or_punctuation(w: str) -> bool:
    """A number (10, 2008年, 0.5％) or a run of punctuation: gold word types that the
    README's measure counts as new words, though no reviewer would add them to a
    dictionary."""
    return w[0].isdigit() or not any(ch.isalpha() for ch in w)


def new_word_scores(candidates, gold, test, base) -> dict:
    """The README's measure, and the same with numbers and punctuation left out of both
    the list and the gold (``words``)."""
    out = new_word_score(candidates, gold, test, base)
    words_gold = [[w for w in line if not is_number_or_punctuation(w)] for line in gold]
    out["words"] = new_word_score([w for w in candidates if not is_number_or_punctuation(w)],
                                  words_gold, test, base)
    return out


def timed_command(args: list[str]) -> dict:
    """Run ``python -m nlpzero args`` as a whole process: wall seconds, peak MiB. The
    process gets an empty cache folder, so the base tagger is trained, not loaded."""
    cmd = ["/usr/bin/time", "-f", "@@TIME@@ %e %M", sys.executable, "-m", "nlpzero"] + args + ["-q"]
    with tempfile.TemporaryDirectory(dir=benchutil.WORK) as cache:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              cwd=benchutil.REPO, env=dict(os.environ, NLPZERO_CACHE_DIR=cache))
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{proc.stderr[-2000:]}")
    line = [l for l in proc.stderr.splitlines() if l.startswith("@@TIME@@")][-1]
    wall, kib = line.split()[1:]
    return dict(wall_s=float(wall), peak_mib=int(kib) / 1024, stdout=proc.stdout)


def jieba_rows(test, gold, learn, jieba_words) -> dict:
    import jieba
    from nlpzero import score

    jieba.setLogLevel(60)
    out = {"jieba HMM on": score(gold, [jieba.lcut(l) for l in test]).f1,
           "jieba HMM off": score(gold, [jieba.lcut(l, HMM=False) for l in test]).f1}
    oov = collections.Counter(w for l in learn for w in jieba.lcut(l) if w not in jieba_words)
    out["jieba_new"] = [w for w, _ in oov.most_common()]
    return out


def thulac_f1(test, gold):
    try:
        import thulac
    except ImportError:
        return None
    from nlpzero import score

    cutter = thulac.thulac(seg_only=True)
    return score(gold, [cutter.cut(l, text=True).split() for l in test]).f1


def run_domain(name: str, tagger, work: str, dict_path: str) -> dict:
    from nlpzero import Lexicon, Tokenizer, find_words, refine_lexicon, score

    test, gold, learn = load_domain(name)
    base = Lexicon.load(dict_path)
    res = {"domain": name, "learn_chars": sum(map(len, learn))}
    learn_path = os.path.join(work, f"{name}.learn.txt")
    with open(learn_path, "w", encoding="utf-8") as f:
        f.write("\n".join(learn) + "\n")
    print(f"[{name}] jieba", file=sys.stderr, flush=True)
    j = jieba_rows(test, gold, learn, base)
    res.update({k: v for k, v in j.items() if k != "jieba_new"})
    res["jieba HMM new words"] = new_word_scores(j["jieba_new"], gold, test, base)
    print(f"[{name}] THULAC", file=sys.stderr, flush=True)
    res["THULAC"] = thulac_f1(test, gold)
    res["tagger (jieba dict)"] = score(gold, list(tagger.cut_lines(test))).f1
    learned = find_words(learn, refine=False)
    res["learned lexicon, as found"] = score(gold, list(Tokenizer(learned).cut_lines(test))).f1
    refined = refine_lexicon(learned, learn)  # find_words(learn), the default
    res["learned lexicon, refined"] = score(gold, list(Tokenizer(refined).cut_lines(test))).f1
    for row, lexicon in (("jieba dict + learned words, as found", learned),
                         ("jieba dict + learned words, refined", refined)):
        merged = Lexicon(base.items())
        scale = base.total / max(1, lexicon.total)
        merged.update({w: max(1, round(c * scale)) for w, c in lexicon.items() if w not in base})
        res[row] = score(gold, list(Tokenizer(merged).cut_lines(test))).f1
    for row, lexicon in (("adapted (jieba dict + domain text)", dict_path),
                         ("raw text alone, adapted", "none")):
        print(f"[{name}] {row}", file=sys.stderr, flush=True)
        model = os.path.join(work, f"{name}.{'raw' if lexicon == 'none' else 'adapted'}.npz")
        run = timed_command(["train-segmenter", "--lexicon", lexicon, "--corpus", learn_path,
                             "-o", model])
        from nlpzero import Segmenter

        seg = Segmenter.load(model)
        res[row] = score(gold, list(seg.cut_lines(test))).f1
        res[row + " time"] = dict(wall_s=run["wall_s"], peak_mib=run["peak_mib"],
                                  new_words=seg.info.get("new_words"))
    print(f"[{name}] newwords", file=sys.stderr, flush=True)
    out = os.path.join(work, f"{name}.newwords.txt")
    run = timed_command(["newwords", learn_path, "-o", out])
    with open(out, encoding="utf-8") as f:
        ours = [line.split()[0] for line in f if line.strip()]
    res["nlpzero new words"] = new_word_scores(ours, gold, test, base)
    res["nlpzero new words"].update(wall_s=run["wall_s"], peak_mib=run["peak_mib"])
    print(json.dumps(res, ensure_ascii=False), file=sys.stderr, flush=True)
    return res


def render(results: list[dict]) -> str:
    f = benchutil.fmt
    rows = ["jieba HMM on", "jieba HMM off", "THULAC", "tagger (jieba dict)",
            "learned lexicon, as found", "learned lexicon, refined",
            "jieba dict + learned words, as found", "jieba dict + learned words, refined",
            "adapted (jieba dict + domain text)",
            "raw text alone, adapted"]
    headers = ["system"] + [NAMES[r["domain"]] for r in results]
    table = [[row] + [f(r.get(row), ".3f") for r in results] for row in rows]
    out = ["Word F1 on each test text (gold used only to score).", "",
           benchutil.md_table(headers, table), ""]
    if len(results) > 0:
        gains = [r["adapted (jieba dict + domain text)"] - r["tagger (jieba dict)"] for r in results]
        out += ["Adapted minus tagger: " + ", ".join(f"{r['domain']} {g:+.3f}" for r, g in
                                                     zip(results, gains))
                + f"; mean {sum(gains) / len(gains):+.3f}.", ""]
    def cell(s):
        return f"{s['f']:.3f} / {s['p100']:.2f} ({s['listed']} listed)"

    nw = [[NAMES[r["domain"]], cell(r["nlpzero new words"]), cell(r["jieba HMM new words"]),
           cell(r["nlpzero new words"]["words"]), cell(r["jieba HMM new words"]["words"])]
          for r in results]
    out += ["New words against jieba's dict.txt (type-level F / P@100, words listed that occur "
            "in the test text). The README's measure counts numbers (10, 2008年) and "
            "punctuation runs among the gold new words; `nlpzero newwords` lists numbers (not "
            "punctuation) unless `--no-numbers`. The last two columns score both lists with "
            "numbers and punctuation left out of the lists and of the gold:", "",
            benchutil.md_table(["domain", "nlpzero newwords", "jieba HMM OOV words",
                                "nlpzero, words only", "jieba, words only"], nw), ""]
    cost = []
    for r in results:
        for row in ("adapted (jieba dict + domain text)", "raw text alone, adapted"):
            t = r[row + " time"]
            cost.append([NAMES[r["domain"]], row, f"{r['learn_chars']:,}", f"{t['wall_s']:.1f}",
                         f"{t['peak_mib']:.0f}", t["new_words"]])
        t = r["nlpzero new words"]
        cost.append([NAMES[r["domain"]], "newwords", f"{r['learn_chars']:,}", f"{t['wall_s']:.1f}",
                     f"{t['peak_mib']:.0f}", "–"])
    out += ["Adapting as a whole process (`nlpzero train-segmenter --corpus`; `nlpzero "
            "newwords`), each with an empty cache, so the tagger's training on jieba's "
            "dictionary is included (later runs load it from the cache):", "",
            benchutil.md_table(["domain", "command", "characters", "wall s", "peak MiB",
                                "new words"], cost)]
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--domains", default="dl,pt,pd")
    parser.add_argument("--output", default=None,
                        help="results file (default results/domains.md; the figures go beside "
                             "it as .json)")
    args = parser.parse_args()
    from nlpzero import Segmenter
    from nlpzero.segmentation import default_dictionary_path

    dict_path = default_dictionary_path()
    print("training the tagger on jieba's dict.txt", file=sys.stderr, flush=True)
    tagger = Segmenter.train(dict_path)
    os.makedirs(benchutil.WORK, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=benchutil.WORK) as work:
        results = [run_domain(name, tagger, work, dict_path) for name in args.domains.split(",")]
    path = benchutil.write_result("domains.md", "Learning a domain from its raw text",
                                  render(results), args.output)
    with open(os.path.splitext(path)[0] + ".json", "w", encoding="utf-8") as f:
        json.dump(results, f, ensure_ascii=False, indent=1)
    print(open(path, encoding="utf-8").read())


if __name__ == "__main__":
    main()
