"""A domain learned from its raw text: its new words (:func:`find_new_words`) and a
segmenter adapted to it (:func:`adapt_segmenter`).

The tagger trained from a dictionary alone (:class:`~nlpzero.segmentation.Segmenter`)
knows the dictionary's words and guesses unseen ones from their characters, one
occurrence at a time. A domain's raw text adds two things it cannot know:

1. **the domain's words** (:func:`~nlpzero.discovery.find_new_words`): names and terms
   that the corpus as a whole shows to be words, judged by the description length
   they save against the dictionary's own split of them;
2. **the domain's word frequencies**: the dictionary's counts come from general text.
   The domain is segmented with the dictionary plus its new words, and the lexicon of
   the word lattice becomes a mixture of the dictionary's counts and the domain's
   (``domain_weight`` of the mass from the domain), the classic adaptation of a
   unigram model by interpolation. Only words the dictionary has or that were
   accepted as new enter, so the domain's segmentation errors are not learned as words.

New words enter with counts on the dictionary's scale (their rate in the domain
times the dictionary's total), so they win where they occur and leave the analysis of
other text alone. The tagger's weights stay those of the dictionary: retraining it on
its own analyses of the domain (self-training) reproduced the adapted lattice on the
text it learned from and added 0.001 F1 on held-out text of the same domain, for the
cost of a second training.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
from collections import Counter
from typing import Callable, Iterable

from .. import __version__, defaults
from .._validation import check_int, check_number
from ..discovery.newwords import NewWords, corpus_lines, resolve_base, score_candidates
from ..errors import InputError, NlpzeroError
from ..lexicon import Lexicon
from .tagger import DEFAULT_DICT_WEIGHT, DEFAULT_SAMPLES, FORMAT_VERSION, Segmenter
from .tokenizer import cache_directory, default_dictionary_path

logger = logging.getLogger(__name__)


def find_new_words(texts: Iterable[str] | str, base: Lexicon | str | None = None, *,
                   segmenter=None, min_count: int = defaults.NEW_WORD_MIN_COUNT,
                   min_gain: float = defaults.NEW_WORD_MIN_GAIN,
                   rounds: int = defaults.NEW_WORD_ROUNDS, numbers: bool = True,
                   include_rejected: bool = False, n_jobs: int = 2, seed: int = 0,
                   progress: Callable[[str], None] | None = None) -> NewWords:
    """Find the words of a corpus that a base dictionary lacks, best first.

    Parameters
    ----------
    texts : str or iterable of str
        The domain's raw text (lines).
    base : Lexicon, str or None
        The base dictionary: a Lexicon, the path of a ``word count`` file, None for
        jieba's dict.txt, or ``"none"`` for no dictionary at all (the base is then the
        lexicon learned from `texts` by :func:`~nlpzero.discovery.find_words`, its
        counts re-estimated as the words' uses in the text's best segmentation, less
        the words its other words explain: those saving under 3.5 nats an occurrence).
    segmenter : Segmenter, optional
        A segmenter that knows the base (by default a tagger is trained from it:
        :meth:`~nlpzero.segmentation.Segmenter.train` with its defaults).
    min_count : int, default 2
        Occurrences a word needs.
    min_gain : float, default 6.0
        Nats per occurrence a word must save against the base's split of it.
    rounds : int, default 2
        Segmentations of the corpus; after each but the last, the accepted words join
        the segmenter's lexicon.
    numbers : bool, default True
        List numbers (10, 2008年, 0.5％) that pass the tests: segmentation standards keep
        them as words and the base cannot code them. False lists words only.
    include_rejected : bool, default False
        Also list the candidates that failed a test, after the accepted ones.
    n_jobs, seed
        Threads of the segmenter, seed of the tagger's training.
    progress : callable, optional
        Called with a short message at each stage.

    Returns
    -------
    NewWords

    Examples
    --------
    >>> words = find_new_words(open("novel.txt", encoding="utf-8"))  # doctest: +SKIP
    >>> words.save("novel-words.txt")                                 # doctest: +SKIP
    """
    lines = corpus_lines(texts)
    check_int("min_count", min_count)
    check_int("rounds", rounds)
    min_gain = check_number("min_gain", min_gain)
    report = progress or (lambda message: None)
    base_source, base = base, resolve_base(base, lines, report)
    if segmenter is None:
        segmenter = base_segmenter(base_source, base, seed=seed, n_jobs=n_jobs, report=report)
    seg = segmenter
    for r in range(rounds):
        report(f"round {r + 1}/{rounds}: segmenting {sum(map(len, lines)):,} characters")
        tokens = token_counts(seg, lines)
        last = r + 1 == rounds
        words = score_candidates(lines, tokens, base, min_count, min_gain, numbers and last)
        logger.info("round %d: %d candidates, %d accepted", r + 1, len(words),
                    sum(w.accepted for w in words))
        if not last:
            seg = _with_lexicon(seg, _with_new_words(base, words), seg.dict_weight)
    if not include_rejected:
        words = words.accepted()
    return words


def base_segmenter(base_source, base: Lexicon, *, n_samples: int = DEFAULT_SAMPLES,
                   seed: int = 0, bits: int | None = None, n_jobs: int = 2,
                   report=lambda message: None) -> Segmenter:
    """The tagger trained from a base dictionary, from the cache when it is there.

    Training on jieba's 349k words takes 10-20 s; a dictionary given as a file (or
    jieba's, `base_source` None) keys a cached model in the ``segmenters/`` folder of
    :func:`nlpzero.segmentation.cache_directory` by the file's path, size and modification
    time and the training parameters, so the next run on any corpus loads it instead (about
    0.5 s).
    A lexicon given as an object, or learned from the corpus, is trained every time.
    """
    extra = {} if bits is None else {"bits": bits}
    cache = _cached_model_path(base_source, n_samples, seed, bits)
    if cache is not None and os.path.exists(cache):
        try:
            return Segmenter.load(cache, n_jobs=n_jobs)
        except NlpzeroError:
            logger.info("ignoring the damaged cached model %s", cache)
    report(f"training a tagger on the base dictionary ({len(base):,} words)")
    segmenter = Segmenter.train(base, n_samples=n_samples, seed=seed, n_jobs=n_jobs, **extra)
    if cache is not None:
        try:
            os.makedirs(os.path.dirname(cache), exist_ok=True)
            segmenter.save(cache)
        except (OSError, NlpzeroError) as exc:  # a cache that cannot be written is no error
            logger.info("could not cache the base tagger: %s", exc)
    return segmenter


def _cached_model_path(base_source, n_samples: int, seed: int, bits: int | None) -> str | None:
    if isinstance(base_source, Lexicon) or (isinstance(base_source, str)
                                            and base_source.lower() == "none"):
        return None
    path = default_dictionary_path() if base_source is None else os.fspath(base_source)
    try:
        st = os.stat(path)
    except OSError:
        return None
    key = json.dumps([os.path.realpath(path), st.st_size, st.st_mtime_ns, n_samples, seed, bits,
                      FORMAT_VERSION, __version__])
    name = hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]
    return os.path.join(cache_directory(), "segmenters", f"{name}.npz")


def token_counts(segmenter, lines: list[str]) -> Counter:
    """How often `segmenter` cuts each token out of `lines`."""
    counts: Counter = Counter()
    for words in segmenter.cut_lines(lines):
        counts.update(words)
    return counts


def adapt_segmenter(lexicon: Lexicon | str | None, corpus: Iterable[str] | str, *,
                    segmenter: Segmenter | None = None,
                    domain_weight: float = defaults.DOMAIN_WEIGHT,
                    min_count: int = defaults.NEW_WORD_MIN_COUNT,
                    min_gain: float = defaults.NEW_WORD_MIN_GAIN,
                    n_samples: int = DEFAULT_SAMPLES, seed: int = 0, bits: int | None = None,
                    dict_weight: float = DEFAULT_DICT_WEIGHT, n_jobs: int = 2,
                    progress: Callable[[str], None] | None = None) -> Segmenter:
    """Train a segmenter from a dictionary and adapt it to a domain's raw text.

    Parameters
    ----------
    lexicon : Lexicon, str or None
        The dictionary: a Lexicon, a ``word count`` file, None for jieba's dict.txt, or
        ``"none"`` to learn it from `corpus` first (raw text alone).
    corpus : str or iterable of str
        The domain's raw text.
    segmenter : Segmenter, optional
        The tagger trained from `lexicon`, if already at hand (otherwise trained here
        with `n_samples`, `seed`, `bits`).
    domain_weight : float, default 0.5
        Share of the adapted lexicon's mass taken from the domain's counts (0 keeps
        the dictionary's counts and only adds the new words; must be below 1).
    min_count, min_gain
        Tests for new words (see :func:`~nlpzero.discovery.find_new_words`).
    dict_weight : float, default 0.2
        Weight of the lexicon in the word lattice of the result.
    progress : callable, optional
        Called with a short message at each stage.

    Returns
    -------
    Segmenter
        The dictionary's tagger with the adapted lexicon; ``info["new_words"]`` counts
        the words added.
    """
    domain_weight = float(domain_weight)
    if not math.isfinite(domain_weight) or not 0 <= domain_weight < 1:
        raise InputError(f"domain_weight must be a number in [0, 1), not {domain_weight}")
    report = progress or (lambda message: None)
    lines = corpus_lines(corpus)
    base = resolve_base(lexicon, lines, report)
    if segmenter is None:
        segmenter = base_segmenter(lexicon, base, n_samples=n_samples, seed=seed, bits=bits,
                                   n_jobs=n_jobs, report=report)
    new = find_new_words(lines, base, segmenter=segmenter, min_count=min_count,
                         min_gain=min_gain, numbers=False, n_jobs=n_jobs, progress=progress)
    report(f"{len(new):,} new words; segmenting the domain with them")
    with_new = _with_new_words(base, new)
    counts = token_counts(_with_lexicon(segmenter, with_new, dict_weight), lines)
    result = _with_lexicon(segmenter, mix_counts(with_new, counts, domain_weight), dict_weight)
    result.info = dict(segmenter.info, adapted=True, new_words=len(new),
                       domain_weight=domain_weight, domain_tokens=sum(counts.values()))
    return result


def mix_counts(lexicon: Lexicon, domain: Counter, domain_weight: float) -> Lexicon:
    """Interpolate a lexicon's counts with a domain's token counts.

    The domain's counts of the words in `lexicon` (other tokens are left out: they are
    the segmenter's guesses, not words the dictionary or the new-word tests vouch for)
    are scaled to make up `domain_weight` of the result's total and added.
    """
    mixed = Lexicon(lexicon.items())
    known = {w: c for w, c in domain.items() if w in lexicon}
    total = sum(known.values())
    if domain_weight == 0 or total == 0:
        return mixed
    scale = domain_weight / (1 - domain_weight) * lexicon.total / total
    mixed.update({w: max(1, round(c * scale)) for w, c in known.items()})
    return mixed


def _with_new_words(base: Lexicon, words: NewWords) -> Lexicon:
    """`base` plus the accepted `words`, with counts on the base's scale."""
    merged = Lexicon(base.items())
    merged.update(words.lexicon(base.total))
    return merged


def _with_lexicon(segmenter: Segmenter, lexicon: Lexicon, dict_weight: float) -> Segmenter:
    return Segmenter(segmenter.weights, segmenter.transitions, lexicon, dict_weight=dict_weight,
                     max_word_len=segmenter.max_word_len, n_jobs=segmenter.n_jobs,
                     info=segmenter.info)


__all__ = ["adapt_segmenter", "base_segmenter", "find_new_words", "mix_counts", "token_counts"]
