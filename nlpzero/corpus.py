"""Reading raw text and turning it into arrays.

Everything here streams: files are read in blocks of bytes, decoded strictly (or with
replacement) and handed on as text pieces, so a multi-gigabyte file or a single line
of many megabytes never has to sit in memory whole.

Characters fall into four classes:

* Han characters, which the learning algorithms work on;
* digits (ASCII and full-width), which with an inner decimal point form one *atom*
  (and with the full stop of a list marker: １．);
* Latin letters (ASCII and full-width), which with the letters and digits right after
  them, their parts joined by single hyphens (TiO2, ISO9001, COVID-19), form one atom;
* everything else, which separates runs.

An atom is never split and never glued to a Han character.
"""

from __future__ import annotations

import glob
import logging
import os
import sys
from dataclasses import dataclass
from typing import Iterable, Iterator, Sequence

import numpy as np

from ._jit import njit
from ._kernels.arrays import new_array
from ._kernels.tokens import mark_number_units
from ._validation import check_errors
from ._io import open_input
# The character classes live with the kernels; they are part of this module's API too.
from ._kernels.chars import (CHAR_CLASS, DIGIT, HAN, HYPHEN, LATIN, NUMBER_UNIT,  # noqa: F401
                             NUMBER_UNITS, OTHER, POINT, RUN_PUNCT, RUN_PUNCTUATION)
from .errors import InputError

logger = logging.getLogger(__name__)


@njit(cache=True)
def _unit_mask(cps, char_class, number_unit, run_punct):
    units = new_array(len(cps), np.bool_)
    units[:] = False
    mark_number_units(cps, char_class, number_unit, run_punct, units)
    return units


@njit(cache=True)
def _encode_ids(cps, table, char_class, number_unit, run_punct, unknown_han):
    """Ids of the code points `cps` by `table`, -1 for a number's unit (see
    :func:`units_after_numbers`). Returns them with the number of positions holding a
    Han character `table` has no id for, and flags those characters in `unknown_han`
    (unless it is empty)."""
    ids = new_array(len(cps), np.int32)
    unknown = 0
    for i in range(len(cps)):
        c = cps[i]
        ids[i] = table[c]
        if ids[i] < 0 and char_class[c] == HAN:
            unknown += 1
            if len(unknown_han):
                unknown_han[c] = True
    # The mask is built here rather than by _unit_mask: a call of another cached kernel
    # would compile that one too on the word finders' first run.
    units = new_array(len(cps), np.bool_)
    units[:] = False
    mark_number_units(cps, char_class, number_unit, run_punct, units)
    for i in range(len(cps)):
        if units[i]:
            ids[i] = -1
    return ids, unknown


def units_after_numbers(cps: np.ndarray) -> np.ndarray:
    """Boolean mask of the characters of `cps` that are a number's unit (a character
    of :data:`NUMBER_UNITS` that the tokenizer keeps in a number's atom: ５％, １２月,
    １９９８年, but not the 年 of ３年)."""
    return _unit_mask(np.asarray(cps, dtype=np.uint32), CHAR_CLASS, NUMBER_UNIT, RUN_PUNCT)


def is_word_char(ch: str) -> bool:
    """Return True when `ch` is a Han character, a digit or a Latin letter."""
    return CHAR_CLASS[ord(ch)] in (HAN, DIGIT, LATIN)


def code_points(text: str) -> np.ndarray:
    """Return the code points of `text` as a uint32 array (no copy of Python objects)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")


# ---------------------------------------------------------------------------
# Splitting text into runs and atoms (pure Python, used by the API on short texts;
# the kernels in tokenizer.py do the same on arrays).


def iter_runs(text: str) -> Iterator[str]:
    """Yield the maximal runs of Han characters in `text`.

    Digits, Latin letters and every other character end a run: atoms take no part in
    word discovery, and neither does the unit of a number (the 年 of １９９８年).
    """
    start = -1
    units = units_after_numbers(code_points(text)) if text else ()
    for i, ch in enumerate(text):
        if CHAR_CLASS[ord(ch)] == HAN and not units[i]:
            if start < 0:
                start = i
        elif start >= 0:
            yield text[start:i]
            start = -1
    if start >= 0:
        yield text[start:]


# ---------------------------------------------------------------------------
# Reading files


@dataclass(frozen=True)
class Piece:
    """A piece of input text.

    Attributes
    ----------
    text : str
        The text, without its line terminator.
    line_end : bool
        True when the piece ends a line; False when a very long line was cut into
        several pieces (the cut falls between two characters).
    """

    text: str
    line_end: bool = True


#: Bytes read from a file at a time.
BLOCK_BYTES = 1 << 22
#: A line longer than this many bytes is passed on in pieces of about this size.
MAX_PIECE_BYTES = 1 << 23


def expand_sources(sources: Iterable[str] | str) -> list[str]:
    """Expand file names, directories and glob patterns into a list of inputs.

    ``"-"`` stands for standard input. Directories are walked recursively in sorted
    order, skipping hidden entries.

    Raises
    ------
    InputError
        If a path does not exist or a pattern matches nothing.
    """
    if isinstance(sources, (str, os.PathLike)):
        sources = [sources]
    out: list[str] = []
    for src in sources:
        src = os.fspath(src)
        if src == "-":
            out.append(src)
        elif os.path.isdir(src):
            out.extend(_walk_directory(src))
        elif os.path.exists(src):
            out.append(src)
        elif glob.has_magic(src):
            matches = sorted(p for p in glob.glob(src, recursive=True) if os.path.isfile(p))
            if not matches:
                raise InputError(f"no file matches {src}")
            out.extend(matches)
        else:
            raise InputError(f"no such file or directory: {src}")
    return out


def _walk_directory(root: str) -> list[str]:
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        found.extend(os.path.join(dirpath, f) for f in sorted(filenames) if not f.startswith("."))
    if not found:
        raise InputError(f"directory {root} contains no files")
    return found


def read_pieces(sources: Iterable[str] | str, errors: str = "strict") -> Iterator[Piece]:
    """Stream the text of files, directories, glob patterns or stdin as pieces.

    Parameters
    ----------
    sources : str or iterable of str
        Paths, directories, glob patterns, or ``"-"`` for standard input.
    errors : {"strict", "replace"}
        What to do with bytes that are not UTF-8: raise an :class:`InputError` naming
        the file, line and byte offset, or substitute U+FFFD.

    Yields
    ------
    Piece
        Lines without terminators (``\\n`` or ``\\r\\n``); a byte-order mark at the start
        of a file is dropped. Lines longer than :data:`MAX_PIECE_BYTES` come in several
        pieces whose ``line_end`` is False but for the last.
    """
    check_errors(errors)
    for path in expand_sources(sources):
        yield from _read_one(path, errors)


def read_lines(sources: Iterable[str] | str, errors: str = "strict") -> Iterator[str]:
    """Like :func:`read_pieces`, but yield only the text of each piece."""
    for piece in read_pieces(sources, errors):
        yield piece.text


def _read_one(path: str, errors: str) -> Iterator[Piece]:
    name = "<stdin>" if path == "-" else path
    stream = sys.stdin.buffer if path == "-" else open_input(path)
    try:
        yield from LineDecoder(stream, name, errors)
    finally:
        if path != "-":
            stream.close()


class LineDecoder:
    """Decode a byte stream block by block into line pieces, tracking positions for errors."""

    def __init__(self, stream, name: str, errors: str, offset: int = 0, line: int = 1):
        self.stream = stream
        self.name = name
        self.errors = errors
        self.offset = offset  # byte offset of the start of the pending buffer
        self.line = line  # line number at the start of the pending buffer
        self.first = offset == 0  # only a file's first bytes can be a byte-order mark

    def __iter__(self) -> Iterator[Piece]:
        pending = b""
        while True:
            try:
                block = self.stream.read(BLOCK_BYTES)
            except OSError as exc:
                raise InputError(f"cannot read {self.name}: {exc.strerror}") from None
            if self.first and block:
                if block.startswith(b"\xef\xbb\xbf"):
                    block = block[3:]
                    self.offset = 3
                self.first = False
            if not block:
                break
            pending += block
            cut = pending.rfind(b"\n")
            if cut >= 0:
                yield from self._complete_lines(pending[:cut + 1])
                pending = pending[cut + 1:]
            while len(pending) > MAX_PIECE_BYTES:
                # A very long line: hand on a piece that ends on a character boundary.
                cut = _utf8_boundary(pending, MAX_PIECE_BYTES)
                yield Piece(self._decode(pending[:cut]), line_end=False)
                self.offset += cut
                pending = pending[cut:]
        if pending:
            yield from self._complete_lines(pending + b"\n")

    def _complete_lines(self, data: bytes) -> Iterator[Piece]:
        text = self._decode(data)
        self.offset += len(data)
        lines = text.split("\n")
        lines.pop()  # data ends with a newline
        self.line += len(lines)
        for line in lines:
            if line.endswith("\r"):
                line = line[:-1]
            yield Piece(line, True)

    def _decode(self, data: bytes) -> str:
        if self.errors == "strict":
            nul = data.find(b"\x00")
            if nul >= 0:
                line = self.line + data.count(b"\n", 0, nul)
                raise InputError(f"{self.name}: looks like a binary file (NUL byte at line {line}, "
                                 f"byte offset {self.offset + nul})")
        try:
            return data.decode("utf-8", self.errors)
        except UnicodeDecodeError as exc:
            line = self.line + data.count(b"\n", 0, exc.start)
            raise InputError(
                f"{self.name}: invalid UTF-8 at line {line}, byte offset {self.offset + exc.start} "
                f"(byte 0x{data[exc.start]:02x}); pass --encoding-errors replace to substitute it"
            ) from None


def _utf8_boundary(data: bytes, limit: int) -> int:
    """Largest cut <= limit that does not fall inside a UTF-8 sequence."""
    cut = limit
    while cut > 0 and (data[cut] & 0xC0) == 0x80:
        cut -= 1
    return cut or limit


def iter_texts(texts: Iterable[str] | str) -> Iterator[str]:
    """Accept a single string or an iterable of strings from the Python API."""
    if isinstance(texts, str):
        yield texts
        return
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise TypeError(f"texts must be strings; item {i} is {type(t).__name__}")
        yield t


def rereadable_texts(texts: Iterable[str] | str) -> Sequence[str]:
    """Texts of the Python API that a caller can read more than once: a single string as
    its lines, an iterator as a list, a sequence as it is."""
    if isinstance(texts, str):
        return texts.splitlines()
    return list(texts) if iter(texts) is texts else texts


def batch_texts(texts: Iterable[str], max_chars: int = 1 << 22) -> Iterator[str]:
    """Join texts with newlines into batches of about `max_chars` characters.

    The newline separates runs, so batching changes no count.
    """
    buf: list[str] = []
    size = 0
    for t in texts:
        buf.append(t)
        size += len(t) + 1
        if size >= max_chars:
            yield "\n".join(buf)
            buf, size = [], 0
    if buf:
        yield "\n".join(buf)


class CharVocab:
    """A growing map from Han characters to dense integer ids.

    New characters of each encoded text get the next ids in code-point order; non-Han
    characters map to -1,
    which every kernel reads as a run boundary.
    """

    def __init__(self):
        self._table = np.full(0x110000, -1, dtype=np.int32)
        self._chars: list[int] = []

    def __len__(self) -> int:
        return len(self._chars)

    def encode(self, text: str, grow: bool = True) -> np.ndarray:
        """Return the int32 ids of the characters of `text` (-1 for non-Han or unknown)."""
        cps = code_points(text)
        unknown_han = np.zeros(len(CHAR_CLASS) if grow else 0, dtype=np.bool_)
        # The unit of a number (the 年 of １９９８年) belongs to the number's atom: -1.
        ids, unknown = _encode_ids(cps, self._table, CHAR_CLASS, NUMBER_UNIT, RUN_PUNCT,
                                   unknown_han)
        if grow and unknown:
            # New characters get ids in code-point order.
            fresh = np.flatnonzero(unknown_han).astype(np.uint32)
            self._table[fresh] = np.arange(len(self._chars), len(self._chars) + len(fresh),
                                           dtype=np.int32)
            self._chars.extend(int(c) for c in fresh)
            ids, _ = _encode_ids(cps, self._table, CHAR_CLASS, NUMBER_UNIT, RUN_PUNCT, unknown_han)
        return ids

    @classmethod
    def from_code_points(cls, cps: Iterable[int]) -> "CharVocab":
        """A vocabulary giving the characters `cps` (code points) ids 0, 1, 2, ... in
        that order; encode it with ``grow=False`` to keep the ids fixed."""
        vocab = cls()
        chars = [int(c) for c in cps]
        vocab._table[np.asarray(chars, dtype=np.int64)] = np.arange(len(chars), dtype=np.int32)
        vocab._chars = chars
        return vocab

    @property
    def code_points(self) -> np.ndarray:
        """The code points of the characters, in the order of their ids (int64)."""
        return np.asarray(self._chars, dtype=np.int64)

    def ids_of_code_points(self, cps: np.ndarray) -> np.ndarray:
        """The ids (int32) of the code points `cps`, -1 for those without one."""
        return self._table[cps]

    def code_points_of(self, ids: np.ndarray) -> np.ndarray:
        """Return the code points of an array of ids (all ids must be valid)."""
        return np.asarray(self._chars, dtype=np.uint32)[ids]

    def id_of(self, ch: str) -> int:
        """Return the id of one character, or -1."""
        return int(self._table[ord(ch)])


def strings_from_code_points(matrix: np.ndarray) -> list[str]:
    """Turn an (m, n) array of code points into m strings of length n, at C speed."""
    m, n = matrix.shape
    if m == 0:
        return []
    flat = np.ascontiguousarray(matrix, dtype="<u4")
    return flat.view(f"<U{n}").ravel().tolist()
