"""The local engine's spilled pair tables: the k-way merge kernel against a pure-Python
reference, the row ranges and merge tasks, results equal to the in-memory count for any
cut into ranges, and a spill folder left empty after a run, a failure or Ctrl-C."""

import os
import signal
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from nlpzero import corpus
from nlpzero.vectors import cooccur
from nlpzero.vectors.cooccur import (_combine_runs, _merge_runs, _merge_tasks, _range_bounds, _Runs,
                                     count_cooccurrences, count_cooccurrences_files)
from nlpzero.corpus import read_lines
from nlpzero.errors import WorkerError
from cooccur_checks import assert_same, write
from processes import children


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch):
    """Read files in 64-byte blocks, so that small test files make many partitions."""
    monkeypatch.setattr(corpus, "BLOCK_BYTES", 64)


@pytest.fixture(scope="module")
def char_file(tmp_path_factory, pd_lines):
    """600 People's Daily lines with every character a word (real, Zipf-like counts)."""
    text = "\n".join(" ".join(line.replace(" ", "")) for line in pd_lines[:600])
    return write(tmp_path_factory.mktemp("chars") / "chars.txt", text + "\n")


# ---------------------------------------------------------------------------
# The k-way merge against a reference


def merge_reference(runs):
    """Sum the weights of each key over all runs; sorted by key."""
    total = Counter()
    for run in runs:
        for k, v in run:
            total[k] += v
    keys = sorted(total)
    return keys, [total[k] for k in keys]


RUN = st.dictionaries(st.integers(0, 60), st.integers(1, 9).map(float), max_size=25).map(
    lambda d: sorted(d.items()))


@settings(max_examples=150, deadline=None)
@given(runs=st.lists(RUN, max_size=12))
def test_merge_runs_matches_reference(runs):
    keys = np.array([k for run in runs for k, _ in run], dtype=np.int64)
    vals = np.array([v for run in runs for _, v in run], dtype=np.float64)
    starts = np.cumsum([0] + [len(run) for run in runs]).astype(np.int64)
    out_keys = np.full(len(keys), -1, np.int64)
    out_vals = np.full(len(keys), -1.0)
    m = _merge_runs(keys, vals, starts, out_keys, out_vals)
    assert (out_keys[:m].tolist(), out_vals[:m].tolist()) == merge_reference(runs)


def test_merge_runs_on_real_tables(char_file):
    """Partition-sized runs of real pair keys (large keys, long runs, many shared)."""
    lines = list(read_lines(char_file))
    runs = []
    for k in range(0, len(lines), 70):
        c = count_cooccurrences(lines[k:k + 70], window=3, min_count=1)
        runs.append(list(zip((c.rows.astype(np.int64) * 5000 + c.cols).tolist(),
                             c.values.tolist())))
    keys = np.array([k for run in runs for k, _ in run], dtype=np.int64)
    vals = np.array([v for run in runs for _, v in run])
    starts = np.cumsum([0] + [len(run) for run in runs]).astype(np.int64)
    out_keys, out_vals = np.empty_like(keys), np.empty_like(vals)
    m = _merge_runs(keys, vals, starts, out_keys, out_vals)
    assert len(runs) > 5 and m < len(keys)
    assert (out_keys[:m].tolist(), out_vals[:m].tolist()) == merge_reference(runs)


def table(pairs: dict):
    keys = sorted(pairs)
    return (np.array(keys, dtype=np.int64),
            np.array([pairs[k] for k in keys], dtype=np.float64))


@settings(max_examples=60, deadline=None)
@given(tables=st.lists(st.dictionaries(st.integers(0, 99), st.integers(1, 9).map(float),
                                       max_size=20), min_size=1, max_size=8),
       budget=st.integers(0, 40), bounds=st.lists(st.integers(1, 98), max_size=5, unique=True),
       split=st.integers(0, 8))
def test_runs_fold_into_spilled_tables(tmp_path_factory, tables, budget, bounds, split):
    """Tables folded as two workers and the driver fold them, spilled past the budget:
    the runs' entries add up to the tables' sums, each run is sorted and cut at the
    bounds."""
    folder = str(tmp_path_factory.mktemp("runs"))
    bounds = np.array(sorted(bounds), dtype=np.int64)
    made = [_Runs(i, *table(t), folder, bounds) for i, t in enumerate(tables)]
    halves = [h for h in (made[:split], made[split:]) if h]
    folded = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cooccur, "SPILL_PAIRS", budget)
        for half in halves:
            total = half[0]
            for r in half[1:]:
                total = _combine_runs(total, r)
            folded.append(tuple(total))  # as a worker stashes it
    numbers, cuts = folded[0] if len(folded) == 1 else _combine_runs(*folded)
    assert len(set(numbers.tolist())) == len(numbers)
    got = Counter()
    for r, c in zip(numbers.tolist(), cuts):
        keys = np.load(os.path.join(folder, f"run{r}.keys.npy"))
        vals = np.load(os.path.join(folder, f"run{r}.vals.npy"))
        assert np.all(np.diff(keys) > 0) and len(keys) > 0
        assert c.tolist() == [0, *np.searchsorted(keys, bounds).tolist(), len(keys)]
        for k, v in zip(keys.tolist(), vals.tolist()):
            got[k] += v
    want = Counter()
    for t in tables:
        want.update(t)
    assert got == want


# ---------------------------------------------------------------------------
# Row ranges and merge tasks


@settings(max_examples=80, deadline=None)
@given(counts=st.lists(st.integers(1, 10_000), min_size=1, max_size=300),
       window=st.integers(1, 12), n_ranges=st.integers(1, 80))
def test_range_bounds(counts, window, n_ranges):
    counts = np.array(sorted(counts, reverse=True), dtype=np.int64)
    V = len(counts)
    bounds = _range_bounds(counts, V, window, n_ranges)
    rows = bounds // V
    assert np.array_equal(rows * V, bounds)  # whole rows
    assert np.all(np.diff(rows) > 0) and np.all((rows > 0) & (rows < V))
    assert len(bounds) <= n_ranges - 1
    # Each range's bound of distinct pairs is at most its share plus its last row's.
    est = [min(V - r, 2 * window * int(c)) for r, c in enumerate(counts)]
    edges = [0, *rows.tolist(), V]
    share = sum(est) / n_ranges
    for a, b in zip(edges, edges[1:]):
        assert sum(est[a:b]) <= share + est[b - 1]


@settings(max_examples=100, deadline=None)
@given(sizes=st.lists(st.integers(0, 30), max_size=40), target=st.integers(1, 60))
def test_merge_tasks_cover_every_pair_within_the_target(sizes, target):
    tasks = _merge_tasks(np.array(sizes, dtype=np.int64), target)
    assert [t for t, _, _ in tasks] == list(range(len(tasks)))
    covered = []
    for _, lo, hi in tasks:
        part = sizes[lo:hi]
        assert sum(part) > 0
        assert sum(part) <= target or hi - lo == 1 or sum(part[:-1]) == 0
        covered.extend(range(lo, hi))
    assert covered == list(range(len(covered)))  # neighbours, in order
    assert sum(sizes[len(covered):]) == 0  # only empty ranges are left out


# ---------------------------------------------------------------------------
# The spilled count is the in-memory one, however it is cut


CUTS = [pytest.param(1, 1 << 40, 1 << 40, id="one-range-one-run-per-worker"),
        pytest.param(1, 1 << 40, 0, id="one-range-a-run-per-partition"),
        pytest.param(4096, 1, 0, id="a-task-per-range"),
        pytest.param(64, 2_000, 5_000, id="grouped"),
        pytest.param(7, 50_000, 20_000, id="few")]


@pytest.mark.parametrize("n_ranges, merge_pairs, spill_pairs", CUTS)
@pytest.mark.parametrize("workers", [1, 2])
def test_any_ranges_equal_in_memory(monkeypatch, char_file, n_ranges, merge_pairs, spill_pairs,
                                    workers):
    monkeypatch.setattr(cooccur, "SPILL_RANGES", n_ranges)
    monkeypatch.setattr(cooccur, "MERGE_PAIRS", merge_pairs)
    monkeypatch.setattr(cooccur, "SPILL_PAIRS", spill_pairs)
    params = dict(window=4, min_count=2, subsample=1e-3, seed=3, weighting="harmonic")
    expected = count_cooccurrences(read_lines(char_file), **params)
    totals = {}
    got = count_cooccurrences_files(char_file, part_bytes=5_000, workers=workers,
                                    progress=lambda s, d, n: totals.setdefault(s, n), **params)
    assert_same(got, expected)
    if merge_pairs > len(expected) * 20:
        assert totals["merge"] == 1
    else:
        assert totals["merge"] > 2


def test_empty_ranges_and_runs_missing_from_some_partitions(monkeypatch, char_file):
    """Recorded on one worker: some ranges have no pair in any run, some have pairs in
    some runs only; the result is still the in-memory one."""
    seen = []
    merge_range = cooccur._merge_range

    def recording(task, shared):
        _, lo, hi = task
        seen.append(shared["cuts"][:, lo:hi + 1].copy())
        return merge_range(task, shared)

    monkeypatch.setattr(cooccur, "_merge_range", recording)
    monkeypatch.setattr(cooccur, "SPILL_PAIRS", 0)  # a run per partition
    monkeypatch.setattr(cooccur, "SPILL_RANGES", 4096)
    monkeypatch.setattr(cooccur, "MERGE_PAIRS", 1)
    params = dict(window=2, min_count=3)
    got = count_cooccurrences_files(char_file, part_bytes=4_000, **params)
    assert_same(got, count_cooccurrences(read_lines(char_file), **params))
    runs = np.concatenate([np.diff(c, axis=1) for c in seen], axis=1)  # runs x ranges
    assert runs.shape[0] > 3
    assert np.any((runs == 0).any(axis=0) & (runs > 0).any(axis=0))
    assert np.any((runs == 0).all(axis=0))  # empty everywhere, merged with a neighbour


def test_no_pairs_at_all(tmp_path):
    path = write(tmp_path / "one.txt", "甲\n乙\n甲\n乙\n" * 50)
    got = count_cooccurrences_files(path, min_count=1, part_bytes=100, workers=2)
    assert_same(got, count_cooccurrences(read_lines(path), min_count=1))
    assert len(got) == 0 and got.rows.dtype == np.int32


# ---------------------------------------------------------------------------
# Nothing is left in the spill folder


@pytest.mark.parametrize("workers", [1, 2])
def test_spill_folder_is_empty_after_a_run(tmp_path, char_file, monkeypatch, workers):
    monkeypatch.setattr(cooccur, "MERGE_PAIRS", 3_000)
    monkeypatch.setattr(cooccur, "SPILL_PAIRS", 10_000)
    spill = tmp_path / "spill"
    spill.mkdir()
    listed = []

    def look(step, done, total):
        if step == "merge" and done == 0:
            folder, = os.listdir(spill)
            listed.extend(os.listdir(spill / folder))

    count_cooccurrences_files(char_file, part_bytes=5_000, spill_dir=str(spill),
                              workers=workers, progress=look)
    # The pairs step leaves only the sorted runs, the token ids are gone.
    assert len(listed) > 2 * 2 * workers and all(name.startswith("run") for name in listed)
    assert os.listdir(spill) == []


def test_interrupted_merge_leaves_nothing(tmp_path, char_file, monkeypatch):
    monkeypatch.setattr(cooccur, "MERGE_PAIRS", 2_000)
    monkeypatch.setattr(cooccur, "SPILL_PAIRS", 10_000)
    spill = tmp_path / "spill"
    spill.mkdir()

    def interrupt(step, done, total):
        if step == "merge" and done == 2:
            raise KeyboardInterrupt

    before = set(children())
    with pytest.raises(KeyboardInterrupt):
        count_cooccurrences_files(char_file, part_bytes=5_000, spill_dir=str(spill), workers=2,
                                  progress=interrupt)
    assert os.listdir(spill) == []
    assert set(children(zombies=False)) <= before


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="finds worker processes through /proc")
def test_a_worker_killed_while_merging(tmp_path, char_file, monkeypatch):
    monkeypatch.setattr(cooccur, "SPILL_RANGES", 4096)
    monkeypatch.setattr(cooccur, "MERGE_PAIRS", 300)
    spill = tmp_path / "spill"
    spill.mkdir()
    before = set(children())

    def kill_a_worker(step, done, total):
        if step == "merge" and done == 1:
            workers = [pid for pid in sorted(set(children(zombies=False)) - before)
                       if b"resource_tracker" not in open(f"/proc/{pid}/cmdline", "rb").read()]
            os.kill(workers[0], signal.SIGKILL)

    with pytest.raises(WorkerError, match="worker process died"):
        count_cooccurrences_files(char_file, part_bytes=5_000, spill_dir=str(spill), workers=2,
                                  progress=kill_a_worker)
    assert os.listdir(spill) == []
    assert set(children()) == before
