"""Open-addressing hash tables of int64 keys, in flat int64 arrays.

Every table of nlpzero hashes with :func:`first_slot` (Fibonacci hashing) and probes
linearly. :func:`build_index` makes the read-only kind most modules use: slots
interleave key and value, so that a probe touches one cache line, and an empty slot
holds key -1.
"""

from __future__ import annotations

import numpy as np

from .._jit import njit, njit_inner
from .arrays import new_array


@njit_inner
def first_slot(key, mask):
    """The first slot of `key` in a table of ``mask + 1`` slots (a power of two)."""
    # Fibonacci hashing in unsigned arithmetic (wrap-around is defined behaviour).
    return np.int64((np.uint64(key) * np.uint64(11400714819323198485)) >> np.uint64(27)) & mask


@njit(cache=True)
def build_index(keys):
    """Open-addressing table mapping each key to its position in `keys` (distinct,
    non-negative keys), at most half full.

    Slots interleave key and value so that a probe touches one cache line.
    """
    size = 16
    while size < 2 * len(keys):
        size *= 2
    table = new_array(2 * size, np.int64)
    table[:] = -1
    mask = size - 1
    for i in range(len(keys)):
        s = first_slot(keys[i], mask)
        while table[2 * s] != -1:
            s = (s + 1) & mask
        table[2 * s] = keys[i]
        table[2 * s + 1] = i
    return table


@njit_inner
def lookup(table, key):
    """The value of `key` in a table of :func:`build_index`, or -1."""
    # One exit: with a return inside the loop Numba keeps atomic reference-count
    # updates of `table` around every inlined call, which cost more than the probe.
    mask = len(table) // 2 - 1
    s = first_slot(key, mask)
    k = table[2 * s]
    while k != key and k != -1:
        s = (s + 1) & mask
        k = table[2 * s]
    found = table[2 * s + 1]
    return found if k == key else np.int64(-1)
