"""The map equation optimiser: flow graphs, multi-level greedy moves, refinement, trials
and the optional hierarchy. The loops over levels live here; every pass over nodes or
links is a kernel of :mod:`._mapequation`."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import numpy as np

from . import _mapequation as K

#: Probability of a random jump of the walk on a directed graph (as infomap's default).
TELEPORTATION = 0.15
#: Smallest codelength change (bits) counted as an improvement.
MIN_DELTA = 1e-10
#: Sweeps of greedy moves at most per level.
MAX_SWEEPS = 50
#: Links from which the trials run in threads (below, starting threads costs more than
#: it saves: the many small subgraphs of the hierarchy).
PARALLEL_LINKS = 20_000
#: Rounds of refinement (fine-tune, then coarse-tune) at most per trial.
MAX_REFINE = 10
#: A round of refinement is repeated only when the last one shortened the code by more
#: than this fraction (on the word graph of the benchmark, rounds after the second gain
#: 1e-4 of the codelength each, at the cost of the first pass each).
REFINE_RELATIVE = 1e-3
#: Levels of moves that find the submodules of the coarse-tune.
SUBMODULE_LEVELS = 1
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
        src = np.repeat(np.arange(n), np.diff(indptr))
        out_w = np.bincount(src, w, minlength=n)
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


def _levels(g: FlowGraph, init, constraint, offset: float, state,
            max_levels: int = 1 << 30) -> np.ndarray:
    """Greedy moves from `init` (default: every node alone), then the modules become
    nodes and the moves repeat, until a level merges nothing (or `max_levels` levels).
    Returns each node's module (dense ids)."""
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
        max_levels -= 1
        if k == level.n or max_levels == 0:
            return fine
        level = aggregate_graph(level, module, k)
        parent = np.empty(k, np.int64)
        parent[module] = cons
        cons = parent
        module = np.arange(k, dtype=np.int64)


def _fine_tune(g: FlowGraph, module: np.ndarray, best: float, offset: float, state):
    """Greedy moves of single nodes from the current modules, then of the modules, as
    in the first pass; repeated while it helps."""
    while True:
        fine = _levels(g, module, None, offset, state)
        length = partition_codelength(g, fine, offset)
        if length >= best - MIN_DELTA:
            return module, best
        module, best = fine, length


def _coarse_tune(g: FlowGraph, module: np.ndarray, offset: float, state) -> np.ndarray:
    """Every module split into submodules (moves of nodes, constrained to their module),
    and the submodules moved between modules, starting from their modules."""
    sub = _levels(g, None, module, offset, state, SUBMODULE_LEVELS)
    k = int(sub.max()) + 1
    if k == g.n:
        return module
    parent = np.empty(k, np.int64)
    parent[sub] = module
    return _levels(aggregate_graph(g, sub, k), parent, None, offset, state)[sub]


def _trial(g: FlowGraph, offset: float, state) -> tuple[np.ndarray, float]:
    """One trial: multi-level moves, then rounds of refinement: fine-tune (moves of
    single nodes from the current modules) while it helps, then coarse-tune (moves of
    submodules); another round while the last one shortened the code by more than
    `REFINE_RELATIVE`."""
    module = _levels(g, None, None, offset, state)
    best = partition_codelength(g, module, offset)
    for _ in range(MAX_REFINE):
        start = best
        module, best = _fine_tune(g, module, best, offset, state)
        coarse = _coarse_tune(g, module, offset, state)
        length = partition_codelength(g, coarse, offset)
        if length < best - MIN_DELTA:
            module, best = coarse, length
        if start - best <= max(MIN_DELTA, REFINE_RELATIVE * abs(start)) or best == start:
            break
    return module, best


def best_partition(g: FlowGraph, trials: int, seed: int, offset: float = 0.0
                   ) -> tuple[np.ndarray, float]:
    """The partition with the lowest codelength of `trials` seeded trials."""
    states = [np.array([(seed * 1_000_003 + t * 7919 + 0x2545F491) & ((1 << 48) - 1)], np.int64)
              for t in range(trials)]
    threads = min(trials, os.cpu_count() or 1)
    if threads > 1 and len(g.indices) >= PARALLEL_LINKS:
        # Trials are independent and their kernels release the GIL: one per core.
        with ThreadPoolExecutor(max_workers=threads) as pool:
            results = list(pool.map(lambda state: _trial(g, offset, state), states))
    else:
        results = [_trial(g, offset, state) for state in states]
    best, best_len = None, np.inf
    for module, length in results:  # in trial order: the same choice as one by one
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


def _index_codelength(exit_: float, children: list[Module]) -> float:
    """Bits per step of the codebook of a module (or the root, exit 0) over its exit
    and its submodules' entries."""
    return (K.plogp(exit_ + sum(c.enter for c in children)) - K.plogp(exit_)
            - sum(K.plogp(c.enter) for c in children))


def _module_codelength(g: FlowGraph, m: Module) -> float:
    if not m.children:
        return leaf_codelength(g, m)
    return (_index_codelength(m.exit, m.children)
            + sum(_module_codelength(g, c) for c in m.children))


def tree_codelength(g: FlowGraph, top: list[Module]) -> float:
    """The multi-level map equation of a tree of modules (the two-level one when no
    module has submodules)."""
    return _index_codelength(0.0, top) + sum(_module_codelength(g, m) for m in top)


def _super_modules(g: FlowGraph, top: list[Module], trials: int, seed: int):
    """Modules of the modules `top` (the best two-level partition of the graph whose
    nodes are the modules), or None when that partition is trivial."""
    module = np.empty(g.n, np.int64)
    for i, m in enumerate(top):
        module[m.nodes] = i
    # The walk's steps between modules are coded by module entries: the graph of
    # modules with their enter flows as node flows is the index codebook's network, and
    # its two-level codelength is the index part of the three-level code (the leaves'
    # codebooks do not change).
    agg = aggregate_graph(g, module, len(top))
    agg = agg._replace(node_flow=agg.node_in)
    sup, _ = best_partition(agg, trials, seed)
    k = int(sup.max()) + 1
    if k < 2 or k == len(top):
        return None
    flow, exit_, enter = K.module_stats(agg.indptr, agg.indices, agg.flow, agg.node_flow,
                                        agg.node_out, agg.node_in, sup, k)
    supers = []
    for i in range(k):
        children = [top[j] for j in np.flatnonzero(sup == i)]
        supers.append(Module(np.concatenate([c.nodes for c in children]),
                             sum(c.flow for c in children), float(exit_[i]), float(enter[i]),
                             children))
    supers.sort(key=lambda m: (-m.flow, m.nodes.min()))
    return supers


def split(g: FlowGraph, m: Module, trials: int, seed: int, local: np.ndarray,
          depth: int) -> None:
    """Split the leaf module `m` into submodules, recursively, where that lowers the
    codelength (multi-level map equation); fills ``m.children``."""
    if depth >= MAX_DEPTH or len(m.nodes) < 3:
        return
    sub = _sub_flow_graph(g, m.nodes, local)
    module, length = best_partition(sub, trials, seed + depth, offset=m.exit)
    k = int(module.max()) + 1
    # `length` counts the submodules as leaves and m's index codebook but for the
    # caller's -plogp(exit).
    if (k < 2 or k == len(m.nodes)
            or length - K.plogp(m.exit) >= leaf_codelength(g, m) - MIN_DELTA):
        return
    m.children.extend(_modules(sub, module, m.nodes))
    for c in m.children:
        split(g, c, trials, seed, local, depth + 1)


def _leaves(modules: list[Module], depth: int = 1):
    for m in modules:
        if m.children:
            yield from _leaves(m.children, depth + 1)
        else:
            yield m, depth


def optimise(g: FlowGraph, trials: int, seed: int, hierarchy: bool
             ) -> tuple[list[Module], float]:
    """The top modules (with submodules when `hierarchy`) and the codelength.

    Two levels: the best of `trials` partitions, or one module when no partition codes
    the walk shorter. Hierarchy: then modules of modules are sought (the best partition
    of the graph of modules) while they shorten the multi-level code, and every module
    without submodules is split where that helps, recursively.
    """
    module, length = best_partition(g, trials, seed)
    one = np.zeros(g.n, np.int64)
    if length >= partition_codelength(g, one) - MIN_DELTA:
        module = one
    top = _modules(g, module, np.arange(g.n, dtype=np.int64))
    if not hierarchy:
        return top, tree_codelength(g, top)
    length = tree_codelength(g, top)
    while len(top) > 2:
        supers = _super_modules(g, top, trials, seed)
        if supers is None:
            break
        new_length = tree_codelength(g, supers)
        if new_length >= length - MIN_DELTA:
            break
        top, length = supers, new_length
    local = np.full(g.n, -1, np.int64)
    for m, depth in list(_leaves(top)):
        split(g, m, trials, seed, local, depth)
    return top, tree_codelength(g, top)
