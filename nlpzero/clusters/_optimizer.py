"""The map equation optimiser: flow graphs, multi-level greedy moves, refinement, trials
and the optional hierarchy. The loops over levels live here; every pass over nodes or
links is a kernel of :mod:`._mapequation`."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import _mapequation as K

#: Probability of a random jump of the walk on a directed graph (as infomap's default).
TELEPORTATION = 0.15
#: Smallest codelength change (bits) counted as an improvement.
MIN_DELTA = 1e-10
#: Sweeps of greedy moves at most per level.
MAX_SWEEPS = 50
#: Rounds of refinement (fine-tune, then coarse-tune) at most per trial.
MAX_REFINE = 10
#: Depth of the hierarchy at most.
MAX_DEPTH = 12


class FlowGraph(NamedTuple):
    """Link flows as CSR (out-links) and reverse CSR (in-links), node flows, and each
    node's whole out- and in-flow (see :mod:`._mapequation`)."""
    indptr: np.ndarray
    indices: np.ndarray
    flow: np.ndarray
    rindptr: np.ndarray
    rindices: np.ndarray
    rflow: np.ndarray
    symmetric: bool
    node_flow: np.ndarray
    node_out: np.ndarray
    node_in: np.ndarray

    @property
    def n(self) -> int:
        return len(self.node_flow)


def to_csr(rows: np.ndarray, cols: np.ndarray, values: np.ndarray, n: int):
    """CSR of the entries (rows, cols, values), duplicates summed, columns sorted."""
    key = rows.astype(np.int64) * n + cols.astype(np.int64)
    order = np.argsort(key, kind="stable")
    key = key[order]
    if len(key):
        first = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
        values = np.add.reduceat(values[order], first)
        key = key[first]
    else:
        values = values[order]
    r = key // n
    indptr = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(r, minlength=n), out=indptr[1:])
    return indptr, (key % n).astype(np.int32), values.astype(np.float64)


def flow_graph(rows, cols, weights, n: int, directed: bool,
               teleportation: float = TELEPORTATION) -> FlowGraph:
    """The flow of a random walk on the weighted graph of `n` nodes.

    Undirected: a node's flow is its strength over the total (a self-link counts once),
    a link's flow in each direction its weight over the total. Directed: node flows are
    PageRank with `teleportation` to a uniformly chosen node (and from dangling nodes),
    and a link's flow is ``p_a w_ab / w_a`` normalised over all links: the teleportation
    steps are not coded ("unrecorded", as infomap does by default).
    """
    rows = np.asarray(rows, np.int64)
    cols = np.asarray(cols, np.int64)
    weights = np.asarray(weights, np.float64)
    loop = rows == cols
    if directed:
        indptr, indices, w = to_csr(rows, cols, weights, n)
        p = K.pagerank(indptr, indices, w, teleportation, 1e-15, 1000)
        out_w = np.add.reduceat(w, indptr[:-1]) if len(w) else np.zeros(n)
        out_w[np.diff(indptr) == 0] = 0.0
        src = np.repeat(np.arange(n), np.diff(indptr))
        link = p[src] * w / np.where(out_w[src] > 0, out_w[src], 1.0)
        total = link.sum()
        if total > 0:
            link /= total
        # A node's flow is the flow into it along links (self-links included).
        node_flow = np.bincount(indices, link, minlength=n)
        keep = src != indices
        src, dst, link = src[keep], indices[keep].astype(np.int64), link[keep]
        indptr, indices, f = to_csr(src, dst, link, n)
        rindptr, rindices, rf = to_csr(dst, src, link, n)
        node_out = np.bincount(src, link, minlength=n)
        node_in = np.bincount(dst, link, minlength=n)
        return FlowGraph(indptr, indices, f, rindptr, rindices, rf, False, node_flow,
                         node_out, node_in)
    strength = (np.bincount(rows, weights, minlength=n)
                + np.bincount(cols[~loop], weights[~loop], minlength=n))
    total = strength.sum()
    r, c, w = rows[~loop], cols[~loop], weights[~loop]
    indptr, indices, f = to_csr(np.concatenate((r, c)), np.concatenate((c, r)),
                                np.concatenate((w, w)) / total, n)
    node_out = np.bincount(np.repeat(np.arange(n), np.diff(indptr)), f, minlength=n)
    return FlowGraph(indptr, indices, f, indptr, indices, f, True, strength / total,
                     node_out, node_out)


def aggregate_graph(g: FlowGraph, module: np.ndarray, k: int) -> FlowGraph:
    """The flow graph whose nodes are the `k` modules of `module` (dense ids)."""
    indptr, indices, flow, internal = K.aggregate(g.indptr, g.indices, g.flow, module, k)
    if g.symmetric:
        rindptr, rindices, rflow = indptr, indices, flow
    else:
        rindptr, rindices, rflow, _ = K.aggregate(g.rindptr, g.rindices, g.rflow, module, k)
    node_flow = np.bincount(module, g.node_flow, minlength=k)
    node_out = np.bincount(module, g.node_out, minlength=k) - internal
    node_in = np.bincount(module, g.node_in, minlength=k) - internal
    return FlowGraph(indptr, indices, flow, rindptr, rindices, rflow, g.symmetric,
                     node_flow, node_out, node_in)


def partition_codelength(g: FlowGraph, module: np.ndarray, offset: float = 0.0) -> float:
    """Two-level codelength of the partition `module` (dense ids) of `g`."""
    k = int(module.max()) + 1 if len(module) else 0
    stats = K.module_stats(g.indptr, g.indices, g.flow, g.node_flow, g.node_out, g.node_in,
                           module, k)
    return float(K.codelength(*stats, g.node_flow, offset))


def _levels(g: FlowGraph, init, constraint, offset: float, state) -> np.ndarray:
    """Greedy moves from `init` (default: every node alone), then the modules become
    nodes and the moves repeat, until a level merges nothing. Returns each node's module
    (dense ids)."""
    level = g
    module = np.arange(g.n, dtype=np.int64) if init is None else init.astype(np.int64)
    cons = np.zeros(g.n, np.int64) if constraint is None else constraint.astype(np.int64)
    fine = np.arange(g.n, dtype=np.int64)
    while True:
        K.move_nodes(level.indptr, level.indices, level.flow, level.rindptr, level.rindices,
                     level.rflow, level.symmetric, level.node_flow, level.node_out,
                     level.node_in, cons, module, offset, state, MAX_SWEEPS, MIN_DELTA)
        module, k = K.renumber(module)
        fine = module[fine]
        if k == level.n:
            return fine
        level = aggregate_graph(level, module, k)
        parent = np.empty(k, np.int64)
        parent[module] = cons
        cons = parent
        module = np.arange(k, dtype=np.int64)


def _trial(g: FlowGraph, offset: float, state) -> tuple[np.ndarray, float]:
    """One trial: multi-level moves, then rounds of refinement while they help. A round
    re-runs the moves from the current modules on single nodes (fine-tune), then splits
    every module into submodules (moves constrained to the module) and moves the
    submodules between modules (coarse-tune)."""
    module = _levels(g, None, None, offset, state)
    best = partition_codelength(g, module, offset)
    for _ in range(MAX_REFINE):
        improved = False
        fine = _levels(g, module, None, offset, state)
        length = partition_codelength(g, fine, offset)
        if length < best - MIN_DELTA:
            module, best, improved = fine, length, True
        sub = _levels(g, None, module, offset, state)
        k = int(sub.max()) + 1
        if k < g.n:
            parent = np.empty(k, np.int64)
            parent[sub] = module
            coarse = _levels(aggregate_graph(g, sub, k), parent, None, offset, state)[sub]
            length = partition_codelength(g, coarse, offset)
            if length < best - MIN_DELTA:
                module, best, improved = coarse, length, True
        if not improved:
            break
    return module, best


def best_partition(g: FlowGraph, trials: int, seed: int, offset: float = 0.0
                   ) -> tuple[np.ndarray, float]:
    """The partition with the lowest codelength of `trials` seeded trials."""
    best, best_len = None, np.inf
    for t in range(trials):
        state = np.array([(seed * 1_000_003 + t * 7919 + 0x2545F491) & ((1 << 48) - 1)],
                         np.int64)
        module, length = _trial(g, offset, state)
        if length < best_len - MIN_DELTA:
            best, best_len = module, length
    return best, best_len


class Module(NamedTuple):
    """A module of the hierarchy: its nodes (global ids), flow, and submodules (empty
    for a leaf)."""
    nodes: np.ndarray
    flow: float
    exit: float
    enter: float
    children: list


def _sub_flow_graph(g: FlowGraph, nodes: np.ndarray, local: np.ndarray) -> FlowGraph:
    local[nodes] = np.arange(len(nodes))
    indptr, indices, flow = K.subgraph(g.indptr, g.indices, g.flow, nodes, local)
    if g.symmetric:
        r = (indptr, indices, flow)
    else:
        r = K.subgraph(g.rindptr, g.rindices, g.rflow, nodes, local)
    local[nodes] = -1
    return FlowGraph(indptr, indices, flow, *r, g.symmetric, g.node_flow[nodes],
                     g.node_out[nodes], g.node_in[nodes])


def _modules(g: FlowGraph, module: np.ndarray, nodes: np.ndarray) -> list[Module]:
    """The modules of the partition `module` of `g` (whose nodes are `nodes` of the whole
    graph), as leaves, largest flow first."""
    k = int(module.max()) + 1
    flow, exit_, enter = K.module_stats(g.indptr, g.indices, g.flow, g.node_flow,
                                        g.node_out, g.node_in, module, k)
    order = np.argsort(module, kind="stable")
    groups = np.split(nodes[order], np.cumsum(np.bincount(module, minlength=k))[:-1])
    mods = [Module(groups[i], float(flow[i]), float(exit_[i]), float(enter[i]), [])
            for i in range(k)]
    mods.sort(key=lambda m: (-m.flow, m.nodes[0]))
    return mods


def leaf_codelength(g: FlowGraph, m: Module) -> float:
    """Bits per step of a leaf module's codebook: its exit and its nodes."""
    p = g.node_flow[m.nodes]
    return (K.plogp(m.exit + m.flow) - K.plogp(m.exit)
            - float(np.sum(p[p > 0] * np.log2(p[p > 0]))))


def split(g: FlowGraph, m: Module, trials: int, seed: int, local: np.ndarray,
          depth: int) -> float:
    """Split the module `m` into submodules, recursively, where that lowers the
    codelength (multi-level map equation); fills ``m.children``. Returns the bits per
    step of `m`'s part of the code."""
    leaf = leaf_codelength(g, m)
    if depth >= MAX_DEPTH or len(m.nodes) < 3:
        return leaf
    sub = _sub_flow_graph(g, m.nodes, local)
    module, length = best_partition(sub, trials, seed + depth, offset=m.exit)
    k = int(module.max()) + 1
    if k < 2 or k == len(m.nodes) or length - K.plogp(m.exit) >= leaf - MIN_DELTA:
        return leaf
    children = _modules(sub, module, m.nodes)
    enter_sum = sum(c.enter for c in children)
    total = (K.plogp(m.exit + enter_sum) - K.plogp(m.exit)
             - sum(K.plogp(c.enter) for c in children))
    for c in children:
        total += split(g, c, trials, seed, local, depth + 1)
    m.children.extend(children)
    return total


def optimise(g: FlowGraph, trials: int, seed: int, hierarchy: bool
             ) -> tuple[list[Module], float]:
    """The top modules (with submodules when `hierarchy`) and the codelength."""
    module, length = best_partition(g, trials, seed)
    top = _modules(g, module, np.arange(g.n, dtype=np.int64))
    if not hierarchy:
        return top, length
    local = np.full(g.n, -1, np.int64)
    total = (K.plogp(sum(m.enter for m in top)) - sum(K.plogp(m.enter) for m in top))
    for m in top:
        total += split(g, m, trials, seed, local, 1)
    return top, total
