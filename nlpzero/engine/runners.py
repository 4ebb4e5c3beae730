"""Runners: one protocol for all partitioned work, run serially, in local worker
processes or on a Dask cluster.

A job (lexicon learning, co-occurrence counting) is a few steps; each step maps a
partition function over the tasks (partitions, or ranges of a merge) and folds the
results:

    with partitioned_run(engine, workers, spill_dir=...) as (runner, spill):
        total = run_step(runner, tasks, progress, "step", func, shared, combine)

``func(task, shared)`` is a module-level function (it is sent to workers by name),
``shared`` a dict of the step's tables (shared with forked workers, scattered once to a
cluster) and ``combine(a, b)`` an associative, commutative fold: workers fold the
results of the tasks they ran, the driver folds the workers' results. Results are
tuples of arrays, or objects with ``to_arrays`` and ``from_arrays`` (see
:func:`nlpzero.engine.spill.stash`).

Every runner has ``workers`` (how many run at once) and ``close()``.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from typing import Callable, Iterable, Iterator

from .._io import remove_tree
from .._validation import check_choice
from ..errors import InputError
from .processes import Workers, default_start_method
from .spill import Spill, stash, unstash

ENGINES = ("local", "dask")


def fold(results: Iterable, combine):
    """The results combined left to right (None when there is none)."""
    total = None
    for result in results:
        total = result if total is None else combine(total, result)
    return total


def _run_tasks(func, tasks, shared: dict, tick) -> Iterator:
    for task in tasks:
        result = func(task, shared)
        tick()
        yield result


class SerialRunner:
    """The tasks one after the other, in this process."""

    workers = 1

    def run(self, func, tasks, shared, combine, tick):
        return fold(_run_tasks(func, tasks, shared, tick), combine)

    def close(self) -> None:
        pass


# ---------------------------------------------------------------------------
# Local worker processes


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


def _work_through(conn, func, tasks, shared: dict, combine, next_task) -> None:
    """Worker process: run `func` on each task it claims and fold the results (so that
    merging is shared out too), telling the driver as each task is done; then send the
    folded result (None if it claimed none). An exception goes to the driver instead,
    which raises it."""
    try:
        def tick():
            conn.send(("tick", None))
        total = fold(_run_tasks(func, _claimed(tasks, next_task), shared, tick), combine)
        stashed = None
        if total is not None:
            stashed = stash(total, shared["spill"].folder, f"worker{os.getpid()}")
        conn.send(("result", stashed))
    except BaseException as exc:  # noqa: B902 - every failure must reach the driver
        try:
            conn.send(("error", exc))
        except Exception:
            pass
    finally:
        conn.close()


class ProcessRunner:
    """Local worker processes (:class:`~nlpzero.engine.processes.Workers`), started for
    each step so that forked workers share the step's tables with the driver instead of
    receiving a copy; each worker claims the next task when it is free. A worker that
    dies (killed, out of memory) stops the run with a WorkerError.

    The step's ``shared["spill"]`` must be a :class:`Spill` with a folder: the workers
    hand their folded results over in it.

    ``load_kernels(spill_folder)`` loads the kernels of every step into the driver (its
    files, if any, in the run's spill folder), so that the workers of later steps
    inherit them; it runs while the first step's workers count (they load the few
    kernels of that step themselves), so that loading does not hold the second core
    idle."""

    def __init__(self, workers: int, load_kernels: Callable[[str], None] | None = None):
        self.workers = workers
        self._load_kernels = load_kernels

    def run(self, func, tasks, shared, combine, tick):
        import multiprocessing

        start_method = default_start_method()
        next_task = multiprocessing.get_context(start_method).Value("q", 0)
        with Workers(min(self.workers, len(tasks)), _work_through,
                     (func, tasks, shared, combine, next_task), start_method=start_method
                     ) as workers:
            if self._load_kernels is not None:
                load, self._load_kernels = self._load_kernels, None
                load(shared["spill"].folder)
            return fold(_collect(workers, tick), combine)

    def close(self) -> None:
        pass


def _collect(workers: Workers, tick) -> Iterator:
    """The workers' folded results as they come, until every worker is done."""
    pending = set(workers.conns)
    while pending:
        for conn in workers.ready(pending):
            kind, payload = workers.receive(conn)
            if kind == "tick":
                tick()
            elif kind == "error":
                raise payload
            else:
                pending.discard(conn)
                if payload is not None:
                    yield unstash(payload)


# ---------------------------------------------------------------------------
# Dask


class DaskRunner:
    """Tasks on a Dask cluster; a task whose worker fails is run again elsewhere.

    Parameters
    ----------
    client : distributed.Client, optional
        The caller's client: used as it is, and left open.
    scheduler : str, optional
        Address of a running scheduler to connect to (when no client is given); the
        connection is closed with the runner.
    workers : int
        Without a client or a scheduler, a local cluster of that many worker processes
        is started (:func:`local_dask_client`) and closed with the runner.
    retries : int
        Times a task is run again after its worker failed.
    """

    def __init__(self, client=None, scheduler: str | None = None, workers: int = 1,
                 retries: int = 2):
        self._own = contextlib.ExitStack()
        if client is None:
            if scheduler is None:
                client = self._own.enter_context(local_dask_client(workers))
            else:
                client = self._own.enter_context(_connect(scheduler))
        self.client = client
        self.workers = workers
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
            return fold(each(), combine)
        finally:
            self.client.cancel(submitted)

    def close(self) -> None:
        self._own.close()


def _import_distributed():
    try:
        import dask.distributed as distributed
    except ImportError:
        raise InputError("the dask engine needs Dask: pip install 'nlpzero[dask]'") from None
    return distributed


@contextlib.contextmanager
def _connect(scheduler: str):
    distributed = _import_distributed()
    try:
        # The connect timeout comes from the Dask configuration (30 s unless set,
        # e.g. by DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT).
        client = distributed.Client(scheduler)
    except (OSError, TimeoutError) as exc:
        raise InputError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    try:
        yield client
    finally:
        client.close()


@contextlib.contextmanager
def local_dask_client(workers: int):
    """A client of a Dask cluster of `workers` local processes (one thread each),
    closed with the cluster when the block ends."""
    distributed = _import_distributed()
    cluster = distributed.LocalCluster(n_workers=workers, threads_per_worker=1,
                                       processes=True, dashboard_address=None)
    try:
        client = distributed.Client(cluster)
        try:
            yield client
        finally:
            client.close()
    finally:
        cluster.close()


# ---------------------------------------------------------------------------
# Running a job


def make_runner(engine: str, workers: int, scheduler: str | None = None, client=None,
                load_kernels: Callable[[str], None] | None = None):
    """The runner of an engine; `load_kernels` loads the kernels of the job's steps
    into the driver of local workers (see :class:`ProcessRunner`), so that the workers
    forked for each step inherit them instead of each loading them again."""
    check_choice("engine", engine, ENGINES)
    if engine == "dask":
        return DaskRunner(client, scheduler, workers)
    if scheduler is not None or client is not None:
        raise InputError("a Dask scheduler address or client needs engine='dask'")
    return SerialRunner() if workers == 1 else ProcessRunner(workers, load_kernels)


@contextlib.contextmanager
def partitioned_run(engine: str, workers: int, *, scheduler: str | None = None, client=None,
                    spill_dir: str | None = None,
                    load_kernels: Callable[[str], None] | None = None):
    """The runner of a job and the :class:`Spill` of its intermediate arrays: a new
    folder in `spill_dir` (default: the system's temporary folder) with the local
    engine, none on Dask. The runner is closed and the folder removed when the block
    ends, whatever happens."""
    runner = make_runner(engine, workers, scheduler, client, load_kernels)
    folder = None
    try:
        if engine == "local":
            folder = tempfile.mkdtemp(prefix="nlpzero-spill-", dir=spill_dir)
        yield runner, Spill(folder)
    finally:
        runner.close()
        if folder is not None:
            remove_tree(folder)


def run_step(runner, tasks: list, progress, name: str, func, shared: dict, combine):
    """Run one step over every task, reporting ``progress(name, done, total)``."""
    done = [0]

    def tick():
        done[0] += 1
        progress(name, done[0], len(tasks))
    progress(name, 0, len(tasks))
    return runner.run(func, tasks, shared, combine, tick)
