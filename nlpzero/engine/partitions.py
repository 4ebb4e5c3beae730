"""Partitions of input files: byte ranges of whole lines, and reading them.

A regular file is cut into byte ranges that start at line starts (:func:`split_ranges`,
:func:`plan_partitions`); a worker reads its range itself (:func:`read_range`), so only
file names and offsets travel between processes.

A range boundary is placed right after the last newline of one of the reader's
blocks (:data:`nlpzero.corpus.BLOCK_BYTES`, at fixed file offsets), and a range is
read in blocks at the same offsets. The reader then decodes the same chunks and cuts
a very long line into the same pieces as when it reads the whole file, so every
result, and the message of an invalid byte, are the same too.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from typing import Iterable, Iterator

from .. import corpus
from .._validation import check_errors
from .._io import open_input
from ..corpus import expand_sources
from ..errors import InputError

#: Bytes of input per range: a job for one worker (rounded up to whole reader blocks).
RANGE_BYTES = 1 << 23

# Bytes read at a time when looking backwards for the last newline of a block.
_PROBE_BYTES = 1 << 16


# ---------------------------------------------------------------------------
# Byte ranges


def split_ranges(path: str, range_bytes: int | None = None) -> list[tuple[int, int]]:
    """Cut a file into consecutive byte ranges of about `range_bytes`, at line starts.

    Every boundary follows the last newline inside one block of the file reader
    (blocks of :data:`nlpzero.corpus.BLOCK_BYTES` at multiples of that size), so
    :func:`read_range` yields exactly the pieces that reading the whole file yields
    for that stretch. A line longer than a block is never cut: the range grows to
    the next block that holds a newline (a file with no newline is one range).

    Parameters
    ----------
    path : str
        A regular file.
    range_bytes : int, optional
        Target size of a range (default :data:`RANGE_BYTES`); rounded up to whole blocks.

    Returns
    -------
    list of (int, int)
        ``(start, end)`` byte offsets covering the file in order; empty for an empty file.

    Raises
    ------
    InputError
        If the file cannot be opened.
    """
    block = corpus.BLOCK_BYTES
    target = RANGE_BYTES if range_bytes is None else int(range_bytes)
    if target < 1:
        raise InputError(f"range_bytes must be positive, not {range_bytes}")
    step = -(-target // block) * block
    with open_input(path) as f:
        size = os.fstat(f.fileno()).st_size
        bounds = [0]
        block_end = step
        while block_end < size:
            cut = _after_last_newline(f, block_end - block, block_end)
            if cut < 0:  # a line longer than the block: try the next block
                block_end += block
                continue
            bounds.append(cut)
            block_end += step
    if size == 0:
        return []
    return list(zip(bounds, bounds[1:] + [size]))


def _after_last_newline(f, lo: int, hi: int) -> int:
    """Offset just after the last newline of the file in [lo, hi), or -1."""
    while hi > lo:
        start = max(lo, hi - _PROBE_BYTES)
        f.seek(start)
        data = f.read(hi - start)
        k = data.rfind(b"\n")
        if k >= 0:
            return start + k + 1
        hi = start
    return -1


class _RangeStream:
    """The bytes [start, end) of a file, read in blocks ending at the same offsets as
    the blocks of a reader of the whole file (the first one is shorter)."""

    def __init__(self, f, start: int, end: int):
        self.f = f
        self.pos = start
        self.end = end
        f.seek(start)

    def read(self, n: int) -> bytes:
        stop = min(self.end, (self.pos // n + 1) * n)
        if stop <= self.pos:
            return b""
        data = self.f.read(stop - self.pos)
        self.pos += len(data)
        return data


def read_range(path: str, start: int, end: int, errors: str = "strict",
               first_line: int = 1) -> Iterator[corpus.Piece]:
    """Stream the pieces of the bytes [start, end) of a file.

    Parameters
    ----------
    path : str
        A regular file.
    start, end : int
        A range of :func:`split_ranges` (or 0 and the file's size).
    errors : {"strict", "replace"}
        As for :func:`nlpzero.corpus.read_pieces`.
    first_line : int
        Line number of the line at `start`, for error messages.

    Yields
    ------
    nlpzero.corpus.Piece
        The pieces :func:`nlpzero.corpus.read_pieces` yields for that part of the file.

    Raises
    ------
    InputError
        If the file cannot be read, or holds invalid UTF-8 or a NUL byte (with
        ``errors="strict"``); the message names the file, line and byte offset.
    """
    check_errors(errors)
    if not 0 <= start <= end:
        raise InputError(f"not a byte range: {start}, {end}")
    with open_input(path) as f:
        yield from corpus.LineDecoder(_RangeStream(f, start, end), path, errors,
                                       offset=start, line=first_line)


def is_regular_file(path: str) -> bool:
    """True when `path` is a regular file (not stdin, a pipe, a device or a directory)."""
    if path == "-":
        return False
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def _count_newlines(path: str, end: int) -> int:
    n = 0
    with open_input(path) as f:
        left = end
        while left > 0:
            data = f.read(min(left, corpus.BLOCK_BYTES))
            if not data:
                break
            n += data.count(b"\n")
            left -= len(data)
    return n


def raise_with_line_number(path: str, start: int, end: int, errors: str) -> None:
    """Read the range again counting lines from the start of the file, so that an
    InputError raised on it names the line in the whole file (rare: counted only then)."""
    line = 1 + _count_newlines(path, start)
    for _ in read_range(path, start, end, errors, first_line=line):
        pass



# ---------------------------------------------------------------------------
# Partitions


#: Largest partition, in bytes of input.
MAX_PART_BYTES = 64 << 20
#: Smallest partition, in bytes of input (ranges are made of whole 4 MiB blocks of the
#: file reader, so smaller inputs are one partition).
MIN_PART_BYTES = 1 << 22


@dataclass(frozen=True)
class Partition:
    """Bytes ``[start, stop)`` of a file, holding whole lines."""

    path: str
    start: int
    stop: int


def plan_partitions(sources: Iterable[str] | str, workers: int = 1,
                    part_bytes: int | None = None) -> list[Partition]:
    """Cut input files into partitions of whole lines.

    Parameters
    ----------
    sources : str or iterable of str
        Files, directories or glob patterns (not standard input: it cannot be re-read).
    workers : int
        Number of workers; by default there are at least four partitions per worker, of
        4 to 64 MiB each.
    part_bytes : int, optional
        Size of a partition in bytes, instead of the default.

    Raises
    ------
    InputError
        If a source is missing or is standard input.
    """
    paths = expand_sources(sources)
    if "-" in paths:
        raise InputError("partitioned counting reads its input several times: give files, not stdin")
    for path in paths:
        if not is_regular_file(path):
            raise InputError(f"cannot read {path}: not a regular file")
    if part_bytes is None:
        workers = max(workers, 1)
        total = sum(os.path.getsize(p) for p in paths)
        n_parts = max(4 * workers, -(-total // MAX_PART_BYTES))
        # Workers take one partition at a time: a count that is a multiple of the
        # workers lets them finish together (with 15 partitions of 1 GB one of 2 workers
        # counts the last alone; 16 smaller ones end together).
        n_parts = -(-n_parts // workers) * workers
        part_bytes = min(MAX_PART_BYTES, max(MIN_PART_BYTES, -(-total // n_parts)))
    return [Partition(path, a, b) for path in paths for a, b in split_ranges(path, part_bytes)]


def partition_texts(part: Partition, errors: str) -> Iterator[str]:
    """The texts of the partition's pieces (lines, or stretches of a very long line)."""
    try:
        for piece in read_range(part.path, part.start, part.stop, errors):
            yield piece.text
    except InputError:
        # The message names the line counted from the partition's start: raise it
        # again with the line number in the whole file (rare, so counted only now).
        raise_with_line_number(part.path, part.start, part.stop, errors)
        raise
