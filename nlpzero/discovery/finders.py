"""Word discovery from raw text: the PMI and cohesion word finders.

Two methods, both cutting runs of Han characters at weak gaps and counting the pieces:

* :class:`PMIWordFinder` (``method="pmi"``): keep adjacent pairs whose pointwise mutual
  information exceeds ``min_pmi``, cut every other gap, then remove redundant long
  candidates that are well explained by their parts.
* :class:`CohesionWordFinder` (``method="cohesion"``): keep n-grams of orders 2..K whose
  cohesion (the weakest PMI over all ways of splitting them in two) passes a threshold
  that grows with the order, join the gaps inside kept n-grams, cut the rest, and keep
  a long candidate only if all its sub-n-grams were kept.

Both learn incrementally: :meth:`train` adds text, :meth:`find` cuts everything seen so far.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from typing import Iterable, Sequence

import numpy as np

from .._jit import njit, njit_inner
from .._kernels.arrays import new_array
from .._kernels.hashtables import first_slot
from .._validation import check_choice, check_int
from ..corpus import rereadable_texts, strings_from_code_points
from ..errors import InputError
from ..lexicon import Lexicon
from .ngrams import NgramCounter

logger = logging.getLogger(__name__)

METHODS = ("cohesion", "pmi")


# ---------------------------------------------------------------------------
# Kernels


@njit(cache=True)
def mark_kept_windows(pos, kept, order, joined, kept_bits):
    """Join the inner gaps of every window whose n-gram index is marked in `kept`, and
    set bit `order` of kept_bits where such a window starts.

    joined[i] refers to the gap between corpus positions i and i + 1.
    """
    bit = np.uint16(1 << order)
    for i in range(len(pos)):
        p = pos[i]
        if p >= 0 and kept[p]:
            kept_bits[i] |= bit
            for g in range(i, i + order - 1):
                joined[g] = True


@njit(cache=True)
def _min_split_pmi(coh, log_ns, log_left, left, log_right, right):
    """coh[i] = min(coh[i], log_ns[i] - log_left[left[i]] - log_right[right[i]]): one
    split's PMI folded into the running minimum in one pass, without temporaries."""
    for i in range(len(coh)):
        v = log_ns[i] - log_left[left[i]] - log_right[right[i]]
        if v < coh[i]:
            coh[i] = v


@njit(cache=True)
def _all_windows_kept(starts, lens, kept_at, order):
    """For each piece: are all its windows of this order kept (True when shorter)?"""
    ok = new_array(len(starts), np.bool_)
    ok[:] = True
    for k in range(len(starts)):
        for i in range(starts[k], starts[k] + lens[k] - order + 1):
            if not kept_at[i]:
                ok[k] = False
                break
    return ok


@njit(cache=True)
def _piece_bounds(ids, joined):
    """Start and length of every maximal piece of characters linked by joined gaps.

    Two passes (count, then fill) so that the arrays have the size of the pieces, not
    of the corpus."""
    n = len(ids)
    m = 0
    for i in range(n):
        if ids[i] >= 0 and (i == 0 or ids[i - 1] < 0 or not joined[i - 1]):
            m += 1
    starts = new_array(m, np.int64)
    lens = new_array(m, np.int64)
    k = -1
    for i in range(n):
        if ids[i] >= 0:
            if i == 0 or ids[i - 1] < 0 or not joined[i - 1]:
                k += 1
                starts[k] = i
                lens[k] = 0
            lens[k] += 1
    return starts, lens


@njit(cache=True)
def piece_hashes(ids, starts, lens):
    out = new_array(len(starts), np.uint64)
    for k in range(len(starts)):
        h = np.uint64(1469598103934665603) ^ np.uint64(lens[k])
        for i in range(starts[k], starts[k] + lens[k]):
            h = (h ^ np.uint64(ids[i] + 1)) * np.uint64(1099511628211)
        # Final avalanche (from splitmix64) so that every bit depends on every character.
        h ^= h >> np.uint64(33)
        h *= np.uint64(0xFF51AFD7ED558CCD)
        h ^= h >> np.uint64(33)
        out[k] = h
    return out


@njit_inner
def _same_piece(ids, s1, s2, length):
    for t in range(length):
        if ids[s1 + t] != ids[s2 + t]:
            return False
    return True


@njit_inner
def _insert_group(slots, mask, h, g):
    s = first_slot(np.int64(h), mask)  # int64 keys, as every other table's
    while slots[2 * s + 1] != -1:
        s = (s + 1) & mask
    slots[2 * s] = np.int64(h)
    slots[2 * s + 1] = g


@njit_inner
def _grown(a, size):
    out = new_array(size, a.dtype.type)
    out[:] = 0
    for i in range(len(a)):  # a loop: a slice assignment compiles slowly
        out[i] = a[i]
    return out


@njit(cache=True)
def group_pieces(ids, starts, lens, hashes, weights):
    """Add up the weights of equal pieces with an open-addressing table keyed by hash;
    pieces are compared exactly, so a hash collision only costs a probe. Returns the
    index of a representative of each distinct piece (in first-seen order) and its
    total weight (its count when every weight is 1).

    The table holds (hash, group) pairs and grows with the distinct pieces, not with
    all pieces: most pieces repeat, and a small table stays in cache."""
    n = len(starts)
    size = 1024
    mask = size - 1
    slots = new_array(2 * size, np.int64)
    slots[:] = -1
    reps = new_array(size // 2, np.int64)  # per group, grown with the table
    group_start = new_array(size // 2, np.int64)
    group_len = new_array(size // 2, np.int64)
    counts = new_array(size // 2, weights.dtype.type)
    counts[:] = 0
    m = 0
    for k in range(n):
        h = hashes[k]
        start, length = starts[k], lens[k]
        s = first_slot(np.int64(h), mask)  # the same bits: the slot of _insert_group
        while True:
            g = slots[2 * s + 1]
            if g == -1:
                slots[2 * s] = np.int64(h)
                slots[2 * s + 1] = m
                reps[m] = k
                group_start[m] = start
                group_len[m] = length
                counts[m] = weights[k]
                m += 1
                if 2 * m >= size:  # keep the load under one half
                    size *= 2
                    mask = size - 1
                    slots = new_array(2 * size, np.int64)
                    slots[:] = -1
                    for q in range(m):
                        _insert_group(slots, mask, hashes[reps[q]], q)
                    reps = _grown(reps, size // 2)
                    group_start = _grown(group_start, size // 2)
                    group_len = _grown(group_len, size // 2)
                    counts = _grown(counts, size // 2)
                break
            if (slots[2 * s] == np.int64(h) and group_len[g] == length
                    and _same_piece(ids, group_start[g], start, length)):
                counts[g] += weights[k]
                break
            s = (s + 1) & mask
    return reps[:m].copy(), counts[:m].copy()


# ---------------------------------------------------------------------------
# Shared steps


def backtracked(starts, lens, kept_bits, order: int) -> np.ndarray:
    """Which pieces pass backtracking: every window of length 3..order inside them is
    kept (`kept_bits` from :func:`mark_kept_windows`)."""
    ok = np.ones(len(starts), dtype=bool)
    for n in range(3, order + 1):
        ok &= _all_windows_kept(starts, lens, (kept_bits & np.uint16(1 << n)) != 0, n)
    return ok


def distinct_pieces(ids: np.ndarray, joined: np.ndarray):
    """Cut the character ids at every gap not in `joined`; return the start and length
    of one occurrence of each distinct piece, and its count."""
    starts, lens = _piece_bounds(ids, joined)
    hashes = piece_hashes(ids, starts, lens)
    reps, counts = group_pieces(ids, starts, lens, hashes, np.ones(len(starts), np.int64))
    return starts[reps], lens[reps], counts


def count_pieces(counter: NgramCounter, joined: np.ndarray) -> Counter:
    """Cut the corpus of `counter` at every gap not in `joined` and count the pieces."""
    starts, lens, counts = distinct_pieces(counter.corpus_ids, joined)
    words = piece_strings(counter, counter.corpus_ids, starts, lens)
    return Counter(dict(zip(words, counts.tolist())))


def piece_strings(counter, ids, starts, lens) -> list[str]:
    """Decode pieces to strings, one vectorised gather per piece length."""
    out: list[str] = [""] * len(starts)
    for length in np.unique(lens):
        sel = np.flatnonzero(lens == length)
        mat = ids[starts[sel][:, None] + np.arange(length)]
        strings = strings_from_code_points(counter.vocab.code_points_of(mat))
        for k, s in zip(sel.tolist(), strings):
            out[k] = s
    return out


def best_split(word: str, logp: dict, unknown: float, max_len: int) -> list[str]:
    """Unigram maximum-probability segmentation of a short string with a dict of
    log-probabilities (pure Python: the strings are short)."""
    n = len(word)
    best = [0.0] * (n + 1)
    back = [0] * (n + 1)
    for j in range(1, n + 1):
        top, arg = -math.inf, j - 1
        for i in range(max(0, j - max_len), j):
            piece = word[i:j]
            lp = logp.get(piece)
            if lp is None:
                if j - i > 1:
                    continue
                lp = unknown
            s = best[i] + lp
            if s > top:
                top, arg = s, i
        best[j], back[j] = top, arg
    parts = []
    j = n
    while j > 0:
        parts.append(word[back[j]:j])
        j = back[j]
    return parts[::-1]


# ---------------------------------------------------------------------------
# Method 2.1


class PMIWordFinder:
    """Adjacent-PMI cutting with de-redundancy (nlp-zero's method).

    Adjacent characters whose PMI is above `min_pmi` stay together, the runs are cut
    at the other gaps, and the pieces are counted; long candidates that their parts
    explain are then dropped (:func:`remove_redundant`).

    Parameters
    ----------
    min_proba : float
        Pairs and pieces with probability at or below this are dropped.
    min_pmi : float
        A pair of adjacent characters is kept (not cut) when its PMI (natural log)
        exceeds this.

    Examples
    --------
    >>> f = PMIWordFinder().train(["我们的祖国", "祖国的花朵"] * 20)
    >>> "祖国" in f.find()
    True
    """

    def __init__(self, min_proba: float = 1e-7, min_pmi: float = 1.0):
        if not 0 <= min_proba < 1:
            raise InputError(f"min_proba must be in [0, 1), not {min_proba!r}")
        self.min_proba = float(min_proba)
        self.min_pmi = float(min_pmi)
        self.counter = NgramCounter(order=2, min_count=1)

    def train(self, texts: Iterable[str] | str) -> "PMIWordFinder":
        """Add `texts` to what the finder has seen (call again to train incrementally)."""
        self.counter.update(texts)
        return self

    def strong_pairs(self) -> np.ndarray:
        """Boolean mask over the counter's 2-gram indices: pairs kept together."""
        c = self.counter
        n_chars, n_pairs = c.total(1), c.total(2)
        if n_pairs == 0:
            return np.zeros(0, dtype=bool)
        pair_counts = c.counts(2).astype(np.float64)
        uni = c.counts(1).astype(np.float64)
        left = uni[c.prefix_index(2)]
        right = uni[c.suffix_index(2)]
        p_ab = pair_counts / n_pairs
        pmi = np.log(p_ab) - np.log(left / n_chars) - np.log(right / n_chars)
        return (p_ab > self.min_proba) & (pmi > self.min_pmi)

    def candidates(self) -> Counter:
        """Pieces of the corpus cut at weak pairs, with their counts."""
        ids = self.counter.corpus_ids
        joined = np.zeros(len(ids), dtype=bool)
        strong = self.strong_pairs()
        kept_bits = np.zeros(len(ids), dtype=np.uint16)
        for n, pos in self.counter.positions():
            if n == 2:
                mark_kept_windows(pos, strong, 2, joined, kept_bits)
        pieces = count_pieces(self.counter, joined)
        total = sum(pieces.values())
        return Counter({w: c for w, c in pieces.items() if c > self.min_proba * total})

    def find(self) -> Lexicon:
        """Cut everything seen so far and return the lexicon after de-redundancy."""
        words = self.candidates()
        return Lexicon.from_valid_counts(remove_redundant(words))


def remove_redundant(words: Counter, min_gain: float | None = None) -> dict:
    """De-redundancy of the PMI method: from longest to shortest, drop a candidate w
    whose gain log p(w) - sum log p(s_i) over its best split is below len(w) - 1 (or
    below `min_gain` nats when given), and give its count to its parts."""
    words = dict(words)
    total = sum(words.values())
    if not total:
        return words
    log_total = math.log(total)
    logp = {w: math.log(c) - log_total for w, c in words.items()}
    unknown = -log_total
    max_len = max(map(len, words))
    for w in sorted((w for w in words if len(w) > 1), key=lambda w: (-len(w), w)):
        count = words.pop(w)
        del logp[w]
        # A pair can only split into its two characters: skip the search.
        parts = [w[0], w[1]] if len(w) == 2 else best_split(w, logp, unknown, max_len)
        gain = math.log(count) - log_total - sum(logp.get(p, unknown) for p in parts)
        if gain < (len(w) - 1 if min_gain is None else min_gain):
            for p in parts:
                words[p] = words.get(p, 0) + count
                logp[p] = math.log(words[p]) - log_total
        else:
            words[w] = count
            logp[w] = math.log(count) - log_total
    return words


# ---------------------------------------------------------------------------
# Method 2.2


def default_min_count(n_chars: int) -> int:
    """Minimum count scaled with the corpus: 2 up to 15M characters, then one more per
    10 million characters (the published settings used 32-128 on corpora of billions).

    On the People's Daily plus the review and news corpora (11.5M characters) a minimum
    of 2 scored higher than 5 or 11, so the scale is gentle.
    """
    return max(2, int(round(n_chars / 1e7)))


def default_thresholds(order: int) -> list[float]:
    """Log cohesion thresholds for orders 2..order: 1 for pairs, then 2n - 1 (5, 7, 9, ...).

    A pair is joined when its PMI exceeds 1, the point where merging it lowers the
    entropy per character (Su Jianlin's minimum-entropy argument); longer n-grams must
    be much more cohesive, which keeps glued phrases such as "X的Y" out. On the development text this
    beat the published settings (log 2, 4, 6 and ratios 5, 25, 125).
    """
    return [1.0] + [2.0 * n - 1.0 for n in range(3, order + 1)]


class CohesionWordFinder:
    """Multi-order n-gram cohesion with backtracking.

    The cohesion of an n-gram is the smallest ``log(N n / (n_left n_right))`` over its
    binary splits; the n-grams of orders 2..`order` above their thresholds are kept,
    the gaps inside kept n-grams joined and the others cut, and a piece of three or
    more characters survives only if all its sub-n-grams were kept (backtracking).

    Parameters
    ----------
    order : int
        Longest n-gram considered (words longer than this can still come out).
    min_count : int or None
        N-grams and words seen fewer times are dropped; None scales it with the corpus
        (:func:`default_min_count`).
    thresholds : sequence of float, optional
        Log cohesion thresholds for orders 2..order (default
        :func:`default_thresholds`: 1, 5, 7, ...).
    backoff_cohesion : float or None
        Pairs more cohesive than this that the cut left inside longer words (国有 in
        国有企业) are added to the lexicon as back-off words, with ``backoff_weight``
        times their count (at least 1), so the tokenizer uses them only where no longer
        word fits. None adds none. Default 2.
    backoff_weight : float
        Fraction of a back-off word's n-gram count given to it (default 0.02).

    Examples
    --------
    >>> f = CohesionWordFinder(min_count=2).train(["我们的祖国", "祖国的花朵"] * 20)
    >>> "祖国" in f.find()
    True
    """

    def __init__(self, order: int = 4, min_count: int | None = None,
                 thresholds: Sequence[float] | None = None,
                 backoff_cohesion: float | None = 2.0, backoff_weight: float = 0.02):
        order = check_int("order", order, 2, 12)
        if thresholds is None:
            thresholds = default_thresholds(order)
        if len(thresholds) != order - 1:
            raise InputError(f"give {order - 1} thresholds, one per order 2..{order}")
        self.order = order
        self.min_count = min_count
        self.thresholds = [float(t) for t in thresholds]
        if not 0.0 < backoff_weight <= 1.0:
            raise InputError(f"backoff_weight must be in (0, 1], not {backoff_weight!r}")
        self.backoff_cohesion = None if backoff_cohesion is None else float(backoff_cohesion)
        self.backoff_weight = float(backoff_weight)
        self.counter = NgramCounter(order=order, min_count=min_count or 1)
        self._log_cache: dict[int, tuple] = {}

    def train(self, texts: Iterable[str] | str) -> "CohesionWordFinder":
        """Add `texts` to what the finder has seen (call again to train incrementally)."""
        self.counter.update(texts)
        return self

    def _apply_min_count(self) -> None:
        """Prune the counter at min_count, scaling it with the corpus when unset."""
        mc = self.min_count
        if mc is None:
            mc = default_min_count(int((self.counter.corpus_ids >= 0).sum()))
        self.counter.set_min_count(mc)

    def cohesion(self, n: int) -> np.ndarray:
        """Log cohesion of every kept n-gram of order `n` (index order)."""
        c = self.counter
        count_n = c.counts(n)
        if len(count_n) == 0:
            return np.zeros(0)
        log_ns = np.log(count_n.astype(np.float64)) + math.log(c.total(1))
        # left[k] / right[k]: index of the first k / last n - k characters of each n-gram,
        # following the prefix and suffix links one order at a time.
        left = {n - 1: c.prefix_index(n)}
        for k in range(n - 2, 0, -1):
            left[k] = c.prefix_index(k + 1)[left[k + 1]]
        right = {1: c.suffix_index(n)}
        for k in range(2, n):
            right[k] = c.suffix_index(n - k + 1)[right[k - 1]]
        coh = np.full(len(count_n), np.inf)
        for k in range(1, n):
            _min_split_pmi(coh, log_ns, self._log_counts(k), left[k], self._log_counts(n - k),
                           right[k])
        return coh

    def _log_counts(self, k: int) -> np.ndarray:
        """log of the counts of the kept k-grams, kept while those counts stay the same
        array (each order's cohesion uses those of every lower order)."""
        counts = self.counter.counts(k)
        cached = self._log_cache.get(k)
        if cached is None or cached[0] is not counts:
            cached = (counts, np.log(counts.astype(np.float64)))
            self._log_cache[k] = cached
        return cached[1]

    def kept_ngrams(self) -> dict[int, np.ndarray]:
        """Boolean masks, per order 2..K, of the n-grams whose cohesion passes."""
        self._apply_min_count()
        return {n: self.kept(n) for n in range(2, self.order + 1)}

    def kept(self, n: int) -> np.ndarray:
        """Mask of the kept n-grams of order `n` whose cohesion passes its threshold
        (needs the counts of orders 1..n only)."""
        return self.cohesion(n) > self.thresholds[n - 2]

    def _cut(self):
        """Cut the corpus outside kept n-grams. Returns the distinct pieces (start,
        length, count) and, per position, a bit per order n set when the window of
        order n starting there is kept."""
        self._apply_min_count()
        ids = self.counter.corpus_ids
        joined = np.zeros(len(ids), dtype=bool)
        kept_bits = np.zeros(len(ids), dtype=np.uint16)
        # The cohesion of order n needs only the counts of orders 1..n, so each order's
        # windows are marked while counting goes on (positions are computed once).
        for n, pos in self.counter.positions():
            if n >= 2:
                mark_kept_windows(pos, self.kept(n), n, joined, kept_bits)
        starts, lens, counts = distinct_pieces(ids, joined)
        return starts, lens, counts, kept_bits

    def candidates(self) -> Counter:
        """Pieces of the corpus cut outside kept n-grams, with their counts."""
        starts, lens, counts, _ = self._cut()
        words = piece_strings(self.counter, self.counter.corpus_ids, starts, lens)
        return Counter(dict(zip(words, counts.tolist())))

    def find(self) -> Lexicon:
        """Cut everything seen so far and return the lexicon (after backtracking).

        Backtracking: a piece of 3 or more characters survives only if every sub-n-gram
        of length 3..K in it was itself kept. Back-off pairs (see ``backoff_cohesion``)
        are added last.
        """
        starts, lens, counts, kept_bits = self._cut()
        ok = (counts >= self.counter.min_count) & backtracked(starts, lens, kept_bits, self.order)
        words = piece_strings(self.counter, self.counter.corpus_ids, starts[ok], lens[ok])
        lexicon = dict(zip(words, counts[ok].tolist()))
        if self.backoff_cohesion is not None:
            self.add_backoff_pairs(lexicon)
        return Lexicon.from_valid_counts(lexicon)

    def add_backoff_pairs(self, lexicon: dict) -> None:
        c = self.counter
        strong = np.flatnonzero(self.cohesion(2) > self.backoff_cohesion)
        pairs = strings_from_code_points(c.vocab.code_points_of(c.char_matrix(2)[strong]))
        weights = np.maximum(1, (c.counts(2)[strong] * self.backoff_weight).astype(np.int64))
        for pair, w in zip(pairs, weights.tolist()):
            lexicon.setdefault(pair, w)


def make_finder(method: str = "cohesion", **params):
    """Build the word finder for `method` ("cohesion" or "pmi") with `params`."""
    check_choice("method", method, METHODS)
    return CohesionWordFinder(**params) if method == "cohesion" else PMIWordFinder(**params)


def find_words(texts: Iterable[str] | str, method: str = "cohesion", *, refine: bool = True,
               **params) -> Lexicon:
    """Learn a lexicon from raw text.

    Parameters
    ----------
    texts : str or iterable of str
        Raw text, e.g. the lines of a corpus (an iterator is read into a list when
        `refine` reads it twice).
    method : {"cohesion", "pmi"}
        Discovery method: n-gram cohesion (:class:`CohesionWordFinder`) or adjacent
        PMI (:class:`PMIWordFinder`).
    refine : bool, default True
        Keep the words that are words of their own, with their uses in the text as
        counts (:func:`~nlpzero.discovery.refine_lexicon`: pairs that the other words
        explain, such as 他的 and 也是, and numeral phrases leave); False gives the
        finder's cut as it is, with the words' counts as pieces of the corpus.
    **params
        Passed to the finder's constructor.

    Returns
    -------
    Lexicon
        The words found, with their counts.

    Examples
    --------
    >>> lines = ["中国人民银行今天发布了新的货币政策", "人民银行表示货币政策保持稳健"] * 50
    >>> lexicon = find_words(lines)
    >>> "货币政策" in lexicon or "货币" in lexicon
    True
    """
    if refine:  # the text is read twice
        texts = rereadable_texts(texts)
    lexicon = make_finder(method, **params).train(texts).find()
    if refine and len(lexicon):
        from .newwords import refine_lexicon

        lexicon = refine_lexicon(lexicon, texts)
    return lexicon
