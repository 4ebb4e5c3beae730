"""Segmentation in worker processes, and splitting files into byte ranges for them.

Two ways to feed the workers:

* a regular file is cut into byte ranges that start at line starts
  (:func:`split_ranges`); each worker reads its range itself (:func:`read_range`) and
  writes its output to a temporary file of its own, which the parent appends to the
  output in input order (:func:`segment_files`). Only file names and offsets travel
  between the processes;
* a stream (stdin, a pipe) is read by the parent, which sends the text of each job to
  the workers and gets its output back (:meth:`WorkerPool.map_ordered`).

Either way each worker has one job under way and results wait only for their turn, so
memory stays bounded on any input size, and the output is byte for byte the one a
single process writes.

A range boundary is placed right after the last newline of one of the reader's
blocks (:data:`nlpzero.corpus.BLOCK_BYTES`, at fixed file offsets), and a range is
read in blocks at the same offsets. The reader then decodes the same chunks and cuts
a very long line into the same pieces as when it reads the whole file, so
segmentation, and the message of an invalid byte, are the same too.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import stat
import sys
import tempfile
from typing import Callable, Iterable, Iterator

from .. import corpus
from .._io import open_input
from ..errors import InputError, WorkerError

#: Bytes of input per range: a job for one worker (rounded up to whole reader blocks).
RANGE_BYTES = 1 << 23

WORKER_DIED = "a worker process ended unexpectedly (killed, or out of memory)"

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
    if errors not in ("strict", "replace"):
        raise ValueError(f"errors must be 'strict' or 'replace', not {errors!r}")
    if not 0 <= start <= end:
        raise ValueError(f"not a byte range: {start}, {end}")
    with open_input(path) as f:
        yield from corpus._LineDecoder(_RangeStream(f, start, end), path, errors,
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


# ---------------------------------------------------------------------------
# Worker processes


def _numba_threads_started() -> bool:
    """True when this process has run a parallel Numba kernel: its threading layer
    (OpenMP, TBB or workqueue) is then not safe to use in a forked child."""
    numba = sys.modules.get("numba")
    if numba is None:
        return False
    try:
        numba.threading_layer()
    except ValueError:  # no threading layer initialised yet
        return False
    return True


def _serve(conn, state, setup) -> None:
    """A worker process: run the jobs that come down `conn` one at a time and send
    back each result (or the exception it raised) with the job's number."""
    # Ctrl-C in a terminal reaches the whole process group: the parent handles it
    # and ends the workers, which must not each print a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if setup is not None:
        setup(state)
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        number, func, task = job
        try:
            outcome = ("result", func(state, task))
        except Exception as exc:  # the parent raises it when the result is due
            outcome = ("error", exc)
        try:
            conn.send((number, outcome))
        except Exception as exc:  # e.g. an exception that cannot be pickled
            conn.send((number, ("error", RuntimeError(f"{type(exc).__name__}: {exc}"))))


class WorkerPool:
    """Worker processes that run jobs and give back the results in order.

    Each worker has a pipe of its own and runs one job at a time, so a worker that
    dies (killed, out of memory) is seen at once as the end of its pipe, and stopping
    the pool never waits on a helper thread. Use it as a context manager: when the
    block ends with an exception (an error, Ctrl-C, the consumer stopping early) the
    workers are terminated at once instead of finishing their jobs.

    Parameters
    ----------
    workers : int
        Number of processes.
    state : object
        What every job gets as its first argument (e.g. a tokenizer). Processes are
        forked where the platform allows, so the state is shared, not copied through
        a pipe; else (and when this process has already started Numba's threads,
        which a forked child must not use) they are spawned and get a copy of it.
    setup : callable, optional
        ``setup(state)``, run once in each worker as it starts.
    start_method : str, optional
        Force a :mod:`multiprocessing` start method ("fork", "spawn", "forkserver").

    Examples
    --------
    >>> with WorkerPool(2, 10) as pool:  # doctest: +SKIP
    ...     list(pool.map_ordered(pow, [1, 2, 3]))
    [10, 100, 1000]
    """

    def __init__(self, workers: int, state=None, setup: Callable | None = None,
                 start_method: str | None = None):
        import multiprocessing

        if workers < 1:
            raise InputError(f"workers must be at least 1, not {workers}")
        self.workers = int(workers)
        if start_method is None:
            forkable = "fork" in multiprocessing.get_all_start_methods()
            start_method = "fork" if forkable and not _numba_threads_started() else "spawn"
        ctx = multiprocessing.get_context(start_method)
        self._processes = []
        self._conns = []
        # Ctrl-C is held back while the workers start: arriving during a fork it would
        # interrupt the fork handlers; it is delivered as soon as they are started.
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            for _ in range(self.workers):
                ours, theirs = ctx.Pipe(duplex=True)
                process = ctx.Process(target=_serve, args=(theirs, state, setup), daemon=True)
                process.start()
                theirs.close()  # so that the pipe ends when the worker does
                self._processes.append(process)
                self._conns.append(ours)
        except BaseException:
            self.terminate()
            raise
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)

    def map_ordered(self, func: Callable, tasks: Iterable, in_flight: int | None = None
                    ) -> Iterator:
        """Run ``func(state, task)`` for every task in the workers; yield the results
        in the order of `tasks`.

        Parameters
        ----------
        func : callable
            A module-level function (it is sent to the workers by name).
        tasks : iterable
            Arguments, consumed lazily.
        in_flight : int, optional
            Most tasks given out and not yet yielded (default and at most one per
            worker).

        Raises
        ------
        WorkerError
            If a worker process died (killed by a signal, out of memory).
        Exception
            An exception raised by `func`, re-raised in the parent when its result
            is due.
        """
        from multiprocessing.connection import wait

        limit = min(in_flight or self.workers, self.workers)
        idle = list(reversed(self._conns[:limit]))
        busy: dict = {}  # connection -> number of its job
        done: dict = {}  # number -> outcome, until its turn comes
        tasks = iter(tasks)
        given = due = 0
        exhausted = False
        while True:
            while idle and not exhausted:
                try:
                    task = next(tasks)
                except StopIteration:
                    exhausted = True
                    break
                conn = idle.pop()
                try:
                    conn.send((given, func, task))
                except OSError:  # the worker is gone (its end of the pipe is closed)
                    raise WorkerError(WORKER_DIED) from None
                busy[conn] = given
                given += 1
            while due in done:
                kind, payload = done.pop(due)
                due += 1
                if kind == "error":
                    raise payload
                yield payload
            if not busy:
                return
            for conn in wait(list(busy)):
                try:
                    number, outcome = conn.recv()
                except (EOFError, OSError):
                    raise WorkerError(WORKER_DIED) from None
                del busy[conn]
                idle.append(conn)
                done[number] = outcome

    def terminate(self) -> None:
        """End the workers now, abandoning their jobs."""
        for process in self._processes:
            with contextlib.suppress(Exception):
                process.terminate()
        self._finish()

    def close(self) -> None:
        """Let the workers finish, then end them."""
        for conn in self._conns:
            with contextlib.suppress(Exception):
                conn.send(None)
        self._finish()

    def _finish(self) -> None:
        for process in self._processes:
            with contextlib.suppress(Exception):
                process.join(5)
                if process.is_alive():
                    process.kill()
                    process.join()
        for conn in self._conns:
            conn.close()
        self._processes, self._conns = [], []

    def __enter__(self) -> "WorkerPool":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.terminate()


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
        What to segment with. Compile it first (``tokenizer.lcut("")``) so that
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
        module-level function). Default: the command line's.
    errors : {"strict", "replace"}
        Invalid UTF-8: an error, or U+FFFD.
    progress : callable, optional
        Called with the number of input bytes done after each range.
    setup : callable, optional
        ``setup(tokenizer)`` run in each worker as it starts (default with the default
        `render`: one thread per worker).
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
    >>> tk = Tokenizer("words.txt"); tk.lcut("")  # doctest: +SKIP
    >>> with open("big.seg", "wb") as out:  # doctest: +SKIP
    ...     segment_files(tk, ["big.txt"], out, workers=2)
    """
    if render is None:
        from ..cli import _render_pieces, _single_threaded

        render, setup = _render_pieces, setup or _single_threaded
    ranges = [(path, start, end) for path in paths for start, end in split_ranges(path)]
    with tempfile.TemporaryDirectory(prefix=".nlpzero-parts.", dir=temp_dir) as folder, \
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
                _raise_with_line_number(path, start, end, errors)
                raise
            part = os.path.join(folder, f"{i}.part")
            _append(part, out)
            os.unlink(part)
            if progress is not None:
                progress(end - start)


def _raise_with_line_number(path: str, start: int, end: int, errors: str) -> None:
    line = 1 + _count_newlines(path, start)
    for _ in read_range(path, start, end, errors, first_line=line):
        pass


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
