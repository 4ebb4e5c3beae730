"""``njit`` with the options every nlpzero kernel shares; kernels import it from here.

* ``cache=True``: compiled once, then loaded from Numba's cache (see
  :mod:`nlpzero._numba_cache` for where it lives).
* ``no_cfunc_wrapper=True``: Numba otherwise also builds, for every function it
  compiles, a C-callable wrapper, used only to pass jitted functions around as
  first-class values (``cfunc`` style), which nlpzero never does. Skipping it makes a
  first run compile about 5% less code, and changes nothing else.

A kernel may still pass its own options (``nogil``, ``error_model``, ``fastmath``).
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
