"""``njit`` with the options every nlpzero kernel shares; kernels import it from here.

* ``cache=True``: compiled once, then loaded from Numba's cache (see
  :mod:`nlpzero._numba_cache` for where it lives).
* ``no_cfunc_wrapper=True``: Numba otherwise also builds, for every function it
  compiles, a C-callable wrapper, used only to pass jitted functions around as
  first-class values (``cfunc`` style), which nlpzero never does. Skipping it makes a
  first run compile about 5% less code, and changes nothing else.

A kernel may still pass its own options (``nogil``, ``error_model``, ``fastmath``).

Helpers that only other kernels call use :func:`njit_inner`, which also skips the
CPython wrapper (the code that converts Python arguments and results, about 40% of
compiling a small helper with array arguments). Tests call them through a kernel of
their own (``tests/inner.py``).

Kernels make their arrays with ``new_array(shape, dtype)`` (:mod:`nlpzero._kernels.arrays`)
and fill them (``a[:] = -1``), never with NumPy's constructors. Numba compiles its
implementation of a NumPy constructor, which it never caches on disk, in every process
that compiles a kernel calling it, once per argument types, per spelling of the call and
per set of compiler options (``np.zeros``, ``np.ones`` and ``np.full`` each compile
``np.empty`` again for themselves); ``new_array`` is compiled once and cached. For the
same reason kernels use no builtin ``min``/``max`` and copy arrays in loops, not by slice
assignment (which compiles a shape check and its error message). tests/test_startup.py
keeps these rules.
"""

from __future__ import annotations

import numba

#: The options every kernel gets unless it says otherwise.
DEFAULTS = {"cache": True, "no_cfunc_wrapper": True}


def njit(*args, **options):
    """:func:`numba.njit` with :data:`DEFAULTS` for the options not given.

    Used as ``@njit`` or ``@njit(nogil=True)``, as Numba's own.
    """
    return numba.njit(*args, **{**DEFAULTS, **options})


def njit_inner(*args, **options):
    """:func:`njit` for a helper that only other kernels call: without the CPython
    wrapper, so Python cannot call it directly (Numba's own helpers are built this
    way). Used as ``@njit_inner`` or ``@njit_inner(nogil=True)``."""
    return njit(*args, **{"no_cpython_wrapper": True, **options})
