"""A segmenter trained from a dictionary alone: a B/M/E/S character tagger.

A lexicon lookup cannot segment a word it has never seen. Text written by drawing
words at random in proportion to their counts is exactly the world a unigram
segmenter believes in; a character tagger trained on such pseudo-sentences learns to
segment like the lexicon would, and, unlike a lookup, generalises to unseen words from
their characters (see the Segmentation page of the documentation).

The pieces, all in Numba:

* sampling: pseudo-sentences of 1 to `max_words` words (at most `max_chars`
  characters) drawn with probability proportional to the counts, from a SplitMix64
  generator, so a seed reproduces the samples on every platform;
* features: character unigrams, bigrams, a skip bigram and a trigram in a window of
  +-2 around each character, hashed into a fixed table of ``2**bits`` rows of four
  weights (one per tag), so the model's size is bounded whatever the lexicon;
* learning: an averaged structured perceptron over the tag sequence, decoded with
  Viterbi under the legal transitions only (B->M, B->E, M->M, M->E, E->B, E->S,
  S->B, S->S; start with B or S, end with E or S);
* segmenting: only runs of Han characters are tagged; digit and Latin atoms and every
  other character are tokens exactly as in :class:`~nlpzero.segmentation.Tokenizer`, so
  training (pure Han pseudo-sentences) and use match. Runs are tagged in parallel.
* combination: with ``dict_weight > 0`` a word lattice where every span of up to
  `max_word_len` characters and every lexicon word compete with the score the tagger
  gives the span plus ``dict_weight`` times the word's unigram log-probability; the
  lexicon abstains on a span it does not know (it scores the span like its characters
  as single words), so the tagger alone decides whether an unknown word is one.

Models are saved as ``.npz`` (no pickle) holding a JSON header with a format version,
the feature set and the hyper-parameters, the weights, and the lexicon used for the
combination.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
from typing import Callable, Mapping

import numpy as np

from .._jit import njit, njit_inner
from .._kernels.arrays import new_array
from .._validation import check_int
from .._io import atomic_write
from ..corpus import CHAR_CLASS, HAN, NUMBER_UNIT, RUN_PUNCT, code_points
from ..errors import FormatError, InputError
from ..lexicon import Lexicon
from .._kernels.chars import IS_INTERPUNCT
from .._kernels.tokens import join_dotted_names_of, token_end, trie_child
from .tokenizer import Tokenizer

logger = logging.getLogger(__name__)

#: Tags.
B, M, E, S = 0, 1, 2, 3
TAGS = "BMES"
#: Padding symbols beyond the last code point, for positions outside a run.
_BOS = 0x110000
_EOS = 0x110001
#: Number of feature templates (see :func:`_features`).
N_FEATURES = 12
#: Name of the feature set, stored in the model header.
FEATURE_SET = "han-window2-v1"
FORMAT = "nlpzero-segmenter"
FORMAT_VERSION = 1

_NEG = -1e30  # score of an illegal transition (finite, so sums stay ordered)

_U64 = 0xFFFFFFFFFFFFFFFF


def _legal_transitions() -> np.ndarray:
    legal = np.zeros((4, 4), dtype=np.bool_)
    for a, b in ("BM", "BE", "MM", "ME", "EB", "ES", "SB", "SS"):
        legal[TAGS.index(a), TAGS.index(b)] = True
    return legal


#: LEGAL[a, b]: tag b may follow tag a.
LEGAL = _legal_transitions()


# ---------------------------------------------------------------------------
# Random numbers and hashing (SplitMix64; unsigned arithmetic wraps by definition)


@njit_inner
def _mix(z):
    z = np.uint64(z)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@njit_inner
def _next(state):
    """Advance the generator held in state[0]; return 64 random bits."""
    state[0] = state[0] + np.uint64(0x9E3779B97F4A7C15)
    return _mix(state[0])


# ---------------------------------------------------------------------------
# Sampling pseudo-sentences


@njit(cache=True)
def _sample(cum, word_cps, word_offsets, n_samples, max_words, max_chars, state,
            out_cps, out_tags, sent_ends):
    """Write `n_samples` tagged pseudo-sentences; return the number of characters.

    cum: cumulative word counts (float64); word w is word_cps[word_offsets[w]:
    word_offsets[w + 1]]. A sentence has 1 + (r % max_words) draws and stops before a
    word that would take it past `max_chars` (its first word is always kept).
    """
    total = cum[len(cum) - 1]
    n_words = len(cum)
    k = 0
    for s in range(n_samples):
        n_draws = 1 + np.int64(_next(state) % np.uint64(max_words))
        length = 0
        for d in range(n_draws):
            u = np.float64(_next(state) >> np.uint64(11)) * (1.0 / 9007199254740992.0) * total
            # The first w with cum[w] > u (np.searchsorted side="right", which takes
            # longer to compile than this loop).
            lo = 0
            hi = n_words
            while lo < hi:
                mid = (lo + hi) // 2
                if cum[mid] > u:
                    hi = mid
                else:
                    lo = mid + 1
            w = lo
            if w >= n_words:
                w = n_words - 1
            a = word_offsets[w]
            b = word_offsets[w + 1]
            if d > 0 and length + (b - a) > max_chars:
                break
            for i in range(a, b):
                out_cps[k] = word_cps[i]
                if b - a == 1:
                    out_tags[k] = S
                elif i == a:
                    out_tags[k] = B
                elif i == b - 1:
                    out_tags[k] = E
                else:
                    out_tags[k] = M
                k += 1
            length += b - a
        sent_ends[s] = k
    return k


class _SampleSource:
    """The words of a lexicon that can be sampled, as arrays, and a generator state."""

    def __init__(self, lexicon: Lexicon, seed: int, power: float = 1.0):
        words, counts = lexicon.to_arrays(sort=True)
        keep = [i for i, w in enumerate(words) if counts[i] > 0 and _all_han(w)]
        if not keep:
            raise InputError("the lexicon has no word of Han characters with a positive count")
        self.words = [words[i] for i in keep]
        weights = counts[keep].astype(np.float64) ** power
        self.cum = np.cumsum(weights)
        self.word_cps = code_points("".join(self.words)).astype(np.int64)
        lens = np.fromiter(map(len, self.words), dtype=np.int64, count=len(self.words))
        self.word_offsets = np.concatenate(([0], np.cumsum(lens)))
        self.longest = int(lens.max())
        self.state = np.array([seed & _U64], dtype=np.uint64)

    def draw(self, n_samples: int, max_words: int, max_chars: int):
        """The next `n_samples` sentences: code points, tags, and sentence end offsets."""
        cap = n_samples * max(max_chars, self.longest)
        cps = np.empty(cap, dtype=np.int64)
        tags = np.empty(cap, dtype=np.int8)
        ends = np.empty(n_samples, dtype=np.int64)
        k = _sample(self.cum, self.word_cps, self.word_offsets, n_samples, max_words,
                    max_chars, self.state, cps, tags, ends)
        return cps[:k], tags[:k], ends


def _all_han(word: str) -> bool:
    return all(CHAR_CLASS[ord(c)] == HAN for c in word)


def sample_sentences(lexicon: Lexicon | Mapping[str, int] | str, n_samples: int, seed: int = 0,
                     max_words: int = 16, max_chars: int = 48,
                     power: float = 1.0) -> list[tuple[list[str], str]]:
    """Draw tagged pseudo-sentences from a lexicon with counts.

    Parameters
    ----------
    lexicon : Lexicon, mapping or str
        Word counts, or the path of a lexicon file. Words with a character that is
        not Han (digits, Latin letters, symbols) are left out, as the tagger only
        ever sees runs of Han characters.
    n_samples : int
        Number of sentences.
    seed : int, default 0
        Seed of the generator: the same seed gives the same sentences.
    max_words : int, default 16
        A sentence has 1 to `max_words` words, uniformly.
    max_chars : int, default 48
        A sentence stops before a word that would take it past this length.
    power : float, default 1.0
        Words are drawn in proportion to ``count ** power``.

    Returns
    -------
    list of (words, tags)
        The words of each sentence and its B/M/E/S tag string.

    Examples
    --------
    >>> sents = sample_sentences({"中国": 3, "人民": 2, "的": 5}, 2, seed=1)
    >>> all(len("".join(w)) == len(t) for w, t in sents)
    True
    """
    lexicon = _as_lexicon(lexicon)
    check_int("n_samples", n_samples, 0)
    check_int("max_words", max_words, 1)
    check_int("max_chars", max_chars, 1)
    if n_samples == 0:
        return []
    source = _SampleSource(lexicon, _check_seed(seed), power)
    cps, tags, ends = source.draw(n_samples, max_words, max_chars)
    text = cps.astype("<u4").tobytes().decode("utf-32-le")
    tag_str = "".join(TAGS[t] for t in tags.tolist())
    out = []
    start = 0
    for end in ends.tolist():
        t = tag_str[start:end]
        out.append((_words_from_tags(text[start:end], t), t))
        start = end
    return out


def _words_from_tags(text: str, tags: str) -> list[str]:
    words, start = [], 0
    for i, t in enumerate(tags):
        if t in "ES":
            words.append(text[start:i + 1])
            start = i + 1
    if start < len(text):
        words.append(text[start:])
    return words


# ---------------------------------------------------------------------------
# Features


@njit_inner
def _hash(template, x, y, z, shift):
    """Row of the weight table for a feature: template id and up to three symbols."""
    h = _mix((np.uint64(template) << np.uint64(42)) | (np.uint64(x) << np.uint64(21))
             | np.uint64(y))
    if z >= 0:
        h = _mix(h ^ np.uint64(z))
    return np.int64(h >> np.uint64(shift))


@njit_inner
def _position_rows(cps, i, a, b, shift, out):
    """Rows of the N_FEATURES features of position i of the run cps[a:b] into out[0:12]:
    unigrams at -2..+2, bigrams (-2,-1) (-1,0) (0,1) (1,2), the skip bigram (-1,+1), the
    trigram (-1,0,+1) and a bias. Outside the run the symbols are BOS/EOS."""
    p2 = cps[i - 2] if i - 2 >= a else _BOS
    p1 = cps[i - 1] if i - 1 >= a else _BOS
    c0 = cps[i]
    n1 = cps[i + 1] if i + 1 < b else _EOS
    n2 = cps[i + 2] if i + 2 < b else _EOS
    # Template ids and 0 / -1 as int64 values, not literals: literals would make a
    # specialisation of _hash per call.
    t = np.int64(0)
    zero = np.int64(0)
    none = np.int64(-1)
    out[0] = _hash(t, p2, zero, none, shift)
    out[1] = _hash(t + 1, p1, zero, none, shift)
    out[2] = _hash(t + 2, c0, zero, none, shift)
    out[3] = _hash(t + 3, n1, zero, none, shift)
    out[4] = _hash(t + 4, n2, zero, none, shift)
    out[5] = _hash(t + 5, p2, p1, none, shift)
    out[6] = _hash(t + 6, p1, c0, none, shift)
    out[7] = _hash(t + 7, c0, n1, none, shift)
    out[8] = _hash(t + 8, n1, n2, none, shift)
    out[9] = _hash(t + 9, p1, n1, none, shift)
    out[10] = _hash(t + 10, p1, c0, n1, shift)
    out[11] = _hash(t + 11, zero, zero, none, shift)


@njit_inner
def _features(cps, a, b, shift, out):
    """Rows of the features of every position of the run cps[a:b] into out[0:b-a]."""
    for i in range(a, b):
        _position_rows(cps, i, a, b, shift, out[i - a])


@njit_inner
def _run_emissions(cps, a, b, shift, weights, buf, out):
    """Emission scores of the positions of the run cps[a:b] into out[0:b-a], without
    storing the feature rows (buf: scratch for one position's rows)."""
    for i in range(a, b):
        _position_rows(cps, i, a, b, shift, buf)
        r = i - a
        for t in range(4):
            out[r, t] = 0.0
        for f in range(N_FEATURES):
            row = buf[f]
            for t in range(4):
                out[r, t] += weights[row, t]


@njit_inner
def _emissions(rows, n, weights, out):
    for r in range(n):
        for t in range(4):
            out[r, t] = 0.0
        for f in range(rows.shape[1]):
            row = rows[r, f]
            for t in range(4):
                out[r, t] += weights[row, t]


# ---------------------------------------------------------------------------
# Viterbi under the legal transitions


@njit_inner
def _viterbi(emis, n, trans, legal, score, back, tags):
    """Best legal tag sequence for emis[0:n] into tags[0:n]; return its score."""
    for t in range(4):
        score[0, t] = emis[0, t] if (t == B or t == S) else _NEG
    for i in range(1, n):
        for t in range(4):
            best = _NEG * 2
            arg = 0
            for p in range(4):
                if legal[p, t]:
                    s = score[i - 1, p] + trans[p, t]
                    if s > best:
                        best = s
                        arg = p
            score[i, t] = best + emis[i, t]
            back[i, t] = arg
    # A sequence ends with E or S (a single character can only be S).
    last = S if n == 1 or score[n - 1, S] >= score[n - 1, E] else E
    total = score[n - 1, last]
    tags[n - 1] = last
    for i in range(n - 1, 0, -1):
        tags[i - 1] = back[i, tags[i]]
    return total


# ---------------------------------------------------------------------------
# Averaged structured perceptron


@njit(cache=True)
def _train_chunk(cps, gold, sent_ends, weights, wsum, trans, tsum, legal, shift, step,
                 scores):
    """One perceptron pass over the sentences; return (new step, wrong sentences).

    `wsum`/`tsum` accumulate step * update, so that the averaged weights are
    ``weights - wsum / step`` at the end (the usual trick that avoids touching every
    weight at every step).

    When `scores` has rows (one per position of the sentences), nothing is learned:
    the emission scores of every position under `weights` are written to it (the
    model's spread after training; this kernel rather than one of its own, which a
    first run would compile for that alone).
    """
    scoring = len(scores) > 0
    longest = 1
    start = 0
    for s in range(len(sent_ends)):
        if sent_ends[s] - start > longest:
            longest = sent_ends[s] - start
        start = sent_ends[s]
    rows = new_array((longest, N_FEATURES), np.int64)
    emis = new_array((longest, 4), np.float64)
    score = new_array((longest, 4), np.float64)
    # int8 as in tagging (_tag_runs): one specialisation of _viterbi for both.
    back = new_array((longest, 4), np.int8)
    back[:] = 0
    pred = new_array(longest, np.int8)
    wrong = 0
    start = np.int64(0)  # int64, not a literal 0: one specialisation of the callees
    for s in range(len(sent_ends)):
        end = sent_ends[s]
        n = end - start
        if n > 0 and scoring:
            _features(cps, start, end, shift, rows)
            _emissions(rows, n, weights, emis)
            for r in range(n):  # loops: a slice assignment compiles slowly
                for t in range(4):
                    scores[start + r, t] = emis[r, t]
        elif n > 0:
            _features(cps, start, end, shift, rows)
            _emissions(rows, n, weights, emis)
            _viterbi(emis, n, trans, legal, score, back, pred)
            differs = False
            for i in range(n):
                if pred[i] != gold[start + i]:
                    differs = True
                    break
            if differs:
                wrong += 1
                c = np.float64(step)
                for i in range(n):
                    g = gold[start + i]
                    p = pred[i]
                    if g != p:
                        for f in range(N_FEATURES):
                            row = rows[i, f]
                            weights[row, g] += 1.0
                            wsum[row, g] += c
                            weights[row, p] -= 1.0
                            wsum[row, p] -= c
                    if i > 0:
                        g0 = gold[start + i - 1]
                        p0 = pred[i - 1]
                        if g0 != p0 or g != p:
                            trans[g0, g] += 1.0
                            tsum[g0, g] += c
                            trans[p0, p] -= 1.0
                            tsum[p0, p] -= c
        step += 1
        start = end
    return step, wrong


# ---------------------------------------------------------------------------
# Segmenting text


@njit(cache=True)
def _scan(cps, char_class, number_unit, run_punct, cut, run_starts, run_ends):
    """Mark token ends outside Han runs in `cut` (cut[i]: a token ends after i), with
    the Tokenizer's own rule for them (:func:`nlpzero._kernels.tokens.token_end`: atoms with
    their units, punctuation runs); record the Han runs. Returns the number of runs."""
    n = len(cps)
    r = 0
    i = np.int64(0)  # int64, not a literal 0: one specialisation of the callees
    while i < n:
        if char_class[cps[i]] == HAN:
            j = i
            while j < n and char_class[cps[j]] == HAN:
                j += 1
            run_starts[r] = i
            run_ends[r] = j
            r += 1
        else:
            j = token_end(cps, i, char_class, number_unit, run_punct)
        cut[j - 1] = True
        i = j
    return r


@njit_inner
def _block_of_runs(run_starts, run_ends, blk, n_blocks):
    """The runs [lo, hi) of block `blk` of `n_blocks` contiguous blocks, and the length
    of the longest of them (at least 1): the size of the block's buffers."""
    n_runs = len(run_starts)
    lo = n_runs * blk // n_blocks
    hi = n_runs * (blk + 1) // n_blocks
    longest = 1
    for r in range(lo, hi):
        if run_ends[r] - run_starts[r] > longest:
            longest = run_ends[r] - run_starts[r]
    return lo, hi, longest


@njit(cache=True, nogil=True)
def _tag_runs(cps, run_starts, run_ends, n_blocks, weights, trans, legal, shift, cut):
    """Segment every Han run (cps[run_starts[r]:run_ends[r]]) by setting `cut` inside
    it, along the tagger's Viterbi path. Runs are split into `n_blocks` contiguous
    blocks, each with its own buffers. The kernel releases the GIL: callers run it on
    disjoint slices of the runs in threads (:func:`_run_parallel`)."""
    for blk in range(n_blocks):
        lo, hi, longest = _block_of_runs(run_starts, run_ends, blk, n_blocks)
        buf = new_array(N_FEATURES, np.int64)
        emis = new_array((longest, 4), np.float64)
        score = new_array((longest, 4), np.float64)
        back = new_array((longest, 4), np.int8)
        back[:] = 0
        tags = new_array(longest, np.int8)
        for r in range(lo, hi):
            a = run_starts[r]
            b = run_ends[r]
            n = b - a
            _run_emissions(cps, a, b, shift, weights, buf, emis)
            _viterbi(emis, n, trans, legal, score, back, tags)
            for i in range(n):
                if tags[i] == E or tags[i] == S:
                    cut[a + i] = True


@njit(cache=True, nogil=True)
def _lattice_runs(cps, run_starts, run_ends, n_blocks, weights, trans, shift, dict_weight,
                  max_word_len, table, root, node_logp, unk_logp, cut):
    """As :func:`_tag_runs`, the word lattice of :func:`_lattice_run` deciding (a
    kernel of its own, so that a model compiles only the path it takes)."""
    for blk in range(n_blocks):
        lo, hi, longest = _block_of_runs(run_starts, run_ends, blk, n_blocks)
        buf = new_array(N_FEATURES, np.int64)
        emis = new_array((longest, 4), np.float64)
        prefix = new_array(longest + 1, np.float64)
        chars = new_array(longest + 1, np.float64)
        best = new_array((longest + 1, 2), np.float64)
        arg = new_array((longest + 1, 2), np.int64)
        for r in range(lo, hi):
            a = run_starts[r]
            b = run_ends[r]
            _run_emissions(cps, a, b, shift, weights, buf, emis)
            _lattice_run(cps, a, b, emis, trans, dict_weight, max_word_len, table, root,
                         node_logp, unk_logp, prefix, chars, best, arg, cut)


@njit_inner
def _span_score(emis, prefix, trans, i, j):
    """Tagger score of the word emis[i:j] (tags S, or B M..M E) with its inner
    transitions. prefix[k] = sum of the M emissions of positions < k."""
    length = j - i
    if length == 1:
        return emis[i, S]
    s = emis[i, B] + emis[j - 1, E] + prefix[j - 1] - prefix[i + 1]
    if length == 2:
        return s + trans[B, E]
    return s + trans[B, M] + (length - 3) * trans[M, M] + trans[M, E]


@njit_inner
def _lattice_run(cps, a, b, emis, trans, dict_weight, max_word_len, table, root, node_logp,
                 unk_logp, prefix, chars, best, arg, cut):
    """Best segmentation of the run cps[a:b] in the word lattice.

    A word w = cps[a+i:a+j] scores tagger(w) + dict_weight * lex(w), where lex is the
    unigram log-probability of a lexicon word, and for any other span the sum of its
    characters' log-probabilities as single words (`unk_logp` for a character that is
    not one, as in the Tokenizer); candidates are every span of up to `max_word_len`
    characters and every lexicon word. `chars` is scratch for prefix sums. The
    transition into a word depends on whether the word before it was a single
    character, so the programme keeps two states per position: best[j, 0] (the word
    ending at j has several characters, last tag E) and best[j, 1] (tag S).
    """
    n = b - a
    prefix[0] = 0.0
    chars[0] = 0.0
    for k in range(n):
        prefix[k + 1] = prefix[k] + emis[k, M]
        node = root[cps[a + k]]
        lp = node_logp[node] if node >= 0 else -np.inf
        chars[k + 1] = chars[k] + (lp if lp > unk_logp else unk_logp)
    best[0, 0] = 0.0
    best[0, 1] = _NEG
    for j in range(1, n + 1):
        best[j, 0] = _NEG * 4
        best[j, 1] = _NEG * 4
    for i in range(n):
        node = np.int64(0)  # int64, not a literal 0: one specialisation of the callees
        alive = True
        for j in range(i + 1, n + 1):
            # The lexicon knows nothing of an unknown span: it scores it like the span's
            # characters as single words, so the tagger alone decides between the two.
            lex = chars[j] - chars[i]
            known = False
            if alive:
                node = trie_child(table, root, node, cps[a + j - 1])
                if node < 0:
                    alive = False
                elif node_logp[node] > -np.inf:
                    lex = node_logp[node]
                    known = True
            if j - i > max_word_len and not known:
                if not alive:
                    break
                continue
            length = j - i
            first = S if length == 1 else B
            state = 1 if length == 1 else 0
            w = _span_score(emis, prefix, trans, i, j) + dict_weight * lex
            if i == 0:
                s = w
                src = 0
            else:
                from_e = best[i, 0] + trans[E, first]
                from_s = best[i, 1] + trans[S, first]
                src = 0 if from_e >= from_s else 1
                s = (from_e if src == 0 else from_s) + w
            if s > best[j, state]:
                best[j, state] = s
                arg[j, state] = i * 2 + src
    # Backtrack from the better end state.
    j = n
    state = 0 if best[n, 0] > best[n, 1] else 1
    while j > 0:
        cut[a + j - 1] = True
        packed = arg[j, state]
        i = packed // 2
        state = packed % 2
        j = i


# ---------------------------------------------------------------------------
# Public API

#: Defaults of :meth:`Segmenter.train` and of decoding.
DEFAULT_SAMPLES = 2_000_000
DEFAULT_BITS = 21
DEFAULT_DICT_WEIGHT = 0.2
DEFAULT_MAX_WORD_LEN = 8
_CHUNK = 20_000


class Segmenter(Tokenizer):
    """Word segmenter built on a B/M/E/S character tagger trained from a lexicon alone.

    Train one with :meth:`train` (or load one with :meth:`load`); it then segments
    like :class:`~nlpzero.segmentation.Tokenizer` (``cut``, ``lcut``, ``tokenize``,
    ``cut_lines``, ``render_lines``; ``add_word`` and ``load_userdict`` edit the lexicon
    the word lattice uses).

    Parameters
    ----------
    weights : ndarray, shape (2**bits, 4), float32
        Feature weights (averaged perceptron), one column per tag B, M, E, S.
    transitions : ndarray, shape (4, 4)
        Tag transition weights (illegal transitions are never used).
    lexicon : Lexicon, optional
        The lexicon of the word lattice (used when `dict_weight` > 0; without one,
        or when it is empty, the tagger alone segments).
    dict_weight : float, default 0.2
        0 segments with the tagger alone (Viterbi); a positive value segments with
        the word lattice, where each word scores the tagger's score of its span plus
        `dict_weight` times its unigram log-probability.
    max_word_len : int, default 8
        Longest span the lattice proposes that is not a lexicon word.
    n_jobs : int, default 2
        Threads tagging runs in parallel.
    info : dict, optional
        Hyper-parameters and provenance, saved in the model header.

    Examples
    --------
    >>> seg = Segmenter.train({"中国": 50, "人民": 40, "银行": 30, "的": 90, "了": 60},
    ...                       n_samples=2000, bits=16)  # doctest: +SKIP
    >>> seg.lcut("中国人民银行")  # doctest: +SKIP
    ['中国', '人民', '银行']
    """

    def __init__(self, weights: np.ndarray, transitions: np.ndarray, lexicon: Lexicon | None = None,
                 dict_weight: float = DEFAULT_DICT_WEIGHT, max_word_len: int = DEFAULT_MAX_WORD_LEN,
                 n_jobs: int = 2, info: dict | None = None):
        weights = np.ascontiguousarray(weights, dtype=np.float32)
        if weights.ndim != 2 or weights.shape[1] != 4 or weights.shape[0] < 2 \
                or weights.shape[0] & (weights.shape[0] - 1):
            raise InputError(f"weights must have shape (2**bits, 4), not {weights.shape}")
        transitions = np.ascontiguousarray(transitions, dtype=np.float64)
        if transitions.shape != (4, 4):
            raise InputError(f"transitions must have shape (4, 4), not {transitions.shape}")
        super().__init__(lexicon if lexicon is not None else Lexicon(), cache=False)
        self.weights = weights
        self.transitions = transitions
        self.dict_weight = dict_weight
        self.max_word_len = max_word_len
        self.n_jobs = n_jobs
        self.info = dict(info or {})
        self._compiled = None

    # -- properties ------------------------------------------------------------------
    @property
    def bits(self) -> int:
        """log2 of the rows of the weight table."""
        return int(self.weights.shape[0]).bit_length() - 1

    @property
    def dict_weight(self) -> float:
        """Weight of the lexicon's log-probabilities in the word lattice (0: tagger alone)."""
        return self._dict_weight

    @dict_weight.setter
    def dict_weight(self, value: float) -> None:
        value = float(value)
        if not math.isfinite(value) or value < 0:
            raise InputError(f"dict_weight must be a finite number >= 0, not {value}")
        self._dict_weight = value

    @property
    def max_word_len(self) -> int:
        """Longest non-lexicon span the word lattice proposes."""
        return self._max_word_len

    @max_word_len.setter
    def max_word_len(self, value: int) -> None:
        self._max_word_len = check_int("max_word_len", value, 1)

    @property
    def n_jobs(self) -> int:
        """Threads used to tag runs."""
        return self._n_jobs

    @n_jobs.setter
    def n_jobs(self, value: int) -> None:
        self._n_jobs = check_int("n_jobs", value, 1)

    # -- training -----------------------------------------------------------------------
    @classmethod
    def train(cls, lexicon: Lexicon | Mapping[str, int] | str, n_samples: int = DEFAULT_SAMPLES,
              seed: int = 0, bits: int = DEFAULT_BITS, max_words: int = 16, max_chars: int = 48,
              power: float = 1.0, dict_weight: float = DEFAULT_DICT_WEIGHT,
              max_word_len: int = DEFAULT_MAX_WORD_LEN, keep_lexicon: bool = True,
              n_jobs: int = 2, progress: Callable[[int], None] | None = None) -> "Segmenter":
        """Train a tagger on pseudo-sentences sampled from `lexicon`.

        Parameters
        ----------
        lexicon : Lexicon, mapping or str
            Word counts, or the path of a lexicon file (jieba's dict.txt works).
        n_samples : int, default 2,000,000
            Pseudo-sentences to learn from; each is seen once (one pass of the
            averaged perceptron over fresh samples).
        seed : int, default 0
            Seed of the sampler: the same arguments give the same model.
        bits : int, default 21
            The weight table has ``2**bits`` rows of 4 float32 (8 to 26).
        max_words, max_chars, power
            See :func:`sample_sentences`.
        dict_weight, max_word_len, n_jobs
            Decoding settings stored with the model (see :class:`Segmenter`).
        keep_lexicon : bool, default True
            Keep the lexicon in the model for the word lattice.
        progress : callable, optional
            Called with the number of sentences learned after each chunk.

        Returns
        -------
        Segmenter
        """
        lexicon = _as_lexicon(lexicon)
        check_int("n_samples", n_samples, 1)
        check_int("max_words", max_words, 1)
        check_int("max_chars", max_chars, 1)
        if not isinstance(bits, (int, np.integer)) or not 8 <= bits <= 26:
            raise InputError(f"bits must be an integer from 8 to 26, not {bits!r}")
        power = float(power)
        if not math.isfinite(power) or power <= 0:
            raise InputError(f"power must be a positive number, not {power}")
        seed = _check_seed(seed)
        source = _SampleSource(lexicon, seed, power)
        shift = 64 - int(bits)
        weights = np.zeros((1 << bits, 4))
        wsum = np.zeros((1 << bits, 4))
        trans = np.zeros((4, 4))
        tsum = np.zeros((4, 4))
        step = 1
        no_scores = np.empty((0, 4))
        done = 0
        wrong = 0
        while done < n_samples:
            k = min(_CHUNK, n_samples - done)
            cps, tags, ends = source.draw(k, max_words, max_chars)
            step, w = _train_chunk(cps, tags, ends, weights, wsum, trans, tsum, LEGAL, shift,
                                   step, no_scores)
            wrong += w
            done += k
            if progress is not None:
                progress(done)
        # In place: each temporary of the table's size would be fresh memory, which the
        # system zeroes page by page (it cost more than the arithmetic).
        wsum /= step
        weights -= wsum
        avg = weights
        avg_trans = trans - tsum / step
        # Scale the scores to unit spread on fresh samples: the path the tagger picks is
        # unchanged, and dict_weight means the same for every model.
        cps, tags, ends = _SampleSource(lexicon, seed ^ 0x5EED, power).draw(2000, max_words,
                                                                            max_chars)
        scores = np.empty((len(cps), 4))
        _train_chunk(cps, tags, ends, avg, wsum, avg_trans, tsum, LEGAL, shift, step, scores)
        spread = float(np.std(scores))
        if spread > 0:
            avg /= spread
            avg_trans /= spread
        info = dict(n_samples=int(n_samples), seed=int(seed), max_words=int(max_words),
                    max_chars=int(max_chars), power=power, lexicon_words=len(lexicon),
                    sampled_words=len(source.words), wrong_sentences=int(wrong),
                    score_scale=spread)
        logger.info("trained on %d pseudo-sentences (%d decoded wrongly while learning)",
                    n_samples, wrong)
        return cls(avg.astype(np.float32), avg_trans, lexicon if keep_lexicon else None,
                   dict_weight=dict_weight, max_word_len=max_word_len, n_jobs=n_jobs, info=info)

    # -- tagging ---------------------------------------------------------------------------
    def tag(self, sentence: str) -> str:
        """Return the B/M/E/S tag of every character of `sentence` (the tags of the
        segmentation: a one-character token is S)."""
        if not isinstance(sentence, str):
            raise TypeError(f"expected a str, not {type(sentence).__name__}")
        out = []
        start = 0
        for end in self._ends(sentence).tolist():
            n = end - start
            out.append("S" if n == 1 else "B" + "M" * (n - 2) + "E")
            start = end
        return "".join(out)

    def ends(self, cps: np.ndarray) -> np.ndarray:
        """End offsets (int64) of the tokens of the code points `cps`."""
        n = len(cps)
        if n == 0:
            return np.empty(0, dtype=np.int64)
        cps64 = cps.astype(np.int64)
        cut = np.zeros(n, dtype=np.bool_)
        run_starts = np.empty(n, dtype=np.int64)
        run_ends = np.empty(n, dtype=np.int64)
        # The code points as given (uint32 from code_points), not cps64: the Tokenizer
        # passes them so to token_end too, which then compiles once for both.
        n_runs = _scan(cps, CHAR_CLASS, NUMBER_UNIT, RUN_PUNCT, cut, run_starts, run_ends)
        if n_runs and self._dict_weight > 0 and len(self.lexicon) > 0:
            table, root, node_logp, unk = self._trie()
            _run_parallel(_lattice_runs, self._n_jobs, cps64, run_starts[:n_runs],
                          run_ends[:n_runs], 1, self.weights, self.transitions,
                          64 - self.bits, self._dict_weight, self._max_word_len, table,
                          root, node_logp, unk, cut)
        elif n_runs:
            _run_parallel(_tag_runs, self._n_jobs, cps64, run_starts[:n_runs],
                          run_ends[:n_runs], 1, self.weights, self.transitions, LEGAL,
                          64 - self.bits, cut)
        ends = np.flatnonzero(cut) + 1
        if IS_INTERPUNCT[cps].any():  # compiled and run only for a text that has one
            ends = ends[:join_dotted_names_of(cps, ends, CHAR_CLASS, IS_INTERPUNCT)]
        return ends

    # -- files ---------------------------------------------------------------------------
    def header(self) -> dict:
        """The JSON header saved with the model."""
        return dict(format=FORMAT, version=FORMAT_VERSION, feature_set=FEATURE_SET,
                    n_features=N_FEATURES, bits=self.bits, tags=TAGS,
                    dict_weight=self._dict_weight, max_word_len=self._max_word_len,
                    has_lexicon=len(self.lexicon) > 0, info=self.info)

    def save(self, path) -> None:
        """Write the model to `path` as ``.npz`` (weights, transitions, lexicon, JSON
        header), atomically. No pickle is involved, in writing or in reading."""
        words, counts = self.lexicon.to_arrays(sort=True)
        arrays = dict(
            header=np.frombuffer(json.dumps(self.header(), ensure_ascii=False).encode("utf-8"),
                                 dtype=np.uint8),
            weights=self.weights,
            transitions=self.transitions,
            lexicon_text=np.frombuffer("\n".join(words).encode("utf-8"), dtype=np.uint8),
            lexicon_counts=np.asarray(counts, dtype=np.int64),
        )
        with atomic_write(path, binary=True) as f:
            np.savez(f, **arrays)  # not compressed: loading is a copy, not an inflate

    @classmethod
    def load(cls, path, n_jobs: int = 2) -> "Segmenter":
        """Read a model written by :meth:`save`.

        Raises
        ------
        InputError
            When `path` does not exist or cannot be read.
        FormatError
            When the file is not a segmenter model of a version this code reads, or
            is damaged.
        """
        path = os.fspath(path)
        if not os.path.exists(path):
            raise InputError(f"no such model file: {path}")
        if os.path.isdir(path):
            raise InputError(f"{path} is a directory, not a model file")
        try:
            with open(path, "rb") as f:
                magic = f.read(4)
        except OSError as exc:
            raise InputError(f"cannot read {path}: {exc.strerror}") from None
        if magic != b"PK\x03\x04":
            # np.load would try other formats and suggest unpickling: say what it is not.
            what = "an empty file" if not magic else "not an .npz archive"
            raise FormatError(f"{path} is not a segmenter model: {what}")
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = {k: data[k] for k in ("header", "weights", "transitions",
                                                "lexicon_text", "lexicon_counts")}
        except PermissionError as exc:
            raise InputError(f"cannot read {path}: {exc.strerror}") from None
        except MemoryError:
            raise
        except Exception as exc:  # noqa: BLE001
            # A damaged archive fails in many ways (zip, zlib, npy header, missing
            # member, object arrays refused): all of them mean the same to the user.
            raise FormatError(f"{path} is not a readable segmenter model: "
                              f"{type(exc).__name__}: {exc}") from None
        segmenter = cls._from_arrays(arrays, path, n_jobs)
        if segmenter.dict_weight > 0 and len(segmenter.lexicon):
            # The word lattice's trie: from the cache while the model file is unchanged.
            segmenter.compile(cache_for=path)
        return segmenter

    @classmethod
    def _from_arrays(cls, arrays: dict, path: str, n_jobs: int) -> "Segmenter":
        try:
            header = json.loads(arrays["header"].tobytes().decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise FormatError(f"{path}: the model header is not JSON: {exc}") from None
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise FormatError(f"{path} is not an nlpzero segmenter model")
        if header.get("version") != FORMAT_VERSION:
            raise FormatError(f"{path}: model format version {header.get('version')!r} is not "
                              f"supported (this nlpzero reads version {FORMAT_VERSION})")
        if header.get("feature_set") != FEATURE_SET or header.get("n_features") != N_FEATURES:
            raise FormatError(f"{path}: unknown feature set {header.get('feature_set')!r}")
        weights, trans = arrays["weights"], arrays["transitions"]
        bits = header.get("bits")
        if (not isinstance(bits, int) or weights.dtype != np.float32
                or weights.shape != (1 << bits, 4) or trans.shape != (4, 4)
                or not np.isfinite(weights).all() or not np.isfinite(trans).all()):
            raise FormatError(f"{path}: the weights are damaged (shape, type or values)")
        try:
            text = arrays["lexicon_text"].tobytes().decode("utf-8")
        except UnicodeDecodeError:
            raise FormatError(f"{path}: the lexicon is not UTF-8") from None
        words = text.split("\n") if text else []
        counts = arrays["lexicon_counts"]
        if len(words) != len(counts) or counts.dtype != np.int64 or (counts < 0).any():
            raise FormatError(f"{path}: the lexicon is damaged")
        try:
            by_word = dict(zip(words, counts.tolist()))
            if len(by_word) == len(words) and "" not in by_word \
                    and not re.search(r"[^\S\n]", text):
                # Distinct words without whitespace, counts in range: checked in bulk,
                # faster than word by word.
                lexicon = Lexicon.from_valid_counts(by_word)
            else:
                lexicon = Lexicon(zip(words, counts.tolist()))
            return cls(weights, trans, lexicon, dict_weight=header.get("dict_weight", 0.0),
                       max_word_len=header.get("max_word_len", DEFAULT_MAX_WORD_LEN),
                       n_jobs=n_jobs, info=header.get("info") or {})
        except (InputError, TypeError) as exc:
            raise FormatError(f"{path}: damaged model: {exc}") from None


def _run_parallel(kernel, n_jobs, cps, run_starts, run_ends, n_blocks, *args):
    """`kernel` (_tag_runs or _lattice_runs) on `n_jobs` shares of the runs of about as
    many characters, in threads (the kernel releases the GIL; the shares set disjoint
    parts of `cut`). A thread pool, not numba's parallel=True, whose compiling costs
    seconds on a first run."""
    n_threads = max(1, min(n_jobs, len(run_starts)))
    if n_threads == 1:
        kernel(cps, run_starts, run_ends, n_blocks, *args)
        return
    from concurrent.futures import ThreadPoolExecutor

    cuts = np.searchsorted(run_starts, [len(cps) * k // n_threads for k in range(1, n_threads)])
    bounds = [0, *cuts.tolist(), len(run_starts)]
    with ThreadPoolExecutor(n_threads) as pool:
        futures = [pool.submit(kernel, cps, run_starts[a:b], run_ends[a:b], n_blocks, *args)
                   for a, b in zip(bounds, bounds[1:]) if b > a]
        for future in futures:
            future.result()


def _as_lexicon(lexicon) -> Lexicon:
    if isinstance(lexicon, Lexicon):
        return lexicon
    if isinstance(lexicon, (str, os.PathLike)):
        return Lexicon.load(lexicon)
    if isinstance(lexicon, Mapping):
        return Lexicon(lexicon)
    raise TypeError(f"lexicon must be a Lexicon, a mapping or a path, not {type(lexicon).__name__}")


def _check_seed(seed) -> int:
    return check_int("seed", seed, 0) & _U64


def train_segmenter(lexicon, **params) -> Segmenter:
    """Train a :class:`Segmenter` from a lexicon alone (see :meth:`Segmenter.train`)."""
    return Segmenter.train(lexicon, **params)
