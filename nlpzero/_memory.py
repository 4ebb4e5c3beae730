"""Memory settings for a process that the command line owns: the C allocator's, and
NumPy's requests for huge pages.

Partitioned work allocates and frees arrays of tens of MB step after step. glibc's
malloc serves blocks above its mmap threshold (dynamic, at most 32 MB) with fresh
mappings and returns them to the kernel when freed, so every such array is faulted in
page by page again: on 100 MB of text, half a million page faults and a quarter of the
run's time in the kernel. Raising the threshold and the heap's trim threshold lets freed
blocks be reused (about 9% more peak memory on that run). Library calls leave the
allocator alone: only the ``nlpzero`` command, which owns its process, asks for this.
"""

from __future__ import annotations

import ctypes
import os
import sys

#: Blocks below this come from the heap and are reused once freed (glibc's M_MMAP_THRESHOLD).
MMAP_THRESHOLD = 256 << 20
#: Free memory the heap keeps at its top instead of returning it (M_TRIM_THRESHOLD).
TRIM_THRESHOLD = 1 << 30

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3


def reuse_freed_memory() -> bool:
    """Ask glibc's malloc to keep freed blocks for reuse; True if it took the settings
    (False elsewhere: other C libraries, other systems)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (e.g. musl has no mallopt)
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
                and mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))


def no_huge_pages() -> bool:
    """Stop NumPy from asking the kernel for transparent huge pages for its large arrays
    (``madvise(MADV_HUGEPAGE)``); True if NumPy took the setting.

    Where the kernel's THP defrag setting is ``madvise`` (a common default), each fault
    in such an array may compact memory first to find a free 2 MB page: on 100 MB of text,
    lexicon learning spent 3 s of system time against 1 s without the requests (the
    same user time), and the time swung from run to run. A user's own
    ``NUMPY_MADVISE_HUGEPAGE`` is left to decide.
    """
    if "NUMPY_MADVISE_HUGEPAGE" in os.environ:
        return False
    try:
        from numpy._core.multiarray import _set_madvise_hugepage
    except ImportError:  # private to NumPy: a release that moves it keeps its default
        return False
    _set_madvise_hugepage(False)
    # Worker processes that start afresh (spawned, or a local Dask cluster's) read it.
    os.environ["NUMPY_MADVISE_HUGEPAGE"] = "0"
    return True
