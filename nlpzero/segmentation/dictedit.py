"""Helpers of jieba-style dictionary edits (``Tokenizer.add_word``, ``suggest_freq``,
``load_userdict``), which must not rebuild the compiled trie on every call.

An edit changes the tokenizer's :class:`~nlpzero.lexicon.Lexicon` at once and only
marks the trie stale; the trie is rebuilt once, before the next segmentation. What an
edit itself needs to segment, the parts of a word for :meth:`suggest_freq`, is found
here from the lexicon's counts, by the same unigram model as the compiled kernel.
"""

from __future__ import annotations

import math
import os
import re
from typing import Callable, Iterator

from .._io import open_input
from ..corpus import CHAR_CLASS, HAN
from ..errors import FormatError

_COUNT = re.compile(r"[0-9]+")


def is_han(text: str) -> bool:
    """Whether `text` is a non-empty run of Han characters (what the trie segments)."""
    return bool(text) and all(CHAR_CLASS[ord(ch)] == HAN for ch in text)


def best_split(run: str, count: Callable[[str], int], total: int) -> list[str]:
    """The most probable split of the Han run `run` into words, given their counts.

    The tokenizer kernel's unigram model: a part of more than one character must have
    a positive count, a single character counts at least 1, a part scores
    log(count / total), and the largest sum wins (a tie goes to the shorter first
    part, as in the kernel).

    Parameters
    ----------
    run : str
        Han characters.
    count : callable
        The count of a string, 0 when it is no word (e.g. ``Lexicon.get``).
    total : int
        Sum of all counts (taken as at least 1).

    Returns
    -------
    list of str
        The parts, in order; they join to `run`.
    """
    n = len(run)
    log_total = math.log(max(total, 1))
    best = [0.0] * (n + 1)
    nxt = [0] * (n + 1)
    for i in range(n - 1, -1, -1):
        top = math.log(max(count(run[i]), 1)) - log_total + best[i + 1]
        arg = i + 1
        for j in range(i + 2, n + 1):
            c = count(run[i:j])
            if c > 0:
                score = math.log(c) - log_total + best[j]
                if score > top:
                    top, arg = score, j
        best[i], nxt[i] = top, arg
    parts, i = [], 0
    while i < n:
        parts.append(run[i:nxt[i]])
        i = nxt[i]
    return parts


def read_userdict(source) -> Iterator[tuple[str, int | None]]:
    """The ``(word, count or None)`` entries of a jieba user dictionary, in order.

    Each line is ``word [count] [tag]`` separated by whitespace, as jieba reads it: a
    second field of ASCII digits is the count, any other is a tag (ignored) and leaves
    the count to :meth:`~nlpzero.tokenizer.Tokenizer.suggest_freq`. Blank lines and
    lines starting with ``#`` are skipped; a byte order mark and CRLF are tolerated.

    Parameters
    ----------
    source : str, os.PathLike or file object
        A path, or an open file, text or binary (UTF-8).

    Raises
    ------
    FormatError
        When the file is not UTF-8.
    InputError
        When it cannot be read.
    """
    if isinstance(source, (str, os.PathLike)):
        name = os.fspath(source)
        with open_input(name) as f:
            data = f.read()
    else:
        name = getattr(source, "name", "<file>")
        data = source.read()
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[:exc.start].count(b"\n") + 1
            raise FormatError(f"{name}, line {line}: not valid UTF-8") from None
    for line in data.lstrip("\ufeff").split("\n"):
        fields = line.split()
        if not fields or fields[0].startswith("#"):
            continue
        yield fields[0], (int(fields[1]) if len(fields) > 1 and _COUNT.fullmatch(fields[1])
                          else None)
