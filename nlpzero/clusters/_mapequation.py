"""Numba kernels of the map equation (Rosvall & Bergstrom 2008) and its optimiser.

A graph here is a flow graph: `node_flow[a]` is the rate at which a random walk visits
node a, and a CSR matrix (`indptr`, `indices`, `flow`) holds the rate at which it steps
along each link a -> b (no self-links). `node_out[a]` / `node_in[a]` are the node's whole
out- and in-flow, which may exceed the CSR's row sums when the CSR is the subgraph of a
larger graph (the rest leaves to nodes outside it, and always counts as exit flow). The
reverse CSR (`rindptr`, `rindices`, `rflow`) lists every node's in-links; an undirected
graph passes its symmetric CSR twice with ``symmetric=True``.

For a partition into modules with flow p_i (the sum of their nodes' flows), exit flow
q_i and enter flow e_i, the two-level codelength in bits per step is

    L = plogp(offset + sum_i e_i) - sum_i plogp(e_i) - sum_i plogp(q_i)
        + sum_i plogp(q_i + p_i) - sum_a plogp(p_a)

with plogp(x) = x log2 x. `offset` is 0 for a whole graph; when the graph is one module m
of a hierarchy being split into submodules it is m's exit flow, which shares m's index
codebook with the submodules' enter codewords (the caller subtracts plogp(offset)). For an
undirected graph e_i = q_i and this is section 11's formula.

Every kernel takes arrays and scalars only; random numbers come from a 48-bit linear
congruential generator kept in a one-element array, so that a seed gives the same result
with and without the JIT.
"""

from __future__ import annotations

import numpy as np

from .._jit import njit, njit_inner
from .._kernels.arrays import new_array
_LCG_MUL = 0x5DEECE66D
_LCG_ADD = 0xB
_LCG_MASK = (1 << 48) - 1


@njit(cache=True, nogil=True)
def plogp(x):
    """x log2 x, and 0 for x <= 0 (rounding can leave a flow at -1e-17)."""
    return x * np.log2(x) if x > 0.0 else 0.0


@njit_inner(nogil=True)
def rand_below(state, n):
    """A pseudo-random integer in [0, n) from the generator in `state` (advanced)."""
    # int(): exact in Python, wrapping in 64 bits under the JIT; the low 48 bits agree.
    s = (int(state[0]) * _LCG_MUL + _LCG_ADD) & _LCG_MASK
    state[0] = s
    return (s >> 17) % n


@njit(cache=True, nogil=True)
def shuffle(order, state):
    """Fisher-Yates shuffle of `order` in place."""
    for i in range(len(order) - 1, 0, -1):
        j = rand_below(state, i + 1)
        t = order[i]
        order[i] = order[j]
        order[j] = t


@njit(cache=True, nogil=True)
def module_stats(indptr, indices, flow, node_flow, node_out, node_in, module, n_modules):
    """Flow, exit flow and enter flow of every module of the partition `module`."""
    mod_flow = new_array(n_modules, np.float64)
    mod_flow[:] = 0.0
    mod_exit = new_array(n_modules, np.float64)
    mod_exit[:] = 0.0
    mod_enter = new_array(n_modules, np.float64)
    mod_enter[:] = 0.0
    for a in range(len(node_flow)):
        m = module[a]
        mod_flow[m] += node_flow[a]
        mod_exit[m] += node_out[a]
        mod_enter[m] += node_in[a]
        for k in range(indptr[a], indptr[a + 1]):
            if module[indices[k]] == m:
                # A link inside the module is neither an exit nor an entry.
                mod_exit[m] -= flow[k]
                mod_enter[m] -= flow[k]
    return mod_flow, mod_exit, mod_enter


@njit(cache=True, nogil=True)
def codelength(mod_flow, mod_exit, mod_enter, node_flow, offset):
    """Two-level codelength of a partition from its module statistics (see the module
    docstring); not counting the caller's -plogp(offset)."""
    enter_sum = 0.0
    total = 0.0
    for i in range(len(mod_flow)):
        enter_sum += mod_enter[i]
        total += (plogp(mod_exit[i] + mod_flow[i]) - plogp(mod_exit[i])
                  - plogp(mod_enter[i]))
    for a in range(len(node_flow)):
        total -= plogp(node_flow[a])
    return total + plogp(offset + enter_sum)


@njit_inner(nogil=True)
def side_change(sign, p_a, out_a, in_a, out_m, in_m, flow_m, exit_m, enter_m,
                pl_exit_m, pl_enter_m, pl_total_m, symmetric):
    """A node with flow `p_a`, whole out-flow `out_a` and in-flow `in_a`, and link flows
    `out_m` / `in_m` to / from the other nodes of module m, joins m (sign +1) or leaves
    it (sign -1). m has flow, exit and enter `flow_m`, `exit_m`, `enter_m`, and
    ``pl_exit_m = plogp(exit_m)``, ``pl_enter_m = plogp(enter_m)``,
    ``pl_total_m = plogp(exit_m + flow_m)`` (cached by the caller).

    Returns (change of m's codelength terms except the index term, exit', enter').
    """
    # Joining, the node's links to nodes outside m become m's exits and the links from
    # m's nodes to it stop being exits (likewise entries); leaving reverses both.
    x = exit_m + sign * (out_a - out_m - in_m)
    e = enter_m + sign * (in_a - in_m - out_m)
    pl_x = plogp(x)
    pl_e = pl_x if symmetric else plogp(e)
    d = (pl_enter_m - pl_e + pl_exit_m - pl_x
         + plogp(x + flow_m + sign * p_a) - pl_total_m)
    return d, x, e


@njit(cache=True, nogil=True)
def move_delta(p_a, out_a, in_a, out_old, in_old, out_new, in_new,
               flow_old, exit_old, enter_old, flow_new, exit_new, enter_new,
               enter_sum, offset):
    """Change of the codelength when a node with flow `p_a`, whole out-flow `out_a` and
    in-flow `in_a` leaves its module (flow, exit, enter: `flow_old`, ...) for another
    (`flow_new`, ...); `out_old` / `in_old` are its link flows to / from the other nodes
    of its module, `out_new` / `in_new` those to / from the target module's nodes.
    `enter_sum` is the sum of all modules' enter flows. :func:`move_nodes` composes the
    same two :func:`side_change` calls with cached logarithms.

    Returns (delta, exit_old', enter_old', exit_new', enter_new').
    """
    d_old, x_old, e_old = side_change(-1.0, p_a, out_a, in_a, out_old, in_old, flow_old,
                                      exit_old, enter_old, plogp(exit_old), plogp(enter_old),
                                      plogp(exit_old + flow_old), False)
    d_new, x_new, e_new = side_change(1.0, p_a, out_a, in_a, out_new, in_new, flow_new,
                                      exit_new, enter_new, plogp(exit_new), plogp(enter_new),
                                      plogp(exit_new + flow_new), False)
    after = enter_sum - enter_old - enter_new + e_old + e_new
    delta = d_old + d_new + plogp(offset + after) - plogp(offset + enter_sum)
    return delta, x_old, e_old, x_new, e_new


@njit_inner(nogil=True)
def gather(indptr, indices, flow, a, constraint, module, mark, acc, other, touched, nt):
    """Add node a's link flows of one CSR (out- or in-links) to `acc`, per module of the
    linked node (only nodes with a's `constraint`). A module met first (``mark`` not yet
    a) is appended to `touched` and its `acc` and `other` entries are zeroed. Returns the
    new number of touched modules."""
    c = constraint[a]
    for k in range(indptr[a], indptr[a + 1]):
        b = indices[k]
        if constraint[b] != c:
            continue
        m = module[b]
        if mark[m] != a:
            mark[m] = a
            acc[m] = 0.0
            other[m] = 0.0
            touched[nt] = m
            nt += 1
        acc[m] += flow[k]
    return nt


@njit(cache=True, nogil=True)
def move_nodes(indptr, indices, flow, rindptr, rindices, rflow, symmetric,
               node_flow, node_out, node_in, constraint, module, offset, state,
               max_sweeps, min_delta):
    """Greedy local moves: in random order, move each node to the neighbouring module
    (or to an empty one) that lowers the codelength most, sweeping until a sweep gains
    less than `min_delta` bits or `max_sweeps` sweeps are done. After the first sweep
    only nodes a neighbour of which has moved are visited, until none is left; then all
    are visited once more.

    `module` (ids below the number of nodes) is changed in place. A node may only join
    modules of nodes with the same `constraint` value. Returns the number of moves.
    """
    n = len(node_flow)
    mod_flow, mod_exit, mod_enter = module_stats(indptr, indices, flow, node_flow,
                                                 node_out, node_in, module, n)
    pl_exit = new_array(n, np.float64)
    pl_enter = new_array(n, np.float64)
    pl_total = new_array(n, np.float64)
    for m in range(n):
        pl_exit[m] = plogp(mod_exit[m])
        pl_enter[m] = plogp(mod_enter[m])
        pl_total[m] = plogp(mod_exit[m] + mod_flow[m])
    enter_sum = mod_enter.sum()
    members = new_array(n, np.int64)
    members[:] = 0
    for a in range(n):
        members[module[a]] += 1
    empty = new_array(n, np.int64)
    n_empty = 0
    for m in range(n - 1, -1, -1):
        if members[m] == 0:
            empty[n_empty] = m
            n_empty += 1
    out_to = new_array(n, np.float64)
    out_to[:] = 0.0
    in_from = new_array(n, np.float64)
    in_from[:] = 0.0
    mark = new_array(n, np.int64)
    mark[:] = -1
    touched = new_array(n, np.int64)
    order = new_array(n, np.int64)
    # Only nodes with a neighbour that moved since they were last visited can move.
    # The index codebook's term makes every delta depend a little on every module, so
    # when no node is left active, or a sweep gains too little, all are visited once
    # more: the moves end only after a sweep over all nodes.
    active = new_array(n, np.bool_)
    active[:] = True
    moves = 0
    for sweep in range(max_sweeps):
        n_active = 0
        for a in range(n):
            if active[a]:
                order[n_active] = a
                n_active += 1
        if n_active == 0:
            for a in range(n):
                order[a] = a
            n_active = n
        full = n_active == n
        shuffle(order[:n_active], state)
        gain = 0.0
        for j in range(n_active):
            a = order[j]
            active[a] = False
            old = module[a]
            mark[old] = a
            out_to[old] = 0.0
            in_from[old] = 0.0
            touched[0] = old
            nt = gather(indptr, indices, flow, a, constraint, module, mark, out_to, in_from,
                        touched, 1)
            if symmetric:
                for t in range(nt):
                    in_from[touched[t]] = out_to[touched[t]]
            else:
                nt = gather(rindptr, rindices, rflow, a, constraint, module, mark, in_from,
                            out_to, touched, nt)
            p_a = node_flow[a]
            d_old, x_old, e_old = side_change(
                -1.0, p_a, node_out[a], node_in[a], out_to[old], in_from[old], mod_flow[old],
                mod_exit[old], mod_enter[old], pl_exit[old], pl_enter[old], pl_total[old],
                symmetric)
            base = offset + enter_sum - mod_enter[old] + e_old
            pl_index = plogp(offset + enter_sum)
            best = old
            best_delta = -min_delta
            bx_new = be_new = 0.0
            n_cand = nt + (1 if members[old] > 1 and n_empty > 0 else 0)
            for t in range(1, n_cand):
                if t < nt:
                    m = touched[t]
                    o, i = out_to[m], in_from[m]
                else:
                    m = empty[n_empty - 1]
                    o, i = 0.0, 0.0
                d_new, x_new, e_new = side_change(
                    1.0, p_a, node_out[a], node_in[a], o, i, mod_flow[m], mod_exit[m],
                    mod_enter[m], pl_exit[m], pl_enter[m], pl_total[m], symmetric)
                d = d_old + d_new + plogp(base - mod_enter[m] + e_new) - pl_index
                if d < best_delta:
                    best_delta = d
                    best = m
                    bx_new, be_new = x_new, e_new
            if best == old:
                continue
            if members[best] == 0:
                n_empty -= 1
            enter_sum += e_old + be_new - mod_enter[old] - mod_enter[best]
            mod_flow[old] -= p_a
            mod_flow[best] += p_a
            mod_exit[old], mod_enter[old] = x_old, e_old
            mod_exit[best], mod_enter[best] = bx_new, be_new
            for m in (old, best):
                pl_exit[m] = plogp(mod_exit[m])
                pl_enter[m] = plogp(mod_enter[m])
                pl_total[m] = plogp(mod_exit[m] + mod_flow[m])
            members[old] -= 1
            members[best] += 1
            if members[old] == 0:
                empty[n_empty] = old
                n_empty += 1
            module[a] = best
            moves += 1
            gain -= best_delta
            for k in range(indptr[a], indptr[a + 1]):
                active[indices[k]] = True
            for k in range(rindptr[a], rindptr[a + 1]):
                active[rindices[k]] = True
        # Reset the marks: node ids are reused as stamps in the next sweep.
        mark[:] = -1
        if gain < min_delta:
            if full:
                break
            active[:] = True
    return moves


@njit(cache=True, nogil=True)
def renumber(module):
    """Module ids made dense (0, 1, ...) in order of first appearance; returns (ids, k)."""
    n = len(module)
    new_id = new_array(n, np.int64)
    new_id[:] = -1
    out = new_array(n, np.int64)
    k = 0
    for a in range(n):
        m = module[a]
        if new_id[m] < 0:
            new_id[m] = k
            k += 1
        out[a] = new_id[m]
    return out, k


@njit(cache=True, nogil=True)
def aggregate(indptr, indices, flow, module, k):
    """The graph of the `k` modules (dense ids): the flow from module s to module t is the
    sum of the link flows from s's nodes to t's nodes (links within a module are dropped
    and summed into `internal`). Returns (indptr, indices, flow, internal); each row's
    targets are sorted."""
    n = len(indptr) - 1
    start = new_array(k + 1, np.int64)
    start[:] = 0
    for a in range(n):
        start[module[a] + 1] += 1
    for m in range(k):
        start[m + 1] += start[m]
    fill = start[:-1].copy()
    members = new_array(n, np.int64)
    for a in range(n):
        members[fill[module[a]]] = a
        fill[module[a]] += 1
    new_indptr = new_array(k + 1, np.int64)
    new_indptr[:] = 0
    new_indices = new_array(len(indices), np.int32)
    new_flow = new_array(len(indices), np.float64)
    internal = new_array(k, np.float64)
    internal[:] = 0.0
    acc = new_array(k, np.float64)
    acc[:] = 0.0
    mark = new_array(k, np.int64)
    mark[:] = -1
    touched = new_array(k, np.int64)
    pos = 0
    for m in range(k):
        nt = 0
        for j in range(start[m], start[m + 1]):
            a = members[j]
            for e in range(indptr[a], indptr[a + 1]):
                t = module[indices[e]]
                if t == m:
                    internal[m] += flow[e]
                    continue
                if mark[t] != m:
                    mark[t] = m
                    acc[t] = 0.0
                    touched[nt] = t
                    nt += 1
                acc[t] += flow[e]
        targets = np.sort(touched[:nt])
        for t in targets:
            new_indices[pos] = t
            new_flow[pos] = acc[t]
            pos += 1
        new_indptr[m + 1] = pos
    return new_indptr, new_indices[:pos].copy(), new_flow[:pos].copy(), internal


@njit(cache=True, nogil=True)
def pagerank(indptr, indices, weight, tau, tol, max_iter):
    """Visit rates of a random walk that follows out-links in proportion to their weight
    and, with probability `tau` (or always, from a node without out-links), jumps to a
    node chosen uniformly. Iterates until the L1 change is below `tol`."""
    n = len(indptr) - 1
    out_w = new_array(n, np.float64)
    out_w[:] = 0.0
    for a in range(n):
        for k in range(indptr[a], indptr[a + 1]):
            out_w[a] += weight[k]
    p = new_array(n, np.float64)
    p[:] = 1.0 / n
    nxt = new_array(n, np.float64)
    for it in range(max_iter):
        dangling = 0.0
        for a in range(n):
            if out_w[a] <= 0.0:
                dangling += p[a]
        base = (tau * (1.0 - dangling) + dangling) / n
        nxt[:] = base
        for a in range(n):
            if out_w[a] > 0.0:
                s = (1.0 - tau) * p[a] / out_w[a]
                for k in range(indptr[a], indptr[a + 1]):
                    nxt[indices[k]] += s * weight[k]
        total = nxt.sum()
        change = 0.0
        for a in range(n):
            nxt[a] /= total
            change += abs(nxt[a] - p[a])
        for a in range(n):  # a loop: a slice copy compiles a shape check (see cooccur)
            p[a] = nxt[a]
        if change < tol:
            break
    return p


@njit(cache=True, nogil=True)
def subgraph(indptr, indices, flow, nodes, local):
    """The links among `nodes` (global ids); `local` maps a global id to its position in
    `nodes` and holds -1 elsewhere. Returns a CSR with local ids."""
    m = len(nodes)
    new_indptr = new_array(m + 1, np.int64)
    new_indptr[:] = 0
    cnt = 0
    for i in range(m):
        a = nodes[i]
        for k in range(indptr[a], indptr[a + 1]):
            if local[indices[k]] >= 0:
                cnt += 1
    new_indices = new_array(cnt, np.int32)
    new_flow = new_array(cnt, np.float64)
    pos = 0
    for i in range(m):
        a = nodes[i]
        for k in range(indptr[a], indptr[a + 1]):
            j = local[indices[k]]
            if j >= 0:
                new_indices[pos] = j
                new_flow[pos] = flow[k]
                pos += 1
        new_indptr[i + 1] = pos
    return new_indptr, new_indices, new_flow
