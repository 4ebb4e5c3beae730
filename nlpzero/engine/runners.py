"""Lexicon learning over partitions of a large corpus: serially, in local worker
processes, or on a Dask cluster.

The in-memory word finders keep the whole corpus as character ids. Here the input files
are cut into byte ranges of whole lines (partitions) and every step that reads text
works on one partition at a time and returns small sorted count tables, which the
driver merges:

1. characters: each partition's character counts give the vocabulary and the order-1
   table (and the corpus size, which sets the default minimum count);
2. orders 2..K: each partition counts the windows whose (n-1)-gram prefix and suffix
   were kept (Apriori, as :class:`~nlpzero.ngrams.NgramCounter` does); the merged counts
   are pruned at the minimum count and indexed;
3. pieces: each partition is cut outside cohesive n-grams (design notes 2.2) and
   returns its distinct pieces that pass backtracking, with their counts; pieces are
   merged by content, compared exactly.

Every count is a sum over partitions, so the lexicon is the one
:class:`~nlpzero.discovery.CohesionWordFinder` finds on the whole text, whatever the
partitioning, the number of workers or the order in which partitions finish. Memory is
one partition per worker plus the merged tables.

The partitions and runners also serve co-occurrence counting
(:func:`nlpzero.cooccur.count_cooccurrences_files`).
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import tempfile
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Sequence

import numpy as np
from numba import njit

from ..corpus import CharVocab, batch_texts, expand_sources
from ..discovery.finders import (CohesionWordFinder, _group_pieces, _mark_kept_windows,
                                 _piece_hashes, _piece_strings, backtracked, default_min_count,
                                 distinct_pieces)
from ..errors import InputError, WorkerError
from ..lexicon import Lexicon
from ..discovery.ngrams import NgramCounter, _merge_counts, _window_totals, count_windows
from .partitions import (_numba_threads_started, _raise_with_line_number, is_regular_file,
                         read_range, split_ranges)

ENGINES = ("local", "dask")

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


# ---------------------------------------------------------------------------
# Kernels


@njit(cache=True)
def _gather_runs(ids, starts, lens):
    """Concatenate the runs ids[starts[k]:starts[k] + lens[k]]."""
    total = 0
    for k in range(len(starts)):
        total += lens[k]
    out = np.empty(total, dtype=ids.dtype)
    m = 0
    for k in range(len(starts)):
        for i in range(starts[k], starts[k] + lens[k]):
            out[m] = ids[i]
            m += 1
    return out


# ---------------------------------------------------------------------------
# Work on one partition (module-level functions: they are sent to workers)


class _Spill:
    """Arrays a partition computed in earlier steps, kept in files of a local folder so
    that later steps neither decode the text again nor redo the n-gram look-ups. With no
    folder (on a cluster, where the next step may run elsewhere) they are recomputed."""

    def __init__(self, folder: str | None):
        self.folder = folder

    def _path(self, index: int, name: str) -> str:
        return os.path.join(self.folder, f"part{index}.{name}.npy")

    def save(self, index: int, name: str, array: np.ndarray) -> None:
        if self.folder is not None:
            np.save(self._path(index, name), array)

    def load(self, index: int, name: str, mmap: bool = False) -> np.ndarray | None:
        """The saved array (memory-mapped with `mmap`, so that a slice is read alone),
        or None without a folder."""
        if self.folder is None:
            return None
        return np.load(self._path(index, name), mmap_mode="r" if mmap else None,
                       allow_pickle=False)

    def remove(self, index: int, name: str) -> None:
        if self.folder is not None:
            os.remove(self._path(index, name))


def _partition_texts(part: Partition, errors: str) -> Iterator[str]:
    """The texts of the partition's pieces (lines, or stretches of a very long line)."""
    try:
        for piece in read_range(part.path, part.start, part.stop, errors):
            yield piece.text
    except InputError:
        # The message names the line counted from the partition's start: raise it
        # again with the line number in the whole file (rare, so counted only now).
        _raise_with_line_number(part.path, part.start, part.stop, errors)
        raise


def _partition_ids(part: Partition, errors: str, vocab: CharVocab, grow: bool) -> np.ndarray:
    """The partition as int32 character ids, -1 between runs (as NgramCounter.update)."""
    chunks = []
    for batch in batch_texts(_partition_texts(part, errors)):
        chunks.append(np.append(vocab.encode(batch, grow=grow), np.int32(-1)))
    return np.concatenate(chunks) if chunks else np.full(1, -1, np.int32)


def _count_chars(task, shared: dict):
    """Code points of the partition's characters, their counts, and window totals."""
    index, part = task
    vocab = CharVocab()
    ids = _partition_ids(part, shared["errors"], vocab, grow=True)
    counts = np.bincount(ids[ids >= 0], minlength=len(vocab)).astype(np.int64)
    cps = np.asarray(vocab._chars, dtype=np.int64)
    spill = shared["spill"]
    spill.save(index, "ids", ids)
    spill.save(index, "cps", cps)
    return cps, counts, _window_totals(ids, shared["order"])


def _global_ids(task, shared: dict) -> np.ndarray:
    """The partition's ids in the merged vocabulary: re-encoded from the text, or
    mapped from the ids of the first step's own vocabulary."""
    index, part = task
    counter, spill = shared["counter"], shared["spill"]
    local = spill.load(index, "ids")
    if local is None:
        return _partition_ids(part, shared["errors"], counter.vocab, grow=False)
    if shared["n"] == 2:
        # Id -1 picks the last entry of the map, -1: boundaries stay boundaries.
        to_global = np.append(counter.vocab._table[spill.load(index, "cps")], np.int32(-1))
        ids = to_global[local]
        spill.save(index, "ids", ids)
        return ids
    return local


def _positions(ids: np.ndarray, task, shared: dict):
    """Index of the kept (n-1)-gram starting at each position (n = the step's order),
    with the joined gaps and kept-window bits of the orders up to n-1 (marked on the
    way; kept[n-1] is known by then)."""
    index, _ = task
    counter, spill, n = shared["counter"], shared["spill"], shared["n"]
    prev = spill.load(index, "positions") if n >= 3 else None
    if prev is None:
        joined = np.zeros(len(ids), dtype=bool)
        kept_bits = np.zeros(len(ids), dtype=np.uint16)
        for m, prev in counter.positions_in(ids, n - 1):
            if m >= 2:
                _mark_kept_windows(prev, shared["kept"][m], m, joined, kept_bits)
    else:
        joined, kept_bits = spill.load(index, "joined"), spill.load(index, "kept_bits")
        prev = counter.next_positions(ids, prev, n - 1)[:-1]
        _mark_kept_windows(prev, shared["kept"][n - 1], n - 1, joined, kept_bits)
    spill.save(index, "positions", prev)
    spill.save(index, "joined", joined)
    spill.save(index, "kept_bits", kept_bits)
    return prev, joined, kept_bits


def _count_order(task, shared: dict):
    """Sorted keys and counts of the partition's order-n windows whose parts are kept."""
    ids = _global_ids(task, shared)
    prev, _, _ = _positions(ids, task, shared)
    return count_windows(ids, prev, shared["n"], shared["counter"]._V)


def _cut_pieces(task, shared: dict):
    """The partition's distinct pieces that pass backtracking: their characters
    (concatenated ids), lengths and counts."""
    ids = _global_ids(task, shared)
    _, joined, kept_bits = _positions(ids, task, shared)
    starts, lens, counts = distinct_pieces(ids, joined)
    ok = backtracked(starts, lens, kept_bits, shared["counter"].order)
    return _PieceTables((_gather_runs(ids, starts[ok], lens[ok]), lens[ok], counts[ok]))


# ---------------------------------------------------------------------------
# Combining the results of partitions (sums, so the order does not matter)


def _combine_chars(a, b):
    return np.concatenate([a[0], b[0]]), np.concatenate([a[1], b[1]]), a[2] + b[2]


def _combine_counts(a, b):
    return _merge_counts(a[0], a[1], b[0], b[1])


class _PieceTables:
    """Piece tables (concatenated characters, lengths, counts) of several partitions,
    put together and grouped by content once, when :meth:`grouped` is asked for."""

    def __init__(self, table):
        self.tables = [table]

    def combine(self, other: "_PieceTables") -> "_PieceTables":
        self.tables.extend(other.tables)
        return self

    def grouped(self) -> "_PieceTables":
        if len(self.tables) > 1:
            chars = np.concatenate([t[0] for t in self.tables])
            lens = np.concatenate([t[1] for t in self.tables])
            weights = np.concatenate([t[2] for t in self.tables])
            starts = np.cumsum(lens) - lens
            reps, counts = _group_pieces(chars, starts, lens, _piece_hashes(chars, starts, lens),
                                         weights)
            self.tables = [(_gather_runs(chars, starts[reps], lens[reps]), lens[reps], counts)]
        return self


def _stash(result, folder: str, name: str):
    """A worker's folded result (a tuple of arrays, or piece tables, grouped first)
    saved as .npy files in the spill folder: the driver loads them from the page cache
    faster than it would unpickle them from a pipe."""
    pieces = isinstance(result, _PieceTables)
    arrays = result.grouped().tables[0] if pieces else result
    paths = []
    for i, array in enumerate(arrays):
        paths.append(os.path.join(folder, f"{name}.result{i}.npy"))
        np.save(paths[-1], np.asarray(array))
    return pieces, paths


def _unstash(stashed):
    pieces, paths = stashed
    arrays = []
    for path in paths:
        arrays.append(np.load(path, allow_pickle=False))
        os.remove(path)
    return _PieceTables(tuple(arrays)) if pieces else tuple(arrays)


# ---------------------------------------------------------------------------
# Runners: apply a partition function to every partition and fold the results with
# `combine`; `tick()` is called as each partition is done


def _fold(results: Iterable, combine):
    total = None
    for result in results:
        total = result if total is None else combine(total, result)
    return total


def _run_tasks(func, tasks, shared: dict, tick) -> Iterator:
    for task in tasks:
        result = func(task, shared)
        tick()
        yield result


class _SerialRunner:
    def run(self, func, tasks, shared, combine, tick):
        return _fold(_run_tasks(func, tasks, shared, tick), combine)

    def close(self) -> None:
        pass


def _claimed(tasks: list, next_task) -> Iterator:
    """The tasks this worker claims, one at a time, from the shared number of the next
    unclaimed task: a worker whose partitions went faster takes more, so that all
    finish together."""
    while True:
        with next_task.get_lock():
            i = next_task.value
            next_task.value = i + 1
        if i >= len(tasks):
            return
        yield tasks[i]


def _work_through(func, tasks, shared: dict, combine, conn, next_task) -> None:
    """Worker process: run `func` on each task it claims and fold the results (so that
    merging is shared out too), telling the driver as each task is done; then send the
    folded result (None if it claimed none). An exception goes to the driver instead,
    which raises it."""
    try:
        def tick():
            conn.send(("tick", None))
        total = _fold(_run_tasks(func, _claimed(tasks, next_task), shared, tick), combine)
        stashed = None
        if total is not None:
            stashed = _stash(total, shared["spill"].folder, f"worker{os.getpid()}")
        conn.send(("result", stashed))
    except BaseException as exc:  # noqa: B902 - every failure must reach the driver
        try:
            conn.send(("error", exc))
        except Exception:
            pass
    finally:
        conn.close()


class _ProcessRunner:
    """Local worker processes, forked for each step so that they share the step's
    tables with the driver instead of receiving a copy (spawned once this process has
    run Numba's threads, which a forked child must not use); each worker claims the next
    task when it is free. Each worker sends its results down a pipe of its own, so a
    worker that dies (killed, out of memory) is seen at once: the run stops with a
    WorkerError."""

    def __init__(self, workers: int, load_kernels: Callable[[], None] | None = None):
        self.workers = workers
        (load_kernels or _load_kernels)()

    def run(self, func, tasks, shared, combine, tick):
        # A child forked after Numba's threads have run must not use them: spawn then
        # (the workers get a copy of the step's tables instead of sharing them).
        ctx = multiprocessing.get_context("spawn" if _numba_threads_started() else "fork")
        started = []
        next_task = ctx.Value("q", 0)
        # Ctrl-C is held back while the workers are forked: arriving during a fork it
        # would interrupt the fork handlers and print their tracebacks. The workers keep
        # it blocked (the driver stops them), so that only the driver reports it.
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            for w in range(min(self.workers, len(tasks))):
                receiver, sender = ctx.Pipe(duplex=False)
                process = ctx.Process(target=_work_through, daemon=True,
                                      args=(func, tasks, shared, combine, sender, next_task))
                process.start()
                sender.close()  # so that the pipe ends when the worker does
                started.append((process, receiver))
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        try:
            return _fold(_collect(started, tick), combine)
        finally:
            for process, receiver in started:
                if process.is_alive():
                    process.terminate()
                process.join()
                receiver.close()

    def close(self) -> None:
        pass


def _collect(started, tick) -> Iterator:
    """The workers' folded results as they come, until every worker is done."""
    from multiprocessing.connection import wait

    pending = {receiver: process for process, receiver in started}
    while pending:
        for receiver in wait(list(pending)):
            try:
                kind, payload = receiver.recv()
            except EOFError:
                process = pending[receiver]
                process.join()
                raise WorkerError(f"a worker process died before finishing its partitions "
                                  f"(exit status {process.exitcode}; killed, or out of memory?)") from None
            if kind == "tick":
                tick()
            elif kind == "error":
                raise payload
            else:
                del pending[receiver]
                if payload is not None:
                    yield _unstash(payload)


class _DaskRunner:
    """Tasks on a Dask cluster; a task whose worker fails is run again elsewhere."""

    def __init__(self, scheduler: str | None, workers: int, retries: int = 2):
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise InputError("the dask engine needs Dask: pip install 'nlpzero[dask]'") from None
        self._cluster = None
        if scheduler is None:
            self._cluster = LocalCluster(n_workers=workers, threads_per_worker=1,
                                         processes=True, dashboard_address=None)
            self.client = Client(self._cluster)
        else:
            try:
                # The connect timeout comes from the Dask configuration (30 s unless set,
                # e.g. by DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT).
                self.client = Client(scheduler)
            except (OSError, TimeoutError) as exc:
                raise InputError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
        self.retries = retries

    def run(self, func, tasks, shared, combine, tick):
        from concurrent.futures import CancelledError

        from dask.distributed import as_completed

        def scatter():
            # One future for the whole dict (a dict passed alone would be scattered item
            # by item); hash=False gives each step's tables a key of their own.
            return self.client.scatter([shared], broadcast=True, hash=False)[0]

        shared_future = scatter()
        futures = self.client.map(func, tasks, shared=shared_future, retries=self.retries,
                                  pure=False)
        task_of = dict(zip((f.key for f in futures), tasks))
        submitted = list(futures)

        def each():
            nonlocal shared_future
            resubmitted = 0
            running = as_completed(futures)
            for future in running:
                try:
                    result = future.result()
                except CancelledError:
                    # When a worker dies the scheduler may drop ("forget") a task instead
                    # of running it again; submit it anew (with the step's tables
                    # scattered again, in case they went with the worker).
                    resubmitted += 1
                    if resubmitted > self.retries * len(tasks):
                        raise
                    shared_future = scatter()
                    task = task_of[future.key]
                    again = self.client.submit(func, task, shared=shared_future,
                                               retries=self.retries, pure=False)
                    task_of[again.key] = task
                    submitted.append(again)
                    running.add(again)
                    continue
                tick()
                yield result
        try:
            return _fold(each(), combine)
        finally:
            self.client.cancel(submitted)

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()


#: A little text that exercises every step (words repeat, so every order is kept).
_WARM_UP_TEXT = "我们的祖国是中华人民共和国\n中华人民共和国的首都是北京\n" * 8


def _load_kernels() -> None:
    """Load every kernel of the steps in this process (from Numba's cache, or compile
    them) before worker processes are forked, so that they inherit them instead of
    each loading them again at every step."""
    with tempfile.TemporaryDirectory(prefix="nlpzero-warm-") as folder:
        path = os.path.join(folder, "warm.txt")
        with open(path, "w", encoding="utf-8") as f:
            f.write(_WARM_UP_TEXT)
        _learn(CohesionWordFinder(min_count=2), plan_partitions(path), _SerialRunner(),
               "strict", _Spill(folder), lambda step, done, total: None)


def _make_runner(engine: str, workers: int, scheduler: str | None,
                 load_kernels: Callable[[], None] | None = None):
    """The runner of an engine; `load_kernels` loads the kernels of the job's steps
    before local workers are forked (default: the lexicon's)."""
    if engine == "dask":
        return _DaskRunner(scheduler, workers)
    if engine != "local":
        raise ValueError(f"unknown engine {engine!r}; choose from {', '.join(ENGINES)}")
    if scheduler is not None:
        raise ValueError("a scheduler address needs engine='dask'")
    return _SerialRunner() if workers == 1 else _ProcessRunner(workers, load_kernels)


def _run_step(runner, tasks: list, progress, name: str, func, shared: dict, combine):
    """Run one step over every partition, reporting ``progress(name, done, total)``."""
    done = [0]

    def tick():
        done[0] += 1
        progress(name, done[0], len(tasks))
    progress(name, 0, len(tasks))
    return runner.run(func, tasks, shared, combine, tick)


# ---------------------------------------------------------------------------
# Driver


def learn_lexicon(sources: Iterable[str] | str, *, order: int = 4, min_count: int | None = None,
                  thresholds: Sequence[float] | None = None,
                  backoff_cohesion: float | None = 2.0, backoff_weight: float = 0.02,
                  errors: str = "strict", workers: int = 1, engine: str = "local",
                  scheduler: str | None = None, part_bytes: int | None = None,
                  spill_dir: str | None = None,
                  progress: Callable[[str, int, int], None] | None = None) -> Lexicon:
    """Learn a lexicon from files with the cohesion method, one partition at a time.

    The result equals ``CohesionWordFinder(...).train(read_lines(sources)).find()`` with
    the same parameters; memory is one partition per worker plus the count tables, and
    the partitions are counted by `workers` processes, or on a Dask cluster.

    Parameters
    ----------
    sources : str or iterable of str
        Files, directories or glob patterns (not standard input).
    order, min_count, thresholds, backoff_cohesion, backoff_weight
        As for :class:`~nlpzero.discovery.CohesionWordFinder`.
    errors : {"strict", "replace"}
        Handling of bytes that are not UTF-8, as for :func:`~nlpzero.corpus.read_pieces`.
    workers : int
        Local worker processes (engine "local"), or workers of the local cluster started
        when engine is "dask" and no scheduler is given.
    engine : {"local", "dask"}
        Where partitions are counted.
    scheduler : str, optional
        Address of a running Dask scheduler (e.g. ``"tcp://10.0.0.5:8786"``); the
        workers must be able to read the input paths.
    part_bytes : int, optional
        Partition size in bytes (default: see :func:`plan_partitions`).
    spill_dir : str, optional
        Folder for the local engine's intermediate arrays (about 11 bytes per input
        character, removed at the end; default: the system's temporary folder).
    progress : callable, optional
        Called as ``progress(step, done, total)`` after each partition of each step.

    Returns
    -------
    Lexicon
    """
    if errors not in ("strict", "replace"):
        raise ValueError(f"errors must be 'strict' or 'replace', not {errors!r}")
    if not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a positive integer, not {workers!r}")
    finder = CohesionWordFinder(order=order, min_count=min_count, thresholds=thresholds,
                                backoff_cohesion=backoff_cohesion, backoff_weight=backoff_weight)
    parts = plan_partitions(sources, workers, part_bytes)
    runner = _make_runner(engine, workers, scheduler)
    folder = None
    try:
        if engine == "local":
            folder = tempfile.mkdtemp(prefix="nlpzero-spill-", dir=spill_dir)
        return _learn(finder, parts, runner, errors, _Spill(folder),
                      progress or (lambda step, done, total: None))
    finally:
        runner.close()
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


def _learn(finder: CohesionWordFinder, parts: list[Partition], runner, errors: str,
           spill: _Spill, progress) -> Lexicon:
    K = finder.order
    tasks = list(enumerate(parts))
    if not tasks:  # empty files
        return Lexicon._from_valid_counts({})

    def step(name: str, func, shared: dict, combine):
        return _run_step(runner, tasks, progress, name, func,
                         dict(shared, errors=errors, spill=spill), combine)

    cps, counts, totals = step("characters", _count_chars, {"order": K}, _combine_chars)
    char_counts = np.zeros(0x110000, dtype=np.int64)
    np.add.at(char_counts, cps, counts)
    cps = np.flatnonzero(char_counts)
    vocab = CharVocab.from_code_points(cps)
    min_count = finder.min_count
    if min_count is None:
        min_count = default_min_count(int(totals[1]))
    counter = NgramCounter._from_counts(vocab, K, min_count, totals, char_counts[cps])
    finder.counter = counter

    kept: dict[int, np.ndarray] = {}
    for n in range(2, K + 1):
        keys, counts = step(f"{n}-grams", _count_order, {"counter": counter, "n": n, "kept": kept},
                            _combine_counts)
        counter._add_order(keys, counts)
        del keys, counts
        kept[n] = finder._kept(n)

    pieces = step("pieces", _cut_pieces, {"counter": counter, "n": K + 1, "kept": kept},
                  _PieceTables.combine)
    [(chars, lens, counts)] = pieces.grouped().tables
    ok = counts >= min_count
    starts = np.cumsum(lens) - lens
    words = _piece_strings(counter, chars, starts[ok], lens[ok])
    lexicon = dict(zip(words, counts[ok].tolist()))
    if finder.backoff_cohesion is not None:
        finder._add_backoff_pairs(lexicon)
    return Lexicon._from_valid_counts(lexicon)
