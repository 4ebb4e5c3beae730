"""The command line's memory settings: freed blocks are reused, not faulted in again, and
NumPy asks for no huge pages."""

import os
import subprocess
import sys

import pytest

from nlpzero import cli
from nlpzero._memory import reuse_freed_memory

_FAULTS_OF_REALLOCATING = """
import resource, sys
import numpy as np
if sys.argv[1] == "reuse":
    from nlpzero._memory import reuse_freed_memory
    assert reuse_freed_memory()
def faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
a = np.ones(64 << 20, np.uint8); del a
before = faults()
for _ in range(5):
    a = np.ones(64 << 20, np.uint8); del a
print(faults() - before)
"""


def _faults(mode: str) -> int:
    out = subprocess.run([sys.executable, "-c", _FAULTS_OF_REALLOCATING, mode],
                         capture_output=True, text=True, check=True,
                         env=dict(os.environ, NUMPY_MADVISE_HUGEPAGE="0"))
    return int(out.stdout)


@pytest.mark.skipif(not reuse_freed_memory(), reason="needs glibc's malloc")
def test_freed_arrays_are_reused_without_page_faults():
    # Five 64 MB arrays allocated and freed: in 4 KiB pages (NumPy's huge pages off,
    # as they are where the kernel does not offer them) that is 80k faults with fresh
    # mappings, next to none when the heap keeps the freed block.
    assert _faults("default") > 50_000
    assert _faults("reuse") < 1_000


def test_the_command_line_sets_the_allocator_and_huge_pages(monkeypatch, tmp_path):
    calls = []
    monkeypatch.setattr(cli, "reuse_freed_memory", lambda: calls.append("malloc") or True)
    monkeypatch.setattr(cli, "no_huge_pages", lambda: calls.append("huge pages") or True)
    (tmp_path / "a.txt").write_text("我们的祖国\n", encoding="utf-8")
    assert cli.main(["segment", "-q", str(tmp_path / "a.txt"), "-o", str(tmp_path / "o")]) == 0
    assert calls == ["malloc", "huge pages"]


_HUGE_PAGES_AFTER = """
import os
from numpy._core.multiarray import _set_madvise_hugepage
from nlpzero._memory import no_huge_pages
took = no_huge_pages()
print(took, _set_madvise_hugepage(False), os.environ.get("NUMPY_MADVISE_HUGEPAGE"))
"""


@pytest.mark.parametrize("user_setting, expected", [
    (None, "True False 0"),    # off, and off for the workers the run starts
    ("1", "False True 1"),     # the user's own setting stands
])
def test_numpy_stops_asking_for_huge_pages_unless_the_user_said(user_setting, expected):
    pytest.importorskip("numpy._core.multiarray")
    env = {k: v for k, v in os.environ.items() if k != "NUMPY_MADVISE_HUGEPAGE"}
    if user_setting is not None:
        env["NUMPY_MADVISE_HUGEPAGE"] = user_setting
    out = subprocess.run([sys.executable, "-c", _HUGE_PAGES_AFTER], capture_output=True,
                         text=True, check=True, env=env)
    assert out.stdout.split() == expected.split()
