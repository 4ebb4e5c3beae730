"""Atomic output: success replaces the file in one step, failure leaves nothing behind."""

import os
import stat
import sys

import pytest

from nlpzero._io import atomic_write, atomic_write_bytes
from nlpzero.errors import InputError


class Boom(Exception):
    pass


def test_success_writes_the_file_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "out.txt"
    with atomic_write(path) as f:
        f.write("中国 3\n𠀀 1\n")
    assert path.read_text(encoding="utf-8") == "中国 3\n𠀀 1\n"
    assert os.listdir(tmp_path) == ["out.txt"]


def test_nothing_appears_before_the_block_ends(tmp_path):
    path = tmp_path / "out.txt"
    path.write_text("old\n", encoding="utf-8")
    with atomic_write(str(path)) as f:
        f.write("new\n")
        f.flush()
        assert path.read_text(encoding="utf-8") == "old\n"
        # The data goes to a hidden temporary file beside the destination.
        others = [n for n in os.listdir(tmp_path) if n != "out.txt"]
        assert len(others) == 1
        assert others[0].startswith(".out.txt.") and others[0].endswith(".tmp")
    assert path.read_text(encoding="utf-8") == "new\n"
    assert os.listdir(tmp_path) == ["out.txt"]


@pytest.mark.parametrize("error", [Boom, KeyboardInterrupt, SystemExit])
def test_failure_leaves_no_file_and_no_temporary(tmp_path, error):
    path = tmp_path / "out.txt"
    with pytest.raises(error):
        with atomic_write(path) as f:
            f.write("half of it")
            raise error()
    assert os.listdir(tmp_path) == []


def test_failure_keeps_the_old_file(tmp_path):
    path = tmp_path / "out.txt"
    path.write_text("old\n", encoding="utf-8")
    with pytest.raises(Boom):
        with atomic_write(path) as f:
            f.write("new\n")
            raise Boom()
    assert path.read_text(encoding="utf-8") == "old\n"
    assert os.listdir(tmp_path) == ["out.txt"]


def test_encoding_error_while_writing_cleans_up(tmp_path):
    with pytest.raises(UnicodeEncodeError):
        with atomic_write(tmp_path / "out.txt") as f:
            f.write("\ud800")  # a lone surrogate has no UTF-8 encoding
    assert os.listdir(tmp_path) == []


def test_newline_and_encoding(tmp_path):
    path = tmp_path / "out.txt"
    with atomic_write(path, encoding="gb18030", newline="\r\n") as f:
        f.write("中国\n")
    assert path.read_bytes() == "中国\r\n".encode("gb18030")


def test_binary(tmp_path):
    path = tmp_path / "out.bin"
    with atomic_write_bytes(path) as f:
        f.write(b"\x00\xff")
    assert path.read_bytes() == b"\x00\xff"
    with pytest.raises(Boom):
        with atomic_write(path, binary=True) as f:
            f.write(b"new")
            raise Boom()
    assert path.read_bytes() == b"\x00\xff"
    assert os.listdir(tmp_path) == ["out.bin"]


def test_missing_directory_is_an_input_error(tmp_path):
    path = tmp_path / "nowhere" / "out.txt"
    with pytest.raises(InputError) as info:
        with atomic_write(path) as f:
            f.write("x")
    message = str(info.value)
    assert message == f"cannot write {path}: directory {tmp_path / 'nowhere'} does not exist"
    assert not (tmp_path / "nowhere").exists()


def test_directory_as_destination_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="is a directory"):
        with atomic_write(tmp_path) as f:
            f.write("x")
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("path", ["-", None])
def test_stdout(capsys, path):
    with atomic_write(path) as f:
        assert f is sys.stdout
        f.write("中国\n")
    assert not sys.stdout.closed
    assert capsys.readouterr().out == "中国\n"


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_new_file_gets_the_usual_permissions(tmp_path):
    old = os.umask(0o027)
    try:
        with atomic_write(tmp_path / "new.txt") as f:
            f.write("x")
    finally:
        os.umask(old)
    # mkstemp would have made it 0o600.
    assert stat.S_IMODE(os.stat(tmp_path / "new.txt").st_mode) == 0o640


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_replaced_file_keeps_its_permissions(tmp_path):
    path = tmp_path / "out.txt"
    path.write_text("old")
    os.chmod(path, 0o604)
    with atomic_write(path) as f:
        f.write("new")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o604
    assert path.read_text() == "new"


def test_remove_tree_finishes_when_a_stop_signal_interrupts_it(tmp_path, monkeypatch):
    import shutil

    from nlpzero import _io

    folder = tmp_path / "spill"
    folder.mkdir()
    (folder / "part0.ids.npy").write_bytes(b"x" * 10)
    real_rmtree, calls = shutil.rmtree, []

    def interrupted_once(path, ignore_errors=False):
        calls.append(path)
        if len(calls) == 1:  # the signal arrives before anything is removed
            raise KeyboardInterrupt
        real_rmtree(path, ignore_errors=ignore_errors)

    monkeypatch.setattr(_io.shutil, "rmtree", interrupted_once)
    with pytest.raises(KeyboardInterrupt):
        with _io.temporary_directory(prefix="t-", dir=str(tmp_path)) as made:
            pass
    assert not os.path.exists(made)
    assert len(calls) == 2
    calls.clear()
    with pytest.raises(KeyboardInterrupt):
        _io.remove_tree(str(folder))
    assert not folder.exists()
