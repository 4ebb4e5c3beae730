"""Sorted (key, count) tables merged, and runs of an array gathered."""

from __future__ import annotations

import numpy as np


from .._jit import njit
from .arrays import new_array
@njit(cache=True)
def merge_counts(k1, c1, k2, c2):
    """Merge two sorted (key, count) tables, adding the counts of shared keys.

    Counts may be integers or floats (weighted counts); the result is copied out of
    the merge buffer so that the buffer's slack is freed."""
    n1, n2 = len(k1), len(k2)
    keys = new_array(n1 + n2, np.int64)
    counts = new_array(n1 + n2, c1.dtype.type)
    i = j = m = 0
    while i < n1 and j < n2:
        if k1[i] < k2[j]:
            keys[m] = k1[i]
            counts[m] = c1[i]
            i += 1
        elif k2[j] < k1[i]:
            keys[m] = k2[j]
            counts[m] = c2[j]
            j += 1
        else:
            keys[m] = k1[i]
            counts[m] = c1[i] + c2[j]
            i += 1
            j += 1
        m += 1
    while i < n1:
        keys[m] = k1[i]
        counts[m] = c1[i]
        i += 1
        m += 1
    while j < n2:
        keys[m] = k2[j]
        counts[m] = c2[j]
        j += 1
        m += 1
    return keys[:m].copy(), counts[:m].copy()


@njit(cache=True)
def gather_runs(ids, starts, lens):
    """Concatenate the runs ids[starts[k]:starts[k] + lens[k]]."""
    total = 0
    for k in range(len(starts)):
        total += lens[k]
    out = new_array(total, ids.dtype.type)
    m = 0
    for k in range(len(starts)):
        for i in range(starts[k], starts[k] + lens[k]):
            out[m] = ids[i]
            m += 1
    return out
