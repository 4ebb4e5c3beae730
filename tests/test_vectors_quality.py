"""The soft hinge on unobserved pairs (Swivel) in the vector training: kernels against a
pure-Python reference, its sampling, its effect, its parameters on the API and CLI."""

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from numba.core import config as numba_config

from nlpzero.cli import main
from nlpzero.vectors.cooccur import count_cooccurrences
from nlpzero.errors import InputError
from nlpzero.vectors.training import (HINGE_DELAY, UNOBSERVED_WINDOW, _n_unobserved, _train_block,
                                      _unobserved_word, _window_start, train_vectors)
from inner import call_inner
from vector_reference import adagrad_step


def window_start(*args):
    """_window_start, a helper only kernels call."""
    return call_inner(_window_start, *args)


def unobserved_word(*args):
    """_unobserved_word, a helper only kernels call."""
    return call_inner(_unobserved_word, *args)


M64 = (1 << 64) - 1


def naive_draw(seed, e, r):
    """splitmix64's finaliser of seed * golden + 64 e + r, on Python ints."""
    x = (seed * 0x9E3779B97F4A7C15 + 64 * e + r) & M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & M64
    return x ^ (x >> 31)


def naive_window_start(e, n, V):
    """The first of the window's words for entry e of n: slid evenly over the V words."""
    return min(int(e * (V / n)), V - 1)


def naive_unobserved(seed, rate, e, V, n):
    """The words b of entry e's (of n) sampled pairs: floor(rate) of them, one more when
    the uniform of slot 63 is below rate's fractional part; each uniform over the
    window of UNOBSERVED_WINDOW words (all V if fewer) from its start, wrapping around."""
    k = int(rate) + ((naive_draw(seed, e, 63) >> 11) / 2.0**53 < rate - int(rate))
    lo = naive_window_start(e, n, V)
    return [(lo + ((naive_draw(seed, e, r) >> 32) * min(UNOBSERVED_WINDOW, V) >> 32)) % V
            for r in range(k)]


def naive_pass(rows, cols, target, weight, W, C, GW, GC, lr, shared, seed, rate, log_p,
               log_norm, wneg):
    """One AdaGrad pass in float64: each entry's squared-error step, and HINGE_DELAY
    entries later (or after the last entry) a soft hinge step
    ``wneg * log(1 + exp(<a, b> - pmi1))`` for each sampled pair (a, b) of the entry
    (a: the rarer word of the entry, lower log_p, a tie by the parity of e; with
    separate vectors the row word when it is the rarer, else no pairs)."""
    W, C, GW, GC = (np.array(x, dtype=np.float64) for x in (W, C, GW, GC))
    if shared:
        C, GC = W, GW
    loss = 0.0
    n = len(rows)
    for e in range(n + HINGE_DELAY):
        if e < n:
            i, j = int(rows[e]), int(cols[e])
            diff = float(W[i] @ C[j]) - target[e]
            loss += weight[e] * diff * diff
            adagrad_step(W, C, GW, GC, i, j, weight[e] * diff, lr, shared)
        h = e - HINGE_DELAY
        if h < 0 or rate == 0:
            continue
        i, j = int(rows[h]), int(cols[h])
        if log_p[i] < log_p[j] or (log_p[i] == log_p[j] and h % 2 == 0):
            a = i
        else:
            a = j if shared else None
        for b in naive_unobserved(seed, rate, h, len(W), n) if a is not None else []:
            z = float(W[a] @ C[b]) - (log_norm - log_p[a] - log_p[b])
            if z >= -30:
                adagrad_step(W, C, GW, GC, a, int(b), 0.5 * wneg / (1 + math.exp(-z)), lr,
                             shared)
    return loss, W, C


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**31), shared=st.booleans(), n=st.integers(1, 30),
       dim=st.integers(1, 9), per_word=st.booleans(), rate=st.sampled_from([0, 0.3, 1, 2.5]),
       neg_seed=st.integers(0, 2**63 - 1))
def test_hinge_kernels_match_naive(seed, shared, n, dim, per_word, rate, neg_seed):
    rng = np.random.default_rng(seed)
    V = 6
    rows = rng.integers(0, V, n).astype(np.int32)
    cols = rng.integers(0, V, n).astype(np.int32)
    target = rng.normal(size=n).astype(np.float32)
    weight = rng.random(n).astype(np.float32)
    # Rounded: equal probabilities (ties between the two words of an entry) are common.
    log_p = (np.round(rng.normal(size=V)) - 2).astype(np.float32)
    log_norm = np.float32(rng.normal() - 3)
    wneg = float(rng.random() * 2)
    W = rng.normal(size=(V, dim)).astype(np.float32)
    gdim = 1 if per_word else dim
    GW = (1 + rng.random((V, gdim))).astype(np.float32)
    C = W if shared else rng.normal(size=(V, dim)).astype(np.float32)
    GC = GW if shared else (1 + rng.random((V, gdim))).astype(np.float32)
    ref = naive_pass(rows, cols, target, weight, W, C, GW, GC, 0.05, shared, neg_seed, rate,
                     log_p, float(log_norm), wneg)
    args = (rows, cols, target, weight, W, C, GW, GC, np.float32(0.05), shared,
            np.zeros(0, np.float32), np.uint64(neg_seed), float(rate), log_p, log_norm, wneg)
    loss = _train_block(*args, 0, n, 0, V, 0, 0)
    assert loss == pytest.approx(ref[0], rel=1e-3, abs=1e-3)
    np.testing.assert_allclose(W, ref[1], rtol=1e-3, atol=1e-3)
    np.testing.assert_allclose(C, ref[2], rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("rate", [0.25, 1.0, 2.5])
def test_unobserved_sampling(rate):
    """The kernels' draws: rate pairs per entry on average, uniform words."""
    V, n = 7, 20000
    seed = np.uint64(12345)
    ks = [call_inner(_n_unobserved, seed, rate, e) for e in range(n)]
    assert set(ks) <= {math.floor(rate), math.ceil(rate)}
    assert np.mean(ks) == pytest.approx(rate, abs=0.02)
    words = [unobserved_word(seed, e, r, window_start(e, 0, n, V), 0, V, 0, 0)
             for e in range(n) for r in range(ks[e])]
    assert words[:50] == [b for e in range(n) for b in naive_unobserved(12345, rate, e, V, n)][:50]
    counts = np.bincount(words, minlength=V)
    assert counts.min() > 0.9 * len(words) / V


@pytest.mark.parametrize("a0,na,b0,nb", [(1, 5, 9, 4), (6, 3, 0, 0), (0, 9, 0, 0)])
def test_unobserved_words_of_two_blocks(a0, na, b0, nb):
    """A task's unobserved words: uniform over the words of its blocks, none else."""
    seed = np.uint64(99)
    n = 20000
    words = np.array([unobserved_word(seed, e, 0, window_start(e, 0, n, na + nb), a0, na, b0, nb)
                      for e in range(n)])
    allowed = list(range(a0, a0 + na)) + list(range(b0, b0 + nb))
    assert set(words.tolist()) == set(allowed)
    counts = np.bincount(words)[allowed]
    assert counts.min() > 0.85 * len(words) / len(allowed)


@pytest.mark.parametrize("n_words,n", [(1000, 100000), (300, 200)])
def test_unobserved_window_slides_over_the_words(n_words, n):
    """With more words than the window: an entry's word lies in its window, which
    slides from the first words to the last over the entries, so that over a task the
    words are drawn about uniformly (more entries than words) or at least all are."""
    seed = np.uint64(7)
    a0, na, b0, nb = 5, n_words // 3, 2000, n_words - n_words // 3
    m_of = {**{a0 + m: m for m in range(na)}, **{b0 + m - na: m for m in range(na, n_words)}}
    lo = [window_start(e, 0, n, n_words) for e in range(n)]
    assert lo[0] == 0 and lo[-1] >= n_words - n_words / n - 1 and lo == sorted(lo)
    ms = np.array([m_of[unobserved_word(seed, e, 0, lo[e], a0, na, b0, nb)] for e in range(n)])
    assert all((m - s) % n_words < UNOBSERVED_WINDOW for m, s in zip(ms.tolist(), lo))
    counts = np.bincount(ms, minlength=n_words)
    if n > 10 * n_words:  # as from uniform draws: a spread of about sqrt(mean)
        mean = n / n_words
        assert counts.min() > 0.5 * mean and counts.max() < 1.5 * mean
        assert counts.std() < 1.3 * math.sqrt(mean)
    else:
        assert (counts > 0).mean() > 0.35


@pytest.fixture(scope="module")
def cooc(pd_lines):
    from nlpzero.segmentation import Tokenizer

    return count_cooccurrences(Tokenizer().cut_lines(pd_lines[:300]), window=3, min_count=3)


def test_hinge_lowers_unobserved_pmi(cooc):
    """With the hinge, pairs never seen together get lower inner products relative to
    their count-1 bound than without it; seen pairs still fit their PMI."""
    V = len(cooc.words)
    rng = np.random.default_rng(0)
    a = rng.integers(0, V, 4000)
    b = rng.integers(0, V, 4000)
    seen = set(zip(cooc.rows.tolist(), cooc.cols.tolist()))
    unseen = np.array([(min(x, y), max(x, y)) not in seen for x, y in zip(a, b)])
    a, b = a[unseen], b[unseen]
    log_p = 0.75 * np.log(cooc.counts.astype(float))
    log_p -= np.logaddexp.reduce(log_p)
    pmi1 = -math.log(cooc.total) - log_p[a] - log_p[b]
    excess = {}
    for w in (0.0, 0.05):
        wv = train_vectors(cooc, dim=16, iterations=6, threads=1, seed=3, smoothing=0.75,
                           unobserved=w, negatives=1)
        dots = np.einsum("ij,ij->i", wv.vectors[a], wv.vectors[b])
        excess[w] = np.mean(np.maximum(dots - pmi1, 0))
        assert np.isfinite(wv.vectors).all() and wv.losses[-1] < wv.losses[0]
    assert excess[0.05] < 0.8 * excess[0.0]


@pytest.mark.skipif(numba_config.DISABLE_JIT, reason="trains on a whole corpus: needs the "
                    "compiled kernels")
def test_hinge_keeps_function_words_short():
    """With the hinge (learn_vectors' default) the squared norm still grows as words
    get rarer on a real corpus (the whole People's Daily), so importance weighs
    function words down."""
    from nlpzero import learn_vectors
    from nlpzero.segmentation import Tokenizer

    datasets = pytest.importorskip("nlpzero.datasets")
    try:
        lines = datasets.peoples_daily_text()
    except Exception as exc:  # the optional package is missing
        pytest.skip(f"People's Daily unavailable: {exc}")
    wv = learn_vectors(Tokenizer().cut_lines(lines), dim=32, iterations=10, threads=2, seed=0)
    norms = np.array([wv.importance(w) for w in wv.index_to_key])
    assert norms[:20].mean() < 0.5 * norms[200:400].mean() < 0.5 * norms[1000:].mean()
    assert wv.importance("的") < 0.5 * np.median(norms)


def test_hinge_deterministic_and_off_by_default(cooc):
    kw = dict(dim=8, iterations=3, threads=1, seed=5)
    a = train_vectors(cooc, unobserved=0.05, negatives=0.5, **kw)
    b = train_vectors(cooc, unobserved=0.05, negatives=0.5, **kw)
    np.testing.assert_array_equal(a.vectors, b.vectors)
    off = train_vectors(cooc, **kw)
    np.testing.assert_array_equal(off.vectors, train_vectors(cooc, unobserved=0, **kw).vectors)
    assert not np.array_equal(a.vectors, off.vectors)


@pytest.mark.parametrize("variant", [0, 1, 2])
def test_hinge_variants_and_threads(cooc, variant):
    wv = train_vectors(cooc, dim=8, iterations=3, variant=variant, threads=2, seed=1,
                       unobserved=0.05, negatives=1.5)
    # (The loss of the observed entries alone need not fall: the hinge trades some.)
    assert wv.vectors.shape[1] == (16 if variant == 1 else 8)
    assert np.isfinite(wv.vectors).all() and np.isfinite(wv.losses).all()


@pytest.mark.parametrize("kw", [dict(unobserved=-1), dict(unobserved=float("nan")),
                                dict(unobserved="1"), dict(negatives=0),
                                dict(negatives=True), dict(negatives=33)])
def test_hinge_bad_parameters(cooc, kw):
    with pytest.raises(InputError):
        train_vectors(cooc, dim=4, iterations=1, **kw)


def test_cli_unobserved(tmp_path, pd_lines, capsys):
    from nlpzero.segmentation import Tokenizer

    path = tmp_path / "w.txt"
    path.write_text("\n".join(Tokenizer().render_lines(pd_lines[:300]).split("\n")) + "\n",
                    encoding="utf-8")
    out = tmp_path / "v.txt"
    base = ["vectors", str(path), "--pretokenized", "-o", str(out), "--dim", "4", "--iter",
            "2", "--min-count", "2", "--threads", "1", "--seed", "0", "-q"]
    assert main(base + ["--unobserved", "0.1", "--negatives", "0.5"]) == 0
    assert out.exists()
    out.unlink()
    assert main(base + ["--negatives", "0"]) == 1
    _, err = capsys.readouterr()
    assert err.startswith("nlpzero vectors: error: ") and "negatives" in err
    assert not out.exists()
