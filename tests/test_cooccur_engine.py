"""Partitioned co-occurrence counting against the in-memory count, its kernels against
pure-Python references, worker failures and the command line."""

import os
import signal
from collections import Counter
import time

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from nlpzero import corpus
from nlpzero.vectors.cooccur import (_check_params, _combine_pairs, _count_partitioned,
                                     _merge_back, _select, _uniform, count_cooccurrences,
                                     count_cooccurrences_files)
from nlpzero.corpus import read_lines
from nlpzero.engine import SerialRunner, Spill, plan_partitions
from nlpzero.errors import InputError, WorkerError
from cooccur_checks import assert_same, write
from inner import call_inner
from processes import (alive, children, interrupt_when_counting, killer_at, new_workers,
                       stop_when_counting)
from cli_runs import run_cli

MASK = (1 << 64) - 1


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch):
    """Read files in 64-byte blocks, so that small test files make many partitions."""
    monkeypatch.setattr(corpus, "BLOCK_BYTES", 64)


# ---------------------------------------------------------------------------
# Kernels against references


def uniform_reference(seed: int, t: int) -> float:
    """splitmix64: the state advances by the golden gamma, then is mixed."""
    z = (seed + (t + 1) * 0x9E3779B97F4A7C15) & MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    z ^= z >> 31
    return (z >> 11) / 2.0 ** 53


def select_reference(ids, first, seed, keep_p):
    out, t = [], first
    for a in ids:
        if a == -1:
            out.append(a)
            continue
        if a >= 0 and (not len(keep_p) or uniform_reference(seed, t) < keep_p[a]):
            out.append(a)
        t += 1
    return out


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, MASK), t=st.integers(0, 1 << 40))
def test_uniform_matches_splitmix64(seed, t):
    with np.errstate(over="ignore"):
        assert call_inner(_uniform, np.uint64(seed), np.uint64(t)) == uniform_reference(seed, t)


def test_splitmix64_known_output():
    # The first output of splitmix64 seeded with 0 (the reference generator's).
    assert (uniform_reference(0, 0) * 2 ** 53) == 0xE220A8397B1DCDAF >> 11


def test_draws_look_uniform():
    draws = np.array([uniform_reference(7, t) for t in range(20_000)])
    assert abs(draws.mean() - 0.5) < 0.01 and draws.min() >= 0 and draws.max() < 1
    assert np.histogram(draws, bins=10, range=(0, 1))[0].min() > 1800


@settings(max_examples=60, deadline=None)
@given(ids=st.lists(st.integers(-2, 4), max_size=60), first=st.integers(0, 1000),
       seed=st.integers(0, MASK), probs=st.none() | st.lists(st.floats(0, 1), min_size=5,
                                                             max_size=5))
def test_select_matches_reference(ids, first, seed, probs):
    keep_p = np.array(probs if probs is not None else [], dtype=np.float64)
    out = np.empty(len(ids), dtype=np.int32)
    with np.errstate(over="ignore"):
        m = _select(np.array(ids, dtype=np.int32), first, np.uint64(seed), keep_p, out)
    assert out[:m].tolist() == select_reference(ids, first, seed, keep_p)


def table(pairs: dict):
    keys = sorted(pairs)
    return (np.array(keys, dtype=np.int64),
            np.array([pairs[k] for k in keys], dtype=np.float64))


TABLES = st.dictionaries(st.integers(0, 50), st.integers(1, 9).map(float), max_size=30)


@settings(max_examples=60, deadline=None)
@given(a=TABLES, b=TABLES)
def test_merge_back_adds_the_weights_of_shared_keys(a, b):
    k1, v1 = table(a)
    keys = np.concatenate([k1, np.full(len(b) + 3, -7, np.int64)])  # room to spare
    vals = np.concatenate([v1, np.full(len(b) + 3, -7.0)])
    m = _merge_back(keys, vals, len(a), *table(b))
    want = Counter(a)
    want.update(b)
    assert (keys[:m].tolist(), vals[:m].tolist()) == tuple(x.tolist() for x in table(want))


@settings(max_examples=40, deadline=None)
@given(tables=st.lists(TABLES, min_size=1, max_size=8))
def test_combining_pair_tables_in_any_grouping(tables):
    """As the runners fold: partition tables into a worker's table, workers' together."""
    want = Counter()
    for t in tables:
        want.update(t)
    total = table(tables[0])
    for t in tables[1:]:
        total = _combine_pairs(total, table(t))
    half = len(tables) // 2
    if half:
        left, right = table(tables[0]), table(tables[half])
        for t in tables[1:half]:
            left = _combine_pairs(left, table(t))
        for t in tables[half + 1:]:
            right = _combine_pairs(right, table(t))
        total2 = _combine_pairs(left, tuple(right))
        assert [x.tolist() for x in total2] == [x.tolist() for x in table(want)]
    assert [x.tolist() for x in total] == [x.tolist() for x in table(want)]


# ---------------------------------------------------------------------------
# The partitioned count is the in-memory one


@pytest.fixture(scope="module")
def tokenizer():
    from nlpzero import Tokenizer

    tk = Tokenizer()
    tk.lcut("")
    return tk


@pytest.fixture(scope="module")
def seg_file(tmp_path_factory, pd_lines, tokenizer):
    """800 People's Daily lines segmented: words separated by spaces."""
    text = "\n".join(" ".join(words) for words in tokenizer.cut_lines(pd_lines[:800]))
    return write(tmp_path_factory.mktemp("seg") / "seg.txt", text + "\n")


@pytest.fixture(scope="module")
def raw_file(tmp_path_factory, pd_lines):
    return write(tmp_path_factory.mktemp("raw") / "raw.txt", "\n".join(pd_lines[:500]) + "\n")


PARAMS = [dict(),
          dict(subsample=1e-3, seed=5),
          dict(weighting="harmonic", subsample=1e-3, seed=-3),
          dict(max_vocab=300, min_count=2, window=3)]


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("params", PARAMS)
def test_pretokenized_files_equal_in_memory(seg_file, params, workers):
    expected = count_cooccurrences(read_lines(seg_file), **params)
    assert len(expected) > 1000
    got = count_cooccurrences_files(seg_file, part_bytes=12_000, workers=workers, **params)
    assert_same(got, expected)


def test_subsampling_draws_do_not_depend_on_the_partitioning(seg_file):
    params = dict(subsample=1e-3, seed=11, window=4)
    one = count_cooccurrences_files(seg_file, part_bytes=1 << 30, **params)
    many = count_cooccurrences_files(seg_file, part_bytes=3_000, **params)
    assert_same(many, one)
    other = count_cooccurrences_files(seg_file, part_bytes=3_000, subsample=1e-3, seed=12,
                                      window=4)
    assert not np.array_equal(other.values, one.values) or len(other) != len(one)


@pytest.mark.parametrize("workers", [1, 2])
def test_segmented_files_equal_in_memory(raw_file, tokenizer, workers):
    params = dict(window=5, min_count=3, subsample=1e-3, seed=1, weighting="harmonic")
    expected = count_cooccurrences(tokenizer.cut_lines(read_lines(raw_file)), **params)
    got = count_cooccurrences_files(raw_file, tokenizer=tokenizer, part_bytes=10_000,
                                    workers=workers, **params)
    assert_same(got, expected)


def test_without_spill_files_recomputes_the_same(raw_file, tokenizer):
    """The path used on a cluster: the second pass reads and segments the text again."""
    params = dict(window=4, min_count=2, subsample=1e-3, seed=2)
    expected = count_cooccurrences(tokenizer.cut_lines(read_lines(raw_file)), **params)
    shared = dict(errors="strict", spill=Spill(None), tokenizer=tokenizer)
    p = _check_params(4, 2, "count", None, 1e-3, 2)
    got = _count_partitioned(plan_partitions(raw_file, part_bytes=8_000), SerialRunner(),
                             shared, p, lambda *a: None)
    assert_same(got, expected)


SENTENCE = st.lists(st.sampled_from(["中国", "人民", "的", "a", "了", "𠀀", "经济"]), max_size=12)


@settings(max_examples=25, deadline=None)
@given(lines=st.lists(SENTENCE, min_size=1, max_size=40), part=st.integers(5, 300),
       window=st.integers(1, 5), min_count=st.integers(1, 3), harmonic=st.booleans(),
       subsample=st.sampled_from([0.0, 0.05, 0.3]), seed=st.integers(0, 10))
def test_random_text(tmp_path_factory, lines, part, window, min_count, harmonic, subsample,
                     seed):
    path = write(tmp_path_factory.mktemp("h") / "a.txt", "\n".join(" ".join(s) for s in lines))
    params = dict(window=window, min_count=min_count, subsample=subsample, seed=seed,
                  weighting="harmonic" if harmonic else "count")
    try:
        expected = count_cooccurrences(read_lines(path), **params)
    except InputError as exc:
        with pytest.raises(InputError, match=str(exc).split(" (")[0]):
            count_cooccurrences_files(path, part_bytes=part, **params)
        return
    assert_same(count_cooccurrences_files(path, part_bytes=part, **params), expected)


def test_several_files_and_a_directory(tmp_path, seg_file):
    lines = open(seg_file, encoding="utf-8").read().splitlines()
    folder = tmp_path / "corpus"
    folder.mkdir()
    write(folder / "a.txt", "\n".join(lines[:300]))  # no final newline
    write(folder / "b.txt", "\n".join(lines[300:]) + "\n")
    expected = count_cooccurrences(read_lines(str(folder)), window=5, subsample=1e-3, seed=0)
    got = count_cooccurrences_files(str(folder), window=5, subsample=1e-3, seed=0,
                                    part_bytes=10_000, workers=2)
    assert_same(got, expected)


def test_harmonic_sums_are_exact(seg_file):
    """1/distance weights are added as integers: the order of the sums does not matter."""
    cooc = count_cooccurrences(list(read_lines(seg_file))[:200], window=4,
                               weighting="harmonic", buffer_pairs=50)
    lcm = 12
    scaled = cooc.values * lcm
    scaled[cooc.rows == cooc.cols] /= 2
    assert np.array_equal(scaled, np.round(scaled))


def test_no_spill_files_are_left(tmp_path, seg_file):
    spill = tmp_path / "spill"
    spill.mkdir()
    count_cooccurrences_files(seg_file, part_bytes=20_000, spill_dir=str(spill), workers=2)
    assert os.listdir(spill) == []


def test_invalid_utf8_in_a_later_partition(tmp_path, seg_file):
    path = tmp_path / "bad.txt"
    lines = open(seg_file, encoding="utf-8").read().splitlines()[:400]
    path.write_bytes(("\n".join(lines) + "\n").encode() + b"bad \xc3 byte\n")
    with pytest.raises(InputError, match="line 401"):
        count_cooccurrences_files(str(path), part_bytes=20_000, workers=2)
    cooc = count_cooccurrences_files(str(path), part_bytes=20_000, errors="replace")
    assert len(cooc.words) > 100


def test_bad_arguments(tmp_path, seg_file):
    empty = write(tmp_path / "empty.txt", "")
    with pytest.raises(InputError, match="min_count"):
        count_cooccurrences_files(empty)
    with pytest.raises(InputError, match="stdin"):
        count_cooccurrences_files("-")
    with pytest.raises(InputError, match="window"):
        count_cooccurrences_files(seg_file, window=0)
    with pytest.raises(InputError, match="subsample"):
        count_cooccurrences_files(seg_file, subsample=1.5)
    with pytest.raises(InputError, match="tokenizer"):
        count_cooccurrences_files(seg_file, tokenizer="jieba")
    with pytest.raises(ValueError, match="workers"):
        count_cooccurrences_files(seg_file, workers=0)
    with pytest.raises(ValueError, match="engine"):
        count_cooccurrences_files(seg_file, engine="spark")


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="finds worker processes through /proc")
def test_a_killed_local_worker_stops_the_run_with_an_error(tmp_path, seg_file):
    spill = tmp_path / "spill"
    spill.mkdir()
    before = set(children())  # e.g. multiprocessing's resource tracker

    def kill_a_worker(step, done, total):
        if step == "pairs" and done == 1:
            os.kill(new_workers(before)[0], signal.SIGKILL)

    # Enough work that the workers are still counting when the first partition is
    # reported (a worker that already sent its result would not be missed).
    big = write(tmp_path / "big.txt", open(seg_file, encoding="utf-8").read() * 10)
    with pytest.raises(WorkerError, match="worker process died"):
        count_cooccurrences_files(big, workers=2, part_bytes=20_000, spill_dir=str(spill),
                                  progress=kill_a_worker)
    assert os.listdir(spill) == []
    assert set(children()) == before


# ---------------------------------------------------------------------------
# Dask


def test_dask_engine_equals_in_memory(dask_cluster, raw_file, tokenizer):
    cluster, _ = dask_cluster
    params = dict(window=5, min_count=2, subsample=1e-3, seed=9)
    expected = count_cooccurrences(tokenizer.cut_lines(read_lines(raw_file)), **params)
    got = count_cooccurrences_files(raw_file, tokenizer=tokenizer, engine="dask",
                                    scheduler=cluster.scheduler_address, part_bytes=10_000,
                                    **params)
    assert_same(got, expected)


def test_dask_engine_with_the_callers_client(dask_cluster, seg_file):
    _, client = dask_cluster
    params = dict(window=5, min_count=2, seed=2)
    got = count_cooccurrences_files(seg_file, engine="dask", client=client, part_bytes=8_000,
                                    **params)
    assert_same(got, count_cooccurrences(read_lines(seg_file), **params))
    assert client.status == "running"


def test_dask_engine_survives_a_killed_worker(dask_cluster, seg_file):
    cluster, client = dask_cluster
    kill_one_worker, killed = killer_at("pairs", list(client.run(os.getpid).values())[0])
    params = dict(window=5, subsample=1e-3, seed=4)
    got = count_cooccurrences_files(seg_file, engine="dask", scheduler=cluster.scheduler_address,
                                    part_bytes=6_000, progress=kill_one_worker, **params)
    assert killed
    assert_same(got, count_cooccurrences(read_lines(seg_file), **params))


# ---------------------------------------------------------------------------
# Command line


VECTORS = ["--pretokenized", "--dim", "6", "--iter", "2", "--threads", "1", "--seed", "3",
           "--min-count", "2", "-q"]


def test_cli_output_does_not_depend_on_the_workers(tmp_path, seg_file):
    outputs = []
    for workers in ("1", "2"):
        out = tmp_path / f"v{workers}.txt"
        r = run_cli("vectors", seg_file, "-o", str(out), "--workers", workers, *VECTORS)
        assert r.returncode == 0, r.stderr
        outputs.append(out.read_text(encoding="utf-8"))
    with open(seg_file, encoding="utf-8") as f:  # stdin: the in-memory count
        r = run_cli("vectors", "-", "-o", "-", *VECTORS, input=f.read())
    assert r.returncode == 0, r.stderr
    assert outputs[0] == outputs[1] == r.stdout
    assert len(outputs[0].splitlines()) > 500


@pytest.mark.parametrize("case", ["missing", "empty", "badutf8", "stdin-workers", "scheduler"])
def test_cli_bad_input_is_one_line_and_no_output(tmp_path, case):
    path = tmp_path / "in.txt"
    extra = ["--workers", "2"]
    if case == "empty":
        path.write_bytes(b"")
    elif case == "badutf8":
        path.write_bytes("中国 人民\n".encode() * 2000 + b"\xff\n")
    elif case == "stdin-workers":
        path = "-"
    elif case == "scheduler":
        path.write_text("中国 人民\n" * 20, encoding="utf-8")
        extra = ["--scheduler", "tcp://127.0.0.1:9"]
    out = tmp_path / "v.txt"
    r = run_cli("vectors", str(path), "-o", str(out), *extra, *VECTORS, input="")
    assert r.returncode == 1
    assert r.stderr.startswith("nlpzero vectors: error: ") and r.stderr.count("\n") == 1, r.stderr
    assert not out.exists()


def test_cli_interrupted_leaves_no_output(tmp_path, seg_file):
    """Ctrl-C while counting: exit 130, no output file, no spill files left."""
    text = open(seg_file, encoding="utf-8").read()
    big = write(tmp_path / "big.txt", text * 40)
    out = tmp_path / "v.txt"
    spill = tmp_path / "spill"
    spill.mkdir()
    returncode, err = interrupt_when_counting(["vectors", big, "--pretokenized", "-o", str(out),
                                               "--workers", "2", "--spill-dir", str(spill)])
    assert returncode == 130, err
    assert "Traceback" not in err, err
    assert not out.exists()
    assert os.listdir(spill) == [], (os.listdir(spill), err)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_cli_stop_signals_while_counting_pairs_leave_nothing(tmp_path, seg_file, signum):
    """SIGTERM or SIGHUP to the whole process group while the workers count: exit
    128 + the signal, no output, no spill or temporary file, no worker left."""
    big = write(tmp_path / "big.txt", open(seg_file, encoding="utf-8").read() * 40)
    out = tmp_path / "v.txt"
    spill = tmp_path / "spill"
    spill.mkdir()
    returncode, err, workers = stop_when_counting(
        ["vectors", big, "--pretokenized", "-o", str(out), "--workers", "2", "--spill-dir",
         str(spill)], signum, group=True, wait_for_workers=True)
    assert workers, err
    assert returncode == 128 + signum, err
    assert "Traceback" not in err, err
    assert sorted(os.listdir(tmp_path)) == ["big.txt", "spill"]
    assert os.listdir(spill) == [], (os.listdir(spill), err)
    time.sleep(0.5)
    assert not any(alive(pid) for pid in workers)
