"""Byte ranges, worker processes and `segment --workers`: the same pieces and the same
output as one process, the same error messages, and clean interruption."""

import glob
import os
import signal
import subprocess
import sys
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nlpzero.corpus as corpus
import nlpzero.engine.partitions as partitions
import nlpzero.segmentation.streaming as streaming
from nlpzero.engine.processes import WorkerPool
from nlpzero.errors import InputError, WorkerError
from processes import alive, children
from cli_runs import run

# Characters that exercise the reader and the segmenter: Han, digits and Latin atoms,
# full-width forms, punctuation runs, spaces, CR, emoji (4-byte UTF-8), a stray BOM.
ALPHABET = list("中国人民银行发展经济的了是在和") + list("19.５％年月abcXYZ") + \
    list("，。、——…… \t\r") + ["😀", "\U00020000", "\ufeff", "é"]


@st.composite
def texts(draw):
    lines = draw(st.lists(st.text(alphabet=ALPHABET, max_size=120), max_size=25))
    text = "\n".join(lines)
    if draw(st.booleans()):
        text += "\n"
    if draw(st.booleans()):
        text = "\ufeff" + text
    return text


def small_blocks(monkeypatch, block=16, piece=40):
    monkeypatch.setattr(corpus, "BLOCK_BYTES", block)
    monkeypatch.setattr(corpus, "MAX_PIECE_BYTES", piece)


def reference_ranges(data: bytes, range_bytes: int, block: int) -> list[tuple[int, int]]:
    """Obviously correct: walk the blocks; after every `range_bytes` or more, cut after
    the last newline of the first block that has one."""
    step = -(-range_bytes // block) * block
    bounds = [0]
    end = step
    while end < len(data):
        k = data.rfind(b"\n", end - block, end)
        if k < 0:
            end += block
        else:
            bounds.append(k + 1)
            end += step
    return list(zip(bounds, bounds[1:] + [len(data)])) if data else []


def pieces_by_ranges(path, range_bytes, errors="strict"):
    return [p for start, end in partitions.split_ranges(path, range_bytes)
            for p in partitions.read_range(path, start, end, errors)]


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=texts(), range_bytes=st.integers(1, 100), block=st.sampled_from([8, 16, 64]),
       piece=st.sampled_from([8, 24, 1000]))
def test_ranges_give_the_pieces_of_the_whole_file(tmp_path, monkeypatch, text, range_bytes,
                                                  block, piece):
    small_blocks(monkeypatch, block, piece)
    path = str(tmp_path / "t.txt")
    data = text.encode("utf-8")
    with open(path, "wb") as f:
        f.write(data)
    ranges = partitions.split_ranges(path, range_bytes)
    assert ranges == reference_ranges(data, range_bytes, block)
    for start, end in ranges:
        assert start == 0 or data[start - 1:start] == b"\n"
    assert pieces_by_ranges(path, range_bytes) == list(corpus.read_pieces(path))


def test_ranges_on_real_text_with_long_lines(tmp_path, monkeypatch, pd_lines):
    small_blocks(monkeypatch, block=1 << 10, piece=1 << 12)
    # Whole lines, CRLF lines, blank lines and lines of many blocks without a newline.
    lines = pd_lines[:300] + ["", "，".join(pd_lines[300:400])] + \
        [l + "\r" for l in pd_lines[400:500]] + ["".join(pd_lines[500:600]), ""]
    path = str(tmp_path / "pd.txt")
    with open(path, "wb") as f:
        f.write(("\ufeff" + "\n".join(lines)).encode("utf-8"))
    for range_bytes in (1, 5000, 1 << 16):
        ranges = partitions.split_ranges(path, range_bytes)
        assert ranges[0][0] == 0 and ranges[-1][1] == os.path.getsize(path)
        assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:]))
        assert pieces_by_ranges(path, range_bytes) == list(corpus.read_pieces(path))
    assert len(partitions.split_ranges(path, 1)) > 50


def test_a_file_without_newlines_is_one_range(tmp_path, monkeypatch):
    small_blocks(monkeypatch)
    path = str(tmp_path / "one.txt")
    with open(path, "w", encoding="utf-8") as f:
        f.write("中国人民" * 200)
    assert partitions.split_ranges(path, 16) == [(0, 2400)]
    (tmp_path / "empty.txt").write_bytes(b"")
    assert partitions.split_ranges(str(tmp_path / "empty.txt")) == []


def test_bad_arguments(tmp_path):
    with pytest.raises(InputError, match="^no such file: .*missing.txt$"):
        partitions.split_ranges(str(tmp_path / "missing.txt"))
    with pytest.raises(InputError, match="directory"):
        partitions.split_ranges(str(tmp_path))
    path = tmp_path / "a.txt"
    path.write_text("a\n")
    with pytest.raises(InputError):
        partitions.split_ranges(str(path), 0)
    with pytest.raises(ValueError):
        list(partitions.read_range(str(path), 2, 1))
    assert not partitions.is_regular_file("-") and not partitions.is_regular_file(str(tmp_path))
    assert partitions.is_regular_file(str(path))


def _square_plus(state, x):
    if x < 0:
        raise InputError(f"negative: {x}")
    return x * x + state


def _die(state, x):
    if x == 3:
        os.kill(os.getpid(), signal.SIGKILL)
    return x


def test_pool_keeps_the_order_and_reports_errors_in_order():
    with WorkerPool(2, 1) as pool:
        assert list(pool.map_ordered(_square_plus, range(20), in_flight=3)) == \
            [x * x + 1 for x in range(20)]
    with WorkerPool(3, 0) as pool:
        results = pool.map_ordered(_square_plus, [1, 2, -3, -4, 5])
        assert [next(results), next(results)] == [1, 4]
        with pytest.raises(InputError, match="negative: -3"):
            next(results)
    with pytest.raises(WorkerError, match="worker process died"):
        with WorkerPool(2, 0) as pool:
            list(pool.map_ordered(_die, range(8)))
    with pytest.raises(InputError):
        WorkerPool(0)


_DRIVER_KILLED = """
import os, signal, sys
sys.path.insert(0, {tests!r})
from nlpzero.engine.processes import WorkerPool
from test_parallel import _square_plus
pool = WorkerPool(2, 1)
assert list(pool.map_ordered(_square_plus, range(4))) == [1, 2, 5, 10]
print(*[p.pid for p in pool._workers.processes], flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_idle_workers_end_when_their_driver_is_killed(tmp_path):
    """Workers waiting for a job on their pipes must see the pipe end when the driver
    dies (SIGKILL, the out-of-memory killer): no worker may hold the driver's end of a
    pipe, its own or another worker's, or it waits forever."""
    script = _DRIVER_KILLED.format(tests=os.path.dirname(__file__))
    with open(tmp_path / "pids", "w") as out:  # a file: workers left behind hold it open
        subprocess.run([sys.executable, "-c", script], stdout=out, stderr=subprocess.DEVNULL,
                       timeout=120)
    pids = [int(p) for p in (tmp_path / "pids").read_text().split()]
    assert len(pids) == 2
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(alive(pid) for pid in pids):
        time.sleep(0.1)
    left = [pid for pid in pids if alive(pid)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left


def test_spawned_workers_get_a_copy_of_the_state():
    with WorkerPool(2, 5, start_method="spawn") as pool:
        assert list(pool.map_ordered(_square_plus, range(6))) == [x * x + 5 for x in range(6)]


# ---------------------------------------------------------------------------
# The command line


@pytest.fixture(scope="module")
def lexicon(tmp_path_factory):
    """A small lexicon: quick to load, also without the JIT."""
    path = tmp_path_factory.mktemp("lex") / "lex.txt"
    path.write_text("中国 10\n人民 8\n银行 5\n发展 4\n经济 4\n中 2\n国 1\n人 3\n民 1\n",
                    encoding="utf-8")
    return str(path)


@pytest.fixture
def tiny_ranges(monkeypatch):
    """Many small ranges and pieces, so that every boundary case occurs in small files."""
    small_blocks(monkeypatch, block=256, piece=1024)
    monkeypatch.setattr(partitions, "RANGE_BYTES", 700)


def segment_all_ways(path, capsys, tmp_path, extra=(), workers_list=("1", "2", "3")):
    outputs = []
    for workers in workers_list:
        out_path = str(tmp_path / f"out{workers}.txt")
        code, _, err = run(["segment", path, "-q", "--workers", workers, "-o", out_path,
                            *extra], capsys)
        assert code == 0, err
        with open(out_path, "rb") as f:
            outputs.append(f.read())
    return outputs


def test_workers_write_the_same_bytes_on_real_text(tmp_path, capsys, tiny_ranges, pd_lines):
    lines = pd_lines[:400] + ["", "，".join(pd_lines[400:420]), "  "] + \
        [l + "\r" for l in pd_lines[420:500]] + ["".join(pd_lines[500:520]) + "😀"]
    path = tmp_path / "pd.txt"
    path.write_bytes(("\ufeff" + "\n".join(lines)).encode("utf-8"))
    one, two, three = segment_all_ways(str(path), capsys, tmp_path)
    assert one == two == three
    assert one.count(b"\n") == len(lines)
    # to stdout as well
    code, out, _ = run(["segment", str(path), "-q", "--workers", "2"], capsys)
    assert code == 0 and out.encode("utf-8") == one


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=texts())
def test_workers_write_the_same_bytes_on_random_text(tmp_path, capsys, monkeypatch, lexicon,
                                                     text):
    small_blocks(monkeypatch, block=16, piece=40)
    monkeypatch.setattr(partitions, "RANGE_BYTES", 50)
    path = tmp_path / "r.txt"
    path.write_bytes(text.encode("utf-8"))
    one, two, three = segment_all_ways(str(path), capsys, tmp_path,
                                       extra=["--lexicon", lexicon])
    assert one == two == three


def test_several_files_and_a_directory(tmp_path, capsys, tiny_ranges, pd_lines, lexicon):
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(3):
        (folder / f"{i}.txt").write_text("\n".join(pd_lines[i * 100:(i + 1) * 100 + 7]),
                                         encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    one, two, three = segment_all_ways(str(folder), capsys, tmp_path, extra=["--lexicon", lexicon])
    assert one == two == three and one.count(b"\n") == 321


@pytest.mark.parametrize("bad", [b"\xfe\xff", b"\x00", b"\xe4\xb8"])
def test_invalid_input_gives_the_serial_message(tmp_path, capsys, tiny_ranges, pd_lines, lexicon,
                                                bad):
    text = "\n".join(pd_lines[:200]).encode("utf-8")
    cut = text.index(b"\n", len(text) * 2 // 3)  # in a late range, at a line start
    path = tmp_path / "bad.txt"
    path.write_bytes(text[:cut + 1] + "中国".encode() + bad + text[cut + 1:])
    errors = []
    for workers in ("1", "2", "3"):
        out_path = tmp_path / "out.txt"
        code, _, err = run(["segment", str(path), "-q", "--workers", workers, "-o",
                            str(out_path), "--lexicon", lexicon], capsys)
        assert code == 1 and err.count("\n") == 1 and not out_path.exists()
        errors.append(err)
    assert errors[0] == errors[1] == errors[2]
    line = text[:cut].count(b"\n") + 2
    assert f"line {line}, byte offset {cut + 1 + 6}" in errors[0]
    assert sorted(os.listdir(tmp_path)) == ["bad.txt"]
    # replaced instead (a NUL is valid UTF-8: it is kept)
    outs = segment_all_ways(str(path), capsys, tmp_path, extra=["--encoding-errors", "replace", "--lexicon", lexicon])
    assert outs[0] == outs[1] == outs[2]
    assert ("\ufffd".encode() if bad != b"\x00" else b"\x00") in outs[0]


def test_stdin_and_pipes_keep_the_streaming_path(tmp_path, pd_lines, lexicon):
    data = ("\n".join(pd_lines[:300]) + "\n").encode("utf-8")
    outs = []
    for workers in ("1", "2"):
        result = subprocess.run([sys.executable, "-m", "nlpzero", "segment", "-q", "--lexicon",
                                 lexicon, "--workers", workers], input=data,
                                capture_output=True, timeout=120)
        assert result.returncode == 0, result.stderr
        outs.append(result.stdout)
    assert outs[0] == outs[1] and outs[0].count(b"\n") == 300


# ---------------------------------------------------------------------------
# Interruption: Ctrl-C of the parent, a killed worker


@pytest.fixture
def big_input(tmp_path, pd_lines):
    """About 24 MB of text: several ranges per worker, seconds of work."""
    path = tmp_path / "big.txt"
    block = ("\n".join(pd_lines) + "\n").encode("utf-8")
    with open(path, "wb") as f:
        for _ in range(max(1, (24 << 20) // len(block))):
            f.write(block)
    return path


def _start_and_wait_for_work(args, tmp_path, lexicon, stdin=None):
    proc = subprocess.Popen([sys.executable, "-m", "nlpzero", "segment", "-q", "--lexicon",
                             lexicon, "--workers", "2", *args],
                            stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            cwd=str(tmp_path))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        workers = children(proc.pid, zombies=False)
        parts = glob.glob(str(tmp_path / ".nlpzero-parts.*" / "*.part"))
        if len(workers) >= 2 and (parts or stdin is not None):
            return proc, workers
        if proc.poll() is not None:
            break
        time.sleep(0.01)
    proc.kill()
    pytest.fail(f"the workers did not start: {proc.communicate()[1]!r}")


@pytest.mark.parametrize("how", ["sigint", "sigterm", "sighup", "kill-worker"])
def test_interruption_leaves_no_output_and_no_worker(tmp_path, big_input, lexicon, how):
    out_path = tmp_path / "out.txt"
    out_path.write_text("previous\n")
    proc, workers = _start_and_wait_for_work([str(big_input), "-o", str(out_path)], tmp_path,
                                              lexicon)
    if how == "kill-worker":
        os.kill(workers[0], signal.SIGKILL)
    else:
        proc.send_signal(SIGNALS[how])
    _, err = proc.communicate(timeout=30)
    _check_stopped(proc, err, how)
    assert out_path.read_text() == "previous\n"
    assert sorted(os.listdir(tmp_path)) == ["big.txt", "out.txt"]
    time.sleep(0.2)
    assert not any(alive(pid) for pid in workers)


SIGNALS = {"sigint": signal.SIGINT, "sigterm": signal.SIGTERM, "sighup": signal.SIGHUP}


def _check_stopped(proc, err: bytes, how: str) -> None:
    """One line on stderr: interrupted (exit 130), stopped by SIGTERM (143) or SIGHUP
    (129), or the worker error (exit 1)."""
    # (without the JIT, NumPy may warn on stderr first)
    lines = [l for l in err.decode().splitlines() if l.startswith("nlpzero")]
    if how == "sigint":
        assert proc.returncode == 130 and lines == ["nlpzero segment: interrupted"]
    elif how in SIGNALS:
        assert proc.returncode == 128 + SIGNALS[how], err
        assert lines == [f"nlpzero segment: stopped by {SIGNALS[how].name}"], err
    else:
        assert proc.returncode == 1 and len(lines) == 1
        assert lines[0].startswith("nlpzero segment: error: a worker process died")


@pytest.mark.parametrize("how", ["sigint", "kill-worker"])
def test_interruption_on_stdin(tmp_path, big_input, lexicon, how):
    with open(big_input, "rb") as f:
        proc, workers = _start_and_wait_for_work([], tmp_path, lexicon, stdin=f)
        time.sleep(0.1)
        if how == "sigint":
            proc.send_signal(signal.SIGINT)
        else:  # an error, not a hang
            os.kill(workers[-1], signal.SIGKILL)
        _, err = proc.communicate(timeout=30)
    _check_stopped(proc, err, how)
    time.sleep(0.2)
    assert not any(alive(pid) for pid in workers)


def test_workers_with_a_segmenter_model(tmp_path, capsys, tiny_ranges, pd_lines, lexicon):
    # Training runs Numba's threads in this process: the workers are spawned, not forked.
    from nlpzero.lexicon import Lexicon
    from nlpzero.segmentation import Segmenter

    model = str(tmp_path / "seg.npz")
    Segmenter.train(Lexicon.load(lexicon), n_samples=300, bits=12, seed=1).save(model)
    path = tmp_path / "pd.txt"
    path.write_text("\n".join(pd_lines[:150]) + "\n", encoding="utf-8")
    one, two = segment_all_ways(str(path), capsys, tmp_path, extra=["--model", model],
                                workers_list=("1", "2"))
    assert one == two and one.count(b"\n") == 150


def test_python_api_segment_files(tmp_path, monkeypatch, pd_lines, lexicon):
    import io

    from nlpzero.segmentation import Tokenizer

    small_blocks(monkeypatch, block=512, piece=2048)
    monkeypatch.setattr(partitions, "RANGE_BYTES", 3000)
    path = tmp_path / "pd.txt"
    path.write_text("\n".join(pd_lines[:300]) + "\n", encoding="utf-8")
    tk = Tokenizer(lexicon)
    tk.lcut("")
    out = io.BytesIO()
    done = []
    streaming.segment_files(tk, [str(path)], out, 2, progress=done.append, temp_dir=str(tmp_path))
    assert out.getvalue().decode("utf-8") == tk.render_lines(pd_lines[:300]) + "\n"
    assert sum(done) == path.stat().st_size and len(done) > 5
    assert sorted(os.listdir(tmp_path)) == ["pd.txt"]


def test_a_signal_inside_numbas_callbacks_is_taken_again_later(monkeypatch):
    """Numba's compiled code calls back into Python (numba/core/serialize.py) as it hands
    results back; Ctrl-C raised there killed the process with a segmentation fault. The
    handler sends the signal again a moment later instead, and raises anywhere else."""
    import types

    from nlpzero import cli

    sent = []
    monkeypatch.setattr(cli.os, "kill", lambda pid, signum: sent.append((pid, signum)))
    previous = {s: signal.getsignal(s) for s in cli.STOP_SIGNALS}
    try:
        def frame(path, back=None):
            return types.SimpleNamespace(f_code=types.SimpleNamespace(co_filename=path),
                                         f_back=back)

        callback = frame(os.path.join("site-packages", "numba", "core", "serialize.py"))
        cli._raise_stop_signal(signal.SIGINT, callback)   # no exception here
        # Python code called by such a callback (LLVM's JIT reading a cached object)
        jit = frame(os.path.join("site-packages", "llvmlite", "binding", "executionengine.py"),
                    sys._getframe())
        cli._raise_stop_signal(signal.SIGTERM, frame(os.path.join("numba", "core", "codegen.py"),
                                                     jit))
        time.sleep(cli._RETRY_SIGNAL_AFTER + 0.2)
        assert sorted(sent) == [(os.getpid(), signal.SIGINT), (os.getpid(), signal.SIGTERM)]
        assert not cli._stopping
        with pytest.raises(cli.StopSignal) as stopped:
            cli._raise_stop_signal(signal.SIGINT, sys._getframe())
        assert stopped.value.signum == signal.SIGINT and cli._stopping == [signal.SIGINT]
    finally:
        cli._stopping.clear()
        for s, handler in previous.items():
            signal.signal(s, handler)


def test_a_signal_inside_a_finalizer_is_taken_again_later(monkeypatch):
    """A signal that lands while multiprocessing or weakref runs a finalizer cannot raise
    there (Python prints "Exception ignored in: <Finalize object, dead>" with a traceback
    and goes on): the handler sends it again a moment later instead."""
    import weakref
    from multiprocessing.util import Finalize

    from nlpzero import cli

    sent = []
    monkeypatch.setattr(cli.os, "kill", lambda pid, signum: sent.append((pid, signum)))
    previous = {s: signal.getsignal(s) for s in cli.STOP_SIGNALS}

    class Owner:
        pass

    try:
        owner = Owner()
        Finalize(owner, lambda: cli._raise_stop_signal(signal.SIGTERM, sys._getframe()))()
        weakref.finalize(owner, lambda: cli._raise_stop_signal(signal.SIGHUP, sys._getframe()))()
        time.sleep(cli._RETRY_SIGNAL_AFTER + 0.2)
        assert sorted(sent) == [(os.getpid(), signal.SIGHUP), (os.getpid(), signal.SIGTERM)]
        assert not cli._stopping
    finally:
        cli._stopping.clear()
        for s, handler in previous.items():
            signal.signal(s, handler)


def test_the_command_ignores_a_stop_signal_once_its_work_is_done(monkeypatch):
    import signal

    from nlpzero import cli

    previous = {s: signal.getsignal(s) for s in cli.STOP_SIGNALS}
    monkeypatch.setattr(cli, "main", lambda: 0)
    try:
        with pytest.raises(SystemExit) as stop:
            cli.run()
        assert stop.value.code == 0
        assert all(signal.getsignal(s) == signal.SIG_IGN for s in cli.STOP_SIGNALS)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def test_a_progress_bar_cut_short_by_a_stop_signal_is_finalised_quietly():
    from tqdm import tqdm

    from nlpzero._progress import progress_bar

    bar_class = type(progress_bar([], disable=True))
    half_built = bar_class.__new__(bar_class)  # as when a signal hits tqdm's __init__
    half_built.disable = False
    half_built.__del__()
    plain = tqdm.__new__(tqdm)
    plain.disable = False
    with pytest.raises(AttributeError):
        tqdm.__del__(plain)
    plain.pos = 0  # let the plain one be finalised later
    plain.disable = True
