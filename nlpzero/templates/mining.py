"""Mining sentence templates from text by skip-gram PMI.

Words that go together across gaps form templates such as ``X的X``, ``X是X的X`` or
``X可以X吗``; :mod:`.parsing` nests them into a sentence structure, :mod:`.format`
holds them (:class:`~nlpzero.templates.TemplateSet`) and their file format.

Mining (:class:`TemplateFinder`):

1. Text is segmented into words and cut into *runs* at every token that is not made of
   Han characters, digits or Latin letters (punctuation, spaces, line ends).
2. Words and skip-gram pairs ``(w_i, w_j)`` with ``1 <= j - i <= window`` are counted
   inside runs. A pair is kept when ``log(n_ab / N_pairs) > log(min_proba)`` and its
   PMI ``log(n_ab / N_pairs) - log(n_a / N_words) - log(n_b / N_words)`` exceeds
   ``min_pmi`` (natural logs).
3. Each run becomes a DAG with an edge ``i -> j`` for every kept pair at distance at
   most ``window``. Every maximal path (from a word no edge enters to a word no edge
   leaves; an isolated word is a path of its own) is a template: the words of the
   path, a placeholder wherever words were skipped and at either end the path does not
   reach. Templates are counted; those with ``log(count / total) > log(min_proba)``
   are kept. ``X w X`` (one word between two placeholders) is *trivial*.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable

import numpy as np

from .._jit import njit, njit_inner
from .._kernels.arrays import new_array
from .. import defaults
from .._kernels.chars import IS_SPACE
from .._kernels.hashtables import build_index, first_slot, lookup
from .._kernels.sorting import heapsort
from .._validation import check_int
from ..corpus import CHAR_CLASS, DIGIT, HAN, LATIN, code_points, iter_texts
from ..errors import InputError
from ..lexicon import Lexicon
from ..segmentation.tokenizer import as_tokenizer
from .format import WHITESPACE, TemplateSet

logger = logging.getLogger(__name__)

#: Lines segmented per tokenizer call while training.
_BATCH_CHARS = 1 << 20
_FNV_OFFSET = np.uint64(14695981039346656037)
_FNV_PRIME = np.uint64(1099511628211)

# Shapes of the one-word templates by 2 * (X before) + (X after): True marks the word.
_ONE_WORD = ((True,), (True, False), (False, True), (False, True, False))


# ---------------------------------------------------------------------------
# Kernels: mining


@njit(cache=True)
def _compact_runs(ids):
    """Drop the separators (id 0) of `ids`; return the words and the offsets of the
    runs they form (a run is a maximal stretch of words)."""
    n = len(ids)
    seq = new_array(n, np.int32)
    bounds = new_array(n + 1, np.int64)
    m = 0
    r = 0
    in_run = False
    for i in range(n):
        t = ids[i]
        if t != 0:
            if not in_run:
                bounds[r] = m
                r += 1
                in_run = True
            seq[m] = t
            m += 1
        else:
            in_run = False
    bounds[r] = m
    return seq[:m].copy(), bounds[:r + 1].copy()


@njit(cache=True)
def _split_words(cps, is_space):
    """Token bounds of lines of space-separated words: a space ends a word, a newline
    is a token of its own (a sentence end). Empty words are kept, as empty tokens, so
    that the caller can tell. Also returns whether any other whitespace occurs."""
    n = len(cps)
    # at most two tokens per character (a word ended by a newline, the newline) and one
    # at the end
    starts = new_array(2 * n + 1, np.int64)
    ends = new_array(2 * n + 1, np.int64)
    k = 0
    a = 0
    other_space = False
    for i in range(n + 1):
        if i == n or cps[i] == 32 or cps[i] == 10:
            starts[k] = a
            ends[k] = i
            k += 1
            if i < n and cps[i] == 10:
                starts[k] = i
                ends[k] = i + 1
                k += 1
            a = i + 1
        elif is_space[cps[i]]:
            other_space = True
    return starts[:k].copy(), ends[:k].copy(), other_space


@njit(cache=True)
def _intern(cps, starts, ends, t0, char_class, table, vocab_hash, vocab_off, vocab_cps, state,
            ids, new_at):
    """Word id of every token ``cps[starts[t]:ends[t]]`` from token `t0` on, adding new
    words to the vocabulary (hash table with exact comparison of code points). Tokens
    that are not words (empty, or not starting with a Han character, digit or Latin
    letter) get the separator id 0. `state` = (vocabulary size, code points stored,
    new words) is updated in place, and the token index of each new word goes to
    `new_at`. Stops at the first token that might not fit (table half full, or no
    room left for one more word) and returns its index for the caller to grow the
    arrays and call again; returns the number of tokens when done."""
    n_vocab = state[0]
    used = state[1]
    n_new = state[2]
    mask = len(table) - 1
    for t in range(t0, len(starts)):
        a = starts[t]
        b = ends[t]
        if b == a:
            ids[t] = 0
            continue
        c = char_class[cps[a]]
        if c != HAN and c != DIGIT and c != LATIN:
            ids[t] = 0
            continue
        if (2 * (n_vocab + 1) > len(table) or n_vocab + 1 >= len(vocab_hash)
                or used + (b - a) > len(vocab_cps)):
            state[0] = n_vocab
            state[1] = used
            state[2] = n_new
            return t
        h = _FNV_OFFSET
        for k in range(a, b):
            h = (h ^ np.uint64(cps[k])) * _FNV_PRIME
        slot = first_slot(np.int64(h), mask)  # int64 keys: one specialisation
        while True:
            u = table[slot]
            if u < 0:
                break
            if vocab_hash[u] == h and vocab_off[u + 1] - vocab_off[u] == b - a:
                o = vocab_off[u] - a
                same = True
                for k in range(a, b):
                    if vocab_cps[o + k] != cps[k]:
                        same = False
                        break
                if same:
                    break
            slot = (slot + 1) & mask
        if u < 0:
            u = n_vocab
            for k in range(a, b):
                vocab_cps[used + k - a] = cps[k]
            used += b - a
            vocab_off[u + 1] = used
            vocab_hash[u] = h
            table[slot] = u
            n_vocab += 1
            new_at[n_new] = t
            n_new += 1
        ids[t] = u
    state[0] = n_vocab
    state[1] = used
    state[2] = n_new
    return len(starts)


def _n_pairs(bounds: np.ndarray, window: int) -> int:
    """Number of skip-gram pairs (distance 1..window) inside the runs: a run of n words
    has ``min(n - 1 - i, window)`` after word i, summed in closed form (NumPy on the run
    lengths; a kernel of its own cost a first run more to compile than this saves)."""
    n = np.diff(bounds).astype(np.int64)
    w = int(window)
    return int(np.where(n <= w, n * (n - 1) // 2, w * (w - 1) // 2 + w * (n - w)).sum())


@njit(cache=True)
def _count_pairs(seq, bounds, window, frequent):
    """Counts of the skip-gram pairs whose two words are both `frequent`, as
    (first word ids, second word ids, counts), sorted by first then second word.

    One sequential pass writes every pair's second word into a bucket of its first
    word (a counting sort on the first word; a word occurring n times has at most
    ``window * n`` pairs, which sizes the buckets), and each bucket is then tallied in a
    dense array of the vocabulary's size, which stays in cache.
    """
    V = len(frequent)
    start = new_array(V + 1, np.int64)
    start[:] = 0
    for i in range(len(seq)):
        a = seq[i]
        if frequent[a]:
            start[a + 1] += window
    for v in range(V):
        start[v + 1] += start[v]
    fill = start[:V].copy()
    second = new_array(start[V], np.int32)
    for r in range(len(bounds) - 1):
        e = bounds[r + 1]
        for i in range(bounds[r], e):
            a = seq[i]
            if frequent[a]:
                stop = i + window + 1
                if stop > e:
                    stop = e
                for j in range(i + 1, stop):
                    b = seq[j]
                    if frequent[b]:
                        second[fill[a]] = b
                        fill[a] += 1
    tally = new_array(V, np.int64)
    tally[:] = 0
    touched = new_array(V, np.int64)
    n_out = 0
    n_pairs = 0
    for v in range(V):
        n_pairs += fill[v] - start[v]
    out_a = new_array(n_pairs, np.int64)
    out_b = new_array(n_pairs, np.int64)
    out_c = new_array(n_pairs, np.int64)
    for a in range(V):
        nt = 0
        for k in range(start[a], fill[a]):
            b = second[k]
            if tally[b] == 0:
                touched[nt] = b
                nt += 1
            tally[b] += 1
        if nt == 0:
            continue
        seen = touched[:nt]
        heapsort(seen)  # compiles much faster than np.sort
        for k in range(nt):
            b = seen[k]
            out_a[n_out] = a
            out_b[n_out] = b
            out_c[n_out] = tally[b]
            tally[b] = 0
            n_out += 1
    return out_a[:n_out].copy(), out_b[:n_out].copy(), out_c[:n_out].copy()


@njit(cache=True)
def _keep_pairs(first, second, counts, word_counts, n_words, n_pairs, log_min_proba, min_pmi):
    """Which pairs pass the probability and PMI filters. Computed term by term in the
    same order as the definition, so that a pair on the threshold is decided the same
    way as by the reference."""
    keep = new_array(len(counts), np.bool_)
    keep[:] = False
    log_words = math.log(n_words)
    log_pairs = math.log(n_pairs)
    for k in range(len(counts)):
        lp = math.log(counts[k]) - log_pairs
        if lp > log_min_proba:
            la = math.log(word_counts[first[k]]) - log_words
            lb = math.log(word_counts[second[k]]) - log_words
            if lp - la - lb > min_pmi:
                keep[k] = True
    return keep


@njit_inner
def _seq_hash(buf, n):
    h = _FNV_OFFSET
    for k in range(n):
        h = (h ^ np.uint64(buf[k] + 2)) * _FNV_PRIME
    return h


@njit(cache=True)
def _extract_templates(seq, bounds, r0, window, kept, V, is_first, is_second, max_paths,
                       tok, off, hashes, counts, table, single, state):
    """Enumerate the maximal paths of the DAG of each run from run `r0` on, and count
    their templates.

    Templates of two or more words go to a table of distinct templates: their tokens
    (word ids, -1 for a placeholder) concatenated in `tok` with offsets `off`, their
    `hashes` and `counts`, and `table`, open addressing over their indices. One-word
    templates (``X w X``, ``w X``, ``X w``, ``w``: most paths are a lone word) are
    counted in `single`, indexed by word and ``2 * (X before) + (X after)``.
    `state` holds the number of distinct templates, of tokens used, of paths and of
    runs cut short at `max_paths`, and is updated in place.

    The buffers are never grown here (growing arrays inside the loop would make every
    iteration pay for reference counting): before a run is enumerated its worst case
    is checked, and when it does not fit the run's index is returned so that the
    caller can grow the buffers and call again from there. Returns the number of runs
    when all are done.
    """
    n_runs = len(bounds) - 1
    longest = 1
    for r in range(r0, n_runs):
        if bounds[r + 1] - bounds[r] > longest:
            longest = bounds[r + 1] - bounds[r]
    out_to = new_array((longest, window), np.int64)
    out_n = new_array(longest, np.int64)
    out_n[:] = 0
    has_in = new_array(longest, np.bool_)
    has_in[:] = False
    n_paths = new_array(longest, np.int64)
    depth_of = new_array(longest, np.int64)
    path = new_array(longest, np.int64)
    ptr = new_array(longest, np.int64)
    buf = new_array(2 * longest + 1, np.int32)
    n_u = state[0]
    n_tok = state[1]
    total = state[2]
    truncated = state[3]
    mask = len(table) - 1

    for r in range(r0, n_runs):
        s = bounds[r]
        n = bounds[r + 1] - s
        for i in range(n):
            out_n[i] = 0
            has_in[i] = False
        any_edge = False
        for i in range(n):
            if not is_first[seq[s + i]]:
                continue
            base = np.int64(seq[s + i]) * V
            stop = i + window + 1
            if stop > n:
                stop = n
            for j in range(i + 1, stop):
                if is_second[seq[s + j]] and lookup(kept, base + seq[s + j]) >= 0:
                    out_to[i, out_n[i]] = j
                    out_n[i] += 1
                    has_in[j] = True
                    any_edge = True
        if any_edge:
            # Worst case of the run: paths (capped) and their longest template.
            for i in range(n - 1, -1, -1):
                if out_n[i] == 0:
                    n_paths[i] = 1
                    depth_of[i] = 1
                else:
                    n_paths[i] = 0
                    depth_of[i] = 0
                    for k in range(out_n[i]):
                        j = out_to[i, k]
                        paths = n_paths[i] + n_paths[j]
                        n_paths[i] = paths if paths < max_paths else max_paths
                        if depth_of[j] + 1 > depth_of[i]:
                            depth_of[i] = depth_of[j] + 1
            need = 0
            deepest = 0
            for i in range(n):
                if not has_in[i] and out_n[i] > 0:
                    need += n_paths[i]
                    if need > max_paths:
                        need = max_paths
                    if depth_of[i] > deepest:
                        deepest = depth_of[i]
            if (n_u + need >= len(counts) or n_tok + need * (2 * deepest + 1) > len(tok)
                    or 2 * (n_u + need) > len(table)):
                state[0] = n_u
                state[1] = n_tok
                state[2] = total
                state[3] = truncated
                state[4] = need
                state[5] = need * (2 * deepest + 1)
                return r
        budget = max_paths
        for src in range(n):
            if has_in[src]:
                continue
            if out_n[src] == 0:
                single[seq[s + src], 2 * (src != 0) + (src != n - 1)] += 1
                total += 1
                budget -= 1
                if budget == 0:
                    break
                continue
            depth = 0
            path[0] = src
            ptr[0] = 0
            while depth >= 0 and budget > 0:
                node = path[depth]
                if out_n[node] == 0:
                    # A maximal path: write its template.
                    m = 0
                    if path[0] != 0:
                        buf[m] = -1
                        m += 1
                    buf[m] = seq[s + path[0]]
                    m += 1
                    for d in range(1, depth + 1):
                        if path[d] - path[d - 1] > 1:
                            buf[m] = -1
                            m += 1
                        buf[m] = seq[s + path[d]]
                        m += 1
                    if node != n - 1:
                        buf[m] = -1
                        m += 1
                    h = _seq_hash(buf, m)
                    slot = first_slot(np.int64(h), mask)
                    while True:
                        u = table[slot]
                        if u < 0:
                            break
                        if hashes[u] == h and off[u + 1] - off[u] == m:
                            same = True
                            o = off[u]
                            for k in range(m):
                                if tok[o + k] != buf[k]:
                                    same = False
                                    break
                            if same:
                                break
                        slot = (slot + 1) & mask
                    if u >= 0:
                        counts[u] += 1
                    else:
                        for k in range(m):
                            tok[n_tok + k] = buf[k]
                        n_tok += m
                        off[n_u + 1] = n_tok
                        hashes[n_u] = h
                        counts[n_u] = 1
                        table[slot] = n_u
                        n_u += 1
                    total += 1
                    budget -= 1
                    depth -= 1
                elif ptr[depth] < out_n[node]:
                    nxt = out_to[node, ptr[depth]]
                    ptr[depth] += 1
                    depth += 1
                    path[depth] = nxt
                    ptr[depth] = 0
                else:
                    depth -= 1
            if budget == 0:
                break
        if budget == 0:
            # Reaching the bound counts as cut short (the last path may have been the
            # last one there was).
            truncated += 1
    state[0] = n_u
    state[1] = n_tok
    state[2] = total
    state[3] = truncated
    return n_runs


@njit(cache=True)
def _rehash(hashes, n_u, size, first_id):
    """Open-addressing table of `size` slots holding ids ``first_id + v`` by
    ``hashes[v]`` for v below `n_u`."""
    table = new_array(size, np.int64)
    table[:] = -1
    mask = size - 1
    for v in range(n_u):
        t = first_slot(np.int64(hashes[v]), mask)
        while table[t] >= 0:
            t = (t + 1) & mask
        table[t] = v + first_id
    return table


def _count_templates(seq, bounds, window, kept, V, is_first, is_second, max_paths):
    """Run :func:`_extract_templates` over all runs, growing its buffers as needed.
    Returns (tok, off, counts, single, total paths, runs cut short)."""
    cap = 4096
    tok = np.empty(8 * cap, dtype=np.int32)
    off = np.zeros(cap + 1, dtype=np.int64)
    hashes = np.empty(cap, dtype=np.uint64)
    counts = np.empty(cap, dtype=np.int64)
    table = np.full(2 * cap, -1, dtype=np.int64)
    single = np.zeros((V, 4), dtype=np.int64)
    state = np.zeros(6, dtype=np.int64)
    r = 0
    n_runs = len(bounds) - 1
    while True:
        r = _extract_templates(seq, bounds, r, window, kept, V, is_first, is_second, max_paths,
                               tok, off, hashes, counts, table, single, state)
        if r >= n_runs:
            break
        n_u, n_tok, need_u, need_tok = int(state[0]), int(state[1]), int(state[4]), int(state[5])
        if n_u + need_u >= len(counts):
            cap = max(2 * len(counts), n_u + need_u + 1)
            counts = np.concatenate((counts, np.empty(cap - len(counts), dtype=np.int64)))
            hashes = np.concatenate((hashes, np.empty(cap - len(hashes), dtype=np.uint64)))
            off = np.concatenate((off, np.zeros(cap + 1 - len(off), dtype=np.int64)))
        if n_tok + need_tok > len(tok):
            tok = np.concatenate((tok, np.empty(max(len(tok), need_tok), dtype=np.int32)))
        if 2 * (n_u + need_u) > len(table):
            size = len(table)
            while 2 * (n_u + need_u) > size:
                size *= 2
            table = _rehash(hashes, n_u, size, 0)
    n_u, n_tok = int(state[0]), int(state[1])
    return tok[:n_tok], off[:n_u + 1], counts[:n_u], single, int(state[2]), int(state[3])


@njit(cache=True)
def _keep_templates(counts, total, log_min_proba):
    keep = new_array(len(counts), np.bool_)
    keep[:] = False
    log_total = math.log(total)
    for k in range(len(counts)):
        keep[k] = math.log(counts[k]) - log_total > log_min_proba
    return keep


# ---------------------------------------------------------------------------
# Mining


class TemplateFinder:
    """Mine sentence templates from text by skip-gram PMI.

    Parameters
    ----------
    tokenizer : Tokenizer, Lexicon, mapping, str or None
        Segmenter for :meth:`train` (a lexicon or its path makes one); None uses
        jieba's dictionary, loaded when first needed. :meth:`train_segmented` needs
        none.
    window : int
        Largest distance between the two words of a skip-gram pair (default 5).
    min_proba : float
        Pairs and templates with probability at or below this are dropped (1e-5).
    min_pmi : float
        Smallest PMI (natural log, exclusive) of a kept pair (default 2).
    max_paths : int
        At most this many paths (templates) are taken from one run (default 1000),
        the first ones in depth-first order. The maximal paths of a DAG can be
        exponentially many: no run of the People's Daily has 1000, but a review made
        of "不错" repeated has more than 100,000, every one of them a junk template.
        A run that reaches the bound is counted in :attr:`truncated_runs` and logged.

    Examples
    --------
    >>> f = TemplateFinder(min_proba=1e-3, min_pmi=0.5)
    >>> f = f.train_segmented([["我", "爱", "北京"], ["我", "爱", "你"]] * 20)
    >>> f.find()[("我", "爱", "北京")]
    20
    """

    def __init__(self, tokenizer=None, window: int = defaults.TEMPLATE_WINDOW,
                 min_proba: float = defaults.TEMPLATE_MIN_PROBA,
                 min_pmi: float = defaults.TEMPLATE_MIN_PMI,
                 max_paths: int = defaults.TEMPLATE_MAX_PATHS):
        window = check_int("window", window, 1, 1000)
        if not 0 <= min_proba < 1:
            raise InputError(f"min_proba must be in [0, 1), not {min_proba!r}")
        max_paths = check_int("max_paths", max_paths, 1)
        self.tokenizer = as_tokenizer(tokenizer)
        self.window = window
        self.min_proba = float(min_proba)
        self.min_pmi = float(min_pmi)
        self.max_paths = max_paths
        self.truncated_runs = 0
        # Every word seen gets an id (a hash table over its code points); id 0 is
        # the separator that stands for every token that is not a word.
        self._words: list[str] = ["\n"]
        self._table = np.full(1024, -1, dtype=np.int64)
        self._vocab_hash = np.zeros(512, dtype=np.uint64)
        self._vocab_off = np.zeros(513, dtype=np.int64)
        self._vocab_cps = np.zeros(1024, dtype=np.uint32)
        self._state = np.array([1, 0, 0], dtype=np.int64)
        self._chunks: list[np.ndarray] = []
        self._data = None  # (seq, bounds, word_counts) of everything trained

    # -- training ------------------------------------------------------------------------
    def train(self, texts: Iterable[str] | str) -> "TemplateFinder":
        """Segment `texts` (lines of raw text) and add them to what was seen.

        Call again to train incrementally; :meth:`find` uses all of it.
        """
        if self.tokenizer is None:
            self.tokenizer = as_tokenizer(Lexicon.load_jieba_default())
        batch: list[str] = []
        size = 0
        for t in iter_texts(texts):
            batch.append(t)
            size += len(t) + 1
            if size >= _BATCH_CHARS:
                self._add_text_batch(batch)
                batch, size = [], 0
        if batch:
            self._add_text_batch(batch)
        return self

    def _add_text_batch(self, batch: list[str]) -> None:
        text = "\n".join(batch)
        cps = code_points(text)
        ends = self.tokenizer.ends(cps)
        starts = np.empty_like(ends)
        starts[:1] = 0
        starts[1:] = ends[:-1]
        self._add(text, cps, starts, ends)

    def train_segmented(self, sentences: Iterable[Iterable[str]]) -> "TemplateFinder":
        """Add sentences that are already segmented (each an iterable of words).

        Tokens that are not words (not starting with a Han character, a digit or a
        Latin letter: punctuation) cut a sentence into runs, as in :meth:`train`.

        Raises
        ------
        InputError
            When a word is not a non-empty str without whitespace.
        """
        if isinstance(sentences, str):
            raise InputError("train_segmented takes lists of words, not a string")
        if not isinstance(sentences, list):
            sentences = list(sentences)
        if not set(map(type, sentences)) <= {list, tuple}:
            sentences = [x if isinstance(x, (list, tuple)) else _as_word_list(x)
                         for x in sentences]
        if not sentences:
            return self
        try:
            text = "\n".join(map(" ".join, sentences))
        except TypeError:
            _check_words(sentences)
            raise
        cps = code_points(text)
        starts, ends, other_space = _split_words(cps, IS_SPACE)
        # Words are checked on the whole text at C speed: a space, a newline or an
        # empty word changes the number of tokens, other whitespace is searched for.
        n_empty = sum(1 for x in sentences if not x)
        expected = sum(map(len, sentences)) + n_empty + len(sentences) - 1
        if (len(starts) != expected or int(np.count_nonzero(starts == ends)) != n_empty
                or other_space):
            _check_words(sentences)
        self._add(text, cps, starts, ends)
        return self

    def _add(self, text: str, cps: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> None:
        """Intern the tokens ``text[starts[t]:ends[t]]`` and store their ids, followed
        by a separator."""
        n_tok = len(starts)
        ids = np.empty(n_tok + 1, dtype=np.int32)
        ids[n_tok] = 0
        new_at = np.empty(n_tok, dtype=np.int64)
        self._state[2] = 0
        t = 0
        while True:
            t = _intern(cps, starts, ends, t, CHAR_CLASS, self._table, self._vocab_hash,
                        self._vocab_off, self._vocab_cps, self._state, ids, new_at)
            if t >= n_tok:
                break
            # grow what may be short for token t, by doubling
            n_vocab, used = int(self._state[0]), int(self._state[1])
            if n_vocab + 1 >= len(self._vocab_hash):
                self._vocab_hash = _resized(self._vocab_hash, 2 * len(self._vocab_hash))
                self._vocab_off = _resized(self._vocab_off, len(self._vocab_hash) + 1)
            size = len(self._vocab_cps)
            while used + int(ends[t] - starts[t]) > size:
                size *= 2
            if size > len(self._vocab_cps):
                self._vocab_cps = _resized(self._vocab_cps, size)
            if 2 * (n_vocab + 1) > len(self._table):
                self._table = _rehash(self._vocab_hash[1:n_vocab], n_vocab - 1,
                                      2 * len(self._table), 1)
        new_at = new_at[:self._state[2]]
        self._words.extend([text[a:b] for a, b in zip(starts[new_at].tolist(),
                                                     ends[new_at].tolist())])
        self._chunks.append(ids)
        self._data = None

    def _corpus(self):
        if self._data is None:
            ids = np.concatenate(self._chunks) if self._chunks else np.zeros(0, np.int32)
            self._chunks = [ids]
            seq, bounds = _compact_runs(ids)
            word_counts = np.bincount(seq, minlength=len(self._words)).astype(np.int64)
            self._data = (seq, bounds, word_counts)
        return self._data

    # -- statistics ------------------------------------------------------------------------
    def word_counts(self) -> dict[str, int]:
        """Count of every word seen in runs."""
        _, _, wc = self._corpus()
        nz = np.flatnonzero(wc)
        return {self._words[i]: int(wc[i]) for i in nz}

    def _pairs(self):
        """Counts of the pairs that can pass the probability filter, as
        (first ids, second ids, counts), and the totals."""
        seq, bounds, wc = self._corpus()
        n_words = int(wc.sum())
        n_pairs = _n_pairs(bounds, self.window)
        empty = np.zeros(0, dtype=np.int64)
        if n_pairs == 0:
            return empty, empty, empty, n_words, n_pairs
        # A pair kept needs n_ab > min_proba * n_pairs, and n_ab <= window * n_a:
        # only words passing that bound can take part, which makes counting cheap.
        need = self.min_proba * n_pairs / self.window
        frequent = wc > need * (1 - 1e-12)
        a, b, c = _count_pairs(seq, bounds, self.window, frequent)
        return a, b, c, n_words, n_pairs

    def pair_counts(self) -> dict[tuple[str, str], int]:
        """Counts of the skip-gram pairs among words frequent enough to pass the
        probability filter (all pairs when ``min_proba`` is 0)."""
        a, b, c, _, _ = self._pairs()
        w = self._words
        return {(w[x], w[y]): int(n) for x, y, n in zip(a.tolist(), b.tolist(), c.tolist())}

    def _kept_pair_ids(self):
        a, b, c, n_words, n_pairs = self._pairs()
        if len(c) == 0:
            return a, b, c
        log_min = math.log(self.min_proba) if self.min_proba > 0 else -math.inf
        keep = _keep_pairs(a, b, c, self._corpus()[2], n_words, n_pairs, log_min, self.min_pmi)
        return a[keep], b[keep], c[keep]

    def strong_pairs(self) -> dict[tuple[str, str], int]:
        """The kept pairs ``(first word, second word) -> count``."""
        a, b, c = self._kept_pair_ids()
        w = self._words
        return {(w[x], w[y]): int(n) for x, y, n in zip(a.tolist(), b.tolist(), c.tolist())}

    # -- templates ---------------------------------------------------------------------------
    def all_templates(self) -> TemplateSet:
        """Every template with its count, before the probability filter."""
        return self._templates(filtered=False)

    def find(self) -> TemplateSet:
        """Templates of everything trained so far, with their counts (trivial ones
        included; :meth:`TemplateSet.nontrivial` drops them)."""
        return self._templates(filtered=True)

    def _templates(self, filtered: bool) -> TemplateSet:
        seq, bounds, _ = self._corpus()
        if len(seq) == 0:
            return TemplateSet()
        a, b, _ = self._kept_pair_ids()
        V = np.int64(len(self._words))
        kept = build_index(a.astype(np.int64) * V + b)
        is_first = np.zeros(len(self._words), dtype=np.bool_)
        is_first[a] = True
        is_second = np.zeros(len(self._words), dtype=np.bool_)
        is_second[b] = True
        tok, off, counts, single, total, truncated = _count_templates(
            seq, bounds, self.window, kept, V, is_first, is_second, self.max_paths)
        self.truncated_runs = int(truncated)
        if truncated:
            logger.warning("%d runs had more than %d paths; only the first %d were taken",
                           truncated, self.max_paths, self.max_paths)
        log_min = math.log(self.min_proba) if self.min_proba > 0 else -math.inf
        if not filtered:
            log_min = -math.inf
        words = self._words
        out = {}
        flat = single.ravel()
        nz = np.flatnonzero(flat)
        nz = nz[_keep_templates(flat[nz], total, log_min)]
        for k, c in zip(nz.tolist(), flat[nz].tolist()):
            shape = _ONE_WORD[k & 3]
            w = words[k >> 2]
            out[tuple(w if x else None for x in shape)] = c
        chosen = np.flatnonzero(_keep_templates(counts, total, log_min))
        tok_l, off_l, cnt_l = tok.tolist(), off.tolist(), counts.tolist()
        for u in chosen.tolist():
            out[tuple(None if x < 0 else words[x] for x in tok_l[off_l[u]:off_l[u + 1]])] = cnt_l[u]
        return TemplateSet.from_mined(out)


def _resized(a: np.ndarray, n: int) -> np.ndarray:
    out = np.zeros(n, dtype=a.dtype)
    out[:len(a)] = a
    return out


def _as_word_list(x):
    if isinstance(x, str):
        raise InputError("train_segmented takes lists of words, not strings; "
                         "use train() for raw text")
    try:
        return list(x)
    except TypeError:
        raise InputError(f"train_segmented takes lists of words, not "
                         f"{type(x).__name__}") from None


def _check_words(sentences) -> None:
    """Name the first bad word (the slow check, run once something is wrong)."""
    for x in sentences:
        for w in x:
            if not isinstance(w, str) or not w or WHITESPACE.search(w):
                raise InputError(f"a word must be a non-empty str without whitespace, "
                                 f"not {w!r}")


def find_templates(texts: Iterable[str] | str, tokenizer=None, **params) -> TemplateSet:
    """Mine templates from raw text in one call: ``TemplateFinder(tokenizer,
    **params).train(texts).find()``."""
    return TemplateFinder(tokenizer, **params).train(texts).find()
