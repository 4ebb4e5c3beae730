"""Cold start: whole-process seconds of each CLI command on a first run (an empty Numba
cache and an empty tokenizer cache, as after installing) and on a second run (both
caches filled by the first), on the People's Daily of January 1998.

The difference is what a first run pays to compile kernels (and to build the trie
cache of a dictionary file, which is small). Each command runs --repeat times cold,
each time with fresh empty cache folders, and warm after each cold run; the table has
the minimum of each. A second table runs the commands in order with one pair of cache
folders, as a new user would: kernels the commands share compile once. The inputs the commands need (the raw text, a learned lexicon,
templates, a segmenter model) are made first, outside the timing.

Usage: ``python benchmarks/bench_startup.py [--repeat R] [--quick] [--source DIR]``;
``--source`` runs the package of another checkout (e.g. an earlier commit's, from
``git archive``), to compare.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import benchutil  # noqa: E402


def commands(work: str, n_lines: int) -> list[tuple[str, list[str]]]:
    pd = os.path.join(work, "pd.txt")
    head = os.path.join(work, "pd-head.txt")
    lex = os.path.join(work, "lexicon.txt")
    model = os.path.join(work, "model.npz")
    out = os.path.join(work, "out")
    return [
        ("lexicon", ["lexicon", pd, "-o", out]),
        ("segment --lexicon", ["segment", "--lexicon", lex, pd, "-o", out]),
        ("segment (jieba's dictionary)", ["segment", pd, "-o", out]),
        ("templates", ["templates", pd, "-o", out]),
        (f"parse ({n_lines} lines)", ["parse", "--templates", os.path.join(work, "templates.txt"),
                                      head, "-o", out]),
        ("train-segmenter (200k samples)", ["train-segmenter", "--lexicon", lex, "--samples",
                                            "200000", "-o", os.path.join(work, "m2.npz")]),
        ("segment --model", ["segment", "--model", model, pd, "-o", out]),
        ("vectors (dim 32, 3 iterations)", ["vectors", pd, "--lexicon", lex, "--dim", "32",
                                             "--iter", "3", "-o", out]),
    ]


#: The checkout whose package runs (--source); this repository by default.
SOURCE = benchutil.REPO


def run(args: list[str], env: dict) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds (user + system, the process and the children it
    waited for) and stderr of ``python -m nlpzero ARGS``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    env = dict(env, PYTHONPATH=SOURCE)
    proc = subprocess.run([sys.executable, "-m", "nlpzero", *args], env=env, cwd=SOURCE,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          timeout=1800)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(f"nlpzero {' '.join(args)} failed:\n{proc.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc.stderr


def prepare(work: str, n_lines: int, quick: bool) -> None:
    from nlpzero.datasets import peoples_daily_text

    lines = peoples_daily_text()
    if quick:
        lines = lines[:3000]
    with open(os.path.join(work, "pd.txt"), "w", encoding="utf-8") as f:
        f.writelines(line + "\n" for line in lines)
    with open(os.path.join(work, "pd-head.txt"), "w", encoding="utf-8") as f:
        f.writelines(line + "\n" for line in lines[:n_lines])
    env = dict(os.environ)
    pd = os.path.join(work, "pd.txt")
    for args in (["lexicon", pd, "-o", os.path.join(work, "lexicon.txt")],
                 ["templates", pd, "-o", os.path.join(work, "templates.txt")],
                 ["train-segmenter", "--lexicon", os.path.join(work, "lexicon.txt"),
                  "--samples", "200000", "-o", os.path.join(work, "model.npz")]):
        run(args + ["-q"], env)


def cold_and_warm(cold: list, warm: list) -> list[float]:
    """Cold wall, warm wall, their difference, cold CPU, warm CPU, their difference:
    each the minimum over its (wall, CPU) runs."""
    figures = [min(c[0] for c in cold), min(w[0] for w in warm)]
    figures.append(figures[0] - figures[1])
    figures += [min(c[1] for c in cold), min(w[1] for w in warm)]
    figures.append(figures[3] - figures[4])
    return figures


def new_user_in_order(cmds: list, work: str, repeat: int) -> list[list[str]]:
    """Rows of the table "a new user, in order": each command's first run in caches
    shared by the whole sequence, and its warm runs."""
    runs = {name: ([], []) for name, _ in cmds}
    for _ in range(repeat):
        caches = tempfile.mkdtemp(dir=work)
        env = dict(os.environ, NUMBA_CACHE_DIR=os.path.join(caches, "numba"),
                   NLPZERO_CACHE_DIR=os.path.join(caches, "trie"))
        for name, argv in cmds:
            cold, warm = runs[name]
            cold.append(run(argv, env)[:2])
            warm.extend(run(argv, env)[:2] for _ in range(2))
        shutil.rmtree(caches)
    rows, totals = [], [0.0] * 6
    for name, (cold, warm) in runs.items():
        figures = cold_and_warm(cold, warm)
        totals = [t + f for t, f in zip(totals, figures)]
        rows.append([f"`{name}`", *(f"{f:.1f}" for f in figures)])
        print(rows[-1], flush=True)
    rows.append(["total", *(f"{t:.1f}" for t in totals)])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=2, help="cold runs per command (default 2)")
    parser.add_argument("--quick", action="store_true", help="3,000 lines of text, one run")
    parser.add_argument("--source", help="checkout whose nlpzero to run (default: this one)")
    parser.add_argument("--output", help="results file (default benchmarks/results/startup.md)")
    args = parser.parse_args()
    global SOURCE
    SOURCE = os.path.abspath(args.source or SOURCE)
    repeat = 1 if args.quick else args.repeat
    n_lines = 2000
    with tempfile.TemporaryDirectory() as work:
        prepare(work, n_lines, args.quick)
        n_bytes = os.path.getsize(os.path.join(work, "pd.txt"))
        with open(os.path.join(work, "pd.txt"), encoding="utf-8") as f:
            n_chars = len(f.read())
        rows, totals, speeds = [], [0.0] * 6, []
        for name, argv in commands(work, n_lines):
            cold, warm, said = [], [], False
            for _ in range(repeat):
                caches = tempfile.mkdtemp(dir=work)
                env = dict(os.environ, NUMBA_CACHE_DIR=os.path.join(caches, "numba"),
                           NLPZERO_CACHE_DIR=os.path.join(caches, "trie"))
                wall, cpu, err = run(argv, env)
                cold.append((wall, cpu))
                said = said or "compiling kernels (first run only)" in err
                warm.extend(run(argv, env)[:2] for _ in range(2))
                shutil.rmtree(caches)
            figures = cold_and_warm(cold, warm)
            totals = [t + f for t, f in zip(totals, figures)]
            rows.append([f"`{name}`", *(f"{f:.1f}" for f in figures), "yes" if said else "no"])
            if argv[0] == "segment":
                speeds.append(f"`{name}`: {n_chars / figures[1] / 1e6:.2f} M characters/s")
            print(rows[-1], flush=True)
        rows.append(["total", *(f"{t:.1f}" for t in totals), ""])
        in_order = new_user_in_order(commands(work, n_lines), work, repeat)
    text = "the first 3,000 lines of " if args.quick else ""
    body = "\n".join([
        f"Input: {text}the People's Daily of January 1998, raw text ({n_bytes / 1e6:.1f} MB, "
        f"{n_chars:,} characters); "
        f"parse reads its first {n_lines} lines"
        + ("" if SOURCE == benchutil.REPO else f"; the package of {args.source}")
        + f". Whole-process seconds of `python -m nlpzero "
        "...`, output to a file: cold = a first run with empty Numba and trie caches "
        "(fresh folders in NUMBA_CACHE_DIR and NLPZERO_CACHE_DIR), warm = the best of two "
        f"runs right after it; each the minimum over {repeat} cold run(s). CPU = user + "
        "system seconds of the process (less sensitive than wall time to other load on "
        "the machine). \"said\": the first run printed `compiling kernels (first run "
        "only)...` on stderr.",
        "",
        benchutil.md_table(["command", "cold wall s", "warm wall s", "cold - warm", "cold CPU s",
                            "warm CPU s", "cold - warm", "said"], rows),
        "",
        "Whole-process speed of the warm segment runs (characters / warm wall seconds, "
        "start-up, reading and writing included): " + "; ".join(speeds) + ".",
        "",
        "## A new user, in order",
        "",
        "The same commands run once each in the order of the table with one pair of cache "
        "folders, empty at the start, as a new user running them one after the other: "
        "kernels that several commands share (token cutting, hash tables, the trie) "
        "compile once, for the first command that runs them. Cold = that first run; warm "
        f"= the best of two runs right after it; each the minimum over {repeat} "
        "sequence(s).",
        "",
        benchutil.md_table(["command", "cold wall s", "warm wall s", "cold - warm", "cold CPU s",
                            "warm CPU s", "cold - warm"], in_order),
    ])
    print(body)
    print(benchutil.write_result("startup.md", "Cold start: first and second runs of each command",
                                 body, args.output))


if __name__ == "__main__":
    main()
