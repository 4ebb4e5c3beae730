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
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-m", "nlpzero", *args],
                            stderr=subprocess.PIPE, text=True)
    line = ""
    while "counting" not in line:
        line = proc.stderr.read(64)
        assert line, "the run ended before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    return proc.returncode, err


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
