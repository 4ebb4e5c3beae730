"""Counting character n-grams of orders 1..K with a Numba core.

The corpus is kept as one int32 array of character ids (4 bytes a character) in
which -1 marks every run boundary. Counting goes order by order, Apriori style: an
n-gram can reach ``min_count`` only if its (n-1)-gram prefix and suffix do, so each
window is keyed as ``prefix_index * V + last_char`` (one int64) and only windows whose
prefix and suffix survived are counted. The counts are exact for every n-gram whose
count is at least ``min_count``; the rest are pruned.

Within an order, windows are counted in chunks (sort, run-length count) and merged
into the running totals, so the working memory is one chunk of keys plus the distinct
n-grams seen so far.
"""

from __future__ import annotations

import logging
from typing import Iterable

import numpy as np

from .._jit import njit, njit_inner
from .._kernels.arrays import new_array
from .._kernels.hashtables import build_index, lookup
from .._kernels.merges import merge_counts
from .._validation import check_int
from ..corpus import CharVocab, batch_texts, iter_texts, strings_from_code_points
from ..errors import InputError

logger = logging.getLogger(__name__)

#: Windows counted per chunk before merging.
CHUNK_WINDOWS = 1 << 23
#: Count and locate the windows of a corpus of one chunk with one sort (see
#: NgramCounter._count_and_locate); False always counts, then looks up.
PACKED_LOCATE = True


# ---------------------------------------------------------------------------
# Kernels (arrays and scalars only)


@njit(cache=True)
def _window_keys(ids, prev, order, V, start, stop):
    """Keys of the order-`order` windows starting in [start, stop) whose prefix and
    suffix (order-1)-grams both survived pruning (prev >= 0)."""
    n = len(ids)
    if stop > n - order + 1:
        stop = n - order + 1
    out = new_array(stop - start if stop > start else 0, np.int64)
    k = 0
    for i in range(start, stop):
        p = prev[i]
        if p >= 0 and prev[i + 1] >= 0:
            out[k] = np.int64(p) * V + ids[i + order - 1]
            k += 1
    return out[:k]


@njit(cache=True)
def _packed_windows(ids, prev, order, V, pos_bits):
    """Like :func:`_window_keys` over the whole array, each key shifted left by
    `pos_bits` with the window's start position in the low bits, so that one sort
    both groups the windows by n-gram and keeps where each one is."""
    n = len(ids)
    out = new_array(n - order + 1 if n >= order else 0, np.int64)
    k = 0
    for i in range(n - order + 1):
        p = prev[i]
        if p >= 0 and prev[i + 1] >= 0:
            # int64 before shifting (prev and ids are int32).
            out[k] = ((np.int64(p) * V + ids[i + order - 1]) << pos_bits) | i
            k += 1
    return out[:k]


@njit_inner
def _group_end(packed, i, pos_bits):
    """End of the run of sorted packed windows from `i` that share i's key."""
    key = packed[i] >> pos_bits
    j = i + 1
    while j < len(packed) and packed[j] >> pos_bits == key:
        j += 1
    return j


@njit(cache=True)
def _locate_groups(packed, pos_bits, min_count, n):
    """From sorted packed windows (see :func:`_packed_windows`): the distinct keys
    counted at least `min_count` times, their counts, and for each of the `n`
    positions the index of its window's key among them, or -1 (one entry more than
    `n`, the last -1, as :func:`_next_positions` gives)."""
    n_groups = 0
    i = 0
    while i < len(packed):  # first pass: how many keys are kept, to size the tables
        j = _group_end(packed, i, pos_bits)
        if j - i >= min_count:
            n_groups += 1
        i = j
    keys = new_array(n_groups, np.int64)
    counts = new_array(n_groups, np.int64)
    cur = new_array(n + 1, np.int32)
    cur[:] = -1
    mask = (np.int64(1) << pos_bits) - 1
    g = 0
    i = 0
    while i < len(packed):
        j = _group_end(packed, i, pos_bits)
        if j - i >= min_count:
            keys[g] = packed[i] >> pos_bits
            counts[g] = j - i
            for t in range(i, j):
                cur[packed[t] & mask] = g
            g += 1
        i = j
    return keys, counts, cur


@njit(cache=True)
def _run_length_counts(sorted_keys):
    """Distinct keys of a sorted array and how often each occurs."""
    n = len(sorted_keys)
    keys = new_array(n, np.int64)
    counts = new_array(n, np.int64)
    m = 0
    i = 0
    while i < n:
        j = i + 1
        while j < n and sorted_keys[j] == sorted_keys[i]:
            j += 1
        keys[m] = sorted_keys[i]
        counts[m] = j - i
        m += 1
        i = j
    return keys[:m], counts[:m]


@njit(cache=True)
def _extend_index(idx, last, V, index):
    """Index of each (n-1)-gram `idx` extended by character `last`, or -1."""
    out = new_array(len(idx), np.int64)
    out[:] = -1
    for r in range(len(idx)):
        if idx[r] >= 0 and 0 <= last[r] < V:
            out[r] = lookup(index, idx[r] * V + last[r])
    return out


@njit(cache=True)
def _next_positions(ids, prev, order, V, index):
    """Index among the kept order-`order` n-grams of the window starting at each
    position, or -1 when the window is not kept (or crosses a boundary)."""
    n = len(ids)
    cur = new_array(n + 1, np.int32)
    cur[:] = -1
    for i in range(n - order + 1):
        p = prev[i]
        if p >= 0 and prev[i + 1] >= 0:
            cur[i] = lookup(index, np.int64(p) * V + ids[i + order - 1])
    return cur


def _unigram_positions(ids: np.ndarray, index_of_char: np.ndarray) -> np.ndarray:
    """The index among the kept characters of the character at each position of `ids`
    (-1 for none, and one -1 more at the end); `index_of_char` int32. In NumPy, as fast
    as a kernel, which a first run would compile (about 0.09 s): one gather into the
    result (the -1 of a non-Han position clipped to a valid index, then overwritten),
    and no temporary but the mask."""
    cur = np.empty(len(ids) + 1, dtype=np.int32)
    cur[-1] = -1
    body = cur[:-1]
    np.take(index_of_char, ids, out=body, mode="clip")
    body[ids < 0] = -1
    return cur


@njit(cache=True)
def window_totals(ids, max_order):
    """Number of windows of each order 1..max_order lying inside a run."""
    totals = new_array(max_order + 1, np.int64)
    totals[:] = 0
    run = 0
    for i in range(len(ids) + 1):
        if i < len(ids) and ids[i] >= 0:
            run += 1
        else:
            for n in range(1, max_order + 1):
                if run >= n:
                    totals[n] += run - n + 1
            run = 0
    return totals


# ---------------------------------------------------------------------------
# Public API


class NgramCounter:
    """Counts of all character n-grams of orders 1..`order` in a corpus.

    Parameters
    ----------
    order : int
        Largest n-gram length counted (1 to 16).
    min_count : int
        N-grams seen fewer times are pruned; counts of the others are exact.

    Examples
    --------
    >>> c = NgramCounter(order=3, min_count=1).fit(["中国人民", "人民日报"])
    >>> c["人民"], c["中国人"], c["日报人"]
    (2, 1, 0)
    """

    def __init__(self, order: int = 4, min_count: int = 2):
        self.order = check_int("order", order, 1, 16)
        self.min_count = check_int("min_count", min_count, 1)
        self.vocab = CharVocab()
        self._chunks: list[np.ndarray] = []
        self._ids: np.ndarray | None = None
        self._keys: list[np.ndarray] = []
        self._counts: list[np.ndarray] = []
        self._index: list[np.ndarray] = []  # hash tables over self._keys
        self._matrix: list[np.ndarray] = []  # character ids of the kept n-grams
        self._suffixes: dict[int, np.ndarray] = {}  # see _suffix_index
        self._totals = np.zeros(self.order + 1, dtype=np.int64)
        self._V = 0
        self._stale = False

    # -- feeding text -------------------------------------------------------
    def fit(self, texts: Iterable[str] | str) -> "NgramCounter":
        """Forget everything and count the n-grams of `texts`."""
        self.vocab = CharVocab()
        self._chunks = []
        self._ids = None
        return self.update(texts)

    def update(self, texts: Iterable[str] | str) -> "NgramCounter":
        """Add `texts` (a string or an iterable of strings) to the corpus.

        Counts are recomputed lazily, at the next query, over all text seen so far.
        """
        for batch in batch_texts(iter_texts(texts)):
            ids = self.vocab.encode(batch)
            # -1 after each batch keeps windows from spanning two batches.
            self._chunks.append(np.append(ids, np.int32(-1)))
        self._stale = True
        return self

    def set_min_count(self, min_count: int) -> None:
        """Change the pruning threshold; counts are redone at the next query."""
        if check_int("min_count", min_count, 1) != self.min_count:
            self.min_count = int(min_count)
            self._stale = True

    # -- queries --------------------------------------------------------------
    @property
    def corpus_ids(self) -> np.ndarray:
        """All text seen so far as int32 character ids, -1 at run boundaries."""
        if self._ids is None or len(self._chunks) > 1:
            self._ids = np.concatenate(self._chunks) if self._chunks else np.full(1, -1, np.int32)
            self._chunks = [self._ids]
        return self._ids

    def total(self, n: int = 1) -> int:
        """Number of n-gram windows in the corpus (before pruning); total(1) is the
        number of Han characters."""
        self._ensure_counted()
        self._check_order(n)
        return int(self._totals[n])

    def count(self, s: str) -> int:
        """Count of the string `s`, or 0 when it is pruned, longer than the order, or
        contains a character that is not Han."""
        self._ensure_counted()
        if not s or len(s) > self.order:
            return 0
        ids = self.vocab.encode(s, grow=False)
        if (ids < 0).any():
            return 0
        idx = self._index_of(ids[None, :])[0]
        return int(self._counts[len(s)][idx]) if idx >= 0 else 0

    __getitem__ = count

    def __contains__(self, s: str) -> bool:
        return self.count(s) > 0

    def ngrams(self, n: int) -> tuple[list[str], np.ndarray]:
        """All kept n-grams of order `n` as strings, with their counts."""
        self._ensure_counted()
        self._check_order(n)
        mat = self.vocab.code_points_of(self.char_matrix(n))
        return strings_from_code_points(mat), self._counts[n].copy()

    def counts(self, n: int) -> np.ndarray:
        """Counts of the kept n-grams of order `n`, in index order."""
        self._ensure_counted()
        self._check_order(n)
        return self._counts[n]

    def char_matrix(self, n: int) -> np.ndarray:
        """(m, n) array of the character ids of the kept n-grams of order `n`."""
        self._ensure_counted()
        self._check_order(n)
        if self._matrix[n] is None:
            keys = self._keys[n]
            self._matrix[n] = np.concatenate(
                [self.char_matrix(n - 1)[keys // self._V], (keys % self._V).astype(np.int32)[:, None]],
                axis=1)
        return self._matrix[n]

    def index_of(self, matrix: np.ndarray) -> np.ndarray:
        """Index among the kept n-grams of each row of an (m, n) id matrix, or -1."""
        self._ensure_counted()
        return self._index_of(np.asarray(matrix))

    def part_index(self, n: int, start: int, width: int) -> np.ndarray:
        """Index among the kept n-grams of order `width` of the part
        ``[start, start + width)`` of every kept n-gram of order `n` (parts of kept
        n-grams are kept: counting is Apriori)."""
        self._ensure_counted()
        self._check_order(n)
        if not (0 <= start and 1 <= width and start + width <= n):
            raise InputError(f"no part [{start}, {start + width}) in an n-gram of order {n}")
        idx = np.arange(len(self._keys[n]))
        m = n
        for _ in range(start):  # drop the first character: follow the suffixes
            idx = self.suffix_index(m)[idx]
            m -= 1
        while m > width:  # drop the last character: follow the prefixes
            idx = self.prefix_index(m)[idx]
            m -= 1
        return idx

    def prefix_index(self, n: int) -> np.ndarray:
        """Index among the kept (n-1)-grams of the prefix of each kept n-gram."""
        self._ensure_counted()
        return self._keys[n] // self._V

    def suffix_index(self, n: int) -> np.ndarray:
        """Index among the kept (n-1)-grams of the suffix of each kept n-gram."""
        self._ensure_counted()
        return self._suffix_index(n)

    def _suffix_index(self, n: int) -> np.ndarray:
        """Index among the kept (n-1)-grams of the suffix of each kept n-gram (cached):
        the suffix's own prefix is the suffix of the n-gram's prefix, so one look-up
        per n-gram finds it."""
        cached = self._suffixes.get(n)
        if cached is None:
            keys = self._keys[n]
            last = keys % self._V
            if n == 2:
                cached = self._index_of_char(np.int64)[last]
            else:
                inner = self._suffix_index(n - 1)[keys // self._V]
                cached = _extend_index(inner, last, self._V, self._index[n - 1])
            self._suffixes[n] = cached
        return cached

    def positions(self):
        """Yield ``(n, idx)`` for n = 1..order, idx[i] being the index of the kept
        n-gram starting at corpus position i, or -1.

        When the counts are stale, counting happens as the generator advances (each
        order's positions are needed to count the next one, so they are computed once):
        when ``(n, idx)`` is yielded, the counts of orders 1..n can be queried, and the
        higher orders only after the generator is exhausted."""
        if self._stale or not self._keys:
            yield from self._count_orders(last_positions=True)
        else:
            yield from self.positions_in(self.corpus_ids, self.order)

    def positions_in(self, ids: np.ndarray, max_order: int):
        """Like :meth:`positions`, for orders 1..`max_order` of any array of ids
        encoded with this counter's vocabulary (e.g. one partition of a corpus)."""
        self._ensure_counted()
        cur = self._unigram_positions(ids)
        yield 1, cur[:-1]
        for n in range(2, max_order + 1):
            cur = _next_positions(ids, cur, n, self._V, self._index[n])
            yield n, cur[:-1]

    def next_positions(self, ids: np.ndarray, prev: np.ndarray, n: int) -> np.ndarray:
        """From the order-(n-1) positions `prev` of `ids`, those of order `n` (one
        entry more than `ids`, the last -1)."""
        self._ensure_counted()
        return _next_positions(ids, prev, n, self._V, self._index[n])

    # -- internals ------------------------------------------------------------
    def _check_order(self, n: int) -> None:
        if not 1 <= n <= self.order:
            raise InputError(f"order {n} is outside 1..{self.order}")
        if n >= len(self._keys):
            raise RuntimeError(f"order {n} is not counted yet (positions() is still counting)")

    def _index_of(self, mat: np.ndarray) -> np.ndarray:
        m, n = mat.shape
        if n == 0 or n > self.order:
            return np.full(m, -1, dtype=np.int64)
        index_of_char = self._index_of_char(np.int64)
        col = mat[:, 0].astype(np.int64)
        idx = np.where((col >= 0) & (col < len(index_of_char)),
                       index_of_char[np.clip(col, 0, len(index_of_char) - 1)], -1)
        for j in range(1, n):
            idx = _extend_index(idx, mat[:, j].astype(np.int64), self._V, self._index[j + 1])
        return idx

    def _unigram_positions(self, ids: np.ndarray) -> np.ndarray:
        return _unigram_positions(ids, self._index_of_char(np.int32))

    def _index_of_char(self, dtype) -> np.ndarray:
        """Index among the kept characters of each character id, or -1."""
        index_of_char = np.full(max(self._V, 1), -1, dtype=dtype)
        index_of_char[self._keys[1]] = np.arange(len(self._keys[1]), dtype=dtype)
        return index_of_char

    def _ensure_counted(self) -> None:
        if self._stale or not self._keys:
            for _ in self._count_orders(last_positions=False):
                pass

    def _count_orders(self, last_positions: bool):
        """Count order by order, yielding ``(n, positions of order n)`` once order n is
        counted and indexed (the last order's positions only if `last_positions`). If the
        caller stops early, the counts are marked stale and redone at the next query."""
        ids = self.corpus_ids
        self._V = max(len(self.vocab), 1)
        self._totals = window_totals(ids, self.order)
        self._start_tables(np.bincount(ids[ids >= 0], minlength=self._V).astype(np.int64))
        self._stale = False
        finished = False
        try:
            cur = self._unigram_positions(ids)
            yield 1, cur[:-1]
            for n in range(2, self.order + 1):
                want = n < self.order or last_positions
                located = self._count_and_locate(ids, cur, n) if want else None
                if located is not None:
                    keys, counts, cur = located
                    self.add_order(keys, counts)
                else:
                    self.add_order(*count_windows(ids, cur, n, self._V))
                    if want:
                        cur = _next_positions(ids, cur, n, self._V, self._index[n])
                if want:
                    yield n, cur[:-1]
            finished = True
            logger.debug("counted n-grams: %s", [len(k) for k in self._keys[1:]])
        finally:
            if not finished:
                self._stale = True
                self._keys = []

    def _count_and_locate(self, ids: np.ndarray, prev: np.ndarray, n: int):
        """Count order `n` and find the index of the window at each position with one
        sort of keys packed with their positions, instead of counting and then looking
        every window up in the hash table; None when the corpus is too large for one
        chunk or the packed keys would not fit in 63 bits (then the caller counts in
        chunks and looks up)."""
        pos_bits = int(len(ids)).bit_length()
        key_bits = int(max(len(self._keys[n - 1]), 1) * self._V).bit_length()
        if not PACKED_LOCATE or len(ids) > CHUNK_WINDOWS or pos_bits + key_bits > 63:
            return None
        packed = _packed_windows(ids, prev, n, self._V, pos_bits)
        packed.sort()  # numpy's sort (vectorised), faster than a compiled one
        return _locate_groups(packed, pos_bits, self.min_count, len(ids))

    def _start_tables(self, unigram_counts: np.ndarray) -> None:
        """Keep the characters counted at least min_count times as the order-1 table."""
        kept = np.flatnonzero(unigram_counts >= self.min_count).astype(np.int64)
        self._suffixes = {}
        empty = np.empty(0, np.int64)
        self._keys = [empty, kept]
        self._counts = [empty, unigram_counts[kept]]
        self._index = [empty, empty]
        self._matrix = [np.empty((0, 0), np.int32), kept.reshape(-1, 1).astype(np.int32)]

    def add_order(self, keys: np.ndarray, counts: np.ndarray) -> None:
        """Prune the next order's window counts (sorted keys) and index the survivors."""
        keep = counts >= self.min_count
        keys = keys[keep]
        self._keys.append(keys)
        self._counts.append(counts[keep])
        self._index.append(build_index(keys))
        self._matrix.append(None)  # made when first asked for (see char_matrix)

    @property
    def key_base(self) -> int:
        """The base of the window keys, ``prefix_index * key_base + last_char``."""
        return self._V

    @classmethod
    def from_counts(cls, vocab: CharVocab, order: int, min_count: int, totals: np.ndarray,
                    unigram_counts: np.ndarray) -> "NgramCounter":
        """A counter whose tables are filled order by order with :meth:`add_order`
        from counts made elsewhere (by the partitioned engine); it holds no corpus."""
        counter = cls(order=order, min_count=min_count)
        counter.vocab = vocab
        counter._V = max(len(vocab), 1)
        counter._totals = np.asarray(totals, dtype=np.int64)
        counter._start_tables(np.asarray(unigram_counts, dtype=np.int64))
        counter._chunks = []
        return counter


def count_windows(ids: np.ndarray, prev: np.ndarray, n: int, V: int):
    """Sorted distinct keys and counts of the order-`n` windows of `ids` whose prefix and
    suffix (n-1)-grams are kept (`prev`: their index at each position, or -1).

    Windows are sorted and counted a chunk at a time and merged, so the working memory
    is one chunk of keys plus the distinct keys so far."""
    keys = np.empty(0, np.int64)
    counts = np.empty(0, np.int64)
    for start in range(0, len(ids), CHUNK_WINDOWS):
        chunk = np.sort(_window_keys(ids, prev, n, V, start, start + CHUNK_WINDOWS))
        k, c = _run_length_counts(chunk)
        keys, counts = merge_counts(keys, counts, k, c)
    return keys, counts
