"""Co-occurrence counting and PMI word vectors against pure-Python references; the
word2vec files (gensim reads them when it is installed); the command line."""

import math
import os
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from nlpzero.cli import main
from nlpzero.vectors.cooccur import _emit_pairs, _run_length, _sort_keys, count_cooccurrences
from nlpzero._kernels.merges import merge_counts as _merge
from nlpzero.errors import FormatError, InputError
from nlpzero.vectors import WordVectors, default_whiten_size, train_vectors, whiten
from nlpzero.vectors.training import (TASKS_PER_THREAD, _block_positions, _block_tasks,
                                      _grouped_entries, _n_blocks,
                                      _shuffle_tasks, _train_block)
from inner import call_inner
from vector_reference import adagrad_step
from cli_runs import run

#: Training kernels: the plain one, and the BLAS one when SciPy is there.
#: The kernels' arguments for no unobserved pairs (seed, rate, log_p, log_norm, wneg).
NO_HINGE = (np.uint64(0), 0.0, np.zeros(1, np.float32), np.float32(0.0), 0.0)


# ---------------------------------------------------------------------------
# References


def naive_cooccurrence(sentences, window, min_count, harmonic=False):
    """{(word_i, word_j): X_ij} for i <= j in frequency order, and the vocabulary."""
    lines = [s.split() if isinstance(s, str) else list(s) for s in sentences]
    counts = Counter(w for line in lines for w in line)
    first = {}
    for line in lines:
        for w in line:
            first.setdefault(w, len(first))
    vocab = sorted((w for w in counts if counts[w] >= min_count),
                   key=lambda w: (-counts[w], first[w]))
    rank = {w: i for i, w in enumerate(vocab)}
    X = Counter()
    for line in lines:
        kept = [w for w in line if w in rank]
        for p in range(len(kept)):
            for q in range(p + 1, min(p + window, len(kept) - 1) + 1):
                a, b = sorted((kept[p], kept[q]), key=rank.get)
                X[a, b] += 1.0 / (q - p) if harmonic else 1.0
    for key in X:
        if key[0] == key[1]:
            X[key] *= 2  # both orders of a pair of positions
    return dict(X), vocab, [counts[w] for w in vocab]


def naive_train(rows, cols, target, weight, W, C, GW, GC, lr, shared, draws=()):
    """One AdaGrad pass, one entry and one coordinate at a time, in float64.

    GW, GC of shape (V, 1): one AdaGrad sum per vector, the mean over coordinates.
    With draws, an entry of weight f < 1 is taken when its draw is below f, with
    weight 1.
    """
    W, C, GW, GC = (np.array(a, dtype=np.float64) for a in (W, C, GW, GC))
    if shared:
        C, GC = W, GW
    loss = 0.0
    for e in range(len(rows)):
        f = float(weight[e])
        if len(draws) and f < 1:
            if draws[e] >= f:
                continue
            f = 1.0
        i, j = int(rows[e]), int(cols[e])
        diff = sum(W[i, k] * C[j, k] for k in range(W.shape[1])) - target[e]
        fd = f * diff
        loss += fd * diff
        adagrad_step(W, C, GW, GC, i, j, fd, lr, shared)
    return loss, W, C


WORDS = st.sampled_from(["中国", "人民", "的", "经济", "发展", "a", "了", "𠀀"])
SENTENCES = st.lists(st.lists(WORDS, max_size=25), max_size=25)


# ---------------------------------------------------------------------------
# Co-occurrence counting


@settings(max_examples=60, deadline=None)
@given(sentences=SENTENCES, window=st.integers(1, 6), min_count=st.integers(1, 3),
       harmonic=st.booleans(), buffer=st.integers(1, 40))
def test_cooccurrence_matches_naive(sentences, window, min_count, harmonic, buffer):
    expected, vocab, counts = naive_cooccurrence(sentences, window, min_count, harmonic)
    if not vocab:
        with pytest.raises(InputError):
            count_cooccurrences(sentences, window, min_count)
        return
    # A tiny buffer makes many merges, each with its own key ranges.
    cooc = count_cooccurrences(sentences, window=window, min_count=min_count,
                               weighting="harmonic" if harmonic else "count",
                               buffer_pairs=buffer)
    assert cooc.words == vocab
    assert cooc.counts.tolist() == counts
    got = cooc.to_dict()
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        assert got[key] == pytest.approx(value)
    assert np.all(cooc.rows <= cooc.cols)
    assert cooc.total == pytest.approx(sum(v if a == b else 2 * v
                                           for (a, b), v in expected.items()))


def test_cooccurrence_real_text(pd_lines):
    sentences = [list(line) for line in pd_lines[:200]]  # characters as words
    expected, vocab, _ = naive_cooccurrence(sentences, 5, 2)
    cooc = count_cooccurrences(sentences, window=5, min_count=2, buffer_pairs=5000)
    assert cooc.words == vocab
    assert cooc.to_dict() == expected


@settings(max_examples=50, deadline=None)
@given(ids=st.lists(st.integers(-1, 5), max_size=60), window=st.integers(1, 5),
       size=st.integers(5, 30), harmonic=st.booleans())
def test_emit_sort_merge_kernels(ids, window, size, harmonic):
    ids = np.array(ids, dtype=np.int32)
    V = 6
    size = max(size, window)
    naive = []
    for p in range(len(ids)):
        for q in range(p + 1, min(p + window, len(ids) - 1) + 1):
            if ids[p] < 0 or ids[q] < 0:
                break
            a, b = sorted((int(ids[p]), int(ids[q])))
            naive.append((a * V + b, 1.0 / (q - p) if harmonic else 1.0))
    out = np.empty(size, dtype=np.int64)
    vals = np.empty(size, dtype=np.float64)
    total_k = np.zeros(0, np.int64)
    total_v = np.zeros(0, np.float64)
    p = 0
    while p < len(ids):
        p, m = _emit_pairs(ids, p, window, V, harmonic, out)
        out[:m].sort()
        u = _run_length(out, m, window, harmonic, vals)
        total_k, total_v = _merge(total_k, total_v, out[:u].copy(), vals[:u].copy())
    ref = Counter()
    for k, v in naive:
        ref[k] += v
    assert total_k.tolist() == sorted(ref)
    assert total_v.tolist() == pytest.approx([ref[k] for k in sorted(ref)])


@settings(max_examples=60, deadline=None)
@given(keys=st.lists(st.integers(0, 2**40 - 1), max_size=300), bits=st.integers(1, 40),
       extra=st.integers(0, 5))
def test_sort_keys_matches_sorted(keys, bits, extra):
    """The radix sort of keys below 2^bits: one pass or several, an odd or even
    number; the keys past n are left alone."""
    keys = [k % (1 << bits) for k in keys]
    n = len(keys)
    arr = np.array(keys + [7] * extra, dtype=np.int64)
    scratch = np.empty(n + extra, dtype=np.int64)
    _sort_keys(arr, n, scratch, bits)
    assert arr[:n].tolist() == sorted(keys)
    assert arr[n:].tolist() == [7] * extra


def test_subsampling(pd_lines):
    sentences = [list(line) for line in pd_lines[:300]]
    plain = count_cooccurrences(sentences, window=4, min_count=2)
    # No word is more frequent than 0.5: nothing is dropped.
    assert count_cooccurrences(sentences, window=4, min_count=2, subsample=0.5,
                               seed=1).to_dict() == plain.to_dict()
    a = count_cooccurrences(sentences, window=4, min_count=2, subsample=1e-3, seed=1)
    b = count_cooccurrences(sentences, window=4, min_count=2, subsample=1e-3, seed=1)
    assert a.to_dict() == b.to_dict() and a.words == plain.words
    np.testing.assert_array_equal(a.counts, plain.counts)  # counts of the whole text
    # Frequent characters lose most of their pairs; pairs of rare ones are kept
    # (and gain pairs whose windows reach past dropped characters).
    assert a.total < 0.8 * plain.total
    pa, pp = a.to_dict(), plain.to_dict()
    top = plain.words[0]
    assert sum(v for k, v in pa.items() if top in k) < sum(v for k, v in pp.items() if top in k) / 3
    with pytest.raises(InputError):
        count_cooccurrences(sentences, subsample=2.0)


def test_cooccurrence_bad_input():
    with pytest.raises(InputError):
        count_cooccurrences("中国 人民")
    with pytest.raises(InputError):
        count_cooccurrences([["中国", 3]], min_count=1)
    with pytest.raises(InputError):
        count_cooccurrences([["中国"]], window=0)
    with pytest.raises(InputError):
        count_cooccurrences([["中国"]], weighting="idf")
    with pytest.raises(InputError):
        count_cooccurrences([[]] * 3)


# ---------------------------------------------------------------------------
# Training


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**31), shared=st.booleans(), n=st.integers(1, 40),
       dim=st.integers(1, 9), per_word=st.booleans(), sample=st.booleans())
def test_train_kernel_matches_naive(seed, shared, n, dim, per_word, sample):
    rng = np.random.default_rng(seed)
    V = 5
    rows = rng.integers(0, V, n).astype(np.int32)
    cols = rng.integers(0, V, n).astype(np.int32)
    target = rng.normal(size=n).astype(np.float32)
    weight = (rng.random(n) * 1.5).astype(np.float32)
    draws = rng.random(n).astype(np.float32) if sample else np.zeros(0, np.float32)
    gdim = 1 if per_word else dim
    W = rng.normal(size=(V, dim)).astype(np.float32)
    C = W if shared else rng.normal(size=(V, dim)).astype(np.float32)
    GW = (1 + rng.random((V, gdim))).astype(np.float32)
    GC = GW if shared else (1 + rng.random((V, gdim))).astype(np.float32)
    ref_loss, ref_W, ref_C = naive_train(rows, cols, target, weight, W, C, GW, GC, 0.05,
                                         shared, draws)
    loss = _train_block(rows, cols, target, weight, W, C, GW, GC, np.float32(0.05), shared,
                        draws, *NO_HINGE, 0, n, 0, V, 0, 0)
    assert loss == pytest.approx(ref_loss, rel=1e-3, abs=1e-3)
    np.testing.assert_allclose(W, ref_W, rtol=1e-3, atol=1e-3)
    np.testing.assert_allclose(C, ref_C, rtol=1e-3, atol=1e-3)


@pytest.fixture(scope="module")
def pd_words(pd_lines):
    from nlpzero.segmentation import Tokenizer

    return list(Tokenizer().cut_lines(pd_lines[:1000]))


@pytest.fixture(scope="module")
def pd_cooc(pd_words):
    return count_cooccurrences(pd_words, window=5, min_count=3)


@pytest.mark.parametrize("threads,kw", [(1, {}), (2, {}), (3, dict(unobserved=0.05)),
                                        (2, dict(variant=1, unobserved=0.05))])
def test_training_is_deterministic_and_loss_falls(pd_cooc, threads, kw):
    """With a seed, the same result for the same number of threads: one thread, or
    threads that never write the same vector (the block rounds)."""
    a = train_vectors(pd_cooc, dim=16, iterations=4, threads=threads, seed=7, **kw)
    b = train_vectors(pd_cooc, dim=16, iterations=4, threads=threads, seed=7, **kw)
    np.testing.assert_array_equal(a.vectors, b.vectors)
    assert a.losses == b.losses and len(a.losses) == 4
    if not kw:  # (the hinge trades some of the observed entries' loss)
        assert all(x > y for x, y in zip(a.losses, a.losses[1:]))
    c = train_vectors(pd_cooc, dim=16, iterations=4, threads=threads, seed=8, **kw)
    assert not np.array_equal(a.vectors, c.vectors)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**31), n=st.integers(1, 60), truncate=st.booleans())
def test_entries_kernel_in_place_matches_naive(seed, n, truncate):
    rng = np.random.default_rng(seed)
    V = 7
    rows = rng.integers(0, V, n).astype(np.int32)
    cols = rng.integers(0, V, n).astype(np.int32)
    values = rng.integers(1, 300, n).astype(np.float64)
    position = rng.permutation(V).astype(np.int64)
    log_p = rng.normal(size=V) - 3
    target, weight = np.empty(n, np.float32), np.empty(n, np.float32)
    new_rows, new_cols = rows.copy(), cols.copy()
    # One task, written in place: how single-threaded training calls it.
    bounds = np.empty(2, np.int64)
    _grouped_entries(new_rows, new_cols, values, 1, False, position, log_p, -9.5, 100.0, 0.75,
                     truncate, new_rows, new_cols, target, weight, bounds, False, np.uint64(0))
    assert bounds.tolist() == [0, n]
    for e in range(n):
        i, j, x = int(rows[e]), int(cols[e]), float(values[e])
        f = (x / 100.0) ** 0.75
        assert (new_rows[e], new_cols[e]) == (position[i], position[j])
        assert target[e] == pytest.approx(math.log(x) - 9.5 - log_p[i] - log_p[j], rel=1e-5)
        assert weight[e] == pytest.approx(min(f, 1.0) if truncate else f, rel=1e-5)


def naive_task_of(rows, cols, P, shared):
    """The task of each entry, a * P + b for the blocks a, b of its words."""
    tasks = []
    for i, j in zip(rows.tolist(), cols.tolist()):
        a, b = i % P, j % P
        if shared and a > b:
            a, b = b, a
        tasks.append(a * P + b)
    return np.array(tasks, dtype=np.int64)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**31), n=st.integers(1, 80), P=st.integers(1, 4),
       shared=st.booleans(), truncate=st.booleans())
def test_grouped_entries_kernel_matches_naive(seed, n, P, shared, truncate):
    """Each task's entries in storage order from its start, as the naive loop computes
    them, and the bounds of the tasks."""
    rng = np.random.default_rng(seed)
    V = 7
    rows = rng.integers(0, V, n).astype(np.int32)
    cols = rng.integers(0, V, n).astype(np.int32)
    values = rng.integers(1, 300, n).astype(np.float64)
    position = rng.permutation(V).astype(np.int64)
    log_p = rng.normal(size=V) - 3
    fit = (log_p, -9.5, 100.0, 0.75, truncate)
    out = [np.empty(n, np.int32), np.empty(n, np.int32), np.empty(n, np.float32),
           np.empty(n, np.float32)]
    bounds = np.empty(P * P + 1, np.int64)
    _grouped_entries(rows, cols, values, P, shared, position, *fit, *out, bounds, False,
                     np.uint64(0))
    task_of = naive_task_of(rows, cols, P, shared)
    counts = np.bincount(task_of, minlength=P * P)
    assert bounds.tolist() == [0] + np.cumsum(counts).tolist()
    order = [e for k in range(P * P) for e in range(n) if task_of[e] == k]
    for t, e in enumerate(order):
        i, j, x = int(rows[e]), int(cols[e]), float(values[e])
        f = (x / 100.0) ** 0.75
        assert (out[0][t], out[1][t]) == (position[i], position[j])
        assert out[2][t] == pytest.approx(math.log(x) - 9.5 - log_p[i] - log_p[j], rel=1e-5)
        assert out[3][t] == pytest.approx(min(f, 1.0) if truncate else f, rel=1e-5)
    # Shuffled: the same entries, each task's in the order of the reference shuffle.
    shuffled = [np.empty_like(a) for a in out]
    _grouped_entries(rows, cols, values, P, shared, position, *fit, *shuffled, bounds, True,
                     np.uint64(seed))
    order = shuffle_reference(bounds.tolist(), seed)
    for a, b in zip(out, shuffled):
        assert b.tolist() == a[order].tolist()


def _draw_reference(seed, e, r):
    """splitmix64's finaliser of seed * golden + e * 64 + r, on Python ints."""
    m = (1 << 64) - 1
    x = (seed * 0x9E3779B97F4A7C15 + e * 64 + r) & m
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & m
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & m
    return x ^ (x >> 31)


def shuffle_reference(bounds, seed):
    """The order of the positions after Fisher-Yates on each task's span with the
    hashed draws."""
    ref = list(range(bounds[-1]))
    for start, stop in zip(bounds[:-1], bounds[1:]):
        for t in range(stop - 1, start, -1):
            u = start + (((_draw_reference(seed, t, 0) >> 32) * (t - start + 1)) >> 32)
            ref[t], ref[u] = ref[u], ref[t]
    return ref


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**63 - 1), sizes=st.lists(st.integers(0, 12), min_size=1,
                                                      max_size=5), split=st.integers(0, 5))
def test_shuffle_tasks_matches_fisher_yates(seed, sizes, split):
    """Each task's span shuffled by Fisher-Yates with the hashed draws, the four arrays
    alike; shuffling the tasks in two calls (two threads) gives the same."""
    bounds = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    n = int(bounds[-1])
    arrays = [np.arange(n, dtype=np.int32), np.arange(n, dtype=np.int32) + 100,
              np.arange(n, dtype=np.float32), np.arange(n, dtype=np.float32) / 2]
    split = min(split, len(sizes))
    call_inner(_shuffle_tasks, *arrays, bounds, 0, split, np.uint64(seed))
    call_inner(_shuffle_tasks, *arrays, bounds, split, len(sizes), np.uint64(seed))
    ref = shuffle_reference(bounds.tolist(), seed)
    assert arrays[0].tolist() == ref
    assert arrays[1].tolist() == [x + 100 for x in ref]
    assert arrays[2].tolist() == ref and arrays[3].tolist() == [x / 2 for x in ref]


@pytest.mark.parametrize("threads,shared", [(2, True), (3, True), (2, False), (3, False)])
def test_block_rounds_write_disjoint_vectors(threads, shared):
    """Every entry is in one task of one round; a task's entries and sampled words lie
    in its blocks; the tasks of a round share no vector (word vectors, and context
    vectors when separate)."""
    rng = np.random.default_rng(threads)
    V, n = 23, 600
    rows = rng.integers(0, V, n).astype(np.int32)
    cols = rng.integers(0, V, n).astype(np.int32)
    if shared:
        rows, cols = np.minimum(rows, cols), np.maximum(rows, cols)
    P = _n_blocks(threads, shared)
    position = _block_positions(V, P)
    out = [np.empty(n, np.int32), np.empty(n, np.int32), np.empty(n, np.float32),
           np.empty(n, np.float32)]
    bounds = np.empty(P * P + 1, np.int64)
    _grouped_entries(rows, cols, np.ones(n), P, shared, position, np.zeros(V), 0.0, 1.0, 1.0,
                     True, *out, bounds, False, np.uint64(0))
    tasks, rounds = _block_tasks(bounds, V, threads, shared)
    # Grouped by task in storage order (as _grouped_entries writes them).
    task_of = naive_task_of(rows, cols, P, shared)
    order = np.argsort(task_of, kind="stable")
    assert (np.diff(task_of[order]) >= 0).all()
    for k in range(len(tasks)):
        assert (task_of[order[tasks[k, 0]:tasks[k, 1]]] == k).all()
    assert sorted(position.tolist()) == list(range(V))
    width = TASKS_PER_THREAD * threads
    assert rounds.shape[1] == width
    listed = rounds.ravel().tolist()
    assert min(listed) >= 0
    assert len(listed) == len(set(listed))
    cover = np.zeros(n, dtype=int)
    for k in listed:
        cover[tasks[k, 0]:tasks[k, 1]] += 1
    assert (cover == 1).all()
    assert P == (2 * width if shared else width)
    r, c = position[rows[order]], position[cols[order]]
    assert r.tolist() == out[0].tolist() and c.tolist() == out[1].tolist()
    for round_tasks in rounds:
        seen_w, seen_c = set(), set()
        for k in round_tasks.tolist():
            start, stop, a0, na, b0, nb = tasks[k].tolist()
            sampled = set(range(a0, a0 + na)) | set(range(b0, b0 + nb))
            if shared:
                words = set(r[start:stop].tolist()) | set(c[start:stop].tolist())
                assert words <= sampled  # the entries' words are the task's blocks' words
                touched_w, touched_c = sampled, set()
            else:
                row_block = (k // P) * (P + 1)  # task (r, r) samples from block r
                w0, wn = tasks[row_block, 2:4].tolist()
                touched_w = set(range(w0, w0 + wn))
                assert set(r[start:stop].tolist()) <= touched_w
                assert set(c[start:stop].tolist()) <= sampled
                touched_c = sampled
            assert not touched_w & seen_w and not touched_c & seen_c
            seen_w |= touched_w
            seen_c |= touched_c


@pytest.mark.parametrize("variant,truncate,adagrad,sample", [
    (0, False, "word", False), (1, True, "parameter", False),
    (2, True, "word", True), (0, True, "parameter", True)])
def test_variants_and_threads(pd_cooc, variant, truncate, adagrad, sample):
    wv = train_vectors(pd_cooc, dim=8, iterations=3, variant=variant, truncate=truncate,
                       threads=2, seed=1, adagrad=adagrad, sample=sample)
    assert wv.vectors.shape == (len(pd_cooc.words), 16 if variant == 1 else 8)
    assert np.isfinite(wv.vectors).all() and np.isfinite(wv.losses).all()
    if not sample:
        # With weight sampling the loss of the first iterations can rise (the sampled
        # entries are reweighted), so only the full passes must fall from the start.
        assert wv.losses[-1] < wv.losses[0]


def test_vectors_fit_pmi(pd_words):
    """After training, inner products track the PMI targets, and the squared norm
    grows as the word gets rarer (importance)."""
    c = count_cooccurrences(pd_words[:600], window=3, min_count=4)
    wv = train_vectors(c, dim=16, iterations=15, threads=1, seed=0)
    counts = c.counts.astype(float)
    pmi = (np.log(c.values) + 2 * math.log(counts.sum()) - math.log(c.total)
           - np.log(counts[c.rows]) - np.log(counts[c.cols]))
    frequent = c.values >= 5
    dots = np.einsum("ij,ij->i", wv.vectors[c.rows[frequent]], wv.vectors[c.cols[frequent]])
    assert np.corrcoef(dots, pmi[frequent])[0, 1] > 0.7
    norms = [wv.importance(w) for w in wv.index_to_key]
    assert np.mean(norms[:20]) < np.mean(norms[150:300])


def test_train_bad_input(pd_cooc):
    with pytest.raises(InputError):
        train_vectors(pd_cooc, variant=3)
    with pytest.raises(InputError):
        train_vectors(pd_cooc, dim=0)
    with pytest.raises(InputError):
        train_vectors([("a", "b")])


# ---------------------------------------------------------------------------
# WordVectors


@pytest.fixture
def small_wv():
    rng = np.random.default_rng(3)
    words = ["w%d" % i for i in range(40)] + ["中国", "人民"]
    return WordVectors(words, rng.normal(size=(42, 6)), whiten_size=30)


def test_whitening_gives_identity_covariance():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 5)) @ rng.normal(size=(5, 5)) + 3.0
    white = whiten(X, 150)
    E = white[:150]
    np.testing.assert_allclose(E.mean(axis=0), 0, atol=1e-9)
    np.testing.assert_allclose(E.T @ E / 150, np.eye(5), atol=1e-4)  # up to the ridge


def test_queries_match_brute_force(small_wv):
    wv = small_wv
    white = whiten(wv.vectors, 30)
    white /= np.linalg.norm(white, axis=1, keepdims=True)
    q = white[wv.get_index("中国")] + white[wv.get_index("w1")] - white[wv.get_index("w2")]
    q /= np.linalg.norm(q)
    ref = sorted(((float(white[i] @ q), w) for i, w in enumerate(wv.index_to_key)
                  if w not in ("中国", "w1", "w2")), reverse=True)[:5]
    got = wv.most_similar(positive=["中国", "w1"], negative="w2", topn=5, whiten=True,
                          char_weight=0)
    assert [w for w, _ in got] == [w for _, w in ref]
    assert [s for _, s in got] == pytest.approx([s for s, _ in ref], abs=1e-5)
    assert wv.similarity("中国", "w1", whiten=True, char_weight=0) == pytest.approx(
        float(white[40] @ white[1]), abs=1e-5)

    v = wv.vectors
    raw = sorted(((float(v[i] @ v[40]), w) for i, w in enumerate(wv.index_to_key)
                  if w != "中国"), reverse=True)[:3]
    assert [w for w, _ in wv.most_correlative("中国", topn=3)] == [w for _, w in raw]
    assert wv.relatedness("中国", "人民") == pytest.approx(float(v[40] @ v[41]), rel=1e-5)

    unit = v / np.linalg.norm(v, axis=1, keepdims=True)
    q = unit[2] - unit[1] + unit[40]
    q /= np.linalg.norm(q)
    best = max((float(unit[i] @ q), w) for i, w in enumerate(wv.index_to_key)
               if w not in ("w1", "w2", "中国"))
    assert wv.analogy("w1", "w2", "中国", char_weight=0)[0][0] == best[1]  # raw by default
    q = white[2] - white[1] + white[40]
    q /= np.linalg.norm(q)
    best = max((float(white[i] @ q), w) for i, w in enumerate(wv.index_to_key)
               if w not in ("w1", "w2", "中国"))
    assert wv.analogy("w1", "w2", "中国", whiten=True, char_weight=0)[0][0] == best[1]


def test_container_and_sentence_api(small_wv):
    wv = small_wv
    assert len(wv) == 42 and "人民" in wv and "北京" not in wv and wv.vector_size == 6
    np.testing.assert_array_equal(wv["人民"], wv.vectors[41])
    assert wv[["中国", "人民"]].shape == (2, 6)
    with pytest.raises(KeyError):
        wv["北京"]
    s = wv.sentence_vector(["中国", "北京", "人民"])
    np.testing.assert_allclose(s, wv.vectors[40] + wv.vectors[41], rtol=1e-6)
    np.testing.assert_allclose(wv.sentence_vector("中国 人民", mean=True), s / 2, rtol=1e-6)
    keys = wv.keywords(["中国", "人民", "中国", "北京"])
    assert sorted(w for w, _ in keys) == ["中国", "人民"]
    assert keys[0][1] >= keys[1][1]
    s2 = s + wv.vectors[40]  # the sentence holds 中国 twice
    assert keys[0][1] == pytest.approx(float(wv[keys[0][0]] @ s2), rel=1e-5)
    assert wv.importance("中国") == pytest.approx(float(wv.vectors[40] @ wv.vectors[40]))


@pytest.mark.parametrize("binary", [False, True])
def test_word2vec_round_trip(tmp_path, small_wv, binary):
    path = tmp_path / ("v.bin" if binary else "v.txt")
    small_wv.save_word2vec_format(path, binary=binary)
    for mode in (binary, None):
        back = WordVectors.load_word2vec_format(path, binary=mode)
        assert back.index_to_key == small_wv.index_to_key
        np.testing.assert_array_equal(back.vectors, small_wv.vectors)


@pytest.mark.parametrize("binary", [False, True])
def test_gensim_reads_our_files(tmp_path, small_wv, binary):
    gensim_models = pytest.importorskip("gensim.models")
    path = str(tmp_path / "v.w2v")
    small_wv.save_word2vec_format(path, binary=binary)
    kv = gensim_models.KeyedVectors.load_word2vec_format(path, binary=binary)
    assert kv.index_to_key == small_wv.index_to_key
    np.testing.assert_array_equal(kv.vectors, small_wv.vectors)
    # And we read what gensim writes.
    other = str(tmp_path / "g.w2v")
    kv.save_word2vec_format(other, binary=binary)
    back = WordVectors.load_word2vec_format(other)
    np.testing.assert_array_equal(back.vectors, small_wv.vectors)


@pytest.mark.parametrize("content", [
    b"", b"hello\n", b"2 3\na 1 2 3\n", b"1 3\na 1 2\n", b"1 3\na 1 x 3\n",
    b"2 3\na 1 2 3\na 1 2 3\n", b"1 2\n\xff\xfe 1 2\n", b"2 2\nab \x00\x00\x80?",
])
def test_corrupt_vector_files(tmp_path, content):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(FormatError):
        WordVectors.load_word2vec_format(path)


def test_missing_vector_file(tmp_path):
    with pytest.raises(InputError):
        WordVectors.load_word2vec_format(tmp_path / "nope.txt")


# ---------------------------------------------------------------------------
# Command line


@pytest.fixture
def words_file(tmp_path, pd_words):
    path = tmp_path / "words.txt"
    path.write_text("\n".join(" ".join(w) for w in pd_words) + "\n", encoding="utf-8")
    return str(path)


def test_cli_vectors_then_similar(tmp_path, words_file, capsys):
    out_path = str(tmp_path / "v.bin")
    code, _, err = run(["vectors", words_file, "--pretokenized", "-o", out_path, "--dim", "8",
                        "--iter", "3", "--min-count", "3", "--threads", "1", "--seed", "1",
                        "-q"], capsys)
    assert code == 0, err
    wv = WordVectors.load_word2vec_format(out_path, binary=True)
    assert wv.vector_size == 8 and "经济" in wv
    code, out, _ = run(["similar", out_path, "经济", "--topn", "4"], capsys)
    assert code == 0
    rows = [line.split("\t") for line in out.splitlines()]
    assert len(rows) == 4 and all(w in wv and w != "经济" for w, _ in rows)
    code, out, _ = run(["similar", out_path, "经济", "--related", "--topn", "3"], capsys)
    assert [line.split("\t")[0] for line in out.splitlines()] == \
        [w for w, _ in wv.most_correlative("经济", topn=3)]


def test_cli_vectors_segments_raw_text(tmp_path, pd_lines, capsys):
    raw = tmp_path / "raw.txt"
    raw.write_text("\n".join(pd_lines[:300]) + "\n", encoding="utf-8")
    lex = tmp_path / "lex.txt"
    lex.write_text("中国 10\n经济 10\n发展 10\n人民 10\n", encoding="utf-8")
    out_path = str(tmp_path / "v.txt")
    code, _, err = run(["vectors", str(raw), "--lexicon", str(lex), "-o", out_path, "--dim",
                        "4", "--iter", "2", "-q"], capsys)
    assert code == 0, err
    wv = WordVectors.load_word2vec_format(out_path, binary=False)
    assert "经济" in wv and "人民" in wv


@pytest.mark.parametrize("kind", ["missing", "empty", "binary", "badutf8"])
def test_cli_vectors_bad_input(tmp_path, capsys, kind):
    path = tmp_path / "in.txt"
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "binary":
        path.write_bytes(b"\x00\x01\x02 abc\n" * 10)
    elif kind == "badutf8":
        path.write_bytes("中国 人民\n".encode() * 10 + b"\xff\n")
    out_path = tmp_path / "v.txt"
    code, out, err = run(["vectors", str(path), "--pretokenized", "-o", str(out_path),
                          "--min-count", "1", "-q"], capsys)
    assert code == 1 and out == ""
    assert err.startswith("nlpzero vectors: error: ") and err.count("\n") == 1
    assert not out_path.exists() and os.listdir(tmp_path) == (["in.txt"] if kind != "missing"
                                                              else [])


@pytest.mark.parametrize("content", [b"", b"not vectors\n", b"1 3\na 1 2\n"])
def test_cli_similar_bad_input(tmp_path, capsys, content):
    path = tmp_path / "v.txt"
    path.write_bytes(content)
    code, out, err = run(["similar", str(path), "经济"], capsys)
    assert code == 1 and out == "" and err.startswith("nlpzero similar: error: ")
    assert err.count("\n") == 1


def test_cli_similar_unknown_word(tmp_path, small_wv, capsys):
    path = tmp_path / "v.txt"
    small_wv.save_word2vec_format(path)
    code, out, err = run(["similar", str(path), "北京"], capsys)
    assert code == 1 and "not in the vocabulary" in err


def test_learn_vectors_end_to_end(pd_words):
    from nlpzero import learn_vectors

    a = learn_vectors(pd_words, dim=8, window=3, iterations=2, min_count=3, threads=1, seed=5)
    b = learn_vectors(pd_words, dim=8, window=3, iterations=2, min_count=3, threads=1, seed=5)
    np.testing.assert_array_equal(a.vectors, b.vectors)
    assert a.index_to_key[0] in ("，", "的") and len(a.losses) == 2


def test_divergence_is_an_error(pd_cooc):
    from nlpzero.vectors import TrainingDiverged

    with pytest.raises(TrainingDiverged):
        train_vectors(pd_cooc, dim=8, iterations=3, learning_rate=50.0, init_scale=50.0,
                      threads=1, seed=0)


def test_whitening_with_fewer_words_than_dimensions():
    wv = WordVectors(["a", "b", "c"], np.arange(12, dtype=float).reshape(3, 4))
    assert np.isfinite(wv.whitened()).all()
    assert [w for w, _ in wv.most_similar("a", topn=2, whiten=True)] in (["b", "c"], ["c", "b"])


@given(st.integers(0, 5000), st.integers(1, 300))
def test_default_whiten_size_rule(n, dim):
    # Reference: the most frequent quarter, but at least 2 * dim words (all when fewer).
    ref = n // 4
    if ref < 2 * dim:
        ref = min(n, 2 * dim)
    assert default_whiten_size(n, dim) == max(ref, 1)


def test_default_whitening_uses_the_frequent_quarter():
    rng = np.random.default_rng(5)
    # 400 frequent words with one covariance, then 1200 rare ones whose noise is
    # much larger: the default whitening must follow the frequent ones only.
    X = np.vstack([rng.normal(size=(400, 4)) @ np.diag([1.0, 2.0, 3.0, 4.0]),
                   rng.normal(size=(1200, 4)) * 50.0])
    wv = WordVectors(["w%d" % i for i in range(1600)], X)
    assert wv.whiten_size == 400
    white = whiten(wv.vectors, 400)
    E = white[:400]
    np.testing.assert_allclose(E.T @ E / 400, np.eye(4), atol=1e-4)
    unit = white / np.linalg.norm(white, axis=1, keepdims=True)
    np.testing.assert_allclose(wv.whitened(), unit, atol=1e-5)
    assert WordVectors(["a", "b"], np.eye(2), whiten_size=1).whiten_size == 1


@pytest.mark.parametrize("size", [0, -3, 2.5, "10", True])
def test_bad_whiten_size(size):
    with pytest.raises(InputError, match="whiten_size"):
        WordVectors(["a", "b"], np.eye(2), whiten_size=size)
    if size != 0:  # an empty vocabulary is a valid size
        with pytest.raises(InputError):
            default_whiten_size(size, 4)
    with pytest.raises(InputError):
        default_whiten_size(10, size)


def test_cli_similar_whiten_size(tmp_path, capsys):
    rng = np.random.default_rng(7)
    words = ["w%d" % i for i in range(60)]
    wv = WordVectors(words, rng.normal(size=(60, 5)) * np.arange(1, 6))
    path = tmp_path / "v.txt"
    wv.save_word2vec_format(path)
    loaded = WordVectors.load_word2vec_format(path)
    for k, default in ((None, True), (12, False)):
        ref = WordVectors(words, loaded.vectors, whiten_size=k).most_similar("w3", topn=5,
                                                                             whiten=True)
        code, out, err = run(["similar", str(path), "w3", "--topn", "5", "--whiten"]
                             + ([] if default else ["--whiten-size", str(k)]), capsys)
        assert code == 0, err
        assert [line.split("\t")[0] for line in out.splitlines()] == [w for w, _ in ref]
    # The option changes the answer here (the test could tell them apart).
    assert (WordVectors(words, loaded.vectors, whiten_size=12).most_similar("w3", topn=5,
                                                                            whiten=True)
            != loaded.most_similar("w3", topn=5, whiten=True))
    with pytest.raises(SystemExit):
        main(["similar", str(path), "w3", "--whiten", "--whiten-size", "0"])
    assert "--whiten-size" in capsys.readouterr().err


def _ref_char_cos(a, b):
    from collections import Counter

    ca, cb = Counter(a), Counter(b)
    dot = sum(ca[c] * cb[c] for c in ca)
    return dot / np.sqrt(sum(v * v for v in ca.values()) * sum(v * v for v in cb.values()))


@pytest.mark.parametrize("weight", [0.0, 0.3, 0.5, 1.0])
@pytest.mark.parametrize("whitened", [False, True])
def test_similarity_mixes_vectors_and_characters(weight, whitened):
    """most_similar and similarity against (1 - w) cos + w cos of character counts,
    computed pair by pair."""
    rng = np.random.default_rng(11)
    words = ["美丽", "美观", "漂亮", "丽丽", "经济", "经济学", "学", "好看", "美", "看看"] + \
        ["词%d" % i for i in range(30)]
    wv = WordVectors(words, rng.normal(size=(len(words), 6)), whiten_size=20)
    space = wv.whitened() if whitened else wv.unit()
    for q in ("美丽", "经济", "看看"):
        ref = sorted((((1 - weight) * float(space[wv.get_index(q)] @ space[i])
                       + weight * _ref_char_cos(q, w)), w)
                     for i, w in enumerate(words) if w != q)[::-1]
        got = wv.most_similar(q, topn=len(words), whiten=whitened, char_weight=weight)
        assert [s for _, s in got] == pytest.approx([s for s, _ in ref], abs=1e-5)
        for w, sc in got:
            assert wv.similarity(q, w, whiten=whitened, char_weight=weight) == pytest.approx(
                sc, abs=1e-5)
    # Several query words: the sums of the unit vectors and unit character counts.
    pos, neg = ["美丽", "看看"], ["经济学"]
    q = sum(space[wv.get_index(w)].astype(float) for w in pos) - space[wv.get_index("经济学")]
    q /= np.linalg.norm(q)
    got = dict(wv.most_similar(pos, neg, topn=len(words), whiten=whitened, char_weight=weight))
    for w in ("漂亮", "美", "丽丽", "好看", "学"):
        from collections import Counter

        bag = Counter()
        for x, sign in ((pos[0], 1), (pos[1], 1), (neg[0], -1)):
            cx = Counter(x)
            n = np.sqrt(sum(v * v for v in cx.values()))
            for c, v in cx.items():
                bag[c] += sign * v / n
        cw = Counter(w)
        chars = sum(bag[c] * cw[c] for c in cw) / (
            np.sqrt(sum(v * v for v in bag.values())) * np.sqrt(sum(v * v for v in cw.values())))
        ref = (1 - weight) * float(space[wv.get_index(w)] @ q) + weight * chars
        assert got[w] == pytest.approx(ref, abs=1e-5)


def test_default_char_weight_and_validation():
    from nlpzero import defaults

    wv = WordVectors(["美丽", "美观"], np.eye(2))
    assert wv.char_weight == defaults.CHAR_WEIGHT
    assert wv.similarity("美丽", "美观") == pytest.approx(
        (1 - defaults.CHAR_WEIGHT) * 0.0 + defaults.CHAR_WEIGHT * 0.5)
    for bad in (-0.1, 1.5, "0.5", True, None):
        with pytest.raises(InputError, match="char_weight"):
            WordVectors(["a"], [[1.0]], char_weight=bad)
    with pytest.raises(InputError, match="char_weight"):
        wv.most_similar("美丽", char_weight=2)
    with pytest.raises(KeyError):
        wv.char_cosines("没有")


def test_cli_similar_characters_and_related(tmp_path, capsys):
    rng = np.random.default_rng(2)
    words = ["美丽", "美观", "漂亮", "经济", "丽人", "好看"]
    wv = WordVectors(words, rng.normal(size=(6, 4)))
    path = tmp_path / "v.txt"
    wv.save_word2vec_format(path)
    loaded = WordVectors.load_word2vec_format(path)
    for extra, kw in (([], {}), (["--char-weight", "0"], dict(char_weight=0.0)),
                      (["--char-weight", "0.8", "--whiten"], dict(char_weight=0.8, whiten=True))):
        code, out, _ = run(["similar", str(path), "美丽", "--topn", "3"] + extra, capsys)
        assert code == 0
        assert [l.split("\t")[0] for l in out.splitlines()] == [
            w for w, _ in loaded.most_similar("美丽", topn=3, **kw)]
    code, out, _ = run(["similar", str(path), "美丽", "--related", "--topn", "3"], capsys)
    assert [l.split("\t")[0] for l in out.splitlines()] == [
        w for w, _ in loaded.most_correlative("美丽", topn=3)]
    for bad in (["--related", "--whiten"], ["--char-weight", "1.5"], ["--whiten-size", "3"]):
        code, out, err = run(["similar", str(path), "美丽"] + bad, capsys)
        assert code == 1 and out == "" and err.count("\n") == 1


# ---------------------------------------------------------------------------
# Analogies: the vectors and the characters


def test_analogy_is_most_similar_with_characters():
    """analogy(a, b, c) scores as most_similar(positive=[b, c], negative=[a]), whose
    character part answers an affixation the vectors know nothing of."""
    rng = np.random.default_rng(5)
    words = ["师", "老师", "虎", "老虎", "猫", "老鼠", "虎虎", "学生"] + ["词%d" % i for i in range(20)]
    wv = WordVectors(words, rng.normal(size=(len(words), 8)))
    for kw in ({}, dict(char_weight=0.0), dict(char_weight=0.8, whiten=True)):
        assert wv.analogy("师", "老师", "虎", topn=5, **kw) == wv.most_similar(
            positive=["老师", "虎"], negative=["师"], topn=5, **kw)
    assert wv.analogy("师", "老师", "虎")[0][0] == "老虎"
    q = wv.unit()[1].astype(float) + wv.unit()[2] - wv.unit()[0]
    q /= np.linalg.norm(q)
    chars = {"老虎": 1 / np.sqrt(2) * (1 / np.sqrt(2) + 1)}  # bag 老 .71, 师 -.29, 虎 1
    bag_norm = np.sqrt(0.5 + (1 / np.sqrt(2) - 1) ** 2 + 1)
    ref = 0.5 * float(wv.unit()[3] @ q) + 0.5 * chars["老虎"] / bag_norm
    assert wv.analogy("师", "老师", "虎")[0][1] == pytest.approx(ref, abs=1e-5)


def _analogy_scores(wv, a, b, c, whiten, weight):
    """Every word's score for a : b :: c : ?, as most_similar gives it."""
    return dict(wv.most_similar(positive=[b, c], negative=[a], topn=len(wv), whiten=whiten,
                                char_weight=weight))


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10**6), n_questions=st.integers(1, 40),
       weight=st.sampled_from([0.0, 0.3, 0.5, 1.0]), whitened=st.booleans(),
       restrict=st.integers(4, 30), batch=st.integers(1, 7))
def test_batched_analogies_match_most_similar(seed, n_questions, weight, whitened, restrict,
                                              batch):
    """The batched answers of evaluate_word_analogies are the best words of
    most_similar, one question at a time (up to ties and rounding)."""
    rng = np.random.default_rng(seed)
    chars = "老师虎猫子们一看"
    words = sorted({"".join(rng.choice(list(chars), size=rng.integers(1, 4)))
                    for _ in range(40)})
    wv = WordVectors(words, rng.normal(size=(len(words), 5)), whiten_size=len(words))
    restrict = min(restrict, len(words))
    abc = np.array([rng.choice(restrict, size=3, replace=False) for _ in range(n_questions)])
    got = wv._answer_analogies(abc, restrict, whitened, weight, batch=batch)
    for (a, b, c), answer in zip(abc.tolist(), got.tolist()):
        scores = _analogy_scores(wv, *(words[i] for i in (a, b, c)), whitened, weight)
        scores = {w: s for w, s in scores.items() if wv.get_index(w) < restrict}
        if not scores:
            assert answer == -1
            continue
        assert answer not in (a, b, c) and answer < restrict
        assert scores[words[answer]] == pytest.approx(max(scores.values()), abs=1e-5)


def test_evaluate_word_analogies(tmp_path):
    # Vectors with the offsets of the forms (老X = X + p, XX = X + r), as the characters.
    rng = np.random.default_rng(1)
    base = {w: rng.normal(size=6) for w in "师虎猫看想鼠"}
    prefix, double = rng.normal(size=6), rng.normal(size=6)
    words = ["师", "老师", "虎", "老虎", "猫", "老猫", "看", "看看", "想", "想想", "鼠"]
    wv = WordVectors(words, [base[w[-1]] + (prefix if w[0] == "老" else 0)
                             + (double if len(w) == 2 and w[0] == w[1] else 0) for w in words])
    lines = ["师 老师 虎 老虎",                         # before any section: section ""
             ": prefix", "师 老师 猫 老猫", "虎 老虎 师 老师", "师 老师 鼠 老鼠",  # 老鼠 unknown
             "a comment line", ": AA", "看 看看 想 想想", "看 看看 想 猫"]
    path = tmp_path / "questions.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    score, sections = wv.evaluate_word_analogies(path)
    assert [s["section"] for s in sections] == ["", "prefix", "AA", "Total accuracy"]
    assert sections[1]["correct"] == [("师", "老师", "猫", "老猫"), ("虎", "老虎", "师", "老师")]
    assert sections[2] == {"section": "AA", "correct": [("看", "看看", "想", "想想")],
                           "incorrect": [("看", "看看", "想", "猫")]}
    assert len(sections[-1]["correct"]) == 4 and len(sections[-1]["incorrect"]) == 1
    assert score == pytest.approx(4 / 5)
    assert wv.evaluate_word_analogies(lines) == (score, sections)  # lines or a file
    # Each answer is analogy()'s first word.
    for s in sections[:-1]:
        for q in s["correct"]:
            assert wv.analogy(*q[:3])[0][0] == q[3]
        for q in s["incorrect"]:
            assert wv.analogy(*q[:3])[0][0] != q[3]
    # Questions with a word past restrict_vocab are skipped.
    _, sections = wv.evaluate_word_analogies(lines, restrict_vocab=6)
    assert sections[-1]["correct"] + sections[-1]["incorrect"] == [
        ("师", "老师", "虎", "老虎"), ("师", "老师", "猫", "老猫"), ("虎", "老虎", "师", "老师")]
    assert wv.evaluate_word_analogies([": empty", "x y z w"]) == (
        0.0, [{"section": "empty", "correct": [], "incorrect": []},
              {"section": "Total accuracy", "correct": [], "incorrect": []}])
    with pytest.raises(InputError, match="char_weight"):
        wv.evaluate_word_analogies(lines, char_weight=2)
