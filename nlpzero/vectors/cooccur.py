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

Files can also be counted one partition (a byte range of whole lines) at a time, in
worker processes or on a Dask cluster (:func:`count_cooccurrences_files`, built on the
partitions and runners of :mod:`nlpzero.engine`): the result is the same matrix. Locally,
each worker merges its partitions' pair tables in memory up to ``SPILL_PAIRS`` pairs and
writes them to the spill folder as a sorted run, cut at row bounds fixed in advance; the
workers then merge one row range at a time (a k-way merge of every run's part of that
range) and the driver fills the result range by range, so that no process holds more than
a partition and a run, a range, or the result plus a range.
Subsampling draws are a hash of the seed and the token's position in the corpus, and
1/distance weights are summed as exact multiples of ``1 / lcm(1..window)``, so no result
depends on the order in which counts are added up.
"""

from __future__ import annotations

import itertools
import logging
import os
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

import numpy as np

from .._jit import njit, njit_inner
from .._kernels.arrays import new_array
from .._validation import check_choice, check_errors, check_int, check_workers
from .. import defaults
from .._kernels.merges import merge_counts
from ..engine.partitions import partition_texts, plan_partitions
from ..engine.runners import partitioned_run, run_step
from ..engine.spill import save_array
from ..errors import InputError

logger = logging.getLogger(__name__)

#: Tokens encoded per batch.
BATCH_TOKENS = 1 << 20
#: Smallest and largest key buffer (keys emitted between two merges).
MIN_BUFFER = 1 << 23
MAX_BUFFER = 1 << 26
#: Key ranges of the pair table; merging one range at a time needs only that
#: range's size of extra memory.
N_PARTS = 16
#: Row ranges at which the local engine cuts every partition's pair table (fixed before
#: the pairs are counted, from an estimate of each row's distinct pairs).
SPILL_RANGES = 1024
#: A worker of the local engine merges its partitions' pair tables in memory until they
#: hold more than this many distinct pairs (16 bytes each), then writes them to the spill
#: folder as one sorted run: few runs when the pairs repeat, bounded memory when not.
SPILL_PAIRS = 1 << 25
#: Largest merge task of the local engine, in entries of the partitions' tables (16
#: bytes each; the task holds them and the merged range): neighbouring row ranges are
#: merged together up to this size.
MERGE_PAIRS = 1 << 24


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


#: Bits of the key sorted in one pass of :func:`_sort_keys`: 2^11 counters fit in the
#: first-level cache, and the pass writes to as many places at once.
RADIX_BITS = 11


@njit(cache=True)
def _sort_keys(keys, n, scratch, bits):
    """Sort keys[:n], all in [0, 2^bits), in place: a least significant digit radix
    sort, ``RADIX_BITS`` bits a pass, through scratch[:n]. Pair keys are uniform
    enough that each pass moves every key once, several times faster than a
    comparison sort."""
    passes = (bits + RADIX_BITS - 1) // RADIX_BITS
    if passes < 1:
        passes = 1
    width = (bits + passes - 1) // passes
    buckets = 1 << width
    mask = np.int64(buckets - 1)
    counts = new_array((passes, buckets), np.int64)
    counts[:] = 0
    for t in range(n):  # every pass's counts in one read
        k = keys[t]
        for d in range(passes):
            counts[d, (k >> np.int64(d * width)) & mask] += 1
    src, dst = keys, scratch
    for d in range(passes):
        shift = np.int64(d * width)
        total = 0
        for b in range(buckets):  # counts to first positions
            c = counts[d, b]
            counts[d, b] = total
            total += c
        for t in range(n):
            k = src[t]
            b = (k >> shift) & mask
            dst[counts[d, b]] = k
            counts[d, b] += 1
        src, dst = dst, src
    if passes % 2:
        # A loop, not keys[:n] = scratch[:n]: a slice copy compiles Numba's shape check
        # with its error message, 1.8 s on a first run.
        for t in range(n):
            keys[t] = scratch[t]


@njit(cache=True)
def _run_length(keys, n, window, harmonic, vals, scale=1.0):
    """Collapse the sorted keys[:n] in place into distinct pair keys, writing each
    pair's total weight (its count, or the sum of scale/distance) into `vals`.
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
                w += scale / (k % window + 1)
            else:
                if k != pair:
                    break
                w += 1.0
            i += 1
        keys[m] = pair
        vals[m] = w
        m += 1
    return m


@njit(cache=True)
def _merge_back(keys, vals, n1, k2, c2):
    """Merge the sorted (key, weight) table (k2, c2) into the one in keys[:n1],
    vals[:n1], in place (the arrays have room for both), adding the weights of shared
    keys; returns the merged length.

    The merge fills the arrays from the end, where nothing is left to read, and then
    moves the merged block down over the gap left by shared keys.
    """
    i = n1 - 1
    j = len(k2) - 1
    w = n1 + len(k2) - 1
    # w >= i + j + 1 throughout, so a write never lands on an entry not yet read.
    while j >= 0:
        if i >= 0 and keys[i] > k2[j]:
            keys[w] = keys[i]
            vals[w] = vals[i]
            i -= 1
        elif i >= 0 and keys[i] == k2[j]:
            keys[w] = keys[i]
            vals[w] = vals[i] + c2[j]
            i -= 1
            j -= 1
        else:
            keys[w] = k2[j]
            vals[w] = c2[j]
            j -= 1
        w -= 1
    # keys[:i + 1] are in place; the merged block is keys[w + 1:n1 + len(k2)].
    gap = w - i
    end = n1 + len(k2)
    if gap > 0:
        for t in range(w + 1, end):
            keys[t - gap] = keys[t]
            vals[t - gap] = vals[t]
    return end - gap


@njit(cache=True)
def _merge_runs(keys, vals, starts, out_keys, out_vals):
    """Merge the sorted runs ``keys[starts[r]:starts[r + 1]]`` (with their weights)
    into `out_keys`, `out_vals`, adding the weights of equal keys; returns the merged
    length.

    A binary heap holds the runs by their next key, so each entry costs log(runs)
    comparisons whatever the number of runs.
    """
    n_runs = len(starts) - 1
    pos = starts[:-1].copy()
    heap = new_array(n_runs, np.int64)
    h = 0
    for r in range(n_runs):
        if starts[r] < starts[r + 1]:
            i = h
            heap[h] = r
            h += 1
            while i > 0:
                up = (i - 1) // 2
                if keys[pos[heap[up]]] <= keys[pos[heap[i]]]:
                    break
                heap[up], heap[i] = heap[i], heap[up]
                i = up
    m = 0
    while h > 0:
        r = heap[0]
        k = keys[pos[r]]
        if m > 0 and out_keys[m - 1] == k:
            out_vals[m - 1] += vals[pos[r]]
        else:
            out_keys[m] = k
            out_vals[m] = vals[pos[r]]
            m += 1
        pos[r] += 1
        if pos[r] == starts[r + 1]:  # the run is used up: the last leaf takes its place
            h -= 1
            heap[0] = heap[h]
        i = 0
        while True:
            c = 2 * i + 1
            if c >= h:
                break
            if c + 1 < h and keys[pos[heap[c + 1]]] < keys[pos[heap[c]]]:
                c += 1
            if keys[pos[heap[c]]] >= keys[pos[heap[i]]]:
                break
            heap[c], heap[i] = heap[i], heap[c]
            i = c
    return m


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


@njit_inner
def _uniform(seed, t):
    """Output number `t` (from 0) of a splitmix64 generator seeded with `seed`, as a
    float in [0, 1): a draw that depends on nothing but the seed and the position."""
    z = seed + (t + np.uint64(1)) * _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(cache=True)
def _select(ids, first, seed, keep_p, out):
    """Copy to `out` the line ends (-1) and the kept words of `ids`, where -2 marks a
    dropped (rare) word; with a non-empty `keep_p`, the token numbered ``first + k``
    (the k-th token of `ids`, dropped words included) is kept only if its draw is
    below ``keep_p[id]``. Returns the length written."""
    subsample = len(keep_p) > 0
    t = np.uint64(first)
    m = 0
    for i in range(len(ids)):
        a = ids[i]
        if a == -1:
            out[m] = a
            m += 1
            continue
        if a >= 0 and (not subsample or _uniform(seed, t) < keep_p[a]):
            out[m] = a
            m += 1
        t += np.uint64(1)
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
                self.keys[p], self.vals[p] = merge_counts(self.keys[p], self.vals[p],
                                                    keys[a:b], vals[a:b])

    def pop_parts(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield the parts in key order, releasing each one."""
        while self.keys:
            yield self.keys.pop(0), self.vals.pop(0)


class _GrowingTable:
    """One sorted (key, weight) table in arrays with room to spare, merged into in
    place: a partition's table, or a worker's total, grows without a second copy and
    without asking the system for fresh memory at every merge."""

    #: Growth of the arrays when a merge does not fit (amortised copies, little slack).
    GROWTH = 1.25

    def __init__(self):
        self.n = 0
        self.keys = np.zeros(0, np.int64)
        self.vals = np.zeros(0, np.float64)

    def __len__(self) -> int:
        return self.n

    def add(self, keys: np.ndarray, vals: np.ndarray) -> None:
        need = self.n + len(keys)
        if need > len(self.keys) or not self.keys.flags.writeable:
            size = max(need, int(self.GROWTH * len(self.keys)))
            new_keys = np.empty(size, np.int64)
            new_vals = np.empty(size, np.float64)
            new_keys[:self.n] = self.keys[:self.n]
            new_vals[:self.n] = self.vals[:self.n]
            self.keys, self.vals = new_keys, new_vals
        self.n = _merge_back(self.keys, self.vals, self.n, keys, vals)

    @classmethod
    def of(cls, keys: np.ndarray, vals: np.ndarray) -> "_GrowingTable":
        table = cls()
        table.keys, table.vals, table.n = keys, vals, len(keys)
        return table

    def __iter__(self) -> Iterator[np.ndarray]:
        """The keys and the weights (so that a table unpacks, and is stashed, as a pair)."""
        return iter((self.keys[:self.n], self.vals[:self.n]))

    def pop_parts(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        keys, vals = self
        self.__init__()
        yield keys, vals


class _Runs:
    """Pair tables on their way to the spill folder (local engine): partitions' tables
    merged in memory until they hold more than SPILL_PAIRS pairs, then saved as one
    sorted run, named after its first partition, with its cuts at the row bounds.
    Iterating saves what is left and gives the runs' numbers and cuts, as arrays (so
    that a worker's runs are stashed as a tuple of arrays)."""

    def __init__(self, index: int, keys: np.ndarray, vals: np.ndarray, folder: str,
                 bounds: np.ndarray):
        self.folder, self.bounds = folder, bounds
        self.table = _GrowingTable.of(keys, vals)
        self.first = index
        self.runs: list[tuple[int, np.ndarray]] = []

    def add(self, other: "_Runs") -> None:
        self.runs += other.runs
        if len(other.table):
            if len(self.table):
                self.table.add(*other.table)
                self.first = min(self.first, other.first)
            else:
                self.table, self.first = other.table, other.first
            other.table = _GrowingTable()
        if len(self.table) > SPILL_PAIRS:
            self.flush()

    def flush(self) -> None:
        if len(self.table):
            keys, vals = self.table
            save_array(_run_path(self.folder, self.first, "keys"), keys)
            save_array(_run_path(self.folder, self.first, "vals"), vals)
            self.runs.append((self.first, _cuts(keys, self.bounds)))
        self.table = _GrowingTable()

    def __iter__(self) -> Iterator[np.ndarray]:
        self.flush()
        numbers = np.array([r for r, _ in self.runs], dtype=np.int64)
        cuts = np.zeros((len(self.runs), len(self.bounds) + 2), dtype=np.int64)
        for k, (_, c) in enumerate(self.runs):
            cuts[k] = c
        return iter((numbers, cuts))


def _combine_runs(a, b):
    """Fold pair runs: partitions' tables into a worker's (:class:`_Runs`), or the
    workers' run numbers and cuts together in the driver."""
    if not isinstance(a, _Runs):
        return _concatenate(a, b)
    a.add(b)
    return a


def _cuts(keys: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Where the sorted `keys` are cut at the bounds, with 0 and len(keys) at the ends."""
    return np.concatenate([[0], np.searchsorted(keys, bounds), [len(keys)]]).astype(np.int64)


def _combine_pairs(a, b):
    """Merge the pair table (or (keys, weights) pair) `b` into `a`, reusing a's arrays."""
    if not isinstance(a, _GrowingTable):
        a = _GrowingTable.of(*a)
    a.add(*b)
    return a


class _PairCounter:
    """Emits the pair keys of id streams (-1 at line ends) into a buffer, and merges
    each sorted, run-length counted buffer into a :class:`_PairTable`."""

    def __init__(self, window: int, V: int, harmonic: bool, scale: float,
                 buffer_pairs: int | None = None, table=None):
        self.window, self.V, self.harmonic, self.scale = window, V, harmonic, scale
        self.table = _PairTable() if table is None else table
        self.fixed = buffer_pairs is not None
        size = max(int(buffer_pairs), window) if self.fixed else MIN_BUFFER
        self.buf = np.empty(size, dtype=np.int64)
        self.vals = np.empty(size, dtype=np.float64)
        # Keys are below V^2 (times the window for 1/distance weights).
        self.key_bits = max(1, (V * V * (window if harmonic else 1) - 1).bit_length())

    def add(self, ids: np.ndarray) -> None:
        p = 0
        while p < len(ids):
            p, m = _emit_pairs(ids, p, self.window, self.V, self.harmonic, self.buf)
            if m:
                # The weights' buffer is free until the run-length pass: the sort's scratch.
                _sort_keys(self.buf, m, self.vals.view(np.int64), self.key_bits)
                u = _run_length(self.buf, m, self.window, self.harmonic, self.vals, self.scale)
                self.table.add(self.buf[:u], self.vals[:u])
            if not self.fixed:
                # A buffer of half the table keeps the number of merges logarithmic.
                want = min(max(MIN_BUFFER, len(self.table) // 2), MAX_BUFFER)
                if want > len(self.buf):
                    self.buf = np.empty(want, dtype=np.int64)
                    self.vals = np.empty(want, dtype=np.float64)

    def pop_parts(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """The table's (keys, weights) parts in key order; the buffer is released."""
        self.buf = self.vals = None
        return self.table.pop_parts()

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """The whole table as one sorted (keys, weights) pair of arrays."""
        parts = list(self.pop_parts())
        if len(parts) == 1:
            return parts[0]
        return (np.concatenate([np.zeros(0, np.int64)] + [k for k, _ in parts]),
                np.concatenate([np.zeros(0, np.float64)] + [v for _, v in parts]))


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


def count_cooccurrences(sentences: Iterable, window: int = defaults.WINDOW,
                        min_count: int = defaults.MIN_COUNT,
                        weighting: str = "count", max_vocab: int | None = None,
                        buffer_pairs: int | None = None,
                        subsample: float = defaults.PLAIN_SUBSAMPLE,
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
        Seed of the subsampling. The draw of the k-th token of the text is a hash of
        the seed and k, so :func:`count_cooccurrences_files` drops the same tokens
        whatever the partitioning (the draws differ from those of versions that used
        NumPy's generator).

    Returns
    -------
    Cooccurrence

    Raises
    ------
    InputError
        On invalid parameters, a sentence that is neither str nor list of str, or
        when no word reaches `min_count`.
    """
    p = _check_params(window, min_count, weighting, max_vocab, subsample, seed)
    index = _GrowingIds({None: -1})
    batches = list(_encode(sentences, index))
    n_raw = len(index) - 1
    counts = np.zeros(n_raw, dtype=np.int64)
    for b in batches:
        counts += np.bincount(b[b >= 0], minlength=n_raw)
    n_tokens = int(counts.sum())
    # Raw ids are in order of first occurrence: a stable sort keeps ties that way.
    keep = _choose_words(np.argsort(-counts, kind="stable"), counts, p, n_tokens)
    V = len(keep)
    # remap[raw + 1]: new id, -1 for a line end, -2 for a dropped word.
    remap = np.full(n_raw + 1, -2, dtype=np.int32)
    remap[0] = -1
    remap[keep + 1] = np.arange(V, dtype=np.int32)
    words_by_raw = list(index)[1:]
    words = [words_by_raw[i] for i in keep.tolist()]
    del index, words_by_raw

    keep_p = _keep_probabilities(counts[keep], n_tokens, p["subsample"])
    pairs = _PairCounter(p["window"], V, p["harmonic"], p["scale"], buffer_pairs)
    first = 0
    while batches:
        raw = batches.pop(0)
        pairs.add(_selected(remap[raw + 1], first, p["seed"], keep_p))
        first += int(np.count_nonzero(raw >= 0))
    return _result(words, counts[keep], pairs.pop_parts(), V, p, n_tokens)


def count_cooccurrences_files(sources: Iterable[str] | str, *, window: int = defaults.WINDOW,
                              min_count: int = defaults.MIN_COUNT, weighting: str = "count",
                              max_vocab: int | None = None,
                              subsample: float = defaults.PLAIN_SUBSAMPLE,
                              seed: int | None = None, tokenizer=None, errors: str = "strict",
                              workers: int = 1, engine: str = "local",
                              scheduler: str | None = None, client=None,
                              part_bytes: int | None = None,
                              spill_dir: str | None = None,
                              progress: Callable[[str, int, int], None] | None = None
                              ) -> Cooccurrence:
    """Count word co-occurrences in files one partition at a time, in worker processes
    or on a Dask cluster.

    The result equals ``count_cooccurrences(read_lines(sources), ...)`` (or of
    ``tokenizer.cut_lines(read_lines(sources))`` with a tokenizer) with the same
    parameters and seed, whatever the partitioning and the number of workers. Two
    passes over the partitions: the first counts each partition's words (the driver
    merges them into the vocabulary, in the same order), the second counts the pairs
    of each partition.

    With the local engine each worker merges its partitions' sorted pair tables in
    memory until they hold more than ``SPILL_PAIRS`` pairs, then writes them to the
    spill folder as one sorted run, cut at row bounds shared by all runs (chosen from
    the word counts so that the row ranges hold about as many pairs, at most
    ``SPILL_RANGES`` of them); a third step merges the runs' parts of neighbouring
    ranges (up to ``MERGE_PAIRS`` entries a task) on the workers, and the driver
    allocates the result once and fills it range by range. Memory is the largest of:
    a partition's text and pair table plus a run per worker, a merge task per worker,
    and the result plus one range in the driver. On Dask the
    partitions' tables are merged in memory instead, on the workers (each holds the
    distinct pairs of the partitions it counted) and then in the driver.

    Parameters
    ----------
    sources : str or iterable of str
        Files, directories or glob patterns (not standard input).
    window, min_count, weighting, max_vocab, subsample, seed
        As for :func:`count_cooccurrences`.
    tokenizer : Tokenizer, optional
        Segments each line (:meth:`~nlpzero.segmentation.Tokenizer.cut_lines`); by default
        the text is already words separated by whitespace.
    errors : {"strict", "replace"}
        Handling of bytes that are not UTF-8, as for :func:`~nlpzero.corpus.read_pieces`.
    workers : int
        Local worker processes (engine "local"), or workers of the local cluster started
        when engine is "dask" and no scheduler is given.
    engine : {"local", "dask"}
        Where partitions are counted.
    scheduler : str, optional
        Address of a running Dask scheduler; the workers must be able to read the
        input paths (and import nlpzero).
    client : distributed.Client, optional
        A Dask client of the caller's (engine "dask"), used instead of connecting to
        `scheduler` or starting a local cluster; it is left open.
    part_bytes : int, optional
        Partition size in bytes (default: see :func:`nlpzero.engine.plan_partitions`).
    spill_dir : str, optional
        Folder for the local engine's token ids between the passes (4 bytes per token),
        the sorted runs of pairs (16 bytes per distinct pair of each run, at most one
        run per partition) and the merged ranges (16 bytes per distinct pair); each is
        removed as soon as it is no longer needed, the folder at the end (default: the
        system's temporary folder). On Dask, the second pass reads and segments the text again instead.
    progress : callable, optional
        Called as ``progress(step, done, total)`` after each partition of each pass
        (steps "words" and "pairs").

    Returns
    -------
    Cooccurrence

    Raises
    ------
    InputError
        On invalid parameters, unreadable input (the message names the file and line),
        or when no word reaches `min_count`.
    WorkerError
        If a local worker process died (a Dask task is retried on another worker).

    Examples
    --------
    >>> cooc = count_cooccurrences_files("corpus.seg.txt", workers=2)  # doctest: +SKIP
    """
    p = _check_params(window, min_count, weighting, max_vocab, subsample, seed)
    check_errors(errors)
    check_workers(workers)
    if tokenizer is not None and not hasattr(tokenizer, "cut_lines"):
        raise InputError(f"tokenizer must have a cut_lines method, not {type(tokenizer).__name__}")
    parts = plan_partitions(sources, workers, part_bytes)
    if tokenizer is not None and hasattr(tokenizer, "compile"):
        tokenizer.compile()  # once here, not in every worker
    with partitioned_run(engine, workers, scheduler=scheduler, client=client,
                         spill_dir=spill_dir, load_kernels=_load_kernels) as (runner, spill):
        shared = dict(errors=errors, spill=spill, tokenizer=tokenizer)
        return _count_partitioned(parts, runner, shared, p,
                                  progress or (lambda step, done, total: None))


def _count_partitioned(parts, runner, shared: dict, p: dict, progress) -> Cooccurrence:
    tasks = list(enumerate(parts))
    if not tasks:  # empty files
        _choose_words(np.zeros(0, np.int64), np.zeros(0, np.int64), p, 0)

    def step(name, func, more, combine):
        return run_step(runner, tasks, progress, name, func, dict(shared, **more), combine)

    text, part_counts, first, part_index, part_tokens = step("words", _count_words, {},
                                                             _concatenate)
    # Each distinct word of each partition once, in order of first occurrence in the
    # corpus (partition, then rank in it): ids given in that order are the in-memory
    # counter's raw ids.
    local_words = bytes(text).decode("utf-8").split("\n")[:-1]
    del text
    order = np.argsort(first, kind="stable")
    index: dict[str, int] = {}
    raw = np.array([index.setdefault(local_words[i], len(index)) for i in order.tolist()],
                   dtype=np.int64)
    del local_words
    counts = np.zeros(len(index), dtype=np.int64)
    np.add.at(counts, raw, part_counts[order])
    del raw, order, part_counts, first
    n_tokens = int(counts.sum())
    keep = _choose_words(np.argsort(-counts, kind="stable"), counts, p, n_tokens)
    words_by_raw = list(index)
    del index
    words = [words_by_raw[i] for i in keep.tolist()]
    del words_by_raw
    V = len(words)
    tokens = np.zeros(len(tasks), dtype=np.int64)
    tokens[part_index] = part_tokens
    offsets = np.cumsum(tokens) - tokens  # number of the first token of each partition

    more = dict(vocab={None: -1, **{w: i for i, w in enumerate(words)}}, V=V, offsets=offsets,
                keep_p=_keep_probabilities(counts[keep], n_tokens, p["subsample"]),
                **{k: p[k] for k in ("window", "harmonic", "scale", "seed")})
    spill = shared["spill"]
    if spill.folder is None:
        # On a cluster: the tables are merged in memory, by the workers (each holds the
        # distinct pairs of its partitions) and then by the driver.
        keys, vals = step("pairs", _count_pairs, more, _combine_pairs)
        del more
        return _result(words, counts[keep], [(keys, vals)], V, p, n_tokens)

    # Local engine: the workers' tables go to the spill folder as sorted runs, cut at
    # the same row bounds; the row ranges are then merged one at a time on the
    # workers, and the driver fills the result range by range.
    more["bounds"] = _range_bounds(counts[keep], V, p["window"], SPILL_RANGES)
    runs, cuts = step("pairs", _count_pairs, more, _combine_runs)
    del more
    workers = runner.workers
    # Several tasks per worker, claimed as each is free, end together.
    target = min(MERGE_PAIRS, max(1, -(-int(cuts[:, -1].sum()) // (8 * workers))))
    merges = _merge_tasks((cuts[:, 1:] - cuts[:, :-1]).sum(axis=0), target)
    found = run_step(runner, merges, progress, "merge", _merge_range,
                      dict(shared, runs=runs, cuts=cuts), _concatenate)
    for r in runs.tolist():
        for what in ("keys", "vals"):
            os.remove(_run_path(spill.folder, r, what))
    sizes = np.zeros(len(merges), dtype=np.int64)
    if found is not None:
        sizes[found[0]] = found[1]
    return _filled_result(words, counts[keep], spill.folder, sizes, V, p, n_tokens)


# ---------------------------------------------------------------------------
# Work on one partition (module-level functions: they are sent to workers)


def _partition_sentences(part, shared: dict) -> Iterable:
    texts = partition_texts(part, shared["errors"])
    tokenizer = shared["tokenizer"]
    return texts if tokenizer is None else tokenizer.cut_lines(texts)


def _count_words(task, shared: dict):
    """The partition's distinct words (UTF-8, each followed by a newline) in order of
    first occurrence, their counts and ranks ``(partition << 32) + rank``, and the
    partition's number and token count. Its token ids are kept in the spill folder."""
    index, part = task
    found = _GrowingIds({None: -1})
    ids = np.concatenate([np.zeros(0, np.int32), *_encode(_partition_sentences(part, shared),
                                                          found)])
    words = list(found)[1:]
    del found
    counts = np.bincount(ids[ids >= 0], minlength=len(words)).astype(np.int64)
    text = np.frombuffer("".join(w + "\n" for w in words).encode("utf-8"), dtype=np.uint8)
    spill = shared["spill"]
    spill.save(index, "ids", ids)
    spill.save(index, "words", text)
    ranks = (np.int64(index) << np.int64(32)) + np.arange(len(words), dtype=np.int64)
    return (text, counts, ranks, np.array([index], dtype=np.int64),
            np.array([counts.sum()], dtype=np.int64))


def _concatenate(a, b):
    return tuple(np.concatenate([x, y]) for x, y in zip(a, b))


def _count_pairs(task, shared: dict):
    """Sorted keys and weights of the pairs of the partition's kept (and drawn) tokens."""
    index, part = task
    spill, vocab = shared["spill"], shared["vocab"]
    ids = spill.load(index, "ids")
    if ids is None:  # on a cluster: read and segment the text again
        batches = _encode(_partition_sentences(part, shared), vocab, grow=False)
    else:
        local = bytes(spill.load(index, "words")).decode("utf-8").split("\n")[:-1]
        # Id -1 (a line end) picks the last entry, -1.
        to_global = np.fromiter(itertools.chain(map(vocab.get, local, itertools.repeat(-2)),
                                                [-1]), dtype=np.int32, count=len(local) + 1)
        batches = [to_global[ids]]
        del ids, local, to_global
        spill.remove(index, "ids")  # read once: the disk space goes back at once
        spill.remove(index, "words")
    pairs = _PairCounter(shared["window"], shared["V"], shared["harmonic"], shared["scale"],
                         table=_GrowingTable())
    first = int(shared["offsets"][index])
    for ids in batches:
        pairs.add(_selected(ids, first, shared["seed"], shared["keep_p"]))
        first += int(np.count_nonzero(ids != -1))
    keys, vals = pairs.arrays()
    if spill.folder is None:
        return keys, vals
    return _Runs(index, keys, vals, spill.folder, shared["bounds"])


def _merge_range(task, shared: dict):
    """Merge every run's entries between two of the cuts into one sorted table, saved
    in the spill folder; return the task's number and its size."""
    t, lo, hi = task
    spill, runs, cuts = shared["spill"], shared["runs"], shared["cuts"]
    first, last = cuts[:, lo], cuts[:, hi]
    starts = np.concatenate([[0], np.cumsum(last - first)]).astype(np.int64)
    keys = np.empty(starts[-1], dtype=np.int64)
    vals = np.empty(starts[-1], dtype=np.float64)
    for i in np.flatnonzero(last > first).tolist():
        # Memory-mapped: only this range of the run is read.
        a, b = starts[i], starts[i + 1]
        for out, what in ((keys, "keys"), (vals, "vals")):
            run = np.load(_run_path(spill.folder, runs[i], what), mmap_mode="r",
                          allow_pickle=False)
            out[a:b] = run[first[i]:last[i]]
            del run
    out_keys = np.empty_like(keys)
    out_vals = np.empty_like(vals)
    m = _merge_runs(keys, vals, starts, out_keys, out_vals)
    del keys, vals
    save_array(_range_path(spill.folder, t, "keys"), out_keys[:m])
    save_array(_range_path(spill.folder, t, "vals"), out_vals[:m])
    return np.array([t], dtype=np.int64), np.array([m], dtype=np.int64)


def _load_kernels(spill_folder: str) -> None:
    """Load the kernels of both passes (from Numba's cache, or compile them), so that
    the worker processes forked for each step inherit them (in memory: no file in
    `spill_folder`)."""
    count_cooccurrences([["甲", "乙", "甲"], "乙 甲 乙"], window=2, min_count=1,
                        weighting="harmonic", subsample=0.5, seed=0)


# ---------------------------------------------------------------------------
# Helpers


def _check_params(window, min_count, weighting, max_vocab, subsample, seed) -> dict:
    """The validated parameters of a count, with the harmonic weights' scale and the
    subsampling seed as a uint64 (a random one when `seed` is None)."""
    window = check_int("window", window, 1)
    min_count = check_int("min_count", min_count, 1)
    check_choice("weighting", weighting, ("count", "harmonic"))
    if max_vocab is not None:
        max_vocab = check_int("max_vocab", max_vocab, 1)
    if subsample and not (isinstance(subsample, (int, float)) and 0 < subsample < 1):
        raise InputError(f"subsample must be a number in (0, 1), not {subsample!r}")
    if seed is None:
        seed = int(np.random.SeedSequence().generate_state(1, np.uint64)[0])
    elif isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise InputError(f"seed must be an integer, not {seed!r}")
    harmonic = weighting == "harmonic"
    # 1/distance weights as the integers lcm(1..window) / distance, whose sums are exact
    # (below 2^53) in any order; windows past 16 would need too large a multiple and
    # sum 1/distance itself (the last bits then depend on the order of the sums).
    scale = float(np.lcm.reduce(np.arange(1, window + 1))) if harmonic and window <= 16 else 1.0
    return dict(window=window, min_count=min_count, weighting=weighting, harmonic=harmonic,
                max_vocab=max_vocab, subsample=float(subsample or 0.0),
                seed=np.uint64(int(seed) % 2**64), scale=scale)


def _choose_words(order: np.ndarray, counts: np.ndarray, p: dict, n_tokens: int) -> np.ndarray:
    """The kept word ids, most frequent first: `order` (ids by decreasing count) cut at
    min_count and max_vocab."""
    keep = order[counts[order] >= p["min_count"]]
    if p["max_vocab"] is not None:
        keep = keep[:p["max_vocab"]]
    if not len(keep):
        raise InputError(f"no word occurs at least min_count={p['min_count']} times "
                         f"(read {n_tokens} tokens)")
    V = len(keep)
    if V * V * (p["window"] if p["harmonic"] else 1) >= 2 ** 62:
        raise InputError(f"vocabulary of {V} words too large for int64 pair keys")
    return keep


def _keep_probabilities(counts: np.ndarray, n_tokens: int, subsample: float) -> np.ndarray:
    """Probability of keeping an occurrence of each word (empty: no subsampling)."""
    if not subsample:
        return np.zeros(0, dtype=np.float64)
    return np.minimum(1.0, np.sqrt(subsample / (counts / n_tokens)))


def _selected(ids: np.ndarray, first: int, seed, keep_p: np.ndarray) -> np.ndarray:
    """The line ends and kept, drawn tokens of `ids` (see :func:`_select`)."""
    out = np.empty(len(ids), dtype=np.int32)
    # The hash wraps around 2^64 on purpose (NumPy warns about it when the kernel runs
    # as plain Python).
    with np.errstate(over="ignore"):
        m = _select(ids, first, seed, keep_p, out)
    return out[:m]


def _range_bounds(counts: np.ndarray, V: int, window: int, n_ranges: int) -> np.ndarray:
    """Keys ``r * V`` at which the partitions' pair tables are cut into at most
    `n_ranges` row ranges of about equal upper bounds of distinct pairs: row r (the
    pairs (r, j), j >= r, of the word with id r and count ``counts[r]``) has at most
    ``min(V - r, 2 * window * counts[r])`` of them, as each occurrence of a word has at
    most 2 * window neighbours."""
    est = np.minimum(V - np.arange(V, dtype=np.int64), 2 * window * counts.astype(np.int64))
    cum = np.cumsum(est)
    targets = cum[-1] * (np.arange(1, n_ranges) / n_ranges)
    # A range ends after the first row whose cumulative bound reaches its target.
    rows = np.unique(np.searchsorted(cum, targets, side="left") + 1)
    return rows[rows < V].astype(np.int64) * np.int64(V)


def _merge_tasks(sizes: np.ndarray, target: int) -> list[tuple[int, int, int]]:
    """Merge tasks ``(number, lo, hi)``: runs of neighbouring ranges lo..hi-1 whose
    summed `sizes` stay within `target` (a larger range is a task alone); ranges with
    nothing in them at the end get no task."""
    tasks: list[tuple[int, int, int]] = []
    lo = total = 0
    for r, n in enumerate(sizes.tolist()):
        if total and total + n > target:
            tasks.append((len(tasks), lo, r))
            lo, total = r, 0
        total += n
    if total:
        tasks.append((len(tasks), lo, len(sizes)))
    return tasks


def _range_path(folder: str, t: int, what: str) -> str:
    return os.path.join(folder, f"range{t}.{what}.npy")


def _run_path(folder: str, r: int, what: str) -> str:
    return os.path.join(folder, f"run{r}.{what}.npy")


def _filled_result(words, counts, folder: str, sizes: np.ndarray, V: int, p: dict,
                   n_tokens: int) -> Cooccurrence:
    """The result from the merged ranges in the spill folder: the arrays are allocated
    once and filled one range at a time (each range's files are removed once read)."""
    ends = np.cumsum(sizes)
    total = int(ends[-1]) if len(ends) else 0
    rows = np.empty(total, dtype=np.int32)
    cols = np.empty(total, dtype=np.int32)
    values = np.empty(total, dtype=np.float64)
    for t, (a, b) in enumerate(zip((ends - sizes).tolist(), ends.tolist())):
        keys = np.load(_range_path(folder, t, "keys"), allow_pickle=False)
        r, c, v = rows[a:b], cols[a:b], values[a:b]
        r[:] = keys // V
        c[:] = keys % V
        del keys
        v[:] = np.load(_range_path(folder, t, "vals"), allow_pickle=False)
        for what in ("keys", "vals"):
            os.remove(_range_path(folder, t, what))
        # As _result does, on each range.
        if p["scale"] != 1.0:
            v /= p["scale"]
        v[r == c] *= 2
    return Cooccurrence(words=words, counts=counts, rows=rows, cols=cols, values=values,
                        window=p["window"], weighting=p["weighting"], n_tokens=n_tokens)


def _result(words, counts, parts, V: int, p: dict, n_tokens: int) -> Cooccurrence:
    rows, cols, values = [], [], []
    for keys, v in parts:
        rows.append((keys // V).astype(np.int32))
        cols.append((keys % V).astype(np.int32))
        values.append(v)
        del keys
    if len(values) == 1:
        [rows], [cols], [values] = rows, cols, values
        if values.base is not None:  # a view of a larger buffer, which can go
            values = values.copy()
    else:
        rows = np.concatenate(rows) if rows else np.zeros(0, np.int32)
        cols = np.concatenate(cols) if cols else np.zeros(0, np.int32)
        values = np.concatenate(values) if values else np.zeros(0, np.float64)
    if p["scale"] != 1.0:
        values /= p["scale"]
    # A pair of positions with the same word is one occurrence in each order.
    values[rows == cols] *= 2
    return Cooccurrence(words=words, counts=counts, rows=rows, cols=cols, values=values,
                        window=p["window"], weighting=p["weighting"], n_tokens=n_tokens)


def _encode(sentences: Iterable, ids: dict, grow: bool = True) -> Iterator[np.ndarray]:
    """Yield int32 arrays of word ids, -1 after each line (whole lines per array).

    `ids` maps words to ids and None (the line-end mark, which no word equals) to -1.
    With `grow`, `ids` is a :class:`_GrowingIds` and a new word gets the next id
    (``len(ids) - 1``); otherwise a new word is -2.
    """
    if isinstance(sentences, str):
        raise InputError("sentences must be an iterable of lines, not one str")
    words: list = []
    for k, s in enumerate(sentences):
        if isinstance(s, str):
            words += s.split()
        elif not isinstance(s, (list, tuple)):
            raise InputError(f"sentence {k} is a {type(s).__name__}, not a str or list of str")
        elif not all(type(w) is str for w in s):
            raise InputError(f"sentence {k} holds a word that is not a str")
        else:
            words += s
        words.append(None)
        if len(words) >= BATCH_TOKENS:
            yield _word_ids(words, ids, grow)
            words = []
    if words:
        yield _word_ids(words, ids, grow)


class _GrowingIds(dict):
    """Word ids: a word not yet seen gets the next id (``len - 1``, as None holds -1)
    when first looked up, so that a batch is mapped in one pass in C, with Python
    code only for its new words."""

    def __missing__(self, word):
        self[word] = i = len(self) - 1
        return i


def _word_ids(words: list, ids: dict, grow: bool) -> np.ndarray:
    if grow:
        found = map(ids.__getitem__, words)
    else:
        found = map(ids.get, words, itertools.repeat(-2))
    return np.fromiter(found, dtype=np.int32, count=len(words))
