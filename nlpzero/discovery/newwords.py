"""New words of a domain: the words of a corpus that a base dictionary lacks.

This module scores candidates; :func:`nlpzero.segmentation.find_new_words` drives the
search with a segmenter.

A domain's raw text (a novel, patents, medical notes) is segmented by a segmenter that
knows the base dictionary (by default the character tagger trained from it, which
already keeps 他 and 的 apart because the dictionary has both). Every token of two or
more characters that the base lacks is a candidate; a candidate is *accepted* when the
corpus gives evidence that it is a word of its own:

* **description length against the base**: coding the string as one word must save
  at least ``min_gain`` nats per occurrence over coding it as the pieces the base
  (plus the new words already accepted, shortest first) splits it into,
  ``log p(w) - sum_i log p_base(s_i)`` with ``p(w)`` its rate in the corpus. Pairs of
  frequent words (他的, 也是, 看了) explain themselves and gain little; names and terms
  that the base splits into rare pieces (戴沐白, 滤色器) gain a lot; a known word with a
  function character attached (唐三向 = 唐三 + 向, once 唐三 is accepted) gains little;
* **not a fragment**: when most occurrences share one neighbour character and the
  longer string is a word of the base or inside a candidate (性价 of 性价比, 马红 in
  马红俊), the string is a piece of that longer word;
* **not a phrase or punctuation**: a candidate whose first piece is a numeral (两柄,
  五十级: a numeral with its measure word, a phrase rather than a lexicon entry) or a
  run of punctuation (……, 。。。) is never a word to add to a dictionary. Numbers (10,
  2008年, 0.5％) are listed unless ``numbers=False``: a base dictionary cannot code them,
  segmentation standards keep them as words, and jieba with its HMM off keeps them whole
  once they are in a user dictionary; they never join the segmenter's lexicon between
  rounds (its tokenizer already cuts a number as one atom);
* **evidence**: it occurs at least ``min_count`` times.

The search runs in rounds: the accepted words join the segmenter's lexicon (with
counts on the base's scale, :meth:`NewWords.lexicon`) and the corpus is segmented
again, so a name that the base segmenter glued to its neighbours (唐三向, 唐三道)
comes out whole in the next round.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Sequence

from .. import defaults
from .._io import atomic_write
from .._validation import check_number
from ..corpus import CHAR_CLASS, HAN, rereadable_texts
from ..errors import InputError
from ..lexicon import Lexicon
from .finders import best_split

logger = logging.getLogger(__name__)

#: Share of a string's occurrences that one neighbour character must reach for the
#: string to count as a fragment of a longer candidate.
DOMINANT_NEIGHBOUR = 0.7
#: Characters that are numerals and nothing else.
CARDINALS = frozenset("一二三四五六七八九十两几百千万亿零〇")
#: Characters that make a first piece a numeral (a numeral + measure word is a phrase).
NUMERAL_CHARS = CARDINALS | frozenset("半多数每")


@dataclass(frozen=True)
class NewWord:
    """One candidate new word and the evidence for it.

    Attributes
    ----------
    word : str
    count : int
        Occurrences of the string in the corpus (for strings of Han characters;
        otherwise the times it was a token).
    tokens : int
        Times the segmenter cut it as a word in the last round.
    gain : float
        Nats saved per occurrence by coding it as one word instead of the base's
        pieces (the base plus the shorter new words accepted).
    accepted : bool
        Whether it passed every test (see the module documentation).
    """

    word: str
    count: int
    tokens: int
    gain: float
    accepted: bool

    @property
    def score(self) -> float:
        """Description length saved over the corpus, in nats (tokens times gain)."""
        return self.tokens * self.gain


class NewWords(Sequence[NewWord]):
    """The new words of a corpus, best first: the accepted words by the description
    length they save, then (with ``include_rejected``) the other candidates by count.

    Parameters
    ----------
    words : sequence of NewWord
        In their order.
    corpus_tokens : int
        Tokens of the corpus in the last segmentation (the scale of the counts).
    """

    def __init__(self, words: Sequence[NewWord], corpus_tokens: int):
        self._words = list(words)
        self.corpus_tokens = int(corpus_tokens)

    def __len__(self) -> int:
        return len(self._words)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return NewWords(self._words[i], self.corpus_tokens)
        return self._words[i]

    def __repr__(self) -> str:
        head = ", ".join(w.word for w in self._words[:5])
        return f"NewWords({len(self)} words: {head}{', ...' if len(self) > 5 else ''})"

    @property
    def words(self) -> list[str]:
        """The words, in order."""
        return [w.word for w in self._words]

    def accepted(self) -> "NewWords":
        """Only the accepted words."""
        return NewWords([w for w in self._words if w.accepted], self.corpus_tokens)

    def lexicon(self, base_total: int) -> Lexicon:
        """The accepted words with counts on a base lexicon's scale.

        A word's count is its rate in the corpus times the base's total count, so it
        has the probability in the merged lexicon that it has in the domain: it wins
        where it occurs and leaves the base's analysis of other text alone.
        """
        scale = base_total / max(1, self.corpus_tokens)
        return Lexicon({w.word: max(1, round(w.count * scale)) for w in self._words if w.accepted})

    def save(self, path, scores: bool = False) -> None:
        """Write ``word count`` lines (a user dictionary for nlpzero and jieba),
        atomically; with `scores`, the tokens and the gain as two more columns (nlpzero
        reads such a file as a lexicon; jieba's user dictionaries admit only a POS tag
        as third column)."""
        with atomic_write(path) as f:
            for line in self.lines(scores):
                f.write(line + "\n")

    def lines(self, scores: bool = False) -> Iterator[str]:
        """The lines :meth:`save` writes."""
        for w in self._words:
            yield (f"{w.word} {w.count} {w.tokens} {w.gain:.2f}" if scores
                   else f"{w.word} {w.count}")


def resolve_base(base, lines: list[str], report=lambda message: None) -> Lexicon:
    """The base lexicon of :func:`~nlpzero.segmentation.find_new_words` (see its `base`
    parameter)."""
    if base is None:
        return Lexicon.load_jieba_default()
    if isinstance(base, str) and base.lower() == "none":
        from .finders import find_words

        report("learning a lexicon from the text (no base dictionary)")
        base = find_words(lines)  # refined: the words of their own
    elif not isinstance(base, Lexicon):
        base = Lexicon.load(base)
    if base.total <= 0:
        raise InputError("the base dictionary has no word with a positive count")
    return base


def refine_lexicon(lexicon, texts: Iterable[str] | str | None,
                   min_gain: float = defaults.LEARNED_BASE_MIN_GAIN, *,
                   uses: Callable[[dict], dict] | None = None) -> Lexicon:
    """A lexicon learned from raw text, kept to the entries that are words of their own.

    The word finders keep pairs that the lexicon's own words explain (他的 = 他 + 的,
    也是, 看了), fragments that only occur inside longer strings, and numeral phrases
    (一种, 两国, 三十年); and they count a word where their cut left it, not where the
    text uses it. Refining:

    1. re-estimates the counts as the words' uses in the text's most probable
       segmentation with the lexicon (:func:`reestimate_counts`); unused entries leave;
    2. removes each word that its other words explain with fewer than `min_gain` nats
       an occurrence, its count going to its parts (description length, longest first:
       :func:`~nlpzero.discovery.remove_redundant`);
    3. counts each numeral + one character as its two parts;
    4. re-estimates the counts again on the result.

    It is how :func:`~nlpzero.segmentation.adapt_segmenter` builds its base from raw text
    alone (``lexicon="none"``). On the People's Daily (1.84M characters), the lexicon
    that :func:`~nlpzero.discovery.find_words` learns went from 46,109 words to 28,529,
    and the F1 of the unigram tokenizer with it from 0.7960 to 0.8137 (2026-12-05).

    Parameters
    ----------
    lexicon : Lexicon or mapping of str to int
        The learned lexicon.
    texts : str or iterable of str
        The text it was learned from: a string (cut into lines) or lines, read twice
        (an iterator is first read into a list).
    min_gain : float, default 3.5
        Nats an occurrence a word must save against its parts to stay.
    uses : callable, optional
        ``uses(words)``: the uses of a ``{word: count}`` lexicon in the text, as
        :func:`reestimate_counts` gives them for `texts` (the default). For files,
        :func:`~nlpzero.discovery.count_uses` counts them over partitions, on several
        workers; `texts` is then not read and may be None.

    Returns
    -------
    Lexicon

    Raises
    ------
    InputError
        If `min_gain` is not a number, or neither `texts` nor `uses` is given.

    Examples
    --------
    >>> from nlpzero import find_words
    >>> from nlpzero.discovery import refine_lexicon
    >>> lines = ["他的书很好看。", "他的书在桌上。"] * 50  # doctest: +SKIP
    >>> found = find_words(lines, refine=False)  # doctest: +SKIP
    >>> refine_lexicon(found, lines) == find_words(lines)  # doctest: +SKIP
    True
    """
    from .finders import remove_redundant

    min_gain = check_number("min_gain", min_gain)
    if uses is None:
        if texts is None:
            raise InputError("refine_lexicon needs the text (texts) or a count of uses (uses)")
        lines = rereadable_texts(texts)  # read twice below

        def uses(words):
            return reestimate_counts(words, lines)
    # Both tests below, and any model drawn from the counts, should see the counts of
    # the text's coding with these words, not of the finder's cut.
    counts = uses(dict(lexicon.items()))
    counts = remove_redundant(counts.items(), min_gain=min_gain)
    counts = split_numeral_phrases({w: c for w, c in counts.items() if c > 0})
    return Lexicon(uses(counts))


def reestimate_counts(words, lines: list[str]) -> dict:
    """The words' counts re-estimated as their uses in the corpus's best segmentation.

    The corpus is segmented with the words by the unigram tokenizer (the most probable
    path under their counts, one Viterbi pass), and each word gets the number of times
    it is a token; words the segmentation never uses are left out.

    A word finder counts a word where its own cut left it, and those cuts overlap and
    disagree (the pieces of a string that failed as a whole, pairs inside longer words):
    the counts describe the finder, not the text. A model that codes the text with the
    words (the description-length test of :func:`~.finders.remove_redundant`, the
    tagger's pseudo-sentences drawn in proportion to the counts) should have the counts
    that coding produces. One pass is enough: on the development domains three passes
    gave the same F1 within 0.001 (2026-12-05).

    Parameters
    ----------
    words : Lexicon or mapping of str to int
        Words with positive counts.
    lines : list of str
        The corpus.

    Returns
    -------
    dict
        ``{word: tokens}`` for the words used at least once; `words` itself (as a
        dict) when none is.
    """
    words = positive_words(words)
    if not words:
        return words
    return words_in_use(words, uses_of(words, lines))


def positive_words(words) -> dict:
    """The words of a lexicon or mapping with a positive count."""
    return {w: c for w, c in words.items() if c > 0}


def unigram_tokenizer(words: dict):
    """The unigram tokenizer of `words` (not cached: a lexicon of the moment)."""
    from ..segmentation.tokenizer import Tokenizer

    return Tokenizer(Lexicon(words), cache=False)


def uses_of(words: dict, lines: Iterable[str]) -> dict:
    """``{word: tokens}``: how often each of `words` is a token of the lines'
    segmentation by their unigram tokenizer."""
    return dict(zip(words, unigram_tokenizer(words).count_words(lines, list(words)).tolist()))


def words_in_use(words: dict, tokens) -> dict:
    """``{word: tokens}`` for the words used at least once (`tokens`: a word's uses, a
    mapping); `words` as they were when none is, so that a text that uses none of them
    leaves the lexicon whole rather than empty."""
    used = {w: tokens[w] for w in words if tokens.get(w, 0) > 0}
    return used or words


def split_numeral_phrases(words: dict) -> dict:
    """The lexicon with each numeral + one character (一种, 两国, 三十年) counted as its two
    parts: the phrases the new-word test rejects do not enter a learned base either."""
    out: Counter = Counter()
    for w, c in words.items():
        i = 0
        while i < len(w) and w[i] in CARDINALS:
            i += 1
        if 0 < i == len(w) - 1:
            out[w[:i]] += c
            out[w[i]] += c
        else:
            out[w] += c
    return dict(out)


def score_candidates(lines: list[str], tokens: Counter, base: Lexicon, min_count: int,
                     min_gain: float, numbers: bool = False) -> NewWords:
    """Score every token of 2+ characters absent from `base`; accepted words first
    (with `numbers`, numbers that pass the other tests are accepted too)."""
    total = sum(tokens.values())
    candidates = [w for w in tokens if len(w) >= 2 and w not in base]
    han = [w for w in candidates if is_han(w)]
    occurrences = count_occurrences(lines, han)
    inside = _inner_strings(han)
    count = {w: max(occurrences.get(w, (0, None, None))[0], tokens[w]) for w in candidates}
    fragment = {w: _is_fragment(w, occurrences[w], inside, base) for w in han}
    # Gains against the base plus the shorter words accepted so far: a known word with
    # a character attached is then explained by the known word.
    log_total = math.log(base.total)
    logp = {w: math.log(c) - log_total for w, c in base.items() if c > 0}
    longest = max(map(len, logp), default=1)
    unknown = -log_total  # a piece no word covers scores like a word seen once
    scale = base.total / max(1, total)
    gain, accepted = {}, {}
    for w in sorted(candidates, key=len):
        if any(CHAR_CLASS[ord(ch)] == HAN for ch in w):
            pieces = best_split(w, logp, unknown, max(longest, len(w)))
            coded = sum(logp.get(p, unknown) for p in pieces)
        else:  # a number or a Latin word: one atom for the base too
            pieces, coded = [w], unknown
        gain[w] = math.log(count[w] / total) - coded
        passes = (gain[w] >= min_gain and count[w] >= min_count
                  and not fragment.get(w, False))
        if is_number(w):
            accepted[w] = passes and numbers
            continue
        accepted[w] = passes and not is_phrase_or_punctuation(pieces)
        if accepted[w] and is_han(w):
            logp[w] = math.log(max(1.0, count[w] * scale)) - log_total
    words = [NewWord(w, count[w], tokens[w], round(gain[w], 4), accepted[w]) for w in candidates]
    words.sort(key=lambda w: (not w.accepted, -(w.score if w.accepted else w.tokens), w.word))
    return NewWords(words, total)


def count_occurrences(lines: list[str], strings: Iterable[str]) -> dict:
    """For each string (of 2+ characters), its occurrences in `lines` (overlapping ones
    included) and the most common character right before and right after it:
    ``{s: (count, (char, n) | None, (char, n) | None)}``."""
    targets = set(strings)
    if not targets:
        return {}
    # Strings by their first two characters: one dict lookup per position of the text
    # finds the few strings that can start there.
    by_prefix: dict[str, list[str]] = {}
    for s in targets:
        by_prefix.setdefault(s[:2], []).append(s)
    found: dict[str, list] = {}
    for line in lines:
        n = len(line)
        get = by_prefix.get
        for i in range(n - 1):
            starting = get(line[i:i + 2])
            if starting is None:
                continue
            for s in starting:
                if line.startswith(s, i):
                    entry = found.get(s)
                    if entry is None:
                        entry = found[s] = [0, Counter(), Counter()]
                    entry[0] += 1
                    if i > 0:
                        entry[1][line[i - 1]] += 1
                    end = i + len(s)
                    if end < n:
                        entry[2][line[end]] += 1
    return {s: (e[0], _most_common(e[1]), _most_common(e[2])) for s, e in found.items()}


def is_number(word: str) -> bool:
    """Whether a candidate is a number, with or without a unit (10, 2008年, 0.5％)."""
    return word[0].isdigit()


def is_phrase_or_punctuation(pieces: list[str]) -> bool:
    """Whether a candidate, given as the base's split of it, is a numeral phrase (its
    first piece is made of numeral characters: 两柄, 五十级) or punctuation (no letter)."""
    return (not any(ch.isalpha() for p in pieces for ch in p)
            or all(ch in NUMERAL_CHARS for ch in pieces[0]))


def is_han(word: str) -> bool:
    """Whether every character of `word` is a Han character."""
    return all(CHAR_CLASS[ord(ch)] == HAN for ch in word)


def _most_common(counter: Counter):
    return counter.most_common(1)[0] if counter else None


def _inner_strings(words: Iterable[str]) -> set[str]:
    """Every substring of 3+ characters of the given words (the strings a shorter
    candidate grown by one character may be part of)."""
    inner = set()
    for w in words:
        for i in range(len(w)):
            for j in range(i + 3, len(w) + 1):
                inner.add(w[i:j])
    return inner


def _is_fragment(word: str, occurrence, inside: set[str], base: Lexicon) -> bool:
    """Whether one neighbour character dominates the string's occurrences and the
    string with it is inside a candidate or a word of the base."""
    if occurrence is None:
        return False
    n, left, right = occurrence
    longer = []
    if left is not None and left[1] > DOMINANT_NEIGHBOUR * n:
        longer.append(left[0] + word)
    if right is not None and right[1] > DOMINANT_NEIGHBOUR * n:
        longer.append(word + right[0])
    return any(s in inside or s in base for s in longer)


def corpus_lines(texts) -> list[str]:
    """The non-empty stripped lines of a corpus; an InputError when there are none or
    they hold no Han character."""
    if isinstance(texts, str):
        texts = texts.splitlines()
    lines = [line.strip() for line in texts]
    lines = [line for line in lines if line]
    if not lines:
        raise InputError("the corpus is empty")
    if not any(is_han(ch) for line in lines for ch in line):
        raise InputError("the corpus has no Han characters")
    return lines

