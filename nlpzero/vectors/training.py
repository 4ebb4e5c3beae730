"""Word vectors whose inner product fits the PMI of co-occurring words ("simpler GloVe").

The model minimises, over the non-zero co-occurrence counts ``X_ij``,

    sum_ij f(X_ij) (<u_i, w_j> - log(X_ij N^2 / (X_total n_i n_j)))^2

with ``n_i`` the word counts, ``N`` their total and ``X_total`` the total of ``X``; no
bias terms. ``f(x) = (x / x_max)^alpha``, capped at 1 when truncated. Optimisation is
AdaGrad with a learning rate per parameter, over the entries in a random order
(shuffled once, as the reference implementation does). Variants:

* 0: one vector per word, shared by word and context (``u = w``);
* 1: separate word and context vectors, output concatenated (twice the dimension);
* 2: separate word and context vectors, output summed.

Optionally (``unobserved`` > 0; on in :func:`learn_vectors` and the command line) a soft
hinge ``w log(1 + exp(<u_i, w_j> - pmi1_ij))`` on the pairs never seen together keeps
their PMI below ``pmi1_ij``, the PMI of a count of 1 (Swivel, Shazeer et al. 2016);
sampled pairs stand for all of them.

Several threads update the vectors at once, each on its own blocks of words (the
entries grouped by pairs of word blocks, rounds of tasks that touch disjoint vectors),
without locks and without sharing a vector; with a fixed seed the result is
deterministic for a given number of threads.

:class:`~nlpzero.vectors.keyed.WordVectors` holds the result (see :mod:`.keyed`).
"""

from __future__ import annotations

import logging
import math
import sys
from typing import Iterable

import numpy as np
from numba import types
from numba.core import cgutils, config
from numba.extending import intrinsic

from .._jit import njit, njit_inner
from .._kernels.arrays import new_array
from .. import defaults
from .._validation import check_int
from .cooccur import Cooccurrence, count_cooccurrences
from ..errors import InputError, NlpzeroError
from .keyed import WordVectors

logger = logging.getLogger(__name__)


class TrainingDiverged(NlpzeroError, ArithmeticError):
    """The loss became infinite or NaN: the learning rate is too high for the data."""

# ---------------------------------------------------------------------------
# Kernels


# Reassociation (and fused multiply-adds) only, not blanket fastmath: the sum may then
# be taken in SIMD lanes, about ten times faster than in the written order, and the
# inputs are finite vector coordinates, so no other fast-math assumption is needed.
# Rows are read by index (W[i, k]), not through views (W[i]): a view is a reference
# counted with atomic instructions that the compiler does not always remove.
@njit_inner(fastmath={"reassoc", "contract"})
def _dot3(W, i, C, j):
    """(W[i].C[j], W[i].W[i], C[j].C[j]) in one pass over the two rows."""
    p = q = r = np.float32(0.0)
    for k in range(W.shape[1]):
        x = W[i, k]
        y = C[j, k]
        p += x * y
        q += x * x
        r += y * y
    return p, q, r


#: Entries ahead of the current one whose rows are prefetched.
PREFETCH_AHEAD = 8
#: Entries between an entry and its sampled unobserved pairs: a pair shares a word with
#: its entry, and right after the entry's step its first read would wait for that
#: step's writes; a few entries later the two chains of work overlap with others.
HINGE_DELAY = 4


if config.DISABLE_JIT:
    def _prefetch(arr, i, k):
        """Prefetching is a hint to compiled code; plain Python has nothing to do."""
else:
    @intrinsic
    def _prefetch(typingctx, arr, i, k):
        """Ask the CPU to fetch the cache line holding ``arr[i, k]`` (llvm.prefetch,
        for writing, into all cache levels). The rows of a step are random: fetching
        those of a step a few entries ahead hides most of the memory latency."""
        if not isinstance(arr, types.Array) or arr.ndim != 2:
            return None
        from llvmlite import ir

        def codegen(context, builder, signature, args):
            aryty = signature.args[0]
            ary = context.make_array(aryty)(context, builder, args[0])
            idx = [context.cast(builder, v, t, types.intp)
                   for v, t in zip(args[1:], signature.args[1:])]
            ptr = cgutils.get_item_pointer(context, builder, aryty, ary, idx)
            i8p = ir.IntType(8).as_pointer()
            i32 = ir.IntType(32)
            fnty = ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32])
            fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.prefetch.p0i8")
            builder.call(fn, [builder.bitcast(ptr, i8p), ir.Constant(i32, 1),
                              ir.Constant(i32, 3), ir.Constant(i32, 1)])
            return context.get_dummy_value()

        return types.void(arr, i, k), codegen


@njit_inner
def _prefetch_row(W, i):
    """Ask for the cache lines of W[i] (16 float32 per 64-byte line)."""
    for k in range(0, W.shape[1], 16):
        _prefetch(W, i, k)


@njit_inner
def _entry_weight(f, draw, sample):
    """Weight of an entry of weight `f` in this pass: f, or with `sample` 1 with
    probability f and 0 otherwise when f < 1 (the same expected step), by its `draw`."""
    if sample and f < 1.0:
        return np.float32(1.0) if draw < f else np.float32(0.0)
    return f


_M64 = (1 << 64) - 1

if config.DISABLE_JIT:
    # Plain Python: the same arithmetic on Python ints, wrapped explicitly (numpy's
    # scalar uint64 would warn at every overflow).
    def _mix64(x):
        """splitmix64's finaliser (see the compiled version)."""
        x = int(x)
        x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
        x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
        return np.uint64(x ^ (x >> 31))

    def _draw(seed, e, r):
        """See the compiled version."""
        return _mix64((int(seed) * 0x9E3779B97F4A7C15 + int(e) * 64 + int(r)) & _M64)
else:
    @njit_inner
    def _mix64(x):
        """splitmix64's finaliser: a bijection of uint64 whose outputs look uniform."""
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))

    @njit_inner
    def _draw(seed, e, r):
        """A uniform uint64 for slot `r` of entry `e` in the pass seeded by `seed`: a
        hash of the three, so the draws need no state and no memory, and do not depend
        on how the entries are split between threads."""
        return _mix64(np.uint64(seed) * np.uint64(0x9E3779B97F4A7C15)
                      + np.uint64(e) * np.uint64(64) + np.uint64(r))


@njit_inner
def _n_unobserved(seed, rate, e):
    """Unobserved pairs sampled after entry `e`: floor(rate), plus one with the
    probability of rate's fractional part (a uniform from slot 63)."""
    k = int(rate)
    u = (_draw(seed, e, np.int64(63)) >> np.uint64(11)) * (1.0 / 9007199254740992.0)  # [0, 1)
    if u < rate - k:
        k += 1
    return k


@njit_inner
def _below(seed, e, r, m):
    """A uniform integer in [0, m) from the draw of slot `r` of entry `e`: its high 32
    bits scaled by a multiplication (a 64-bit division, as ``%`` would take, costs
    several times more)."""
    return np.int64(((_draw(seed, e, r) >> np.uint64(32)) * np.uint64(m)) >> np.uint64(32))


#: Words that the sampled unobserved words of an entry are drawn from: a window of
#: consecutive training numbers that slides once through a task's words over its entries
#: (:func:`_window_start`). Its rows (32 KB at 128 dimensions) stay in the cache: drawn
#: from all of a task's words, a sampled row came from far and cost more than an entry.
UNOBSERVED_WINDOW = 64


@njit_inner
def _window_start(e, start, stop, n_words):
    """Where the window of entry `e` of the entries [start, stop) starts among the
    `n_words` words: slid evenly from 0 to the end over the entries, so that over the
    task every word is in the window for as many entries (up to one), and the sampled
    words are uniform; the entries being in random order, an entry's own words are
    independent of where the window stands."""
    lo = np.int64((e - start) * (n_words / (stop - start)))
    return lo if lo < n_words - 1 else n_words - 1


@njit_inner
def _unobserved_word(seed, e, r, lo, a0, na, b0, nb):
    """The word of the `r`-th sampled unobserved pair of entry `e`: uniform over the
    :data:`UNOBSERVED_WINDOW` words (all, if fewer) from the `lo`-th on, wrapping
    around, of the `na` words from `a0` on followed by the `nb` words from `b0` on (all
    V words: a0 = 0, na = V, nb = 0)."""
    n_words = na + nb
    m = lo + _below(seed, e, r, UNOBSERVED_WINDOW if UNOBSERVED_WINDOW < n_words else n_words)
    if m >= n_words:
        m -= n_words
    word = a0 + m if m < na else b0 + m - na
    return word


@njit_inner
def _unobserved_side(i, j, log_pi, log_pj, e, shared):
    """The word of entry `e`, (i, j), that its sampled unobserved pairs start from, or
    -1 for none: the rarer of the two (lower log p, `log_pi` against `log_pj`; a tie
    by the parity of `e`, the entries being in random order). Scalars, not the array:
    an array passed to a function with several exits is reference counted at every
    call (atomic operations on a count the threads share). With separate vectors the
    sampled word is a context, so the pairs start from the word side i, and only when
    i is the rarer (the entry (j, i) is there too).

    Why the rarer: a word's unobserved pairs are what its co-occurrences leave out, many
    for a rare word, few for a frequent one, whose vector the observed pairs already
    pin down. Starting from either word by turns gave a frequent word as many hinge
    steps as it has entries: function words grew long vectors (的: squared norm 11
    instead of 2), breaking `importance` and `keywords`."""
    if log_pi < log_pj or (log_pi == log_pj and not e & 1):
        return i
    return j if shared else -1


@njit_inner
def _hinge_fd(dot, pmi1, wneg):
    """Half the derivative (as `fd` is for the squared error) of the soft hinge
    ``wneg * log(1 + exp(dot - pmi1))`` of an unobserved pair (a, b), where
    ``pmi1 = log_norm - log_p[a] - log_p[b]`` is the PMI the pair would have with
    a count of 1 (Swivel): its inner product is pushed below that bound."""
    z = dot - pmi1
    if z < -30.0:
        return np.float32(0.0)
    return np.float32(0.5 * wneg / (1.0 + math.exp(-z)))


# The step kernels below are straight-line on purpose: Numba's reference-count pruning
# fails in a function that takes arrays and has several exits or branches around its
# loops, and the atomic increments and decrements it then leaves (eight per call) cost
# more than the step itself (measured: 70-90 ns against 30 ns per entry), and bounce a
# cache line between threads. The block kernel chooses the step kernel, and does the
# most frequent step itself (one sum per vector, distinct words): inlined by Numba, a step
# kernel gets such counts again; called, it is passed some 30 words of array descriptors.
# error_model="numpy": a float division then needs no zero check (which would raise
# ZeroDivisionError), so the loops vectorise; the divisors are square roots of AdaGrad
# sums that start at 1 and never reach 0.


@njit_inner(error_model="numpy")
def _pair_step_param(W, C, GW, GC, i, j, fd, lr):
    """AdaGrad step on W[i] and C[j] with one sum per parameter."""
    for k in range(W.shape[1]):
        g1 = fd * C[j, k]
        g2 = fd * W[i, k]
        W[i, k] -= lr * g1 / np.sqrt(GW[i, k])
        C[j, k] -= lr * g2 / np.sqrt(GC[j, k])
        GW[i, k] += g1 * g1
        GC[j, k] += g2 * g2


@njit_inner(error_model="numpy")
def _self_step(W, GW, i, fd, nw, lr):
    """AdaGrad step on a shared vector paired with itself, one sum per vector:
    d/dv of (v.v - y)^2 / 2 is 2 (v.v - y) v."""
    d = W.shape[1]
    two = np.float32(2.0)
    a = lr * two * fd / np.sqrt(GW[i, 0])
    for k in range(d):
        W[i, k] -= a * W[i, k]
    GW[i, 0] += two * two * fd * fd * nw * np.float32(1.0 / d)


@njit_inner(error_model="numpy")
def _self_step_param(W, GW, i, fd, lr):
    """:func:`_self_step` with one sum per parameter."""
    two = np.float32(2.0)
    for k in range(W.shape[1]):
        g = two * fd * W[i, k]
        W[i, k] -= lr * g / np.sqrt(GW[i, k])
        GW[i, k] += g * g


def _make_train_block(per_word):
    """The block kernel for one kind of AdaGrad sums, `per_word` (one per vector, GW of
    shape (V, 1)) or one per parameter: `per_word` is a constant of the kernel, so
    Numba drops the branches of the other kind and compiles only the step kernels a
    run uses (those of sums per parameter took about 0.3 s of a first run that never
    called them)."""

    @njit(cache=True, nogil=True, error_model="numpy")
    def _train_block(rows, cols, target, weight, W, C, GW, GC, lr, shared, draws, neg_seed,
                     neg_rate, log_p, log_norm, wneg, start, stop, a0, na, b0, nb):
        """AdaGrad steps on the entries [start, stop); returns the sum of f * error^2
        (estimated from the visited entries when sampling).

        With `shared` (variant 0), `C` and `GC` are the very arrays `W` and `GW`. When
        `draws` (uniform in [0, 1), one per entry) is not empty, an entry of weight f < 1
        is visited only when its draw is below f, and then with weight 1. When `neg_rate`
        > 0, each entry is followed, :data:`HINGE_DELAY` entries later (or after the
        last), by soft hinge steps (see :func:`_hinge_fd`) on
        sampled pairs (a, b), `a` from :func:`_unobserved_side`, `neg_rate` words `b` on
        average (:func:`_n_unobserved`; :func:`_unobserved_word`, from the window of the
        words given by `a0, na, b0, nb` that slides over the entries [start, stop), so
        uniform over the pass; drawn from `neg_seed`); `log_p`, `log_norm` and `wneg`
        give their bound and weight.
        The returned loss is that of the observed entries.
        """
        loss = 0.0
        inv_d = np.float32(1.0 / W.shape[1])
        sample = len(draws) > 0
        f = np.float32(0.0)
        for e in range(start, stop + HINGE_DELAY):
            ahead = e + PREFETCH_AHEAD
            if ahead < stop:
                # The rows of a step are random: fetching those of a step a few entries
                # ahead hides most of the memory latency.
                _prefetch_row(W, rows[ahead])
                _prefetch_row(C, cols[ahead])
            h = e - HINGE_DELAY  # the entry whose unobserved pairs follow this entry
            n_hinge = 0
            a = -1
            lo = 0
            if neg_rate > 0 and h >= start:
                a = _unobserved_side(rows[h], cols[h], log_p[rows[h]], log_p[cols[h]], h, shared)
                if a >= 0:
                    n_hinge = _n_unobserved(neg_seed, neg_rate, h)
                    lo = _window_start(h, start, stop, na + nb)
            # Step 0 is the entry, steps 1.. the sampled unobserved pairs of entry h: one
            # call site per step kernel (see the note above _pair_step_param).
            for s in range(n_hinge + 1):
                if s == 0:
                    if e >= stop:
                        continue
                    f = _entry_weight(weight[e], draws[e] if sample else np.float32(0.0), sample)
                    if f == 0.0:
                        continue
                    i = rows[e]
                    j = cols[e]
                else:
                    i = a
                    j = _unobserved_word(neg_seed, h, s - 1, lo, a0, na, b0, nb)
                dot, nw, nc = _dot3(W, i, C, j)
                if s == 0:
                    diff = dot - target[e]
                    fd = f * diff
                    loss += fd * diff
                else:
                    fd = _hinge_fd(dot, log_norm - log_p[i] - log_p[j], wneg)
                    if fd == 0.0:
                        continue
                if shared and i == j:
                    if per_word:
                        _self_step(W, GW, i, fd, nw, lr)
                    else:
                        _self_step_param(W, GW, i, fd, lr)
                elif per_word:
                    # AdaGrad step with one sum per vector: GW[i, 0] holds the mean over the
                    # vector's coordinates of their squared gradients, from the squared norms
                    # nw of W[i] and nc of C[j] (half the memory a step reads of a sum per
                    # parameter, and no square root per coordinate).
                    a1 = lr * fd / np.sqrt(GW[i, 0])
                    a2 = lr * fd / np.sqrt(GC[j, 0])
                    for k in range(W.shape[1]):
                        x = W[i, k]
                        y = C[j, k]
                        W[i, k] = x - a1 * y
                        C[j, k] = y - a2 * x
                    GW[i, 0] += fd * fd * nc * inv_d
                    GC[j, 0] += fd * fd * nw * inv_d
                else:
                    _pair_step_param(W, C, GW, GC, i, j, fd, lr)
        return loss

    return _train_block


#: The block kernel of each kind of AdaGrad sums: True for one sum per vector.
_TRAIN_BLOCKS = {per_word: _make_train_block(per_word) for per_word in (True, False)}


def _train_block(rows, cols, target, weight, W, C, GW, GC, *args):
    """AdaGrad steps on the entries [start, stop) (see :func:`_make_train_block`), by
    the kernel of GW's kind of sums: one per vector when GW has one column."""
    return _TRAIN_BLOCKS[GW.shape[1] == 1](rows, cols, target, weight, W, C, GW, GC, *args)


def _train_rounds(rows, cols, target, weight, W, C, GW, GC, lr, shared, draws, neg_seed,
                  neg_rate, log_p, log_norm, wneg, tasks, rounds, round_order, pool=None):
    """One pass over all entries: the rounds in `round_order`, the tasks of a round in
    the threads of `pool` (an executor; None runs them one after the other), as
    :func:`_train_block` releases the GIL. Task k covers the entries ``tasks[k, 0]:tasks[k, 1]`` and samples its
    unobserved words from ``tasks[k, 2:6]`` (a0, na, b0, nb, see
    :func:`_unobserved_word`); `rounds[r]` lists round r's tasks. The tasks
    of a round touch disjoint sets of vectors (see :func:`_block_tasks`), so threads
    never write the same row: no lost updates, and no cache line of a frequent word's
    vector bouncing between cores, which made lock-free (Hogwild) threads slower than
    one (measured: 4.4 times slower on Zipf-distributed rows). Threads in Python, not
    numba's parallel=True, whose compiling cost seconds on a first run."""
    args = (rows, cols, target, weight, W, C, GW, GC, lr, shared, draws, neg_seed, neg_rate,
            log_p, log_norm, wneg)
    loss = 0.0
    for r in round_order.tolist():
        bounds = [tasks[k, :6].tolist() for k in rounds[r].tolist()]
        if pool is None:
            losses = [_train_block(*args, *b) for b in bounds]
        else:
            futures = [pool.submit(_train_block, *args, *b) for b in bounds]
            losses = [future.result() for future in futures]
        round_loss = 0.0
        for value in losses:
            round_loss += value
        loss += round_loss
    return loss


#: Tasks of a round for each thread: more, smaller tasks mix the entries of more block
#: pairs within a pass.
TASKS_PER_THREAD = 2


def _n_blocks(threads: int, shared: bool) -> int:
    """P, the blocks the words are dealt into (see :func:`_block_tasks`)."""
    width = TASKS_PER_THREAD * threads  # tasks of a round
    return 2 * width if shared else width


def _block_sizes(V: int, P: int) -> tuple[np.ndarray, np.ndarray]:
    """The number of words of each of the P blocks (word w in block ``w % P``), and the
    training number of the first word of each."""
    size = np.array([(V - k + P - 1) // P for k in range(P)], dtype=np.int64)
    return size, np.concatenate([[0], np.cumsum(size)])


def _block_positions(V: int, P: int) -> np.ndarray:
    """The training number of each word (int64): its block's first number plus
    ``w // P``, so that a block's vectors are contiguous."""
    _, first = _block_sizes(V, P)
    words = np.arange(V, dtype=np.int64)
    return first[words % P] + words // P


def _block_tasks(bounds: np.ndarray, V: int, threads: int, shared: bool):
    """The tasks of the entries grouped by task (`bounds`, from
    :func:`_grouped_entries`), and the rounds of tasks that write disjoint vectors.

    Words are dealt into P blocks by id (word w in block ``w % P``; ids go by
    decreasing count, so every block gets its share of frequent words). A round has
    ``K = TASKS_PER_THREAD * threads`` tasks. With shared vectors P = 2K and a task
    is an unordered pair of blocks: the P - 1 rounds of a round-robin tournament
    (circle method) pair every two blocks once, K disjoint pairs a round, and two
    rounds take the P blocks with themselves. With separate word and context vectors
    P = K and task (r, c) holds the entries with word block r and context block c;
    round s has the tasks (t, (t + s) % P).
    For training the words are renumbered block by block (:func:`_block_positions`),
    so that a block's vectors and AdaGrad sums are contiguous: two threads then share
    no cache line either (sums of neighbouring ids, 16 to a line, would).

    Returns
    -------
    tasks : int64 array of shape (n_tasks, 6)
        start, stop of the task's entries (``bounds[k]``, ``bounds[k + 1]``), and a0,
        na, b0, nb: the training numbers its unobserved pairs are sampled from (its
        blocks).
    rounds : int64 array of shape (n_rounds, K)
        Task numbers of each round.
    """
    width = TASKS_PER_THREAD * threads  # tasks of a round
    P = _n_blocks(threads, shared)
    size, first = _block_sizes(V, P)
    tasks = np.zeros((P * P, 6), dtype=np.int64)
    for a in range(P):
        for b in range(P):
            k = a * P + b
            if shared:  # sampled from both blocks (once if the same)
                spans = (first[a], size[a], first[b], size[b] if b != a else 0)
            else:  # contexts: sampled from the context block
                spans = (first[b], size[b], 0, 0)
            tasks[k] = (bounds[k], bounds[k + 1], *spans)
    if shared:
        rounds = []
        for r in range(P - 1):
            pairs = [(P - 1, r)] + [((r + k) % (P - 1), (r - k) % (P - 1))
                                    for k in range(1, width)]
            rounds.append([min(a, b) * P + max(a, b) for a, b in pairs])
        rounds.append([k * P + k for k in range(width)])
        rounds.append([k * P + k for k in range(width, P)])
    else:
        rounds = [[t * P + (t + s) % P for t in range(P)] for s in range(P)]
    return tasks, np.array(rounds, dtype=np.int64)


@njit_inner
def _target_and_weight(x, log_pi, log_pj, log_norm, x_max, alpha, truncate):
    """The PMI target of an entry of value `x` and its weight f(x)."""
    target = math.log(x) + log_norm - log_pi - log_pj
    f = (x / x_max) ** alpha
    if truncate and f > 1.0:
        f = 1.0
    return target, f


@njit(cache=True)
def _grouped_entries(rows, cols, values, P, shared, position, log_p, log_norm, x_max, alpha,
                     truncate, out_rows, out_cols, target, weight, bounds, shuffle, seed):
    """The PMI target and the weight f(X) of every entry, with its words renumbered to
    their training numbers (`position`), written grouped by task: the task of entry
    (i, j) is ``a * P + b`` for the blocks ``a = i % P``, ``b = j % P`` of its words
    (ordered a <= b when `shared`), and the entries of task k are written from
    ``bounds[k]`` on, in storage order; `bounds` (P * P + 1 values) receives the
    bounds of the tasks. Two passes that read in order (a shuffled order's random
    reads cost more than the rest of the setup), in one kernel for both (a first run
    compiles one). With P = 1 (one task) the output arrays may be `rows` and `cols`
    themselves (entry e is written at e). With `shuffle`, the entries of each task are
    then shuffled within its span (:func:`_shuffle_tasks`, from `seed`)."""
    n = len(rows)
    task_of = new_array(n, np.int32)
    for k in range(len(bounds)):
        bounds[k] = 0
    for e in range(n):
        a = rows[e] % P
        b = cols[e] % P
        if shared and a > b:
            a, b = b, a
        task_of[e] = a * P + b
        bounds[a * P + b + 1] += 1
    for k in range(1, len(bounds)):  # running sums: a loop compiles faster than np.cumsum
        bounds[k] += bounds[k - 1]
    fill = bounds.copy()
    for e in range(n):
        t = fill[task_of[e]]
        fill[task_of[e]] += 1
        i = rows[e]
        j = cols[e]
        target[t], weight[t] = _target_and_weight(values[e], log_p[i], log_p[j], log_norm,
                                                  x_max, alpha, truncate)
        out_rows[t] = position[i]
        out_cols[t] = position[j]
    if shuffle:
        _shuffle_tasks(out_rows, out_cols, target, weight, bounds, 0, len(bounds) - 1, seed)


@njit_inner
def _shuffle_tasks(rows, cols, target, weight, bounds, first, last, seed):
    """Shuffle the entries of tasks `first` to `last` - 1, each task within its span
    ``bounds[k]:bounds[k + 1]`` (Fisher-Yates, the four arrays alike). The partner of
    position t is drawn from a hash of the seed and t, so the order does not depend on
    which call shuffles which task; a task's span fits in the cache, so its random
    swaps are cheap."""
    for k in range(first, last):
        start = bounds[k]
        for t in range(bounds[k + 1] - 1, start, -1):
            u = start + _below(seed, t, np.int64(0), t - start + 1)
            rows[t], rows[u] = rows[u], rows[t]
            cols[t], cols[u] = cols[u], cols[t]
            target[t], target[u] = target[u], target[t]
            weight[t], weight[u] = weight[u], weight[t]


# ---------------------------------------------------------------------------
# Training


def train_vectors(cooc: Cooccurrence, dim: int = defaults.DIM,
                  iterations: int = defaults.ITERATIONS, variant: int = 0,
                  x_max: float = defaults.X_MAX, alpha: float = defaults.ALPHA,
                  truncate: bool = True, learning_rate: float = defaults.LEARNING_RATE,
                  threads: int = defaults.THREADS, seed: int | None = None,
                  init_scale: float = 1.0, adagrad: str = "word", sample: bool = False,
                  smoothing: float = defaults.PLAIN_SMOOTHING,
                  unobserved: float = defaults.PLAIN_UNOBSERVED,
                  negatives: float = defaults.NEGATIVES,
                  progress: bool = False) -> "WordVectors":
    """Fit PMI vectors to a co-occurrence matrix.

    Parameters
    ----------
    cooc : Cooccurrence
        From :func:`nlpzero.vectors.count_cooccurrences`.
    dim : int, default 128
        Dimension of each vector (variant 1 outputs ``2 * dim``).
    iterations : int, default 15
        Passes over the non-zero entries.
    variant : {0, 1, 2}
        0 shared word/context vectors; 1 separate, concatenated; 2 separate, summed.
    x_max, alpha : float
        Weighting ``f(x) = (x / x_max) ** alpha``.
    truncate : bool, default True
        Cap the weight at 1.
    learning_rate : float, default 0.1
        Initial AdaGrad rate.
    threads : int, default 2
        Threads updating the vectors at once, each on its own blocks of words (see
        :func:`_block_tasks`): with a seed the result is deterministic for a given
        number of threads (1 thread visits the entries in one shuffled order; more
        threads visit them grouped by pairs of word blocks, a different order).
    seed : int, optional
        Seed of the initial vectors and the order of the entries.
    init_scale : float, default 1.0
        Initial coordinates are uniform in ``init_scale * [-0.5, 0.5) / sqrt(dim)``.
    adagrad : {"parameter", "word"}
        One AdaGrad sum per parameter, or one per vector (the mean of its
        coordinates' squared gradients): faster, as each step reads half the memory.
    smoothing : float, default 1.0
        Power of the word counts in the probabilities of the PMI: 1 is the plain PMI;
        0.75 smooths it as word2vec's negative sampling does, lowering the PMI of
        rare words.
    unobserved : float, default 0 (off)
        Weight of each unobserved pair (i, j) (X_ij = 0) in a soft hinge loss
        ``log(1 + exp(<v_i, v_j> - pmi1_ij))``, where ``pmi1_ij`` is the PMI the pair
        would have with a count of 1 (Swivel, Shazeer et al. 2016): a pair never seen
        together should not get a higher PMI than one seen once, the negative
        information that word2vec's negative sampling has and the least-squares loss
        over the non-zero entries lacks. The unobserved pairs are sampled uniformly
        over a pass (from a window of words that slides over the entries, see
        :func:`_window_start`), `negatives` for each entry of each pass, each
        standing for its share of all unobserved pairs (a sampled pair is in fact
        observed with probability about ``len(cooc) / V^2``, small, and not checked).
    negatives : float, default 0.5
        Sampled unobserved pairs per entry and pass (when `unobserved` > 0), on
        average: ``floor(negatives)``, and one more with the probability of its
        fractional part; at most 32. Each costs about one and a half steps.
    sample : bool, default False
        Visit an entry of weight f < 1 with probability f, with weight 1 (the same
        expected step): an iteration costs the sum of the weights instead of the
        number of entries.
    progress : bool
        Show a progress bar on stderr.

    Returns
    -------
    WordVectors
        With ``losses``, the mean weighted squared error of the entries in each
        iteration (the hinge loss of the unobserved pairs left out).
    """
    if not isinstance(cooc, Cooccurrence):
        raise InputError("cooc must be a Cooccurrence (see count_cooccurrences)")
    dim = check_int("dim", dim, 1)
    iterations = check_int("iterations", iterations, 0)
    threads = check_int("threads", threads, 1)
    if (isinstance(negatives, bool) or not isinstance(negatives, (int, float))
            or not 0 < negatives <= 32):
        raise InputError(f"negatives must be a number in (0, 32], not {negatives!r}")
    if (isinstance(unobserved, bool) or not isinstance(unobserved, (int, float))
            or not unobserved >= 0 or not math.isfinite(unobserved)):
        raise InputError(f"unobserved must be a number >= 0, not {unobserved!r}")
    if adagrad not in ("parameter", "word"):
        raise InputError(f"adagrad must be 'parameter' or 'word', not {adagrad!r}")
    if variant not in (0, 1, 2):
        raise InputError(f"variant must be 0, 1 or 2, not {variant!r}")
    for name, v in (("x_max", x_max), ("alpha", alpha), ("learning_rate", learning_rate),
                    ("init_scale", init_scale), ("smoothing", smoothing)):
        if not isinstance(v, (int, float)) or not v > 0 or not math.isfinite(v):
            raise InputError(f"{name} must be a positive number, not {v!r}")
    if not len(cooc):
        raise InputError("no co-occurrences to train on: the corpus is too small for "
                         "min_count, window and subsampling (a corpus of a few thousand "
                         "words needs subsample=0)")
    rng = np.random.default_rng(seed)
    rows, cols, values = cooc.rows, cooc.cols, cooc.values
    if variant != 0:
        # Separate word and context vectors see each pair in both orders.
        off = rows != cols
        rows, cols = np.concatenate([rows, cols[off]]), np.concatenate([cols, rows[off]])
        values = np.concatenate([values, values[off]])
    V = len(cooc.words)
    # p(w) = n_w^s / sum n^s: with s < 1 rare words get more probability and their
    # PMI, the noisiest, shrinks (context distribution smoothing).
    log_p = smoothing * np.log(cooc.counts.astype(np.float64))
    log_p -= np.logaddexp.reduce(log_p)
    log_norm = -math.log(cooc.total)
    fit = (log_p, log_norm, float(x_max), float(alpha), bool(truncate))
    target = np.empty(len(rows), dtype=np.float32)
    weight = np.empty(len(rows), dtype=np.float32)
    schedule = None
    if threads > 1:
        P = _n_blocks(threads, variant == 0)
        position = _block_positions(V, P)
        grouped_rows = np.empty_like(rows)
        grouped_cols = np.empty_like(cols)
        bounds = np.empty(P * P + 1, dtype=np.int64)
        _grouped_entries(rows, cols, values, P, variant == 0, position, *fit, grouped_rows,
                         grouped_cols, target, weight, bounds, True,
                         np.uint64(rng.integers(0, 2**63)))
        rows, cols = grouped_rows, grouped_cols
        del grouped_rows, grouped_cols
        schedule = _block_tasks(bounds, V, threads, variant == 0)
    else:
        perm = rng.permutation(len(rows))
        position = np.arange(V, dtype=np.int64)
        # Gathered array by array: one random read per element and pass, which the CPU
        # overlaps far better than three reads and the arithmetic in one loop.
        rows, cols, values = rows[perm], cols[perm], values[perm]
        del perm
        _grouped_entries(rows, cols, values, 1, False, position, *fit, rows, cols, target,
                         weight, np.empty(2, dtype=np.int64), False, np.uint64(0))
    del values
    if not truncate:
        # Uncapped weights reach hundreds; AdaGrad's first steps (its sums start at 1)
        # would blow up. Scaling them all by one factor leaves the minimum unchanged.
        weight /= weight.max()
    # The unobserved cells: i <= j with shared vectors, ordered pairs otherwise.
    n_cells = V * (V + 1) / 2 if variant == 0 else float(V) * V
    n_unobserved = max(n_cells - len(rows), 0.0)
    hinge = unobserved > 0 and n_unobserved > 0
    # Each sampled pair stands for n_unobserved / (sampling entries * negatives) cells;
    # with separate vectors half the entries sample (those whose word is the rarer).
    sampling = len(rows) if variant == 0 else len(rows) / 2
    wneg = float(unobserved * n_unobserved / (sampling * negatives)) if hinge else 0.0
    # Indexed by the training numbers of the words.
    log_p32 = np.empty(V, dtype=np.float32)
    log_p32[position] = log_p
    # Without biases, vectors near 0 sit at a saddle point (every gradient is about 0);
    # uniform values of width init_scale / sqrt(dim) give inner products of order
    # init_scale^2 / 12 and a fast start.
    scale = np.float32(init_scale / math.sqrt(dim))
    W = (rng.random((V, dim), dtype=np.float32) - np.float32(0.5)) * scale
    gdim = dim if adagrad == "parameter" else 1
    GW = np.ones((V, gdim), dtype=np.float32)
    if variant == 0:
        C, GC = W, GW
    else:
        C = (rng.random((V, dim), dtype=np.float32) - np.float32(0.5)) * scale
        GC = np.ones((V, gdim), dtype=np.float32)
    lr = np.float32(learning_rate)
    shared = variant == 0
    losses = []
    from .._progress import progress_bar

    bar = progress_bar(range(iterations), desc="training", unit="iter", disable=not progress,
                       file=sys.stderr, leave=False)
    no_draws = np.zeros(0, dtype=np.float32)
    for it in bar:
        draws = rng.random(len(rows), dtype=np.float32) if sample else no_draws
        # A fresh seed per pass for the unobserved pairs (drawn in the kernels); none
        # taken from `rng` without them, so that seeded runs stay as they were.
        hargs = (np.uint64(rng.integers(0, 2**63) if hinge else 0),
                 float(negatives) if hinge else 0.0, log_p32, np.float32(log_norm), wneg)
        if schedule is None:
            loss = _train_block(rows, cols, target, weight, W, C, GW, GC, lr, shared, draws,
                                *hargs, 0, len(rows), 0, V, 0, 0)
        else:
            from concurrent.futures import ThreadPoolExecutor

            tasks, rounds = schedule
            with ThreadPoolExecutor(threads) as pool:
                # The rounds in a fresh order each pass (the order within a task is fixed).
                loss = _train_rounds(rows, cols, target, weight, W, C, GW, GC, lr, shared,
                                     draws, *hargs, tasks, rounds,
                                     rng.permutation(len(rounds)), pool)
        if not math.isfinite(loss):
            raise TrainingDiverged(f"training diverged at iteration {it + 1} (the loss is "
                                   f"{loss}); lower the learning rate ({learning_rate})")
        losses.append(float(loss) / len(rows))
        bar.set_postfix(loss=f"{losses[-1]:.4f}")
        logger.info("iteration %d: loss %.5f", it + 1, losses[-1])
    bar.close()
    if schedule is not None:  # back to the words' own numbering
        W = W[position]
        C = W if variant == 0 else C[position]
    if variant == 1:
        out = np.hstack([W, C])
    elif variant == 2:
        out = W + C
    else:
        out = W
    wv = WordVectors(cooc.words, out, counts=cooc.counts)
    wv.losses = losses
    return wv


def learn_vectors(sentences: Iterable, dim: int = defaults.DIM, window: int = defaults.WINDOW,
                  iterations: int = defaults.ITERATIONS, min_count: int = defaults.MIN_COUNT,
                  variant: int = 0, weighting: str = "count",
                  subsample: float = defaults.SUBSAMPLE, smoothing: float = defaults.SMOOTHING,
                  truncate: bool = True, unobserved: float = defaults.UNOBSERVED,
                  negatives: float = defaults.NEGATIVES, threads: int = defaults.THREADS,
                  seed: int | None = None, progress: bool = False,
                  **kwargs) -> "WordVectors":
    """Count co-occurrences in `sentences` and train vectors on them.

    Parameters
    ----------
    sentences : iterable of (list of str or str)
        Lines of words (strings are split on whitespace).
    dim, iterations, variant, truncate, threads, seed, progress
        See :func:`train_vectors` (further keyword arguments go there too).
    window, min_count, weighting, subsample
        See :func:`nlpzero.vectors.count_cooccurrences`.
    smoothing, unobserved, negatives
        See :func:`train_vectors`.

    Notes
    -----
    Subsampling (1e-4), count smoothing (0.75) and the soft hinge on unobserved pairs
    (0.05, half a sampled pair per entry) are on by default here, as in the command
    line: they gave better vectors than the plain PMI on the evaluation sets
    (benchmarks/results/vectors.md, vectors_hinge.md); ``subsample=0, smoothing=1,
    unobserved=0`` is the plain model, the default of the lower layers (see
    :mod:`nlpzero.defaults`).

    Returns
    -------
    WordVectors

    Examples
    --------
    >>> wv = learn_vectors(lines_of_words, dim=64, iterations=10)  # doctest: +SKIP
    >>> wv.most_similar("经济", topn=5)                              # doctest: +SKIP
    """
    cooc = count_cooccurrences(sentences, window=window, min_count=min_count,
                               weighting=weighting, subsample=subsample, seed=seed)
    return train_vectors(cooc, dim=dim, iterations=iterations, variant=variant,
                         truncate=truncate, smoothing=smoothing, unobserved=unobserved,
                         negatives=negatives, threads=threads, seed=seed,
                         progress=progress, **kwargs)


