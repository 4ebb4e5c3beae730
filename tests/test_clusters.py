"""Clusters by the map equation: every kernel against a pure-Python reference (on random
graphs and on a real one), planted modules recovered, determinism, the API on word
vectors, the command line and its bad input."""

import math
import os
from collections import defaultdict

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from nlpzero.cli import main
from nlpzero.clusters import (_mapequation as K, _optimizer as O, cluster_graph, cluster_words,
                              knn_graph, nmi, planted_partition, read_edges)
from nlpzero.clusters._knn import top_k_rows
from nlpzero.errors import FormatError, InputError
from nlpzero.vectors import WordVectors


# ---------------------------------------------------------------------------
# References: flows and codelengths straight from the definitions


def ref_flows(edges, n, directed, tau=0.15):
    """(node flow list, {(a, b): link flow}) of a random walk, from the definitions."""
    if not directed:
        strength = [0.0] * n
        links = defaultdict(float)
        for a, b, w in edges:
            strength[a] += w
            if a != b:
                strength[b] += w
                links[a, b] += w
                links[b, a] += w
        total = sum(strength)
        return [s / total for s in strength], {k: v / total for k, v in links.items()}
    out = defaultdict(float)
    for a, b, w in edges:
        out[a, b] += w
    out_w = [0.0] * n
    for (a, _), w in out.items():
        out_w[a] += w
    p = [1.0 / n] * n
    for _ in range(2000):
        dangling = sum(p[a] for a in range(n) if out_w[a] == 0)
        nxt = [tau / n * (1 - dangling) + dangling / n] * n
        for (a, b), w in out.items():
            nxt[b] += (1 - tau) * p[a] * w / out_w[a]
        s = sum(nxt)
        nxt = [x / s for x in nxt]
        done = sum(abs(x - y) for x, y in zip(nxt, p)) < 1e-15
        p = nxt
        if done:
            break
    link = {(a, b): p[a] * w / out_w[a] for (a, b), w in out.items()}
    total = sum(link.values())
    link = {k: v / total for k, v in link.items()}
    node = [0.0] * n
    for (a, b), f in link.items():
        node[b] += f
    return node, {k: v for k, v in link.items() if k[0] != k[1]}


def ref_module_flows(node, links, module):
    flow, exit_, enter = defaultdict(float), defaultdict(float), defaultdict(float)
    for a, p in enumerate(node):
        flow[module[a]] += p
    for (a, b), f in links.items():
        if module[a] != module[b]:
            exit_[module[a]] += f
            enter[module[b]] += f
    return flow, exit_, enter


def entropy(rates):
    """Entropy (bits) of the distribution proportional to `rates`, and their total."""
    total = sum(rates)
    return (-sum(r / total * math.log2(r / total) for r in rates if r > 0) if total > 0
            else 0.0), total


def ref_codelength(node, links, module):
    """The map equation as Rosvall & Bergstrom write it: L = q H(Q) + sum_i p_i H(P_i),
    with module i's codebook over its exit and its nodes."""
    flow, exit_, enter = ref_module_flows(node, links, module)
    mods = sorted(set(module))
    h_index, q = entropy([enter[m] for m in mods])
    length = q * h_index
    for m in mods:
        h, rate = entropy([exit_[m]] + [node[a] for a in range(len(node)) if module[a] == m])
        length += rate * h
    return length


def ref_multilevel(node, links, paths):
    """The multi-level map equation of a module tree given by each node's path: every
    module with submodules has a codebook over its exit and its submodules' entries,
    every leaf module one over its exit and its nodes; the root's has no exit."""
    def exit_of(prefix):
        k = len(prefix)
        return sum(f for (a, b), f in links.items()
                   if paths[a][:k] == prefix and paths[b][:k] != prefix)

    def enter_of(prefix):
        k = len(prefix)
        return sum(f for (a, b), f in links.items()
                   if paths[b][:k] == prefix and paths[a][:k] != prefix)

    def cost(prefix):
        k = len(prefix)
        inside = [a for a in range(len(node)) if paths[a][:k] == prefix]
        x = exit_of(prefix) if prefix else 0.0
        if all(len(paths[a]) == k for a in inside):  # a leaf
            h, rate = entropy([x] + [node[a] for a in inside])
            return rate * h
        children = sorted({paths[a][:k + 1] for a in inside})
        h, rate = entropy([x] + [enter_of(c) for c in children])
        return rate * h + sum(cost(c) for c in children)

    return cost(())


def naive_local_move(node, links, module, a, target):
    moved = list(module)
    moved[a] = target
    return ref_codelength(node, links, moved) - ref_codelength(node, links, module)


# ---------------------------------------------------------------------------
# Random graphs


@st.composite
def graphs(draw, max_nodes=10):
    n = draw(st.integers(2, max_nodes))
    m = draw(st.integers(1, 3 * n))
    edges = [(draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1)),
              draw(st.sampled_from([0.5, 1.0, 2.0, 3.5]))) for _ in range(m)]
    directed = draw(st.booleans())
    module = draw(st.lists(st.integers(0, n - 1), min_size=n, max_size=n))
    return n, edges, directed, module


def build(n, edges, directed):
    r, c, w = (np.array(x) for x in zip(*edges))
    return O.flow_graph(r.astype(np.int64), c.astype(np.int64), w.astype(np.float64), n,
                        directed)


def dense(module):
    return K.renumber(np.asarray(module, np.int64))[0]


def prepare(case):
    """(n, flow graph, reference node flows, reference link flows, dense partition)."""
    n, edges, directed, module = case
    return (n, build(n, edges, directed), *ref_flows(edges, n, directed), dense(module))


@settings(max_examples=150, deadline=None)
@given(graphs())
def test_flow_graph_matches_reference(case):
    n, g, node, links, module = prepare(case)
    assert np.allclose(g.node_flow, node, atol=1e-12)
    got = {(a, int(g.indices[k])): g.flow[k] for a in range(n)
           for k in range(g.indptr[a], g.indptr[a + 1])}
    assert got.keys() == links.keys()
    assert all(abs(got[k] - links[k]) < 1e-12 for k in links)
    rev = {(int(g.rindices[k]), b): g.rflow[k] for b in range(n)
           for k in range(g.rindptr[b], g.rindptr[b + 1])}
    assert rev.keys() == links.keys()
    assert np.allclose(g.node_out, [sum(f for (a, _), f in links.items() if a == x)
                                    for x in range(n)], atol=1e-12)
    assert np.allclose(g.node_in, [sum(f for (_, b), f in links.items() if b == x)
                                   for x in range(n)], atol=1e-12)


@settings(max_examples=200, deadline=None)
@given(graphs())
def test_codelength_matches_map_equation(case):
    n, g, node, links, module = prepare(case)
    assert O.partition_codelength(g, module) == pytest.approx(
        ref_codelength(node, links, list(module)), abs=1e-10)


def move_delta_of(g, module, a, target, offset=0.0):
    """The kernel's delta for moving node a to module `target`, with the link flows to
    and from each module summed here."""
    k = max(int(module.max()), target) + 1
    stats = K.module_stats(g.indptr, g.indices, g.flow, g.node_flow, g.node_out, g.node_in,
                           module, k)
    to, frm = defaultdict(float), defaultdict(float)
    for e in range(g.indptr[a], g.indptr[a + 1]):
        to[module[g.indices[e]]] += g.flow[e]
    for e in range(g.rindptr[a], g.rindptr[a + 1]):
        frm[module[g.rindices[e]]] += g.rflow[e]
    old = module[a]
    flow, exit_, enter = stats
    return K.move_delta(g.node_flow[a], g.node_out[a], g.node_in[a], to[old], frm[old],
                        to[target], frm[target], flow[old], exit_[old], enter[old],
                        flow[target], exit_[target], enter[target], enter.sum(), offset)


@settings(max_examples=300, deadline=None)
@given(graphs(), st.data())
def test_move_delta_is_difference_of_codelengths(case, data):
    n, g, node, links, module = prepare(case)
    a = data.draw(st.integers(0, n - 1))
    # Any module, or a new (empty) one.
    target = data.draw(st.integers(0, int(module.max()) + 1))
    if target == module[a]:
        return
    delta = move_delta_of(g, module, a, target)[0]
    assert delta == pytest.approx(naive_local_move(node, links, list(module), a, target),
                                  abs=1e-10)


@settings(max_examples=150, deadline=None)
@given(graphs(), st.integers(0, 2**40), st.booleans())
def test_move_nodes_reaches_a_local_optimum(case, seed, constrained):
    n, g, node, links, module = prepare(case)
    constraint = (np.array(module, np.int64) % 2 if constrained else np.zeros(n, np.int64))
    moved = np.arange(n, dtype=np.int64)
    before = ref_codelength(node, links, list(moved))
    K.move_nodes(g.indptr, g.indices, g.flow, g.rindptr, g.rindices, g.rflow, g.symmetric,
                 g.node_flow, g.node_out, g.node_in, constraint, moved, 0.0,
                 np.array([seed], np.int64), 1000, 1e-12)
    after = ref_codelength(node, links, list(moved))
    assert after <= before + 1e-12
    for m in set(moved):
        assert len({constraint[a] for a in range(n) if moved[a] == m}) == 1
    # No single move to a neighbour's module or to an empty module helps.
    neighbours = defaultdict(set)
    for a, b in links:
        neighbours[a].add(b)
        neighbours[b].add(a)
    free = next((m for m in range(n) if m not in set(moved)), None)
    for a in range(n):
        sizes = sum(moved == moved[a])
        targets = {moved[b] for b in neighbours[a] if constraint[b] == constraint[a]}
        targets |= {free} if sizes > 1 and free is not None else set()
        for t in targets - {moved[a]}:
            assert naive_local_move(node, links, list(moved), a, t) > -1e-9


@settings(max_examples=150, deadline=None)
@given(graphs())
def test_aggregate_sums_links_between_modules(case):
    n, edges, directed, module = case
    g = build(n, edges, directed)
    module = dense(module)
    k = int(module.max()) + 1
    agg = O.aggregate_graph(g, module, k)
    want, internal = defaultdict(float), [0.0] * k
    for a in range(n):
        for e in range(g.indptr[a], g.indptr[a + 1]):
            s, t = module[a], module[g.indices[e]]
            if s == t:
                internal[s] += g.flow[e]
            else:
                want[s, t] += g.flow[e]
    got = {(s, int(agg.indices[e])): agg.flow[e] for s in range(k)
           for e in range(agg.indptr[s], agg.indptr[s + 1])}
    assert got.keys() == want.keys() and all(abs(got[x] - want[x]) < 1e-12 for x in want)
    for s in range(k):
        assert list(agg.indices[agg.indptr[s]:agg.indptr[s + 1]]) == sorted(
            agg.indices[agg.indptr[s]:agg.indptr[s + 1]])
    # The modules as nodes: their flows are the modules' flows, and each in a module of
    # its own they have the same code but for the entropy of the nodes within modules.
    stats = K.module_stats(g.indptr, g.indices, g.flow, g.node_flow, g.node_out, g.node_in,
                           module, k)
    assert np.allclose(np.array(stats), [agg.node_flow, agg.node_out, agg.node_in], atol=1e-12)
    plogp = lambda p: float(np.sum(p[p > 0] * np.log2(p[p > 0])))
    assert O.partition_codelength(agg, np.arange(k)) + plogp(agg.node_flow) == pytest.approx(
        O.partition_codelength(g, module) + plogp(g.node_flow), abs=1e-10)


@settings(max_examples=100, deadline=None)
@given(graphs(), st.data())
def test_subgraph_and_renumber(case, data):
    n, edges, directed, module = case
    g = build(n, edges, directed)
    nodes = np.array(sorted(set(data.draw(st.lists(st.integers(0, n - 1), min_size=1)))))
    local = np.full(n, -1, np.int64)
    local[nodes] = np.arange(len(nodes))
    indptr, indices, flow = K.subgraph(g.indptr, g.indices, g.flow, nodes, local)
    got = {(int(nodes[i]), int(nodes[indices[e]])): flow[e] for i in range(len(nodes))
           for e in range(indptr[i], indptr[i + 1])}
    keep = set(nodes.tolist())
    want = {(a, int(g.indices[e])): g.flow[e] for a in range(n)
            for e in range(g.indptr[a], g.indptr[a + 1])
            if a in keep and g.indices[e] in keep}
    assert got == want
    ids, k = K.renumber(np.array(module, np.int64))
    first = list(dict.fromkeys(module))
    assert k == len(first) and list(ids) == [first.index(m) for m in module]


def test_pagerank_and_shuffle():
    rng = np.random.default_rng(3)
    n = 30
    edges = [(int(a), int(b), float(w)) for a, b, w in
             zip(rng.integers(0, n, 80), rng.integers(0, n, 80), rng.random(80) + 0.1)]
    indptr, indices, w = O.to_csr(*(np.array(x) for x in zip(*edges)), n)
    p = K.pagerank(indptr, indices, w, 0.15, 1e-15, 1000)
    out = defaultdict(float)
    for a, b, x in edges:
        out[a, b] += x
    out_w = np.zeros(n)
    for (a, _), x in out.items():
        out_w[a] += x
    # Stationary: one more step of the walk leaves the rates as they are.
    step = np.full(n, (0.15 * (1 - p[out_w == 0].sum()) + p[out_w == 0].sum()) / n)
    for (a, b), x in out.items():
        step[b] += 0.85 * p[a] * x / out_w[a]
    assert p.sum() == pytest.approx(1.0) and np.allclose(step, p, atol=1e-12)
    order = np.arange(50)
    K.shuffle(order, np.array([7], np.int64))
    assert sorted(order) == list(range(50)) and list(order) != list(range(50))


# ---------------------------------------------------------------------------
# A real graph: characters linked by how often they stand side by side


@pytest.fixture(scope="module")
def char_graph(pd_lines):
    pairs = defaultdict(int)
    for line in pd_lines[:600]:
        for x, y in zip(line, line[1:]):
            if x.strip() and y.strip() and x != y:
                pairs[x, y] += 1
    return [(x, y, float(c)) for (x, y), c in pairs.items()]


@pytest.mark.parametrize("directed", [False, True])
def test_real_graph_against_references(char_graph, directed):
    result = cluster_graph(char_graph, directed=directed, trials=1, seed=2)
    index = {w: i for i, w in enumerate(result.names)}
    edges = [(index[x], index[y], w) for x, y, w in char_graph]
    n = len(index)
    node, links = ref_flows(edges, n, directed)
    module = list(result.modules)
    assert 1 < result.n_modules < n / 2
    assert result.codelength == pytest.approx(ref_codelength(node, links, module), abs=1e-9)
    assert result.codelength < result.one_level_codelength
    g = build(n, edges, directed)
    module = np.array(module)
    rng = np.random.default_rng(0)
    for a in rng.integers(0, n, 5):
        t = int(rng.integers(0, result.n_modules))
        if t != module[a]:
            assert move_delta_of(g, module, a, t)[0] == pytest.approx(
                naive_local_move(node, links, list(module), a, t), abs=1e-10)


def test_real_graph_hierarchy(char_graph):
    two = cluster_graph(char_graph, trials=1, seed=2)
    deep = cluster_graph(char_graph, trials=1, seed=2, hierarchy=True)
    assert deep.codelength <= two.codelength + 1e-12
    index = {w: i for i, w in enumerate(deep.names)}
    node, links = ref_flows([(index[x], index[y], w) for x, y, w in char_graph],
                            len(index), False)
    assert deep.codelength == pytest.approx(ref_multilevel(node, links, deep.paths), abs=1e-9)


# ---------------------------------------------------------------------------
# Planted modules, determinism, hierarchy


def test_nmi_matches_reference():
    rng = np.random.default_rng(1)
    for _ in range(20):
        a, b = rng.integers(0, 4, 40), rng.integers(0, 6, 40)
        n = len(a)
        pa, pb, pab = defaultdict(float), defaultdict(float), defaultdict(float)
        for x, y in zip(a, b):
            pa[x] += 1 / n
            pb[y] += 1 / n
            pab[x, y] += 1 / n
        mi = sum(p * math.log(p / (pa[x] * pb[y])) for (x, y), p in pab.items())
        ha = -sum(p * math.log(p) for p in pa.values())
        hb = -sum(p * math.log(p) for p in pb.values())
        assert nmi(a, b) == pytest.approx(2 * mi / (ha + hb), abs=1e-12)


@pytest.mark.parametrize("directed", [False, True])
def test_planted_modules_are_recovered(directed):
    r, c, w, label = planted_partition(2000, 40, 10, 2, seed=5)
    result = cluster_graph((r, c, w), directed=directed, trials=2, seed=1)
    assert nmi(result.modules, label) > 0.95
    assert abs(result.n_modules - 40) <= 4
    # Where modules do not pay (a complete graph), one module.
    r, c = np.nonzero(1 - np.eye(30))
    assert cluster_graph((r, c, np.ones(len(r))), directed=directed).n_modules == 1


def test_seed_makes_it_deterministic():
    r, c, w, _ = planted_partition(800, 16, 5, 4, seed=2)
    a = cluster_graph((r, c, w), trials=2, seed=7)
    b = cluster_graph((r, c, w), trials=2, seed=7)
    assert a.paths == b.paths and a.codelength == b.codelength
    more = cluster_graph((r, c, w), trials=4, seed=7)
    assert more.codelength <= a.codelength + 1e-12


def test_hierarchy_finds_modules_within_modules():
    rng = np.random.default_rng(4)
    n = 1024
    group = np.arange(n) // 64  # 16 groups of 64 nodes, in 4 super-groups of 4
    rows, cols = [], []
    for _ in range(n * 12):
        a = int(rng.integers(0, n))
        x = rng.random()
        if x < 0.8:
            b = int(group[a] * 64 + rng.integers(0, 64))
        elif x < 0.98:
            b = int((group[a] // 4) * 256 + rng.integers(0, 256))
        else:
            b = int(rng.integers(0, n))
        if a != b:
            rows.append(a)
            cols.append(b)
    graph = (np.array(rows), np.array(cols), np.ones(len(rows)))
    two = cluster_graph(graph, seed=3)
    deep = cluster_graph(graph, seed=3, hierarchy=True)
    assert deep.depth == 2 and deep.n_modules == 4 and deep.n_leaf_modules == 16
    assert deep.codelength < two.codelength
    assert nmi(deep.modules, group // 4) == 1.0
    assert nmi([":".join(map(str, p)) for p in deep.paths], group) == pytest.approx(1.0)
    node, links = ref_flows(list(zip(rows, cols, [1.0] * len(rows))), n, False)
    assert deep.codelength == pytest.approx(ref_multilevel(node, links, deep.paths), abs=1e-9)


def test_graph_forms_and_validation():
    edges = [("a", "b", 1), ("b", "c", 1), ("c", "a", 1), ("x", "y", 1), ("y", "z", 1),
             ("z", "x", 1), ("c", "x", 0.1)]
    by_names = cluster_graph(edges, seed=1)
    assert by_names.names == ["a", "b", "c", "x", "y", "z"]
    ids = {"a": 0, "b": 1, "c": 2, "x": 3, "y": 4, "z": 5}
    r = np.array([ids[u] for u, _, _ in edges])
    c = np.array([ids[v] for _, v, _ in edges])
    w = np.array([x for _, _, x in edges], float)
    coo = cluster_graph((r, c, w), seed=1)
    indptr, indices, data = O.to_csr(r, c, w, 6)
    csr = cluster_graph(("csr", indptr, indices, data), seed=1)
    assert by_names.paths == coo.paths == csr.paths
    assert by_names.path_of("a") == by_names.path_of("c") != by_names.path_of("x")
    assert by_names.groups() == [["c", "a", "b"], ["x", "y", "z"]]
    for bad in ([], [("a", "b", -1)], [("a", "b", float("nan"))], [("a", "b", 0)],
                [("a",)]):
        with pytest.raises(InputError):
            cluster_graph(bad)
    with pytest.raises(InputError):
        cluster_graph(edges, trials=0)
    with pytest.raises(InputError):
        cluster_graph((r.astype(float), c, w))


# ---------------------------------------------------------------------------
# Words


def toy_vectors(n_groups=30, per_group=10, dim=8, seed=0):
    """Words in groups around random centres (enough groups to span every direction, so
    that whitening keeps the groups round)."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(n_groups, dim)) * 4
    vectors = np.repeat(centres, per_group, axis=0) + rng.normal(size=(n_groups * per_group, dim))
    order = rng.permutation(len(vectors))
    words = [f"w{g}_{i}" for g in range(n_groups) for i in range(per_group)]
    return WordVectors([words[i] for i in order], vectors[order]), np.repeat(
        np.arange(n_groups), per_group)[order]


def test_knn_graph_matches_brute_force():
    rng = np.random.default_rng(2)
    unit = rng.normal(size=(57, 5))
    unit /= np.linalg.norm(unit, axis=1, keepdims=True)
    rows, cols, sims = knn_graph(unit, 4, block=10)
    for i in range(57):
        s = [(-(unit[i] @ unit[j]), j) for j in range(57) if j != i]
        want = [j for _, j in sorted(s)[:4]]
        assert list(cols[rows == i]) == want
        assert np.allclose(sims[rows == i], unit[i] @ unit[want].T)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 6), st.integers(2, 12), st.integers(0, 2**32), st.data())
def test_top_k_rows_matches_sorting(rows, n, seed, data):
    # Few distinct values, so that ties are common.
    s = np.random.default_rng(seed).integers(-3, 4, (rows, n)).astype(np.float32)
    k = data.draw(st.integers(1, n - 1))
    diagonal = data.draw(st.integers(0, n - rows)) if n >= rows else 0
    cols, vals = top_k_rows(s, k, diagonal)
    for r in range(rows):
        want = sorted((-float(s[r, j]), j) for j in range(n) if j != r + diagonal)[:k]
        assert list(cols[r]) == [j for _, j in want]
        assert list(vals[r]) == [-v for v, _ in want]


def test_word_clusters(tmp_path):
    wv, group = toy_vectors()
    result = wv.clusters(knn=8, seed=0)
    assert result.names == wv.index_to_key
    assert nmi(result.modules, group) > 0.9
    again = cluster_words(wv, knn=8, seed=0)
    assert again.paths == result.paths
    part = wv.clusters(knn=8, restrict_vocab=50, seed=0)
    assert part.names == wv.index_to_key[:50]


def test_cli_round_trip(tmp_path, capsys):
    wv, _ = toy_vectors()
    vec = tmp_path / "vec.txt"
    wv.save_word2vec_format(str(vec))
    out = tmp_path / "clusters.tsv"
    code = main(["clusters", str(vec), "-o", str(out), "--knn", "8", "--seed", "0"])
    _, err = capsys.readouterr()
    assert code == 0 and "codelength" in err and "modules" in err
    lines = [l.split("\t") for l in out.read_text(encoding="utf-8").splitlines()]
    assert [w for w, _ in lines] == wv.index_to_key
    want = wv.clusters(knn=8, seed=0)
    assert [p for _, p in lines] == [want.path(i) for i in range(len(wv))]
    code = main(["clusters", str(vec), "-o", str(out), "--knn", "8", "--hierarchy", "-q"])
    assert code == 0 and all(p.split(":")[0].isdigit() for _, p in
                             (l.split("\t") for l in out.read_text().splitlines()))
    edges = tmp_path / "edges.txt"
    edges.write_text("# a graph\na b 1\nb c 1\nc a 1\nx y 1\ny z 1\nz x 1\n\nc x 0.1\n")
    for directed in ([], ["--directed"]):
        code = main(["clusters", "--graph", str(edges), "-o", str(out), "-q"] + directed)
        assert code == 0
        paths = dict(l.split("\t") for l in out.read_text().splitlines())
        assert list(paths) == ["a", "b", "c", "x", "y", "z"]
        assert paths["a"] == paths["b"] == paths["c"] != paths["x"] == paths["y"]


@pytest.mark.parametrize("content, argv_extra, message", [
    (None, [], "no such file"),
    ("", [], "holds no edges"),
    ("# only a comment\n\n", [], "holds no edges"),
    ("a b 1\nb c\nc d 1 2\n", [], "line 3"),
    ("a b 1\nb c x\n", [], "line 2"),
    ("a b 1\nb c -2\n", [], "line 2"),
    ("a a 1\n", [], "no links"),
])
def test_cli_bad_graph(tmp_path, capsys, content, argv_extra, message):
    path = tmp_path / "edges.txt"
    if content is not None:
        path.write_text(content)
    out = tmp_path / "out.tsv"
    code = main(["clusters", "--graph", str(path), "-o", str(out)] + argv_extra)
    _, err = capsys.readouterr()
    assert code == 1 and message in err and len(err.strip().splitlines()) == 1
    assert not out.exists() and os.listdir(tmp_path) == (["edges.txt"] if content is not None
                                                         else [])


def test_cli_bad_arguments(tmp_path, capsys):
    vec = tmp_path / "vec.txt"
    vec.write_text("2 2\na 1 0\nb 0 x\n")
    for argv in (["clusters"], ["clusters", str(vec), "--graph", str(vec)],
                 ["clusters", str(vec), "--directed"], ["clusters", str(vec)],
                 ["clusters", str(tmp_path / "missing.txt")]):
        code = main(argv + ["-o", str(tmp_path / "out.tsv")])
        _, err = capsys.readouterr()
        assert code == 1 and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out.tsv").exists()


def test_read_edges_lines(tmp_path):
    path = tmp_path / "e.txt"
    path.write_text("u v 2.5\nv w\n")
    assert read_edges(str(path)) == [("u", "v", 2.5), ("v", "w", 1.0)]
    path.write_bytes(b"u v 1\n\xff\xfe 1\n")
    with pytest.raises(FormatError, match="line 2"):
        read_edges(str(path))
