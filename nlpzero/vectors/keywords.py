"""Keywords of a text: by TF-IDF with document frequencies learned from a corpus
(:class:`TfidfKeywords`), or by the vectors' importance
(:meth:`nlpzero.vectors.WordVectors.keywords`, ``<v_w, sum of the text's vectors>``).

Both rank the distinct *word tokens* of a text: tokens with at least one letter, digit
or CJK character (punctuation and symbols are never keywords), in order of score, ties
in order of first occurrence.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Iterable

from .._validation import check_int
from ..errors import InputError


def is_word_token(token: str) -> bool:
    """True when `token` holds a letter, digit or CJK character (``str.isalnum``).

    Examples
    --------
    >>> is_word_token("经济"), is_word_token("，"), is_word_token("2024")
    (True, False, True)
    """
    return any(ch.isalnum() for ch in token)


def text_words(text, name: str = "text") -> list[str]:
    """The tokens of `text`: a str is split on whitespace, a list or tuple of str is
    taken as it is.

    Raises
    ------
    InputError
        When `text` is neither, or holds something that is not a non-empty str.
    """
    if isinstance(text, str):
        return text.split()
    if not isinstance(text, (list, tuple)):
        raise InputError(f"{name} must be a str or a list of words, not {type(text).__name__}")
    for w in text:
        if not isinstance(w, str) or not w:
            raise InputError(f"every word of {name} must be a non-empty str, not {w!r}")
    return list(text)


def check_topn(topn) -> int | None:
    """`topn` is None (all) or a positive int."""
    return None if topn is None else check_int("topn", topn, 1)


def rank(scores: dict, topn: int | None) -> list[tuple[str, float]]:
    """``(word, score)`` best first; `scores` in order of first occurrence breaks ties
    (the sort is stable)."""
    out = sorted(scores.items(), key=lambda x: -x[1])
    return out if topn is None else out[:topn]


class TfidfKeywords:
    """Keywords by TF-IDF, document frequencies learned from a corpus.

    The score of a word w in a text is ``tf(w) * idf(w)``, tf the number of its
    occurrences in the text and ``idf(w) = log((1 + N) / (1 + df(w))) + 1`` (the smooth
    idf of scikit-learn), N the number of documents fitted and df(w) the number of them
    that hold w; a word never seen gets the largest idf, ``log(1 + N) + 1``.

    Parameters
    ----------
    min_length : int, default 1
        Shortest keyword, in characters (jieba.analyse uses 2).

    Attributes
    ----------
    n_docs : int
        Documents fitted.
    df : collections.Counter
        Document frequency of each word.

    Examples
    --------
    >>> kw = TfidfKeywords().fit(["我们 发展 经济", "我们 喜欢 北京", "我们 发展 教育"])
    >>> [w for w, _ in kw.keywords("我们 要 发展 经济 经济", topn=2)]
    ['经济', '要']
    """

    def __init__(self, min_length: int = 1):
        self.min_length = check_int("min_length", min_length, 1)
        self.n_docs = 0
        self.df: Counter = Counter()

    def fit(self, docs: Iterable) -> "TfidfKeywords":
        """Count the documents that hold each word (adds to earlier fits).

        Parameters
        ----------
        docs : iterable of (str or list of str)
            Documents: a str is split on whitespace (segment text first).

        Returns
        -------
        TfidfKeywords
            self
        """
        if isinstance(docs, str):
            raise InputError("docs must be an iterable of documents, not one str")
        for k, doc in enumerate(docs):
            self.df.update(set(text_words(doc, f"document {k + 1}")))
            self.n_docs += 1
        return self

    def idf(self, word: str) -> float:
        """Inverse document frequency of `word` (see the class)."""
        return math.log((1 + self.n_docs) / (1 + self.df.get(word, 0))) + 1.0

    def keywords(self, text, topn: int | None = None) -> list[tuple[str, float]]:
        """The text's words by TF-IDF.

        Parameters
        ----------
        text : str or list of str
            The words of the text (a str is split on whitespace).
        topn : int, optional
            How many to return (default: all).

        Returns
        -------
        list of (str, float)
            Distinct word tokens of at least `min_length` characters, best first.
        """
        words = text_words(text)
        topn = check_topn(topn)
        tf = Counter(words)
        scores = {w: tf[w] * self.idf(w) for w in dict.fromkeys(words)
                  if len(w) >= self.min_length and is_word_token(w)}
        return rank(scores, topn)
