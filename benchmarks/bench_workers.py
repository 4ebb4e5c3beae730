"""`nlpzero segment --workers N` end to end: wall time, peak memory of the process tree,
speed-up of two workers over one, on copies of the People's Daily raw text.

Inputs (built in benchmarks/_work/, not committed): `nlpzero dataset peoples-daily`
(5.5 MB) written once and concatenated 8 times (44 MB) and 18 times (~100 MB); with
``--gigabyte`` also 190 times (~1 GB) for one streaming run of each worker count.

Each measurement is a fresh process ``python -m nlpzero segment -q --workers N FILE -o
OUT`` with jieba's dictionary (the default) or a lexicon learned by ``nlpzero lexicon
--dataset peoples-daily``; repetitions are interleaved (N=1, N=2, N=1, ...) and the best
of them is kept. The start-up (imports, dictionary load, Numba) is measured the same way
on an empty file and subtracted to give the segmentation time.

Memory: the process tree (the command and its worker processes) is sampled every
0.5 s from /proc: the sum of the resident set sizes (which counts the pages the
forked workers share with the parent once per process, so it overstates) and the
sum of the proportional set sizes (PSS: shared pages split between the processes).

Control: the machine's own scaling, in the same run: a CPU-bound pure-Python loop,
twice in one process against once in each of two processes (best of 3).

Usage: ``python benchmarks/bench_workers.py [--repeats 3] [--gigabyte] [--wait-idle S]
[--output PATH]``
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import benchutil  # noqa: E402

WORK = benchutil.WORK


def nlpzero(*args, **kw):
    return subprocess.run([sys.executable, "-m", "nlpzero", *args], check=True,
                          cwd=benchutil.REPO, **kw)


def prepare(gigabyte: bool) -> dict:
    os.makedirs(WORK, exist_ok=True)
    base = os.path.join(WORK, "pd.txt")
    if not os.path.exists(base):
        nlpzero("dataset", "peoples-daily", "-o", base)
    lexicon = os.path.join(WORK, "pd-lexicon.txt")
    if not os.path.exists(lexicon):
        nlpzero("lexicon", "-q", "--no-refine", "--dataset", "peoples-daily", "-o", lexicon)
    files = {}
    copies = {"44 MB": 8, "100 MB": 18}
    if gigabyte:
        copies["1 GB"] = 190
    with open(base, "rb") as f:
        data = f.read()
    for name, n in copies.items():
        path = os.path.join(WORK, f"pd-x{n}.txt")
        if not os.path.exists(path) or os.path.getsize(path) != n * len(data):
            with open(path + ".tmp", "wb") as f:
                for _ in range(n):
                    f.write(data)
            os.replace(path + ".tmp", path)
        files[name] = path
    empty = os.path.join(WORK, "empty.txt")
    open(empty, "wb").close()
    files["empty"] = empty
    return {"files": files, "lexicon": lexicon}


# ---------------------------------------------------------------------------
# Process-tree memory


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def _memory_kib(pid: int) -> tuple[int, int]:
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except (OSError, ValueError):
        pass
    return rss, pss


def run_measured(argv: list[str]) -> dict:
    """Run a command; return its wall time and the peak RSS and PSS sums of its tree."""
    peak = {"rss": 0, "pss": 0, "procs": 0}
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=benchutil.REPO, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    done = threading.Event()

    def sample():
        while not done.is_set():
            pids = _tree(proc.pid)
            mem = [_memory_kib(p) for p in pids]
            peak["rss"] = max(peak["rss"], sum(m[0] for m in mem))
            peak["pss"] = max(peak["pss"], sum(m[1] for m in mem))
            peak["procs"] = max(peak["procs"], len(pids))
            done.wait(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    _, err = proc.communicate()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed: {err.decode()[-2000:]}")
    # CPU time of the command and of the workers it waited for
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall_s": wall, "cpu_s": cpu, "rss_mib": peak["rss"] / 1024,
            "pss_mib": peak["pss"] / 1024, "processes": peak["procs"]}


def segment(path: str, workers: int, lexicon: str | None) -> dict:
    out = os.path.join(WORK, f"out-w{workers}.txt")
    argv = [sys.executable, "-m", "nlpzero", "segment", "-q", "--workers", str(workers),
            path, "-o", out]
    if lexicon:
        argv += ["--lexicon", lexicon]
    result = run_measured(argv)
    result["output_bytes"] = os.path.getsize(out)
    return result


def _cpu_times() -> tuple[int, int]:
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:9]]
    return fields[3] + fields[4], sum(fields)  # idle + iowait, total


def wait_idle(max_wait: float, idle: float = 0.9) -> bool:
    """Wait until the CPUs were at least `idle` idle over one second; False after
    `max_wait` seconds without such a second (the machine is shared)."""
    deadline = time.monotonic() + max_wait
    while True:
        i0, t0 = _cpu_times()
        time.sleep(1.0)
        i1, t1 = _cpu_times()
        if (i1 - i0) >= idle * max(t1 - t0, 1):
            return True
        if time.monotonic() > deadline:
            return False


# ---------------------------------------------------------------------------
# Control: CPU-bound loop


def _spin(n: int) -> int:
    x = 0
    for i in range(n):
        x = (x * 31 + i) % 1000003
    return x


def control(n: int = 6_000_000) -> dict:
    t0 = time.perf_counter()
    _spin(n)
    _spin(n)
    one = time.perf_counter() - t0
    ctx = multiprocessing.get_context("fork")
    t0 = time.perf_counter()
    procs = [ctx.Process(target=_spin, args=(n,)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    two = time.perf_counter() - t0
    return {"one_s": one, "two_s": two}


# ---------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--gigabyte", action="store_true",
                        help="also one streaming run per worker count on ~1 GB")
    parser.add_argument("--output", help="markdown file (default benchmarks/results/workers.md)")
    parser.add_argument("--wait-idle", type=float, default=0, metavar="SECONDS",
                        help="before each repetition wait up to this long for idle CPUs")
    args = parser.parse_args()
    setup = prepare(args.gigabyte)
    files = setup["files"]
    dictionaries = {"jieba dict.txt": None, "learned lexicon": setup["lexicon"]}
    # warm Numba's cache so that no run compiles
    nlpzero("segment", "-q", files["empty"], "-o", os.path.join(WORK, "out-warm.txt"))

    runs: dict = {}
    controls = []
    load_before = os.getloadavg()
    idle_reps = []
    for rep in range(args.repeats):
        idle = wait_idle(args.wait_idle) if args.wait_idle else None
        idle_reps.append(idle)
        print(f"repetition {rep + 1}/{args.repeats} (idle start: {idle})", file=sys.stderr)
        controls.append(control())
        for dname, lex in dictionaries.items():
            for fname in ("empty", "44 MB", "100 MB"):
                for workers in (1, 2):
                    if fname == "empty" and workers == 2:
                        continue
                    r = segment(files[fname], workers, lex)
                    runs.setdefault((dname, fname, workers), []).append(r)
                    print(f"  {dname} {fname} N={workers}: {r['wall_s']:.2f} s "
                          f"{r['pss_mib']:.0f} MiB PSS", file=sys.stderr)
    giga = {}
    if args.gigabyte:
        for workers in (2, 1):
            r = segment(files["1 GB"], workers, None)
            giga[workers] = r
            print(f"  1 GB N={workers}: {r['wall_s']:.1f} s {r['pss_mib']:.0f} MiB PSS",
                  file=sys.stderr)
        controls.append(control())

    def best(key):
        return min(runs[key], key=lambda r: r["wall_s"])

    ctl_one = min(c["one_s"] for c in controls)
    ctl_two = min(c["two_s"] for c in controls)
    rows, table = [], []
    for dname in dictionaries:
        startup = best((dname, "empty", 1))["wall_s"]
        for fname in ("44 MB", "100 MB"):
            b1, b2 = best((dname, fname, 1)), best((dname, fname, 2))
            seg1, seg2 = b1["wall_s"] - startup, b2["wall_s"] - startup
            row = {"dictionary": dname, "input": fname, "bytes": os.path.getsize(files[fname]),
                   "startup_s": startup, "n1": b1, "n2": b2,
                   "all_n1_s": [r["wall_s"] for r in runs[(dname, fname, 1)]],
                   "all_n2_s": [r["wall_s"] for r in runs[(dname, fname, 2)]],
                   "speedup_wall": b1["wall_s"] / b2["wall_s"], "speedup_segment": seg1 / seg2}
            rows.append(row)
            table.append([dname, fname, f"{b1['wall_s']:.2f}", f"{b2['wall_s']:.2f}",
                          f"**{row['speedup_wall']:.2f}x**", f"{startup:.2f}",
                          f"{row['speedup_segment']:.2f}x",
                          f"{b1['cpu_s']:.2f} / {b2['cpu_s']:.2f}",
                          f"{b1['pss_mib']:.0f} / {b2['pss_mib']:.0f}",
                          f"{b1['rss_mib']:.0f} / {b2['rss_mib']:.0f}"])
    body = [
        f"Inputs: copies of `nlpzero dataset peoples-daily` (5.5 MB): 8 (44 MB) and 18 (100 MB). "
        f"Command: `python -m nlpzero segment -q --workers N FILE -o OUT`, a fresh process per "
        f"run, best of {args.repeats} interleaved repetitions. Start-up = the same command on an "
        f"empty file (imports, dictionary load); segmentation speed-up = (wall - start-up) "
        f"ratio. CPU = user + system time of the command and its workers. Memory: peak "
        f"over the process tree sampled every 0.5 s, PSS sum and RSS sum "
        f"(RSS counts the pages forked workers share with the parent once per process).",
        "",
        benchutil.md_table(["dictionary", "input", "N=1 s", "N=2 s", "speed-up", "start-up s",
                            "segmentation speed-up", "CPU s N=1 / N=2",
                            "PSS MiB N=1 / N=2", "RSS sum MiB N=1 / N=2"], table,
                           "llrrrrrrrr"),
        "",
        f"**Control** (same run): a CPU-bound pure-Python loop twice in one process "
        f"{ctl_one:.2f} s, once in each of two processes {ctl_two:.2f} s: "
        f"**{ctl_one / ctl_two:.2f}x** (best of {len(controls)}); the machine's own "
        f"2-core scaling. Load average (1, 5, 15 min) at the start "
        f"{', '.join(f'{x:.1f}' for x in load_before)}, at the end "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} (other jobs share the machine)"
        + (f"; repetitions that started on idle CPUs (>= 90% idle for 1 s, waiting up to "
           f"{args.wait_idle:.0f} s): {sum(map(bool, idle_reps))} of {len(idle_reps)}."
           if args.wait_idle else "."),
    ]
    if giga:
        body += ["", "**1 GB streaming run** (190 copies, jieba's dictionary, one run each):", ""]
        gt = []
        for workers, r in sorted(giga.items()):
            gt.append([str(workers), f"{os.path.getsize(files['1 GB']) / 2**20:.0f}",
                       f"{r['wall_s']:.1f}", f"{r['cpu_s']:.1f}", f"{os.path.getsize(files['1 GB']) / 2**20 / r['wall_s']:.1f}",
                       f"{r['pss_mib']:.0f}", f"{r['rss_mib']:.0f}", str(r["processes"])])
        body.append(benchutil.md_table(["workers", "input MiB", "wall s", "CPU s", "MiB/s",
                                        "peak PSS MiB", "peak RSS sum MiB", "processes"], gt))
        if 1 in giga and 2 in giga:
            body += ["", f"Speed-up on 1 GB: {giga[1]['wall_s'] / giga[2]['wall_s']:.2f}x."]
    path = benchutil.write_result("workers.md", "segment --workers: wall time, memory, speed-up",
                                  "\n".join(body), args.output)
    with open(os.path.splitext(path)[0] + ".json", "w", encoding="utf-8") as f:
        json.dump({"rows": rows, "control": {"one_s": ctl_one, "two_s": ctl_two,
                                             "all": controls},
                   "gigabyte": {str(k): v for k, v in giga.items()},
                   "header": benchutil.header("workers")}, f, indent=1, ensure_ascii=False)
    print(open(path, encoding="utf-8").read())


if __name__ == "__main__":
    main()
