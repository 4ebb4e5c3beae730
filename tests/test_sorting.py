"""The heap sort kernel against Python's sorted()."""

import numpy as np
from hypothesis import given, settings, strategies as st

from nlpzero._kernels.sorting import heapsort
from inner import call_inner


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-2**40, 2**40), max_size=300))
def test_heapsort_matches_sorted(values):
    a = np.array(values, dtype=np.int64)
    call_inner(heapsort, a)
    assert a.tolist() == sorted(values)


def test_heapsort_sorts_a_view_in_place():
    a = np.array([9, 5, 7, 1, 3, 8], dtype=np.int64)
    call_inner(heapsort, a[:4])
    assert a.tolist() == [1, 5, 7, 9, 3, 8]
    b = np.random.default_rng(0).integers(0, 50, 5000)
    expected = np.sort(b)
    call_inner(heapsort, b)
    assert (b == expected).all()
