"""Helpers shared by the benchmark scripts: the machine's description, peak memory,
child processes that report JSON, and the results files."""

from __future__ import annotations

import datetime
import json
import os
import platform
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
RESULTS = os.path.join(HERE, "results")
WORK = os.path.join(HERE, "_work")  # git-ignored scratch space

#: Prefix of the line on which a child process reports its result.
RESULT_PREFIX = "@@RESULT@@ "


def peak_rss_mib() -> float:
    """Peak resident set size of this process so far, in MiB.

    Linux: VmHWM from /proc/self/status, the high-water mark of this process's own
    address space. Not ru_maxrss: on Linux a child's ru_maxrss starts from its
    parent's RSS at fork time (it survives exec), so a small child of a big parent
    would report the parent's size. Elsewhere: ru_maxrss.
    """
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kib / 1024 if sys.platform != "darwin" else kib / 2**20


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def versions() -> str:
    out = [f"Python {platform.python_version()}"]
    for name in ("nlpzero", "numba", "numpy", "jieba"):
        try:
            mod = __import__(name)
            out.append(f"{name} {getattr(mod, '__version__', '?')}")
        except ImportError:
            pass
    return ", ".join(out)


def source_state() -> str:
    """The commit of the repository and whether nlpzero's sources differ from it."""
    try:
        head = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", REPO, "status", "--porcelain", "--", "nlpzero"],
                               capture_output=True, text=True, timeout=10).stdout.split("\n")
    except (OSError, subprocess.SubprocessError):
        return "unknown (no git)"
    if not head:
        return "unknown (not a git checkout)"
    changed = sorted(l[3:] for l in dirty if l.strip())
    return f"commit {head}" + (f" with uncommitted changes to {', '.join(changed)}"
                               if changed else "")


def command_line() -> str:
    """The command that ran this script, with the script path relative to the repo."""
    script = os.path.relpath(os.path.abspath(sys.argv[0]), REPO)
    return " ".join(["python", script] + sys.argv[1:])


def header(title: str) -> str:
    return "\n".join([
        f"# {title}",
        "",
        f"- date: {datetime.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')}",
        f"- machine: `{platform.machine()}` (uname -m), CPU: {cpu_model()}, "
        f"{os.cpu_count()} logical CPUs",
        f"- software: {versions()}",
        f"- nlpzero source: {source_state()}",
        f"- command: `{command_line()}` (from the repository root)",
        "",
    ])


def write_result(name: str, title: str, body: str, path: str | None = None) -> str:
    """Write `body` under a header to benchmarks/results/`name` (or `path`)."""
    path = path or os.path.join(RESULTS, name)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(header(title) + "\n" + body.rstrip() + "\n")
    os.replace(tmp, path)
    return path


def report(result: dict) -> None:
    """Child side: print the result for the parent."""
    print(RESULT_PREFIX + json.dumps(result, ensure_ascii=False), flush=True)


def run_child(args: list[str], timeout: float = 900) -> dict:
    """Parent side: run `python args...` in a fresh process and return its result."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable] + args, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=timeout, cwd=REPO)
    wall = time.perf_counter() - start
    lines = [l for l in proc.stdout.splitlines() if l.startswith(RESULT_PREFIX)]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"child {' '.join(args)} failed (exit {proc.returncode}):\n"
                           f"{proc.stderr[-3000:]}")
    result = json.loads(lines[-1][len(RESULT_PREFIX):])
    result.setdefault("wall_s", wall)
    return result


def md_table(headers: list[str], rows: list[list], align: str | None = None) -> str:
    align = align or "l" + "r" * (len(headers) - 1)
    sep = ["---:" if a == "r" else "---" for a in align]
    out = ["| " + " | ".join(headers) + " |", "| " + " | ".join(sep) + " |"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def fmt(x, spec: str = ".4f", none: str = "–") -> str:
    return none if x is None else format(x, spec)


class _BlockScipy:
    """Meta-path finder that makes ``import scipy`` fail."""

    def find_spec(self, name, path=None, target=None):
        if name == "scipy" or name.startswith("scipy."):
            raise ImportError(f"{name} is blocked by the benchmark")
        return None


def block_scipy() -> None:
    """Make ``import scipy`` fail in this (child) process: Numba imports SciPy, when it
    can, on its first kernel load (about 0.15 s), and nlpzero does not need it."""
    sys.meta_path.insert(0, _BlockScipy())
