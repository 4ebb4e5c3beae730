"""Sorting kernels shared by other kernels.

numba's ``np.sort`` is a generic introsort whose first compilation takes a second or two;
a kernel that only needs to sort small integer arrays uses :func:`heapsort`, which
compiles in a fraction of that.
"""

from __future__ import annotations

from .._jit import njit_inner


@njit_inner
def heapsort(a):
    """Sort the 1-D array `a` in place, ascending (not stable; O(n log n))."""
    start = len(a) // 2
    end = len(a)
    while end > 1:
        if start > 0:  # building the heap
            start -= 1
        else:  # moving the largest element behind the heap
            end -= 1
            top = a[end]
            a[end] = a[0]
            a[0] = top
        root = start
        while True:  # sift the element at root down
            child = 2 * root + 1
            if child >= end:
                break
            if child + 1 < end and a[child] < a[child + 1]:
                child += 1
            if a[root] < a[child]:
                top = a[root]
                a[root] = a[child]
                a[child] = top
                root = child
            else:
                break
