"""Clusters by the map equation: the modules of a graph that make a random walk on it
cheapest to describe (Rosvall & Bergstrom 2008), for any weighted graph
(:func:`cluster_graph`) and for words linked to their nearest neighbours by vector
similarity (:func:`cluster_words`, ``WordVectors.clusters``).

Examples
--------
>>> edges = [("a", "b", 1), ("b", "c", 1), ("c", "a", 1),
...          ("x", "y", 1), ("y", "z", 1), ("z", "x", 1), ("c", "x", 0.1)]
>>> result = cluster_graph(edges, seed=1)
>>> result.n_modules, result.path_of("a") == result.path_of("b") != result.path_of("x")
(2, True)
"""

from __future__ import annotations

import math
import sys
from typing import Hashable, Sequence

import numpy as np

from .._io import open_input
from ..errors import FormatError, InputError
from . import _optimizer
from ._knn import top_k_rows
from .evaluation import nmi, planted_partition

__all__ = ["Clustering", "cluster_graph", "cluster_words", "knn_graph", "nmi",
           "planted_partition", "read_edges", "write_paths"]


class Clustering:
    """Modules found by the map equation.

    Attributes
    ----------
    paths : list of tuple of int
        Each node's module path from the top, numbered from 1 at every level, largest
        flow first: ``(3,)`` in a two-level result, ``(1, 3)`` for submodule 3 of
        module 1 in a hierarchy.
    codelength : float
        Bits per step of the walk under the modules' code.
    one_level_codelength : float
        Bits per step with no modules (the entropy of the node flows).
    flow : ndarray
        Each node's visit rate.
    names : list or None
        Node names (words, or the labels of an edge list), None for integer ids.
    """

    def __init__(self, paths, codelength, one_level_codelength, flow, names=None):
        self.paths = paths
        self.codelength = float(codelength)
        self.one_level_codelength = float(one_level_codelength)
        self.flow = flow
        self.names = names
        self._index = None if names is None else {w: i for i, w in enumerate(names)}

    def __len__(self) -> int:
        return len(self.paths)

    def __repr__(self) -> str:
        return (f"Clustering({len(self)} nodes, {self.n_modules} modules, "
                f"codelength {self.codelength:.4f} bits)")

    @property
    def modules(self) -> np.ndarray:
        """Each node's top-level module, numbered from 0."""
        return np.array([p[0] - 1 for p in self.paths], np.int64)

    @property
    def n_modules(self) -> int:
        """Number of top-level modules."""
        return max((p[0] for p in self.paths), default=0)

    @property
    def n_leaf_modules(self) -> int:
        """Number of modules without submodules."""
        return len(set(self.paths))

    @property
    def depth(self) -> int:
        """Levels of modules (1 for a two-level code)."""
        return max((len(p) for p in self.paths), default=0)

    def path(self, node: int) -> str:
        """Node `node`'s module path as text, e.g. ``"1:3"``."""
        return ":".join(map(str, self.paths[node]))

    def path_of(self, name) -> str:
        """The module path of the node called `name`."""
        if self._index is None or name not in self._index:
            raise KeyError(f"no node named {name!r}")
        return self.path(self._index[name])

    def groups(self, level: int = 1) -> list[list]:
        """The modules of a level (1 = top) as lists of nodes (their names when known),
        largest flow first and, within a module, the nodes of largest flow first."""
        by_module: dict[tuple, list[int]] = {}
        for i, p in enumerate(self.paths):
            by_module.setdefault(p[:level], []).append(i)
        groups = []
        for key in sorted(by_module):
            nodes = sorted(by_module[key], key=lambda i: (-self.flow[i], i))
            groups.append([self.names[i] for i in nodes] if self.names is not None else nodes)
        return groups

    def summary(self, top_modules: int = 10, top_words: int = 8) -> str:
        """Lines on the codelength, the number of modules and the first nodes of the
        largest modules."""
        saved = 1 - self.codelength / self.one_level_codelength if self.one_level_codelength else 0
        lines = [f"codelength {self.codelength:.4f} bits (one module: "
                 f"{self.one_level_codelength:.4f}, {100 * saved:.1f}% saved); "
                 f"{self.n_modules} modules"
                 + (f", {self.n_leaf_modules} leaf modules, {self.depth} levels"
                    if self.depth > 1 else "")]
        groups = self.groups()
        sizes = np.bincount(self.modules)
        for m, g in enumerate(groups[:top_modules]):
            lines.append(f"  {m + 1}: {sizes[m]} nodes: " + " ".join(map(str, g[:top_words])))
        return "\n".join(lines)


def _as_arrays(graph, n_nodes):
    """(rows, cols, weights, n, names) of any accepted graph form."""
    if all(hasattr(graph, a) for a in ("indptr", "indices", "data")):
        graph = ("csr", graph.indptr, graph.indices, graph.data)
    if isinstance(graph, tuple) and len(graph) == 4 and isinstance(graph[0], str):
        _, indptr, indices, data = graph
        indptr = np.asarray(indptr, np.int64)
        rows = np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))
        n = len(indptr) - 1
        return rows, np.asarray(indices, np.int64), np.asarray(data, np.float64), n, None
    if isinstance(graph, tuple) and len(graph) == 3 and all(
            isinstance(a, np.ndarray) for a in graph):
        rows, cols, weights = (np.asarray(graph[0]), np.asarray(graph[1]),
                               np.asarray(graph[2], np.float64))
        if not (rows.shape == cols.shape == weights.shape) or rows.ndim != 1:
            raise InputError("rows, cols and weights must be 1-D arrays of one length")
        if len(rows) and (not np.issubdtype(rows.dtype, np.integer)
                          or not np.issubdtype(cols.dtype, np.integer)):
            raise InputError("rows and cols must be integer node ids")
        n = int(max(rows.max(), cols.max()) + 1) if len(rows) else 0
        if len(rows) and min(rows.min(), cols.min()) < 0:
            raise InputError("node ids must be >= 0")
        return rows.astype(np.int64), cols.astype(np.int64), weights, max(n, n_nodes or 0), None
    index: dict[Hashable, int] = {}
    rows_l, cols_l, w_l = [], [], []
    for edge in graph:
        if len(edge) not in (2, 3):
            raise InputError(f"an edge is (u, v) or (u, v, weight), not {edge!r}")
        for node in edge[:2]:
            if node not in index:
                index[node] = len(index)
        rows_l.append(index[edge[0]])
        cols_l.append(index[edge[1]])
        w_l.append(float(edge[2]) if len(edge) == 3 else 1.0)
    return (np.array(rows_l, np.int64), np.array(cols_l, np.int64), np.array(w_l, np.float64),
            len(index), list(index))


def cluster_graph(graph, directed: bool = False, trials: int = 3, seed: int | None = None,
                  hierarchy: bool = False, n_nodes: int | None = None,
                  teleportation: float = _optimizer.TELEPORTATION,
                  names: Sequence | None = None) -> Clustering:
    """Modules of a weighted graph that minimise the map equation.

    Parameters
    ----------
    graph : edges, arrays or CSR
        One of: an iterable of ``(u, v)`` or ``(u, v, weight)`` with any hashable node
        labels (the result's names, in order of first appearance); a tuple of three
        NumPy arrays ``(rows, cols, weights)`` with integer node ids; ``("csr", indptr,
        indices, data)``, or any object with ``indptr``, ``indices`` and ``data``
        attributes (a SciPy CSR matrix) whose row i holds node i's links.
    directed : bool, default False
        Links go one way. The walk then follows out-links in proportion to their weight
        and jumps to a uniformly chosen node with probability `teleportation` (or from
        a node without out-links); the jumps set the visit rates but are not coded
        (unrecorded teleportation). Undirected: a link is walked both ways.
    trials : int, default 3
        Independent optimisations; the one with the lowest codelength is kept.
    seed : int, optional
        The result is a function of the seed (default 0).
    hierarchy : bool, default False
        Split modules into submodules, recursively, wherever that lowers the
        (multi-level) codelength.
    n_nodes : int, optional
        Number of nodes for integer ids (isolated nodes beyond the largest id).
    names : sequence, optional
        Names of integer nodes, for the result.

    Returns
    -------
    Clustering

    Raises
    ------
    InputError
        An empty graph, negative or non-finite weights, a graph with no positive weight.
    """
    trials = _check_int("trials", trials, 1)
    seed = 0 if seed is None else _check_int("seed", seed, 0)
    if not 0.0 <= teleportation < 1.0:
        raise InputError(f"teleportation must be in [0, 1), not {teleportation!r}")
    rows, cols, weights, n, labels = _as_arrays(graph, n_nodes)
    if names is not None:
        if len(names) < n:
            raise InputError(f"{len(names)} names for {n} nodes")
        labels = list(names)
        n = len(labels)
    if not np.any(rows != cols):
        raise InputError("the graph has no links (between two distinct nodes)")
    if not np.all(np.isfinite(weights)) or np.any(weights < 0):
        raise InputError("link weights must be finite and >= 0")
    keep = weights > 0
    if not keep.any():
        raise InputError("the graph has no link of positive weight")
    g = _optimizer.flow_graph(rows[keep], cols[keep], weights[keep], n, directed,
                              teleportation)
    top, length = _optimizer.optimise(g, trials, seed, hierarchy)
    paths: list[tuple] = [()] * n
    _assign_paths(top, (), paths)
    p = g.node_flow[g.node_flow > 0]
    one_level = float(-np.sum(p * np.log2(p)))
    return Clustering(paths, length, one_level, g.node_flow, labels)


def _assign_paths(modules, prefix: tuple, paths: list) -> None:
    for number, m in enumerate(modules, 1):
        path = prefix + (number,)
        if m.children:
            _assign_paths(m.children, path, paths)
        else:
            for a in m.nodes:
                paths[a] = path


def _check_int(name: str, value, lo: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < lo:
        raise InputError(f"{name} must be an integer >= {lo}, not {value!r}")
    return int(value)


def knn_graph(unit: np.ndarray, k: int, block: int = 1024
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each row's `k` nearest other rows by inner product (cosine for unit rows), as
    arrays (rows, cols, similarity), nearest first (ties: smaller index first), computed
    in blocks of rows."""
    n = len(unit)
    k = min(k, n - 1)
    rows = np.repeat(np.arange(n, dtype=np.int64), k)
    cols = np.empty(n * k, np.int64)
    sims = np.empty(n * k, np.float64)
    for start in range(0, n, block):
        stop = min(start + block, n)
        top, vals = top_k_rows(unit[start:stop] @ unit.T, k, start)
        cols[start * k:stop * k] = top.ravel()
        sims[start * k:stop * k] = vals.ravel()
    return rows, cols, sims


def cluster_words(wv, knn: int = 10, restrict_vocab: int | None = None, trials: int = 3,
                  seed: int | None = None, hierarchy: bool = False) -> Clustering:
    """Word clusters: each word is linked to its `knn` nearest words by cosine of
    whitened vectors (``wv.whitened()``, the similarity of ``most_similar``) with the
    similarity as weight (negative similarities dropped), the links taken as
    undirected (a pair that are each other's neighbours gets both weights), and the
    graph's modules found by :func:`cluster_graph`.

    Parameters
    ----------
    wv : WordVectors
    knn : int, default 10
    restrict_vocab : int, optional
        Cluster only the most frequent words.
    trials, seed, hierarchy
        As in :func:`cluster_graph`.
    """
    knn = _check_int("knn", knn, 1)
    n = len(wv) if restrict_vocab is None else min(_check_int("restrict_vocab",
                                                              restrict_vocab, 2), len(wv))
    if n < 2:
        raise InputError("clustering needs at least two words")
    unit = wv.whitened()[:n]
    rows, cols, sims = knn_graph(unit, knn)
    return cluster_graph((rows, cols, np.clip(sims, 0.0, None)), trials=trials, seed=seed,
                         hierarchy=hierarchy, names=wv.index_to_key[:n])


def read_edges(path: str) -> list[tuple[str, str, float]]:
    """Read a graph as ``u v weight`` lines (names without spaces; the weight may be
    left out for 1); blank lines and lines starting with ``#`` are skipped.

    Raises
    ------
    InputError / FormatError
        A missing file, a line that is not ``u v [weight]`` (with its number), a weight
        that is not a finite number >= 0, no edges.
    """
    f = sys.stdin.buffer if path == "-" else open_input(path, "an edge list")
    name = "stdin" if path == "-" else path
    edges = []
    with f:
        for number, raw in enumerate(f, 1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise FormatError(f"{name}, line {number}: not UTF-8") from None
            fields = line.split()
            if not fields or fields[0].startswith("#"):
                continue
            if len(fields) not in (2, 3):
                raise FormatError(f"{name}, line {number}: expected 'u v weight', got "
                                  f"{line.strip()[:60]!r}")
            try:
                weight = float(fields[2]) if len(fields) == 3 else 1.0
            except ValueError:
                weight = math.nan
            if not math.isfinite(weight) or weight < 0:
                raise FormatError(f"{name}, line {number}: the weight {fields[2]!r} is not "
                                  "a finite number >= 0")
            edges.append((fields[0], fields[1], weight))
    if not edges:
        raise InputError(f"{name} holds no edges")
    return edges


def write_paths(result: Clustering, out) -> None:
    """Write ``name<TAB>module path`` lines in node order."""
    names = result.names if result.names is not None else range(len(result))
    for i, name in enumerate(names):
        out.write(f"{name}\t{result.path(i)}\n")
