"""Streaming segmentation: text of any size in bounded memory, in one process or in
worker processes, with the output of a single process byte for byte.

The input comes as :class:`~nlpzero.corpus.Piece` objects (lines, or stretches of a
very long line). :func:`segment_jobs` groups them into jobs of about
:data:`JOB_CHARS` characters; the run of word characters at the end of a piece that does
not end its line is carried over to the next piece, so that no word is cut at a piece
boundary. Jobs are rendered (:func:`render_job`) here or in workers
(:func:`render_in_workers`), in input order.

Two ways to feed workers:

* a regular file is cut into byte ranges that start at line starts
  (:func:`nlpzero.engine.split_ranges`); each worker reads its range itself and writes
  its output to a temporary file of its own, which the parent appends to the output in
  input order (:func:`segment_files`). Only file names and offsets travel between the
  processes;
* a stream (stdin, a pipe) is read by the parent, which sends the text of each job to
  the workers and gets its output back (:func:`render_in_workers`).

Either way each worker has one job under way and results wait only for their turn, so
memory stays bounded on any input size.

A segmenter here is anything with ``lcut(text)``, ``cut_lines(texts)`` and
``render_lines(texts)`` (:class:`~nlpzero.segmentation.Tokenizer`,
:class:`~nlpzero.segmentation.Segmenter`).
"""

from __future__ import annotations

import os
import shutil
from typing import Callable, Iterable, Iterator

from .._io import temporary_directory
from .._kernels.chars import IS_INTERPUNCT
from ..corpus import CHAR_CLASS, OTHER, RUN_PUNCT
from ..engine.partitions import raise_with_line_number, read_range, split_ranges
from ..engine.processes import WorkerPool
from ..errors import InputError


def segment_stream(tokenizer, pieces: Iterable, workers: int = 1) -> Iterator[str]:
    """The output text of a stream of pieces, in input order: lines of words separated
    by spaces; rendered in `workers` processes when more than one.

    Close the generator (or exhaust it) to stop the workers."""
    jobs = segment_jobs(tokenizer, pieces)
    if workers == 1:
        return (render_job(tokenizer, job) for job in jobs)
    return render_in_workers(tokenizer, jobs, workers)


def render_pieces(tokenizer, pieces) -> Iterator[str]:
    """Output text of a stream of pieces (what a worker does with its byte range)."""
    return (render_job(tokenizer, job) for job in segment_jobs(tokenizer, pieces))


def render_job(tokenizer, job) -> str:
    """Output text of a job of :func:`segment_jobs`: its lines of words separated by
    spaces, each piece followed by a newline when it ends a line, else by a space."""
    if isinstance(job, str):
        return job
    texts, line_ends = job
    if all(line_ends):  # whole lines, the usual case: the kernel renders the text
        return tokenizer.render_lines(texts) + "\n"
    parts = []
    for words, line_end in zip(tokenizer.cut_lines(texts), line_ends):
        parts.append(" ".join(words))
        parts.append("\n" if line_end else " ")
    return "".join(parts)


def single_threaded(tokenizer) -> None:
    """A worker's setup: one Numba thread per worker (the processes are the parallelism)."""
    if hasattr(tokenizer, "n_jobs"):
        tokenizer.n_jobs = 1  # the processes are the parallelism


def render_in_workers(tokenizer, jobs, workers: int) -> Iterator[str]:
    """Render `jobs` in `workers` processes, yielding the outputs in input order with
    one job per worker in flight (memory stays bounded on any input size)."""
    with WorkerPool(workers, tokenizer, single_threaded) as pool:
        yield from pool.map_ordered(render_job, jobs)


def segment_jobs(tokenizer, pieces: Iterable) -> Iterator:
    """Group the pieces of the input into jobs of about a million characters: a pair
    (texts, line_ends) to segment, or a str already segmented.

    A very long line arrives in several pieces; the run of word characters at the end
    of a piece is carried over to the next one so that no word is cut at a piece
    boundary. A single run longer than a whole piece is segmented here, keeping back
    the words of its last stretch, which the text to come may still change.
    """
    texts: list[str] = []
    ends: list[bool] = []
    size = 0
    carry = ""
    for piece in pieces:
        text = carry + piece.text
        carry = ""
        if not piece.line_end:
            keep = _last_run_start(text)
            if keep > 0:
                text, carry = text[:keep], text[keep:]
            else:
                if texts:
                    yield texts, ends
                    texts, ends, size = [], [], 0
                words, carry = _split_off_tail(tokenizer.lcut(text), RUN_OVERLAP)
                if words:
                    yield " ".join(words) + " "
                continue
        texts.append(text)
        ends.append(piece.line_end)
        size += len(text)
        if size >= JOB_CHARS:
            yield texts, ends
            texts, ends, size = [], [], 0
    if carry:
        texts.append(carry)
        ends.append(False)
    if texts:
        yield texts, ends


#: Characters of input per segmentation job (a batch for the kernel, a task for a worker).
JOB_CHARS = 1 << 20

#: Characters of a piece-filling run held back for the next piece.
RUN_OVERLAP = 4096


def _split_off_tail(words: list[str], overlap: int) -> tuple[list[str], str]:
    """Split segmented words into those to write now and the text of the last
    `overlap` or more characters, to be segmented again with what follows."""
    tail = 0
    k = len(words)
    while k > 0 and tail < overlap:
        k -= 1
        tail += len(words[k])
    return words[:k], "".join(words[k:])


def _last_run_start(text: str) -> int:
    """Start of the run of characters that ends `text` and that a token may continue
    through: Han characters, the atoms' letters, digits, points and hyphens (3.14,
    COVID-19), punctuation runs (……), the interpuncts of names (拉吉夫・甘地). 0 when it is
    all one run."""
    i = len(text)
    while i > 0 and _continues_a_token(ord(text[i - 1])):
        i -= 1
    return i


def _continues_a_token(cp: int) -> bool:
    return CHAR_CLASS[cp] != OTHER or RUN_PUNCT[cp] or IS_INTERPUNCT[cp]


# ---------------------------------------------------------------------------
# Segmenting files by ranges


def _segment_range(tokenizer, task) -> int:
    """Worker side: segment one range, writing the output to the task's part file."""
    render, path, start, end, errors, part = task
    written = 0
    with open(part, "wb") as out:
        for text in render(tokenizer, read_range(path, start, end, errors)):
            data = text.encode("utf-8")
            out.write(data)
            written += len(data)
    return written


def segment_files(tokenizer, paths: list[str], out, workers: int = 2, *,
                  render: Callable | None = None, errors: str = "strict",
                  progress: Callable[[int], None] | None = None,
                  setup: Callable | None = None, temp_dir: str | None = None) -> None:
    """Segment regular files in worker processes, each reading its own byte ranges,
    and write the output in input order: what ``nlpzero segment --workers N`` does.

    Parameters
    ----------
    tokenizer : Tokenizer or Segmenter
        What to segment with. Compile it first (``tokenizer.compile()``) so that
        forked workers share the compiled lexicon instead of each building it.
    paths : list of str
        Regular files, segmented one after the other.
    out : binary file object
        Where the output goes: a line of words separated by spaces per input line.
    workers : int
        Number of processes.
    render : callable, optional
        ``render(tokenizer, pieces) -> iterable of str``: the output text of a stream
        of :class:`~nlpzero.corpus.Piece` that starts and ends at line boundaries (a
        module-level function). Default: :func:`render_pieces`.
    errors : {"strict", "replace"}
        Invalid UTF-8: an error, or U+FFFD.
    progress : callable, optional
        Called with the number of input bytes done after each range.
    setup : callable, optional
        ``setup(tokenizer)`` run in each worker as it starts (default with the default
        `render`: one thread per worker, :func:`single_threaded`).
    temp_dir : str, optional
        Where the workers write their outputs before they are appended to `out`
        (default: the system's temporary directory). A hidden folder is made there
        and removed when the call ends, whatever happens.

    Raises
    ------
    InputError
        For unreadable input, with the same message as a single process gives (file,
        line and byte offset of the first bad byte).
    WorkerError
        If a worker process died.

    Examples
    --------
    >>> from nlpzero import Tokenizer
    >>> tk = Tokenizer("words.txt").compile()  # doctest: +SKIP
    >>> with open("big.seg", "wb") as out:  # doctest: +SKIP
    ...     segment_files(tk, ["big.txt"], out, workers=2)
    """
    if render is None:
        render, setup = render_pieces, setup or single_threaded
    ranges = [(path, start, end) for path in paths for start, end in split_ranges(path)]
    with temporary_directory(prefix=".nlpzero-parts.", dir=temp_dir) as folder, \
            WorkerPool(workers, tokenizer, setup) as pool:
        tasks = ((render, path, start, end, errors, os.path.join(folder, f"{i}.part"))
                 for i, (path, start, end) in enumerate(ranges))
        results = pool.map_ordered(_segment_range, tasks)
        for i, (path, start, end) in enumerate(ranges):
            try:
                next(results)
            except InputError:
                # The worker counted lines from the start of its range; say where
                # the bad byte is in the whole file, as reading it in one go would.
                raise_with_line_number(path, start, end, errors)
                raise
            part = os.path.join(folder, f"{i}.part")
            _append(part, out)
            os.unlink(part)
            if progress is not None:
                progress(end - start)


def _append(part: str, out) -> None:
    """Append the file `part` to the binary file object `out`."""
    out.flush()
    with open(part, "rb") as src:
        size = os.fstat(src.fileno()).st_size
        offset = 0
        try:
            # In the kernel, without copying the text through Python.
            while offset < size:
                sent = os.sendfile(out.fileno(), src.fileno(), offset, size - offset)
                if sent == 0:
                    break
                offset += sent
        except (AttributeError, OSError) as exc:
            if offset or isinstance(exc, BrokenPipeError):
                raise
            src.seek(0)
            shutil.copyfileobj(src, out, 1 << 20)
            return
        if offset < size:
            src.seek(offset)
            shutil.copyfileobj(src, out, 1 << 20)
