"""The command line's allocator settings: freed blocks are reused, not faulted in again."""

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


def test_the_command_line_sets_the_allocator(monkeypatch, tmp_path):
    calls = []
    monkeypatch.setattr(cli, "reuse_freed_memory", lambda: calls.append(1) or True)
    (tmp_path / "a.txt").write_text("我们的祖国\n", encoding="utf-8")
    assert cli.main(["segment", "-q", str(tmp_path / "a.txt"), "-o", str(tmp_path / "o")]) == 0
    assert calls == [1]
