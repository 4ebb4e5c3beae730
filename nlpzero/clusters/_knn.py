"""Numba kernel of the nearest-neighbour graph: the k largest entries of each row."""

from __future__ import annotations

import numpy as np


from .._jit import njit
from .._kernels.arrays import new_array
@njit(cache=True)
def top_k_rows(s, k, diagonal):
    """Columns and values of the `k` largest entries of every row of `s`, largest first
    (ties: smaller column first), leaving out column ``row + diagonal`` (the row's own
    item). Needs ``k < s.shape[1]``."""
    rows, n = s.shape
    cols = new_array((rows, k), np.int64)
    vals = new_array((rows, k), np.float64)
    for r in range(rows):
        count = 0
        own = r + diagonal
        for j in range(n):
            if j == own:
                continue
            v = s[r, j]
            if count == k:
                if not v > vals[r, k - 1]:
                    continue
                p = k - 1
            else:
                p = count
                count += 1
            # Insertion: shift the smaller values down (equal ones stay ahead).
            while p > 0 and vals[r, p - 1] < v:
                vals[r, p] = vals[r, p - 1]
                cols[r, p] = cols[r, p - 1]
                p -= 1
            vals[r, p] = v
            cols[r, p] = j
    return cols, vals
