"""Comparing clusterings, and graphs with planted modules to test clustering on."""

from __future__ import annotations

import numpy as np

from ..errors import InputError


def nmi(a, b) -> float:
    """Normalised mutual information of two labellings of the same items,
    ``2 I(a; b) / (H(a) + H(b))`` (1 when both put everything in one group).

    Examples
    --------
    >>> nmi([0, 0, 1, 1], [5, 5, 7, 7]), nmi([0, 0, 1, 1], [0, 1, 0, 1])
    (1.0, 0.0)
    """
    a = np.unique(np.asarray(a), return_inverse=True)[1].ravel()
    b = np.unique(np.asarray(b), return_inverse=True)[1].ravel()
    if len(a) != len(b):
        raise InputError(f"labellings of {len(a)} and {len(b)} items")
    if len(a) == 0:
        raise InputError("no items to compare")
    n = len(a)
    joint = np.bincount(a * (b.max() + 1) + b).astype(np.float64) / n
    joint = joint[joint > 0]
    pa = np.bincount(a) / n
    pb = np.bincount(b) / n
    ha = -np.sum(pa * np.log(pa))
    hb = -np.sum(pb * np.log(pb))
    if ha + hb == 0:
        return 1.0
    mi = ha + hb + np.sum(joint * np.log(joint))
    return float(max(0.0, 2 * mi / (ha + hb)))


def planted_partition(n: int, k: int, degree_in: float, degree_out: float,
                      seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A random graph of `n` nodes in `k` planted modules (each node's module drawn
    uniformly): about ``n * degree_in / 2`` links inside modules, between uniformly
    drawn members of one module, and ``n * degree_out / 2`` links between uniformly
    drawn nodes anywhere; self-links dropped, repeats kept (their weights add up).

    Returns (rows, cols, weights, planted module of every node).
    """
    if n < 2 or not 1 <= k <= n:
        raise InputError(f"need n >= 2 and 1 <= k <= n, not n={n}, k={k}")
    rng = np.random.default_rng(seed)
    label = rng.integers(0, k, n)
    order = np.argsort(label, kind="stable")
    start = np.searchsorted(label[order], np.arange(k + 1))
    m_in, m_out = int(n * degree_in / 2), int(n * degree_out / 2)
    u = rng.integers(0, n, m_in)
    size = start[label[u] + 1] - start[label[u]]
    v = order[start[label[u]] + (rng.random(m_in) * size).astype(np.int64)]
    rows = np.concatenate((u, rng.integers(0, n, m_out)))
    cols = np.concatenate((v, rng.integers(0, n, m_out)))
    keep = rows != cols
    return rows[keep], cols[keep], np.ones(int(keep.sum())), label
