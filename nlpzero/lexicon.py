"""Lexicons: words with counts, stored as UTF-8 ``word count`` lines.

Files load in the same format, and jieba's ``word freq [tag]`` dictionaries load too
(fields after the count are ignored, a missing count means 1). Loading is fast enough
for jieba's 349k-word dict.txt to load in a small fraction of a second.
"""

from __future__ import annotations

import os
from typing import Iterable, Iterator, Mapping

import numpy as np

from ._io import atomic_write
from .errors import FormatError, InputError


class Lexicon:
    """A mapping word -> count.

    Parameters
    ----------
    words : mapping or iterable of (word, count), optional
        Initial content; counts of repeated words are added up.

    Examples
    --------
    >>> lex = Lexicon({"中国": 3, "人民": 2})
    >>> lex.add("中国")
    >>> lex["中国"], lex.total, lex.most_common(1)
    (4, 6, [('中国', 4)])
    """

    def __init__(self, words: Mapping[str, int] | Iterable[tuple[str, int]] | None = None):
        self._counts: dict[str, int] = {}
        if words is not None:
            self.update(words)

    # -- mapping protocol ------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._counts)

    def __contains__(self, word) -> bool:
        return word in self._counts

    def __getitem__(self, word: str) -> int:
        return self._counts[word]

    def __iter__(self) -> Iterator[str]:
        return iter(self._counts)

    def __eq__(self, other) -> bool:
        if not isinstance(other, Lexicon):
            return NotImplemented
        return self._counts == other._counts

    def __repr__(self) -> str:
        top = ", ".join(f"{w!r}: {c}" for w, c in self.most_common(3))
        more = ", ..." if len(self) > 3 else ""
        return f"Lexicon({len(self)} words: {{{top}{more}}})"

    def get(self, word: str, default: int = 0) -> int:
        """Count of `word`, or `default`."""
        return self._counts.get(word, default)

    def items(self) -> list[tuple[str, int]]:
        """(word, count) pairs, most frequent first, ties in code-point order."""
        return sorted(self._counts.items(), key=lambda wc: (-wc[1], wc[0]))

    def most_common(self, n: int | None = None) -> list[tuple[str, int]]:
        """The `n` most frequent (word, count) pairs (all when n is None)."""
        items = self.items()
        return items if n is None else items[:n]

    @property
    def total(self) -> int:
        """Sum of all counts."""
        return sum(self._counts.values())

    # -- editing -------------------------------------------------------------------------
    def add(self, word: str, count: int = 1) -> None:
        """Add `count` to the count of `word`."""
        _check_entry(word, count)
        self._counts[word] = self._counts.get(word, 0) + int(count)

    def update(self, words: Mapping[str, int] | Iterable[tuple[str, int]]) -> None:
        """Add the counts of `words` (a mapping or (word, count) pairs)."""
        pairs = words.items() if isinstance(words, (Mapping, Lexicon)) else words
        for word, count in pairs:
            self.add(word, count)

    def remove(self, word: str) -> None:
        """Delete `word` (KeyError when absent)."""
        del self._counts[word]

    def to_arrays(self, sort: bool = True) -> tuple[list[str], np.ndarray]:
        """Words and their int64 counts, in :meth:`items` order (or insertion order
        when not `sort`, which is faster)."""
        if sort:
            pairs = self.items()
            return [w for w, _ in pairs], np.array([c for _, c in pairs], dtype=np.int64)
        return list(self._counts), np.fromiter(self._counts.values(), dtype=np.int64,
                                               count=len(self._counts))

    # -- files -----------------------------------------------------------------------------
    def save(self, path) -> None:
        """Write ``word count`` lines, most frequent first, atomically (``-`` = stdout)."""
        with atomic_write(path) as f:
            f.writelines(f"{w} {c}\n" for w, c in self.items())

    @classmethod
    def load(cls, path) -> "Lexicon":
        """Read a ``word [count [tag...]]`` file (UTF-8, BOM and CRLF tolerated).

        Raises
        ------
        InputError
            When the file is missing or unreadable.
        FormatError
            On invalid UTF-8, binary data, a bad count, or a file with no words; the
            message names the file and line.
        """
        path = os.fspath(path)
        try:
            with open(path, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            raise InputError(f"no such file: {path}") from None
        except IsADirectoryError:
            raise InputError(f"{path} is a directory, not a lexicon") from None
        except OSError as exc:
            raise InputError(f"cannot read {path}: {exc.strerror}") from None
        text = _decode(data, path)
        lexicon = cls()
        lexicon._counts = _parse(text, path)
        if not lexicon._counts:
            raise FormatError(f"{path}: the lexicon file contains no words")
        return lexicon

    @classmethod
    def load_jieba_default(cls) -> "Lexicon":
        """jieba's bundled dictionary (349k words with counts)."""
        import jieba

        return cls.load(os.path.join(os.path.dirname(jieba.__file__), "dict.txt"))


def _check_entry(word, count) -> None:
    if not isinstance(word, str) or not word or any(ch.isspace() for ch in word):
        raise ValueError(f"a word must be a non-empty string without whitespace, not {word!r}")
    if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count < 0:
        raise ValueError(f"the count of {word!r} must be a non-negative integer, not {count!r}")


def _decode(data: bytes, path: str) -> str:
    nul = data.find(b"\x00")
    if nul >= 0:
        raise FormatError(f"{path}: not a lexicon (binary data at line {_line_at(data, nul)})")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FormatError(f"{path}: invalid UTF-8 at line {_line_at(data, exc.start)}, "
                          f"byte offset {exc.start}") from None
    return text[1:] if text.startswith("\ufeff") else text


def _line_at(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _parse(text: str, path: str) -> dict[str, int]:
    lines = text.splitlines()
    # Fast path: every line is "word count" or every line is "word count tag".
    fields = text.split()
    comments = text.startswith("#") or "\n#" in text
    for width in (() if comments else (2, 3)):
        if len(fields) == width * len(lines):
            words = fields[0::width]
            counts = fields[1::width]
            if all(map(str.isdigit, counts)) and all(map(str.isascii, counts)):
                out = dict(zip(words, map(int, counts)))
                if len(out) < len(words):  # repeated words: add their counts up
                    out = {}
                    for w, c in zip(words, counts):
                        out[w] = out.get(w, 0) + int(c)
                return out
    return _parse_slowly(lines, path)


def _parse_slowly(lines: list[str], path: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for number, line in enumerate(lines, 1):
        parts = line.split()
        if not parts or parts[0].startswith("#"):
            continue
        count = 1
        if len(parts) > 1:
            field = parts[1]
            if not (field.isascii() and field.isdigit()):
                raise FormatError(f"{path}: line {number}: the count {field!r} of "
                                  f"{parts[0]!r} is not a non-negative integer")
            count = int(field)
        out[parts[0]] = out.get(parts[0], 0) + count
    return out
