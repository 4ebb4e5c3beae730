"""Dictionary segmentation: unigram maximum-probability paths, compiled with Numba.

A lexicon with counts gives every word log p(w) = log n_w - log sum n. In each run of
Han characters the tokenizer finds every lexicon word (a trie walk from each
position), and picks the path through them with the largest sum of log p; a character
that no word covers costs the score of a word seen once. Digits (with an inner decimal
point, colon or slash, and the unit that follows: １９９８年, ３·５％, 10:30) and Latin
letters form atoms, one token each; a run of a dash or an ellipsis (——, ……) is one
token; every other character is a token of its own.

The trie lives in flat arrays: an open-addressing hash table maps
``node * 0x110000 + code_point`` to the child node, so lookups need no Python objects.

A tokenizer made from a lexicon file (or the default dictionary) reads the file's
bytes with kernels straight into the trie, and makes the :class:`Lexicon` only when
it is asked for. It also keeps the compiled trie in a versioned ``.npz`` cache file
(see :func:`cache_directory`), used while the lexicon file keeps its path, size and
modification time, so that later processes skip the reading and the building.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
from typing import Iterable, Iterator, Mapping

import numpy as np

from .._jit import njit, njit_inner
from .._kernels.arrays import new_array
from ..corpus import CHAR_CLASS, HAN, NUMBER_UNIT, RUN_PUNCT, batch_texts, code_points
from .._io import atomic_write
from ..errors import InputError, NlpzeroError
from ..lexicon import (MAX_COUNT, Lexicon, add_up_repeats, parse_lexicon, read_bytes,
                       regular_layout)
from .._kernels.chars import IS_INTERPUNCT, IS_SPACE
from .._kernels.hashtables import first_slot, lookup
from .._kernels.tokens import CP_SPAN, join_dotted_names, token_end

logger = logging.getLogger(__name__)

#: Characters segmented per kernel call by the batch methods.
BATCH_CHARS = 1 << 20


# ---------------------------------------------------------------------------
# Kernels


@njit(cache=True)
def _build_trie(cps, counts):
    """Insert the words of `cps` (code points, words separated by newlines) into a trie.

    `counts` holds one count per word. Returns the hash table of inner edges, the
    root's child array, the count of the word ending at each node (-1 for an inner
    node; the counts of a repeated word add up), and the number of repeats, or -1
    when the counts of a repeated word add up to more than the largest count.
    """
    n_words = len(counts)
    # Inner edges are at most the characters that are neither a separator nor the
    # first of a word; three slots per edge keep the load factor at most 1/3.
    inner = len(cps) - 2 * n_words + 1
    if inner < 0:
        inner = 0
    table_size = 16
    while table_size < 3 * inner:
        table_size *= 2
    mask = table_size - 1
    table = new_array(2 * table_size, np.int64)
    table[:] = -1
    root = new_array(CP_SPAN, np.int64)
    root[:] = -1
    node_count = new_array(len(cps) + 1, np.int64)
    node_count[:] = -1
    n_nodes = 1
    n_repeats = 0
    w = 0
    node = 0
    for i in range(len(cps) + 1):
        if i == len(cps) or cps[i] == 10:
            if node > 0:
                if node_count[node] < 0:
                    node_count[node] = counts[w]
                elif node_count[node] <= MAX_COUNT - counts[w]:
                    node_count[node] += counts[w]  # a repeated word: counts add up
                    n_repeats += 1
                else:
                    return table, root, node_count[:n_nodes], -1
            w += 1
            node = 0
            continue
        cp = cps[i]
        if node == 0:
            if root[cp] == -1:
                root[cp] = n_nodes
                n_nodes += 1
            node = root[cp]
            continue
        key = node * CP_SPAN + cp
        slot = first_slot(key, mask)
        while table[2 * slot] != -1 and table[2 * slot] != key:
            slot = (slot + 1) & mask
        if table[2 * slot] == -1:
            table[2 * slot] = key
            table[2 * slot + 1] = n_nodes
            n_nodes += 1
        node = table[2 * slot + 1]
    return table, root, node_count[:n_nodes], n_repeats


def _decode_entries(buf, positions, k):
    """Words and counts of a regular lexicon file (see ``lexicon.regular_layout``).

    `buf` holds the file's valid UTF-8 bytes, ending with a newline; `positions` its
    separators, ``k`` per line (k - 1 spaces, then the newline). Returns the code
    points of the words separated by newlines (a writable array), the count of every
    word (1 when ``k == 1``), and whether every count is a plain number of at most 18
    ASCII digits (when not, the caller leaves it to the careful parser to name the
    line). NumPy on whole columns rather than a kernel: nothing to compile on a first
    run, for a few milliseconds more on a large file (the trie is cached after).
    """
    n_lines = len(positions) // k
    separators = positions.reshape(n_lines, k)
    # The bytes are valid UTF-8 (checked by regular_layout); a bytearray keeps the
    # code points writable, as the trie kernel gets them from every source.
    text = buf[:-1].tobytes().decode("utf-8")
    cps = np.frombuffer(bytearray(text.encode("utf-32-le", "surrogatepass")), dtype="<u4")
    if k == 1:
        return cps, np.ones(n_lines, dtype=np.int64), True
    # Spaces and newlines are the separators (a regular file has no other
    # whitespace), found again among the code points; the last newline was cut off.
    cp_separators = np.append(np.flatnonzero((cps == 32) | (cps == 10)), len(cps))
    cp_separators = cp_separators.reshape(n_lines, k)
    line_starts = np.empty(n_lines, dtype=np.int64)
    line_starts[0] = 0
    line_starts[1:] = cp_separators[:-1, -1] + 1
    # Each word with the space after it, which becomes the newline between words.
    word_ends = cp_separators[:, 0]
    words = cps[_ranges(line_starts, word_ends + 1)]
    words[np.cumsum(word_ends + 1 - line_starts) - 1] = 10
    words = words[:-1]  # no newline after the last word
    counts, ok = _counts_of_fields(buf, separators[:, 0] + 1, separators[:, 1])
    return words, counts, ok


def _ranges(starts, ends):
    """The concatenated ranges ``arange(starts[i], ends[i])`` (all non-empty)."""
    lengths = ends - starts
    # Each range continues from the previous one's end by a jump to its own start.
    steps = np.ones(int(lengths.sum()), dtype=np.int64)
    steps[0] = starts[0]
    firsts = np.cumsum(lengths)[:-1]
    steps[firsts] = starts[1:] - ends[:-1] + 1
    return np.cumsum(steps)


#: Powers of ten up to the 18 digits of the longest count that fits in int64.
_POWERS_OF_TEN = 10 ** np.arange(18, dtype=np.int64)


def _counts_of_fields(buf, starts, ends):
    """(the numbers written in ``buf[starts[i]:ends[i]]`` (all non-empty), whether every
    field is a plain number of at most 18 ASCII digits, which fits in int64)."""
    lengths = ends - starts
    if int(lengths.max()) > 18:
        return np.zeros(len(starts), dtype=np.int64), False
    at = _ranges(starts, ends)
    digits = buf[at].astype(np.int64) - 48
    if np.any((digits < 0) | (digits > 9)):
        return np.zeros(len(starts), dtype=np.int64), False
    # Digit at byte p of a field ending at e weighs 10 ** (e - 1 - p).
    field_ends = np.repeat(ends, lengths)
    terms = digits * _POWERS_OF_TEN[field_ends - 1 - at]
    firsts = np.zeros(len(starts), dtype=np.int64)
    firsts[1:] = np.cumsum(lengths)[:-1]
    return np.add.reduceat(terms, firsts), True


@njit(cache=True)
def _segment(cps, char_class, number_unit, run_punct, is_interpunct, table, root, node_logp,
             unk_logp, ends):
    """Write the end offset of every token of `cps` into `ends`; return the count.

    Runs of Han characters take the best path through the lexicon's words; every
    other token is cut by :func:`~nlpzero._kernels.tokens.token_end`; the parts of a
    name joined by an interpunct are then one token
    (:func:`~nlpzero._kernels.tokens.join_dotted_names`).
    """
    n = len(cps)
    best = new_array(n + 1, np.float64)
    nxt = new_array(n + 1, np.int64)
    m = np.int64(0)
    i = np.int64(0)  # int64, not a literal 0: one specialisation of the callees
    while i < n:
        if char_class[cps[i]] == HAN:  # a run, segmented by the best path
            j = i
            while j < n and char_class[cps[j]] == HAN:
                j += 1
            m = _segment_run(cps, i, j, table, root, node_logp, unk_logp,
                             best, nxt, ends, m)
        else:
            j = token_end(cps, i, char_class, number_unit, run_punct)
            ends[m] = j
            m += 1
        i = j
    return join_dotted_names(cps, ends, m, char_class, is_interpunct)


@njit_inner
def _segment_run(cps, a, b, table, root, node_logp, unk_logp, best, nxt, ends, m):
    best[b] = 0.0
    for i in range(b - 1, a - 1, -1):
        # A single character is always a candidate, at least as an unknown one.
        node = root[cps[i]]
        single = unk_logp
        if node >= 0 and node_logp[node] > single:
            single = node_logp[node]
        top = single + best[i + 1]
        arg = i + 1
        j = i + 1
        while node >= 0 and j < b:
            # node is not the root here: its children are in the table.
            node = lookup(table, node * CP_SPAN + cps[j])
            j += 1
            if node < 0:
                break
            lp = node_logp[node]
            if lp > -np.inf:
                s = lp + best[j]
                if s > top:
                    top = s
                    arg = j
        best[i] = top
        nxt[i] = arg
    i = a
    while i < b:
        i = nxt[i]
        ends[m] = i
        m += 1
    return m


@njit(cache=True)
def _count_token_nodes(cps, ends, table, root, counts):
    """Add one to ``counts[node]`` for every token of `cps` (tokens end at `ends`) that
    is a path of the trie from the root: the token's node. Other tokens (spaces,
    characters of no word) are skipped."""
    start = np.int64(0)
    for k in range(len(ends)):
        end = ends[k]
        node = root[cps[start]]
        i = start + 1
        while node >= 0 and i < end:
            node = lookup(table, node * CP_SPAN + cps[i])
            i += 1
        if node >= 0:
            counts[node] += 1
        start = end


@njit(cache=True)
def _word_nodes(cps, table, root, out):
    """The trie node of each word of `cps` (words separated by newlines) into `out`
    (-1 for a word not in the trie)."""
    w = 0
    node = np.int64(-2)  # -2: at the start of a word
    for i in range(len(cps) + 1):
        if i == len(cps) or cps[i] == 10:
            out[w] = node if node >= 0 else -1
            w += 1
            node = -2
        elif node == -2:
            node = root[cps[i]]
        elif node >= 0:
            node = lookup(table, node * CP_SPAN + cps[i])


#: No character is a number's unit (``Tokenizer(number_units=False)``).
_NO_UNITS = np.zeros(1, dtype=np.bool_).repeat(CP_SPAN)

@njit(cache=True)
def _render(cps, ends, is_space, out):
    """Write the tokens of `cps` (ending at `ends`) into `out`, separated by spaces;
    a newline token ends a line; whitespace tokens are dropped. Returns the length."""
    k = 0
    start = 0
    line_open = False  # a word has been written on the current line
    for t in range(len(ends)):
        end = ends[t]
        first = cps[start]
        if end - start == 1 and first == 10:
            out[k] = 10
            k += 1
            line_open = False
        elif not (end - start == 1 and is_space[first]):
            if line_open:
                out[k] = 32
                k += 1
            for i in range(start, end):
                out[k] = cps[i]
                k += 1
            line_open = True
        start = end
    return k


# ---------------------------------------------------------------------------
# Public API


def default_dictionary_path() -> str:
    """Path of the dictionary used when none is given: jieba's bundled dict.txt."""
    import jieba

    return os.path.join(os.path.dirname(jieba.__file__), "dict.txt")


class Tokenizer:
    """Unigram maximum-probability segmenter over a lexicon with counts.

    Parameters
    ----------
    lexicon : Lexicon, mapping, str or None
        Word counts: a :class:`~nlpzero.lexicon.Lexicon`, a mapping word -> count, or
        the path of a ``word count`` file (jieba's ``word freq tag`` files load too).
        None loads the default dictionary (jieba's dict.txt, 349k words).
    number_units : bool
        Join a date, time, magnitude or percent unit to the number before it
        (１９９８年, ３万, ５％; :data:`nlpzero.corpus.NUMBER_UNITS`; 年 joins a year of four
        digits only, not a count of years: ３ 年), as the PKU, CTB and MSR standards do
        (default True). The word finders always treat such units as part
        of the number.
    cache : bool
        When `lexicon` is a file (or None), keep the compiled trie in a cache file and
        use it while the lexicon file keeps its path, size and modification time
        (default True; see :func:`cache_directory`). A cache file that cannot be read
        or written is ignored.

    Examples
    --------
    >>> tk = Tokenizer({"中国": 10, "人民": 8, "中": 2, "国": 1, "人": 5, "民": 1})
    >>> tk.lcut("中国人民2024年")
    ['中国', '人民', '2024年']
    """

    def __init__(self, lexicon: Lexicon | Mapping[str, int] | str | None = None,
                 number_units: bool = True, cache: bool = True):
        self._lexicon: Lexicon | None = None
        self._entries = None
        self._compiled = None
        if lexicon is None or isinstance(lexicon, (str, os.PathLike)):
            path = default_dictionary_path() if lexicon is None else lexicon
            # Straight from the file (or its cache) to the trie; the Lexicon is made
            # when asked for.
            self._compiled, self._entries, self._lexicon = _compile_file(path, cache)
        elif isinstance(lexicon, Lexicon):
            self._lexicon = lexicon
        else:
            self._lexicon = Lexicon(lexicon)
        self.number_units = bool(number_units)
        self._number_unit = NUMBER_UNIT if number_units else _NO_UNITS

    @property
    def lexicon(self) -> Lexicon:
        """The word counts segmentation uses (edited by :meth:`add_word` and
        :meth:`del_word`)."""
        if self._lexicon is None:
            cps, counts = self._entries
            words = cps.tobytes().decode("utf-32-le").split("\n")
            values = counts.tolist()
            # Words read from a lexicon file are valid; the sums of repeated ones were
            # checked when the trie was built.
            by_word = dict(zip(words, values))
            if len(by_word) < len(words):
                add_up_repeats(by_word, words, values)
            self._lexicon = Lexicon.from_valid_counts(by_word)
            self._entries = None
        return self._lexicon

    @lexicon.setter
    def lexicon(self, lexicon: Lexicon) -> None:
        if not isinstance(lexicon, Lexicon):
            raise TypeError(f"expected a Lexicon, not {type(lexicon).__name__}")
        self._lexicon, self._entries, self._compiled = lexicon, None, None

    # -- jieba-like editing -----------------------------------------------------
    def add_word(self, word: str, freq: int | None = None, tag: str | None = None) -> None:
        """Set the count of `word` to `freq`, as jieba's ``add_word``.

        `freq` None means :meth:`suggest_freq` (the smallest count that makes `word`
        beat its split into parts); 0 removes the word. `tag` is taken for jieba's
        signature and ignored. An edit costs a dictionary update: the compiled trie is
        rebuilt once, before the next segmentation.
        """
        freq = self.suggest_freq(word) if freq is None else int(freq)
        if freq < 0:
            raise InputError(f"the count of {word!r} must not be negative, not {freq}")
        lexicon = self.lexicon
        if word in lexicon:
            if lexicon[word] == freq and freq:
                return
            lexicon.remove(word)
        elif not freq:
            return
        if freq:
            lexicon.add(word, freq)
        self._compiled = None

    def del_word(self, word: str) -> None:
        """Remove `word` from the lexicon (no error when absent): ``add_word(word, 0)``."""
        self.add_word(word, 0)

    def load_userdict(self, f) -> None:
        """Add the words of a jieba user dictionary, line by line, as :meth:`add_word`.

        `f` is a path or an open file (UTF-8) of ``word [count] [tag]`` lines; a word
        without a count gets :meth:`suggest_freq` given the words before it. A word
        already in the lexicon takes the new count.
        """
        from .dictedit import read_userdict

        for word, freq in read_userdict(f):
            self.add_word(word, freq)

    def suggest_freq(self, segment, tune: bool = False) -> int:
        """A count that joins a word, or splits it into given parts, as jieba's.

        For a word (str): the smallest count that makes it beat its present split,
        at least its count (the product of its parts' probabilities times the total,
        plus 1). For a tuple of parts: the largest count at which the word they join
        loses to them, at most its present count (0 when it is no word). A part that
        is no word counts 1, as an unknown character does in segmentation. With
        `tune`, the word takes that count (:meth:`add_word`).
        """
        from .dictedit import best_split, is_han

        lexicon = self.lexicon
        total = max(lexicon.total, 1)
        if isinstance(segment, str):
            word = segment
            # A run of Han characters is split from the counts alone (no trie rebuild).
            parts = (best_split(word, lexicon.get, total) if is_han(word)
                     else [w for w in self._segment_text(word) if w])
        else:
            parts = list(segment)
            word = "".join(parts)
        proba = 1.0
        for part in parts:
            proba *= (lexicon.get(part) or 1) / total
        if isinstance(segment, str):
            freq = max(int(proba * total) + 1, lexicon.get(word))
        else:
            freq = min(int(proba * total), lexicon.get(word))
        if tune:
            self.add_word(word, freq)
        return freq

    # -- segmentation --------------------------------------------------------------
    def cut(self, sentence: str) -> Iterator[str]:
        """Yield the words of `sentence` (every character belongs to one token)."""
        yield from self._segment_text(_check_text(sentence))

    def lcut(self, sentence: str) -> list[str]:
        """Return the words of `sentence` as a list."""
        return self._segment_text(_check_text(sentence))

    def tokenize(self, sentence: str) -> Iterator[tuple[str, int, int]]:
        """Yield ``(word, start, end)`` for every token of `sentence`."""
        sentence = _check_text(sentence)
        ends = self._ends(sentence)
        start = 0
        for end in ends.tolist():
            yield sentence[start:end], start, end
            start = end

    def cut_lines(self, lines: Iterable[str], keep_spaces: bool = False) -> Iterator[list[str]]:
        """Segment many lines, a batch at a time; yield one list of words per line.

        Whitespace tokens are dropped unless `keep_spaces`. This is the fast path for
        whole files: one kernel call per batch of about a million characters.
        """
        batch: list[str] = []
        size = 0
        for line in lines:
            batch.append(_check_text(line))
            size += len(line) + 1
            if size >= BATCH_CHARS:
                yield from self._cut_batch(batch, keep_spaces)
                batch, size = [], 0
        if batch:
            yield from self._cut_batch(batch, keep_spaces)

    # -- internals -------------------------------------------------------------------
    def _cut_batch(self, batch: list[str], keep_spaces: bool) -> Iterator[list[str]]:
        if keep_spaces:
            for line in batch:
                yield self._segment_text(line)
            return
        for line in self.render_lines(batch).split("\n"):
            yield line.split(" ") if line else []

    def count_words(self, lines: Iterable[str], words: list[str]) -> np.ndarray:
        """How often each of `words` is a token of the lines' segmentation.

        The same counts as a :class:`collections.Counter` of :meth:`cut_lines`'s
        tokens, read at `words` (0 for a word never cut, or not in the lexicon), but
        counted by the kernels at the tokens' places in the trie, with no string made
        for a token: it is how a learned lexicon's counts are re-estimated
        (:func:`~nlpzero.discovery.refine_lexicon`).

        Parameters
        ----------
        lines : iterable of str
            The text.
        words : list of str
            The words to count.

        Returns
        -------
        numpy.ndarray
            int64 counts, one per word.

        Examples
        --------
        >>> tk = Tokenizer({"中国": 10, "人民": 8, "中": 2, "国": 1, "人": 5, "民": 1})
        >>> tk.count_words(["中国人民", "人民"], ["人民", "中国", "国"]).tolist()
        [2, 1, 0]
        """
        table, root, node_logp, _ = self._trie()
        counts = np.zeros(len(node_logp), dtype=np.int64)
        for text in batch_texts(map(_check_text, lines), BATCH_CHARS):
            cps = code_points(text)
            _count_token_nodes(cps, self.ends(cps), table, root, counts)
        nodes = np.empty(len(words), dtype=np.int64)
        joined = "\n".join(map(_check_text, words))
        if words:
            if joined.count("\n") != len(words) - 1:
                raise InputError("count_words: a word holds a newline")
            _word_nodes(code_points(joined), table, root, nodes)
        # Only a node where a word of the lexicon ends counts (not an inner node).
        ok = nodes >= 0
        ok[ok] = node_logp[nodes[ok]] > -np.inf
        return np.where(ok, counts[np.where(ok, nodes, 0)], 0)

    def render_lines(self, lines: list[str]) -> str:
        """Segment `lines` and return them as one string: words separated by single
        spaces, lines by newlines (no final newline); whitespace tokens are dropped.

        This is the fastest path: the output string is assembled by a kernel.
        """
        cps = code_points("\n".join(map(_check_text, lines)))
        ends = self.ends(cps)
        out = np.empty(2 * len(cps) + 1, dtype=np.uint32)
        k = _render(cps, ends, IS_SPACE, out)
        return out[:k].tobytes().decode("utf-32-le")

    def _segment_text(self, text: str) -> list[str]:
        ends = self._ends(text).tolist()
        starts = [0] + ends[:-1]
        return [text[a:b] for a, b in zip(starts, ends)]

    def _ends(self, text: str) -> np.ndarray:
        return self.ends(code_points(text))

    # -- the segmenter protocol (nlpzero.segmentation.base) ------------------------------
    def ends(self, cps: np.ndarray) -> np.ndarray:
        """End offsets (int64) of the tokens of the code points `cps` (a newline is a
        token of its own, so a batch of lines joined by newlines segments at once)."""
        table, root, node_logp, unk = self._trie()
        ends = np.empty(len(cps), dtype=np.int64)
        m = _segment(cps, CHAR_CLASS, self._number_unit, RUN_PUNCT, IS_INTERPUNCT, table, root,
                     node_logp, unk, ends)
        return ends[:m]

    def compile(self, *, cache_for=None) -> "Tokenizer":
        """Build what segmenting needs now (the trie), e.g. before worker processes are
        forked, so that they share it instead of each building it; returns self.

        Parameters
        ----------
        cache_for : str or path, optional
            The file the lexicon was read from (a model, say): the trie is then kept
            in the cache folder (:func:`cache_directory`) while that file keeps its size
            and modification time, and read from there next time.
        """
        if self._compiled is None and cache_for is not None:
            self._compiled = _compile_cached(self.lexicon, cache_for)
        self._trie()
        return self

    def _trie(self):
        if self._compiled is None:
            self._compiled = _compile_lexicon(self.lexicon)
        return self._compiled


def _check_text(text) -> str:
    if not isinstance(text, str):
        raise TypeError(f"expected a str, not {type(text).__name__}")
    return text


def _compile_lexicon(lexicon: Lexicon):
    words, counts = lexicon.to_arrays(sort=False)
    # Words hold no whitespace, so a newline separates them.
    return _compile(code_points("\n".join(words)), counts)[0]


def _compile_cached(lexicon: Lexicon, source_path):
    """The compiled trie of `lexicon`, read from the file at `source_path`: from the
    cache while that file is unchanged, else compiled and cached."""
    cache_path = _cache_path(source_path)
    stamp = _file_stamp(source_path) if cache_path is not None else None
    if stamp is not None:
        cached = _read_cache(cache_path, stamp)
        if cached is not None:
            return cached[0]
    words, counts = lexicon.to_arrays(sort=False)
    cps = code_points("\n".join(words))
    compiled = _compile(cps, counts)[0]
    if stamp is not None and stamp == _file_stamp(source_path):
        _write_cache(cache_path, stamp, compiled, cps, counts)
    return compiled


def _compile_file(path, cache: bool):
    """(compiled trie, (code points, counts) of the words, the Lexicon or None) for
    the lexicon file at `path`.

    A regular file is read by kernels from its bytes; any other goes through
    :meth:`Lexicon.load`'s careful parser, which also names the line of an error.
    """
    cache_path = _cache_path(path) if cache else None
    stamp = None
    if cache_path is not None:
        stamp = _file_stamp(path)
        cached = _read_cache(cache_path, stamp)
        if cached is not None:
            return cached[0], cached[1], None
    name, data = read_bytes(path)
    lexicon = None
    compiled = None
    layout = regular_layout(data, name)
    if layout is not None:
        cps, counts, ok = _decode_entries(*layout)
        if ok:
            compiled, n_repeats = _compile(cps, counts)
            if n_repeats < 0:
                compiled = None
    if compiled is None:
        # Irregular, a bad count, or repeats adding up to too much.
        lexicon = Lexicon.from_valid_counts(parse_lexicon(data, name))
        words, counts = lexicon.to_arrays(sort=False)
        cps = code_points("\n".join(words))
        compiled = _compile(cps, counts)[0]
    if cache_path is not None and stamp is not None and stamp == _file_stamp(path):
        _write_cache(cache_path, stamp, compiled, cps, counts)
    return compiled, (cps, counts), lexicon


def _compile(cps: np.ndarray, counts: np.ndarray):
    """((edge table, root children, log-probability per node, unknown score), number
    of repeated words) for the newline-separated words `cps` with `counts`."""
    total = _exact_total(counts)
    if total <= 0:
        raise InputError("the lexicon is empty: it has no word with a positive count")
    if not cps.flags.writeable:
        # Code points of a str are read-only, the decoded file's are not: one
        # specialisation of the kernel (a compile saved on a first run) for a small copy.
        cps = cps.copy()
    table, root, node_count, n_repeats = _build_trie(cps, counts)
    node_logp = np.full(len(node_count), -np.inf)
    words = node_count > 0  # a count of 0 is no word for segmentation
    node_logp[words] = np.log(node_count[words].astype(np.float64)) - math.log(total)
    # An uncovered character scores like a word seen once.
    return (table, root, node_logp, -math.log(total)), n_repeats


def _exact_total(counts: np.ndarray) -> int:
    if not len(counts):
        return 0
    if int(counts.max()) <= np.iinfo(np.int64).max // len(counts):
        return int(counts.sum())  # cannot overflow
    return sum(counts.tolist())


# ---------------------------------------------------------------------------
# The cache of compiled tries

#: Version of the cache files; raised whenever their content or the hash layout
#: (``_kernels.hashtables.first_slot``, ``CP_SPAN``) changes, so that older files are rebuilt.
CACHE_VERSION = 1
_CACHE_FORMAT = "nlpzero-trie-cache"


def cache_directory() -> str:
    """Folder of the tokenizer's cache files: ``$NLPZERO_CACHE_DIR`` when set, else
    ``~/.cache/nlpzero``.

    Each file holds the compiled trie of one lexicon file (``.npz``, no pickle),
    named after that file's absolute path, and is used while the lexicon file keeps
    its size and modification time. Deleting the folder is always safe.
    """
    return os.environ.get("NLPZERO_CACHE_DIR") or os.path.join(
        os.path.expanduser("~"), ".cache", "nlpzero")


def _cache_path(path) -> str | None:
    if isinstance(path, str) and path == "-":
        return None  # standard input has no identity to key on
    real = os.path.realpath(os.fspath(path))
    digest = hashlib.sha256(real.encode("utf-8", "surrogatepass")).hexdigest()[:24]
    return os.path.join(cache_directory(), f"trie-{digest}.npz")


def _file_stamp(path) -> dict | None:
    try:
        st = os.stat(path)
    except OSError:
        return None  # reading it will give the error
    return {"format": _CACHE_FORMAT, "version": CACHE_VERSION,
            "path": os.path.realpath(os.fspath(path)), "size": st.st_size,
            "mtime_ns": st.st_mtime_ns}


def _read_cache(cache_path: str, stamp: dict | None):
    """(compiled trie, (code points, counts)) from `cache_path` when it exists, is
    whole and belongs to `stamp`; None otherwise."""
    if stamp is None or not os.path.isfile(cache_path):
        return None
    try:
        with np.load(cache_path, allow_pickle=False) as z:
            header = json.loads(z["header"].tobytes().decode("utf-8"))
            table_size = header.pop("table_size", None)
            if header != stamp:
                return None  # stale: the lexicon file changed, or an older version
            arrays = {key: z[key] for key in _CACHED_ARRAYS}
        return _unpack_cache(table_size=table_size, **arrays)
    except Exception as exc:  # noqa: BLE001 - any damage means: rebuild
        logger.debug("ignoring the cache file %s: %s", cache_path, exc)
        return None


_CACHED_ARRAYS = ("slots", "keys", "values", "root_cps", "root_nodes", "node_logp", "unk",
                  "cps", "counts")


def _unpack_cache(table_size, slots, keys, values, root_cps, root_nodes, node_logp, unk,
                  cps, counts):
    if not isinstance(table_size, int) or table_size < 16 or table_size & (table_size - 1):
        raise ValueError("bad table size")
    n_nodes = len(node_logp)
    expected = [(slots, np.int64), (keys, np.int64), (values, np.int64),
                (root_cps, np.int64), (root_nodes, np.int64), (node_logp, np.float64),
                (unk, np.float64), (cps, np.uint32), (counts, np.int64)]
    if any(a.dtype != t or a.ndim != 1 for a, t in expected):
        raise ValueError("unexpected arrays")
    # Indices the kernels follow without bounds checks must be in range.
    if not (len(slots) == len(keys) == len(values) and len(root_cps) == len(root_nodes)
            and _within(slots, 0, table_size) and _within(values, 1, n_nodes)
            and _within(root_cps, 0, CP_SPAN) and _within(root_nodes, 1, n_nodes)
            and len(unk) == 1 and len(counts) == np.count_nonzero(cps == 10) + 1):
        raise ValueError("inconsistent arrays")
    table = np.full(2 * table_size, -1, dtype=np.int64)
    table[2 * slots] = keys
    table[2 * slots + 1] = values
    root = np.full(CP_SPAN, -1, dtype=np.int64)
    root[root_cps] = root_nodes
    return (table, root, node_logp, float(unk[0])), (cps, counts)


def _within(a: np.ndarray, low: int, high: int) -> bool:
    return not len(a) or (int(a.min()) >= low and int(a.max()) < high)


def _write_cache(cache_path: str, stamp: dict, compiled, cps, counts) -> None:
    table, root, node_logp, unk = compiled
    slots = np.flatnonzero(table[0::2] != -1)
    root_cps = np.flatnonzero(root >= 0)
    try:
        os.makedirs(os.path.dirname(cache_path), exist_ok=True)
        with atomic_write(cache_path, binary=True) as f:
            # Only the used slots and root entries: the rest is -1.
            header = json.dumps({**stamp, "table_size": len(table) // 2})
            np.savez(f, header=np.frombuffer(header.encode("utf-8"), np.uint8),
                     slots=slots, keys=table[2 * slots], values=table[2 * slots + 1],
                     root_cps=root_cps, root_nodes=root[root_cps], node_logp=node_logp,
                     unk=np.array([unk]), cps=cps, counts=counts)
    except (OSError, NlpzeroError) as exc:
        logger.debug("cannot write the cache file %s: %s", cache_path, exc)


def as_tokenizer(tokenizer):
    """A :class:`Tokenizer` from what a user may pass for one: a Tokenizer (or
    Segmenter) as it is, a Lexicon, a mapping of counts or a lexicon path; None stays
    None (the caller picks a default when first needed)."""
    if tokenizer is None or isinstance(tokenizer, Tokenizer):
        return tokenizer
    return Tokenizer(tokenizer)
