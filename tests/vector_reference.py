"""The pure-Python AdaGrad step that the training kernels are tested against."""

import math


def adagrad_step(W, C, GW, GC, i, j, fd, lr, shared):
    """One AdaGrad step on float64 arrays for the pair (i, j), `fd` being half the
    derivative of the loss by the inner product <W[i], C[j]>.

    GW, GC of shape (V, 1) hold one AdaGrad sum per vector (the mean over coordinates
    of the squared gradients), of shape (V, dim) one per parameter. With `shared`, C
    and GC are W and GW, and a word paired with itself gets the derivative of
    (v.v - y)^2 / 2, 2 (v.v - y) v. Gradients and rates are read before any update.
    """
    d = W.shape[1]
    per_word = GW.shape[1] == 1
    if shared and i == j:
        pairs = [(W, GW, i, [2 * fd * W[i, k] for k in range(d)])]
    else:
        pairs = [(W, GW, i, [fd * C[j, k] for k in range(d)]),
                 (C, GC, j, [fd * W[i, k] for k in range(d)])]
    for M, G, r, g in pairs:
        rates = [G[r, 0] if per_word else G[r, k] for k in range(d)]
        for k in range(d):
            M[r, k] -= lr * g[k] / math.sqrt(rates[k])
        if per_word:
            G[r, 0] += sum(x * x for x in g) / d
        else:
            for k in range(d):
                G[r, k] += g[k] ** 2
