"""The partitioned engine against the in-memory finder, byte-range reading against whole
files, and the engine's kernels against pure-Python references."""

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from nlpzero import corpus
from nlpzero.corpus import read_lines
from nlpzero.discovery.finders import (CohesionWordFinder, find_words, group_pieces,
                                       mark_kept_windows, piece_hashes)
from nlpzero._kernels.merges import gather_runs
from nlpzero.discovery.partitioned import _count_chars, _learn, learn_lexicon
from nlpzero.engine import SerialRunner, Spill, plan_partitions
from nlpzero.errors import InputError
from processes import (alive, children, interrupt_when_counting, killer_at, new_workers,
                       stop_when_counting)
from nlpzero.engine.partitions import read_range
from cli_runs import run_cli


def write(path, text: str) -> str:
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    return str(path)


def in_memory(path, refine=True, **params):
    """The in-memory lexicon of a file: the finder's cut, refined unless `refine` is False."""
    return find_words(list(read_lines(path)), refine=refine, **params)


# ---------------------------------------------------------------------------
# Partitions (byte ranges themselves are tested in test_parallel.py)


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch):
    """Read files in 64-byte blocks, so that small test files make many partitions
    (ranges are whole blocks of the reader)."""
    monkeypatch.setattr(corpus, "BLOCK_BYTES", 64)


def test_partitions_cover_the_files_in_order(tmp_path, pd_lines):
    path = write(tmp_path / "a.txt", "\n".join(pd_lines[:500]) + "\n")
    parts = plan_partitions(path, part_bytes=10_000)
    assert len(parts) > 5
    assert parts[0].start == 0 and parts[-1].stop == os.path.getsize(path)
    assert all(a.stop == b.start for a, b in zip(parts, parts[1:]))
    pieces = [p.text for part in parts for p in read_range(part.path, part.start, part.stop)]
    assert pieces == list(read_lines(path))


def test_partitions_need_files(tmp_path):
    with pytest.raises(InputError, match="stdin"):
        plan_partitions(["-"])
    with pytest.raises(InputError, match="no such file"):
        plan_partitions([str(tmp_path / "missing.txt")])


# ---------------------------------------------------------------------------
# Kernels against references


@settings(max_examples=50, deadline=None)
@given(data=st.lists(st.integers(-1, 5), max_size=40), seed=st.integers(0, 1000))
def test_gather_runs_matches_slices(data, seed):
    ids = np.array(data, dtype=np.int32)
    rng = random.Random(seed)
    runs = [(s, rng.randint(0, len(data) - s)) for s in sorted(rng.sample(range(len(data)), min(5, len(data))))]
    starts = np.array([s for s, _ in runs], dtype=np.int64)
    lens = np.array([n for _, n in runs], dtype=np.int64)
    expected = [x for s, n in runs for x in data[s:s + n]]
    assert gather_runs(ids, starts, lens).tolist() == expected


@settings(max_examples=50, deadline=None)
@given(pos=st.lists(st.integers(-1, 4), max_size=30), kept=st.lists(st.booleans(), min_size=5, max_size=5),
       order=st.integers(2, 5))
def test_mark_kept_windows_matches_reference(pos, kept, order):
    n = len(pos)
    joined = np.zeros(n + order, dtype=bool)
    bits = np.zeros(n, dtype=np.uint16)
    mark_kept_windows(np.array(pos, dtype=np.int32), np.array(kept), order, joined, bits)
    want_joined = [False] * (n + order)
    want_bits = [0] * n
    for i, p in enumerate(pos):
        if p >= 0 and kept[p]:
            want_bits[i] = 1 << order
            for g in range(i, i + order - 1):
                want_joined[g] = True
    assert joined.tolist() == want_joined and bits.tolist() == want_bits


@settings(max_examples=50, deadline=None)
@given(pieces=st.lists(st.tuples(st.lists(st.integers(0, 3), min_size=1, max_size=4), st.integers(1, 9)),
                       max_size=30))
def test_weighted_grouping_adds_the_weights_of_equal_pieces(pieces):
    chars = np.array([c for p, _ in pieces for c in p], dtype=np.int32)
    lens = np.array([len(p) for p, _ in pieces], dtype=np.int64)
    weights = np.array([w for _, w in pieces], dtype=np.int64)
    starts = np.cumsum(lens) - lens
    reps, sums = group_pieces(chars, starts, lens, piece_hashes(chars, starts, lens), weights)
    got = {tuple(chars[starts[r]:starts[r] + lens[r]].tolist()): int(c) for r, c in zip(reps, sums)}
    want = Counter()
    for p, w in pieces:
        want[tuple(p)] += w
    assert got == dict(want)


# ---------------------------------------------------------------------------
# The engine gives the in-memory finder's lexicon


@pytest.fixture(scope="module")
def pd_file(tmp_path_factory, pd_lines):
    return write(tmp_path_factory.mktemp("pd") / "pd.txt", "\n".join(pd_lines[:800]) + "\n")


@pytest.mark.parametrize("part_bytes", [None, 9_000])
def test_engine_equals_in_memory_finder_on_real_text(pd_file, part_bytes):
    expected = in_memory(pd_file)
    got = learn_lexicon(pd_file, part_bytes=part_bytes)
    assert len(expected) > 300
    assert got == expected


def test_engine_without_spill_files_recomputes_the_same(pd_file):
    """The path used on a cluster: every step decodes the partition again."""
    finder = CohesionWordFinder(min_count=3, order=5, thresholds=[1, 4, 6, 8])
    expected = in_memory(pd_file, refine=False, min_count=3, order=5, thresholds=[1, 4, 6, 8])
    got = _learn(finder, plan_partitions(pd_file, part_bytes=12_000), SerialRunner(), "strict",
                 Spill(None), lambda *a: None)
    assert got == expected


def test_two_workers_give_the_same_lexicon(pd_file):
    assert learn_lexicon(pd_file, workers=2, part_bytes=15_000) == in_memory(pd_file)


NUMBA_THREADS_THEN_WORKERS = """
import sys
import numpy as np
from numba import njit, prange
from nlpzero.discovery import CohesionWordFinder
from nlpzero.corpus import read_lines
from nlpzero.discovery import find_words, learn_lexicon
from nlpzero.engine.processes import numba_threads_started

@njit(parallel=True)
def total(x):
    s = 0.0
    for i in prange(len(x)):
        s += x[i]
    return s

assert total(np.ones(1000)) == 1000.0
path = sys.argv[1]
expected = find_words(list(read_lines(path)))
assert learn_lexicon(path, workers=2, part_bytes=15_000) == expected
print("threads started" if numba_threads_started() else "no threads")
"""


def test_workers_after_numba_threads_ran(pd_file):
    """Once a parallel kernel has run, workers are spawned, not forked: same lexicon.
    (In a fresh process, so that Numba's threads do not start in the test runner.)"""
    r = subprocess.run([sys.executable, "-c", NUMBA_THREADS_THEN_WORKERS, pd_file],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    if os.environ.get("NUMBA_DISABLE_JIT") != "1":
        assert r.stdout.strip() == "threads started"


@settings(max_examples=25, deadline=None)
@given(lines=st.lists(st.text(alphabet="天地人和中国大小的了", min_size=0, max_size=12), min_size=1, max_size=60),
       part=st.integers(5, 200), min_count=st.integers(1, 3), order=st.integers(2, 5),
       refine=st.booleans())
def test_engine_equals_in_memory_finder_on_random_text(tmp_path_factory, lines, part, min_count, order,
                                                       refine):
    path = write(tmp_path_factory.mktemp("h") / "a.txt", "\n".join(lines))
    params = dict(min_count=min_count, order=order, refine=refine)
    assert learn_lexicon(path, part_bytes=part, **params) == in_memory(path, **params)


def test_several_files_and_a_directory(tmp_path, pd_lines):
    folder = tmp_path / "corpus"
    folder.mkdir()
    write(folder / "a.txt", "\n".join(pd_lines[:300]))
    write(folder / "b.txt", "\n".join(pd_lines[300:700]))
    assert learn_lexicon(str(folder), part_bytes=20_000) == in_memory(str(folder))


def test_character_step_counts_what_the_counter_counts(pd_file):
    parts = plan_partitions(pd_file, part_bytes=20_000)
    total = Counter()
    for i, part in enumerate(parts):
        cps, counts, _ = _count_chars((i, part), {"errors": "strict", "order": 4, "spill": Spill(None)})
        total.update({chr(c): int(n) for c, n in zip(cps, counts)})
    finder = CohesionWordFinder(min_count=1).train(read_lines(pd_file))
    chars, counts = finder.counter.ngrams(1)
    assert total == dict(zip(chars, counts.tolist()))


def test_invalid_utf8_in_a_later_partition(tmp_path, pd_lines):
    path = tmp_path / "bad.txt"
    path.write_bytes(("\n".join(pd_lines[:500]) + "\n").encode() + b"bad \xc3 byte\n")
    with pytest.raises(InputError, match="line 501"):
        learn_lexicon(str(path), part_bytes=20_000)
    lexicon = learn_lexicon(str(path), part_bytes=20_000, errors="replace")
    assert len(lexicon) > 100


def test_no_spill_files_are_left(tmp_path, pd_file):
    spill = tmp_path / "spill"
    spill.mkdir()
    learn_lexicon(pd_file, part_bytes=20_000, spill_dir=str(spill))
    assert os.listdir(spill) == []


def test_bad_arguments(pd_file):
    with pytest.raises(ValueError, match="workers"):
        learn_lexicon(pd_file, workers=0)
    with pytest.raises(ValueError, match="engine"):
        learn_lexicon(pd_file, engine="spark")
    with pytest.raises(ValueError, match="scheduler"):
        learn_lexicon(pd_file, scheduler="tcp://localhost:1")


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="finds worker processes through /proc")
def test_a_killed_local_worker_stops_the_run_with_an_error(tmp_path, pd_file):
    from nlpzero.errors import WorkerError

    spill = tmp_path / "spill"
    spill.mkdir()

    # Children from earlier tests (e.g. multiprocessing's resource tracker) are not ours.
    before = set(children())

    def kill_a_worker(step, done, total):
        if step == "3-grams" and done == 1:
            os.kill(new_workers(before)[0], signal.SIGKILL)

    # Enough work that the workers are still counting when the first partition's tick
    # reaches the driver, even on a loaded machine.
    big = write(tmp_path / "big.txt", open(pd_file, encoding="utf-8").read() * 10)
    with pytest.raises(WorkerError, match="worker process died"):
        learn_lexicon(big, workers=2, part_bytes=20_000, spill_dir=str(spill),
                      progress=kill_a_worker)
    assert os.listdir(spill) == []
    assert set(children()) == before


# ---------------------------------------------------------------------------
# Command line


def test_cli_workers_write_the_in_memory_lexicon(tmp_path, pd_file):
    out = tmp_path / "lex.txt"
    r = run_cli("lexicon", "-q", pd_file, "-o", str(out), "--workers", "2")
    assert r.returncode == 0, r.stderr
    with open(pd_file, encoding="utf-8") as f:
        r = run_cli("lexicon", "-q", "-", input=f.read())  # stdin: the in-memory finder
    assert r.returncode == 0, r.stderr
    assert out.read_text(encoding="utf-8") == r.stdout


@pytest.mark.parametrize("args, message", [
    (["--workers", "2", "--method", "pmi"], "--method cohesion"),
    (["--scheduler", "tcp://localhost:1"], "--engine dask"),
    (["--workers", "0"], "at least 1"),
])
def test_cli_engine_option_errors(tmp_path, pd_file, args, message):
    out = tmp_path / "lex.txt"
    r = run_cli("lexicon", "-q", pd_file, "-o", str(out), *args)
    assert r.returncode == 1
    assert message in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_cli_interrupted_leaves_no_output(tmp_path, pd_lines):
    """Ctrl-C during counting: exit 130, no output file, no spill files left."""
    big = write(tmp_path / "big.txt", ("\n".join(pd_lines) + "\n") * 20)
    out = tmp_path / "lex.txt"
    spill = tmp_path / "spill"
    spill.mkdir()
    returncode, err = interrupt_when_counting(["lexicon", big, "-o", str(out), "--workers", "2",
                                               "--spill-dir", str(spill)])
    assert returncode == 130, err
    assert "Traceback" not in err, err
    assert not out.exists()
    assert os.listdir(spill) == [], (os.listdir(spill), err)


STOPS = [pytest.param(signal.SIGTERM, False, id="SIGTERM"),
         pytest.param(signal.SIGTERM, True, id="SIGTERM-to-the-group"),
         pytest.param(signal.SIGHUP, False, id="SIGHUP"),
         pytest.param(signal.SIGHUP, True, id="SIGHUP-to-the-group")]


@pytest.mark.parametrize("signum, group", STOPS)
def test_cli_stop_signals_are_handled_like_ctrl_c(tmp_path, pd_lines, signum, group):
    """SIGTERM (timeout, SLURM, Kubernetes) or SIGHUP while the workers count, sent to
    the driver alone or to its whole process group: one line on stderr, exit 128 + the
    signal, no output file, nothing left in the temporary folder, no worker left."""
    big = write(tmp_path / "big.txt", ("\n".join(pd_lines) + "\n") * 20)
    out = tmp_path / "lex.txt"
    temp = tmp_path / "tmp"
    temp.mkdir()
    returncode, err, workers = stop_when_counting(
        ["lexicon", big, "-o", str(out), "--workers", "2"], signum, group=group,
        wait_for_workers=True, env={"TMPDIR": str(temp)})
    assert workers, err
    assert returncode == 128 + signum, err
    name = signal.Signals(signum).name
    assert [l for l in err.splitlines() if l.startswith("nlpzero")] == \
        [f"nlpzero lexicon: stopped by {name}"], err
    assert "Traceback" not in err, err
    assert sorted(os.listdir(tmp_path)) == ["big.txt", "tmp"]  # no output, no temporary file
    assert os.listdir(temp) == [], os.listdir(temp)  # no spill folder
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(pid) for pid in workers)


# ---------------------------------------------------------------------------
# Dask


def test_dask_engine_equals_in_memory_finder(dask_cluster, pd_file):
    cluster, _ = dask_cluster
    got = learn_lexicon(pd_file, engine="dask", scheduler=cluster.scheduler_address,
                        part_bytes=15_000)
    assert got == in_memory(pd_file)


def test_dask_engine_uses_the_callers_client_and_leaves_it_open(dask_cluster, pd_file):
    _, client = dask_cluster
    got = learn_lexicon(pd_file, engine="dask", client=client, part_bytes=15_000)
    assert got == in_memory(pd_file)
    assert client.status == "running"
    assert client.submit(sum, [1, 2]).result() == 3  # still usable
    with pytest.raises(InputError, match="engine='dask'"):
        learn_lexicon(pd_file, client=client)


def test_cli_dask_engine_without_a_scheduler_starts_a_local_cluster(tmp_path, pd_file):
    pytest.importorskip("dask.distributed")
    from nlpzero import Lexicon

    out = tmp_path / "lex.txt"
    r = run_cli("lexicon", "-q", pd_file, "-o", str(out), "--engine", "dask", "--workers", "2")
    assert r.returncode == 0, r.stderr
    assert Lexicon.load(str(out)) == in_memory(pd_file)


def test_dask_engine_survives_a_killed_worker(dask_cluster, pd_file):
    cluster, client = dask_cluster
    kill_one_worker, killed = killer_at("3-grams", list(client.run(os.getpid).values())[0])
    got = learn_lexicon(pd_file, engine="dask", scheduler=cluster.scheduler_address,
                        part_bytes=20_000, progress=kill_one_worker)
    assert killed
    assert got == in_memory(pd_file)


def test_dask_unreachable_scheduler_is_one_error_line(tmp_path, pd_file):
    pytest.importorskip("dask.distributed")
    env = dict(os.environ, DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT="2s")
    r = subprocess.run([sys.executable, "-m", "nlpzero", "lexicon", "-q", pd_file, "-o",
                        str(tmp_path / "x.txt"), "--engine", "dask", "--scheduler",
                        "tcp://127.0.0.1:9"], capture_output=True, text=True, env=env)
    assert r.returncode == 1
    assert "scheduler" in r.stderr and "Traceback" not in r.stderr


def test_empty_files_give_an_empty_lexicon(tmp_path):
    path = write(tmp_path / "empty.txt", "")
    assert len(learn_lexicon(path)) == 0
    assert len(learn_lexicon(write(tmp_path / "latin.txt", "abc 123\n" * 50))) == 0


def _index_and_worker(task, shared):
    """A partition function for the runner test: the first task is slow, so the other
    worker claims the rest meanwhile."""
    import time

    if task == 0:
        time.sleep(0.5)
    return np.array([task]), np.array([os.getpid()])


def _concat(a, b):
    return np.concatenate([a[0], b[0]]), np.concatenate([a[1], b[1]])


def test_workers_claim_each_task_once(tmp_path):
    from nlpzero.engine import ProcessRunner

    runner = ProcessRunner(2)
    ticks = []
    tasks, pids = runner.run(_index_and_worker, list(range(12)), {"spill": Spill(str(tmp_path))},
                             _concat, lambda: ticks.append(1))
    assert sorted(tasks.tolist()) == list(range(12)) and len(ticks) == 12
    slow = pids[tasks == 0][0]
    assert (pids == slow).sum() < 12  # the other worker took tasks while the first slept
    assert os.listdir(tmp_path) == []  # the workers' stashed results were read and removed


def _slow_task(task, shared):
    """A partition function slow enough that later tasks are still pending."""
    import time

    time.sleep(0.3)
    return np.array([task])


def test_dask_runner_submits_a_cancelled_task_again(dask_cluster):
    """A task the scheduler drops (as it may after a worker died: "cancelled, already
    forgotten") is submitted again; here the client cancels one pending task."""
    from distributed import Future

    from nlpzero.engine import DaskRunner

    cluster, _ = dask_cluster
    runner = DaskRunner(scheduler=cluster.scheduler_address, workers=2)
    cancelled = []

    def cancel_a_pending_task():
        if not cancelled:
            pending = [key for key, state in runner.client.futures.items()
                       if "_slow_task" in str(key) and state.status == "pending"]
            runner.client.cancel([Future(pending[-1], client=runner.client)])
            cancelled.append(pending[-1])
    try:
        got = runner.run(_slow_task, list(range(8)), {}, lambda a, b: np.concatenate([a, b]),
                         cancel_a_pending_task)
    finally:
        runner.close()
    assert cancelled
    assert sorted(got.tolist()) == list(range(8))


@pytest.mark.parametrize("failure", [OSError("1408047 requested and 1310688 written"),
                                     OSError(28, "No space left on device")])
def test_a_full_spill_disk_is_one_clear_error(tmp_path, monkeypatch, failure):
    from nlpzero.engine import spill as spill_module

    def full(path, array):
        raise failure
    monkeypatch.setattr(spill_module.np, "save", full)
    run_folder = tmp_path / "nlpzero-spill-x"
    with pytest.raises(InputError, match=f"no space left for intermediate files in {tmp_path}"):
        Spill(str(run_folder)).save(0, "ids", np.zeros(3))
    monkeypatch.setattr(spill_module.np, "save",
                        lambda path, array: (_ for _ in ()).throw(PermissionError(13, "denied")))
    with pytest.raises(PermissionError):  # other faults are left as they are
        Spill(str(run_folder)).save(0, "ids", np.zeros(3))


def test_the_kernel_warm_up_writes_only_inside_the_spill_folder(tmp_path, monkeypatch):
    """The driver's warm-up runs while workers count: a stop signal may land in it, and
    its files must then go with the run's spill folder, not stay in the temporary folder."""
    import tempfile

    from nlpzero.discovery.partitioned import _load_kernels

    system_temp, spill = tmp_path / "tmp", tmp_path / "spill"
    system_temp.mkdir()
    spill.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_temp))
    seen = []
    real_learn = __import__("nlpzero.discovery.partitioned", fromlist=["_learn"])._learn

    def learn_and_look(finder, parts, *args):
        seen.extend(part.path for part in parts)
        return real_learn(finder, parts, *args)
    monkeypatch.setattr("nlpzero.discovery.partitioned._learn", learn_and_look)
    _load_kernels(str(spill))
    assert seen and all(path.startswith(str(spill)) for path in seen)
    assert os.listdir(system_temp) == [] and os.listdir(spill) == []
