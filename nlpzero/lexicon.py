"""Lexicons: words with counts, stored as UTF-8 ``word count`` lines.

The file format is one word per line: ``word``, ``word count``, or jieba's
``word freq tag`` (fields after the count are ignored; a missing count means 1).
Fields are separated by whitespace, blank lines and lines starting with ``#`` are
skipped, a UTF-8 byte order mark and CRLF line ends are tolerated. Repeated words
have their counts added up. :meth:`Lexicon.save` writes ``word count`` lines, most
frequent first, which :meth:`Lexicon.load` reads back exactly.

Loading is the slow step of starting a segmenter, so :meth:`Lexicon.load` has a fast
path for regular files (every line with the same number of single-space separated
fields, like jieba's dict.txt or our own output) that avoids Python work per line;
every other file goes through a careful line-by-line parser, which is also the one
that words the error messages.
"""

from __future__ import annotations

import codecs
import importlib.util
import itertools
import operator
import os
import re
import sys
from collections.abc import Iterable, Iterator, Mapping

import numpy as np

from ._io import atomic_write, open_input
from .errors import FormatError, InputError

#: Largest count a lexicon holds (counts are exported as int64).
MAX_COUNT = 2**63 - 1

# Whitespace outside ASCII, for which str.split() cuts but a byte-level scan does not
# (the full list of str.isspace() characters above U+007F).
_NON_ASCII_SPACE = re.compile("[\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")
# Any whitespace (in str patterns \s is exactly str.isspace()): not allowed in words.
_WHITESPACE = re.compile(r"\s")


class Lexicon:
    """A mapping word -> count, kept in a plain dict.

    Words are non-empty strings without whitespace; counts are integers from 0 to
    :data:`MAX_COUNT`. Iteration, :meth:`items`, :meth:`most_common`,
    :meth:`to_arrays` and :meth:`save` all use the same deterministic order: count
    descending, then word ascending (by code point).

    Parameters
    ----------
    words : mapping or iterable of (word, count) pairs, optional
        Initial content; the counts of repeated words are added up.

    Raises
    ------
    TypeError
        When a word is not a str or a count not an integer.
    InputError
        When a word is empty or contains whitespace, or a count is negative or
        too large.

    Examples
    --------
    >>> lex = Lexicon({"中国": 3, "人民": 2})
    >>> lex.add("中国")
    >>> lex["中国"], lex.total, lex.most_common(1)
    (4, 6, [('中国', 4)])
    """

    __slots__ = ("_counts", "_total", "_order")
    __hash__ = None  # mutable, so not hashable

    def __init__(self, words: Mapping[str, int] | Iterable[tuple[str, int]] | None = None):
        self._counts: dict[str, int] = {}
        self._total = 0
        # Words in items() order, computed on demand and dropped on every change.
        self._order: list[str] | None = None
        if words is not None:
            self.update(words)

    @classmethod
    def from_valid_counts(cls, counts: dict[str, int]) -> "Lexicon":
        """A lexicon over `counts` as it is, unchecked: for words the library made itself
        (runs of Han characters with positive counts), where checking every word would
        cost more than finding them."""
        lexicon = cls()
        lexicon._counts = counts
        lexicon._total = sum(counts.values())
        return lexicon

    # -- reading -------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._counts)

    def __contains__(self, word) -> bool:
        return word in self._counts

    def __getitem__(self, word: str) -> int:
        return self._counts[word]

    def __iter__(self) -> Iterator[str]:
        return iter(self._sorted_words())

    def __eq__(self, other) -> bool:
        if not isinstance(other, Lexicon):
            return NotImplemented
        return self._counts == other._counts

    def __repr__(self) -> str:
        top = ", ".join(f"{w!r}: {c}" for w, c in self.most_common(3))
        more = ", ..." if len(self) > 3 else ""
        return f"<Lexicon of {len(self)} words, total {self._total}: {{{top}{more}}}>"

    def get(self, word: str, default: int = 0) -> int:
        """Count of `word`, or `default` when it is absent.

        Parameters
        ----------
        word : str
        default : int, default 0

        Returns
        -------
        int
        """
        return self._counts.get(word, default)

    def keys(self) -> list[str]:
        """The words, in :meth:`items` order (also what makes ``dict(lexicon)`` work).

        Returns
        -------
        list of str
        """
        return list(self._sorted_words())

    def values(self) -> list[int]:
        """The counts, in :meth:`items` order.

        Returns
        -------
        list of int
        """
        return list(map(self._counts.__getitem__, self._sorted_words()))

    def items(self) -> list[tuple[str, int]]:
        """All (word, count) pairs, count descending, then word ascending.

        Returns
        -------
        list of (str, int)
            A new list; changing it does not change the lexicon.
        """
        words = self._sorted_words()
        return list(zip(words, map(self._counts.__getitem__, words)))

    def most_common(self, n: int | None = None) -> list[tuple[str, int]]:
        """The `n` most frequent (word, count) pairs, in :meth:`items` order.

        Parameters
        ----------
        n : int, optional
            How many pairs; all of them when None.

        Returns
        -------
        list of (str, int)
        """
        words = self._sorted_words()
        if n is not None:
            words = words[:max(n, 0)]
        return list(zip(words, map(self._counts.__getitem__, words)))

    @property
    def total(self) -> int:
        """Sum of all counts (kept up to date, so reading it costs nothing)."""
        return self._total

    def to_arrays(self, sort: bool = True) -> tuple[list[str], np.ndarray]:
        """Words and their counts as a list and an int64 array.

        Parameters
        ----------
        sort : bool, default True
            Use :meth:`items` order; when False use the dict's insertion order,
            which skips sorting and is faster.

        Returns
        -------
        words : list of str
        counts : numpy.ndarray of int64
            ``counts[i]`` is the count of ``words[i]``.
        """
        if not sort:
            return list(self._counts), np.fromiter(self._counts.values(), dtype=np.int64,
                                                   count=len(self._counts))
        words = self._sorted_words()
        counts = np.fromiter(map(self._counts.__getitem__, words), dtype=np.int64,
                             count=len(words))
        return list(words), counts

    # -- editing ---------------------------------------------------------------------------
    def add(self, word: str, count: int = 1) -> None:
        """Add `count` to the count of `word` (a new word starts from 0).

        Parameters
        ----------
        word : str
            Non-empty, without whitespace.
        count : int, default 1
            Non-negative; 0 adds the word without raising its count.

        Raises
        ------
        TypeError, InputError
            See :class:`Lexicon`.
        """
        count = _checked_count(word, count)
        _check_word(word)
        self._increase(word, count)

    def update(self, words: Mapping[str, int] | Iterable[tuple[str, int]]) -> None:
        """Add the counts of `words` to this lexicon.

        Parameters
        ----------
        words : Lexicon, mapping or iterable of (word, count) pairs
            Repeated words have their counts added up.

        Raises
        ------
        TypeError, InputError
            See :class:`Lexicon`. Everything is checked before anything is added,
            so a failed update leaves the lexicon unchanged.
        """
        if isinstance(words, Lexicon):
            pairs = words._counts.items()  # already valid
        elif isinstance(words, (str, bytes)):
            raise TypeError("a Lexicon takes a mapping or (word, count) pairs; "
                            "to read a file use Lexicon.load(path)")
        else:
            source = words.items() if isinstance(words, Mapping) else words
            pairs = [(word, _checked_count(word, count)) for word, count in source]
            for word, _ in pairs:
                _check_word(word)
        additions: dict[str, int] = {}
        for word, count in pairs:
            additions[word] = additions.get(word, 0) + count
        get = self._counts.get
        for word, count in additions.items():
            if get(word, 0) + count > MAX_COUNT:
                raise InputError(f"the count of {word!r} would exceed {MAX_COUNT}")
        if self._counts:
            for word, count in additions.items():
                self._counts[word] = get(word, 0) + count
        else:
            self._counts = additions  # the common case: a new lexicon from a dict
        self._total += sum(additions.values())
        self._order = None

    def remove(self, word: str) -> None:
        """Delete `word`.

        Raises
        ------
        KeyError
            When `word` is not in the lexicon.
        """
        count = self._counts.pop(word)
        self._total -= count
        self._order = None

    def _increase(self, word: str, count: int) -> None:
        new = self._counts.get(word, 0) + count
        if new > MAX_COUNT:
            raise InputError(f"the count of {word!r} would exceed {MAX_COUNT}")
        self._counts[word] = new
        self._total += count
        self._order = None

    def _sorted_words(self) -> list[str]:
        if self._order is None:
            # Sort by word, then (stably) by count descending: two sorts with C-level
            # keys are several times faster than one sort with a Python key function.
            order = sorted(self._counts)
            order.sort(key=self._counts.__getitem__, reverse=True)
            self._order = order
        return self._order

    # -- files -----------------------------------------------------------------------------
    def save(self, path) -> None:
        """Write ``word count`` lines (UTF-8, ``\\n``), in :meth:`items` order.

        The file is written atomically: it appears complete or not at all.

        Parameters
        ----------
        path : str, os.PathLike or None
            Destination; ``"-"`` or None writes to standard output.

        Raises
        ------
        FormatError
            When a word cannot be stored so that :meth:`load` reads it back: a word
            starting with ``#`` (it would read as a comment), containing a NUL
            character (it would read as binary data) or a lone surrogate (not
            encodable in UTF-8). Nothing is written then.
        InputError
            When the destination directory does not exist.
        """
        words = self._sorted_words()
        text = "".join([f"{w} {c}\n" for w, c in zip(words, map(self._counts.__getitem__, words))])
        _check_storable(text, words)
        with atomic_write(path) as f:
            f.write(text)

    @classmethod
    def load(cls, path) -> "Lexicon":
        """Read a lexicon file (see the module docstring for the format).

        Parameters
        ----------
        path : str or os.PathLike
            File to read; ``"-"`` reads standard input.

        Returns
        -------
        Lexicon

        Raises
        ------
        InputError
            When the file is missing or cannot be read.
        FormatError
            When a count is not a non-negative integer, the file is not valid UTF-8,
            holds NUL bytes (binary data) or no words. The message is one line that
            names the file and, where there is one, the line.
        """
        name, data = read_bytes(path)
        return cls.from_valid_counts(parse_lexicon(data, name))

    @classmethod
    def load_jieba_default(cls) -> "Lexicon":
        """jieba's bundled dictionary dict.txt (about 349k words with counts).

        Returns
        -------
        Lexicon

        Raises
        ------
        InputError
            When jieba is not installed or its dictionary is missing.
        """
        return cls.load(jieba_dictionary_path())


def jieba_dictionary_path() -> str:
    """Path of the dict.txt file shipped inside the installed jieba package.

    Returns
    -------
    str

    Raises
    ------
    InputError
        When jieba is not installed.
    """
    spec = importlib.util.find_spec("jieba")
    if spec is None or not spec.submodule_search_locations:
        raise InputError("jieba is not installed: pip install jieba")
    return os.path.join(list(spec.submodule_search_locations)[0], "dict.txt")


# ---------------------------------------------------------------------------------------
# Checking entries


def _checked_count(word, count) -> int:
    if isinstance(count, bool):  # bool is an int subclass, but True is not a count
        raise TypeError(f"the count of {word!r} must be an integer, not {count!r}")
    try:
        count = operator.index(count)  # int and NumPy integers, not floats or strings
    except TypeError:
        raise TypeError(f"the count of {word!r} must be an integer, not {count!r}") from None
    if not 0 <= count <= MAX_COUNT:
        raise InputError(f"the count of {word!r} must be between 0 and {MAX_COUNT}, not {count}")
    return count


def _check_word(word) -> None:
    if not isinstance(word, str):
        raise TypeError(f"a word must be a str, not {type(word).__name__}: {word!r}")
    if not word or _WHITESPACE.search(word):
        raise InputError(f"a word must be a non-empty string without whitespace, not {word!r}")


def _check_storable(text: str, words: list[str]) -> None:
    """Refuse words that the file format cannot carry, before anything is written."""
    if text.startswith("#") or "\n#" in text:
        word = next(w for w in words if w.startswith("#"))
        raise FormatError(f"cannot save the word {word!r}: a line starting with '#' is a "
                          f"comment in a lexicon file")
    if "\x00" in text:
        word = next(w for w in words if "\x00" in w)
        raise FormatError(f"cannot save the word {word!r}: NUL characters mark binary files")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        word = next(w for w in words if exc.object[exc.start] in w)
        raise FormatError(f"cannot save the word {word!r}: it is not encodable in UTF-8") from None


# ---------------------------------------------------------------------------------------
# Reading files


def read_bytes(path) -> tuple[str, bytes]:
    """(name for messages, whole content): one read is faster than any streaming."""
    if isinstance(path, str) and path == "-":
        return "<stdin>", sys.stdin.buffer.read()
    path = os.fspath(path)
    with open_input(path, "a lexicon") as f:
        return path, f.read()


def parse_lexicon(data: bytes, name: str) -> dict[str, int]:
    data, text = _checked_text(data, name)
    counts = _parse_regular(data, text)
    if counts is None:
        counts = _parse_line_by_line(text, name)
    if not counts:
        raise FormatError(f"{name}: no words in the lexicon file (it is empty or has only "
                          f"blank and comment lines)")
    return counts


def _checked_text(data: bytes, name: str) -> tuple[bytes, str]:
    """(`data` without a byte order mark, its decoding), after refusing binary data
    and invalid UTF-8."""
    _reject_binary(data, name)
    bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    if bom:
        data = data[bom:]
    return data, _decode(data, name, bom)


def regular_layout(data: bytes, name: str) -> tuple[np.ndarray, np.ndarray, int] | None:
    """The layout of a regular file (see :func:`_parse_regular`) for code that reads
    its fields from the bytes: (the bytes as uint8, always ending with a newline,
    the positions of the separators, fields per line), or None when the file is not
    regular or is empty.

    The file is checked as :func:`parse_lexicon` checks it (binary data and invalid
    UTF-8 raise the same :class:`FormatError`); its counts are not: they are only
    known to be runs of bytes other than whitespace.
    """
    data, text = _checked_text(data, name)
    if not data:
        return None
    regular = _regular_layout_of(data, text)
    if regular is None:
        return None
    _, _, buf, (positions, _n_lines, k) = regular
    # No empty field: no blank line, doubled space or space at either end of a line.
    if positions[0] == 0 or np.any(positions[1:] - positions[:-1] == 1):
        return None
    return buf, positions, k


def _regular_layout_of(data: bytes, text: str):
    """The file with LF line ends and a final newline, its bytes as an array and its
    layout (see _regular_shape); None when the layout is not regular or the text holds
    non-ASCII whitespace."""
    if b"\r" in data:
        data, text = data.replace(b"\r\n", b"\n"), text.replace("\r\n", "\n")
    if not data.endswith(b"\n"):
        data += b"\n"
    buf = np.frombuffer(data, dtype=np.uint8)
    shape = _regular_shape(buf)
    if shape is None or _has_non_ascii_space(data, buf, text):
        return None
    return data, text, buf, shape


def _reject_binary(data: bytes, name: str) -> None:
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise FormatError(f"{name}, line {line}: NUL byte at byte offset {nul}: this is a "
                          f"binary file, not a lexicon")


def _decode(data: bytes, name: str, skipped: int) -> str:
    """Decode UTF-8; `skipped` bytes (a BOM) were cut off the front of `data`."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + (skipped if line == 1 else 0)
        raise FormatError(f"{name}, line {line}: invalid UTF-8 at byte offset "
                          f"{exc.start + skipped} (byte {column + 1} of the line)") from None


def _parse_regular(data: bytes, text: str) -> dict[str, int] | None:
    """Fast path for a regular file; None when the file is not regular.

    Regular means: every line has the same number k of non-empty fields, separated by
    single spaces (so no blank line and no space at either end of a line), no comment,
    no tab or other control character, no non-ASCII whitespace, and counts of at most
    18 ASCII digits. Then the fields of the whole file come from one ``str.split()``,
    field i of line j is ``fields[j * k + i]``, and no Python code runs per line: the
    structure is checked on the bytes with NumPy and the counts are parsed by NumPy.
    """
    regular = _regular_layout_of(data, text)
    if regular is None:
        return None
    data, text, buf, (separators, n_lines, k) = regular
    fields = text.split()
    # With no other whitespace about, str.split() cuts exactly at the separators but
    # drops empty fields: fewer fields means a blank line, a doubled space or a space
    # at either end of a line.
    if len(fields) != n_lines * k:
        return None
    words = fields[0::k]
    if k == 1:
        values = [1] * n_lines
    else:
        # Count i spans from just after the first separator of line i to its second.
        lengths = separators[1::k] - separators[0::k] - 1
        values = _parse_counts(fields[1::k], int(lengths.max()))
        if values is None:
            return None  # let the careful parser say which line is wrong
    counts = dict(zip(words, values))
    if len(counts) < n_lines and not add_up_repeats(counts, words, values):
        return None  # a sum too large: the careful parser names the line
    return counts


def _regular_shape(buf: np.ndarray) -> tuple[np.ndarray, int, int] | None:
    """(separator positions, number of lines, fields per line) of `buf`, which ends
    with a newline, or None when its lines are not regular (see
    :func:`_parse_regular`)."""
    positions = np.flatnonzero(buf < 33)  # every space, newline or control byte
    kinds = buf[positions]
    n_lines = int(np.count_nonzero(kinds == 10))
    if len(positions) % n_lines:
        return None
    k = len(positions) // n_lines
    # Separators in file order must be k - 1 spaces then a newline, line after line
    # (which also rules out tabs, CRs and other control characters).
    kinds = kinds.reshape(n_lines, k)
    if not np.all(kinds[:, -1] == 10) or not np.all(kinds[:, :-1] == 32):
        return None
    if buf[0] == ord("#") or np.any(buf[positions[k - 1:-1:k] + 1] == ord("#")):
        return None  # comment lines
    return positions, n_lines, k


def _has_non_ascii_space(data: bytes, buf: np.ndarray, text: str) -> bool:
    """Whether `text` (the decoding of `data`) holds whitespace above U+007F.

    Such characters all start with a UTF-8 lead byte from 0xC2 to 0xE3, which is rare
    in Chinese text (Han characters start with 0xE4 to 0xE9), so only those few
    characters are looked at; when there are many the regular expression is cheaper.
    """
    leads = np.flatnonzero((buf >= 0xC2) & (buf <= 0xE3))
    if len(leads) > 1000:
        return _NON_ASCII_SPACE.search(text) is not None
    # A lead byte always starts a character of valid UTF-8, whose first decoded
    # character is that character whatever the bytes after it.
    return any(data[i:i + 3].decode("utf-8", "replace")[0].isspace() for i in leads.tolist())


def _parse_counts(digits: list[str], longest: int) -> list[int] | None:
    """Counts from their digit strings, or None when one is not a plain number."""
    if longest > 18:
        return None  # might not fit in int64
    joined = " ".join(digits)
    if not joined.isascii():
        return None
    ascii_bytes = joined.encode("ascii")
    codes = np.frombuffer(ascii_bytes, dtype=np.uint8)
    # Digits and the joining spaces only: no sign, point or other character that
    # the careful parser would refuse.
    if np.any((codes > 57) | ((codes < 48) & (codes != 32))):
        return None
    # NumPy parses space-separated numbers in C, four times faster than
    # map(int, digits); tolist() turns them back into Python ints quickly.
    values = np.fromstring(ascii_bytes, dtype=np.int64, sep=" ")
    return values.tolist() if len(values) == len(digits) else None


_FEW_REPEATS = 8


def add_up_repeats(counts: dict[str, int], words: list[str], values: list[int]) -> bool:
    """Fix `counts`, built by ``dict(zip(words, values))`` where the last repeat won,
    so that repeated words get the sum of their counts; False when a sum is larger
    than :data:`MAX_COUNT`."""
    n_repeats = len(words) - len(counts)
    later = _later_occurrences(counts, words, n_repeats) if n_repeats <= _FEW_REPEATS else None
    if later is None:
        occurrences = _occurrences_by_hash(words)
    else:
        occurrences = {}
        for i in later:
            occurrences.setdefault(words[i], [words.index(words[i])]).append(i)
    for word, where in occurrences.items():
        total = sum(values[i] for i in where)
        if total > MAX_COUNT:
            return False
        counts[word] = total
    return True


def _later_occurrences(counts: dict[str, int], words: list[str], n_repeats: int) -> list[int] | None:
    """Positions in `words` of the `n_repeats` occurrences that are not the first of
    their word, found by scanning in C; None when the quick method does not apply.

    CPython's dict keeps the first object of a repeated key, so the keys of `counts`
    are `words` without the later occurrences, object for object: the first place
    where the two sequences stop being identical is a later occurrence. Each place
    found is then proved to be one (an equal word comes earlier), and there are
    exactly `n_repeats` of them, so the result never depends on that detail.
    """
    found: list[int] = []
    start = key_start = 0
    while len(found) < n_repeats:
        # None after the last key: a repeat at the very end still differs.
        keys = itertools.chain(itertools.islice(counts, key_start, None), itertools.repeat(None))
        differs = map(operator.is_not, itertools.islice(words, start, None), keys)
        place = next(itertools.compress(itertools.count(start), differs), None)
        if place is None or words.index(words[place]) >= place:
            return None
        found.append(place)
        key_start += place - start
        start = place + 1
    return found


def _occurrences_by_hash(words: list[str]) -> dict[str, list[int]]:
    """Positions of every word whose (cached) hash is shared, found with a NumPy sort;
    the Python loop then runs over these few positions only."""
    hashes = np.fromiter(map(hash, words), dtype=np.int64, count=len(words))
    ordered = np.sort(hashes)
    shared = ordered[1:][ordered[1:] == ordered[:-1]]
    occurrences: dict[str, list[int]] = {}
    for i in np.flatnonzero(np.isin(hashes, shared)).tolist():
        occurrences.setdefault(words[i], []).append(i)
    return occurrences


def _parse_line_by_line(text: str, name: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    # Split at "\n" only (not str.splitlines) so that line numbers match editors'.
    for number, line in enumerate(text.split("\n"), 1):
        fields = line.split()
        if not fields or fields[0].startswith("#"):
            continue
        word = fields[0]
        count = _parse_count(fields[1], word, name, number) if len(fields) > 1 else 1
        total = counts.get(word, 0) + count
        if total > MAX_COUNT:
            raise FormatError(f"{name}, line {number}: the counts of {word!r} add up to more "
                              f"than {MAX_COUNT}")
        counts[word] = total
    return counts


def _parse_count(field: str, word: str, name: str, number: int) -> int:
    shown = field if len(field) <= 24 else field[:20] + "..."
    # int() alone would also take "+3", "1_000", " 3" and non-ASCII digits such as "٣".
    if not (field.isascii() and field.isdigit()):
        raise FormatError(f"{name}, line {number}: the count {shown!r} of {word!r} is not a "
                          f"non-negative integer")
    if len(field) > 19 or int(field) > MAX_COUNT:
        raise FormatError(f"{name}, line {number}: the count {shown} of {word!r} is too "
                          f"large (at most {MAX_COUNT})")
    return int(field)
