"""Word discovery against naive pure-Python implementations of design notes 2.1 and 2.2."""

import math
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from nlpzero.corpus import iter_runs
from nlpzero.discovery.finders import (CohesionWordFinder, PMIWordFinder, best_split, find_words,
                                       remove_redundant)
from nlpzero.lexicon import Lexicon


def naive_pmi_candidates(texts, min_proba, min_pmi):
    runs = [r for t in texts for r in iter_runs(t)]
    chars = Counter(ch for r in runs for ch in r)
    pairs = Counter(r[i:i + 2] for r in runs for i in range(len(r) - 1))
    n_chars, n_pairs = sum(chars.values()), sum(pairs.values())
    strong = {
        ab for ab, c in pairs.items()
        if c / n_pairs > min_proba
        and math.log(c / n_pairs) - math.log(chars[ab[0]] / n_chars) - math.log(chars[ab[1]] / n_chars) > min_pmi
    }
    pieces = Counter(_cut(r, lambda i: r[i:i + 2] in strong) for r in runs)
    pieces = Counter()
    for r in runs:
        for p in _pieces(r, [r[i:i + 2] in strong for i in range(len(r) - 1)]):
            pieces[p] += 1
    total = sum(pieces.values())
    return Counter({w: c for w, c in pieces.items() if c > min_proba * total})


def _cut(run, keep):
    return run


def _pieces(run, joined):
    start = 0
    for i, j in enumerate(joined):
        if not j:
            yield run[start:i + 1]
            start = i + 1
    yield run[start:]


def naive_cohesion_words(texts, order, min_count, thresholds, backoff=None, weight=0.02):
    runs = [r for t in texts for r in iter_runs(t)]
    counts = Counter(r[i:i + n] for r in runs for n in range(1, order + 1)
                     for i in range(len(r) - n + 1))
    counts = {s: c for s, c in counts.items() if c >= min_count}
    total = sum(len(r) for r in runs)
    def cohesion(s):
        return min(math.log(total * counts[s] / (counts[s[:k]] * counts[s[k:]]))
                   for k in range(1, len(s)))

    kept = {s for s in counts if len(s) >= 2 and cohesion(s) > thresholds[len(s) - 2]}
    pieces = Counter()
    for r in runs:
        joined = [False] * max(len(r) - 1, 0)
        for n in range(2, order + 1):
            for i in range(len(r) - n + 1):
                if r[i:i + n] in kept:
                    for g in range(i, i + n - 1):
                        joined[g] = True
        pieces.update(_pieces(r, joined))

    def all_parts_kept(w):
        return all(w[i:i + n] in kept for n in range(3, min(len(w), order) + 1)
                   for i in range(len(w) - n + 1))

    words = {w: c for w, c in pieces.items() if c >= min_count and all_parts_kept(w)}
    for s, c in counts.items():
        if backoff is not None and len(s) == 2 and s not in words and cohesion(s) > backoff:
            words[s] = max(1, int(c * weight))
    return words


ALPHABET = "中国人民日报的了是"
corpus_strategy = st.lists(st.text(alphabet=ALPHABET + "，a1", min_size=1, max_size=30),
                           min_size=1, max_size=40)


@settings(max_examples=40, deadline=None)
@given(texts=corpus_strategy, min_pmi=st.sampled_from([0.0, 0.5, 1.0]))
def test_pmi_candidates_match_naive(texts, min_pmi):
    finder = PMIWordFinder(min_proba=1e-7, min_pmi=min_pmi).train(texts)
    assert finder.candidates() == naive_pmi_candidates(texts, 1e-7, min_pmi)


@settings(max_examples=40, deadline=None)
@given(texts=corpus_strategy, order=st.integers(2, 5), min_count=st.integers(1, 3))
def test_cohesion_words_match_naive(texts, order, min_count):
    thresholds = [0.5 * (n - 1) for n in range(2, order + 1)]
    finder = CohesionWordFinder(order=order, min_count=min_count, thresholds=thresholds,
                                backoff_cohesion=None)
    lexicon = finder.train(texts).find()
    assert dict(lexicon.items()) == naive_cohesion_words(texts, order, min_count, thresholds)
    finder.backoff_cohesion, finder.backoff_weight = 0.1, 0.3
    assert dict(finder.find().items()) == naive_cohesion_words(
        texts, order, min_count, thresholds, backoff=0.1, weight=0.3)


def test_cohesion_on_real_text_matches_naive(pd_lines):
    lines = pd_lines[:400]
    thresholds = [math.log(5) * (n - 1) for n in range(2, 5)]
    lexicon = CohesionWordFinder(order=4, min_count=2, thresholds=thresholds).train(lines).find()
    assert dict(lexicon.items()) == naive_cohesion_words(lines, 4, 2, thresholds, backoff=2.0)


def test_pmi_on_real_text_matches_naive(pd_lines):
    lines = pd_lines[:400]
    finder = PMIWordFinder().train(lines)
    candidates = naive_pmi_candidates(lines, 1e-7, 1.0)
    assert finder.candidates() == candidates
    assert dict(finder.find().items()) == remove_redundant(candidates)


def test_incremental_training_equals_training_at_once(pd_lines):
    a, b = pd_lines[:300], pd_lines[300:600]
    for method in ("pmi", "cohesion"):
        params = {"min_count": 2} if method == "cohesion" else {}
        once = find_words(a + b, method=method, refine=False, **params)
        from nlpzero.discovery.finders import make_finder

        finder = make_finder(method, **params).train(a)
        finder.find()  # finding in between must not disturb later training
        inc = finder.train(b).find()
        assert inc == once


def test_redundant_words_are_merged_into_parts():
    # "中国人民" is explained by its parts: it goes, its count moves to them.
    words = Counter({"中国": 100, "人民": 100, "中国人民": 1, "中": 5, "国": 5, "人": 5, "民": 5})
    out = remove_redundant(words)
    assert "中国人民" not in out and out["中国"] == 101 and out["人民"] == 101
    # A word much more frequent than its parts predict stays.
    words = Counter({"中国": 3, "人民": 3, "中国人民": 50})
    assert remove_redundant(words)["中国人民"] == 50


def test_best_split():
    logp = {"中国": -1.0, "人民": -1.0, "中": -3.0, "国人": -0.5}
    assert best_split("中国人民", logp, -10.0, 4) == ["中国", "人民"]
    assert best_split("中", {}, -10.0, 4) == ["中"]


def test_finds_real_words(pd_lines):
    lexicon = find_words(pd_lines)
    for word in ("中国", "发展", "经济", "国家"):
        assert word in lexicon
    assert isinstance(lexicon, Lexicon)


def test_empty_and_non_han_input():
    assert len(find_words([])) == 0
    assert len(find_words(["abc 123", ""], method="pmi")) == 0
    with pytest.raises(ValueError):
        find_words(["中国"], method="nope")


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.floats(-5, 5), st.floats(-5, 5), st.integers(0, 3),
                          st.integers(0, 2)), min_size=1, max_size=30))
def test_min_split_pmi_kernel_matches_reference(rows):
    from nlpzero.discovery.finders import _min_split_pmi

    log_left = np.array([0.1, -1.0, 2.0, 0.5])
    log_right = np.array([1.5, -0.5, 0.0])
    start = np.array([r[0] for r in rows])
    log_ns = np.array([r[1] for r in rows])
    left = np.array([r[2] for r in rows])
    right = np.array([r[3] for r in rows])
    coh = start.copy()
    _min_split_pmi(coh, log_ns, log_left, left, log_right, right)
    expected = [min(s, n - log_left[a] - log_right[b]) for s, n, a, b in rows]
    assert coh.tolist() == expected
