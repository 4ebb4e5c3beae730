"""Numba's cache lives in a per-user folder (or NUMBA_CACHE_DIR), never in the package."""

import os
import shutil
import subprocess
import sys
import time

import pytest

import nlpzero
from nlpzero import _numba_cache

PACKAGE = os.path.dirname(os.path.abspath(nlpzero.__file__))


def _files(folder):
    return {os.path.relpath(os.path.join(root, name), folder)
            for root, _, names in os.walk(folder) for name in names}


def _cached(folder):
    return {f for f in _files(folder) if f.endswith((".nbi", ".nbc"))}


@pytest.fixture
def installed(tmp_path):
    """A copy of the package without bytecode, as an installation would hold it, and an
    environment that runs it with no inherited cache setting."""
    site = tmp_path / "site"
    shutil.copytree(PACKAGE, site / "nlpzero", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "lex.txt").write_text("中国 10\n人民 5\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUMBA_")}
    env.update(PYTHONPATH=str(site), PYTHONDONTWRITEBYTECODE="1",
               XDG_CACHE_HOME=str(tmp_path / "xdg"), TMPDIR=str(tmp_path / "tmp"))
    os.makedirs(env["TMPDIR"])
    return site / "nlpzero", env


def _segment(tmp_path, env):
    result = subprocess.run([sys.executable, "-m", "nlpzero", "segment", "--lexicon", "lex.txt"],
                            input="中国人民\n", capture_output=True, text=True, env=env,
                            cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "中国 人民\n"
    return result


def test_cache_in_the_user_folder_not_in_the_package(tmp_path, installed):
    package, env = installed
    before = _files(package)
    first = _segment(tmp_path, env)
    assert _files(package) == before  # no __pycache__, .nbi or .nbc written there
    digest = _numba_cache.sources_digest(str(package))
    cache = tmp_path / "xdg" / "nlpzero" / f"numba-{nlpzero.__version__}-{digest}"
    assert any(f.endswith(".nbi") for f in _cached(cache))
    assert any(f.endswith(".nbc") for f in _cached(cache))
    assert "compiling kernels (first run only)" in first.stderr
    second = _segment(tmp_path, env)
    assert "compiling" not in second.stderr
    assert _files(package) == before


def test_numba_cache_dir_is_honoured(tmp_path, installed):
    package, env = installed
    env["NUMBA_CACHE_DIR"] = str(tmp_path / "mine")
    before = _files(package)
    _segment(tmp_path, env)
    assert _files(package) == before
    assert any(f.endswith(".nbc") for f in _cached(tmp_path / "mine"))
    assert not (tmp_path / "xdg").exists()


def test_unwritable_home_falls_back_to_the_temporary_folder(tmp_path, installed):
    package, env = installed
    # A path below a regular file cannot be created, even by root.
    (tmp_path / "file").write_text("")
    env["XDG_CACHE_HOME"] = str(tmp_path / "file" / "cache")
    before = _files(package)
    _segment(tmp_path, env)
    assert _files(package) == before
    assert any(f.endswith(".nbc") for f in _cached(tmp_path / "tmp"))


def test_configure_chooses_in_order(tmp_path, monkeypatch):
    numba_config = pytest.importorskip("numba.core.config")
    monkeypatch.setattr(numba_config, "CACHE_DIR", numba_config.CACHE_DIR)
    monkeypatch.setattr(_numba_cache.tempfile, "tempdir", str(tmp_path / "tmp"))
    os.makedirs(tmp_path / "tmp")
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "given"))
    assert _numba_cache.configure("9.9") == str(tmp_path / "given")
    assert numba_config.CACHE_DIR == str(tmp_path / "given")

    monkeypatch.delenv("NUMBA_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    expected = str(tmp_path / "xdg" / "nlpzero" / f"numba-9.9-{_numba_cache.sources_digest()}")
    assert _numba_cache.configure("9.9") == expected
    assert os.environ["NUMBA_CACHE_DIR"] == expected == numba_config.CACHE_DIR
    assert os.path.isdir(expected)

    monkeypatch.delenv("NUMBA_CACHE_DIR")
    (tmp_path / "file").write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "file"))
    chosen = _numba_cache.configure("9.9")
    assert chosen.startswith(str(tmp_path / "tmp"))
    assert chosen.endswith(f"numba-9.9-{_numba_cache.sources_digest()}")
    assert os.environ["NUMBA_CACHE_DIR"] == chosen


def test_is_cold(tmp_path, monkeypatch):
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    assert _numba_cache.is_cold()
    import hashlib

    folder = tmp_path / f"nlpzero_{hashlib.sha1(PACKAGE.encode()).hexdigest()}"
    folder.mkdir()
    assert _numba_cache.is_cold()
    (folder / "tokenizer._segment-1.py311.nbi").write_bytes(b"")
    assert not _numba_cache.is_cold()


def test_changed_sources_get_their_own_cache(tmp_path, installed):
    """Numba checks a cached kernel against its own file only; a change to a kernel of
    another module that it inlines must not leave it stale."""
    package, env = installed
    before = _numba_cache.sources_digest(str(package))
    tokens = package / "_kernels" / "tokens.py"
    tokens.write_text(tokens.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    after = _numba_cache.sources_digest(str(package))
    assert after != before
    (package / "__pycache__").mkdir(exist_ok=True)
    (package / "__pycache__" / "x.nbi").write_bytes(b"")  # caches do not count
    assert _numba_cache.sources_digest(str(package)) == after


def test_unused_cache_folders_are_removed(tmp_path, monkeypatch):
    numba_config = pytest.importorskip("numba.core.config")
    monkeypatch.setattr(numba_config, "CACHE_DIR", numba_config.CACHE_DIR)
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    folder = tmp_path / "nlpzero"
    old, recent, other = folder / "numba-0.0.1", folder / "numba-9.9-0123456789ab", folder / "x"
    for d in (old, recent, other):
        d.mkdir(parents=True)
    stale = time.time() - (_numba_cache.STALE_DAYS + 1) * 86400
    os.utime(old, (stale, stale))
    os.utime(other, (stale, stale))
    chosen = _numba_cache.configure("9.9")
    assert os.path.isdir(chosen) and os.path.isdir(recent) and os.path.isdir(other)
    assert not old.exists()
