"""Helpers shared by the tests of partitioned co-occurrence counting."""

import numpy as np


def write(path, text: str) -> str:
    """Write `text` to `path` as UTF-8, newlines untouched; return the path."""
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    return str(path)


def assert_same(got, expected):
    """The two counts are identical, bit for bit."""
    assert got.words == expected.words
    assert got.n_tokens == expected.n_tokens
    assert (got.window, got.weighting) == (expected.window, expected.weighting)
    for name in ("counts", "rows", "cols", "values"):
        a, b = getattr(got, name), getattr(expected, name)
        assert a.dtype == b.dtype and np.array_equal(a, b), name
