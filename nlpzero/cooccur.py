"""Word co-occurrence counts over a symmetric window, in bounded memory.

Sentences (lists of words, or strings of space-separated words) are turned into int32
word ids batch by batch. Once all words are counted, the words seen fewer than
``min_count`` times are dropped from the id stream (as word2vec and GloVe do, so a
window reaches past them), and every pair of positions ``p < q`` of one line with
``q - p <= window`` is keyed as one int64, ``min(i, j) * V + max(i, j)`` for the word
ids ``i``, ``j`` at those positions (with the 1/distance weighting the distance is
folded into the key, ``key * window + q - p - 1``). Keys are emitted into a buffer,
sorted, run-length counted in place and merged into a table split into key ranges,
so the working memory is the distinct pairs (16 bytes each) plus one buffer, which
grows with the table to keep the number of merges logarithmic.

The matrix is symmetric: ``X[i, j]`` is the number of ordered position pairs
``(p, q)``, ``1 <= |p - q| <= window``, with word ``i`` at ``p`` and ``j`` at ``q``. Only
``i <= j`` is stored; a diagonal entry counts both orders of its position pairs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Iterable, Iterator

import numpy as np
from numba import njit

from .errors import InputError
from .ngrams import _merge_counts

logger = logging.getLogger(__name__)

#: Tokens encoded per batch.
BATCH_TOKENS = 1 << 20
#: Smallest and largest key buffer (keys emitted between two merges).
MIN_BUFFER = 1 << 23
MAX_BUFFER = 1 << 26
#: Key ranges of the pair table; merging one range at a time needs only that
#: range's size of extra memory.
N_PARTS = 16


# ---------------------------------------------------------------------------
# Kernels


@njit(cache=True)
def _emit_pairs(ids, start, window, V, harmonic, out):
    """Write the keys of the position pairs that start at ``p >= start`` into `out`.

    `ids` holds word ids with -1 at every line end. Stops before a position whose
    window might not fit in `out`; returns that position (``len(ids)`` when done)
    and the number of keys written.
    """
    n = len(ids)
    m = 0
    p = start
    while p < n:
        if m + window > len(out):
            return p, m
        a = ids[p]
        if a >= 0:
            q = p + 1
            while q < n and q - p <= window:
                b = ids[q]
                if b < 0:
                    break
                key = a * V + b if a <= b else b * V + a
                if harmonic:
                    key = key * window + (q - p - 1)
                out[m] = key
                m += 1
                q += 1
        p += 1
    return p, m


@njit(cache=True)
def _run_length(keys, n, window, harmonic, vals):
    """Collapse the sorted keys[:n] in place into distinct pair keys, writing each
    pair's total weight (its count, or the sum of 1/distance) into `vals`.
    Returns the number of distinct pairs."""
    m = 0
    i = 0
    while i < n:
        k = keys[i]
        pair = k // window if harmonic else k
        w = 0.0
        while i < n:
            k = keys[i]
            if harmonic:
                if k // window != pair:
                    break
                w += 1.0 / (k % window + 1)
            else:
                if k != pair:
                    break
                w += 1.0
            i += 1
        keys[m] = pair
        vals[m] = w
        m += 1
    return m


# ---------------------------------------------------------------------------
# The table of distinct pairs


class _PairTable:
    """Sorted (key, weight) tables over N_PARTS key ranges, fixed by the first batch."""

    def __init__(self):
        self.bounds = None
        self.keys: list[np.ndarray] = []
        self.vals: list[np.ndarray] = []

    def __len__(self) -> int:
        return sum(len(k) for k in self.keys)

    def add(self, keys: np.ndarray, vals: np.ndarray) -> None:
        if self.bounds is None:
            qs = np.linspace(0, len(keys), N_PARTS + 1)[1:-1].astype(np.int64)
            self.bounds = np.unique(keys[qs]) if len(keys) else np.zeros(0, np.int64)
            n = len(self.bounds) + 1
            self.keys = [np.zeros(0, np.int64) for _ in range(n)]
            self.vals = [np.zeros(0, np.float64) for _ in range(n)]
        cuts = [0, *np.searchsorted(keys, self.bounds).tolist(), len(keys)]
        for p in range(len(self.keys)):
            a, b = cuts[p], cuts[p + 1]
            if b > a:
                self.keys[p], self.vals[p] = _merge_counts(self.keys[p], self.vals[p],
                                                    keys[a:b], vals[a:b])

    def pop_parts(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield the parts in key order, releasing each one."""
        while self.keys:
            yield self.keys.pop(0), self.vals.pop(0)


# ---------------------------------------------------------------------------
# Public API


@dataclass
class Cooccurrence:
    """Word counts and the symmetric co-occurrence matrix of a corpus.

    Attributes
    ----------
    words : list of str
        The vocabulary, most frequent first (ties in order of first occurrence).
    counts : ndarray of int64
        Count of each word.
    rows, cols : ndarray of int32
        The non-zero entries ``X[rows[k], cols[k]]``, with ``rows <= cols``, sorted.
    values : ndarray of float64
        The entries: counts of co-occurrence, or sums of 1/distance.
    window : int
    weighting : str
        ``"count"`` or ``"harmonic"``.
    n_tokens : int
        Tokens read, dropped words included.
    """

    words: list
    counts: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    values: np.ndarray
    window: int
    weighting: str
    n_tokens: int

    @property
    def total(self) -> float:
        """Sum of the whole symmetric matrix (each off-diagonal entry twice)."""
        diag = self.rows == self.cols
        return float(2.0 * self.values[~diag].sum() + self.values[diag].sum())

    def __len__(self) -> int:
        return len(self.values)

    def to_dict(self) -> dict:
        """The matrix as ``{(word_i, word_j): value}`` over the stored ``i <= j`` entries."""
        w = self.words
        return {(w[i], w[j]): v for i, j, v in
                zip(self.rows.tolist(), self.cols.tolist(), self.values.tolist())}


def count_cooccurrences(sentences: Iterable, window: int = 10, min_count: int = 5,
                        weighting: str = "count", max_vocab: int | None = None,
                        buffer_pairs: int | None = None, subsample: float = 0.0,
                        seed: int | None = None) -> Cooccurrence:
    """Count word co-occurrences within a symmetric window.

    Parameters
    ----------
    sentences : iterable of (list of str or str)
        One item per line: a list of words, or a string of words separated by
        whitespace. Windows never cross lines.
    window : int, default 10
        Largest distance between two co-occurring words.
    min_count : int, default 5
        Words seen fewer times are dropped before windowing.
    weighting : {"count", "harmonic"}
        Each co-occurrence counts 1, or 1/distance.
    max_vocab : int, optional
        Keep only this many most frequent words (after `min_count`).
    buffer_pairs : int, optional
        Keys emitted between two merges (default grows from 8M to 64M with the table).
    subsample : float, default 0 (off)
        Drop each occurrence of a word of frequency p above `subsample` with
        probability ``1 - sqrt(subsample / p)`` before windowing (word2vec's
        subsampling, e.g. 1e-3): windows reach past frequent function words. The
        word counts stay those of the whole text.
    seed : int, optional
        Seed of the subsampling.

    Returns
    -------
    Cooccurrence

    Raises
    ------
    InputError
        On invalid parameters, a sentence that is neither str nor list of str, or
        when no word reaches `min_count`.
    """
    window = _check_int("window", window, 1)
    min_count = _check_int("min_count", min_count, 1)
    if weighting not in ("count", "harmonic"):
        raise InputError(f"weighting must be 'count' or 'harmonic', not {weighting!r}")
    if max_vocab is not None:
        max_vocab = _check_int("max_vocab", max_vocab, 1)
    harmonic = weighting == "harmonic"

    index: dict[str, int] = {}
    batches = list(_encode(sentences, index))
    n_raw = len(index)
    counts = np.zeros(n_raw, dtype=np.int64)
    for b in batches:
        counts += np.bincount(b[b >= 0], minlength=n_raw)
    n_tokens = int(counts.sum())
    # Most frequent first; a stable sort keeps ties in order of first occurrence.
    order = np.argsort(-counts, kind="stable")
    keep = order[counts[order] >= min_count]
    if max_vocab is not None:
        keep = keep[:max_vocab]
    if not len(keep):
        raise InputError(f"no word occurs at least min_count={min_count} times "
                         f"(read {n_tokens} tokens)")
    V = len(keep)
    if V * V * (window if harmonic else 1) >= 2 ** 62:
        raise InputError(f"vocabulary of {V} words too large for int64 pair keys")
    # remap[raw + 1]: new id, -1 for a line end, -2 for a dropped word.
    remap = np.full(n_raw + 1, -2, dtype=np.int32)
    remap[0] = -1
    remap[keep + 1] = np.arange(V, dtype=np.int32)
    words_by_raw = list(index)
    words = [words_by_raw[i] for i in keep.tolist()]
    del index, words_by_raw

    keep_p = None
    if subsample:
        if not (isinstance(subsample, (int, float)) and 0 < subsample < 1):
            raise InputError(f"subsample must be a number in (0, 1), not {subsample!r}")
        freq = counts[keep] / n_tokens
        keep_p = np.minimum(1.0, np.sqrt(subsample / freq))
        rng = np.random.default_rng(seed)
    table = _PairTable()
    fixed = buffer_pairs is not None
    size = max(int(buffer_pairs), window) if fixed else MIN_BUFFER
    buf = np.empty(size, dtype=np.int64)
    vals = np.empty(size, dtype=np.float64)
    while batches:
        ids = remap[batches.pop(0) + 1]
        ids = ids[ids != -2]
        if keep_p is not None:
            word = ids >= 0
            drop = np.zeros(len(ids), dtype=bool)
            drop[word] = rng.random(int(word.sum())) >= keep_p[ids[word]]
            ids = ids[~drop]
        p = 0
        while p < len(ids):
            p, m = _emit_pairs(ids, p, window, V, harmonic, buf)
            if m:
                buf[:m].sort()
                u = _run_length(buf, m, window, harmonic, vals)
                table.add(buf[:u], vals[:u])
            if not fixed:
                want = min(max(MIN_BUFFER, len(table) // 2), MAX_BUFFER)
                if want > len(buf):
                    buf = np.empty(want, dtype=np.int64)
                    vals = np.empty(want, dtype=np.float64)
    del buf, vals
    rows, cols, values = [], [], []
    for keys, v in table.pop_parts():
        rows.append((keys // V).astype(np.int32))
        cols.append((keys % V).astype(np.int32))
        values.append(v)
        del keys
    rows = np.concatenate(rows) if rows else np.zeros(0, np.int32)
    cols = np.concatenate(cols) if cols else np.zeros(0, np.int32)
    values = np.concatenate(values) if values else np.zeros(0, np.float64)
    # A pair of positions with the same word is one occurrence in each order.
    values[rows == cols] *= 2
    return Cooccurrence(words=words, counts=counts[keep], rows=rows, cols=cols, values=values,
                        window=window, weighting=weighting, n_tokens=n_tokens)


def _check_int(name: str, value, lo: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < lo:
        raise InputError(f"{name} must be an integer >= {lo}, not {value!r}")
    return int(value)


def _encode(sentences: Iterable, index: dict) -> Iterator[np.ndarray]:
    """Yield int32 arrays of word ids (new words get the next id), -1 after each line."""
    if isinstance(sentences, str):
        raise InputError("sentences must be an iterable of lines, not one str")
    setdefault = index.setdefault
    buf: list[int] = []
    for k, s in enumerate(sentences):
        if isinstance(s, str):
            s = s.split()
        elif not isinstance(s, (list, tuple)):
            raise InputError(f"sentence {k} is a {type(s).__name__}, not a str or list of str")
        elif not all(type(w) is str for w in s):
            raise InputError(f"sentence {k} holds a word that is not a str")
        buf.extend([setdefault(w, len(index)) for w in s])
        buf.append(-1)
        if len(buf) >= BATCH_TOKENS:
            yield np.array(buf, dtype=np.int32)
            buf = []
    if buf:
        yield np.array(buf, dtype=np.int32)
