"""Finding a process's children through /proc (Linux), for the tests that kill workers."""

import os


def _stat_fields(pid) -> list[str] | None:
    """Fields of /proc/PID/stat after the command name (state, parent pid, ...)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None


def children(pid: int | None = None, zombies: bool = True) -> list[int]:
    """Process ids whose parent is `pid` (default: this process); `zombies=False`
    leaves out the ones that have ended but were not reaped."""
    pid = os.getpid() if pid is None else pid
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat_fields(entry)
            if fields and int(fields[1]) == pid and (zombies or fields[0] != "Z"):
                found.append(int(entry))
    return found


def alive(pid: int) -> bool:
    """The process exists and has not ended (a zombie has ended)."""
    fields = _stat_fields(pid)
    return bool(fields) and fields[0] != "Z"


def interrupt_when_counting(args: list[str]) -> tuple[int, str]:
    """Run ``python -m nlpzero ARGS``, send Ctrl-C (SIGINT) once its stderr shows a
    counting progress bar, and return its exit status and stderr."""
    import signal

    returncode, err, _ = stop_when_counting(args, signal.SIGINT)
    return returncode, err


def stop_when_counting(args: list[str], signum: int, group: bool = False,
                       wait_for_workers: bool = False, env: dict | None = None
                       ) -> tuple[int, str, list[int]]:
    """Run ``python -m nlpzero ARGS`` in a session of its own, send it signal `signum`
    once its stderr shows a counting progress bar (and, with `wait_for_workers`, once
    its worker processes are under way), to the whole process group with `group` (as
    a terminal, SLURM or ``kill -- -PGID`` do), and return its exit status, its stderr
    and the worker processes seen. `env` is added to the environment."""
    import subprocess
    import sys
    import time

    proc = subprocess.Popen([sys.executable, "-m", "nlpzero", *args],
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            env=None if env is None else {**os.environ, **env})
    line = ""
    while "counting" not in line:
        line = proc.stderr.read(64)
        assert line, "the run ended before it could be stopped"
    workers: list[int] = []
    deadline = time.monotonic() + 60
    while wait_for_workers and not workers:
        workers = [pid for pid in children(proc.pid, zombies=False)
                   if b"resource_tracker" not in _cmdline(pid)]
        assert proc.poll() is None and time.monotonic() < deadline, \
            "the run ended before its workers started"
        time.sleep(0.005)
    if group:
        os.killpg(proc.pid, signum)
    else:
        proc.send_signal(signum)
    _, err = proc.communicate(timeout=60)
    return proc.returncode, err, workers


def _cmdline(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read()
    except OSError:
        return b""


def killer_at(step: str, pid: int):
    """A progress callback that kills process `pid` (SIGKILL) once the first partition
    of `step` is done, and the list that records the kill."""
    import signal

    killed: list[int] = []

    def progress(name, done, total):
        if name == step and done == 1 and not killed:
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
    return progress, killed


def new_workers(before: set[int]) -> list[int]:
    """This process's children not in `before`, leaving out multiprocessing's resource
    tracker (which starting workers may start), in pid order."""
    return [pid for pid in sorted(set(children()) - before)
            if b"resource_tracker" not in open(f"/proc/{pid}/cmdline", "rb").read()]
