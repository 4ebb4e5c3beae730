"""Calling kernel helpers made with ``nlpzero._jit.njit_inner`` from a test.

Such a helper has no CPython wrapper, so Python cannot call it; :func:`call_inner`
calls it from a small kernel instead (compiled per helper and argument types).
"""

import numba


@numba.njit
def _call(helper, args):
    return helper(*args)


def call_inner(helper, *args):
    """``helper(*args)`` for a helper only kernels can call (the plain call when JIT
    is disabled)."""
    if numba.config.DISABLE_JIT:
        return helper(*args)
    return _call(helper, args)
