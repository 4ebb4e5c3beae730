"""Worker processes: the one module of nlpzero that starts them.

:class:`Workers` starts processes that each talk to the driver through a pipe of their
own, so a worker that dies (killed, out of memory) is seen at once as the end of its pipe
(:class:`~nlpzero.errors.WorkerError`), and stopping them never waits on a helper
thread. It makes the choices every user of processes shares:

* the start method: fork where the platform allows, so that workers share the driver's
  tables instead of receiving a copy; spawn once this process has run Numba's threads,
  which a forked child must not use;
* signals: Ctrl-C (SIGINT), SIGTERM and SIGHUP are held back while the workers start
  (arriving during a fork they would interrupt the fork handlers and print their
  tracebacks) and ignored by the workers: a terminal, a batch system or ``timeout`` may
  send them to the whole process group, and it is the driver that stops the workers and
  removes the temporary files, reporting the signal once.

:class:`WorkerPool` builds long-lived workers that run jobs and give back the results in
order on it; the local runner of :mod:`nlpzero.engine.runners` starts one worker set per
step on it.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import sys
import threading
from multiprocessing.connection import wait
from typing import Callable, Iterable, Iterator

from ..errors import InputError, WorkerError

#: Signals that stop a run: the driver handles them, the workers ignore them.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def numba_threads_started() -> bool:
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


def default_start_method() -> str:
    """"fork" where the platform has it and this process has not started Numba's
    threads, else "spawn"."""
    forkable = "fork" in multiprocessing.get_all_start_methods()
    return "fork" if forkable and not numba_threads_started() else "spawn"


def worker_died(exitcode) -> WorkerError:
    """The error of a worker that ended without finishing its work."""
    return WorkerError(f"a worker process died before finishing its work (exit status "
                       f"{exitcode}; killed, or out of memory?)")


@contextlib.contextmanager
def _signals_held():
    """Hold the stop signals back while workers are started, and raise them after.

    Blocking them is not enough: another thread of this process may receive one, and
    Python then runs its handler in the main thread at the next chance, which may be
    inside a fork handler (logging's, multiprocessing's) where the exception it raises
    is lost. So, in the main thread, the handlers only note the signals meanwhile, and
    the signals noted are raised again once the previous handlers are back.
    """
    main = threading.current_thread() is threading.main_thread()
    noted: list[int] = []
    previous = {}
    if main:
        for signum in STOP_SIGNALS:
            previous[signum] = signal.signal(signum, lambda signum, frame: noted.append(signum))
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        for signum, handler in previous.items():
            if handler is not None:  # None: a handler not set from Python, left as it is
                signal.signal(signum, handler)
        for signum in dict.fromkeys(noted):
            signal.raise_signal(signum)


def _worker_main(target: Callable, conn, args: tuple, inherited: list) -> None:
    """A worker's first steps: ignore the stop signals (the driver ends the workers),
    release the ones held back while it was started, close the driver's ends of its
    pipe and of the pipes of the workers forked before it (`inherited`: else a worker
    waiting on its pipe would not see the driver end while a worker still held the
    driver's end), run ``target(conn, *args)``."""
    for signum in STOP_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
    for other in inherited:
        other.close()
    target(conn, *args)


class Workers:
    """`n` worker processes that each run ``target(conn, *args)``, `conn` being their
    end of a pipe to the driver.

    Parameters
    ----------
    n : int
        Number of processes.
    target : callable
        A module-level function (spawned workers get it by name).
    args : tuple
        The other arguments of `target`: shared with forked workers, copied to spawned ones.
    duplex : bool
        Whether the driver also sends on the pipes (else only the workers do).
    start_method : str, optional
        A :mod:`multiprocessing` start method; default :func:`default_start_method`.

    Notes
    -----
    Use it as a context manager: the workers are stopped (killed) when the block ends
    with an exception, and waited for otherwise.
    """

    def __init__(self, n: int, target: Callable, args: tuple = (), *, duplex: bool = False,
                 start_method: str | None = None):
        start_method = start_method or default_start_method()
        ctx = multiprocessing.get_context(start_method)
        self.processes: list = []
        self.conns: list = []
        self._process_of: dict = {}
        try:
            with _signals_held():
                for _ in range(n):
                    ours, theirs = ctx.Pipe(duplex=duplex)  # (receiver, sender) when one-way
                    # Spawned workers inherit no descriptor but those they are given.
                    inherited = [*self.conns, ours] if start_method == "fork" else []
                    process = ctx.Process(target=_worker_main,
                                          args=(target, theirs, args, inherited), daemon=True)
                    process.start()
                    theirs.close()  # so that the pipe ends when the worker does
                    self.processes.append(process)
                    self.conns.append(ours)
                    self._process_of[ours] = process
        except BaseException:  # a signal held back included: the workers are stopped
            self.stop()
            raise

    def ready(self, conns: Iterable) -> list:
        """Those of `conns` that have a message (or whose worker ended), once there is one."""
        return wait(list(conns))

    def send(self, conn, message) -> None:
        """Send `message` to a worker, or raise WorkerError if it is gone."""
        try:
            conn.send(message)
        except OSError:  # the worker's end of the pipe is closed
            raise worker_died(self._exitcode(conn)) from None

    def receive(self, conn):
        """The next message of a worker, or WorkerError if it ended without one."""
        try:
            return conn.recv()
        except (EOFError, OSError):
            raise worker_died(self._exitcode(conn)) from None

    def _exitcode(self, conn):
        process = self._process_of.get(conn)
        if process is None:
            return None
        process.join(1)
        return process.exitcode

    def stop(self) -> None:
        """End the workers now (SIGKILL: they ignore the stop signals), abandoning their work."""
        for process in self.processes:
            with contextlib.suppress(Exception):
                process.kill()
        self._finish(timeout=None)

    def close(self, timeout: float = 5) -> None:
        """Wait up to `timeout` seconds for the workers to end, then kill the rest."""
        self._finish(timeout)

    def _finish(self, timeout) -> None:
        for process in self.processes:
            with contextlib.suppress(Exception):
                process.join(timeout)
                if process.is_alive():
                    process.kill()
                    process.join()
        for conn in self.conns:
            conn.close()
        self.processes, self.conns, self._process_of = [], [], {}

    def __enter__(self) -> "Workers":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.stop()


# ---------------------------------------------------------------------------
# A pool of long-lived workers with ordered results


def _serve(conn, state, setup) -> None:
    """A pool worker: run the jobs that come down `conn` one at a time and send back
    each result (or the exception it raised) with the job's number."""
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

    Each worker runs one job at a time. Use it as a context manager: when the block ends
    with an exception (an error, Ctrl-C, the consumer stopping early) the workers are
    stopped at once instead of finishing their jobs.

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
        if workers < 1:
            raise InputError(f"workers must be at least 1, not {workers}")
        self.workers = int(workers)
        self._workers = Workers(self.workers, _serve, (state, setup), duplex=True,
                                start_method=start_method)

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
        workers = self._workers
        limit = min(in_flight or self.workers, self.workers)
        idle = list(reversed(workers.conns[:limit]))
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
                workers.send(conn, (given, func, task))
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
            for conn in workers.ready(busy):
                number, outcome = workers.receive(conn)
                del busy[conn]
                idle.append(conn)
                done[number] = outcome

    def terminate(self) -> None:
        """End the workers now, abandoning their jobs."""
        self._workers.stop()

    def close(self) -> None:
        """Let the workers finish, then end them."""
        for conn in self._workers.conns:
            with contextlib.suppress(Exception):
                conn.send(None)
        self._workers.close()

    def __enter__(self) -> "WorkerPool":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.terminate()
