"""Sentence templates and sentence structure (design notes, section 5).

Words that go together across gaps form templates such as ``X的X``, ``X是X的X`` or
``X可以X吗``, and templates nest into a sentence structure without any treebank.

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

Parsing (:class:`Parser`): a placeholder matches one or more words, a template word
matches itself. A template that matches a span scores ``log(count / total)`` plus the
best scores of the spans under its placeholders; a span that no template matches
scores ``null_score * (words - 1)``. The best structure is found by dynamic
programming over spans (templates nest but never cross) and returned as a
:class:`SentTree`.

Template files (:meth:`TemplateSet.save`, :meth:`TemplateSet.load`) are UTF-8 text:
a header line ``# nlpzero templates 1``, then one ``template<TAB>count[<TAB>trivial]``
line per template, most frequent first. A template is its tokens separated by single
spaces, ``X`` being a placeholder; a word that is literally ``X`` or starts with a
backslash is written with one more backslash in front.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np
from numba import njit

from ._io import atomic_write
from ._sorting import heapsort
from .corpus import CHAR_CLASS, DIGIT, HAN, LATIN, code_points, iter_texts
from .errors import FormatError, InputError
from .ngrams import _build_index, _lookup, _slot
from .tokenizer import _IS_SPACE

logger = logging.getLogger(__name__)

#: The placeholder in a template tuple.
PLACEHOLDER = None
#: First line of a template file; the number is the format version.
FILE_HEADER = "# nlpzero templates 1"
#: Lines segmented per tokenizer call while training.
_BATCH_CHARS = 1 << 20
_WHITESPACE = re.compile(r"\s")
_FNV_OFFSET = np.uint64(14695981039346656037)
_FNV_PRIME = np.uint64(1099511628211)

Template = tuple  # a tuple of words (str) and placeholders (None)
# Shapes of the one-word templates by 2 * (X before) + (X after): True marks the word.
_ONE_WORD = ((True,), (True, False), (False, True), (False, True, False))


# ---------------------------------------------------------------------------
# Kernels: mining


@njit(cache=True)
def _compact_runs(ids):
    """Drop the separators (id 0) of `ids`; return the words and the offsets of the
    runs they form (a run is a maximal stretch of words)."""
    n = len(ids)
    seq = np.empty(n, dtype=np.int32)
    bounds = np.empty(n + 1, dtype=np.int64)
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
    starts = np.empty(2 * n + 1, dtype=np.int64)
    ends = np.empty(2 * n + 1, dtype=np.int64)
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
        slot = _slot(h, mask)
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


@njit(cache=True)
def _n_pairs(bounds, window):
    """Number of skip-gram pairs (distance 1..window) inside the runs."""
    total = 0
    for r in range(len(bounds) - 1):
        n = bounds[r + 1] - bounds[r]
        for i in range(n):
            total += min(window, n - 1 - i)
    return total


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
    start = np.zeros(V + 1, dtype=np.int64)
    for i in range(len(seq)):
        a = seq[i]
        if frequent[a]:
            start[a + 1] += window
    for v in range(V):
        start[v + 1] += start[v]
    fill = start[:V].copy()
    second = np.empty(start[V], dtype=np.int32)
    for r in range(len(bounds) - 1):
        e = bounds[r + 1]
        for i in range(bounds[r], e):
            a = seq[i]
            if frequent[a]:
                for j in range(i + 1, min(e, i + window + 1)):
                    b = seq[j]
                    if frequent[b]:
                        second[fill[a]] = b
                        fill[a] += 1
    tally = np.zeros(V, dtype=np.int64)
    touched = np.empty(V, dtype=np.int64)
    n_out = 0
    n_pairs = 0
    for v in range(V):
        n_pairs += fill[v] - start[v]
    out_a = np.empty(n_pairs, dtype=np.int64)
    out_b = np.empty(n_pairs, dtype=np.int64)
    out_c = np.empty(n_pairs, dtype=np.int64)
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
    keep = np.zeros(len(counts), dtype=np.bool_)
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


@njit(cache=True)
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
        longest = max(longest, bounds[r + 1] - bounds[r])
    out_to = np.empty((longest, window), dtype=np.int64)
    out_n = np.zeros(longest, dtype=np.int64)
    has_in = np.zeros(longest, dtype=np.bool_)
    n_paths = np.empty(longest, dtype=np.int64)
    depth_of = np.empty(longest, dtype=np.int64)
    path = np.empty(longest, dtype=np.int64)
    ptr = np.empty(longest, dtype=np.int64)
    buf = np.empty(2 * longest + 1, dtype=np.int32)
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
            for j in range(i + 1, min(n, i + window + 1)):
                if is_second[seq[s + j]] and _lookup(kept, base + seq[s + j]) >= 0:
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
                        n_paths[i] = min(n_paths[i] + n_paths[out_to[i, k]], max_paths)
                        depth_of[i] = max(depth_of[i], depth_of[out_to[i, k]] + 1)
            need = 0
            deepest = 0
            for i in range(n):
                if not has_in[i] and out_n[i] > 0:
                    need = min(need + n_paths[i], max_paths)
                    deepest = max(deepest, depth_of[i])
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
                    slot = _slot(h, mask)
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
    table = np.full(size, -1, dtype=np.int64)
    mask = size - 1
    for v in range(n_u):
        t = _slot(hashes[v], mask)
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
    keep = np.zeros(len(counts), dtype=np.bool_)
    log_total = math.log(total)
    for k in range(len(counts)):
        keep[k] = math.log(counts[k]) - log_total > log_min_proba
    return keep


# ---------------------------------------------------------------------------
# Kernels: parsing


@njit(cache=True)
def _chain(rec, rec_pos, rec_parent, out):
    """Word positions of a match, first word first, written into `out`; returns
    their number."""
    n = 0
    r = rec
    while r >= 0:
        n += 1
        r = rec_parent[r]
    k = n
    r = rec
    while r >= 0:
        k -= 1
        out[k] = rec_pos[r]
        r = rec_parent[r]
    return n


@njit(cache=True)
def _earlier(rec_a, rec_b, rec_pos, rec_parent, buf_a, buf_b):
    """Whether match a's word positions come before match b's (lexicographically)."""
    na = _chain(rec_a, rec_pos, rec_parent, buf_a)
    nb = _chain(rec_b, rec_pos, rec_parent, buf_b)
    for k in range(min(na, nb)):
        if buf_a[k] != buf_b[k]:
            return buf_a[k] < buf_b[k]
    return na < nb


@njit(cache=True)
def _beats(score, words, rec, best_score, best_words, best_rec, rec_pos, rec_parent,
           buf_a, buf_b):
    """Whether a candidate structure beats the current best: a higher score (beyond
    rounding noise); at the same score, more template words; then the words matched
    earlier (the smaller tuple of word positions). Ties are thus broken the same way
    whatever the order in which candidates are met."""
    tol = 1e-9 * max(1.0, abs(best_score))
    if score > best_score + tol:
        return True
    if score < best_score - tol or words < best_words:
        return False
    if words > best_words:
        return True
    return _earlier(rec, best_rec, rec_pos, rec_parent, buf_a, buf_b)


@njit(cache=True)
def _parse_kernel(sent, table, edge_child, x_child, node_logp, node_words, W, null_score,
                  where, closed, closed_score, opened, opened_score, rec, best, bnode, brec):
    """Best structure of every span of `sent` (template word ids, -2 for other words).

    Fills ``best[i, j]`` (score of span i..j-1), ``bnode[i, j]`` (terminal trie node
    of the template chosen for the span, -1 when none matches) and ``brec[i, j]`` (the
    record of the last word that template matched); a record ``rec[:, r]`` holds the
    position of a matched word and the record of the word matched before it in the
    same template. Returns the number of records, or -1 when the workspace (`opened`
    or `rec`) was too small: the caller grows it and calls again. The workspace is
    reused from call to call (`where` must be all -1 and is left so), so that a short
    sentence costs no allocation, and no array is replaced inside the loops.

    Spans are solved by start, from the last to the first; from a start i the trie
    is walked word by word. A *closed* state has matched a template prefix exactly up
    to the current position (at most one per trie node: rows ``closed[2 * (p & 1)]``
    for position p); an *open* state has entered a placeholder that began at position
    a. Closing a placeholder [a, p) adds best[a, p], known because a > i or because p
    is behind the walk.
    """
    n = len(sent)
    cap_open = opened.shape[1]
    cap_rec = rec.shape[1]
    n_rec = 0
    buf_a = np.empty(n + 1, dtype=np.int64)
    buf_b = np.empty(n + 1, dtype=np.int64)
    for i in range(n + 1):
        for j in range(n + 1):
            best[i, j] = -np.inf
            bnode[i, j] = -1
            brec[i, j] = -1

    for i in range(n - 1, -1, -1):
        cur = 0
        n_c = 1
        closed[0, 0] = 0  # the root
        closed[1, 0] = -1
        closed_score[0, 0] = 0.0
        n_o = 0
        for p in range(i, n + 1):
            cn = 2 * cur  # rows of the closed states at p: node, record
            if p > i:
                # (A) templates that end at p: the best structure of span [i, p).
                bs = -np.inf
                bw = np.int64(-1)  # int64, not literals: one specialisation of _beats
                bn = np.int64(-1)
                br = np.int64(-1)
                for k in range(n_c):
                    node = closed[cn, k]
                    if node_logp[node] > -np.inf:
                        sc = closed_score[cur, k] + node_logp[node]
                        r = closed[cn + 1, k]
                        if bn < 0 or _beats(sc, node_words[node], r, bs, bw, br,
                                            rec[0], rec[1], buf_a, buf_b):
                            bs, bw, bn, br = sc, node_words[node], node, r
                for k in range(n_o):
                    node = opened[0, k]
                    a = opened[1, k]
                    if a > i and a < p and node_logp[node] > -np.inf:
                        sc = opened_score[k] + best[a, p] + node_logp[node]
                        r = opened[2, k]
                        if bn < 0 or _beats(sc, node_words[node], r, bs, bw, br,
                                            rec[0], rec[1], buf_a, buf_b):
                            bs, bw, bn, br = sc, node_words[node], node, r
                if bn < 0:
                    best[i, p] = null_score * (p - i - 1)
                else:
                    best[i, p] = bs
                    bnode[i, p] = bn
                    brec[i, p] = br
            if p == n:
                break
            # (B) placeholders that begin at p.
            for k in range(n_c):
                x = x_child[closed[cn, k]]
                if x >= 0:
                    if n_o == cap_open:
                        return -1
                    opened[0, n_o] = x
                    opened[1, n_o] = p
                    opened[2, n_o] = closed[cn + 1, k]
                    opened_score[n_o] = closed_score[cur, k]
                    n_o += 1
            # (C) the word at p, matched after a word or closing a placeholder; the
            # states at p + 1 go to the other rows.
            nxt = 1 - cur
            dn = 2 * nxt
            w = sent[p]
            n_d = 0
            if w >= 0:
                for k in range(n_c + n_o):
                    if k < n_c:
                        node = closed[cn, k]
                        sc = closed_score[cur, k]
                        parent = closed[cn + 1, k]
                    else:
                        a = opened[1, k - n_c]
                        if a >= p:
                            continue
                        node = opened[0, k - n_c]
                        sc = opened_score[k - n_c] + best[a, p]
                        parent = opened[2, k - n_c]
                    e = _lookup(table, node * (W + 1) + w)
                    if e < 0:
                        continue
                    child = edge_child[e]
                    d = where[child]
                    if d < 0:
                        if n_rec == cap_rec:
                            for q in range(n_d):
                                where[closed[dn, q]] = -1
                            return -1
                        rec[0, n_rec] = p
                        rec[1, n_rec] = parent
                        where[child] = n_d
                        closed[dn, n_d] = child
                        closed[dn + 1, n_d] = n_rec
                        closed_score[nxt, n_d] = sc
                        n_rec += 1
                        n_d += 1
                    elif _beats(sc, np.int64(0), parent, closed_score[nxt, d], np.int64(0),
                                rec[1, closed[dn + 1, d]], rec[0], rec[1], buf_a, buf_b):
                        # Same template prefix, placeholders cut elsewhere: keep the
                        # better one (its record is reused).
                        closed_score[nxt, d] = sc
                        rec[1, closed[dn + 1, d]] = parent
            for k in range(n_d):
                where[closed[dn, k]] = -1
            cur = nxt
            n_c = n_d
            if n_c == 0 and n_o == 0:
                # Nothing can match any longer from i: the remaining spans are null.
                for q in range(p + 1, n + 1):
                    best[i, q] = null_score * (q - i - 1)
                break
    return n_rec


# ---------------------------------------------------------------------------
# Templates as Python objects


def is_trivial(template: Template) -> bool:
    """True for ``X w X``: one word between two placeholders."""
    return len(template) == 3 and template[0] is None and template[2] is None \
        and template[1] is not None


def template_text(template: Template, placeholder: str = "X") -> str:
    """Compact display form, e.g. ``X的X`` (ambiguous when a word is ``X``)."""
    return "".join(placeholder if t is None else t for t in template)


def make_template(tokens: Iterable) -> Template:
    """Validate tokens (words and None) into a template tuple; consecutive
    placeholders collapse into one.

    Raises
    ------
    InputError
        When a token is not None or a non-empty str without whitespace, or when the
        template has no word.
    """
    out = []
    for t in tokens:
        if t is None:
            if not out or out[-1] is not None:
                out.append(None)
            continue
        if not isinstance(t, str) or not t or _WHITESPACE.search(t):
            raise InputError(f"a template word must be a non-empty str without whitespace, "
                             f"not {t!r}")
        out.append(t)
    if all(t is None for t in out):
        raise InputError("a template needs at least one word")
    return tuple(out)


def _tie_key(template: Template) -> tuple:
    # order of templates of equal count: by their words, a placeholder first
    return tuple(["" if x is None else x for x in template])


def _encode_token(t) -> str:
    if t is None:
        return "X"
    if t == "X" or t.startswith("\\"):
        return "\\" + t
    return t


def _decode_token(s: str):
    if s == "X":
        return None
    if s.startswith("\\"):
        return s[1:]
    return s


class TemplateSet(Mapping):
    """Templates with their counts: a read-only mapping ``template -> count``.

    A template is a tuple of words (str) and placeholders (None), e.g.
    ``(None, "的", None)``. Iteration goes from the most frequent template to the
    least (ties by display text).

    Parameters
    ----------
    templates : mapping or iterable of (template, count)
        Templates (any iterable of tokens; validated by :func:`make_template`) and
        positive integer counts. Repeated templates have their counts added.
    """

    def __init__(self, templates: Mapping | Iterable | None = None):
        counts: dict = {}
        if templates is not None:
            items = templates.items() if isinstance(templates, Mapping) else templates
            for t, c in items:
                t = make_template(t)
                if isinstance(c, bool) or not isinstance(c, (int, np.integer)) or c <= 0:
                    raise InputError(f"the count of template {template_text(t)!r} must be a "
                                     f"positive integer, not {c!r}")
                counts[t] = counts.get(t, 0) + int(c)
        order = sorted(counts, key=_tie_key)
        order.sort(key=counts.__getitem__, reverse=True)
        self._counts = {t: counts[t] for t in order}

    def __getitem__(self, template) -> int:
        return self._counts[tuple(template)]

    def __iter__(self) -> Iterator[Template]:
        return iter(self._counts)

    def __len__(self) -> int:
        return len(self._counts)

    def __repr__(self) -> str:
        head = ", ".join(f"{template_text(t)}: {c}" for t, c in list(self._counts.items())[:5])
        return f"TemplateSet({len(self)} templates: {head}{', ...' if len(self) > 5 else ''})"

    @property
    def total(self) -> int:
        """Sum of the counts."""
        return sum(self._counts.values())

    def most_common(self, n: int | None = None) -> list[tuple[Template, int]]:
        """``(template, count)`` pairs, most frequent first (all, or the first `n`)."""
        items = list(self._counts.items())
        return items if n is None else items[:n]

    def nontrivial(self) -> "TemplateSet":
        """The templates that are not trivial (see :func:`is_trivial`)."""
        return TemplateSet({t: c for t, c in self._counts.items() if not is_trivial(t)})

    def save(self, path) -> None:
        """Write the template file (see the module docstring), atomically.

        Parameters
        ----------
        path : str or os.PathLike
            Destination; ``"-"`` writes to standard output.
        """
        lines = [FILE_HEADER]
        for t, c in self._counts.items():
            line = " ".join(map(_encode_token, t)) + f"\t{c}"
            lines.append(line + "\ttrivial" if is_trivial(t) else line)
        text = "\n".join(lines) + "\n"
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise FormatError("cannot save templates: a word is not encodable in UTF-8") from None
        with atomic_write(path) as f:
            f.write(text)

    @classmethod
    def load(cls, path) -> "TemplateSet":
        """Read a template file written by :meth:`save`.

        Raises
        ------
        InputError
            When the file is missing or unreadable.
        FormatError
            When it is not a template file: no header, invalid UTF-8, binary data, a
            line without a template and a positive count, a wrong ``trivial`` mark, a
            repeated template, or no template at all.
        """
        from .lexicon import _read_bytes

        name, data = _read_bytes(path)
        if b"\x00" in data:
            raise FormatError(f"{name}: NUL byte: this is a binary file, not templates")
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise FormatError(f"{name}, line {line}: invalid UTF-8 at byte offset "
                              f"{exc.start}") from None
        lines = text.splitlines()
        if not lines or lines[0].strip() != FILE_HEADER:
            raise FormatError(f"{name}: not a template file (the first line must be "
                              f"{FILE_HEADER!r})")
        counts = {}
        for number, line in enumerate(lines[1:], start=2):
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.split("\t")
            where = f"{name}, line {number}"
            if len(fields) not in (2, 3) or (len(fields) == 3 and fields[2] != "trivial"):
                raise FormatError(f"{where}: expected 'template<TAB>count[<TAB>trivial]'")
            tokens = [_decode_token(s) for s in fields[0].split(" ")]
            if any(t == "" for t in tokens) or not any(t is not None for t in tokens) or any(
                    a is None and b is None for a, b in zip(tokens, tokens[1:])):
                raise FormatError(f"{where}: bad template {fields[0]!r} (words separated by "
                                  f"single spaces, X a placeholder, at least one word)")
            t = tuple(tokens)
            if not fields[1].isascii() or not fields[1].isdigit() or int(fields[1]) <= 0:
                raise FormatError(f"{where}: the count must be a positive integer, "
                                  f"not {fields[1]!r}")
            if (len(fields) == 3) != is_trivial(t):
                raise FormatError(f"{where}: the 'trivial' mark does not fit the template")
            if t in counts:
                raise FormatError(f"{where}: template {fields[0]!r} is repeated")
            counts[t] = int(fields[1])
        if not counts:
            raise FormatError(f"{name}: no templates in the file")
        return cls(counts)


# ---------------------------------------------------------------------------
# Mining


def _as_tokenizer(tokenizer):
    from .tokenizer import Tokenizer

    if tokenizer is None or isinstance(tokenizer, Tokenizer):
        return tokenizer
    return Tokenizer(tokenizer)


class TemplateFinder:
    """Mine sentence templates from text by skip-gram PMI (design notes, section 5).

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

    def __init__(self, tokenizer=None, window: int = 5, min_proba: float = 1e-5,
                 min_pmi: float = 2.0, max_paths: int = 1000):
        if isinstance(window, bool) or not isinstance(window, int) or not 1 <= window <= 1000:
            raise InputError(f"window must be an integer from 1 to 1000, not {window!r}")
        if not 0 <= min_proba < 1:
            raise InputError(f"min_proba must be in [0, 1), not {min_proba!r}")
        if not isinstance(max_paths, int) or max_paths < 1:
            raise InputError(f"max_paths must be a positive integer, not {max_paths!r}")
        self.tokenizer = _as_tokenizer(tokenizer)
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
            self.tokenizer = _as_tokenizer(_default_lexicon())
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
        ends = self.tokenizer._ends_of(cps)
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
        starts, ends, other_space = _split_words(cps, _IS_SPACE)
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
        n_pairs = int(_n_pairs(bounds, self.window))
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
        kept = _build_index(a.astype(np.int64) * V + b)
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
        result = TemplateSet.__new__(TemplateSet)
        order = sorted(out, key=_tie_key)
        order.sort(key=out.__getitem__, reverse=True)
        result._counts = {t: out[t] for t in order}
        return result


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
            if not isinstance(w, str) or not w or _WHITESPACE.search(w):
                raise InputError(f"a word must be a non-empty str without whitespace, "
                                 f"not {w!r}")


def _default_lexicon():
    from .lexicon import Lexicon

    return Lexicon.load_jieba_default()


def find_templates(texts: Iterable[str] | str, tokenizer=None, **params) -> TemplateSet:
    """Mine templates from raw text in one call: ``TemplateFinder(tokenizer,
    **params).train(texts).find()``."""
    return TemplateFinder(tokenizer, **params).train(texts).find()


# ---------------------------------------------------------------------------
# Parsing


@dataclass
class SentTree:
    """A parsed span: the template that covers it and the sub-spans under its
    placeholders, or (``template`` None) a span that no template covers.

    Attributes
    ----------
    words : list of str
        The words of the span.
    start, end : int
        Word positions of the span in the sentence.
    template : tuple or None
        The template (words and None placeholders), or None.
    children : list of SentTree
        One per placeholder of the template, in order.
    score : float
        Score of the best structure of the span.
    """

    words: list
    start: int
    end: int
    template: tuple | None
    children: list = field(default_factory=list)
    score: float = 0.0

    @property
    def text(self) -> str:
        return "".join(self.words)

    def label(self) -> str:
        """One line: the template with each placeholder's text in parentheses, e.g.
        ``(鸡蛋)可以(吃)吗``; a span without template shows its words separated by
        spaces."""
        if self.template is None:
            return " ".join(self.words)
        out = []
        k = 0
        for t in self.template:
            if t is None:
                out.append("(" + self.children[k].text + ")")
                k += 1
            else:
                out.append(t)
        return "".join(out)

    def render(self, indent: str = "  ") -> str:
        """Indented text tree: the label of each span, the spans under its
        placeholders beneath it, one level deeper."""
        lines: list[str] = []
        self._render(lines, "", indent)
        return "\n".join(lines)

    def _render(self, lines, prefix, indent):
        lines.append(prefix + self.label())
        for c in self.children:
            c._render(lines, prefix + indent, indent)

    def to_dict(self) -> dict:
        """JSON-ready nested dict: text, template (list, null for a placeholder, or
        null), words (for a span without template), start, end, score, children."""
        d = {"text": self.text, "start": self.start, "end": self.end,
             "template": None if self.template is None else list(self.template),
             "score": round(self.score, 6) + 0.0}
        if self.template is None:
            d["words"] = list(self.words)
        else:
            d["children"] = [c.to_dict() for c in self.children]
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)

    def __str__(self) -> str:
        return self.render()


class Parser:
    """Sentence structure from templates (design notes, section 5).

    Parameters
    ----------
    templates : TemplateSet, mapping or str
        Templates with counts, or the path of a template file.
    tokenizer : Tokenizer, Lexicon, mapping, str or None
        Segmenter for :meth:`parse` (None: jieba's dictionary, loaded when first
        needed); :meth:`parse_words` needs none.
    null_score : float
        Score per word boundary of a span that no template covers (default -20).
    trivial : bool
        Use the trivial templates ``X w X`` too (default False: they match nearly
        everything and say nothing about structure).

    Examples
    --------
    >>> p = Parser({(None, "可以", None, "吗"): 5, (None, "的", None): 9})
    >>> print(p.parse_words(["鸡蛋", "可以", "吃", "吗"]).render())
    (鸡蛋)可以(吃)吗
      鸡蛋
      吃
    """

    def __init__(self, templates, tokenizer=None, null_score: float = -20.0,
                 trivial: bool = False):
        if isinstance(templates, (str, os.PathLike)):
            templates = TemplateSet.load(templates)
        elif not isinstance(templates, TemplateSet):
            templates = TemplateSet(templates)
        if not trivial:
            templates = templates.nontrivial()
        if not len(templates):
            raise InputError("no templates to parse with")
        self.templates = templates
        self.tokenizer = _as_tokenizer(tokenizer)
        self.null_score = float(null_score)
        self._compile()

    def _compile(self) -> None:
        """Trie of the templates in flat arrays: edges (node, token) in an
        open-addressing table, placeholder children in a direct array."""
        vocab: dict[str, int] = {}
        for t in self.templates:
            for w in t:
                if w is not None:
                    vocab.setdefault(w, len(vocab))
        W = len(vocab)
        total = self.templates.total
        log_total = math.log(total)
        edges: dict[tuple[int, int], int] = {}
        x_child = [-1]
        logp = [-math.inf]
        words = [0]
        template_of = {}
        for t, c in self.templates.items():
            node = 0
            for w in t:
                if w is None:
                    nxt = x_child[node]
                    if nxt < 0:
                        nxt = len(x_child)
                        x_child[node] = nxt
                else:
                    key = (node, vocab[w])
                    nxt = edges.get(key, -1)
                    if nxt < 0:
                        nxt = len(x_child)
                        edges[key] = nxt
                if nxt == len(x_child):
                    x_child.append(-1)
                    logp.append(-math.inf)
                    words.append(words[node] + (w is not None))
                node = nxt
            logp[node] = math.log(c) - log_total
            template_of[node] = t
        keys = np.array([n * (W + 1) + w for n, w in edges], dtype=np.int64)
        self._table = _build_index(keys)
        self._edge_child = np.array(list(edges.values()), dtype=np.int64)
        self._x_child = np.array(x_child, dtype=np.int64)
        self._logp = np.array(logp, dtype=np.float64)
        self._node_words = np.array(words, dtype=np.int64)
        self._vocab = vocab
        self._W = W
        self._template_of = template_of
        # Workspace of the kernel, reused by every call: closed states (at most one per
        # trie node at a position; two positions), open states and word records, the
        # last two grown when a sentence needs more.
        n_nodes = len(x_child)
        self._work = (np.full(n_nodes, -1, dtype=np.int64),
                      np.empty((4, n_nodes), dtype=np.int64), np.empty((2, n_nodes)),
                      np.empty((3, 1024), dtype=np.int64), np.empty(1024),
                      np.empty((2, 4096), dtype=np.int64))

    def parse(self, sentence: str) -> SentTree:
        """Segment `sentence` (whitespace dropped) and parse its words."""
        if not isinstance(sentence, str):
            raise TypeError(f"expected a str, not {type(sentence).__name__}")
        if self.tokenizer is None:
            self.tokenizer = _as_tokenizer(_default_lexicon())
        return self.parse_words([w for w in self.tokenizer.lcut(sentence) if w.strip()])

    def parse_words(self, words: list[str]) -> SentTree:
        """Best structure of a segmented sentence.

        Returns
        -------
        SentTree
            The root covers all words (an empty list gives an empty span).
        """
        words = list(words)
        if not words:
            return SentTree([], 0, 0, None, [], 0.0)
        get = self._vocab.get
        sent = np.fromiter((get(w, -2) if isinstance(w, str) else _bad_word(w) for w in words),
                           dtype=np.int64, count=len(words))
        n = len(words)
        best = np.empty((n + 1, n + 1))
        bnode = np.empty((n + 1, n + 1), dtype=np.int64)
        brec = np.empty((n + 1, n + 1), dtype=np.int64)
        while True:
            n_rec = _parse_kernel(sent, self._table, self._edge_child, self._x_child,
                                  self._logp, self._node_words, self._W, self.null_score,
                                  *self._work, best, bnode, brec)
            if n_rec >= 0:
                break
            self._grow_workspace()
        rec = self._work[5]
        return self._tree(words, 0, n, best, bnode, brec, rec[0, :n_rec].tolist(),
                          rec[1, :n_rec].tolist())

    def _grow_workspace(self) -> None:
        where, closed, closed_score, opened, opened_score, rec = self._work
        opened = np.concatenate((opened, np.empty_like(opened)), axis=1)
        opened_score = np.concatenate((opened_score, np.empty_like(opened_score)))
        rec = np.concatenate((rec, np.empty_like(rec)), axis=1)
        self._work = (where, closed, closed_score, opened, opened_score, rec)

    def _tree(self, words, i, j, best, bnode, brec, rec_pos, rec_parent) -> SentTree:
        node = int(bnode[i, j])
        if node < 0:
            return SentTree(words[i:j], i, j, None, [], float(best[i, j]))
        positions = []
        r = int(brec[i, j])
        while r >= 0:
            positions.append(rec_pos[r])
            r = rec_parent[r]
        positions.reverse()
        marks = [i - 1] + positions + [j]
        children = [self._tree(words, a + 1, b, best, bnode, brec, rec_pos, rec_parent)
                    for a, b in zip(marks, marks[1:]) if b > a + 1]
        return SentTree(words[i:j], i, j, self._template_of[node], children, float(best[i, j]))


def _bad_word(w):
    raise TypeError(f"words must be str, not {type(w).__name__}")
