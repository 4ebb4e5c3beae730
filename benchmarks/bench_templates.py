"""Sentence templates: mining and parsing, nlpzero vs nlp-zero 0.1.6, on the People's
Daily raw text, and sample templates and trees from the People's Daily and the reviews.

Both systems get the same input. A lexicon is learned from the raw text with
nlpzero's default method, the text is segmented with nlpzero's ``Tokenizer`` over it,
and the token lists are cut into runs at every token that is not a word
(punctuation). Both miners see these runs, one run per sentence: nlp-zero's
``Template_Finder`` through a ``tokenize`` function that looks the run's words up
(``filtering=False``, so that its regular expression cuts nothing more), nlpzero's
``TemplateFinder`` through ``train_segmented``. Same parameters: window 5,
min_proba 1e-5, min_pmi 2. The two template sets with their counts are compared
exactly. Timings are train + find, best of 3 for nlpzero (after one warm-up run that
loads the compiled kernels) and of 2 for nlp-zero, in one process.

Parsing uses the non-trivial mined templates (the same set for both) and clauses of
the text (lines cut at ，。！？；：、 and segmented as above). nlp-zero's ``Parser``
is timed as shipped and with the one-line fix of its template search described in
``FixedXTrie`` below; trees are compared node by node.

Usage: ``python benchmarks/bench_templates.py [--quick] [--output PATH]``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import benchutil  # noqa: E402

CLAUSE_SPLIT = re.compile("[，。！？；：、]")
WINDOW, MIN_PROBA, MIN_PMI = 5, 1e-5, 2.0


def runs_of(token_lists, is_word_char):
    runs = []
    for ws in token_lists:
        cur = []
        for w in ws:
            if is_word_char(w[0]):
                cur.append(w)
            elif cur:
                runs.append(cur)
                cur = []
        if cur:
            runs.append(cur)
    return runs


def fixed_xtrie_class(nz):
    """nlp-zero's XTrie with its template search corrected.

    In ``XTrie._search`` a word may be absorbed without moving in the trie when
    ``not matching or matching[-1] != out_start + in_start``; ``matching[-1]`` is the
    position of the last matched word, always before the current one, so the test is
    always true: any word can be skipped anywhere, also where the template has no
    placeholder and before its first word. "A B" then matches "A x y B" and the search
    grows exponentially with the sentence. The intended test is "the previous word
    went into a placeholder": a word was consumed and it was not the last matched
    word. This class makes only that change.
    """

    class FixedXTrie(nz.XTrie):
        def _search(self, sent, output, in_start=0, out_start=0, trie_dic={}, matching=()):
            if not sent:
                return
            word = sent[0]
            here = out_start + in_start
            span = (out_start, here + 1)
            if word in trie_dic:
                matched = matching + (here,)
                if self.end in trie_dic[word]:
                    output[span][matched] = trie_dic[word][self.end][1]
                self._search(sent[1:], output, in_start + 1, out_start, trie_dic[word], matched)
            if None in trie_dic:
                if self.end in trie_dic[None]:
                    output[span][matching] = trie_dic[None][self.end][1]
                self._search(sent[1:], output, in_start + 1, out_start, trie_dic[None], matching)
            in_placeholder = in_start > 0 and (not matching or matching[-1] != here - 1)
            if in_placeholder:
                if self.end in trie_dic:
                    output[span][matching] = trie_dic[self.end][1]
                self._search(sent[1:], output, in_start + 1, out_start, trie_dic, matching)

    return FixedXTrie


def canon_peer(tree):
    return (tuple(tree.template.words), tuple(canon_peer(m) for m in tree.modules))


def canon_ours(tree):
    if tree.template is None:
        return (tuple(tree.words), ())
    return (tree.template, tuple(canon_ours(c) for c in tree.children))


def best_of(fn, repeats):
    times = []
    out = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), times, out


def mining(nz, runs, repeats):
    from nlpzero.templates import TemplateFinder

    texts = ["".join(r) for r in runs]
    seg = {}
    for t, r in zip(texts, runs):
        assert seg.setdefault(t, r) == r, "one text, two segmentations"
    lookup = seg.__getitem__

    def peer():
        f = nz.Template_Finder(lookup, window=WINDOW, min_proba=MIN_PROBA, min_pmi=MIN_PMI)
        f.train(texts, filtering=False)
        f.find(texts, filtering=False)
        return {tuple(t.words): c for t, c in f.templates.items()}

    truncated = []

    def ours():
        f = TemplateFinder(window=WINDOW, min_proba=MIN_PROBA, min_pmi=MIN_PMI)
        out = f.train_segmented(runs).find()
        truncated.append(f.truncated_runs)
        return out

    t0 = time.perf_counter()
    ours()
    first = time.perf_counter() - t0
    t_ours, all_ours, got = best_of(ours, repeats)
    t_peer, all_peer, want = best_of(peer, max(1, repeats - 1))
    got = dict(got)
    only_peer = [t for t in want if t not in got]
    only_ours = [t for t in got if t not in want]
    diff = [t for t in want if t in got and want[t] != got[t]]
    return {
        "runs": len(runs), "words": sum(map(len, runs)),
        "peer_s": t_peer, "peer_all_s": all_peer,
        "ours_s": t_ours, "ours_all_s": all_ours, "ours_first_s": first,
        "ratio": t_peer / t_ours,
        "templates": len(want), "templates_ours": len(got),
        "paths": sum(want.values()), "paths_ours": sum(got.values()),
        "identical": want == got, "only_peer": len(only_peer), "only_ours": len(only_ours),
        "count_diffs": len(diff), "truncated_runs": max(truncated),
    }


def end_to_end(lines, tokenizer, repeats):
    from nlpzero.templates import TemplateFinder

    def run():
        return TemplateFinder(tokenizer, window=WINDOW, min_proba=MIN_PROBA,
                              min_pmi=MIN_PMI).train(lines).find()

    t, all_t, ts = best_of(run, repeats)
    return t, all_t, ts


def parsing(nz, templates, clauses, run_orig, deadline_s):
    from nlpzero.templates import Parser

    xt = nz.XTrie()
    fx = fixed_xtrie_class(nz)()
    for t, c in templates.items():
        xt[list(t)] = c
        fx[list(t)] = c
    current = {}
    peer_orig = nz.Parser(xt, lambda s: current["words"])
    peer_fixed = nz.Parser(fx, lambda s: current["words"])
    ours = Parser(templates)
    ours.parse_words(clauses[0])  # load the compiled kernel

    def run_peer(p):
        # A single clause can take nlp-zero minutes: an alarm stops the whole run
        # once `deadline_s` is over.
        trees = []

        def stop(signum, frame):
            raise TimeoutError

        old = signal.signal(signal.SIGALRM, stop)
        signal.setitimer(signal.ITIMER_REAL, deadline_s)
        t0 = time.perf_counter()
        try:
            for words in clauses:
                current["words"] = words
                trees.append(p.parse("".join(words)))
        except TimeoutError:
            return None, time.perf_counter() - t0, len(trees)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)
        return trees, time.perf_counter() - t0, len(trees)

    out = {"clauses": len(clauses), "words": sum(map(len, clauses))}
    t_ours, all_ours, trees = best_of(lambda: [ours.parse_words(w) for w in clauses], 3)
    out.update(ours_s=t_ours, ours_all_s=all_ours)
    mine = [canon_ours(t) for t in trees]
    fixed, t_fixed, n_fixed = run_peer(peer_fixed)
    out.update(fixed_s=t_fixed if fixed else None, fixed_done=n_fixed)
    if fixed:
        out["same_as_fixed"] = sum(canon_peer(a) == b for a, b in zip(fixed, mine))
        out["ratio_fixed"] = t_fixed / t_ours
    if run_orig:
        orig, t_orig, n_orig = run_peer(peer_orig)
        out.update(orig_s=t_orig if orig else None, orig_done=n_orig,
                   orig_elapsed_s=t_orig)
        if orig:
            out["same_as_orig"] = sum(canon_peer(a) == b for a, b in zip(orig, mine))
            out["ratio_orig"] = t_orig / t_ours
    return out


def samples(name, lines, lexicon_lines, n_lines, picks, tpl_top=40):
    """Templates and parse trees of a corpus, for the README."""
    from nlpzero import Tokenizer, find_words
    from nlpzero.templates import Parser, TemplateFinder, template_text

    tk = Tokenizer(find_words(lexicon_lines, refine=False))
    ts = TemplateFinder(tk).train(lines[:n_lines]).find()
    nontrivial = ts.nontrivial()
    multi = [(t, c) for t, c in nontrivial.items() if sum(w is not None for w in t) >= 2]
    parser = Parser(nontrivial, tk)
    trees = [parser.parse(s).render() for s in picks]
    return {
        "name": name, "templates": len(ts), "nontrivial": len(nontrivial),
        "top": [(template_text(t), c) for t, c in nontrivial.most_common(tpl_top)],
        "top_multi": [(template_text(t), c) for t, c in multi[:tpl_top]],
        "trees": list(zip(picks, trees)),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="first 3000 lines only")
    parser.add_argument("--output", help="results file (default benchmarks/results/templates.md)")
    args = parser.parse_args(argv)

    from peers import require_nlp_zero

    nz = require_nlp_zero()
    from nlpzero import Tokenizer, find_words
    from nlpzero.corpus import is_word_char
    from nlpzero.datasets import peoples_daily_text, reviews

    lines = peoples_daily_text()
    if args.quick:
        lines = lines[:3000]
    lexicon = find_words(lines, refine=False)
    tk = Tokenizer(lexicon)
    token_lists = list(tk.cut_lines(lines))
    runs = runs_of(token_lists, is_word_char)
    print(f"{len(lines)} lines, {len(runs)} runs, {sum(map(len, runs))} words", file=sys.stderr)

    mine = mining(nz, runs, 3)
    print(json.dumps(mine), file=sys.stderr)
    e2e_s, e2e_all, ts = end_to_end(lines, tk, 3)
    mine.update(end_to_end_s=e2e_s, end_to_end_all_s=e2e_all)
    templates = ts.nontrivial()

    clauses = [[w for w in tk.lcut(c) if w.strip()] for line in lines
               for c in CLAUSE_SPLIT.split(line)]
    clauses = [c for c in clauses if c]
    rng = random.Random(0)
    short = [c for c in clauses if len(c) <= 12]
    long_ = [c for c in clauses if 13 <= len(c) <= 30]
    short = rng.sample(short, min(2000, len(short)))
    long_ = rng.sample(long_, min(300, len(long_)))
    parse_short = parsing(nz, templates, short, run_orig=True, deadline_s=600)
    print(json.dumps(parse_short), file=sys.stderr)
    parse_long = parsing(nz, templates, long_, run_orig=True, deadline_s=120)
    print(json.dumps(parse_long), file=sys.stderr)

    from nlpzero.templates import Parser

    whole = [[w for w in ws if w.strip()] for ws in token_lists]
    p = Parser(templates)
    t0 = time.perf_counter()
    for words in whole:
        p.parse_words(words)
    whole_s = time.perf_counter() - t0

    pd_picks = ["中国人民银行今天发布了新的货币政策", "鸡蛋可以吃吗",
                "江泽民在北京会见了美国客人", "我们要把经济建设搞上去"]
    review_lines = reviews()
    rv_picks = ["这个手机的屏幕很好用", "质量不错，价格也便宜", "酒店的服务态度非常好"]
    pd_sample = samples("People's Daily", lines, lines, len(lines), pd_picks)
    rv_sample = samples("reviews", review_lines, review_lines, len(review_lines), rv_picks)

    result = {"mining": mine, "parse_short": parse_short, "parse_long": parse_long,
              "parse_lines": {"lines": len(whole), "words": sum(map(len, whole)),
                              "seconds": whole_s},
              "samples": [pd_sample, rv_sample]}
    body = report(result)
    print(body)
    if not args.quick or args.output:
        path = benchutil.write_result("templates.md", "Sentence templates: mining and parsing "
                                      "vs nlp-zero 0.1.6", body, path=args.output)
        with open(os.path.splitext(path)[0] + ".json", "w", encoding="utf-8") as f:
            json.dump(result, f, indent=1, ensure_ascii=False)
        print(f"written to {path}", file=sys.stderr)
    return 0


def report(r) -> str:
    m = r["mining"]
    fmt = benchutil.fmt
    out = ["## Mining (People's Daily, same segmented runs for both)", "",
           f"{m['runs']} runs, {m['words']} words; window {WINDOW}, min_proba {MIN_PROBA}, "
           f"min_pmi {MIN_PMI}.", ""]
    out.append(benchutil.md_table(
        ["system", "train + find s", "templates", "paths (total count)"],
        [["nlp-zero 0.1.6 `Template_Finder`", fmt(m["peer_s"], ".2f"), m["templates"],
          m["paths"]],
         ["nlpzero `TemplateFinder.train_segmented(runs).find()`", fmt(m["ours_s"], ".3f"),
          m["templates_ours"], m["paths_ours"]],
         ["nlpzero `TemplateFinder(tokenizer).train(lines).find()` (segmenting included)",
          fmt(m["end_to_end_s"], ".3f"), "", ""]]))
    out += ["", f"- speed-up: **{m['ratio']:.1f}x** (all timings: nlp-zero "
                f"{', '.join(f'{x:.2f}' for x in m['peer_all_s'])} s; nlpzero "
                f"{', '.join(f'{x:.3f}' for x in m['ours_all_s'])} s, first call "
                f"{m['ours_first_s']:.2f} s with loading the compiled kernels)",
            f"- same templates and counts: **{m['identical']}** (only nlp-zero: "
            f"{m['only_peer']}, only nlpzero: {m['only_ours']}, different counts: "
            f"{m['count_diffs']}); runs cut at nlpzero's bound of 1000 paths: "
            f"{m['truncated_runs']}", ""]
    out.append("## Parsing (non-trivial templates, clauses of the People's Daily)")
    out.append("")
    rows = []
    for key, title in (("parse_short", "2000 random clauses of 1-12 words"),
                       ("parse_long", "300 random clauses of 13-30 words")):
        p = r[key]
        orig = (fmt(p.get("orig_s"), ".2f") if p.get("orig_s") is not None else
                f"stopped after {p['orig_elapsed_s']:.0f} s, {p['orig_done']} clauses done")
        rows.append([f"{title} ({p['words']} words)", fmt(p["ours_s"], ".3f"),
                     fmt(p.get("fixed_s"), ".2f"), orig,
                     fmt(p.get("ratio_fixed"), ".1f"), fmt(p.get("ratio_orig"), ".1f"),
                     f"{p.get('same_as_fixed', '–')} / {p['clauses']}",
                     f"{p.get('same_as_orig', '–')} / {p['clauses']}"])
    out.append(benchutil.md_table(
        ["sample", "nlpzero s", "nlp-zero fixed s", "nlp-zero as shipped s", "x vs fixed",
         "x vs shipped", "same trees as fixed", "same trees as shipped"], rows))
    pl = r["parse_lines"]
    out += ["", f"Whole lines (too long for nlp-zero's search, exponential in the line "
                f"length): nlpzero parses all {pl['lines']} lines ({pl['words']} words) in "
                f"{pl['seconds']:.1f} s ({pl['lines'] / pl['seconds']:.0f} lines/s).", ""]
    for s in r["samples"]:
        out += [f"## Samples: {s['name']} ({s['templates']} templates, {s['nontrivial']} "
                f"non-trivial)", "", "Most frequent non-trivial templates: "
                + ", ".join(f"`{t}` {c}" for t, c in s["top"][:25]), "",
                "Most frequent templates with two or more words: "
                + ", ".join(f"`{t}` {c}" for t, c in s["top_multi"][:25]), ""]
        for text, tree in s["trees"]:
            out += ["```", tree, "```", ""]
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
